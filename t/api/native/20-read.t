#!/usr/bin/perl
# GET, PATCH and DELETE /v1/notifications/{id} (doc/v1.md): roles (another
# user's id is 404), read true/false, 204 on delete and gone afterwards from
# lists and counts; the agent dialect and /v1 see the same notifications.
use v5.36;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use AuthTest;

binmode(Test::More->builder->$_, ':encoding(UTF-8)')
    for qw(output failure_output todo_output);

my $s = Herald::Stack->start(config => { auth => 'token' });
my $TIME = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\z/;
my $ALICE = bearer(make_token($s, 'alice', 'user'));
my $BOB = bearer(make_token($s, 'bob', 'user'));
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $NOBODY = '0b6c0000-0000-4000-8000-00000000dead';

sub api ($m, $path, $body, $h) {
	return $s->request($m, $path, $body,
	    { 'Content-Type' => 'application/json', %$h });
}
sub note_path ($id) { "/v1/notifications/$id" }

sub is_err ($r, $status, $codes, $name, $field = undef) {
	$codes = [$codes] unless ref $codes;
	my $st = ref $status ? $status : [$status];
	ok((grep { $_ == ($r->{status} // 0) } @$st), "$name: status @$st")
	    or diag "$r->{status} $r->{content}";
	like $r->{content_type}, qr{^application/json\b}i, "$name: JSON";
	my $e = ref $r->{json} eq 'HASH' ? $r->{json}{error} // {} : {};
	is $e->{status}, $r->{status}, "$name: error.status is the status";
	ok((grep { ($e->{code} // '') eq $_ } @$codes), "$name: code @$codes")
	    or diag $r->{content};
	ok length($e->{message} // ''), "$name: a message";
	is $e->{field}, $field, "$name: field $field" if defined $field;
}

sub ok_200 ($r, $name) {
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i, "$name: JSON";
	return ref $r->{json} eq 'HASH' ? $r->{json} : {};
}

sub create ($body, $h = $SVC) {
	my $r = api('POST', '/v1/notifications', $body, $h);
	is $r->{status}, 201, "created '$body->{title}'" or diag $r->{content};
	return $r->{json} // {};
}

sub count ($user, $h = $SVC) {
	return ok_200(api('GET', "/v1/users/$user/notifications/count", undef,
	    $h), "count of $user");
}
sub listed_ids ($user, $h = $SVC) {
	my $j = ok_200(api('GET', "/v1/users/$user/notifications?limit=100",
	    undef, $h), "list of $user");
	return [map { $_->{id} } @{ $j->{items} // [] }];
}

my $n1 = create({ recipient => 'alice', title => 'first', type => 'build',
    targets => ['a3c1e0d2-0000-4000-8000-000000000001'], data => { a => 1 } });
my $n2 = create({ recipient => 'alice', title => 'second' });
my $b1 = create({ recipient => 'bob', title => 'bob only' });

# --- GET -----------------------------------------------------------------
is_deeply ok_200(api('GET', note_path($n1->{id}), undef, $ALICE),
    'alice GETs her own'), $n1, 'GET: the notification as created';
is_deeply ok_200(api('GET', note_path($n1->{id}), undef, $SVC),
    'service GETs alice\'s'), $n1, 'service GET: the same';
is_err(api('GET', note_path($n1->{id}), undef, $BOB), 404, 'not_found',
    'bob GETs alice\'s');
is_err(api('GET', note_path($b1->{id}), undef, $ALICE), 404, 'not_found',
    'alice GETs bob\'s');
is_err(api('GET', note_path($NOBODY), undef, $SVC), 404, 'not_found',
    'an unknown id');
for my $bad ('not-a-uuid', '0b6c', 'zzzzzzzz-0000-4000-8000-000000000000') {
	is_err(api('GET', note_path($bad), undef, $SVC), [400, 404],
	    [qw(not_found no_route bad_request)], "a malformed id '$bad'");
}

# --- PATCH read ----------------------------------------------------------
{
	my $p = ok_200(api('PATCH', note_path($n1->{id}), { read => JSON::PP::true },
	    $ALICE), 'PATCH read true');
	like $p->{read_at} // '', $TIME, 'read true: read_at is a time';
	is $p->{id}, $n1->{id}, 'read true: the same notification';
	is $p->{title}, 'first', 'read true: other fields unchanged';
	my $g = ok_200(api('GET', note_path($n1->{id}), undef, $ALICE),
	    'GET after read true');
	is $g->{read_at}, $p->{read_at}, 'GET shows the read_at';
	is_deeply count('alice'), { total => 2, unread => 1 },
	    'count: one unread left';
	$p = ok_200(api('PATCH', note_path($n1->{id}),
	    { read => JSON::PP::true }, $ALICE), 'PATCH read true again');
	like $p->{read_at} // '', $TIME, 'read true again: still read';
	$p = ok_200(api('PATCH', note_path($n1->{id}),
	    { read => JSON::PP::false }, $ALICE), 'PATCH read false');
	ok exists $p->{read_at} && !defined $p->{read_at},
	    'read false: read_at is null';
	is count('alice')->{unread}, 2, 'count: both unread again';
	$p = ok_200(api('PATCH', note_path($n2->{id}),
	    { read => JSON::PP::true }, $SVC), 'service PATCHes alice\'s');
	like $p->{read_at} // '', $TIME, 'service read: read_at set';
}
for my $c ([{ read => 'true' }, 'read', 'read a string'],
    [{ read => 1 }, 'read', 'read a number'],
    [{ read => undef }, 'read', 'read null'],
    [{}, 'read', 'no read'],
    [{ read => JSON::PP::true, title => 'x' }, 'title', 'read and title'],
    [{ title => 'x' }, 'title', 'title']) {
	my ($body, $field, $name) = @$c;
	is_err(api('PATCH', note_path($n1->{id}), $body, $ALICE), 422, 'invalid',
	    "PATCH $name", $field);
}
is_err(api('PATCH', note_path($n1->{id}), '{"read":', $ALICE), 400,
    'bad_json', 'PATCH malformed JSON');
is_err(api('PATCH', note_path($n1->{id}), '[true]', $ALICE), 400,
    'bad_json', 'PATCH an array');
{
	my $g = ok_200(api('GET', note_path($n1->{id}), undef, $ALICE),
	    'GET after the refused PATCHes');
	is $g->{read_at}, undef, 'the refused PATCHes left it unread';
	is $g->{title}, 'first', 'the refused PATCHes left the title';
}
is_err(api('PATCH', note_path($n1->{id}), { read => JSON::PP::true }, $BOB),
    404, 'not_found', 'bob PATCHes alice\'s');
is ok_200(api('GET', note_path($n1->{id}), undef, $ALICE), 'GET')->{read_at},
    undef, 'bob\'s PATCH changed nothing';
is_err(api('PATCH', note_path($NOBODY), { read => JSON::PP::true }, $SVC),
    404, 'not_found', 'PATCH an unknown id');

# --- DELETE --------------------------------------------------------------
is_err(api('DELETE', note_path($n1->{id}), undef, $BOB), 404, 'not_found',
    'bob DELETEs alice\'s');
ok_200(api('GET', note_path($n1->{id}), undef, $ALICE),
    'still there after bob\'s DELETE');
is_err(api('DELETE', note_path($NOBODY), undef, $SVC), 404, 'not_found',
    'DELETE an unknown id');
{
	my $r = api('DELETE', note_path($n1->{id}), undef, $ALICE);
	is $r->{status}, 204, 'alice DELETEs her own: 204' or diag $r->{content};
	is $r->{content}, '', '204: no body';
	is_err(api('GET', note_path($n1->{id}), undef, $ALICE), 404, 'not_found',
	    'GET after DELETE');
	is_err(api('GET', note_path($n1->{id}), undef, $SVC), 404, 'not_found',
	    'service GET after DELETE');
	is_err(api('PATCH', note_path($n1->{id}), { read => JSON::PP::true },
	    $ALICE), 404, 'not_found', 'PATCH after DELETE');
	is_err(api('DELETE', note_path($n1->{id}), undef, $ALICE), 404,
	    'not_found', 'DELETE again');
	is_deeply listed_ids('alice'), [$n2->{id}], 'gone from the list';
	is_deeply count('alice'), { total => 1, unread => 0 },
	    'gone from the count';
	is_deeply listed_ids('bob'), [$b1->{id}], 'bob\'s is untouched';
}

# --- The agent dialect and /v1: one store ------------------------------------
# "seen" of $aid in the agent's listing of alice, or 'absent'.
sub agent_seen ($aid) {
	my $m = $s->get('/messages?user=alice', $SVC);
	is $m->{status}, 200, 'agent GET /messages: 200';
	my ($x) = grep { uc($_->{message}{id} // '') eq $aid }
	    @{ $m->{json}{messages} // [] };
	return $x ? $x->{seen} : 'absent';
}
{
	my $r = $s->post('/notification', { type => 'data', user => 'alice',
	    subject => 'from the agent', message => 'agent body ✓' }, $SVC);
	is $r->{status}, 200, 'agent POST /notification: 200'
	    or diag $r->{content};
	my $AID = $r->{json}{id} // '';
	like $AID, qr/^[0-9A-F-]{36}\z/, 'the agent answers an upper-case id';
	my $id = lc $AID;
	my $n = ok_200(api('GET', note_path($id), undef, $ALICE),
	    '/v1 GET of the agent\'s notification');
	is $n->{id}, $id, 'the same id, lower-case';
	is $n->{title}, 'from the agent', 'title is the subject';
	is $n->{body}, 'agent body ✓', 'body is the message';
	is $n->{type}, 'data', 'type';
	is $n->{recipient}{name}, 'alice', 'recipient alice';
	is $n->{read_at}, undef, 'unread';
	is listed_ids('alice')->[0], $id, 'newest in the /v1 list';

	ok JSON::PP::is_bool(agent_seen($AID)) && !agent_seen($AID),
	    'the agent shows it unseen';
	ok_200(api('PATCH', note_path($id), { read => JSON::PP::true }, $ALICE),
	    '/v1 PATCH read true');
	my $seen = agent_seen($AID);
	ok JSON::PP::is_bool($seen) && $seen, 'the agent now shows "seen": true';

	# And the other way: seen through the agent is read in /v1.
	is ok_200(api('PATCH', note_path($n2->{id}), { read => JSON::PP::false },
	    $ALICE), 'made unread in /v1')->{read_at}, undef, 'n2 unread';
	is $s->post('/seen?user=alice', { uuids => [uc $n2->{id}] }, $ALICE)
	    ->{status}, 200, 'agent /seen of a /v1 notification';
	like ok_200(api('GET', note_path($n2->{id}), undef, $ALICE), 'GET')
	    ->{read_at} // '', $TIME, 'agent seen: /v1 read_at is set';

	# Deleted in /v1: gone from the agent's listing too.
	is api('DELETE', note_path($id), undef, $ALICE)->{status}, 204,
	    '/v1 DELETE of the agent\'s notification';
	is agent_seen($AID), 'absent', 'gone from the agent\'s /messages';
}

done_testing;
