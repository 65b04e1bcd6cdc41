#!/usr/bin/perl
# Webhook deliveries: the DE mail service's contract (webhook_format =
# agent-email), retries on 5xx, permanent failure on 4xx, a sink that is
# down while notifications are posted, two dispatchers, and a dispatcher
# killed in the middle of a batch.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP;
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Delivery;

my $sink_port = Herald::Delivery::_free_port();
my $s = Herald::Stack->start(config => {
	email_method => 'webhook',
	webhook_url => "http://127.0.0.1:$sink_port/mail",
	webhook_format => 'agent-email',
	# dispatch_batch x send_timeout must stay below the lease.
	send_timeout => 2,
	delivery_retry_base => 1,
	delivery_max_attempts => 10,
	delivery_lease => 5,
	dispatch_interval_ms => 100,
	dispatch_batch => 2,
});
my $J = JSON::PP->new->utf8->canonical;

sub notify ($user, $addr = "$user\@example.org") {
	my $t0 = time;
	my $r = $s->post('/notification', { type => 'data', user => $user,
	    subject => "hello $user", email => JSON::PP::true,
	    email_template => 'tmpl', payload => { email_address => $addr,
	    n => 1 } });
	return ($r, time - $t0);
}

sub settled { $s->sql_value("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'") == 0 }

sub posts ($sink) {
	return map { +{ %$_, json => eval { $J->decode($_->{text}) } } }
	    Herald::Delivery::received($sink);
}

# 1. The sink is down: every request still 200, at normal speed.
my $slowest = 0;
for my $u (map { "down$_" } 1 .. 5) {
	my ($r, $dt) = notify($u);
	is($r->{status}, 200, "$u: 200 while the mail service is down");
	$slowest = $dt if $dt > $slowest;
}
ok($slowest < 1, sprintf('no request waited on delivery (slowest %.3f s)', $slowest));
my $d1 = Herald::Delivery::dispatcher($s, 'd1');
ok(Herald::Delivery::wait_until(10, sub {
	$s->sql_value("SELECT COUNT(*) FROM deliveries WHERE attempts > 0") == 5
}), 'the dispatcher tried them all and failed');
is($s->sql_value("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'"), 5,
    '... and keeps them for a retry');
like($s->sql_value("SELECT last_error FROM deliveries LIMIT 1"), qr/webhook: /,
    '... recording why');

my $sink = Herald::Delivery::sink('http', port => $sink_port);
ok(Herald::Delivery::wait_until(20, \&settled), 'delivered once the sink is back');
my @p = posts($sink);
is(scalar @p, 5, 'five posts, one each');
is_deeply([ sort map { $_->{json}{to} } @p ], [ map { "down$_\@example.org" } 1 .. 5 ],
    'each to its address');
is_deeply([ sort keys %{ $p[0]{json} } ], [qw(subject template to values)],
    'the agent mail-service contract: {to, template, subject, values}');
is($p[0]{json}{template}, 'tmpl', 'template passed through');
is($p[0]{json}{values}{n}, 1, 'values is the payload');
like($p[0]{headers}, qr/^Content-Type: application\/json$/mi, 'JSON content type');
like($p[0]{headers}, qr/^X-Message-Id: [0-9a-f-]{36}$/mi, 'a message id header');
is($s->sql_value("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'"), 5, 'all sent');

# 2. 5xx then 2xx: retried, then sent.  4xx: failed for good.
Herald::Delivery::script($sink, 503, 500);
notify('retry1');
ok(Herald::Delivery::wait_until(15, \&settled), 'a 503, a 500, then 200: settled');
my @r = grep { ($_->{json}{to} // '') eq 'retry1@example.org' } posts($sink);
is(scalar @r, 3, 'three attempts reached the sink');
like($r[-1]{headers}, qr/^Status: 200$/m, 'the last one was accepted');
is($s->sql_value("SELECT CONCAT(state, ' ', attempts) FROM deliveries d JOIN notifications n "
    . "ON n.id = d.notification_id JOIN users u ON u.id = n.user_id WHERE u.username = 'retry1'"),
    'sent 3', 'recorded as sent after 3 attempts');

Herald::Delivery::script($sink, 422);
notify('perm1');
ok(Herald::Delivery::wait_until(10, \&settled), 'a 422: settled');
is($s->sql_value("SELECT CONCAT(state, ' ', attempts, ' ', last_error) FROM deliveries d "
    . "JOIN notifications n ON n.id = d.notification_id JOIN users u ON u.id = n.user_id "
    . "WHERE u.username = 'perm1'"), 'failed 1 webhook: HTTP 422', 'a 4xx fails permanently at once');

# 3. Two dispatchers against one database: each delivery sent once.
my $d2 = Herald::Delivery::dispatcher($s, 'd2');
Herald::Delivery::stop($d1);
$d1 = Herald::Delivery::dispatcher($s, 'd1b');
my $before = scalar posts($sink);
notify("pair$_") for 1 .. 40;
ok(Herald::Delivery::wait_until(30, \&settled), 'forty deliveries settled by two dispatchers');
my @pair = grep { ($_->{json}{to} // '') =~ /^pair/ } posts($sink);
is(scalar @pair, 40, 'forty posts');
my %seen;
$seen{ $_->{json}{to} }++ for @pair;
is(scalar(grep { $seen{$_} != 1 } keys %seen), 0, 'no delivery sent twice');
is(scalar keys %seen, 40, 'every delivery sent');
Herald::Delivery::stop($d2);

# 4. A dispatcher killed -9 in the middle of a batch: its leases expire
#    and another dispatcher delivers the rest.
Herald::Delivery::stop($d1);
Herald::Delivery::script($sink, ('200:1') x 3);
notify("kill$_") for 1 .. 6;
my $victim = Herald::Delivery::dispatcher($s, 'victim');
ok(Herald::Delivery::wait_until(10, sub {
	scalar grep { ($_->{json}{to} // '') =~ /^kill/ } posts($sink)
}), 'the victim started sending');
kill 'KILL', $victim;
Herald::Delivery::stop($victim, 'KILL', 2);
my $leased = $s->sql_value("SELECT COUNT(*) FROM deliveries WHERE state = 'pending' "
    . "AND lease_owner IS NOT NULL");
ok($leased > 0, "the killed dispatcher left $leased leased deliveries");
my $rescuer = Herald::Delivery::dispatcher($s, 'rescuer');
ok(Herald::Delivery::wait_until(25, \&settled), 'all settled after the lease expired');
my %k;
$k{ $_->{json}{to} }++ for grep { ($_->{json}{to} // '') =~ /^kill/ } posts($sink);
is(scalar keys %k, 6, 'every one of the six delivered');
ok((grep { $k{$_} > 2 } keys %k) == 0, 'none more than twice (at most the one in flight is resent)');
is($s->sql_value("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'"), 5 + 1 + 40 + 6,
    'every delivery recorded as sent (but the 4xx one)');
Herald::Delivery::stop($rescuer);
done_testing();
