#!/usr/bin/perl
# Cross-user attempts (issue 4): alice, holding a user-role token, tries to
# read, mark, delete and create bob's notifications and system-notification
# states on every endpoint that takes a user or ids, both by naming bob
# (403) and by naming herself with bob's ids (200, but nothing of bob's
# changes).  The database is checked directly: bob's rows are the same
# after every attempt.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", $FindBin::Bin;
use Test::More;
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });

my $A = bearer(make_token($s, 'alice', 'user'));
my $B = bearer(make_token($s, 'bob', 'user'));
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $ADM = bearer(make_token($s, 'root', 'admin'));

sub notify ($user, $subject, $h = $SVC) {
	my $r = $s->post('/notification', { type => 'data', user => $user,
	    subject => $subject }, $h);
	is $r->{status}, 200, "created '$subject' for $user"
	    or diag $r->{content};
	return $r->{json}{id};
}

my @bob = map { notify('bob', "bob secret $_") } 1 .. 3;
my $a1 = notify('alice', 'alice own 1');
my $a2 = notify('alice', 'alice own 2');
my $sys = do {
	my $r = $s->put('/admin/system', { type => 'announcement',
	    message => 'for all', activation_date => 0,
	    deactivation_date => 4102444800000 }, $ADM);
	is $r->{status}, 200, 'system notification added' or diag $r->{content};
	$r->{json}{'system-notification'}{uuid};
};
# Bob has received the system notification: he has a state row to protect.
is $s->post('/system/received', { user => 'bob', uuids => [$sys] },
    $B)->{status}, 200, 'bob marks the system notification received';

# Everything of bob's the service can change, as one comparable string.
sub bob_state () {
	my @rows = $s->sql("SELECT 'n', HEX(n.id), n.seen, n.deleted, n.subject "
	    . "FROM notifications n JOIN users u ON u.id = n.user_id WHERE "
	    . "u.username = 'bob' UNION ALL SELECT 's', HEX(st.system_id), "
	    . "st.state, COALESCE(st.acknowledged_at, 0), '' FROM system_states "
	    . "st JOIN users u ON u.id = st.user_id WHERE u.username = 'bob' "
	    . "ORDER BY 1, 5, 2");
	return join("\n", map { join ',', @$_ } @rows);
}
my $bob0 = bob_state();
like $bob0, qr/,bob secret 1\n.*,bob secret 2\n.*,bob secret 3\n/s,
    'bob has three notifications' or diag $bob0;
like $bob0, qr/^s,[0-9A-F]{32},1,/m, 'bob has a received system state';

sub bob_unchanged ($name) {
	is bob_state(), $bob0, "$name: nothing of bob's changed";
}

sub no_leak ($r, $name) {
	unlike $r->{content}, qr/bob secret|"user":"bob"/,
	    "$name: nothing of bob's in the answer";
}

# === naming bob: 403 on every endpoint ===================================
my @named = (
	['GET',    '/messages?user=bob',		undef],
	['GET',    '/unseen-messages?user=bob',	undef],
	['GET',    '/last-ten-messages?user=bob',	undef],
	['GET',    '/count-messages?user=bob',		undef],
	['GET',    '/count-messages?user=bob&seen=false', undef],
	['GET',    '/messages?user=bob&filter=data&seen=false', undef],
	['POST',   '/seen?user=bob',		{ uuids => [@bob] }],
	['POST',   '/seen',			{ user => 'bob', uuids => [@bob] }],
	['POST',   '/mark-all-seen',		{ user => 'bob' }],
	['POST',   '/mark-all-seen?user=bob',	{}],
	['POST',   '/mark-all-seen?user=bob',	undef],
	['POST',   '/mark-all-seen',		{ user => 'bob', type => 'data' }],
	['POST',   '/delete?user=bob',		{ uuids => [@bob] }],
	['POST',   '/delete',			{ user => 'bob', uuids => [@bob] }],
	['DELETE', '/delete-all?user=bob',	undef],
	['DELETE', '/delete-all?user=bob&filter=data', undef],
	['POST',   '/notification', { type => 'data', user => 'bob',
	    subject => 'bob secret forged' }],
	['GET',    '/system/messages?user=bob',	undef],
	['GET',    '/system/new-messages?user=bob', undef],
	['GET',    '/system/unseen-messages?user=bob', undef],
	['POST',   '/system/received?user=bob',	{ uuids => [$sys] }],
	['POST',   '/system/seen?user=bob',	{ uuids => [$sys] }],
	['POST',   '/system/seen',		{ user => 'bob', uuids => [$sys] }],
	['POST',   '/system/delete?user=bob',	{ uuids => [$sys] }],
	['POST',   '/system/mark-all-received',	{ user => 'bob' }],
	['POST',   '/system/mark-all-seen',	{ user => 'bob' }],
	['POST',   '/system/mark-all-seen?user=bob', {}],
	['DELETE', '/system/delete-all?user=bob', undef],
	# Near-misses of alice's own name are other users, not alice.
	['GET',    '/messages?user=Alice',		undef],
	['GET',    '/messages?user=alice%20',	undef],
	['GET',    '/messages?user=%20alice',	undef],
);
for my $c (@named) {
	my ($m, $path, $body) = @$c;
	my $name = "alice: $m $path" . (ref $body eq 'HASH' && $body->{user}
	    ? " (body user $body->{user})" : '');
	my $r = $s->request($m, $path, $body, $A);
	is_403($r, $name);
	no_leak($r, $name);
	bob_unchanged($name);
}

