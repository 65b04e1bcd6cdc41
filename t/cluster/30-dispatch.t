#!/usr/bin/perl
# The dispatcher across nodes (issue O, item 3).  SELECT ... FOR UPDATE
# SKIP LOCKED is local to a node: two dispatchers on two nodes can lease
# the same row.  Galera certifies the two leases against each other and
# the second to commit fails (a deadlock error); the dispatcher sends
# only what its committed lease holds, so the loser never sends.
#   1. The mechanism, step by step in SQL: a lease held open on node1
#      loses to the same row's lease committed on node0.
#   2. Two "herald dispatch" on two nodes deliver each of 200 messages
#      exactly once (the HTTP sink of Herald::Delivery).
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Handle;
use JSON::PP;
use Time::HiRes qw(time sleep);
use Herald::Galera;
use Herald::Delivery;
use Herald::Proc qw(prog slurp);

if (my $why = Herald::Galera::unavailable()) { plan skip_all => $why }
my $sink = Herald::Delivery::sink('http');
my $g = Herald::Galera->start(config => {
	email_method => 'webhook',
	webhook_url => "http://127.0.0.1:$sink->{port}/hook",
	send_timeout => 5,
	delivery_lease => 60,
	dispatch_batch => 10,
	dispatch_interval_ms => 20,
});
diag(sprintf('cluster and pools up in %.1f s', $g->start_seconds));
my $J = JSON::PP->new->utf8->canonical;

sub notify ($client, $k) {
	return $client->post('/notification', { type => 'data',
	    user => "r$k", subject => "m$k", email => JSON::PP::true,
	    email_template => 't',
	    payload => { email_address => "m$k\@example.org" } });
}

# --- 1. Two leases of one row on two nodes ------------------------------
{
	is(notify($g->pool_client(0), 'race')->{status}, 200,
	    'a notification with a webhook delivery');
	my $id = $g->sql_value(0, 'SELECT HEX(id) FROM deliveries');
	my $due = "SELECT id FROM deliveries WHERE state = 'pending' "
	    . "AND (lease_until IS NULL OR lease_until < 1) LIMIT 1 "
	    . "FOR UPDATE SKIP LOCKED";
	# Node1: lease and hold, uncommitted.
	my $out = $g->dir . '/lease-node1.out';
	my $pid = open(my $b, '|-') // die "fork: $!";
	if ($pid == 0) {
		open(STDOUT, '>', $out);
		open(STDERR, '>&', \*STDOUT);
		exec(prog('mariadb', 'mysql'), '--no-defaults', '-S',
		    $g->node(1)->{socket}, '-uroot', '--unbuffered', '--force',
		    'herald') or POSIX::_exit(127);
	}
	print $b "SET SESSION wsrep_sync_wait = 1;\nSTART TRANSACTION;\n"
	    . "$due;\nUPDATE deliveries SET lease_owner = UNHEX(REPEAT('BB', "
	    . "16)), lease_until = 1e15 WHERE id = UNHEX('$id');\n"
	    . "SELECT 'held';\n";
	$b->flush;
	my $deadline = time + 20;
	sleep 0.05 until slurp($out) =~ /held/ || time > $deadline;
	like(slurp($out), qr/held/, 'node1: the row is leased in an open '
	    . 'transaction');
	# Node0: the same row, leased and committed first.
	$g->sql(0, "$due; UPDATE deliveries SET lease_owner = "
	    . "UNHEX(REPEAT('AA', 16)), lease_until = 1e15 WHERE id = "
	    . "UNHEX('$id')");
	print $b "COMMIT;\nSELECT 'done';\n";
	$b->flush;
	close($b);
	like(slurp($out), qr/ERROR 1213|Deadlock/, 'node1: its commit fails '
	    . 'with a deadlock error (certification conflict)')
	    or diag(slurp($out));
	for my $n (0 .. 2) {
		my $owner;
		Herald::Delivery::wait_until(10, sub {
			$owner = $g->sql_value($n, 'SELECT HEX(lease_owner) '
			    . "FROM deliveries WHERE id = UNHEX('$id')");
			($owner // '') eq 'AA' x 16;
		});
		is($owner, 'AA' x 16, "node$n: the lease is node0's");
	}
	# Out of the way of part 2.
	$g->sql(0, "UPDATE deliveries SET state = 'failed' WHERE id = "
	    . "UNHEX('$id')");
}

# --- 2. Two dispatchers on two nodes, 200 messages ----------------------
{
	my $fail = 0;
	for my $k (1 .. 200) {
		my $r = notify($g->pool_client($k % 2), $k);
		$fail++ if $r->{status} != 200;
	}
	is($fail, 0, '200 notifications with a delivery, through both pools');
	Herald::Delivery::wait_until(20, sub { $g->sql_value(1,
	    "SELECT COUNT(*) FROM deliveries WHERE state = 'pending'") == 200 });
	my @d = map { $g->start_dispatcher($_) } 0, 1;
	my $all = Herald::Delivery::wait_until(120, sub {
		$g->sql_value(0, "SELECT COUNT(*) FROM deliveries WHERE "
		    . "state = 'pending'") == 0 });
	ok($all, 'every delivery settled');
	sleep 2;	# anything sent twice would arrive now
	my @posts = map { eval { $J->decode($_->{text}) } // {} }
	    Herald::Delivery::received($sink);
	my %to;
	$to{ref $_->{to} eq 'ARRAY' ? join(',', @{ $_->{to} }) : $_->{to} // '?'}++
	    for @posts;
	is(scalar @posts, 200, 'the sink received 200 posts');
	is(scalar(grep { $_ ne '?' } keys %to), 200, '... for 200 distinct '
	    . 'messages');
	is(scalar(grep { $to{$_} > 1 } keys %to), 0, '... none twice');
	is($g->sql_value(2, "SELECT COUNT(*) FROM deliveries WHERE "
	    . "state = 'sent' AND attempts = 1"), 200,
	    'node2: 200 deliveries sent, each at its first attempt');
	my %by;
	for my $i (0, 1) {
		my $log = slurp($g->dir . "/dispatch$i.log");
		$by{$i} = () = $log =~ /database conflict/g;
	}
	diag("lease conflicts seen: dispatcher0 $by{0}, dispatcher1 $by{1}");
}
done_testing();
