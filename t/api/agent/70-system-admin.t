#!/usr/bin/perl
# The admin API of system notifications (agent.md §3.3 #20-#25, §5.2
# "Admin add/update/delete", §5.6 dates, §7.3-§7.6):
# PUT /admin/system, GET /admin/system, GET|POST|DELETE /admin/system/{uuid},
# GET /admin/system-types.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use JSON::PP;
use Time::HiRes qw(time sleep);
use Time::Local qw(timegm);
use Herald::Stack;

my $s = Herald::Stack->start;

my $UUID_RE = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z/;
my @A_KEYS = qw(uuid type message dismissible logins_disabled activation_date
    deactivation_date date_created);
my $HOUR = 3_600_000;

sub now_ms () { int(time * 1000) }

# 2036-11-24T10:00:00.000Z in ms, the anchor of the date-format cases.
my $T = timegm(0, 0, 10, 24, 10, 2036) * 1000;

sub rows () { $s->sql_value('SELECT COUNT(*) FROM system_notifications') }
sub states () { $s->sql_value('SELECT COUNT(*) FROM system_states') }

# Check an admin object A inside $r at @path: exactly the A keys, dates
# numbers, flags booleans, a lower-case uuid.
sub a_shape ($r, $name, @path) {
	my $a = $r->{json};
	$a = ref $a eq 'ARRAY' ? $a->[$_] : $a->{$_} for @path;
	ok ref $a eq 'HASH', "$name: an object" or return;
	is_deeply [sort keys %$a], [sort @A_KEYS], "$name: exactly the A keys";
	like $a->{uuid}, $UUID_RE, "$name: uuid is a lower-case UUID";
	for my $k (qw(activation_date deactivation_date date_created)) {
		is $s->json_type($r->{content}, @path, $k), 'number',
		    "$name: $k is a number";
	}
	for my $k (qw(dismissible logins_disabled)) {
		is $s->json_type($r->{content}, @path, $k), 'boolean',
		    "$name: $k is a boolean";
	}
	for my $k (qw(type message uuid)) {
		is $s->json_type($r->{content}, @path, $k), 'string',
		    "$name: $k is a string";
	}
}

sub json_ok ($r, $name) {
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i,
	    "$name: JSON content type";
}

# PUT /admin/system, expecting success; returns the A object.
sub add ($body, $name) {
	my $t0 = now_ms();
	my $r = $s->put('/admin/system', $body);
	my $t1 = now_ms();
	json_ok($r, "add $name");
	is $r->{json}{action}, 'add-system-notification', "add $name: action";
	ok JSON::PP::is_bool($r->{json}{success}) && $r->{json}{success},
	    "add $name: success true";
	a_shape($r, "add $name", 'system-notification');
	my $a = $r->{json}{'system-notification'} // {};
	ok $a->{date_created} >= $t0 - 1 && $a->{date_created} <= $t1 + 1,
	    "add $name: date_created is the time of the request"
	    or diag "$t0 <= $a->{date_created} <= $t1";
	return $a;
}

# A refused request: 400 ERR_ILLEGAL_ARGUMENT (or $code), nothing written.
sub refused ($method, $path, $body, $name, %o) {
	my $before = rows();
	my $r = $s->request($method, $path, $body);
	is $r->{status}, $o{status} // 400, "$name: " . ($o{status} // 400)
	    or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i,
	    "$name: JSON content type";
	my $code = $o{code} // 'ERR_ILLEGAL_ARGUMENT';
	is $r->{json} && $r->{json}{error_code}, $code, "$name: $code";
	if (defined $o{reason}) {
		like $r->{json} && $r->{json}{reason}, $o{reason},
		    "$name: reason";
	}
	is rows(), $before, "$name: nothing written";
	return $r;
}

# === GET /admin/system-types ===================================================
{
	my $r = $s->get('/admin/system-types');
	json_ok($r, 'system-types');
	is_deeply $r->{json}, {
		action => 'get-system-notification-types',
		status => 'success',
		types => [qw(announcement maintenance warning)],
	}, 'system-types: the README body';
}

