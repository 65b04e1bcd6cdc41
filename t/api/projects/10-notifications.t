#!/usr/bin/perl
# The project tool's notifications API (seed 001, issue K): every route
# under /api and its /api/v0 alias, the object's exact shape and date
# formats, paging, sorting and filters, 400/401/404 in Apiato's shape,
# marking one and many read, and the same notifications and read state
# through /v1.
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

my $s = Herald::Stack->start(config => { auth => 'token',
    body_max => 4194304 });
my $ALICE = bearer(make_token($s, 'alice', 'user'));
my $BOB = bearer(make_token($s, 'bob', 'user'));
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $UUID = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z/;
my $LOCAL = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}\z/;
my $READ = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}000Z\z/;
my $NOBODY = '0b6c0000-0000-4000-8000-00000000dead';

sub api ($m, $path, $body, $h) {
	return $s->request($m, $path, $body,
	    { 'Content-Type' => 'application/json', %$h });
}
sub ok_200 ($r, $name) {
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i, "$name: JSON";
	return ref $r->{json} eq 'HASH' ? $r->{json} : {};
}
sub is_err ($r, $status, $type, $name) {
	is $r->{status}, $status, "$name: $status" or diag $r->{content};
	my $j = ref $r->{json} eq 'HASH' ? $r->{json} : {};
	is_deeply [sort keys %$j], [qw(id message type)],
	    "$name: {type, message, id}" or diag $r->{content};
	is $j->{type}, $type, "$name: type $type";
	like $j->{id} // '', $UUID, "$name: an error id";
	ok length($j->{message} // ''), "$name: a message";
	return $j;
}
sub create ($user, %f) {
	my $r = api('POST', '/v1/notifications', { recipient => $user, %f },
	    $SVC);
	is $r->{status}, 201, "created for $user" or diag $r->{content};
	return $r->{json}{id};
}
sub ids ($j) { [map { $_->{id} } @{ $j->{items} // [] }] }

# --- the object ----------------------------------------------------------
my $TYPE = 'App\\Containers\\Tasks\\Notifications\\TaskPastDeadlineNotification';
my $first = create('alice', type => $TYPE, title => 'Deadline',
    body => 'Collect client requirements is past its deadline',
    data => { type => 'notification.task_past_deadline', task_id => 1,
    task_name => 'Kódování' });
my @more = map { create('alice', type => "t$_", title => "n$_") } 1 .. 4;
my $bobs = create('bob', title => 'bob only');
# Distinct, known times: $first oldest, then the others a minute apart.
my $i = 0;
for my $id ($first, @more) {
	$s->sql("UPDATE notifications SET created = " .
	    (1651145112000 + 60000 * $i) . ", updated = " .
	    (1651145112000 + 60000 * $i++) .
	    " WHERE id = UNHEX(REPLACE('$id', '-', ''))");
}

my $j = ok_200(api('GET', "/api/notifications/$first", undef, $ALICE),
    'GET one');
is_deeply [sort keys %$j], [sort qw(id type data read_at created_at
    updated_at _links)], 'the seed\'s keys';
is $j->{id}, $first, 'id';
is $j->{type}, $TYPE, 'type: the class name, as stored';
is_deeply $j->{data}, { type => 'notification.task_past_deadline',
    task_id => 1, task_name => 'Kódování', title => 'Deadline',
    body => 'Collect client requirements is past its deadline' },
    'data: the data object, with title and body';
is $j->{read_at}, undef, 'read_at null while unread';
is $j->{created_at}, '2022-04-28T11:25:12+0000', 'created_at in UTC, +0000';
like $j->{updated_at}, $LOCAL, 'updated_at: ±hhmm';
is_deeply $j->{_links}, [{ href => "/api/v0/notifications/$first",
    rel => 'self', type => 'GET' }], '_links: self under /api/v0';
like $s->get("/api/notifications/$first", $ALICE)->{content},
    qr/^\{"id":"[^"]+","type":"[^"]*","data":\{.*\},"read_at":null,"created_at":"[^"]+","updated_at":"[^"]+","_links":\[/,
    'keys in the seed\'s order';
is_deeply ok_200(api('GET', "/api/v0/notifications/$first", undef, $ALICE),
    'GET under /api/v0'), $j, '/api/v0 is the same';

# --- 404 / 401 ---------------------------------------------------------
my $e = is_err(api('GET', "/api/notifications/$bobs", undef, $ALICE), 404,
    'NotFound', 'another user\'s');
is $e->{message}, 'Required model was not found.', 'the seed\'s message';
isnt is_err(api('GET', "/api/notifications/$bobs", undef, $ALICE), 404,
    'NotFound', 'again')->{id}, $e->{id}, 'a fresh error id each time';
is_err(api('GET', "/api/notifications/$bobs", undef, $SVC), 404,
    'NotFound', 'a service token sees only its own here');
is_err(api('GET', "/api/notifications/$NOBODY", undef, $ALICE), 404,
    'NotFound', 'unknown id');
is_err(api('GET', '/api/notifications/2', undef, $ALICE), 404, 'NotFound',
    'not an id (the seed\'s /2)');
is_err(api('GET', '/api/notifications', undef, {}), 401, 'Unauthorized',
    'no token');
is_err(api('GET', '/api/latest-notifications', undef,
    { Authorization => 'Bearer hrld_' . ('0' x 64) }), 401, 'Unauthorized',
    'bad token');
is_err(api('DELETE', "/api/notifications/$first", undef, $ALICE), 405,
    'MethodNotAllowed', 'DELETE is not a route');
is_err(api('GET', '/api/notifications/x/y/z', undef, $ALICE), 404,
    'NotFound', 'unknown path under the prefix');

# --- list, paging ------------------------------------------------------
$j = ok_200(api('GET', '/api/notifications', undef, $ALICE), 'list');
is_deeply ids($j), [reverse($first, @more)], 'newest first by default';
is_deeply $j->{meta}, { pagination => { total => 5, count => 5,
    per_page => 15, current_page => 1, total_pages => 1 } }, 'meta';
is_deeply [sort keys %$j], [qw(items meta)], 'items and meta only';
$j = ok_200(api('GET', '/api/notifications?limit=2&page=2', undef, $ALICE),
    'page 2 of 2 a page');
is_deeply ids($j), [$more[1], $more[0]], 'page 2';
is_deeply $j->{meta}{pagination}, { total => 5, count => 2, per_page => 2,
    current_page => 2, total_pages => 3 }, 'page 2 meta';
$j = ok_200(api('GET', '/api/notifications?limit=2&page=9', undef, $ALICE),
    'past the end');
is_deeply ids($j), [], 'no items past the end';
is $j->{meta}{pagination}{total}, 5, 'the total still stands';
$j = ok_200(api('GET', '/api/notifications', undef, $BOB), 'bob lists');
is_deeply ids($j), [$bobs], 'bob sees only his';

# --- sorting -----------------------------------------------------------
is_deeply ids(ok_200(api('GET', '/api/notifications?sort=created_at', undef,
    $ALICE), 'sort asc')), [$first, @more], 'sort=created_at: oldest first';
is_deeply ids(ok_200(api('GET',
    '/api/notifications?orderBy=created_at&sortedBy=desc', undef, $ALICE),
    'orderBy/sortedBy')), [reverse($first, @more)], 'orderBy desc';
is_deeply ids(ok_200(api('GET', '/api/notifications?orderBy=created_at',
    undef, $ALICE), 'orderBy')), [$first, @more], 'orderBy defaults to asc';
is_deeply ids(ok_200(api('GET', '/api/notifications?sort=-type', undef,
    $ALICE), 'sort=-type')), [$more[3], $more[2], $more[1], $more[0],
    $first], 'sort=-type';
is_deeply ids(ok_200(api('GET', '/api/notifications?sort=id', undef,
    $ALICE), 'sort=id')), [sort($first, @more)], 'sort=id';
is_deeply ids(ok_200(api('GET', '/api/notifications?sort=-updated_at',
    undef, $ALICE), 'sort=-updated_at')), [reverse($first, @more)],
    'sort=-updated_at';
for my $bad ('sort=subject', 'sort=', 'sort=--id', 'orderBy=x',
    'orderBy=id&sortedBy=up', 'sortedBy=asc', 'sort=id&orderBy=id',
    'limit=0', 'limit=101', 'limit=x', 'page=0', 'page=-1', 'page=1e3',
    'limit=1&limit=2', 'filter[nope]=1', 'filter[id]=nope',
    'filter[read_at]=yes', 'filter[created_at][gte]=yesterday',
    'filter[created_at][eq]=2022-04-28', 'filter[created_at]=2022-04-28',
    'filter[type][gte]=a', 'unknown=1', 'filter[created_at][gte]=2022-13-45') {
	my $r = api('GET', "/api/notifications?$bad", undef, $ALICE);
	my ($p) = $bad =~ /^([^=]+)/;
	$p = 'orderBy' if $bad eq 'sort=id&orderBy=id';
	$p = 'sortedBy' if $bad eq 'sortedBy=asc' || $bad =~ /sortedBy=up/;
	my $ej = is_err($r, 400, 'BadRequest', "?$bad");
	like $ej->{message}, qr/\Q$p\E/, "?$bad: names $p";
}

# --- filters -----------------------------------------------------------
is_deeply ids(ok_200(api('GET', "/api/notifications?filter[id]=$first,$more[2]",
    undef, $ALICE), 'filter[id]')), [$more[2], $first], 'filter[id]=a,b';
is_deeply ids(ok_200(api('GET', "/api/notifications?filter[id]=$bobs",
    undef, $ALICE), 'filter[id] bob\'s')), [], 'another\'s id filters out';
my $many = join ',', ($first) x 33;
is_err(api('GET', "/api/notifications?filter[id]=$many", undef, $ALICE),
    400, 'BadRequest', 'more than 32 ids');
is_deeply ids(ok_200(api('GET', '/api/notifications?filter[type]=t2', undef,
    $ALICE), 'filter[type]')), [$more[1]], 'filter[type]';
is_deeply ids(ok_200(api('GET',
    '/api/notifications?filter[created_at][gte]=2022-04-28T11:26:12Z&' .
    'filter[created_at][lt]=2022-04-28T13:28:12%2B0200', undef, $ALICE),
    'created range')), [$more[1], $more[0]], 'created_at gte/lt (offsets)';
is_deeply ids(ok_200(api('GET',
    '/api/notifications?filter[created_at][gt]=2022-04-28T11:26:12.000000Z',
    undef, $ALICE), 'gt')), [reverse @more[1 .. 3]], 'gt is strict';
is_deeply ids(ok_200(api('GET',
    '/api/notifications?filter[created_at][lte]=2022-04-28T13:26:12+0200',
    undef, $ALICE), 'lte, + as a space')), [$more[0], $first],
    'lte is inclusive; an unencoded + works';
is_deeply ids(ok_200(api('GET',
    '/api/notifications?filter[updated_at][lt]=2022-04-29', undef, $ALICE),
    'date only')), [reverse($first, @more)], 'a date alone is midnight UTC';
is_deeply ids(ok_200(api('GET',
    '/api/notifications?filter[created_at][lt]=1970-01-01', undef, $ALICE),
    'before the epoch')), [], 'lt the epoch: nothing';

# --- read one: POST and PUT ------------------------------------------------
$j = ok_200(api('POST', "/api/notifications/$first/read", {}, $ALICE),
    'POST read');
like $j->{read_at}, $READ, 'read_at: Laravel\'s UTC microseconds';
my $read_at = $j->{read_at};
is_deeply [sort keys %$j], [sort qw(id type data read_at created_at
    updated_at _links)], 'the object';
$j = ok_200(api('PUT', "/api/v0/notifications/$first/read", '{}', $ALICE),
    'PUT read again');
is $j->{read_at}, $read_at, 'a read notification keeps its read_at';
is_err(api('POST', "/api/notifications/$bobs/read", {}, $ALICE), 404,
    'NotFound', 'read another\'s');
is $s->sql_value("SELECT seen FROM notifications WHERE id = UNHEX(REPLACE('$bobs', '-', ''))"),
    0, 'bob\'s is untouched';
is_err(api('PUT', "/api/notifications/$NOBODY/read", {}, $ALICE), 404,
    'NotFound', 'read an unknown one');
is_err(api('POST', "/api/notifications/$first/read", '{', $ALICE), 400,
    'BadRequest', 'a body that is not JSON');
my $v1 = ok_200(api('GET', "/v1/notifications/$first", undef, $ALICE),
    '/v1 sees it');
ok $v1->{read_at}, '/v1: read too';
is substr($v1->{read_at}, 0, 23), substr($read_at, 0, 23),
    '/v1 and the tool agree on the read time';

is_deeply ids(ok_200(api('GET', '/api/notifications?filter[read_at]=notnull',
    undef, $ALICE), 'read')), [$first], 'filter[read_at]=notnull';
is_deeply ids(ok_200(api('GET', '/api/notifications?filter[read_at]=null',
    undef, $ALICE), 'unread')), [reverse @more], 'filter[read_at]=null';
is ok_200(api('GET', '/api/notifications?filter[read_at]=null&limit=1',
    undef, $ALICE), 'unread count')->{meta}{pagination}{total}, 4,
    'the total counts the filter';
is_deeply ids(ok_200(api('GET',
    '/api/notifications?filter[read_at][gte]=2000-01-01', undef, $ALICE),
    'read_at range')), [$first], 'a read_at range: read ones only';
is_deeply ids(ok_200(api('GET', '/api/notifications?sort=-read_at&limit=1',
    undef, $ALICE), 'sort=-read_at')), [$first], 'sort=-read_at';

# --- read many ---------------------------------------------------------
$j = ok_200(api('POST', '/api/notifications',
    { notification_ids => [$more[2], $more[0], $bobs, $NOBODY, $more[0]] },
    $ALICE), 'mark many');
is_deeply ids($j), [sort($more[0], $more[2])],
    'the caller\'s, once each, in id order';
like $_->{read_at}, $READ, 'read_at set' for @{ $j->{items} };
is $s->sql_value("SELECT seen FROM notifications WHERE id = UNHEX(REPLACE('$bobs', '-', ''))"),
    0, 'bob\'s is still unread';
is ok_200(api('GET', '/v1/users/alice/notifications/count', undef, $ALICE),
    '/v1 count')->{unread}, 2, '/v1 agrees: two unread';
is_deeply ok_200(api('POST', '/api/v0/notifications',
    { notification_ids => [] }, $ALICE), 'none')->{items}, [],
    'an empty list';
for my $bad ([{}, 'no notification_ids'], [{ notification_ids => 'x' },
    'not an array'], [{ notification_ids => [1] }, 'a number'],
    [{ notification_ids => ['nope'] }, 'not a uuid'], [[], 'an array body'],
    ['', 'no body'], ['{"notification_ids":[', 'broken JSON']) {
	is_err(api('POST', '/api/notifications', $bad->[0], $ALICE), 400,
	    'BadRequest', "mark many: $bad->[1]");
}
# 10 000 ids (all unknown but the last, alice's) is allowed; one more not,
# and nothing is marked then.
my @ten = map { sprintf('00000000-0000-4000-8000-%012x', $_) } 1 .. 9999;
$j = ok_200(api('POST', '/api/notifications',
    { notification_ids => [@ten, $more[1]] }, $ALICE), '10 000 ids');
is_deeply ids($j), [$more[1]], '10 000 ids: the one that exists';
is_err(api('POST', '/api/notifications',
    { notification_ids => [@ten, $more[3], $first] }, $ALICE), 400,
    'BadRequest', '10 001 ids');
is $s->sql_value("SELECT seen FROM notifications WHERE id = UNHEX(REPLACE('$more[3]', '-', ''))"),
    0, 'nothing partial: the refused request marked nothing';

# --- latest ------------------------------------------------------------
my @bulk;
for my $k (1 .. 12) { push @bulk, create('carol', title => "c$k") }
my $CAROL = bearer(make_token($s, 'carol', 'user'));
$s->sql("UPDATE notifications n JOIN users u ON u.id = n.user_id SET " .
    "n.created = 1700000000000 WHERE u.username = 'carol'");
$j = ok_200(api('GET', '/api/latest-notifications', undef, $CAROL), 'latest');
is scalar @{ $j->{items} }, 10, 'ten by default';
is_deeply [keys %$j], ['items'], 'no pagination';
is_deeply ids($j), [(reverse sort @bulk)[0 .. 9]],
    'equal times: id descending, as the seed\'s example';
is scalar @{ ok_200(api('GET', '/api/latest-notifications?limit=1000',
    undef, $CAROL), 'limit=1000')->{items} }, 12, 'limit=1000 (the seed\'s)';
is scalar @{ ok_200(api('GET', '/api/v0/latest-notifications?limit=3',
    undef, $CAROL), 'v0 limit=3')->{items} }, 3, 'limit=3 under /api/v0';
for my $bad ('limit=0', 'limit=1001', 'limit=', 'sort=id', 'page=2',
    'limit=1&limit=2') {
	is_err(api('GET', "/api/latest-notifications?$bad", undef, $CAROL),
	    400, 'BadRequest', "latest ?$bad");
}

# --- hostile input -----------------------------------------------------
my $r = api('GET', '/api/notifications?filter[type]=' . ('x' x 3000), undef,
    $ALICE);
ok $r->{status} == 400 || $r->{status} == 414, 'a huge filter: 400/414';
$r = api('GET', '/api/notifications?filter[type]=%FF%FE', undef, $ALICE);
is $r->{status}, 400, 'invalid UTF-8 in a parameter: 400';
$r = api('POST', '/api/notifications', '{"notification_ids":["' .
    ('a' x (2 * 1024 * 1024)) . '"]}', $ALICE);
ok $r->{status} == 400 || $r->{status} == 413, '2 MiB body: 400/413'
    or diag $r->{status};
$r = api('POST', '/api/notifications', "{\"notification_ids\":[\"\xff\"]}",
    $ALICE);
is $r->{status}, 400, 'invalid UTF-8 in the body: 400';
# An access line's status is the word after the route; a duration such as
# "1.500 ms" is not a status.
unlike $s->log_text, qr/access \S+ \S+ \S+ 5\d\d |internal error/i,
    'no 5xx logged'
    or diag $s->log_text;

# --- the zone: a stack in Europe/Prague, as the seed's client ------------
$s->stop;
my $p = Herald::Stack->start(config => { auth => 'token',
    projects_timezone => 'Europe/Prague' });
my $PA = bearer(make_token($p, 'alice', 'user'));
my $PS = bearer(make_token($p, 'svc', 'service'));
my $w = $p->request('POST', '/v1/notifications', { recipient => 'alice',
    title => 'summer' }, { 'Content-Type' => 'application/json', %$PS });
my $pid = $w->{json}{id};
$p->sql("UPDATE notifications SET created = 1651145112000, " .
    "updated = 1737976810000 WHERE id = UNHEX(REPLACE('$pid', '-', ''))");
$j = $p->get("/api/notifications/$pid", $PA)->{json};
is $j->{created_at}, '2022-04-28T13:25:12+0200', 'summer time: +0200';
is $j->{updated_at}, '2025-01-27T12:20:10+0100', 'winter time: +0100';
done_testing;
