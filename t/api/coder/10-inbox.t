#!/usr/bin/perl
# The Coder inbox (peers.md §2.3-2.4; coderd/inboxnotifications_test.go):
# 25 a page newest first and the 25/15 cursor split, template and target
# filters alone and combined, read_status, read-status both ways,
# mark-all-as-read then 10 more, unread_count, icons, every query error
# message, cross-user attempts, and a /v1 notification read in Coder.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $ALICE = { 'Coder-Session-Token' => make_token($s, 'alice', 'user') };
my $BOB = { 'Coder-Session-Token' => make_token($s, 'bob', 'user') };
my $TEST = 'c425f63e-716a-4bf4-ae24-78348f706c3f';
my $CUSTOM = '39b1e189-c857-4b0c-877a-511144c18516';
my ($T1, $T2) = ('a3c1e0d2-0000-4000-8000-000000000001',
    'a3c1e0d2-0000-4000-8000-000000000002');
my $INBOX = '/api/v2/notifications/inbox';
my $BASE = 1_700_000_000_000;

sub create ($user, $title, %f) {
	my $r = $s->post('/v1/notifications', { recipient => $user,
	    title => $title, body => "body of $title", %f },
	    { 'Content-Type' => 'application/json', %$SVC });
	is $r->{status}, 201, "created $title" or diag $r->{content};
	return $r->{json}{id} // '';
}
sub hex_of ($id) { $id =~ s/-//gr }
sub list ($q, $h = $ALICE) {
	return $s->get($INBOX . (length $q ? "?$q" : ''), $h);
}
sub bad ($q, $want, $name) {
	my $r = list($q);
	is $r->{status}, 400, "$name: 400";
	is_deeply $r->{json}, $want, "$name: Coder's body" or diag $r->{content};
}

# --- Empty inbox, and the shape -------------------------------------------
my $r = list('');
is $r->{status}, 200, 'empty inbox: 200';
is $r->{content}, qq({"notifications":[],"unread_count":0}\n),
    'empty inbox: compact JSON with a trailing newline';
is $r->{headers}{'content-type'}, 'application/json; charset=utf-8',
    'content type';

# --- 40 notifications, with distinct times ---------------------------------
my @ids;
for my $i (1 .. 40) {
	push @ids, create('alice', "n$i", template => $TEST,
	    targets => [$i % 2 ? $T1 : $T2, ($i % 4 == 0 ? ($T1) : ())]);
}
$s->sql(join ' ', map { "UPDATE notifications SET created = "
    . ($BASE + $_ * 1000) . " WHERE id = UNHEX('" . hex_of($ids[$_ - 1])
    . "');" } 1 .. 40);

$r = list('');
is $r->{status}, 200, 'page 1: 200';
my $p1 = $r->{json}{notifications};
is scalar @$p1, 25, 'page 1: 25';
is $r->{json}{unread_count}, 40, 'page 1: unread_count 40';
is $p1->[0]{id}, $ids[39], 'page 1: newest first';
my $n = $p1->[0];
is_deeply [sort keys %$n], [sort qw(id user_id template_id targets title
    content icon actions read_at created_at)], 'InboxNotification keys';
is $n->{template_id}, $TEST, 'template_id';
is $n->{title}, 'n40', 'title';
is $n->{content}, 'body of n40', 'content';
is_deeply $n->{targets}, [$T2, $T1], 'targets';
is $n->{icon}, 'DEFAULT_ICON_OTHER', 'icon: the group fallback';
is_deeply $n->{actions}, [], 'actions: []';
ok !defined $n->{read_at}, 'read_at: null';
is $n->{created_at}, '2023-11-14T22:14:00Z', 'created_at: RFC 3339, Go trims';
is $s->json_type($r->{content}, 'notifications', 0, 'read_at'), 'null',
    'read_at is JSON null';

$r = list("starting_before=$p1->[24]{id}");
my $p2 = $r->{json}{notifications};
is scalar @$p2, 15, 'page 2: 15';
is $p2->[0]{id}, $ids[14], 'page 2 starts after the cursor';
is $r->{json}{unread_count}, 40, 'page 2: unread_count';
$r = list('starting_before=' . 'b' x 8 . '-0000-4000-8000-000000000000');
is scalar @{ $r->{json}{notifications} }, 25,
    'an unknown starting_before is ignored';

# --- Filters ------------------------------------------------------------------
$r = list("targets=$T1");
is scalar @{ $r->{json}{notifications} }, 25, 'targets=T1: a full page';
$r = list("targets=$T1,$T2");
is scalar @{ $r->{json}{notifications} }, 10, 'targets T1 AND T2: 10';
ok !(grep { ($_->{title} =~ s/^n//r) % 4 } @{ $r->{json}{notifications} }),
    'targets: only those with both';
is $r->{json}{unread_count}, 40, 'unread_count ignores filters';
$r = list("templates=$CUSTOM");
is scalar @{ $r->{json}{notifications} }, 0, 'templates=other: none';
$r = list("templates=$CUSTOM,$TEST");
is scalar @{ $r->{json}{notifications} }, 25, 'templates: any of';
$r = list("templates=$TEST&targets=$T1,$T2&read_status=unread");
is scalar @{ $r->{json}{notifications} }, 10, 'template, targets, unread';
$r = list("read_status=read");
is scalar @{ $r->{json}{notifications} }, 0, 'read_status=read: none yet';

# --- Read status -----------------------------------------------------------
my $id = $ids[0];
$r = $s->put("$INBOX/$id/read-status", { is_read => JSON::PP::true }, $ALICE);
is $r->{status}, 200, 'read-status true: 200' or diag $r->{content};
is $r->{json}{unread_count}, 39, 'read-status: unread_count 39';
is $r->{json}{notification}{id}, $id, 'read-status: the notification';
like $r->{json}{notification}{read_at} // '', qr/^20\d\d-.*Z$/, 'read_at set';
$r = list('read_status=read');
is scalar @{ $r->{json}{notifications} }, 1, 'read_status=read: 1';
$r = $s->get("/v1/notifications/$id", $SVC);
ok defined $r->{json}{read_at}, 'read in Coder is read in /v1';
$r = $s->put("$INBOX/$id/read-status", { is_read => JSON::PP::false },
    $ALICE);
is $r->{json}{unread_count}, 40, 'read-status false: unread again';
ok !defined $r->{json}{notification}{read_at}, 'read_at null again';

# Cross-user: Bob cannot see or change Alice's.
$r = $s->put("$INBOX/$id/read-status", { is_read => JSON::PP::true }, $BOB);
is $r->{status}, 500, "another's id: Coder's 500";
is_deeply $r->{json},
    { message => 'Failed to update inbox notification read status.' },
    "another's id: the message";
is $s->sql_value("SELECT seen FROM notifications WHERE id = UNHEX('"
    . hex_of($id) . "')"), 0, "another's id: nothing changed";
$r = list('', $BOB);
is scalar @{ $r->{json}{notifications} }, 0, "Bob's inbox is his own";
$r = list("starting_before=$ids[39]", $BOB);
is scalar @{ $r->{json}{notifications} }, 0, "another's cursor: nothing";
$r = $s->put("$INBOX/not-a-uuid/read-status", { is_read => JSON::PP::true },
    $ALICE);
is $r->{status}, 400, 'bad id: 400';
is $r->{json}{message}, 'Invalid UUID "not-a-uuid".', 'bad id: message';
$r = $s->request('PUT', "$INBOX/$id/read-status", '{nope',
    { %$ALICE, 'Content-Type' => 'application/json' });
is $r->{status}, 400, 'bad JSON: 400';
is $r->{json}{message}, 'Request body must be valid JSON.', 'bad JSON: message';

# --- Mark all, then 10 more -------------------------------------------------
$r = $s->put("$INBOX/mark-all-as-read", undef, $ALICE);
is $r->{status}, 204, 'mark-all: 204';
is $r->{content}, '', 'mark-all: no body';
$r = list('');
is $r->{json}{unread_count}, 0, 'mark-all: unread_count 0';
create('alice', "more$_", template => $TEST) for 1 .. 10;
$r = list('read_status=unread');
is scalar @{ $r->{json}{notifications} }, 10, '10 more: 10 unread';
is $r->{json}{unread_count}, 10, '10 more: unread_count 10';

# --- Query errors, exactly as Coder words them -------------------------------
my $QP = 'Query parameters have invalid values.';
bad('targets=wrong_target', { message => $QP, validations => [{
    field => 'targets', detail =>
    'Query param "targets" has invalid values: wrong_target' }] },
    'bad targets');
bad("templates=$TEST,x,y", { message => $QP, validations => [{
    field => 'templates', detail =>
    'Query param "templates" has invalid values: x,y' }] }, 'bad templates');
bad('starting_before=nope', { message => $QP, validations => [{
    field => 'starting_before', detail =>
    'Query param "starting_before" must be a valid uuid' }] },
    'bad starting_before');
bad('limit=3', { message => $QP, validations => [{ field => 'limit',
    detail => 'Query param "limit" is not a valid query param' }] },
    'unknown parameter');
bad('targets=a&x=1', { message => $QP, validations => [
    { field => 'targets', detail =>
      'Query param "targets" has invalid values: a' },
    { field => 'x', detail => 'Query param "x" is not a valid query param' }
    ] }, 'two findings');
bad('read_status=maybe', { message =>
    "starting_before query parameter should be any of 'all', 'read', 'unread'." },
    'bad read_status (sic)');
$r = list('read_status=');
is $r->{status}, 200, 'an empty value is the default';

# --- Watch: parameters checked before any upgrade ----------------------------
$r = $s->get("$INBOX/watch?read_status=nope", $ALICE);
is $r->{status}, 400, 'watch: bad read_status 400';
$r = $s->get("$INBOX/watch?starting_before=$id", $ALICE);
is $r->{status}, 400, 'watch: starting_before is not its parameter';
is $r->{json}{validations}[0]{field}, 'starting_before', 'watch: named';
$r = $s->get("$INBOX/watch?format=plaintext&targets=$T1", $ALICE);
isnt $r->{status}, 400, 'watch: valid parameters pass';

# --- Auth ------------------------------------------------------------------
$r = $s->get($INBOX);
is $r->{status}, 401, 'no token: 401';
like $r->{json}{message}, qr/^You are signed out/, '401: Coder message';
$r = $s->get($INBOX, { Authorization => $ALICE->{'Coder-Session-Token'}
    =~ s/^/Bearer /r });
is $r->{status}, 200, 'Bearer works too';
$r = $s->get("$INBOX?x=1&coder_session_token=$ALICE->{'Coder-Session-Token'}");
is $r->{status}, 401, 'never a token from the query string';
$r = $s->get('/api/v2/nope', $ALICE);
is $r->{status}, 404, 'unknown path: 404';
is $r->{json}{message}, 'Route not found.', 'unknown path: Coder body';

done_testing();
