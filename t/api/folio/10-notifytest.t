#!/usr/bin/perl
# mod-notify's NotifyTest scenario (folio-org/mod-notify, src/test/.../
# NotifyTest.java), case by case and in its order, through nginx: the same
# requests, the same statuses, and the same strings where it matches
# strings (Jackson's "key" : value, "[ ]").  Deviations, each marked below:
# a tenant needs no set-up (no 500 before /_/tenant), and _username looks
# users up in Herald's own users of the tenant (the mock's "error",
# "permissionproblem" and "badmockuser" need an Okapi: see 40-okapi.t).
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use Herald::Stack;

my $s = Herald::Stack->start(config => { auth => 'trusted-network' });
my %TEN = ('X-Okapi-Tenant' => 'testlib');
my %USER7 = ('X-Okapi-User-Id' => '77777777-7777-7777-7777-777777777777');
my %USER8 = ('X-Okapi-User-Id' => '88888888-8888-8888-8888-888888888888');
my %USER9 = ('X-Okapi-User-Id' => '99999999-9999-9999-9999-999999999999');
my %JSON = ('Content-Type' => 'application/json');
my $LS = "\n";

sub req ($method, $path, $body, @h) {
	return $s->request($method, $path, $body, { @h });
}
sub check ($r, $status, $name, @has) {
	is $r->{status}, $status, "$name: $status" or diag $r->{content};
	for my $str (@has) {
		ok index($r->{content}, $str) >= 0, "$name: has '$str'"
		    or diag $r->{content};
	}
}

check(req(GET => '/admin/health', undef), 200, 'health');
check(req(GET => '/notify', undef), 400, 'no tenant', 'Tenant');

# Deviation: the original answers 500 until /_/tenant has run.
check(req(GET => '/notify', undef, %TEN), 200, 'tenant before init');
my $job = req(POST => '/_/tenant', '{"module_to":"mod-notify-2.1.0"}',
    %TEN, %JSON);
check($job, 201, 'tenant init');
my $jid = $job->{json}{id} // '';
my $done = req(GET => "/_/tenant/$jid?wait=10000", undef, %TEN);
check($done, 200, 'tenant job');
ok $done->{json}{complete}, 'tenant job complete';

check(req(GET => '/notify', undef, %TEN), 200, 'empty list',
    '"notifications" : [ ]');

my $bad1 = 'This is not json';
check(req(POST => '/notify', $bad1, %TEN), 400, 'no content type',
    'Content-type');
check(req(POST => '/notify', $bad1, %TEN, %JSON), 400, 'not json',
    'Unrecognized token');

my $notify1 = '{'
    . '"id" : "0e910843-e948-455c-ace3-7cb276f61897",' . $LS
    . '"recipientId" : "77777777-7777-7777-7777-777777777777",' . $LS
    . '"link" : "users/1234",' . $LS
    . '"text" : "First notification"}' . $LS;
(my $bad2 = $notify1) =~ s/\}/)/;
check(req(POST => '/notify', $bad2, %TEN, %JSON), 400, 'bad json',
    "Unexpected character (')'");
(my $bad3 = $notify1) =~ s/text/badFieldName/;
check(req(POST => '/notify', $bad3, %TEN, %JSON), 422, 'unknown field',
    'Unrecognized field', 'badFieldName');
(my $bad4 = $notify1) =~ s/-ace3-/-2-/g;
check(req(POST => '/notify', $bad4, %TEN, %JSON), 422, 'bad uuid',
    'invalid input syntax for type uuid');
(my $bad5 = $notify1) =~ s/recipientId/senderId/g;
check(req(POST => '/notify', $bad5, %TEN, %JSON), 422, 'no recipient',
    'recipientId');
is $s->sql_value('SELECT COUNT(*) FROM notifications'), 0,
    'nothing stored by the refusals';

my $r = req(POST => '/notify', $notify1, %TEN, %USER9, %JSON);
check($r, 201, 'post notify1');
is $r->{headers}{location}, '/notify/0e910843-e948-455c-ace3-7cb276f61897',
    'relative Location';

check(req(GET => '/notify', undef, %TEN), 200, 'list',
    'First notification', '-9999-', '"totalRecords" : 1');
check(req(GET => '/notify/0e910843-e948-455c-ace3-7cb276f61897', undef,
    %TEN), 200, 'get by id', 'First notification');
