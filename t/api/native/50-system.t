#!/usr/bin/perl
# A user's system notifications in /v1 (doc/v1.md): GET
# /v1/users/{user}/system-notifications (the active ones not dismissed, with
# their state), POST .../{id}/seen and .../{id}/dismiss; not_dismissible,
# unknown ids, roles.  The agent dialect sees the same states.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use POSIX qw(strftime);
use Time::HiRes qw(time);
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });
my $ALICE = bearer(make_token($s, 'alice', 'user'));
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $ADM = bearer(make_token($s, 'root', 'admin'));
my $HOUR = 3_600_000;
my $NOW = int(time * 1000);
my $NOBODY = '0b6c0000-0000-4000-8000-00000000dead';
my @KEYS = qw(id type message dismissible logins_disabled activation
    deactivation created_at state);

sub rfc3339 ($ms) {
	return strftime('%Y-%m-%dT%H:%M:%S', gmtime(int($ms / 1000)))
	    . sprintf('.%03dZ', $ms % 1000);
}

# PUT /admin/system; returns the agent's object (uuid, date_created, ...).
my %sent;
sub add (%f) {
	my $r = $s->put('/admin/system', { type => 'announcement',
	    activation_date => $NOW - $HOUR, deactivation_date => $NOW + $HOUR,
	    %f }, $ADM);
	is $r->{status}, 200, "added '$f{message}'" or diag $r->{content};
	my $o = $r->{json}{'system-notification'} // {};
	$sent{ $o->{uuid} // '' } = $o;
	return $o->{uuid};
}
my $D = add(message => 'Down at 6', type => 'maintenance',
    dismissible => JSON::PP::true);
my $F = add(message => 'Fixed', type => 'warning',
    logins_disabled => JSON::PP::true);
# The agent refuses a past deactivation: expire this one in the store.
my $OLD = add(message => 'Expired', dismissible => JSON::PP::true);
$s->sql('UPDATE system_notifications SET activation = ' . ($NOW - 2 * $HOUR)
    . ', deactivation = ' . ($NOW - $HOUR) . " WHERE id = UNHEX('"
    . ($OLD =~ s/-//gr) . "')");
my $LATER = add(message => 'Later', activation_date => $NOW + $HOUR,
    deactivation_date => $NOW + 2 * $HOUR, dismissible => JSON::PP::true);

sub api ($m, $path, $h = $ALICE) { $s->request($m, $path, undef, $h) }
sub base ($user) { "/v1/users/$user/system-notifications" }

sub is_err ($r, $status, $code, $name) {
	is $r->{status}, $status, "$name: $status" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i, "$name: JSON";
	my $e = ref $r->{json} eq 'HASH' ? $r->{json}{error} // {} : {};
	is $e->{status}, $status, "$name: error.status";
	is $e->{code}, $code, "$name: code $code" or diag $r->{content};
	ok length($e->{message} // ''), "$name: a message";
}

# One system notification as a user sees it, checked against what was sent.
sub shape_ok ($o, $state, $name) {
	is_deeply [sort keys %$o], [sort @KEYS], "$name: exactly the keys";
	my $a = $sent{ $o->{id} // '' } // {};
	my %want = (id => $a->{uuid}, type => $a->{type},
	    message => $a->{message}, dismissible => $a->{dismissible},
	    logins_disabled => $a->{logins_disabled},
	    activation => rfc3339($a->{activation_date} // 0),
	    deactivation => rfc3339($a->{deactivation_date} // 0),
	    created_at => rfc3339($a->{date_created} // 0), state => $state);
	is_deeply $o, \%want, "$name: every field, state $state"
	    or diag explain $o;
	for my $k (qw(dismissible logins_disabled)) {
		ok JSON::PP::is_bool($o->{$k}), "$name: $k is a boolean";
	}
}

# The listing: 200, {"items":[...]}; returns { id => object }.
sub listing ($user, $name, $h = $ALICE) {
	my $r = api('GET', base($user), $h);
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i, "$name: JSON";
	my $j = ref $r->{json} eq 'HASH' ? $r->{json} : {};
	is_deeply [keys %$j], ['items'], "$name: {\"items\":[...]}";
	return { map { $_->{id} => $_ } @{ $j->{items} // [] } };
}

sub act ($user, $id, $what, $name, $h = $ALICE) {
	my $r = api('POST', base($user) . "/$id/$what", $h);
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	return ref $r->{json} eq 'HASH' ? $r->{json} : {};
}

# --- New: the active ones, state new -------------------------------------
{
	my $l = listing('alice', 'alice\'s list');
	is_deeply [sort keys %$l], [sort $D, $F],
	    'the two active ones, not the expired or the future one';
	shape_ok($l->{$D} // {}, 'new', 'D');
	shape_ok($l->{$F} // {}, 'new', 'F');
	is_deeply [sort keys %{ listing('ghost', 'a new user', $SVC) }],
	    [sort $D, $F], 'a user never seen has them too';
}

# --- received through the agent, seen, dismiss -------------------------------
is $s->post('/system/received', { user => 'alice', uuids => [$D] },
    $ALICE)->{status}, 200, 'agent: alice received D';
shape_ok(listing('alice', 'after received')->{$D} // {}, 'received',
    'D after the agent\'s received');
shape_ok(act('alice', $D, 'seen', 'seen D'), 'seen', 'seen D answers');
shape_ok(listing('alice', 'after seen')->{$D} // {}, 'seen', 'D listed seen');
shape_ok(listing('alice', 'F untouched')->{$F} // {}, 'new', 'F still new');
{
	my $m = $s->get('/system/messages?user=alice', $ALICE);
	my ($x) = grep { $_->{uuid} eq $D } @{ $m->{json}{'system-messages'} // [] };
	ok $x && $x->{acknowledged}, 'the agent shows D acknowledged';
}
shape_ok(act('alice', $D, 'dismiss', 'dismiss D'), 'dismissed',
    'dismiss D answers');
is_deeply [keys %{ listing('alice', 'after dismiss') }], [$F],
    'D is gone from the list';
{
	my $m = $s->get('/system/messages?user=alice', $ALICE);
	ok !grep({ $_->{uuid} eq $D } @{ $m->{json}{'system-messages'} // [] }),
	    'the agent no longer lists D either';
}
shape_ok(act('alice', $F, 'seen', 'seen F'), 'seen', 'seen F answers');

# --- Refusals --------------------------------------------------------------------
is_err(api('POST', base('alice') . "/$F/dismiss"), 422, 'not_dismissible',
    'dismiss F (not dismissible)');
shape_ok(listing('alice', 'after the refusal')->{$F} // {}, 'seen',
    'F is still listed, still seen');
for my $what (qw(seen dismiss)) {
	is_err(api('POST', base('alice') . "/$NOBODY/$what"), 404, 'not_found',
	    "$what an unknown id");
}
for my $p ('/v1/users/bob/system-notifications',
    "/v1/users/bob/system-notifications/$D/seen",
    "/v1/users/bob/system-notifications/$D/dismiss") {
	my $m = $p =~ m{/(seen|dismiss)\z} ? 'POST' : 'GET';
	is_err(api($m, $p), 403, 'forbidden', "alice $m $p");
}
is_deeply [sort keys %{ listing('bob', 'bob by the service', $SVC) }],
    [sort $D, $F], 'bob\'s list is untouched by the refusals';
shape_ok(act('bob', $D, 'seen', 'service: seen D for bob', $SVC), 'seen',
    'the service acts for bob');
shape_ok(act('bob', $D, 'dismiss', 'service: dismiss D for bob', $SVC),
    'dismissed', 'the service dismisses for bob');
is_deeply [keys %{ listing('bob', 'bob after', $SVC) }], [$F],
    'bob\'s D is gone';
is_deeply [sort keys %{ listing('carol', 'carol', $ADM) }], [sort $D, $F],
    'carol\'s are her own';

done_testing;