# === GET /admin/system on an empty store ========================================
{
	my $r = $s->get('/admin/system');
	json_ok($r, 'empty list');
	is_deeply $r->{json}, {
		action => 'admin-list-system-notifications',
		status => 'success',
		'system-messages' => [],
		total => 0,
	}, 'empty list: README shape, nothing listed';
	is $s->json_type($r->{content}, 'total'), 'number',
	    'empty list: total is a number';
}

# === PUT /admin/system ==========================================================
my $now = now_ms();
my $full = add({
	type => 'warning', message => 'This is a warning',
	activation_date => $now - 60_000, deactivation_date => $now + $HOUR,
	dismissible => JSON::PP::true, logins_disabled => JSON::PP::true,
}, 'all fields');
is $full->{type}, 'warning', 'all fields: type';
is $full->{message}, 'This is a warning', 'all fields: message';
is $full->{activation_date}, $now - 60_000, 'all fields: activation as sent';
is $full->{deactivation_date}, $now + $HOUR, 'all fields: deactivation as sent';
ok $full->{dismissible} && $full->{logins_disabled},
    'all fields: dismissible and logins_disabled true';
is rows(), 1, 'all fields: one row stored';
is $s->sql_value("SELECT LOWER(HEX(id)) FROM system_notifications"),
    join('', split /-/, $full->{uuid}), 'all fields: the stored id is the uuid';

# Defaults: activation now, dismissible false, logins_disabled false.
my $t0 = now_ms();
my $dflt = add({ type => 'maintenance', message => 'defaults',
    deactivation_date => $t0 + $HOUR }, 'required fields only');
my $t1 = now_ms();
ok $dflt->{activation_date} >= $t0 - 1 && $dflt->{activation_date} <= $t1 + 1,
    'defaults: activation_date is now'
    or diag "$t0 <= $dflt->{activation_date} <= $t1";
ok JSON::PP::is_bool($dflt->{dismissible}) && !$dflt->{dismissible},
    'defaults: dismissible false';
ok JSON::PP::is_bool($dflt->{logins_disabled}) && !$dflt->{logins_disabled},
    'defaults: logins_disabled false';
isnt $dflt->{uuid}, $full->{uuid}, 'defaults: a new uuid';

# Date inputs (§5.6): numbers, digit strings, the formatted dates (UTC
# unless they carry an offset).
my @dates = (
	[$T,                                          $T, 'a number'],
	["$T",                                        $T, 'a digit string'],
	['2036-11-24T10:00:00.000Z',                  $T, 'ISO with Z'],
	['2036-11-24T10:00:00.000+0200',    $T - 2 * $HOUR, 'ISO with +0200'],
	['2036-11-24 10:00:00.000',                   $T, 'YYYY-MM-dd HH:mm:ss.SSS'],
	['2036-11-24-10-00-00.000',                   $T, 'YYYY-MM-dd-HH-mm-ss.SSS'],
	['2036 Nov 24 10:00:00',                      $T, 'YYYY MMM dd HH:mm:ss'],
	['Mon Nov 24 2036 10:00:00 GMT-0700 (MST)', $T + 7 * $HOUR,
	    'JS Date.toString with zone name'],
	['Mon Nov 24 2036 10:00:00 GMT+0100',       $T - 1 * $HOUR,
	    'JS Date.toString without zone name'],
	['2036-11-24 10:00:00.123',             $T + 123, 'milliseconds kept'],
);
for my $d (@dates) {
	my ($in, $want, $what) = @$d;
	my $a = add({ type => 'announcement', message => "date $what",
	    deactivation_date => $in }, "deactivation as $what");
	is $a->{deactivation_date}, $want, "deactivation as $what: $want";
	my $b = add({ type => 'announcement', message => "act $what",
	    activation_date => $in, deactivation_date => $T + 24 * $HOUR },
	    "activation as $what");
	is $b->{activation_date}, $want, "activation as $what: $want";
}
my $n_added = 2 + 2 * @dates;
is rows(), $n_added, "$n_added rows after the adds";

# The README's example, with dates moved into the future.
{
	my $r = $s->put('/admin/system', '{"type" : "warning", "message" : '
	    . '"This is a warning", "deactivation_date" : ' . ($T + 1000)
	    . ', "activation_date" : ' . $T . ', "dismissible" : false, '
	    . '"logins_disabled" : false}');
	json_ok($r, 'README body as curl -d sends it');
	is $r->{json}{'system-notification'}{activation_date}, $T,
	    'README body: activation';
	$n_added++;
}

