#!/usr/bin/perl
# Writes rolled back by a conflict are run again (issue O, item 1): a
# notification whose insert waits on a lock longer than
# innodb_lock_wait_timeout is retried and stored once; one whose lock is
# held past every retry answers 503 and stores nothing.  (On Galera the
# same path serves certification failures, which are deadlock errors;
# t/cluster/ runs those.)
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Handle;
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Proc qw(prog);

my $s = Herald::Stack->start(workers => 1);
# Before any worker connects: every session then waits 1 s for a lock.
$s->sql('SET GLOBAL innodb_lock_wait_timeout = 1', db => '');

sub post ($subject) {
	return $s->post('/notification', { type => 'data', user => 'carol',
	    subject => $subject });
}
is(post('first')->{status}, 200, 'the first notification makes the user');

# A client holding carol's counter row for $secs, in the background;
# $HOLDER is its PID.
our $HOLDER;
sub hold_lock ($secs) {
	my @cmd = (prog('mariadb', 'mysql'), '--no-defaults', '-S',
	    $s->db_socket, '-uroot', '--unbuffered', 'herald');
	# The last holder's "locked" must not be read as this one's.
	unlink($s->dir . '/hold.out');
	my $pid = open(my $in, '|-') // die "fork: $!";
	$HOLDER = $pid;
	if ($pid == 0) {
		open(STDOUT, '>', $s->dir . '/hold.out');
		open(STDERR, '>&', \*STDOUT);
		exec(@cmd) or POSIX::_exit(127);
	}
	print $in "START TRANSACTION;\n"
	    . "SELECT c.total FROM note_counts c JOIN users u "
	    . "ON u.id = c.user_id WHERE u.username = 'carol' FOR UPDATE;\n"
	    . "SELECT 'locked';\nSELECT SLEEP($secs);\nCOMMIT;\n";
	$in->flush;
	# On a loaded machine the client may take a while to get the lock;
	# a test that went on without it would prove nothing.
	my $deadline = time + 60;
	sleep 0.02 until time > $deadline
	    || Herald::Proc::slurp($s->dir . '/hold.out') =~ /locked/;
	Herald::Proc::slurp($s->dir . '/hold.out') =~ /locked/
	    or BAIL_OUT('the lock holder did not get the lock in 60 s');
	return $in;
}

# 1. Held 1.6 s: the first run times out after 1 s, the retry gets it.
{
	my $h = hold_lock(1.6);
	my $t0 = time;
	my $r = post('second');
	my $took = time - $t0;
	close($h);
	is($r->{status}, 200, 'a write that waited past the lock timeout '
	    . 'succeeds on a retry') or diag($r->{body});
	is($s->sql_value("SELECT COUNT(*) FROM notifications "
	    . "WHERE subject = 'second'"), 1, '... and is stored once');
	cmp_ok($took, '>=', 1, "... after the lock was released ($took s)");
	like($s->log_text, qr/database conflict \(execute\): 1205/,
	    'the conflict is logged as one');
}

# 2. Held longer than every run (4 x 1 s + backoff): 503, nothing stored.
# The holder is ended (it rolls back) once the answer is in.
{
	my $h = hold_lock(120);
	my $t0 = time;
	my $r = post('third');
	my $took = time - $t0;
	kill 'TERM', $HOLDER;
	close($h);
	diag(sprintf('answered %d after %.1f s', $r->{status}, $took));
	is($r->{status}, 503, 'conflicts that outlast the retries answer '
	    . '503, not a hang') or diag($r->{body});
	is($s->sql_value("SELECT COUNT(*) FROM notifications "
	    . "WHERE subject = 'third'"), 0, '... and store nothing');
}
is(post('fourth')->{status}, 200, 'the next write goes through');

done_testing();
