#!/usr/bin/perl
# Each user's view of system notifications (agent.md §3.2 #11-#19, §5.2,
# §7.1, §7.2): GET /system/messages, /system/new-messages,
# /system/unseen-messages; POST /system/received, /system/mark-all-received,
# /system/seen, /system/mark-all-seen, /system/delete;
# DELETE /system/delete-all.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use JSON::PP;
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::SystemTest;

my $s = Herald::Stack->start;
use_stack($s);

my $UUID_RE = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z/;
my @S_KEYS = qw(uuid type message dismissible logins_disabled activation_date
    deactivation_date date_created acknowledged);
my %LIST = (all => '/system/messages', new => '/system/new-messages',
    unseen => '/system/unseen-messages');


# The stored state of ($user, $id): undef when there is no row.
sub state_of ($user, $id) {
	(my $hex = $id) =~ s/-//g;
	my @r = $s->sql('SELECT x.state FROM system_states x JOIN users u '
	    . 'ON u.id = x.user_id WHERE u.username = ' . $s->quote($user)
	    . " AND x.system_id = UNHEX('$hex')");
	return @r ? $r[0][0] : undef;
}

# GET a user listing; checks the shape of every S and returns
# { uuid => S }.
sub listing ($which, $user, $name = "$which for $user") {
	my $r = $s->get($s->path_q($LIST{$which}, user => $user));
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i, "$name: JSON";
	is_deeply [keys %{ $r->{json} // {} }], ['system-messages'],
	    "$name: only system-messages";
	my %by;
	my $i = 0;
	for my $o (@{ $r->{json}{'system-messages'} // [] }) {
		my $bad = join ',', grep {
			my $t = $s->json_type($r->{content}, 'system-messages',
			    $i, $_) // 'absent';
			/_date$|date_created/ ? $t ne 'number'
			    : /^(dismissible|logins_disabled|acknowledged)$/
			    ? $t ne 'boolean' : $t ne 'string';
		} @S_KEYS;
		is $bad, '', "$name: item $i has the right types";
		is_deeply [sort keys %$o], [sort @S_KEYS],
		    "$name: item $i has exactly the S keys";
		like $o->{uuid}, $UUID_RE, "$name: item $i uuid lower-case";
		$by{ $o->{uuid} } = $o;
		$i++;
	}
	return \%by;
}

# The uuids a user has in a listing, sorted.
sub ids ($which, $user) { [sort keys %{ listing($which, $user) }] }

sub lists_are ($user, $all, $new, $unseen, $name) {
	is_deeply ids('all', $user), [sort @$all], "$name: messages";
	is_deeply ids('new', $user), [sort @$new], "$name: new-messages";
	is_deeply ids('unseen', $user), [sort @$unseen],
	    "$name: unseen-messages";
	my $c = $s->get($s->path_q('/count-messages', user => $user))->{json};
	is_deeply [@$c{qw(system-total system-total-new system-total-unseen)}],
	    [scalar @$all, scalar @$new, scalar @$unseen],
	    "$name: count-messages agrees";
}

# {"success": true, "count": "<n>"} exactly, count a string.
sub counted ($r, $count, $name) {
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i, "$name: JSON";
	is_deeply $r->{json}, { success => JSON::PP::true, count => "$count" },
	    "$name: success true, count $count";
	is $s->json_type($r->{content}, 'count'), 'string',
	    "$name: count is a string";
}

sub mark ($op, $user, @ids) {
	return $s->post($s->path_q("/system/$op", user => $user),
	    { uuids => \@ids });
}

sub refused ($r, $code, $name) {
	is $r->{status}, 400, "$name: 400" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i, "$name: JSON";
	is $r->{json} && $r->{json}{error_code}, $code, "$name: $code";
}

sub acked ($user, $id) {
	my $o = listing('all', $user)->{$id};
	return undef unless $o;
	return JSON::PP::is_bool($o->{acknowledged}) ? ($o->{acknowledged} ? 1 : 0)
	    : 'not a boolean';
}

# === the time window: activation <= now < deactivation ===========================
# Time passes by moving the window, not by waiting: each row's bounds are
# set an hour away, checked, then moved a second into the past in SQL.
# (A real-time window of seconds failed on a loaded machine under ASan.)
my $t0 = now_ms();
my $fut = add(message => 'future', activation_date => $t0 + $HOUR,
    deactivation_date => $t0 + 2 * $HOUR, dismissible => JSON::PP::true);
my $exp = add(message => 'expiring', deactivation_date => $t0 + $HOUR,
    dismissible => JSON::PP::true);
my $past = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
$s->sql(sprintf("INSERT INTO system_notifications (id, tenant, type, message, "
    . "activation, deactivation, dismissible, logins_disabled, created) VALUES "
    . "(UNHEX('%s'), 'default', 'warning', 'past', %d, %d, 1, 0, %d)",
    $past =~ s/-//gr, $t0 - 2 * $HOUR, $t0 - $HOUR, $t0 - 3 * $HOUR));
# "tw" marks the future one seen before it is active: the uuid-list
# operations do not check activity (§5.2).
counted(mark(seen => 'tw', $fut), 1, 'tw marks the future one seen early');
counted(mark(seen => 'tw', $past), 1, 'tw marks the past one seen');
# "tm" marks all seen while the future one is not active yet.
counted($s->post('/system/mark-all-seen', { user => 'tm' }), 0,
    'tm marks all seen');
lists_are('tv', [$exp], [$exp], [$exp], 'before: only the expiring one');
lists_are('tm', [$exp], [], [], 'before: tm has seen the expiring one');
is state_of('tm', $fut), undef, 'mark-all-seen left the future one alone';
{
	my $now = now_ms();
	$s->sql(sprintf("UPDATE system_notifications SET activation = %d "
	    . "WHERE id = UNHEX('%s')", $now - 1000, $fut =~ s/-//gr));
	$s->sql(sprintf("UPDATE system_notifications SET deactivation = %d "
	    . "WHERE id = UNHEX('%s')", $now - 1000, $exp =~ s/-//gr));
}
lists_are('tv', [$fut], [$fut], [$fut], 'after: only the future one');
lists_are('tm', [$fut], [$fut], [$fut], 'after: tm has not seen the new one');
lists_are('tw', [$fut], [], [], 'after: tw saw it before it was active');
is acked('tw', $fut), 1, 'tw: acknowledged true';
is acked('tv', $fut), 0, 'tv: acknowledged false';
counted(mark(received => 'tv', $exp, $past), 1,
    'marking inactive ones received is accepted');
ok !grep({ $_ eq $exp || $_ eq $past } map { @{ ids($_, 'tv') } }
    qw(all new unseen)), 'the expired and the past one are never listed';
{
	my $r = $s->get('/admin/system?active-only=true');
	is_deeply [map { $_->{uuid} } @{ $r->{json}{'system-messages'} }],
	    [$fut], 'admin active-only agrees';
}
for my $id ($fut, $exp, $past) {
	is $s->delete("/admin/system/$id")->{status}, 200,
	    'time-window notification removed';
}
is states(), 0, 'their state rows went with them';

# === the ladder ==================================================================
my $d1 = add(message => 'dismiss me 1', dismissible => JSON::PP::true);
my $d2 = add(message => 'dismiss me 2', type => 'announcement',
    dismissible => JSON::PP::true);
my $n1 = add(message => 'you cannot dismiss me', type => 'maintenance');
my @all = ($d1, $d2, $n1);

{
	my $l = listing('all', 'ul');
	is_deeply [sort keys %$l], [sort @all], 'ul: all three listed';
	is $l->{$d1}{message}, 'dismiss me 1', 'S: message';
	is $l->{$d2}{type}, 'announcement', 'S: type';
	ok $l->{$d1}{dismissible} && !$l->{$n1}{dismissible}, 'S: dismissible';
	ok !$l->{$d1}{logins_disabled}, 'S: logins_disabled';
	ok !grep({ $_->{acknowledged} } values %$l), 'S: none acknowledged';
	my $a = $s->get("/admin/system/$d1")->{json}{'system-notification'};
	my %s1 = %{ $l->{$d1} };
	delete $s1{acknowledged};
	is_deeply \%s1, $a, 'S is A plus acknowledged';
}
lists_are('ul', \@all, \@all, \@all, 'ul at first');
is states(), 0, 'no state rows while nobody acts (the broadcast is O(1))';

counted(mark(received => 'ul', $d1), 2, 'received d1');
is state_of('ul', $d1), 1, 'd1 state received';
lists_are('ul', \@all, [$d2, $n1], \@all, 'ul after received d1');
is acked('ul', $d1), 0, 'received is not acknowledged';
counted(mark(received => 'ul', $d1, $d1), 2, 'received d1 again: no-op');
is states(), 1, 'still one state row';

counted(mark(seen => 'ul', $d1), 2, 'seen d1');
is state_of('ul', $d1), 2, 'd1 state seen';
is acked('ul', $d1), 1, 'seen: acknowledged true';
lists_are('ul', \@all, [$d2, $n1], [$d2, $n1], 'ul after seen d1');
my $ack_at = $s->sql_value('SELECT acknowledged_at FROM system_states');
ok $ack_at, 'acknowledged_at set';

counted(mark(received => 'ul', $d1), 2, 'received after seen');
is state_of('ul', $d1), 2, 'received after seen: still seen';
is acked('ul', $d1), 1, 'received after seen: still acknowledged';
lists_are('ul', \@all, [$d2, $n1], [$d2, $n1], 'received after seen');
counted(mark(seen => 'ul', $d1), 2, 'seen again: no-op');
is $s->sql_value('SELECT acknowledged_at FROM system_states'), $ack_at,
    'seen again keeps the first acknowledged_at';

counted(mark(seen => 'ul', $n1), 1, 'seen of a non-dismissible one');
is acked('ul', $n1), 1, 'n1 acknowledged';
lists_are('ul', \@all, [$d2], [$d2], 'after seen n1');

counted(mark(delete => 'ul', $n1), 3, 'delete of a non-dismissible one');
is state_of('ul', $n1), 2, 'n1 still only seen';
lists_are('ul', \@all, [$d2], [$d2], 'n1 still listed');

counted(mark(delete => 'ul', $d2), 2, 'delete d2 straight from unreceived');
is state_of('ul', $d2), 3, 'd2 dismissed';
lists_are('ul', [$d1, $n1], [], [], 'dismissed counts as received and seen');
for my $op (qw(received seen)) {
	counted(mark($op => 'ul', $d2), 0, "$op after delete");
	is state_of('ul', $d2), 3, "$op after delete: still dismissed";
}
lists_are('ul', [$d1, $n1], [], [], 'nothing came back');
counted(mark(delete => 'ul', $d1, $d2, $n1), 1,
    'delete of a seen one, a dismissed one and a non-dismissible one');
is state_of('ul', $d1), 3, 'd1 dismissed';
is acked('ul', $d1), undef, 'd1 no longer listed';
lists_are('ul', [$n1], [], [], 'only n1 left');
is states(), 3, 'ul: exactly three state rows';

# === mark-all and delete-all =====================================================
counted($s->post('/system/mark-all-received', { user => 'um' }), 0,
    'mark-all-received');
lists_are('um', \@all, [], \@all, 'after mark-all-received');
is acked('um', $_), 0, 'mark-all-received: not acknowledged' for @all;
counted($s->post('/system/mark-all-received', { user => 'um' }), 0,
    'mark-all-received again');
counted($s->post('/system/mark-all-seen', { user => 'um' }), 0,
    'mark-all-seen');
lists_are('um', \@all, [], [], 'after mark-all-seen');
is acked('um', $_), 1, 'mark-all-seen: acknowledged' for @all;
counted($s->delete('/system/delete-all?user=um'), 1, 'delete-all');
lists_are('um', [$n1], [], [], 'delete-all spares the non-dismissible one');
is acked('um', $n1), 1, 'n1 still acknowledged';
counted($s->delete('/system/delete-all?user=um'), 1, 'delete-all again');
is states(), 6, 'um: three state rows';

counted($s->delete('/system/delete-all?user=un'), 1, 'delete-all first thing');
lists_are('un', [$n1], [$n1], [$n1],
    'un: the dismissed ones count as seen and received, n1 untouched');
is state_of('un', $n1), undef, 'un has no row for n1';
is acked('un', $n1), 0, 'un: n1 not acknowledged';

counted($s->post('/system/mark-all-seen?user=uq', {}), 0,
    'mark-all-seen with the user in the query string');
counted($s->post('/system/mark-all-received?user=ur', {}), 0,
    'mark-all-received with the user in the query string');
lists_are('uq', \@all, [], [], 'uq: all seen');
lists_are('ur', \@all, [], \@all, 'ur: all received');
counted($s->post('/system/mark-all-seen', '{"user" : "uc"}'),
    0, 'mark-all-seen as curl -d sends it');

# === two users are independent ===================================================
counted(mark(delete => 'alice', $d1), 2, 'alice dismisses d1');
counted(mark(seen => 'alice', $d2), 1, 'alice sees d2');
lists_are('alice', [$d2, $n1], [$n1], [$n1], 'alice');
lists_are('bob', \@all, \@all, \@all, 'bob is untouched');
counted(mark(received => 'bob', $d2), 2, 'bob receives d2');
lists_are('alice', [$d2, $n1], [$n1], [$n1], 'alice after bob acted');
is acked('bob', $d2), 0, 'bob: d2 not acknowledged';
is acked('alice', $d2), 1, 'alice: d2 acknowledged';
lists_are('Alice', \@all, \@all, \@all, 'user names are case-sensitive');

# === uuids: unknown, empty, case, malformed ======================================
my $unknown = '5e2b1c4d-0f3a-4b6c-9d8e-7f6a5b4c3d2e';
my $rows = states();
for my $op (qw(received seen delete)) {
	counted(mark($op => 'uk', $unknown), 3, "$op of an unknown uuid: ignored");
	counted(mark($op => 'uk'), 3, "$op of []: no-op");
}
is states(), $rows, 'no state rows for unknown uuids';
counted(mark(received => 'uk', uc $d1), 2, 'received by upper-case uuid');
is state_of('uk', $d1), 1, 'the upper-case uuid found d1';
counted(mark(seen => 'uk', $unknown, $d2), 2,
    'seen of an unknown and a known one: the known one is marked');
is state_of('uk', $d2), 2, 'd2 seen for uk';
$rows = states();

for my $op (qw(received seen delete)) {
	my $p = "/system/$op?user=ux";
	refused(mark($op => 'ux', $d1, 'not-a-uuid'), 'ERR_BAD_OR_MISSING_FIELD',
	    "$op with a malformed uuid");
	is state_of('ux', $d1), undef, "$op with a malformed uuid: d1 untouched";
	refused(mark($op => 'ux', "$d1-0"), 'ERR_BAD_OR_MISSING_FIELD',
	    "$op with a uuid too long");
	refused(mark($op => 'ux', 42), 'ERR_BAD_OR_MISSING_FIELD',
	    "$op with a number for a uuid");
	refused($s->post($p, {}), 'ERR_BAD_OR_MISSING_FIELD',
	    "$op with uuids missing");
	refused($s->post($p, { uuids => $d1 }), 'ERR_BAD_OR_MISSING_FIELD',
	    "$op with uuids a string");
	refused($s->post($p, { uuids => { a => $d1 } }),
	    'ERR_BAD_OR_MISSING_FIELD', "$op with uuids an object");
	refused($s->post($p, [$d1]), 'ERR_BAD_OR_MISSING_FIELD',
	    "$op with the body an array");
	refused($s->post($p, '{"uuids": ['), 'ERR_INVALID_JSON',
	    "$op with invalid JSON");
	my $r = $s->post($p);
	is $r->{status}, 400, "$op without a body: 400";
	refused($s->post("/system/$op", { uuids => [$d1] }),
	    'ERR_ILLEGAL_ARGUMENT', "$op without user");
	refused($s->post("/system/$op?user=", { uuids => [$d1] }),
	    'ERR_ILLEGAL_ARGUMENT', "$op with user empty");
}
is states(), $rows, 'the refused requests wrote nothing';

for my $op (qw(mark-all-received mark-all-seen)) {
	refused($s->post("/system/$op", {}), 'ERR_ILLEGAL_ARGUMENT',
	    "$op without user");
	refused($s->post("/system/$op", { user => '' }), 'ERR_ILLEGAL_ARGUMENT',
	    "$op with user empty");
	my $r = $s->post("/system/$op");
	is $r->{status}, 400, "$op without a body: 400";
	refused($s->post("/system/$op", '{"user":'), 'ERR_INVALID_JSON',
	    "$op with invalid JSON");
}
refused($s->delete('/system/delete-all'), 'ERR_ILLEGAL_ARGUMENT',
    'delete-all without user');
refused($s->delete('/system/delete-all?user='), 'ERR_ILLEGAL_ARGUMENT',
    'delete-all with user empty');
for my $which (sort keys %LIST) {
	my $r = $s->get($LIST{$which});
	refused($r, 'ERR_ILLEGAL_ARGUMENT', "$LIST{$which} without user");
	is $r->{json} && $r->{json}{param}, 'user', "$LIST{$which}: param user";
	refused($s->get("$LIST{$which}?user="), 'ERR_ILLEGAL_ARGUMENT',
	    "$LIST{$which} with user empty");
}
is states(), $rows, 'still nothing written';
lists_are('nobody-yet', \@all, \@all, \@all,
    'a user never seen before gets every active one');
is $s->sql_value("SELECT COUNT(*) FROM users WHERE username = 'nobody-yet'"),
    0, 'reading does not create the user';

# === unknown paths and wrong methods under /system ===============================
for my $case ([GET => '/system/nope?user=x'], [GET => '/system/received?user=x'],
    [GET => '/system/seen?user=x'], [GET => '/system/delete?user=x'],
    [GET => '/system/delete-all?user=x'], [GET => '/system/mark-all-seen'],
    [GET => '/system/mark-all-received'], [POST => '/system/messages?user=x'],
    [POST => '/system/delete-all?user=x'], [DELETE => '/system/delete?user=x'],
    [PUT => '/system/seen?user=x'], [GET => '/system?user=x'],
    [GET => '/system/?user=x'], [GET => '/system/messages/x?user=x']) {
	my ($m, $p) = @$case;
	my $r = $s->request($m, $p, $m eq 'GET' || $m eq 'DELETE' ? undef
	    : '{"uuids":[]}');
	is $r->{status}, 400, "$m $p: 400";
	like $r->{content_type}, qr{^text/plain\b}i, "$m $p: text/plain";
	is $r->{content}, "Unrecognized service path.\n",
	    "$m $p: Unrecognized service path.";
}

done_testing;
