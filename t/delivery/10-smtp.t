#!/usr/bin/perl
# E-mail requests of the agent dialect, delivered through a real SMTP
# server on loopback by "herald dispatch", never on the request path.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time);
use Herald::Stack;
use Herald::Delivery;

my $smtp = Herald::Delivery::sink('smtp');
my $s = Herald::Stack->start(config => {
	email_method => 'smtp',
	smtp_url => "smtp://127.0.0.1:$smtp->{port}",
	smtp_tls => 'none',
	smtp_from => 'herald@example.org',
	delivery_retry_base => 1,
	delivery_max_attempts => 3,
	dispatch_interval_ms => 100,
});
my $bin = Herald::Stack::herald_bin();
my $conf = $s->config_file;

# A template, from a file as an operator would add it.
my $tfile = $s->dir . '/job_done.tmpl';
open(my $fh, '>', $tfile) or die $!;
print $fh "Subject: {{subject}} ({{payload.name}})\n\n"
    . "Hello {{user}},\n\n{{message}}\nAnalysis: {{ payload.name }}\n.\nEnd.\n";
close($fh);
is(system("$bin -c $conf template add job_done $tfile 2>/dev/null"), 0,
    'template add');
like(scalar qx{$bin -c $conf template list 2>/dev/null}, qr/^job_done\s+plain\s+\{\{subject\}\}/m,
    'template list shows it');
like(scalar qx{$bin -c $conf template show job_done 2>/dev/null},
    qr/^Subject: \{\{subject\}\} \(\{\{payload.name\}\}\)\n\nHello/,
    'template show prints it back');

open($fh, '>', $s->dir . '/bad.tmpl') or die $!;
print $fh "Subject: hi {{nonsense}}\n\nbody\n";
close($fh);
is(system("$bin -c $conf template add bad_var " . $s->dir . "/bad.tmpl 2>/dev/null"), 0,
    'a template with an unknown variable is stored');

sub notify (%f) {
	my $r = $s->post('/notification', { type => 'analysis', subject => 'Job done',
	    message => 'cat_0622 completed', %f });
	is($r->{status}, 200, "POST /notification for $f{user} is 200");
	return $r->{json}{id};
}

# The dispatcher is not running yet: requests are answered at once anyway.
my $t0 = time;
notify(user => 'ann', email => JSON::PP::true, email_template => 'job_done',
    payload => { email_address => 'ann@example.org', name => 'cat_0622' });
notify(user => 'bea', email => JSON::PP::true, email_template => 'no_such_template',
    payload => { email_address => 'bea@example.org' });
notify(user => 'cid', email => JSON::PP::true, email_template => 'bad_var',
    payload => { email_address => 'cid@example.org' });
notify(user => 'dan', email => JSON::PP::true, email_template => 'job_done',
    payload => { email_address => 'reject-dan@example.org', name => 'x' });
# Not deliverable: stored without a delivery, still 200 (agent.md §5.3).
notify(user => 'eve', email => JSON::PP::true, email_template => 'job_done',
    payload => { email_address => 'not an address' });
notify(user => 'fay', email => JSON::PP::true,
    payload => { email_address => 'fay@example.org' });
notify(user => 'gus', email => JSON::PP::false, email_template => 'job_done',
    payload => { email_address => 'gus@example.org' });
notify(user => 'hal', email => JSON::PP::true, email_template => 'job_done',
    payload => { email_address => "hal\@example.org\r\nBcc: x\@evil.example" });
ok(time - $t0 < 5, 'eight requests answered without waiting for any mail server');

is($s->sql_value('SELECT COUNT(*) FROM notifications'), 8, 'every notification stored');
is($s->sql_value('SELECT COUNT(*) FROM deliveries'), 4,
    'deliveries queued only for deliverable requests');
is($s->sql_value("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'"), 4,
    'all pending before a dispatcher runs');
is(scalar(Herald::Delivery::received($smtp)), 0, 'nothing sent yet');

my $d = Herald::Delivery::dispatcher($s);
ok(Herald::Delivery::wait_until(15, sub {
	$s->sql_value("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'") == 0
}), 'the dispatcher settles every delivery');

my @mail = Herald::Delivery::received($smtp);
is(scalar @mail, 1, 'exactly one message reached the SMTP server');
my $m = $mail[0]{text} // '';
like($m, qr/^X-Envelope-To: ann\@example\.org\r?$/m, 'sent to the payload address');
like($m, qr/^Subject: Job done \(cat_0622\)\r?$/m, 'subject rendered from the template');
like($m, qr/^From: herald\@example\.org\r?$/m, 'From is smtp_from');
like($m, qr/^Message-ID: <[0-9a-f-]{36}\@herald>\r?$/m, 'a stable Message-ID');
like($m, qr/Hello ann,\r?\n\r?\ncat_0622 completed\r?\nAnalysis: cat_0622\r?\n\.\r?\nEnd\./,
    'body rendered (a lone dot survives SMTP transparency)');

my %state = map { $_->[0] => [ $_->[1], $_->[2] // '' ] } $s->sql(
    'SELECT u.username, d.state, d.last_error FROM deliveries d '
    . 'JOIN notifications n ON n.id = d.notification_id JOIN users u ON u.id = n.user_id');
is($state{ann}[0], 'sent', 'ann: sent');
is($state{bea}[0], 'failed', 'bea: unknown template fails permanently');
like($state{bea}[1], qr/unknown template "no_such_template"/, '... with a clear reason');
is($state{cid}[0], 'failed', 'cid: unknown variable fails permanently');
like($state{cid}[1], qr/unknown variable "nonsense"/, '... naming the variable');
is($state{dan}[0], 'failed', 'dan: a 550 from the server is permanent');
like($state{dan}[1], qr/550/, '... and says so');
is($s->sql_value("SELECT attempts FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
    . "JOIN users u ON u.id = n.user_id WHERE u.username = 'dan'"), 1, 'a permanent failure is not retried');

my $r = $s->get('/messages?user=bea');
is($r->{json}{total}, '1', "a failed delivery leaves the notification alone");

like(scalar qx{$bin -c $conf deliveries --state failed 2>/dev/null},
    qr/smtp\s+failed\s+attempts 1 .*unknown template/, 'herald deliveries --state failed lists them');
like(scalar qx{$bin -c $conf deliveries 2>/dev/null}, qr/smtp\s+sent\s+attempts 1/,
    'herald deliveries lists the sent one');

is(Herald::Delivery::stop($d), 0, 'the dispatcher exits 0 on SIGTERM');
Herald::Delivery::stop($smtp->{pid});
done_testing();
