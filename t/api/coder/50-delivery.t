#!/usr/bin/perl
# Coder's enqueuer and webhook (peers.md §2.4, issue J): a notification
# of a template gets one delivery, by the template's method or else the
# default; a running "herald dispatch" posts Coder's body {_version,
# msg_id, payload, title, body} with X-Message-Id to a real HTTP sink
# and mails the plain text to a real SMTP sink.  Template actions are
# rendered with the labels, in the inbox and in the payload.  Other
# deliveries keep Herald's own body.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use Herald::Delivery;
use AuthTest;

my $port = Herald::Delivery::_free_port();
my $smtp = Herald::Delivery::sink('smtp');
my $s = Herald::Stack->start(config => { auth => 'token',
    email_method => 'webhook', webhook_url => "http://127.0.0.1:$port/hook",
    smtp_url => "smtp://127.0.0.1:$smtp->{port}", smtp_tls => 'none',
    smtp_from => 'herald@example.org', dispatch_interval_ms => 100,
    delivery_retry_base => 1, send_timeout => 5 });
my $sink = Herald::Delivery::sink('http', port => $port);
my $ADMIN = { 'Coder-Session-Token' => make_token($s, 'root', 'admin') };
my $ALICE = { 'Coder-Session-Token' => make_token($s, 'alice', 'user') };
my $BOB = { 'Coder-Session-Token' => make_token($s, 'bob', 'user') };
my $SVC = { Authorization => 'Bearer ' . make_token($s, 'svc', 'service') };
my $TEST = 'c425f63e-716a-4bf4-ae24-78348f706c3f';
my $CUSTOM = '39b1e189-c857-4b0c-877a-511144c18516';
my $N = '/api/v2/notifications';
my $J = { 'Content-Type' => 'application/json' };
my $json = JSON::PP->new->canonical;

for ([qw(alice alice@example.org)], [qw(root root@example.org)]) {
	my ($st, undef, $err) = herald_cli($s, 'user', 'add', $_->[0],
	    '--email', $_->[1]);
	is $st, 0, "user $_->[0] with an address" or diag $err;
}
# The Custom Notification's actions, as an operator would give them.
$s->sql(q{UPDATE templates SET actions = '[{"label":"Open {{.Labels.custom_title}}","url":"https://coder.example/@{{.UserUsername}}/{{.Labels.custom_message}}"}]' WHERE name = 'Custom Notification'});

sub deliveries ($where = '1') {
	return $s->sql_value("SELECT COUNT(*) FROM deliveries WHERE $where");
}
sub uuid ($hex) {
	$hex = lc $hex;
	return join '-', unpack('A8 A4 A4 A4 A12', $hex);
}

# 1. Custom, default method (webhook): one delivery, Coder's body.
my $r = $s->post("$N/custom", { content => { title => 'Hello **world**',
    message => 'deploy' } }, { %$J, %$ALICE });
is $r->{status}, 204, 'custom: 204' or diag $r->{content};
my $inbox = $s->get("$N/inbox", $ALICE)->{json}{notifications};
is scalar @$inbox, 1, 'custom: in the inbox';
my $n = $inbox->[0];
is_deeply $n->{actions}, [{ label => 'Open Hello **world**',
    url => 'https://coder.example/@alice/deploy' }],
    'inbox: the template actions rendered with the labels';
is deliveries(), 1, 'custom: one delivery';
is deliveries("method = 'webhook' AND template IS NULL"), 1,
    'custom: by the default method, webhook';
my $did = uuid($s->sql_value('SELECT HEX(id) FROM deliveries'));
my $alice_id = uuid($s->sql_value(
    q{SELECT HEX(id) FROM users WHERE username = 'alice'}));

my $d = Herald::Delivery::dispatcher($s, 'd1');
ok Herald::Delivery::wait_until(60, sub {
    deliveries("state = 'sent'") == 1 }), 'custom: sent';
my @got = Herald::Delivery::received($sink);
is scalar @got, 1, 'custom: one post';
my $body = decode_json($got[0]{text});
like $got[0]{text}, qr/^\{"_version":"1.0","msg_id":"[^"]+","payload":\{"_version":"1.2","notification_name":/,
    'webhook: Coder\'s field order';
