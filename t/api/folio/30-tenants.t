#!/usr/bin/perl
# Tenants and other dialects: one tenant never sees, counts, changes or
# deletes another's notifications by any route; a tenant purge removes
# only its own; a notification made through /notify is the same record,
# read state included, through /v1, and back.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use Herald::Stack;

my $s = Herald::Stack->start(config => { auth => 'trusted-network' });
my $U = '77777777-7777-4777-8777-777777777777';
my %T1 = ('X-Okapi-Tenant' => 'alpha', 'X-Okapi-User-Id' => $U,
    'Content-Type' => 'application/json');
my $V = '99999999-9999-4999-8999-999999999999';
my $W = '66666666-6666-4666-8666-666666666666';
my %T2 = (%T1, 'X-Okapi-Tenant' => 'beta', 'X-Okapi-User-Id' => $V);
my $ID = 'b0000000-0000-4000-8000-000000000001';

my $r = $s->post('/notify', { id => $ID, recipientId => $U, text => 'hello',
    seen => JSON::PP::true }, \%T1);
is $r->{status}, 201, 'alpha creates' or diag $r->{content};

is $s->get("/notify/$ID", \%T2)->{status}, 404, 'beta: GET 404';
like $s->get('/notify', \%T2)->{content}, qr/"totalRecords" : 0/,
    'beta: list empty';
like $s->get('/notify/user/_self', \%T2)->{content}, qr/"totalRecords" : 0/,
    'beta: _self empty';
is $s->put("/notify/$ID", { recipientId => $V, text => 'x' }, \%T2)
    ->{status}, 404, 'beta: PUT 404';
is $s->request(DELETE => "/notify/$ID", undef, \%T2)->{status}, 404,
    'beta: DELETE 404';
is $s->request(DELETE => '/notify/user/_self?olderthan=2999-01-01', undef,
    \%T2)->{status}, 404, 'beta: self delete 404';
is $s->post('/notify', { id => $ID, recipientId => $V, text => 'mine' },
    \%T2)->{status}, 422, 'beta: the id is taken (ids are global)';
# Documented limitation: a user id is one tenant's.
$r = $s->post('/notify', { recipientId => $U, text => 'x' }, \%T2);
is $r->{status}, 422, "beta: alpha's user id: 422";
like $r->{content}, qr/another tenant/, "beta: alpha's user id: why";
is $s->post('/_/tenant', { module_from => 'x', purge => JSON::PP::true },
    \%T2)->{status}, 204, 'beta: purge';
$r = $s->get("/notify/$ID", \%T1);
is $r->{status}, 200, 'alpha: still there after beta purge';
like $r->{content}, qr/"text" : "hello"/, 'alpha: unchanged';

# Bad tenants.
is $s->get('/notify', { 'X-Okapi-Tenant' => 'Bad-Tenant' })->{status}, 400,
    'malformed tenant: 400';
is $s->get('/notify', {})->{content},
    'Unable to process request Tenant must be set', 'no tenant: the text';

# The same record through /v1 (tenant-less: the default tenant), made
# through /notify in the default tenant.
my %TD = (%T1, 'X-Okapi-Tenant' => 'default', 'X-Okapi-User-Id' => $W);
my $ID2 = 'b0000000-0000-4000-8000-000000000002';
is $s->post('/notify', { id => $ID2, recipientId => $W, text => 'both' },
    \%TD)->{status}, 201, 'default tenant: create';
$r = $s->get("/v1/notifications/$ID2");
is $r->{status}, 200, '/v1 sees it' or diag $r->{content};
is $r->{json}{body}, 'both', '/v1: body is text';
is $r->{json}{recipient}{id}, $W, '/v1: recipient id is recipientId';
is $r->{json}{read_at}, undef, '/v1: unread';
$r = $s->request(PATCH => "/v1/notifications/$ID2", { read => JSON::PP::true },
    { 'Content-Type' => 'application/json' });
ok $r->{status} < 300, "/v1 marks it read: $r->{status}" or diag $r->{content};
like $s->get("/notify/$ID2", \%TD)->{content}, qr/"seen" : true/,
    '/notify sees it read';
is $s->put("/notify/$ID2", { recipientId => $W, text => 'both',
    seen => JSON::PP::false }, \%TD)->{status}, 204, '/notify marks it unread';
is $s->get("/v1/notifications/$ID2")->{json}{read_at}, undef,
    '/v1 sees it unread';

# A purge takes only its tenant's rows.
is $s->post('/_/tenant', { purge => JSON::PP::true }, \%T1)->{status}, 204,
    'alpha: purge';
is $s->get("/notify/$ID", \%T1)->{status}, 404, 'alpha: gone';
is $s->get("/notify/$ID2", \%TD)->{status}, 200, 'default: kept';

done_testing;
