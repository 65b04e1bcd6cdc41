#!/usr/bin/perl
# kill -9 a worker under load: the master replaces it, requests on the other
# workers succeed, the pool is back to full size within a second.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Fault;

my $W = 4;
my $s = Herald::Stack->start(workers => $W);
for my $i (0 .. 3) {
	$s->post('/notification', { type => 'data', user => "u$i",
	    subject => "seed $i" })->{status} == 200 or BAIL_OUT('seed failed');
}
my @before = $s->worker_pids;
is scalar(@before), $W, "$W workers";
sleep 1.2;	# older than the master's "died young" back-off (1 s)

my $load = Herald::Fault::load($s, children => 4, work => sub ($s, $i, $n) {
	my $r = $s->get("/messages?user=u$i&limit=5");
	return ($r->{status}, length $r->{content});
});
sleep 0.7;

my @killed;
for my $round (1 .. 2) {
	my @cur = $s->worker_pids;
	my $victim = $cur[$round % @cur];
	my $t0 = time;
	kill 'KILL', $victim;
	push @killed, [$victim, $t0];
	my ($back, $after);
	while (time - $t0 < 5) {
		my @now = $s->worker_pids;
		if (@now == $W && !grep { $_ == $victim } @now) {
			$back = time - $t0;
			$after = \@now;
			last;
		}
		sleep 0.005;
	}
	ok defined $back, "round $round: worker $victim replaced";
	cmp_ok $back // 99, '<=', 1.0,
	    sprintf("round %d: pool back to %d workers in %.3f s", $round, $W,
	    $back // 99);
	my %old = map { $_ => 1 } @cur;
	my @new = grep { !$old{$_} } @{ $after // [] };
	is scalar(@new), 1, "round $round: exactly one new worker pid (@new)";
	sleep 0.7;
}
my $t_end = time;
sleep 0.3;
my @res = $load->stop;

my @bad = grep { $_->{status} != 200 } @res;
cmp_ok scalar(@res), '>', 50, scalar(@res) . " requests under load";
# Only a request the killed worker had in hand may fail (nginx: 502).
cmp_ok scalar(@bad), '<=', scalar(@killed),
    'at most one failed request per killed worker';
for my $b (@bad) {
	is $b->{status}, 502, "a failed request is nginx's 502 for the dead "
	    . "worker's connection";
	ok scalar(grep { $b->{t0} <= $_->[1] + 0.01
	    && $b->{t0} + $b->{dt} >= $_->[1] } @killed),
	    'and it was in flight when a worker was killed';
}
my $r = $s->get('/messages?user=u1');
is $r->{status}, 200, 'a request after the load works';
my @w = $s->worker_pids;
is scalar(@w), $W, "pool at full size";
like $s->log_text, qr/died of signal 9/, 'the master logged the death';

done_testing;