check(req(GET => '/notify/777', undef, %TEN), 422, 'get bad id');
check(req(GET => '/notify?query=text=fiRST', undef, %TEN), 200,
    'query text=fiRST', 'First notification');

my $notify2 = '{'
    . '"id" : "3a0b15f1-bcfe-4476-93c7-f7f8c239ca5f",' . $LS
    . '"recipientId" : "77777777-7777-7777-7777-777777777777",' . $LS
    . '"link" : "things/23456",' . $LS
    . '"seen" : false,'
    . '"text" : "Notification on a thing"}' . $LS;
check(req(POST => '/notify', $notify2, %TEN, %USER8, %JSON), 201,
    'post notify2');
check(req(POST => '/notify', $notify2, %TEN, %USER8, %JSON), 422,
    'duplicate id', 'duplicate key');

check(req(GET => '/notify?query=text=notification', undef, %TEN), 200,
    'query text=notification', 'First notification', 'things/23456');
check(req(GET => '/notify?query=seen=false', undef, %TEN), 200,
    'query seen=false', 'First notification');
check(req(GET => '/notify?query=seen=true', undef, %TEN), 200,
    'query seen=true', '"totalRecords" : 0');
check(req(GET => '/notify?query=BADQUERY', undef, %TEN), 422, 'bad query');

my $updated1 = '{'
    . '"id" : "0e910843-e948-455c-ace3-7cb276f61897",' . $LS
    . '"recipientId" : "77777777-7777-7777-7777-777777777777",' . $LS
    . '"link" : "users/1234",' . $LS
    . '"seen" : true,' . $LS
    . '"text" : "First notification with a comment"}' . $LS;
check(req(PUT => '/notify/b7d8a74b-df03-4d60-847c-bc61aea59fb4', $updated1,
    %TEN, %USER8, %JSON), 422, 'put wrong id', 'Can not change the id');
check(req(PUT => '/notify/55555555-5555-5555-5555-555555555555', $updated1,
    %TEN, %USER8, %JSON), 422, 'put bad id',
    'invalid input syntax for type uuid');
(my $updated2 = $updated1) =~ s/1/5/g;
check(req(PUT => '/notify/52336865-6398-4010-8279-0cf4b9dccdbd', $updated2,
    %TEN, %USER8, %JSON), 422, 'put unknown id', 'Can not change the id');
check(req(PUT => '/notify/11111111-222-1111-2-111111111111', $updated1,
    %TEN, %USER8, %JSON), 422, 'put invalid uuid');
(my $norecip = $updated1) =~ s/recipientId/senderId/;
check(req(PUT => '/notify/11111111-1111-1111-1111-111111111111', $norecip,
    %TEN, %USER8, %JSON), 422, 'put no recipient');
(my $unknown = $updated1) =~ s/seen/UNKNOWNFIELD/;
check(req(PUT => '/notify/11111111-1111-1111-1111-111111111111', $unknown,
    %TEN, %USER8, %JSON), 422, 'put unknown field');
$r = req(PUT => '/notify/0e910843-e948-455c-ace3-7cb276f61897', $updated1,
    %TEN, %USER8, %JSON);
check($r, 204, 'put');
is $r->{content}, '', 'put: no body';

check(req(GET => '/notify/0e910843-e948-455c-ace3-7cb276f61897', undef,
    %TEN), 200, 'get updated', '"seen" : true', 'with a comment', '-8888-');

my $notify3 = '{'
    . '"link" : "things/34567",' . $LS
    . '"text" : "Notification on a thing, for mockuser9"}' . $LS;
check(req(POST => '/notify/_username/notfound', $notify3, %TEN, %USER8,
    %JSON), 400, '_username notfound', 'User lookup failed');

# The mock's mockuser9, as a user of the tenant.
$s->sql("INSERT INTO users (id, tenant, username, created) VALUES "
    . "(UNHEX(REPLACE('99999999-9999-9999-9999-999999999999', '-', '')), "
    . "'testlib', 'mockuser9', 0)");
$r = req(POST => '/notify/_username/mockuser9', $notify3, %TEN, %USER8,
    %JSON);
check($r, 201, '_username mockuser9');
my $loc3 = $r->{headers}{location} // '';
like $loc3, qr{^/notify/[0-9a-f-]{36}\z}, '_username: Location';

