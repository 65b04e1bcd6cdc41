#!/usr/bin/perl
# AMQP on a Galera cluster (issue L): two "herald dispatch" on two nodes
# publish each user notification (outbox leases, as 30-dispatch.t) and
# each system notification (leased by one committed UPDATE, which Galera
# certifies: a second node's lease of the same row fails) exactly once,
# to a real RabbitMQ.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use Herald::Galera;
use Herald::Proc qw(free_port);
use Herald::Rabbit;

if (my $why = Herald::Galera::unavailable()) { plan skip_all => $why }
plan skip_all => 'rabbitmq-server or python3-pika is not installed'
    unless Herald::Rabbit::available();

my $port = free_port();
my $g = Herald::Galera->start(config => {
	amqp_url => "amqp://guest:guest\@127.0.0.1:$port/%2f",
	send_timeout => 5, delivery_lease => 60, dispatch_batch => 10,
	dispatch_interval_ms => 20,
});
diag(sprintf('cluster and pools up in %.1f s', $g->start_seconds));
my $mq = Herald::Rabbit->start(port => $port, others => [$g]);
$mq->consume;

sub wait_until ($secs, $cond) {
	my $deadline = time + $secs;
	until ($cond->()) {
		return 0 if time > $deadline;
		sleep 0.1;
	}
	return 1;
}

my ($fail, $N, $S) = (0, 100, 30);
for my $k (1 .. $N) {
	my $r = $g->pool_client($k % 2)->post('/notification', { type => 'data',
	    user => "r$k", subject => "m$k" });
	$fail++ if $r->{status} != 200;
}
my $until = int(time * 1000) + 3_600_000;
for my $k (1 .. $S) {
	my $r = $g->pool_client($k % 2)->put('/admin/system', {
	    type => 'announcement', message => "sys$k",
	    deactivation_date => $until });
	$fail++ if $r->{status} != 200;
}
is($fail, 0, "$N notifications and $S active system notifications, "
    . 'through both pools');
ok(wait_until(30, sub { $g->sql_value(1, "SELECT COUNT(*) FROM deliveries "
    . "WHERE method = 'amqp' AND state = 'pending'") == $N }),
    'node1 has every outbox row');

my @d = map { $g->start_dispatcher($_) } 0, 1;
ok(wait_until(180, sub { @{ $mq->messages } >= $N + $S }),
    'every one published') or diag(scalar @{ $mq->messages });
sleep 3;	# anything published twice would arrive now
my %n;
for my $m (@{ $mq->messages }) {
	my $k = $m->{key} eq 'system_message' ? "s:$m->{json}{message}" :
	    "n:$m->{key}:$m->{json}{message}{subject}";
	$n{$k}++;
}
is(scalar(grep { /^n:/ } keys %n), $N, "$N distinct notifications");
is(scalar(grep { /^s:/ } keys %n), $S, "$S distinct system notifications");
is(scalar(grep { $n{$_} > 1 } keys %n), 0, 'none twice')
    or diag(join ' ', grep { $n{$_} > 1 } keys %n);
is($g->sql_value(2, 'SELECT COUNT(*) FROM system_notifications WHERE '
    . 'published IS NOT NULL AND pub_owner IS NULL'), $S,
    'node2: every system notification marked published');
my %by = map { $_ => scalar(() = Herald::Proc::slurp($g->dir
    . "/dispatch$_.log") =~ /system notification\(s\) published/g) } 0, 1;
diag("system publication rounds: dispatcher0 $by{0}, dispatcher1 $by{1}");
$mq->stop;
done_testing();