# --- refusals: 400, nothing written ---------------------------------------------
my $future = now_ms() + $HOUR;
my %ok = (type => 'warning', message => 'm', deactivation_date => $future);
for my $f (qw(type message deactivation_date)) {
	my %b = %ok;
	delete $b{$f};
	refused(PUT => '/admin/system', \%b, "missing $f",
	    reason => qr/missing required field $f/);
}
refused(PUT => '/admin/system', { %ok, type => '' }, 'blank type');
refused(PUT => '/admin/system', { %ok, message => '   ' }, 'blank message',
    reason => qr/missing required field message/);
refused(PUT => '/admin/system', { %ok, deactivation_date => undef },
    'null deactivation_date', reason => qr/missing required field deactivation_date/);
refused(PUT => '/admin/system', undef, 'no body');
refused(PUT => '/admin/system', '[]', 'body an array');
refused(PUT => '/admin/system', '{"type":', 'body not JSON',
    code => 'ERR_INVALID_JSON');
refused(PUT => '/admin/system', { %ok, deactivation_date => now_ms() - 1000 },
    'deactivation in the past',
    reason => qr/The provided deactivation date is in the past\./);
refused(PUT => '/admin/system',
    { %ok, deactivation_date => '2001-01-01T00:00:00.000Z' },
    'formatted deactivation in the past',
    reason => qr/The provided deactivation date is in the past\./);
refused(PUT => '/admin/system',
    { %ok, activation_date => $future, deactivation_date => $future },
    'activation equal to deactivation',
    reason => qr/The activation date needs to be prior to the deactivation date\./);
refused(PUT => '/admin/system',
    { %ok, activation_date => $future + 1, deactivation_date => $future },
    'activation after deactivation',
    reason => qr/The activation date needs to be prior to the deactivation date\./);
refused(PUT => '/admin/system', { %ok, type => 'outage' }, 'unknown type');
refused(PUT => '/admin/system', { %ok, type => 'Warning' },
    'type names are case-sensitive');
for my $bad ('yes', 1, 'true') {
	my $before = rows();
	my $r = $s->put('/admin/system', { %ok, dismissible => $bad });
	is $r->{status}, 400, "dismissible " . $s->json_codec->encode([$bad])
	    . ": 400" or diag $r->{content};
	is rows(), $before, 'dismissible not boolean: nothing written';
}
{
	my $before = rows();
	my $r = $s->put('/admin/system', { %ok, logins_disabled => 'no' });
	is $r->{status}, 400, 'logins_disabled a string: 400';
	is rows(), $before, 'logins_disabled a string: nothing written';
}
for my $bad ('tomorrow', '', '2036-13-01T00:00:00.000Z',
    '2036-02-30 10:00:00.000', '2036-11-24T10:00', 'Nov 24 2036',
    '12a', JSON::PP::true, [1], -5) {
	my $show = $s->json_codec->encode([$bad]);
	refused(PUT => '/admin/system', { %ok, deactivation_date => $bad },
	    "deactivation_date $show");
	refused(PUT => '/admin/system', { %ok, activation_date => $bad },
	    "activation_date $show");
}
is rows(), $n_added, "still $n_added rows after the refusals";
is states(), 0, 'no state rows: nobody acted';

