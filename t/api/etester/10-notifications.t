#!/usr/bin/perl
# Enterprise Tester's user notifications (seed 002, issue K): the
# acceptance cases of peers.md §4, the exact shapes, paging, who may act
# for whom (403), unknown ids (404), PATCH, the two DELETEs, HtmlSummary
# sanitised at write against every class of XSS vector, hostile input
# with no 5xx, and the same notifications and read state through /v1.
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
my $ALICE = bearer(make_token($s, 'alice', 'user'));
my $BOB = bearer(make_token($s, 'bob', 'user'));
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $ADMIN = bearer(make_token($s, 'root', 'admin'));
my $UUID = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z/;
my $WHEN = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\z/;
my $NOBODY = '0b6c0000-0000-4000-8000-00000000dead';

sub api ($m, $path, $body, $h) {
	return $s->request($m, $path, $body,
	    { 'Content-Type' => 'application/json', %$h });
}
sub is_status ($r, $st, $name) {
	is $r->{status}, $st, "$name: $st" or diag $r->{content};
	return ref $r->{json} eq 'HASH' ? $r->{json} : {};
}
sub is_err ($r, $st, $name) {
	my $j = is_status($r, $st, $name);
	is_deeply [keys %$j], ['Message'], "$name: {Message}"
	    or diag $r->{content};
	ok length($j->{Message} // ''), "$name: a message";
}
# A user's id: /v1 creates the user, the store gives its id.
sub user_id ($name) {
	api('POST', '/v1/notifications', { recipient => $name,
	    title => 'hello' }, $SVC);
	my $hex = lc $s->sql_value("SELECT HEX(id) FROM users WHERE " .
	    "username = '$name'");
	$hex =~ s/^(.{8})(.{4})(.{4})(.{4})(.{12})$/$1-$2-$3-$4-$5/;
	return $hex;
}
my $A = user_id('alice');
my $B = user_id('bob');
api('DELETE', "/api/user/$_/notifications", undef, $SVC) for $A, $B;
my $ORIGIN = 'http://127.0.0.1:' . $s->port;

# --- POST (acceptance 2) -----------------------------------------------
my $SEED = 'Reminder - <a href="http://mywiki/projectx?page=sprint1" ' .
    'target="_blank">Sprint 1</a> finishes tomorrow!';
my $j = is_status(api('POST', "/api/user/$A/notifications",
    { HtmlSummary => $SEED }, $ALICE), 201, 'POST for herself');
is_deeply [sort keys %$j], [sort qw(OccurredAt Id HtmlSummary Viewed
    IconClass IconTitle Self)], 'seven keys';
like $j->{Id}, $UUID, 'Id lower-case';
like $j->{OccurredAt}, $WHEN, 'OccurredAt: UTC seconds, Z';
is $j->{HtmlSummary}, $SEED, 'the seed\'s HtmlSummary byte for byte';
ok JSON::PP::is_bool($j->{Viewed}) && !$j->{Viewed}, 'Viewed false';
is $j->{IconClass}, 'notification-message-icon', 'IconClass default';
is $j->{IconTitle}, 'Alert', 'IconTitle default';
is $j->{Self}, "$ORIGIN/api/user/$A/notification/$j->{Id}",
    'Self: absolute, ends /notification/<Id>';
my $n1 = $j->{Id};
like $s->get("/api/user/$A/notification/$n1", $ALICE)->{content_type},
    qr{^application/json}, 'JSON';

# --- GET the collection (acceptance 1) ------------------------------------
my $SEED2 = 'Joe Blogs updated Requirement \'<a href="http://myserver/' .
    'EnterpriseTester/home#/requirement/edit/8f5a4b01-ef57-4910-b1a2-' .
    'a10101632917">Weapons must use anti-matter</a>\'';
$j = is_status(api('POST', "/api/user/" . uc($A) . "/notifications",
    { HtmlSummary => $SEED2, IconClass => 'requirement-icon',
    IconTitle => 'Requirement', Viewed => JSON::PP::true }, $SVC), 201,
    'a service POSTs for alice (upper-case id)');
my $n2 = $j->{Id};
ok $j->{Viewed}, 'created viewed';
is $j->{HtmlSummary}, $SEED2, 'seed 2 byte for byte';
$s->sql("UPDATE notifications SET created = 1352648243000 WHERE id = " .
    "UNHEX(REPLACE('$n1', '-', ''))");
$s->sql("UPDATE notifications SET created = 1352648280000 WHERE id = " .
    "UNHEX(REPLACE('$n2', '-', ''))");
$j = is_status(api('GET', "/api/user/$A/notifications", undef, $ALICE), 200,
    'GET the collection');
is_deeply [sort keys %$j], [sort qw(Skip Top Total Items UnviewedTotal
    Self)], 'the collection\'s keys';
is_deeply [@$j{qw(Skip Top Total UnviewedTotal)}], [0, 25, 2, 1],
    'Skip 0, Top 25, Total 2, UnviewedTotal 1';
is_deeply [map { $_->{Id} } @{ $j->{Items} }], [$n2, $n1], 'newest first';
is $j->{Items}[0]{OccurredAt}, '2012-11-11T15:38:00Z', 'OccurredAt as the seed';
is $j->{Items}[1]{OccurredAt}, '2012-11-11T15:37:23Z', 'and the other';
is_deeply [sort keys %{ $j->{Items}[0] }], [sort qw(OccurredAt Id
    HtmlSummary Viewed IconClass IconTitle Self)], 'items have seven keys';
is $j->{Items}[0]{IconTitle}, 'Requirement', 'IconTitle kept';
is $j->{Self}, "$ORIGIN/api/user/$A/notifications", 'Self of the collection';

# --- paging (acceptance 5) -------------------------------------------------
$j = is_status(api('GET', "/api/user/$A/notifications?\$top=1&\$skip=1",
    undef, $ALICE), 200, '$top=1&$skip=1');
is_deeply [@$j{qw(Skip Top Total)}], [1, 1, 2], 'Skip 1, Top 1, Total 2';
is_deeply [map { $_->{Id} } @{ $j->{Items} }], [$n1], 'one item';
$j = is_status(api('GET', "/api/user/$A/notifications?SKIP=1&Top=5", undef,
    $ALICE), 200, 'skip/top, any case');
is_deeply [@$j{qw(Skip Top)}], [1, 5], 'plain names';
is is_status(api('GET', "/api/user/$A/notifications?\$top=9999", undef,
    $ALICE), 200, 'top above 500')->{Top}, 500, 'at most 500';
$j = is_status(api('GET', "/api/user/$A/notifications?\$top=0", undef,
    $ALICE), 200, 'top 0');
is_deeply [$j->{Total}, scalar @{ $j->{Items} }], [2, 0], 'top 0: counts';
for my $bad ('$top=-1', '$skip=x', '$top=1&top=2', '$skip=1&$skip=2') {
	is_err(api('GET', "/api/user/$A/notifications?$bad", undef, $ALICE),
	    400, "?$bad");
}

# --- who may (acceptance 4) --------------------------------------------------
is_err(api('GET', "/api/user/$B/notifications", undef, $ALICE), 403,
    'alice lists bob\'s');
is_err(api('POST', "/api/user/$B/notifications", { HtmlSummary => 'x' },
    $ALICE), 403, 'alice posts to bob');
is_err(api('DELETE', "/api/user/$B/notifications", undef, $ALICE), 403,
    'alice clears bob\'s');
is_err(api('GET', "/api/user/$B/notification/$n1", undef, $ALICE), 403,
    'alice GETs at bob\'s path');
is_status(api('GET', "/api/user/$B/notifications", undef, $ADMIN), 200,
    'an admin lists bob\'s');
is_err(api('GET', "/api/user/$B/notification/$n1", undef, $SVC), 404,
    'alice\'s notification under bob\'s path: 404');
is_err(api('GET', "/api/user/$A/notifications", undef, {}), 401, 'no token');

# --- one: GET, PATCH, DELETE; unknown (acceptance 6) ----------------------
$j = is_status(api('GET', "/api/user/$A/notification/" . uc($n1), undef,
    $ALICE), 200, 'GET one, upper-case id');
is $j->{Id}, $n1, 'lower-case in the body';
for my $m (qw(GET PATCH DELETE)) {
	is_err(api($m, "/api/user/$A/notification/$NOBODY",
	    $m eq 'PATCH' ? { Viewed => JSON::PP::true } : undef, $ALICE), 404,
	    "$m an unknown id");
	is_err(api($m, "/api/user/$A/notification/nope",
	    $m eq 'PATCH' ? { Viewed => JSON::PP::true } : undef, $ALICE), 404,
	    "$m not an id");
}
$j = is_status(api('PATCH', "/api/user/$A/notification/$n1",
    { Viewed => JSON::PP::true }, $ALICE), 200, 'PATCH Viewed');
ok $j->{Viewed}, 'viewed';
ok is_status(api('GET', "/v1/notifications/$n1", undef, $ALICE), 200,
    '/v1 GET')->{read_at}, '/v1 agrees: read';
is $s->get("/api/notifications/$n1", $ALICE)->{json}{read_at} =~ /Z\z/ ? 1 : 0,
    1, 'the project tool agrees: read_at set';
$j = is_status(api('PATCH', "/api/user/$A/notification/$n1",
    { viewed => JSON::PP::false, HtmlSummary => '<b onclick=x>bold</b>',
    IconClass => 'defect-icon', IconTitle => 'Defect' }, $ALICE), 200,
    'PATCH the other fields');
is_deeply [@$j{qw(HtmlSummary IconClass IconTitle)}],
    ['<b>bold</b>', 'defect-icon', 'Defect'], 'changed, sanitised';
ok !$j->{Viewed}, 'unviewed again';
for my $bad ([{ Viewed => 'yes' }, 'Viewed a string'],
    [{ HtmlSummary => 5 }, 'HtmlSummary a number'],
    [{ IconClass => '"><script>' }, 'IconClass not a class'],
    [[], 'an array'], ['{', 'broken JSON']) {
	is_err(api('PATCH', "/api/user/$A/notification/$n1", $bad->[0],
	    $ALICE), 400, "PATCH: $bad->[1]");
}
is_status(api('DELETE', "/api/user/$A/notification/$n2", undef, $ALICE),
    200, 'DELETE one');
is_err(api('GET', "/api/user/$A/notification/$n2", undef, $ALICE), 404,
    'gone');

# --- cross-dialect: a /v1 text body shows escaped ------------------------
my $v = api('POST', '/v1/notifications', { recipient => 'alice',
    title => 't', body => 'a <b>plain</b> & "text"' }, $SVC)->{json};
$j = is_status(api('GET', "/api/user/$A/notification/$v->{id}", undef,
    $ALICE), 200, 'a /v1 notification');
is $j->{HtmlSummary}, 'a &lt;b&gt;plain&lt;/b&gt; &amp; &quot;text&quot;',
    'plain text shows escaped';
$v = api('POST', '/v1/notifications', { recipient => 'alice', title => 't',
    body => '<img src=x onerror=alert(1)><i>it</i>', body_format => 'html' },
    $SVC)->{json};
is api('GET', "/api/user/$A/notification/$v->{id}", undef, $ALICE)->{json}
    {HtmlSummary}, '<i>it</i>', 'HTML from /v1 is sanitised when shown';

# --- hostile HtmlSummary: never stored -----------------------------------
my @xss = (
    ['<script>alert(1)</script>ok', 'ok'],
    ['<img src=x onerror=alert(1)>ok', 'ok'],
    ['<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="JAVASCRIPT:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="&#x6A;avascript:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="java&#9;script:alert(1)">x</a>', '<a>x</a>'],
    ['<a href="data:text/html,<script>1</script>">x</a>', '<a>x</a>'],
    ['<svg onload=alert(1)><circle/></svg>ok', 'ok'],
    ['<iframe src="//evil"></iframe>ok', 'ok'],
    ['<div style="background:url(javascript:1)">ok</div>', 'ok'],
    ['<b onmouseover="alert(1)">b</b>', '<b>b</b>'],
    ['<scr<script>ipt>alert(1)</script>', 'ipt&gt;alert(1)'],
    ['<b><i>mis</b>nested</i>', '<b><i>mis</i></b>nested'],
    ['<<script>script>alert(1)<</script>/script>', '&lt;/script&gt;'],
    ['<!--<script>1</script>-->ok', 'ok'],
    ['<object data="x.swf"></object><embed src=x.swf>ok', 'ok'],
    ['<form action="javascript:1"><button>b</button></form>ok', 'ok'],
    ['<style>*{x:expression(alert(1))}</style>ok', 'ok'],
    ['<math><mtext><script>1</script></mtext></math>ok', 'ok'],
    ['<span class="x" onclick="y">s</span>', '<span class="x">s</span>'],
);
for my $x (@xss) {
	$j = is_status(api('POST', "/api/user/$A/notifications",
	    { HtmlSummary => $x->[0] }, $ALICE), 201, "XSS: $x->[0]");
	is $j->{HtmlSummary}, $x->[1], "XSS: stored as $x->[1]";
}
my $stored = $s->sql("SELECT body FROM notifications WHERE body_format = 2");
unlike $stored, qr/<script|onerror|onload|onclick|onmouseover|javascript:|<iframe|<svg|<img|<style/i,
    'nothing hostile in the store';

# --- hostile input ---------------------------------------------------------
is_err(api('POST', "/api/user/$A/notifications", { HtmlSummary => '' },
    $ALICE), 400, 'empty HtmlSummary');
is_err(api('POST', "/api/user/$A/notifications", { Other => 1 }, $ALICE),
    400, 'no HtmlSummary');
is_err(api('POST', "/api/user/$A/notifications", { HtmlSummary => "a\0b" },
    $ALICE), 400, 'a NUL');
is_err(api('POST', "/api/user/$A/notifications",
    { HtmlSummary => 'x' x 70000 }, $ALICE), 400, 'too long');
is_err(api('POST', "/api/user/$A/notifications",
    { HtmlSummary => '&' x 60000 }, $ALICE), 413, 'too long once escaped');
is_err(api('POST', "/api/user/$A/notifications",
    '{"HtmlSummary":"' . ('a' x (2 * 1024 * 1024)) . '"}', $ALICE), 413,
    '2 MiB body (body_max 1 MiB): Herald\'s 413');
is_err(api('POST', "/api/user/$A/notifications", "{\"HtmlSummary\":\"\xff\"}",
    $ALICE), 400, 'invalid UTF-8');
is_err(api('GET', "/api/user/" . ('x' x 300) . "/notifications", undef,
    $ADMIN), 400, 'a huge user id');
my $before = $s->sql_value("SELECT COUNT(*) FROM notifications");
is $before, $s->sql_value("SELECT COUNT(*) FROM notifications"),
    'nothing partial written';

# --- DELETE the collection (acceptance 3) ---------------------------------
is_status(api('DELETE', "/api/user/$A/notifications", undef, $ALICE), 200,
    'DELETE the collection');
$j = is_status(api('GET', "/api/user/$A/notifications", undef, $ALICE), 200,
    'GET after');
is_deeply [$j->{Total}, $j->{Items}], [0, []], 'Total 0, Items []';
is $s->get('/v1/users/alice/notifications/count', $ALICE)->{json}{total}, 0,
    '/v1 agrees: none';
unlike $s->log_text, qr/\binternal error\b/i, 'no 5xx';
done_testing;