check(req(GET => $loc3, undef, %TEN, %USER7), 200, 'get by location', 'id',
    '999999');
check(req(GET => '/notify?query=link="things/34567*"', undef, %TEN, %USER7),
    200, 'query link truncation', 'id', '999999');
check(req(GET => '/notify?query=metadata.createdByUserId='
    . '88888888-8888-8888-8888-888888888888', undef, %TEN, %USER7), 200,
    'query createdByUserId', '"totalRecords" : 2', 'id', '999999');
check(req(GET => '/notify', undef, %TEN, %USER7), 200, 'list all');

check(req(GET => '/notify?offset=0&limit=2', undef, %TEN, %USER7), 200,
    'offset 0 limit 2', 'things/23456', 'users/1234');
check(req(GET => '/notify?offset=1&limit=2', undef, %TEN, %USER7), 200,
    'offset 1 limit 2', 'First notification', 'mockuser9');
check(req(GET => '/notify?offset=2&limit=-1', undef, %TEN, %USER7), 400,
    'limit -1', 'must be greater than or equal to 0');
check(req(GET => '/notify?limit=-1', undef, %TEN, %USER7), 400,
    'limit -1 alone', 'must be greater than or equal to 0');
check(req(GET => '/notify?offset=-99&limit=1', undef, %TEN, %USER7), 400,
    'offset -99', 'must be greater than or equal to 0');
check(req(GET => '/notify?offset=2147483647&limit=1', undef, %TEN, %USER7),
    200, 'offset 2^31-1');
check(req(GET => '/notify?offset=1&limit=-1', undef, %TEN, %USER7), 400,
    'offset 1 limit -1', 'must be greater than or equal to 0');
check(req(GET => '/notify?limit=2147483647', undef, %TEN, %USER7), 200,
    'limit 2^31-1');
check(req(GET => '/notify?limit=1&lang=UNKNOWNLANG', undef, %TEN, %USER7),
    400, 'bad lang', 'parameter is incorrect');
check(req(GET => '/notify?limit=1&lang=ZZ', undef, %TEN, %USER7), 200,
    'lang ZZ', '"totalRecords" : 3');

check(req(GET => '/notify/_self', undef, %TEN), 400, '_self no user',
    'No UserId');
check(req(GET => '/notify/_self', undef, %TEN, %USER7), 200, '_self 7',
    '"totalRecords" : 2', 'with a comment');
check(req(GET => '/notify/_self?query=seen=true', undef, %TEN, %USER7), 200,
    '_self seen', '"totalRecords" : 1', 'First');
check(req(GET => '/notify/_self', undef, %TEN, %USER8), 200, '_self 8',
    '"totalRecords" : 0');

check(req(DELETE => '/notify/11111111-3-1111-333-111111111111', undef, %TEN),
    422, 'delete bad uuid');
check(req(DELETE => '/notify/72f656b7-3ca1-4a8f-89b1-212ce9227090', undef,
    %TEN), 404, 'delete not found');
check(req(DELETE => '/notify/_self?olderthan=2001-01-01', undef, %TEN,
    %USER7), 404, 'self delete too new');
check(req(DELETE => '/notify/_self?olderthan=2099-01-01', undef, %TEN), 400,
    'self delete no user', 'No UserId');
check(req(DELETE => '/notify/_self?olderthan=2099-01-01', undef, %TEN,
    %USER7), 204, 'self delete');
check(req(DELETE => '/notify/_self', undef, %TEN, %USER7), 404,
    'self delete again');

check(req(DELETE => $loc3, undef, %TEN), 204, 'delete notify3');
check(req(DELETE => '/notify/3a0b15f1-bcfe-4476-93c7-f7f8c239ca5f', undef,
    %TEN), 204, 'delete notify2');
check(req(DELETE => '/notify/3a0b15f1-bcfe-4476-93c7-f7f8c239ca5f', undef,
    %TEN), 404, 'delete notify2 again');
check(req(GET => '/notify', undef, %TEN), 200, 'empty at the end',
    '"notifications" : [ ]');

# The same routes at v2.1's paths.
check(req(GET => '/notify/user/_self', undef, %TEN, %USER7), 200,
    'user/_self', '"totalRecords" : 0');

done_testing;
