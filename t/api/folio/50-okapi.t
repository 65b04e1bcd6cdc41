#!/usr/bin/perl
# With folio_okapi_url (issue I, item 8): _username, eventConfigName and
# patron notices call mod-users, mod-event-config, the template engine
# and mod-sender through Okapi as mod-notify does, with the tenant and
# token headers, and answer their statuses as it does.  Okapi is a stub
# on loopback that records what it got.  Only the configured URL is ever
# called, whatever X-Okapi-Url a request names.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use JSON::PP ();
use Herald::Stack;
use Herald::StubOkapi;

my $ANN = '11111111-1111-4111-8111-111111111111';
my $STAFF = '99999999-9999-4999-8999-999999999999';
my $JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdGFmZiJ9.c2lnbmF0dXJl';
my $ok = Herald::StubOkapi->start(users => { ann => $ANN },
    events => { LOAN_DUE => [
	{ templateId => 't1', deliveryChannel => 'email',
	  outputFormat => 'text/html' },
	{ templateId => 't2', deliveryChannel => 'email',
	  outputFormat => 'text/plain' } ] });
my $evil = Herald::StubOkapi->start(users => { ann => $STAFF });
my $s = Herald::Stack->start(config => { auth => 'trusted-network',
    folio_okapi_url => $ok->url, folio_okapi_timeout_ms => 2000 });
my %H = ('X-Okapi-Tenant' => 'alpha', 'X-Okapi-User-Id' => $STAFF,
    'X-Okapi-Token' => $JWT, 'X-Okapi-Url' => $ok->url,
    'X-Okapi-Request-Id' => '123456/notify', 'Content-Type' => 'application/json');
my $J = JSON::PP->new->utf8->canonical;
my $FOLIO_500 = 'Internal Server Error, Please contact System Administrator '
    . 'or try again';

sub okapi_headers_ok ($r, $what, $accept) {
	is $r->{headers}{'x-okapi-tenant'}, 'alpha', "$what: X-Okapi-Tenant";
	is $r->{headers}{'x-okapi-token'}, $JWT, "$what: X-Okapi-Token";
	is $r->{headers}{'x-okapi-url'}, $ok->url, "$what: X-Okapi-Url";
	is $r->{headers}{'x-okapi-request-id'}, '123456/notify',
	    "$what: X-Okapi-Request-Id";
	is $r->{headers}{accept}, $accept, "$what: Accept";
}

# --- _username through mod-users ------------------------------------------
$ok->requests(1);
my $r = $s->post('/notify/_username/ann', { text => 'hello' }, \%H);
is $r->{status}, 201, '_username: 201' or diag $r->{content};
is $r->{json}{recipientId}, $ANN, "... mod-users' id is the recipient";
like $r->{headers}{location} // '', qr{^/notify/[0-9a-f-]{36}\z}, '... Location';
my @got = $ok->requests(1);
is scalar @got, 1, '... one call to Okapi';
is "$got[0]{method} $got[0]{path}", 'GET /users', '... GET /users';
is $got[0]{query}, 'username=="ann"', '... query username=="ann"';
okapi_headers_ok($got[0], 'users', 'application/json');

$r = $s->post('/notify/_username/zed', { text => 'x' }, \%H);
is $r->{status}, 400, 'unknown user: 400';
is $r->{content}, 'User lookup failed. Can not find user zed', '... the text';

$ok->script(fail => { '/users' => { status => 403,
    body => 'Access requires permission: users.collection.get' } });
$r = $s->post('/notify/_username/ann', { text => 'x' }, \%H);
is $r->{status}, 400, 'mod-users 403: 400';
is $r->{content}, 'User lookup failed with 403. ann Access requires '
    . 'permission: users.collection.get', '... the text';
$ok->script(fail => { '/users' => { status => 500, body => 'boom' } });
$r = $s->post('/notify/_username/ann', { text => 'x' }, \%H);
is $r->{status}, 500, 'mod-users 500: 500';
is $r->{content}, $FOLIO_500, '... the text';
$ok->script(fail => { '/users' => { status => 200,
    body => { totalRecords => 1 } } });
$r = $s->post('/notify/_username/ann', { text => 'x' }, \%H);
is $r->{status}, 400, 'a users answer without users: 400';
is $r->{content}, 'User lookup failed for ann. Bad response {"totalRecords":1}',
    '... the text';
$ok->script(fail => {});

# --- eventConfigName through the event config, engine and sender ---------
$ok->requests(1);
my %ctx = (user => { firstName => 'Ann' }, item => { title => 'Dune' });
$r = $s->post('/notify', { recipientId => $ANN, text => 'due', lang => 'de',
    eventConfigName => 'LOAN_DUE', context => \%ctx }, \%H);
is $r->{status}, 201, 'eventConfigName: 201' or diag $r->{content};
ok !exists $r->{headers}{location}, '... without Location';
my $id = $r->{json}{id};
@got = $ok->requests(1);
is join(',', map { "$_->{method} $_->{path}" } @got),
    'GET /eventConfig,POST /template-request,POST /template-request,'
    . 'POST /message-delivery', '... event config, two templates, one delivery';
is $got[0]{query}, 'name==LOAN_DUE', '... query name==LOAN_DUE';
okapi_headers_ok($got[0], 'eventConfig', 'application/json');
okapi_headers_ok($got[1], 'template-request', 'application/json');
is $got[1]{headers}{'content-type'}, 'application/json', '... JSON sent';
is_deeply $J->decode($got[1]{body}), { templateId => 't1',
    outputFormat => 'text/html', lang => 'de', context => \%ctx },
    "... the first template with the notification's lang and context";
