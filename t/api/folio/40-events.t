#!/usr/bin/perl
# eventConfigName and POST /patron-notice without Okapi (issue I, item 8):
# the event config is a template of the tenant, rendered with the context
# when the request comes and mailed to the recipient's stored address by
# the dispatcher; an unknown one is 400 "Cannot fetch event entity" with
# the record kept, as mod-notify answers.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use Herald::Stack;
use Herald::Delivery;

my $smtp = Herald::Delivery::sink('smtp');
my $s = Herald::Stack->start(config => {
	auth => 'trusted-network',
	email_method => 'smtp',
	smtp_url => "smtp://127.0.0.1:$smtp->{port}",
	smtp_tls => 'none',
	smtp_from => 'library@example.org',
	delivery_retry_base => 1,
	delivery_max_attempts => 2,
	dispatch_interval_ms => 100,
});
my $bin = Herald::Stack::herald_bin();
my $conf = $s->config_file;
my $ANN = '11111111-1111-4111-8111-111111111111';
my $BOB = '22222222-2222-4222-8222-222222222222';
my $CAL = '33333333-3333-4333-8333-333333333333';
my $STAFF = '99999999-9999-4999-8999-999999999999';
my %H = ('X-Okapi-Tenant' => 'alpha', 'X-Okapi-User-Id' => $STAFF,
    'Content-Type' => 'application/json');

sub run_ok ($what, @cmd) {
	is(system(join(' ', $bin, '-c', $conf, @cmd, '>/dev/null 2>&1')), 0,
	    $what);
}
run_ok('user ann (alpha, with an address)', qw(user add ann --tenant alpha
    --id), $ANN, '--email ann@example.org');
run_ok('user bob (alpha, no address)', qw(user add bob --tenant alpha --id),
    $BOB);
run_ok('user cal (beta)', qw(user add cal --tenant beta --id), $CAL,
    '--email cal@example.org');

sub tmpl ($name, $text, $tenant = 'alpha') {
	my $f = $s->dir . "/$name.tmpl";
	Herald::Stack::write_file($f, $text);
	run_ok("template $name of $tenant", 'template', '--tenant', $tenant,
	    'add', $name, $f);
}
tmpl('LOAN_DUE', "Subject: Due: {{item.title}}\n\n"
    . "Dear {{user.firstName}},\n{{item.title}} is due {{loan.dueDate}}.{{missing}}\n");
tmpl('HOLD_HTML', "Subject: Hold for {{user.firstName}}\nContent-Type: text/html\n\n"
    . "<p>{{item.title}} waits for you</p>\n");
tmpl('BROKEN', "Subject: x\n\n{{#loans}}{{title}}{{/loans}}\n");
tmpl('ONLY_BETA', "Subject: beta\n\nbeta\n", 'beta');
like(scalar qx{$bin -c $conf template --tenant alpha list 2>/dev/null},
    qr/^LOAN_DUE\s+plain/m, 'template --tenant lists the tenant\'s');
unlike(scalar qx{$bin -c $conf template list 2>/dev/null}, qr/LOAN_DUE/,
    '... and not the default tenant\'s');

my %ctx = (user => { firstName => 'Ann' }, item => { title => 'Dune' },
    loan => { dueDate => '2026-12-24' });
my $before = $s->sql_value('SELECT COUNT(*) FROM deliveries');

# Known event: 201 with the entity, no Location; one delivery queued.
my $r = $s->post('/notify', { recipientId => $ANN, text => 'Your loan is due',
    eventConfigName => 'LOAN_DUE', context => \%ctx, lang => 'en' }, \%H);
is $r->{status}, 201, 'eventConfigName LOAN_DUE: 201' or diag $r->{content};
ok !exists $r->{headers}{location}, '... without Location';
like $r->{content}, qr/"eventConfigName" : "LOAN_DUE"/, '... the entity';
my $id1 = $r->{json}{id};
ok $id1, '... with its id';
is $s->sql_value("SELECT COUNT(*) FROM deliveries WHERE state = 'pending' "
    . "AND address = 'ann\@example.org' AND subject = 'Due: Dune'"), 1,
    '... one e-mail queued, rendered with the context';

