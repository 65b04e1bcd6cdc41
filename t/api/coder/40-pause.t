#!/usr/bin/perl
# notifier_paused (Coder's settings, issue J): while the tenant's notifier
# is paused "herald dispatch" leases nothing of it; it delivers once the
# setting flips back.  A real webhook sink receives the posts.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use Herald::Delivery;
use AuthTest;

my $port = Herald::Delivery::_free_port();
my $s = Herald::Stack->start(config => { auth => 'token',
    email_method => 'webhook', webhook_url => "http://127.0.0.1:$port/hook",
    dispatch_interval_ms => 100, delivery_lease => 5,
    send_timeout => 2, dispatch_batch => 2 });
my $ADMIN = { 'Coder-Session-Token' => make_token($s, 'root', 'admin') };
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $N = '/api/v2/notifications';
my $sink = Herald::Delivery::sink('http', port => $port);
my $d = Herald::Delivery::dispatcher($s, 'd1');

my $r = $s->put("$N/settings", { notifier_paused => JSON::PP::true }, $ADMIN);
is $r->{status}, 200, 'paused';
for my $i (1 .. 3) {
	$r = $s->post('/v1/notifications', { recipient => 'alice',
	    title => "t$i", body => 'b', channels => ['webhook'] },
	    { 'Content-Type' => 'application/json', %$SVC });
	is $r->{status}, 201, "created $i" or diag $r->{content};
}
sleep 2;
is $s->sql_value("SELECT COUNT(*) FROM deliveries WHERE attempts > 0 "
    . "OR lease_owner IS NOT NULL"), 0, 'paused: nothing leased';
is scalar(Herald::Delivery::received($sink)), 0, 'paused: nothing posted';
$r = $s->put("$N/settings", { notifier_paused => JSON::PP::false }, $ADMIN);
is $r->{status}, 200, 'resumed';
ok Herald::Delivery::wait_until(15, sub { $s->sql_value(
    "SELECT COUNT(*) FROM deliveries WHERE state = 'sent'") == 3 }),
    'resumed: all three sent';
is scalar(Herald::Delivery::received($sink)), 3, 'resumed: three posts';
done_testing();