is $J->decode($got[2]{body})->{templateId}, 't2', '... then the second';
okapi_headers_ok($got[3], 'message-delivery', 'text/plain');
my $md = $J->decode($got[3]{body});
like $md->{notificationId}, qr/^[0-9a-f-]{36}\z/, '... a notificationId';
is $md->{recipientUserId}, $ANN, '... the recipient';
my $ctxjson = $J->encode(\%ctx);
is_deeply $md->{messages}, [
    { header => 'Subject t1', body => "Body lang=de ctx=$ctxjson",
      deliveryChannel => 'email', outputFormat => 'text/html' },
    { header => 'Subject t2', body => "Body lang=de ctx=$ctxjson",
      deliveryChannel => 'email', outputFormat => 'text/plain' } ],
    '... the rendered messages';
is $s->sql_value('SELECT COUNT(*) FROM deliveries'), 0,
    '... nothing in the local outbox';
is $s->get("/notify/$id", \%H)->{status}, 200, '... the record stored';

sub event_err ($what, $fail, $status, $text) {
	$ok->script(fail => $fail);
	my $r = $s->post('/notify', { recipientId => $ANN, text => $what,
	    eventConfigName => 'LOAN_DUE' }, \%H);
	is $r->{status}, $status, "$what: $status";
	is $r->{content}, $text, "$what: the text";
	my $q = $s->get('/notify?query=' . $s->uri_escape(
	    "text==\"$what\""), \%H);
	like $q->{content}, qr/"totalRecords" : 1/, "$what: the record kept";
}
event_err('no event', { '/eventConfig' => { status => 200,
    body => { eventEntity => [], totalRecords => 0 } } }, 400,
    'Cannot fetch event entity');
event_err('event config 400', { '/eventConfig' => { status => 400,
    body => 'bad query' } }, 400, 'bad query');
event_err('template 400', { '/template-request' => { status => 400,
    body => 'Template t1 does not exist' } }, 400,
    'Template t1 does not exist');
event_err('template 500', { '/template-request' => { status => 500,
    body => 'x' } }, 500, $FOLIO_500);
event_err('sender 400', { '/message-delivery' => { status => 400,
    body => 'User not found' } }, 400, 'User not found');
event_err('sender 404', { '/message-delivery' => { status => 404,
    body => 'x' } }, 500, $FOLIO_500);
# A sender that would say yes, too late: the call is cut at the bound.
event_err('sender slow', { '/message-delivery' => { status => 204,
    delay => 8 } }, 500, $FOLIO_500);
$ok->script(fail => {});

# --- patron notices -------------------------------------------------------
$ok->requests(1);
my %PN = (recipientId => $ANN, deliveryChannel => 'email', templateId => 't9',
    context => \%ctx);
$r = $s->post('/patron-notice', \%PN, \%H);
is $r->{status}, 200, 'patron notice: 200' or diag $r->{content};
@got = $ok->requests(1);
is join(',', map { "$_->{method} $_->{path}" } @got),
    'POST /template-request,POST /message-delivery', '... engine, then sender';
is_deeply $J->decode($got[0]{body}), { templateId => 't9',
    outputFormat => 'text/html', lang => 'en', context => \%ctx },
    "... the schema's defaults filled in";
$md = $J->decode($got[1]{body});
is $md->{recipientUserId}, $ANN, '... to the recipient';
is_deeply $md->{messages}, [ { header => 'Subject t9',
    body => "Body lang=en ctx=$ctxjson", deliveryChannel => 'email',
    outputFormat => 'text/html' } ], '... the rendered message';

sub notice_err ($what, $fail, $status, $re) {
	$ok->script(fail => $fail);
	my $r = $s->post('/patron-notice', \%PN, \%H);
	is $r->{status}, $status, "patron notice, $what: $status";
	like $r->{content}, $re, "patron notice, $what: the body";
}
notice_err('template 400', { '/template-request' => { status => 400,
    body => 'Template t9 does not exist' } }, 422,
    qr/\A\{\n  "errors" : \[ \{\n    "message" : "Template t9 does not exist",\n    "parameters" : \[ \]\n  \} \]\n\}\z/);
notice_err('sender 400', { '/message-delivery' => { status => 400,
    body => 'Recipient has no email' } }, 422,
    qr/"message" : "Recipient has no email"/);
notice_err('sender 500', { '/message-delivery' => { status => 500,
    body => 'x' } }, 500, qr/\A\Q$FOLIO_500\E\z/);
$ok->script(fail => {});

# --- a request's own X-Okapi-Url is never called --------------------------
$ok->requests(1);
$evil->requests(1);
my %E = (%H, 'X-Okapi-Url' => $evil->url);
is $s->post('/notify/_username/ann', { text => 'x' }, \%E)->{status}, 201,
    'foreign X-Okapi-Url: _username answered';
is $s->post('/notify', { recipientId => $ANN, text => 'x',
    eventConfigName => 'LOAN_DUE' }, \%E)->{status}, 201,
    'foreign X-Okapi-Url: event answered';
is $s->post('/patron-notice', \%PN, \%E)->{status}, 200,
    'foreign X-Okapi-Url: notice answered';
is scalar($evil->requests), 0, 'the foreign URL got no request';
is scalar($ok->requests), 7, 'the configured one got them all';

$evil->stop;
$ok->stop;
done_testing();