# The user given twice, or in two spellings of the name: refused, not
# resolved to the second one.
for my $q ('user=alice&user=bob', 'user=bob&user=alice', 'user=alice&User=bob',
    'USER=bob&user=alice') {
	my $r = $s->get("/messages?$q", $A);
	is $r->{status}, 400, "alice: GET /messages?$q: 400" or diag $r->{content};
	is $r->{json} && $r->{json}{error_code}, 'ERR_BAD_QUERY_PARAMETER',
	    "alice: GET /messages?$q: ERR_BAD_QUERY_PARAMETER";
	no_leak($r, "alice: GET /messages?$q");
	$r = $s->post("/seen?$q", { uuids => [@bob] }, $A);
	is $r->{status}, 400, "alice: POST /seen?$q: 400" or diag $r->{content};
	bob_unchanged("alice: POST /seen?$q");
}

# === naming herself with bob's ids: nothing of bob's changes =============
{
	my $r = $s->post('/seen?user=alice', { uuids => [@bob] }, $A);
	is_200($r, 'alice: POST /seen?user=alice with bob\'s uuids');
	is $r->{json}{count}, 2, '... answers alice\'s own unseen count';
	bob_unchanged('alice: /seen with bob\'s uuids');

	$r = $s->post('/seen', { uuids => [@bob, $a1] }, $A);
	is_200($r, 'alice: POST /seen (no user) with bob\'s uuids and her own');
	is $r->{json}{count}, 1, '... only her own was marked';
	bob_unchanged('alice: /seen (no user) with bob\'s uuids');

	$r = $s->post('/mark-all-seen?user=bob', { user => 'alice' }, $A);
	is_200($r, 'alice: POST /mark-all-seen?user=bob with body user alice');
	bob_unchanged('alice: /mark-all-seen, body user alice, query bob');

	$r = $s->post('/delete?user=alice', { uuids => [@bob] }, $A);
	is_200($r, 'alice: POST /delete?user=alice with bob\'s uuids');
	bob_unchanged('alice: /delete with bob\'s uuids');

	$r = $s->post('/delete', { uuids => [$bob[0]] }, $A);
	is_200($r, 'alice: POST /delete (no user) with bob\'s uuid');
	bob_unchanged('alice: /delete (no user) with bob\'s uuid');

	$r = $s->request('DELETE', '/delete-all', undef, $A);
	is_200($r, 'alice: DELETE /delete-all (her own)');
	bob_unchanged('alice: /delete-all of her own');
	is $s->sql_value("SELECT COUNT(*) FROM notifications n JOIN users u "
	    . "ON u.id = n.user_id WHERE u.username = 'alice' AND "
	    . "n.deleted = 0"), 0, 'alice\'s own are deleted';

	for my $p ('/system/seen', '/system/delete', '/system/received') {
		$r = $s->post("$p?user=alice", { uuids => [$sys] }, $A);
		is_200($r, "alice: POST $p?user=alice");
		bob_unchanged("alice: $p of her own");
	}
	$r = $s->request('DELETE', '/system/delete-all', undef, $A);
	is_200($r, 'alice: DELETE /system/delete-all (her own)');
	bob_unchanged('alice: /system/delete-all of her own');
}

# === reading: only her own ===============================================
{
	my $a3 = notify('alice', 'alice own 3');
	for my $p ('/messages', '/unseen-messages', '/last-ten-messages',
	    '/messages?user=alice') {
		my $r = $s->get($p, $A);
		is_200($r, "alice: GET $p");
		my @u = map { $_->{user} } @{ $r->{json}{messages} // [] };
		is_deeply \@u, ['alice'], "alice: GET $p lists only her one "
		    . 'undeleted notification';
		no_leak($r, "alice: GET $p");
	}
	my $r = $s->get('/count-messages', $A);
	is $r->{json}{'user-total'}, 1, 'alice: count is her own';
}

# Bob's own token cannot reach alice's either.
{
	my $r = $s->get('/messages?user=alice', $B);
	is_403($r, 'bob: GET /messages?user=alice');
	unlike $r->{content}, qr/alice own/, 'bob: nothing of alice\'s';
	is_403($s->post('/mark-all-seen', { user => 'alice' }, $B),
	    'bob: POST /mark-all-seen for alice');
}

# A token for "bob " (trailing space) is another user, not bob.
{
	my $bs = bearer(make_token($s, 'bob ', 'user'));
	my $r = $s->get('/messages', $bs);
	is_200($r, 'token for "bob ": GET /messages');
	no_leak($r, 'token for "bob "');
	is_200($s->post('/mark-all-seen', undef, $bs),
	    'token for "bob ": POST /mark-all-seen');
	bob_unchanged('token for "bob "');
}

# The service may act for bob, and the check above can see a change.
{
	my $r = $s->get('/messages?user=bob', $SVC);
	is_200($r, 'service: GET /messages?user=bob');
	is scalar(@{ $r->{json}{messages} // [] }), 3,
	    'service: sees bob\'s three';
	$r = $s->post('/seen?user=bob', { uuids => [$bob[0]] }, $B);
	is_200($r, 'bob marks his first seen');
	isnt bob_state(), $bob0, 'bob\'s own change shows in the database';
	is $s->sql_value("SELECT COUNT(*) FROM notifications n JOIN users u "
	    . "ON u.id = n.user_id WHERE u.username = 'bob'"), 3,
	    'no notification was created for bob by alice';
}

done_testing;
