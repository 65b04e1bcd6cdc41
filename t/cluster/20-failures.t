#!/usr/bin/perl
# Failures on the cluster (issue O):
#   - a database node killed under a write load: the pool on it fails
#     over to its next db_host (or answers 503 meanwhile, never 500), the
#     other pool keeps serving, and after the node rejoins every
#     acknowledged write is on all three nodes;
#   - a Herald pool killed under load: nginx routes around it, and no
#     request fails beyond those in flight at the kill.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP;
use POSIX qw(_exit);
use Time::HiRes qw(time sleep);
use Herald::Galera;

if (my $why = Herald::Galera::unavailable()) { plan skip_all => $why }
my $g = Herald::Galera->start;
diag(sprintf('cluster and pools up in %.1f s', $g->start_seconds));

# A writer: POST /notification through $client until $g->dir/stop exists,
# one line per request to $file: "status time subject".
sub writer ($name, $client) {
	my $file = $g->dir . "/$name.out";
	my $parent = $$;
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		open(my $fh, '>', $file) or _exit(1);
		$fh->autoflush(1);
		my $k = 0;
		# Until told, or until the test is gone (died).
		until (-e $g->dir . '/stop' || getppid() != $parent) {
			my $subject = sprintf('%s-%05d', $name, ++$k);
			my $r = $client->post('/notification', { type => 'data',
			    user => "u$name", subject => $subject });
			printf $fh "%d %.3f %s\n", $r->{status}, time, $subject;
		}
		_exit(0);
	}
	return { pid => $pid, file => $file, name => $name };
}

sub results ($w) {
	open(my $fh, '<', $w->{file}) or die "$w->{file}: $!";
	return map { chomp; [split ' '] } <$fh>;
}

sub stop_writers (@w) {
	open(my $fh, '>', $g->dir . '/stop') or die;
	close($fh);
	waitpid($_->{pid}, 0) for @w;
	unlink($g->dir . '/stop');
}

sub count_on ($n, $user) {
	return $g->sql_value($n, "SELECT COUNT(*) FROM notifications n JOIN "
	    . "users u ON u.id = n.user_id WHERE u.username = '$user'");
}

sub statuses (@r) {
	my %c;
	$c{$_->[0]}++ for @r;
	return join(', ', map { "$_ x $c{$_}" } sort keys %c);
}

# --- 1. Node 0 (pool 0's) killed under load, then rejoining -------------
{
	my @w = (writer('a', $g->pool_client(0)), writer('b',
	    $g->pool_client(1)));
	sleep 3;
	my $t_kill = time;
	$g->kill_node(0);
	note('node0 killed');
	sleep 8;
	$g->start_node(0);
	my $t_back = time;
	note(sprintf('node0 rejoined after %.1f s', $t_back - $t_kill));
	sleep 2;
	stop_writers(@w);

	my @a = results($w[0]);
	my @b = results($w[1]);
	diag('pool0 (on node0): ' . statuses(@a));
	diag('pool1 (on node1): ' . statuses(@b));
	ok(!(grep { $_->[0] != 200 && $_->[0] != 503 } @a),
	    'pool0 answers 200 or 503 only, never another error');
	ok((grep { $_->[0] == 200 && $_->[1] > $t_kill &&
	    $_->[1] < $t_back } @a) > 0,
	    'pool0 fails over: writes succeed while its node is down');
	ok(!(grep { $_->[0] != 200 && $_->[0] != 503 } @b),
	    'pool1 answers 200 or 503 only');
	my $b_ok_down = grep { $_->[0] == 200 && $_->[1] > $t_kill &&
	    $_->[1] < $t_back } @b;
	ok($b_ok_down > 0, "pool1 keeps serving while node0 is down "
	    . "($b_ok_down writes)");
	my $b_fail = grep { $_->[0] != 200 } @b;
	cmp_ok($b_fail, '<=', 3, 'pool1: at most the requests in flight at '
	    . 'the eviction failed');

	# Every acknowledged write, on every node, once.
	my %acked;
	$acked{$_->[2]} = $_->[0] for grep { $_->[0] == 200 } @a, @b;
	my $want = keys %acked;
	for my $n (0 .. 2) {
		my %on;
		my $deadline = time + 30;
		while (1) {
			%on = map { $_->[0] => $_->[1] } $g->sql($n,
			    "SELECT n.subject, COUNT(*) FROM notifications n "
			    . "JOIN users u ON u.id = n.user_id WHERE "
			    . "u.username IN ('ua', 'ub') GROUP BY n.subject");
			last if !(grep { !$on{$_} } keys %acked)
			    || time > $deadline;
			sleep 0.5;
		}
		my @lost = grep { !$on{$_} } keys %acked;
		my @twice = grep { $on{$_} > 1 } keys %on;
		is(scalar @lost, 0, "node$n: all $want acknowledged writes "
		    . 'there (0 lost)') or diag("lost: @lost[0 .. 4]");
		is(scalar @twice, 0, "node$n: none twice");
	}
	my @r = $g->sql(0, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'");
	is($r[0][1], 3, 'the cluster is whole again');
}

# --- 2. Pool 1 killed under load through the upstream ------------------
{
	my @w = map { writer("up$_", $g->client) } 1, 2;
	sleep 3;
	my $t_kill = time;
	$g->kill_pool(1);
	note('pool1 killed');
	sleep 4;
	stop_writers(@w);
	my @r = map { results($_) } @w;
	diag('through the upstream: ' . statuses(@r));
	my @failed = grep { $_->[0] != 200 } @r;
	cmp_ok(scalar @failed, '<=', scalar @w, 'no request failed beyond '
	    . 'those in flight at the kill (' . scalar(@w) . ' writers)');
	ok(!(grep { $_->[1] > $t_kill + 1 } @failed),
	    'none failed after the kill');
	ok((grep { $_->[0] == 200 && $_->[1] > $t_kill } @r) > 10,
	    'nginx routes every later request to pool0');
}
done_testing();