# === GET /admin/system ==========================================================
# A fresh set to list: $p (past, inserted directly: PUT refuses it), then
# $f (future), then three active ones of different types.
sub insert_sys (%f) {
	my $id = $f{id};
	(my $hex = $id) =~ s/-//g;
	$s->sql(sprintf("INSERT INTO system_notifications (id, tenant, type, "
	    . "message, activation, deactivation, dismissible, logins_disabled, "
	    . "created) VALUES (UNHEX('%s'), 'default', %s, %s, %d, %d, %d, 0, %d)",
	    $hex, $s->quote($f{type}), $s->quote($f{message}), $f{activation},
	    $f{deactivation}, $f{dismissible} // 0, $f{created}));
}

$s->sql('DELETE FROM system_notifications');
is rows(), 0, 'the store emptied for the listing';
$now = now_ms();
my $past_id = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
insert_sys(id => $past_id, type => 'warning', message => 'over',
    activation => $now - 3 * $HOUR, deactivation => $now - 2 * $HOUR,
    created => $now - 4 * $HOUR);
my @list;	# in creation order
push @list, $past_id;
my $fut = add({ type => 'warning', message => 'later',
    activation_date => $now + $HOUR, deactivation_date => $now + 2 * $HOUR },
    'future');
push @list, $fut->{uuid};
for my $type (qw(announcement maintenance warning)) {
	sleep 0.01;	# distinct date_created
	push @list, add({ type => $type, message => "now $type",
	    deactivation_date => now_ms() + $HOUR }, "active $type")->{uuid};
}
my @active = @list[2 .. 4];

sub listing ($query, $name) {
	my $r = $s->get("/admin/system$query");
	json_ok($r, $name);
	is $r->{json}{action}, 'admin-list-system-notifications',
	    "$name: action";
	is $r->{json}{status}, 'success', "$name: status";
	is $s->json_type($r->{content}, 'total'), 'number',
	    "$name: total is a number";
	return $r;
}

sub lists ($query, $want, $total, $name) {
	my $r = listing($query, $name);
	is_deeply [map { $_->{uuid} } @{ $r->{json}{'system-messages'} // [] }],
	    $want, "$name: the expected uuids in date_created order";
	is $r->{json}{total}, $total, "$name: total $total";
	return $r;
}

{
	my $r = lists('', \@list, 5, 'all');
	a_shape($r, 'all: first item', 'system-messages', 0);
	a_shape($r, 'all: the past one', 'system-messages', 0);
	my $p = $r->{json}{'system-messages'}[0];
	is $p->{deactivation_date}, $now - 2 * $HOUR,
	    'all: the past one listed with its deactivation';
	ok !exists $p->{acknowledged}, 'admin objects have no acknowledged';
	my @c = map { $_->{date_created} } @{ $r->{json}{'system-messages'} };
	is_deeply \@c, [sort { $a <=> $b } @c], 'all: date_created ascending';
}
lists('?active-only=true', \@active, 3, 'active-only=true');
lists('?active-only=TRUE', \@active, 3, 'active-only=TRUE');
lists('?active-only=True', \@active, 3, 'active-only=True');
lists('?ACTIVE-ONLY=true', \@active, 3, 'parameter name upper-case');
lists('?active-only=false', \@list, 5, 'active-only=false');
lists('?active-only=yes', \@list, 5, 'active-only=yes is not true');
lists('?type=warning', [@list[0, 1, 4]], 3, 'type=warning');
lists('?type=announcement', [$list[2]], 1, 'type=announcement');
lists('?type=warning&active-only=true', [$list[4]], 1,
    'type=warning&active-only=true');
lists('?type=outage', [], 0, 'unknown type: empty, 200');
lists('?limit=2', [@list[0, 1]], 5, 'limit=2');
lists('?limit=2&offset=2', [@list[2, 3]], 5, 'limit=2&offset=2');
lists('?limit=2&offset=4', [$list[4]], 5, 'limit=2&offset=4');
lists('?offset=3', [@list[3, 4]], 5, 'offset=3');
lists('?offset=9', [], 5, 'offset past the end');
lists('?limit=0', \@list, 5, 'limit=0 is no limit');
lists('?limit=0&offset=0', \@list, 5, 'limit=0&offset=0');
lists('?active-only=true&limit=1&offset=1', [$active[1]], 3,
    'active-only with paging: total ignores paging');
lists('?type=warning&limit=1', [$list[0]], 3, 'type with limit');
for my $q ('limit=abc', 'offset=abc', 'limit=1.5', 'limit=', 'offset=2x') {
	my $r = $s->get("/admin/system?$q");
	is $r->{status}, 400, "?$q: 400" or diag $r->{content};
	is $r->{json} && $r->{json}{error_code}, 'ERR_ILLEGAL_ARGUMENT',
	    "?$q: ERR_ILLEGAL_ARGUMENT";
}

# === GET /admin/system/{uuid} ===================================================
sub getone ($id) { $s->get("/admin/system/$id") }
{
	my $r = getone($list[2]);
	json_ok($r, 'get');
	is $r->{json}{action}, 'get-system-notification', 'get: action';
	ok JSON::PP::is_bool($r->{json}{success}) && $r->{json}{success},
	    'get: success true';
	a_shape($r, 'get', 'system-notification');
	is_deeply [sort keys %{ $r->{json} }],
	    [qw(action success system-notification)], 'get: the README keys';
	is $r->{json}{'system-notification'}{uuid}, $list[2], 'get: the uuid';
	is $r->{json}{'system-notification'}{message}, 'now announcement',
	    'get: the message';

	$r = getone($past_id);
	json_ok($r, 'get an inactive one');
	is $r->{json}{'system-notification'}{message}, 'over',
	    'get an inactive one: the message';
	is $r->{json}{'system-notification'}{activation_date}, $now - 3 * $HOUR,
	    'get an inactive one: activation';

	$r = getone(uc $list[3]);
	json_ok($r, 'get by upper-case uuid');
	is $r->{json}{'system-notification'}{uuid}, $list[3],
	    'get by upper-case uuid: answered lower-case';

	my $unknown = '5e2b1c4d-0f3a-4b6c-9d8e-7f6a5b4c3d2e';
	$r = getone($unknown);
	is $r->{status}, 404, 'get unknown uuid: 404' or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i,
	    'get unknown uuid: JSON';
	is $r->{json} && $r->{json}{error_code}, 'ERR_NOT_FOUND',
	    'get unknown uuid: ERR_NOT_FOUND';
	is $r->{json} && $r->{json}{system_msg_id}, $unknown,
	    'get unknown uuid: system_msg_id';

	for my $bad ('not-a-uuid', '5e2b1c4d0f3a4b6c9d8e7f6a5b4c3d2', '1234',
	    '5e2b1c4d-0f3a-4b6c-9d8e-7f6a5b4c3d2g') {
		$r = getone($bad);
		is $r->{status}, 400, "get malformed uuid '$bad': 400"
		    or diag $r->{content};
	}
}

# === POST /admin/system/{uuid} ==================================================
# update($id, $body, $name): 200, flat A + success + system-notification A.
sub update ($id, $body, $name) {
	my $r = $s->post("/admin/system/$id", $body);
	json_ok($r, $name);
	ok JSON::PP::is_bool($r->{json}{success}) && $r->{json}{success},
	    "$name: success true";
	a_shape($r, "$name: wrapped", 'system-notification');
	my %flat = %{ $r->{json} // {} };
	delete @flat{qw(success system-notification action)};
	is_deeply \%flat, $r->{json}{'system-notification'},
	    "$name: the flat fields equal the wrapped object";
	return $r->{json}{'system-notification'} // {};
}

{
	my $id = $list[3];	# maintenance, not dismissible
	my $before = getone($id)->{json}{'system-notification'};
	my $a = update($id, { message => 'new text' }, 'update message');
	is_deeply $a, { %$before, message => 'new text' },
	    'update message: only the message changed';
	is_deeply getone($id)->{json}{'system-notification'}, $a,
	    'update message: stored';

	my $deact = now_ms() + 5 * $HOUR;
	$a = update($id, { 'system-notification' => {
	    type => 'warning', dismissible => JSON::PP::true,
	    deactivation_date => $deact } , action => 'update-system-notification',
	    success => JSON::PP::true }, 'update, README wrapped form');
	is_deeply $a, { %$before, message => 'new text', type => 'warning',
	    dismissible => JSON::PP::true, deactivation_date => $deact },
	    'wrapped form: type, dismissible, deactivation changed, the rest kept';
	is_deeply getone($id)->{json}{'system-notification'}, $a,
	    'wrapped form: stored';

	$a = update($id, { activation_date => '2036-11-24T10:00:00.000Z',
	    deactivation_date => '2036 Nov 25 10:00:00',
	    logins_disabled => JSON::PP::true }, 'update with formatted dates');
	is $a->{activation_date}, $T, 'formatted activation';
	is $a->{deactivation_date}, $T + 24 * $HOUR, 'formatted deactivation';
	ok $a->{logins_disabled}, 'logins_disabled changed';
	is $a->{message}, 'new text', 'message kept';

	$a = update($id, { message => undef, type => undef },
	    'update with nulls');
	is $a->{message}, 'new text', 'null message: unchanged';
	is $a->{type}, 'warning', 'null type: unchanged';

	$a = update($id, {}, 'empty update');
	is $a->{activation_date}, $T, 'empty update: nothing changed';

	# Back to active for the later tests.
	$a = update($id, { activation_date => now_ms() - 1000,
	    deactivation_date => now_ms() + $HOUR }, 'update back to active');

	my $snap = getone($id)->{json}{'system-notification'};
	my $unknown = '5e2b1c4d-0f3a-4b6c-9d8e-7f6a5b4c3d2e';
	my $r = $s->post("/admin/system/$unknown", { message => 'x' });
	is $r->{status}, 404, 'update unknown uuid: 404' or diag $r->{content};
	is $r->{json} && $r->{json}{error_code}, 'ERR_NOT_FOUND',
	    'update unknown uuid: ERR_NOT_FOUND';
	is rows(), 5, 'update unknown uuid: nothing written';

	$r = $s->post('/admin/system/not-a-uuid', { message => 'x' });
	is $r->{status}, 400, 'update malformed uuid: 400';

	for my $case (
		[{ type => 'outage' }, 'unknown type'],
		[{ 'system-notification' => { type => 'outage' } },
		    'unknown type, wrapped'],
		[{ activation_date => $snap->{deactivation_date} },
		    'activation = deactivation'],
		[{ deactivation_date => $snap->{activation_date} - 1 },
		    'deactivation before activation'],
		[{ activation_date => 'soon' }, 'bad activation date'],
		[{ dismissible => 'no' }, 'dismissible a string'],
		[{ message => '' }, 'blank message'],
		[{ message => 'ok', type => 'outage' },
		    'one bad field among good ones'],
	    ) {
		my ($body, $what) = @$case;
		$r = $s->post("/admin/system/$id", $body);
		is $r->{status}, 400, "update $what: 400" or diag $r->{content};
		is $r->{json} && $r->{json}{error_code}, 'ERR_ILLEGAL_ARGUMENT',
		    "update $what: ERR_ILLEGAL_ARGUMENT"
		    unless $what =~ /dismissible/;
		is_deeply getone($id)->{json}{'system-notification'}, $snap,
		    "update $what: nothing changed";
	}
	{
		$r = $s->post("/admin/system/$id", { activation_date =>
		    $snap->{deactivation_date} });
		like $r->{json} && $r->{json}{reason},
		    qr/The activation date needs to be prior to the deactivation date\./,
		    'update activation = deactivation: the reason';
	}
	$r = $s->post("/admin/system/$id", '{"message":');
	is $r->{status}, 400, 'update with invalid JSON: 400';
	is $r->{json} && $r->{json}{error_code}, 'ERR_INVALID_JSON',
	    'update with invalid JSON: ERR_INVALID_JSON';
	$r = $s->post("/admin/system/$id", '[1]');
	is $r->{status}, 400, 'update with an array body: 400';
	is_deeply getone($id)->{json}{'system-notification'}, $snap,
	    'nothing changed by the refused updates';
}

# --- an update resets every user's acknowledgement -------------------------------
sub sys_ids ($path, $user) {
	my $r = $s->get($s->path_q($path, user => $user));
	return [sort map { $_->{uuid} } @{ $r->{json}{'system-messages'} // [] }];
}
{
	my $id = $list[3];
	my $other = $list[2];
	my $r = $s->post('/system/seen?user=ann', { uuids => [$id, $other] });
	is $r->{status}, 200, 'ann saw two' or diag $r->{content};
	$r = $s->post('/system/delete?user=bob', { uuids => [$id] });
	is $r->{status}, 200, 'bob dismissed one' or diag $r->{content};
	$r = $s->post('/system/received?user=cy', { uuids => [$id] });
	is $r->{status}, 200, 'cy received one' or diag $r->{content};
	is states(), 4, 'four state rows';

	ok !grep({ $_ eq $id } @{ sys_ids('/system/unseen-messages', 'ann') }),
	    'before: ann has seen it';
	ok !grep({ $_ eq $id } @{ sys_ids('/system/messages', 'bob') }),
	    'before: bob has dismissed it';
	ok !grep({ $_ eq $id } @{ sys_ids('/system/new-messages', 'cy') }),
	    'before: cy has received it';

	update($id, { message => 'changed: read again' }, 'update after acks');
	is $s->sql_value('SELECT COUNT(*) FROM system_states WHERE system_id = '
	    . "UNHEX(REPLACE('$id', '-', ''))"), 0, 'its state rows are gone';
	is states(), 1, 'the other notification keeps its state row';
	for my $u (qw(ann bob cy)) {
		for my $p (qw(/system/messages /system/new-messages
		    /system/unseen-messages)) {
			ok grep({ $_ eq $id } @{ sys_ids($p, $u) }),
			    "after the update $u has it in $p";
		}
	}
	my ($obj) = grep { $_->{uuid} eq $id }
	    @{ $s->get('/system/messages?user=ann')->{json}{'system-messages'} };
	ok $obj && JSON::PP::is_bool($obj->{acknowledged}) && !$obj->{acknowledged},
	    'ann: acknowledged false again';
	is $obj && $obj->{message}, 'changed: read again', 'ann sees the new text';
	ok !grep({ $_ eq $other } @{ sys_ids('/system/unseen-messages', 'ann') }),
	    'ann still has seen the other one';
	my $c = $s->get('/count-messages?user=ann')->{json};
	is $c->{'system-total-unseen'}, 2, 'ann: 2 unseen (3 active, 1 seen)';
}

# === DELETE /admin/system/{uuid} =================================================
{
	my $id = $list[2];	# ann has a state row for it
	my $before = getone($id)->{json}{'system-notification'};
	my $r = $s->delete("/admin/system/$id");
	json_ok($r, 'delete');
	is_deeply $r->{json}, { action => 'delete-system-notification',
	    success => JSON::PP::true, 'system-notification' => $before },
	    'delete: the README body with the deleted notification';
	a_shape($r, 'delete', 'system-notification');
	is rows(), 4, 'delete: the row is gone';
	is states(), 0, 'delete: its state rows are gone';
	$r = getone($id);
	is $r->{status}, 404, 'delete: then GET is 404';
	$r = $s->delete("/admin/system/$id");
	is $r->{status}, 404, 'delete again: 404' or diag $r->{content};
	is $r->{json} && $r->{json}{error_code}, 'ERR_NOT_FOUND',
	    'delete again: ERR_NOT_FOUND';
	is $r->{json} && $r->{json}{system_msg_id}, $id,
	    'delete again: system_msg_id';
	$r = $s->post("/admin/system/$id", { message => 'x' });
	is $r->{status}, 404, 'update of a deleted one: 404';
	$r = $s->delete('/admin/system/not-a-uuid');
	is $r->{status}, 400, 'delete malformed uuid: 400';
	is rows(), 4, 'four rows left';
	lists('', [@list[0, 1, 3, 4]], 4, 'listing after the delete');
	my $u = $s->get('/system/messages?user=ann')->{json}{'system-messages'};
	ok !grep({ $_->{uuid} eq $id } @$u), 'users no longer see it';
}

# === wrong methods and unknown admin paths ======================================
for my $case ([DELETE => '/admin/system'], [POST => '/admin/system'],
    [PUT => "/admin/system/$list[3]"], [GET => '/admin/nope'],
    [GET => '/admin'], [POST => '/admin/system-types'],
    [GET => "/admin/system/$list[3]/extra"], [GET => '/admin/systems']) {
	my ($m, $p) = @$case;
	my $r = $s->request($m, $p, $m eq 'GET' || $m eq 'DELETE' ? undef : '{}');
	is $r->{status}, 400, "$m $p: 400";
	like $r->{content_type}, qr{^text/plain\b}i, "$m $p: text/plain";
	is $r->{content}, "Unrecognized service path.\n",
	    "$m $p: Unrecognized service path.";
}
is rows(), 4, 'still four rows at the end';

done_testing;