# Unknown event: 400, the record kept.
$r = $s->post('/notify', { id => 'a0000000-0000-4000-8000-000000000001',
    recipientId => $ANN, text => 'x', eventConfigName => 'NO_SUCH' }, \%H);
is $r->{status}, 400, 'unknown eventConfigName: 400';
is $r->{content}, 'Cannot fetch event entity', '... the text';
is $s->get('/notify/a0000000-0000-4000-8000-000000000001', \%H)->{status},
    200, '... the record kept';

# Another tenant's template is not this tenant's event.
$r = $s->post('/notify', { recipientId => $ANN, text => 'x',
    eventConfigName => 'ONLY_BETA' }, \%H);
is $r->{content}, 'Cannot fetch event entity', "beta's template: not alpha's";

# The recipient has no address; a template that cannot be rendered.
$r = $s->post('/notify', { recipientId => $BOB, text => 'x',
    eventConfigName => 'LOAN_DUE', context => \%ctx }, \%H);
is $r->{status}, 400, 'no address: 400';
is $r->{content}, 'The recipient has no e-mail address', '... the text';
$r = $s->post('/notify', { recipientId => $ANN, text => 'x',
    eventConfigName => 'BROKEN' }, \%H);
is $r->{status}, 400, 'a section tag: 400';
like $r->{content}, qr/^Template BROKEN: unsupported tag \{\{#loans\}\}/,
    '... naming it';

# HTML escapes values; _username takes the same path.
$r = $s->post('/notify/_username/ann', { text => 'hold',
    eventConfigName => 'HOLD_HTML',
    context => { user => { firstName => 'Ann' },
    item => { title => '<b>Dune & co</b>' } } }, \%H);
is $r->{status}, 201, '_username with an event: 201' or diag $r->{content};
ok !exists $r->{headers}{location}, '... without Location';
is $s->sql_value('SELECT COUNT(*) FROM deliveries') - $before, 2,
    'two deliveries queued in all (nothing for the refused ones)';

# Patron notices: the pipeline, then the notice.
my %PN = (recipientId => $ANN, deliveryChannel => 'email',
    templateId => 'LOAN_DUE', outputFormat => 'text/plain', lang => 'en',
    context => { %ctx, item => { title => 'Emma' } });
my $total = $s->get('/notify?limit=0', \%H)->{json}{totalRecords};
my %SELF = (%H, 'X-Okapi-User-Id' => $ANN);
my $own = $s->get('/notify/user/_self?limit=0', \%SELF)->{json}{totalRecords};
$r = $s->post('/patron-notice', \%PN, \%H);
is $r->{status}, 200, 'patron notice: 200' or diag $r->{content};
is $r->{content}, '', '... empty';
is $s->get('/notify?limit=0', \%H)->{json}{totalRecords}, $total,
    '... no notification listed for it';
is $s->get('/notify/user/_self?limit=0', \%SELF)->{json}{totalRecords}, $own,
    "... nor in the patron's own";
is $s->sql_value("SELECT COUNT(*) FROM deliveries WHERE subject = "
    . "'Due: Emma'"), 1, '... its e-mail queued';

sub pn_err ($what, $body, $status, $re) {
	my $r = $s->post('/patron-notice', $body, \%H);
	is $r->{status}, $status, "patron notice, $what: $status";
	like $r->{content}, $re, "... $what: the message";
}
pn_err('unknown template', { %PN, templateId => 'NOPE' }, 422,
    qr/"message" : "Template \\"NOPE\\" not found",\s+"parameters" : \[ \]/);
pn_err('no recipientId', { templateId => 'LOAN_DUE' }, 422,
    qr/"message" : "must not be null".*"key" : "recipientId"/s);
pn_err('unknown field', { %PN, bogus => 1 }, 422,
    qr/Unrecognized field \\"bogus\\" \(class org\.folio\.rest\.jaxrs\.model\.PatronNoticeEntity\)/);
pn_err('sms', { %PN, deliveryChannel => 'sms' }, 422,
    qr/Delivery channel \\"sms\\" is not supported/);
pn_err('user of beta', { %PN, recipientId => $CAL }, 422,
    qr/"message" : "No such user"/);
pn_err('no address', { %PN, recipientId => $BOB }, 422,
    qr/The recipient has no e-mail address/);
$r = $s->post('/patron-notice?lang=english', \%PN, \%H);
is $r->{status}, 400, 'patron notice, bad lang: 400';
$r = $s->request(POST => '/patron-notice', '{"recipientId":', \%H);
is $r->{status}, 400, 'patron notice, broken JSON: 400';
$r = $s->post('/patron-notice', \%PN, { %H, 'Content-Type' => 'text/plain' });
is $r->{status}, 400, 'patron notice, text/plain: 400';
like $r->{content}, qr/^Content-type header must be/, '... the text';
is $s->post('/patron-notice', \%PN, { 'Content-Type' => 'application/json' })
    ->{status}, 400, 'patron notice without a tenant: 400';

# Hostile input: refused, nothing queued, no 5xx.
my $queued = $s->sql_value('SELECT COUNT(*) FROM deliveries');
pn_err('SQL in templateId', { %PN, templateId => "x' OR '1'='1" }, 422,
    qr/not found/);
pn_err('a long templateId', { %PN, templateId => 'T' x 300 }, 422,
    qr/size must be between 0 and 255/);
my %many = map { ("k$_" => $_) } 1 .. 300;
pn_err('300 context values', { %PN, context => \%many }, 422,
    qr/The context has more than 256 values/);
$r = $s->request(POST => '/patron-notice',
    "{\"recipientId\":\"$ANN\",\"templateId\":\"\xff\xfe\"}", \%H);
is $r->{status}, 400, 'patron notice, invalid UTF-8: 400';
$r = $s->post('/notify', { recipientId => $ANN, text => 'many',
    eventConfigName => 'LOAN_DUE', context => \%many }, \%H);
is $r->{status}, 400, 'an event with 300 context values: 400';
like $s->get('/notify?query=text==many', \%H)->{content},
    qr/"totalRecords" : 1/, '... the record kept';
is $s->sql_value('SELECT COUNT(*) FROM deliveries'), $queued,
    'nothing queued for any of them';
# A value is text, never a template of its own.
$r = $s->post('/patron-notice', { %PN, context => { item =>
    { title => '{{user.firstName}}' } } }, \%H);
is $r->{status}, 200, 'a value that looks like a tag: 200';
is $s->sql_value("SELECT COUNT(*) FROM deliveries WHERE subject = "
    . "'Due: {{user.firstName}}'"), 1, '... rendered as it is, not expanded';

# The dispatcher sends what was rendered, as it was rendered.
my $d = Herald::Delivery::dispatcher($s);
ok(Herald::Delivery::wait_until(30, sub {
	$s->sql_value("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'") == 0
}), 'the dispatcher settles every delivery');
my @mail = map { $_->{text} } Herald::Delivery::received($smtp);
is scalar @mail, 4, 'four messages reached the SMTP server';
my ($due) = grep { /Subject: Due: Dune/ } @mail;
ok $due, 'the event mail';
like $due // '', qr/^X-Envelope-To: ann\@example\.org\r?$/m, '... to ann';
like $due // '', qr/Dear Ann,\r?\nDune is due 2026-12-24\.\r?\n/,
    '... the body rendered, a missing value empty';
my ($hold) = grep { /Subject: Hold for Ann/ } @mail;
like $hold // '', qr/&lt;b&gt;Dune &amp; co&lt;\/b&gt; waits/,
    'the HTML template escaped the values';
ok((grep { /Subject: Due: Emma/ } @mail), 'the patron notice was mailed');

is(Herald::Delivery::stop($d), 0, 'the dispatcher exits 0');
Herald::Delivery::stop($smtp->{pid});
done_testing();