is_deeply [sort keys %$body], [qw(_version body msg_id payload title)],
    'webhook: exactly Coder\'s keys';
is $body->{_version}, '1.0', 'webhook: _version 1.0';
is $body->{msg_id}, $did, 'webhook: msg_id is the delivery';
like $got[0]{headers}, qr/^X-Message-Id: \Q$did\E$/mi,
    'webhook: X-Message-Id header';
like $got[0]{headers}, qr{^Content-Type: application/json$}mi,
    'webhook: JSON';
is $body->{title}, 'Hello world', 'webhook: title as plain text';
is $body->{body}, 'deploy', 'webhook: body';
my $p = $body->{payload};
is_deeply [sort keys %$p], [sort qw(_version notification_name
    notification_template_id user_id user_email user_name user_username
    actions labels data targets)], 'payload: exactly MessagePayload\'s keys';
is $p->{_version}, '1.2', 'payload: _version 1.2';
is $p->{notification_name}, 'Custom Notification', 'payload: the name';
is $p->{notification_template_id}, $CUSTOM, 'payload: the template id';
is $p->{user_id}, $alice_id, 'payload: user_id';
is $p->{user_email}, 'alice@example.org', 'payload: user_email';
is $p->{user_name}, 'alice', 'payload: user_name';
is $p->{user_username}, 'alice', 'payload: user_username';
is_deeply $p->{actions}, $n->{actions}, 'payload: the rendered actions';
is_deeply $p->{labels}, { custom_title => 'Hello **world**',
    custom_message => 'deploy' }, 'payload: labels';
is ref $p->{data}, 'HASH', 'payload: data an object';
ok exists $p->{data}{timestamp} && !exists $p->{data}{labels},
    'payload: data without the labels';
ok exists $p->{targets} && !defined $p->{targets}, 'payload: targets null';

# 2. The template's method wins over the default: smtp for Test.
$r = $s->put("$N/templates/$TEST/method", { method => 'smtp' },
    { %$J, %$ADMIN });
is $r->{status}, 200, 'method smtp: 200' or diag $r->{content};
$r = $s->post("$N/test", undef, $ADMIN);
is $r->{status}, 204, 'test: 204' or diag $r->{content};
is deliveries("method = 'smtp' AND template IS NULL"), 1,
    'test: one smtp delivery';
ok Herald::Delivery::wait_until(60, sub {
    deliveries("state = 'sent'") == 2 }), 'test: sent';
my @mail = Herald::Delivery::received($smtp);
is scalar @mail, 1, 'test: one e-mail';
like $mail[0]{text}, qr/^Subject: A test notification\r?$/m,
    'e-mail: the rendered title';
like $mail[0]{text}, qr/^To: root\@example\.org\r?$/m, 'e-mail: to root';
like $mail[0]{text}, qr/Hi root,\r?\nThis is a test notification\./,
    'e-mail: the body as plain text';
is scalar(Herald::Delivery::received($sink)), 1, 'test: no post';

# 3. Back to the default: a webhook post, not an e-mail.
$r = $s->put("$N/templates/$TEST/method", { method => '' }, { %$J, %$ADMIN });
is $r->{status}, 200, 'method default: 200';
$r = $s->post("$N/test", undef, $ADMIN);
is $r->{status}, 204, 'test again: 204';
ok Herald::Delivery::wait_until(60, sub {
    deliveries("state = 'sent'") == 3 }), 'test again: sent';
@got = Herald::Delivery::received($sink);
is scalar @got, 2, 'test again: a post';
$body = decode_json($got[1]{text});
is $body->{title}, 'A test notification', 'test post: title';
is $body->{payload}{notification_template_id}, $TEST, 'test post: template';
is_deeply $body->{payload}{actions}, [], 'test post: no actions, []';
is_deeply $body->{payload}{labels}, {}, 'test post: no labels, {}';
is scalar(Herald::Delivery::received($smtp)), 1, 'test again: no e-mail';

# 4. smtp for a user without an address: no delivery at all.
$r = $s->put("$N/templates/$CUSTOM/method", { method => 'smtp' },
    { %$J, %$ADMIN });
is $r->{status}, 200, 'custom by smtp';
$r = $s->post("$N/custom", { content => { title => 't', message => 'm' } },
    { %$J, %$BOB });
