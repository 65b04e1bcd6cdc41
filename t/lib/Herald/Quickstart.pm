package Herald::Quickstart;

# The quick start's stack for the deploy tests: t/lib/stack.pl started the
# way ./quickstart's run mode starts it (--dir, --auth token, --tokens,
# --dispatch), as a child of the test, on a free port and in a fresh
# directory of its own.
#
#   my $q = Herald::Quickstart::start();    # waits until it serves
#   # $q->{pid}, $q->{dir}, $q->{url}, $q->{db_socket}, $q->{out}
#   my %procs = Herald::Quickstart::processes($q);   # pid => start time
#   my $st = Herald::Quickstart::wait_exit($q, 60);  # $? style, or undef
#   Herald::Quickstart::cleanup($q);         # ends anything left, rm -r

use v5.36;
use Carp qw(croak);
use File::Path qw(remove_tree);
use File::Spec;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use POSIX qw(WNOHANG _exit);
use Time::HiRes qw(time sleep);
use Herald::Paths qw(srcdir herald_bin);
use Herald::Proc qw(slurp free_port descendants running proc_stat);

# Start it; %o: workers (default 2), timeout (s to wait for it, 120).
sub start (%o) {
	my $base = tempdir('herald-qs-XXXXXX', CLEANUP => 0,
	    DIR => $ENV{HERALD_TEST_TMPDIR} // File::Spec->tmpdir);
	my $dir = "$base/run";
	my $out = "$base/stack.out";
	my $port = free_port();
	my @cmd = ($^X, srcdir() . '/t/lib/stack.pl', '--port', $port,
	    '--dir', $dir, '--workers', $o{workers} // 2, '--auth', 'token',
	    '--tokens', '--dispatch', '--push');
	my $pid = fork() // croak "fork: $!";
	if ($pid == 0) {
		eval {
			$SIG{$_} = 'DEFAULT' for qw(INT TERM HUP PIPE);
			$ENV{HERALD_BIN} = herald_bin();
			open(STDIN, '<', '/dev/null') or die "stdin: $!";
			open(STDOUT, '>', $out) or die "$out: $!";
			open(STDERR, '>&', \*STDOUT) or die "stderr: $!";
			exec { $cmd[0] } @cmd or die "exec: $!";
		};
		print STDERR $@;
		_exit(127);
	}
	my $q = { pid => $pid, base => $base, dir => $dir, out => $out,
	    port => $port, url => "http://127.0.0.1:$port/",
	    db_socket => "$dir/mysqld.sock" };
	my $deadline = time + ($o{timeout} // 120);
	until (slurp($out) =~ /^Press Ctrl-C to stop\./m) {
		if (waitpid($pid, WNOHANG) == $pid) {
			$q->{status} = $?;
			croak "stack.pl exited ($?) before it served:\n"
			    . slurp($out);
		}
		if (time > $deadline) {
			kill 'TERM', $pid;
			croak "stack.pl not ready in time:\n" . slurp($out);
		}
		sleep 0.05;
	}
	my $r = HTTP::Tiny->new(timeout => 10)->get($q->{url});
	croak "GET / through the quick start: $r->{status}" unless
	    $r->{status} == 200;
	return $q;
}

# Every process the stack started and still runs: stack.pl's descendants
# (pid => start time), the script itself not included.
sub processes ($q) { return descendants($q->{pid}) }

# Wait for stack.pl to exit: its wait status, or undef after $secs.
sub wait_exit ($q, $secs) {
	return $q->{status} if exists $q->{status};
	my $deadline = time + $secs;
	while (time < $deadline) {
		if (waitpid($q->{pid}, WNOHANG) == $q->{pid}) {
			return $q->{status} = $?;
		}
		sleep 0.02;
	}
	return undef;
}

# Of the processes %$procs (pid => start time), those still running after
# up to $secs s: (pid => "comm args").
sub survivors ($procs, $secs) {
	my $deadline = time + $secs;
	my @left;
	while (1) {
		@left = grep { running($_, $procs->{$_}) } keys %$procs;
		last if !@left || time > $deadline;
		sleep 0.05;
	}
	return map {
		my $c = slurp("/proc/$_/cmdline");
		$c =~ tr/\0/ /;
		($_ => $c);
	} @left;
}

# End whatever is left (by PID, checked against its start time), the script
# included, and remove the directory.
sub cleanup ($q, $procs = {}) {
	if (!exists $q->{status}) {
		kill 'KILL', $q->{pid};
		waitpid($q->{pid}, 0);
		$q->{status} = $?;
	}
	my @left = grep { running($_, $procs->{$_}) } keys %$procs;
	kill 'KILL', @left if @left;
	remove_tree($q->{base}, { safe => 1 }) if $q->{base} && -d $q->{base};
}

1;