is $r->{status}, 204, 'bob custom: 204';
is scalar @{ $s->get("$N/inbox", $BOB)->{json}{notifications} }, 1,
    'bob: in the inbox';
is deliveries(), 3, 'bob has no address: no delivery';

# 5. An inhibited notification: no inbox row and no delivery.
$r = $s->put("/api/v2/users/me/notifications/preferences",
    { template_disabled_map => { $CUSTOM => JSON::PP::true } },
    { %$J, %$ALICE });
is $r->{status}, 200, 'alice disables Custom';
$r = $s->post("$N/custom", { content => { title => 'x', message => 'y' } },
    { %$J, %$ALICE });
is $r->{status}, 500, 'inhibited custom: 500 as coderd';
is deliveries(), 3, 'inhibited: no delivery';

# 6. /v1: a template and no channel follows the template; the inbox
# named alone, or channels named, do not; channels keep Herald's body.
$r = $s->put("$N/templates/$CUSTOM/method", { method => 'webhook' },
    { %$J, %$ADMIN });
is $r->{status}, 200, 'custom by webhook';
$r = $s->post('/v1/notifications', { recipient => 'carol',
    template => $CUSTOM, title => 'from v1', body => '*hi*' }, { %$J, %$SVC });
is $r->{status}, 201, 'v1 with a template: 201' or diag $r->{content};
is deliveries("method = 'webhook' AND template IS NULL"), 3,
    'v1 with a template: a webhook delivery';
$r = $s->post('/v1/notifications', { recipient => 'carol',
    template => $CUSTOM, title => 'inbox only', channels => ['inbox'] },
    { %$J, %$SVC });
is $r->{status}, 201, 'v1 inbox only: 201';
is deliveries(), 4, 'v1 inbox only: no delivery';
$r = $s->post('/v1/notifications', { recipient => 'carol',
    title => 'plain', body => 'b', channels => ['webhook'] }, { %$J, %$SVC });
is $r->{status}, 201, 'v1 webhook channel: 201';
ok Herald::Delivery::wait_until(60, sub {
    deliveries("state = 'sent'") == 5 }), 'v1: both sent';
@got = sort { ($a->{text} =~ /from v1/ ? 0 : 1) <=> ($b->{text} =~ /from v1/ ? 0 : 1) }
    (Herald::Delivery::received($sink))[2, 3];
$body = decode_json($got[0]{text});
is $body->{title}, 'from v1', 'v1 template post: Coder\'s body';
is $body->{body}, 'hi', 'v1 template post: plain text';
is $body->{payload}{user_username}, 'carol', 'v1 template post: carol';
$body = decode_json($got[1]{text});
is $body->{_version}, '1', 'channel post: Herald\'s body';
is $body->{notification}{subject}, 'plain', 'channel post: its notification';

# 7. Hostile labels: quotes, a backslash and markup stay text, in the
# actions (rendered one string at a time, so the JSON holds) and the body.
my $title = 'Say "hi" \\ & <go>';
$r = $s->post("$N/custom", { content => { title => $title,
    message => '"}]' } }, { %$J, %$BOB });
is $r->{status}, 204, 'hostile custom: 204' or diag $r->{content};
$n = $s->get("$N/inbox", $BOB)->{json}{notifications}[0];
is_deeply $n->{actions}, [{ label => "Open $title",
    url => 'https://coder.example/@bob/"}]' }],
    'hostile: the actions hold the labels as text';
ok Herald::Delivery::wait_until(60, sub {
    deliveries("state = 'sent'") == 6 }), 'hostile: sent';
@got = grep { $_->{text} =~ /go>/ } Herald::Delivery::received($sink);
is scalar @got, 1, 'hostile: one post';
$body = decode_json($got[0]{text});
is_deeply $body->{payload}{labels}, { custom_title => $title,
    custom_message => '"}]' }, 'hostile: the labels as given';
is_deeply $body->{payload}{actions}, $n->{actions}, 'hostile: the actions';
is $body->{title}, $title, 'hostile: the title, no markup to drop';
is $body->{body}, '"}]', 'hostile: the body';

Herald::Delivery::stop($d);
done_testing();
