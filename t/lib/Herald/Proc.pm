package Herald::Proc;

# Processes for the test harness: find a program, spawn it (stdin from
# /dev/null, output to a log, its own process group), run one to completion
# with a timeout, read /proc (state, parent, start time, descendants), stop
# processes by PID (checked against their start time, so a reused PID is
# never signalled), wait for a TCP port, and the guardian that stops what is
# left when the owning process dies by any means (SIGKILL included).
#
# Plain functions; nothing here knows about MariaDB, herald or a web server.
# An "owner" is any object (Herald::Stack) with {dir}, {exit} (reaped status
# by PID) and {keep}; the PIDs it records go to OWNER_DIR/.pids.
#
#   my $pid = Herald::Proc::spawn($log, @cmd);
#   my $st  = Herald::Proc::run($log, $timeout, @cmd);     # $? style
#   my %kids = Herald::Proc::descendants($pid);            # pid => start
#   Herald::Proc::stop_foreign(\%kids, $grace);
#   Herald::Proc::wait_port($port, $timeout, sub { alive });

use v5.36;
use Carp qw(croak);
use Digest::MD5 qw(md5_hex);
use Exporter qw(import);
use File::Path qw(remove_tree);
use IO::Socket::INET;
use POSIX qw(WNOHANG _exit);
use Time::HiRes qw(time sleep);

our @EXPORT_OK = qw(slurp spew tail find_prog prog free_port random_password
    spawn run proc_stat running descendants describe_exit alive stop_pid
    stop_foreign wait_gone wait_port spawn_into write_pids start_guardian
    guard_cleanup blocking_signals);

# ---------------------------------------------------------------------------
# Programs and files

# The first executable $name in PATH or @extra_dirs, or undef.
sub find_prog ($name, @extra_dirs) {
	for my $d (split(/:/, $ENV{PATH} // ''), @extra_dirs) {
		next unless length $d;
		my $p = "$d/$name";
		return $p if -f $p && -x _;
	}
	return undef;
}

# The first of $name, @alts found in PATH or the sbin/bin directories; dies
# when none is.
sub prog ($name, @alts) {
	for my $n ($name, @alts) {
		my $p = find_prog($n, '/usr/sbin', '/usr/local/sbin', '/sbin',
		    '/usr/bin', '/usr/local/bin');
		return $p if $p;
	}
	croak "Herald::Stack: cannot find $name in PATH";
}

# A whole file, raw ('' when it cannot be read).
sub slurp ($file) {
	open(my $fh, '<:raw', $file) or return '';
	local $/;
	my $t = <$fh>;
	return $t // '';
}

# Write a whole file, raw, optionally chmod'ed first; dies on error.
sub spew ($file, $text, $mode = undef) {
	open(my $fh, '>:raw', $file) or croak "cannot write $file: $!";
	chmod($mode, $fh) if defined $mode;
	print {$fh} $text or croak "cannot write $file: $!";
	close($fh) or croak "cannot write $file: $!";
}

# The last $n lines of a log, framed, for an error message.
sub tail ($file, $n = 40) {
	return "($file: missing)\n" unless -e $file;
	my @l = split /\n/, slurp($file);
	@l = @l[-$n .. -1] if @l > $n;
	return "---- tail of $file ----\n" . join("\n", @l) . "\n----\n";
}

# A port nothing listens on, picked outside the kernel's ephemeral range:
# one the kernel chose (a bind to port 0) it may hand to an outgoing
# connection before the server started here binds it -- a Galera node's
# IST listener lost its port so, to the node's own connections.
my %GIVEN;
sub free_port {
	my ($lo, $hi) = (10000, 32767);
	if (open(my $fh, '<', '/proc/sys/net/ipv4/ip_local_port_range')) {
		my ($a, $b) = split ' ', (<$fh> // '');
		if ($a && $a - 1 < $hi) {
			($lo, $hi) = $a - 1 >= 11000 ? (10000, $a - 1)
			    : ($b && $b < 64535 ? ($b + 1, 65535) : (0, 0));
		}
	}
	for (1 .. ($hi > $lo ? 500 : 0)) {
		my $port = $lo + int(rand($hi - $lo + 1));
		next if $GIVEN{$port};
		my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
		    LocalPort => $port, Proto => 'tcp', Listen => 1,
		    ReuseAddr => 1) or next;
		close($sock);
		$GIVEN{$port} = 1;
		return $port;
	}
	# No range outside the ephemeral one: let the kernel choose.
	my $sock = IO::Socket::INET->new(
		LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp',
		Listen => 1, ReuseAddr => 1)
	    or croak "cannot bind 127.0.0.1:0: $!";
	my $port = $sock->sockport;
	close($sock);
	return $port;
}

sub random_password {
	my $pw = '';
	if (open(my $fh, '<:raw', '/dev/urandom')) {
		read($fh, my $buf, 18) == 18 or croak "short read on /dev/urandom";
		$pw = unpack('H*', $buf);
	} else {
		$pw = md5_hex(time . $$ . rand());
	}
	return $pw;
}

# ---------------------------------------------------------------------------
# Starting processes

# Run $code with INT/TERM/HUP blocked, so a signal cannot arrive between a
# fork and the record of its PID (a handler would not know the PID and
# leave the process behind).  Returns what $code returns; rethrows.
sub blocking_signals ($code) {
	my $block = POSIX::SigSet->new(POSIX::SIGINT(), POSIX::SIGTERM(),
	    POSIX::SIGHUP());
	my $old = POSIX::SigSet->new;
	POSIX::sigprocmask(POSIX::SIG_BLOCK(), $block, $old);
	my @r = eval { $code->() };
	my $err = $@;
	POSIX::sigprocmask(POSIX::SIG_SETMASK(), $old);
	die $err if $err;
	return wantarray ? @r : $r[0];
}

# fork + exec with stdin from /dev/null and stdout+stderr to $log (appended).
sub spawn ($log, @cmd) {
	my $pid = fork() // croak "fork: $!";
	if ($pid == 0) {
		# The child must never run the parent's END blocks or DESTROYs.
		eval {
			$SIG{$_} = 'DEFAULT' for qw(INT TERM HUP PIPE);
			POSIX::sigprocmask(POSIX::SIG_SETMASK(),
			    POSIX::SigSet->new);
			setpgrp(0, 0);	# keep terminal ^C away from it; we stop it
			open(STDIN, '<', '/dev/null') or die "stdin: $!";
			open(STDOUT, '>>', $log) or die "$log: $!";
			open(STDERR, '>&', \*STDOUT) or die "stderr: $!";
			exec { $cmd[0] } @cmd or die "exec $cmd[0]: $!";
		};
		print STDERR "Herald::Stack: $@";
		_exit(127);
	}
	return $pid;
}

# Start a long-running process and record its PID in $owner->{$slot} (and
# OWNER_DIR/.pids, for the guardian) with INT/TERM/HUP blocked.
sub spawn_into ($owner, $slot, $log, @cmd) {
	return blocking_signals(sub {
		my $pid = spawn($log, @cmd);
		$owner->{$slot} = $pid;
		write_pids($owner);
		$pid;
	});
}

# Run a command to completion, stdout+stderr to $log; return the exit status
# ($? style).  Gives up (SIGKILL) after $timeout seconds.
our $RUNNING;	# the PID of the command run() waits for, for the handlers
sub run ($log, $timeout, @cmd) {
	my $pid = blocking_signals(sub { $RUNNING = spawn($log, @cmd) });
	my $deadline = time + $timeout;
	while (1) {
		my $r = waitpid($pid, WNOHANG);
		if ($r == $pid || $r < 0) {
			undef $RUNNING;
			return $r == $pid ? $? : -1;
		}
		if (time > $deadline) {
			undef $RUNNING;
			kill 'KILL', $pid;
			waitpid($pid, 0);
			croak "timed out after ${timeout}s: @cmd\n" . tail($log);
		}
		sleep 0.01;
	}
}

sub describe_exit ($st) {
	return 'still running' unless defined $st;
	return sprintf('killed by signal %d', $st & 127) if $st & 127;
	return sprintf('exited with status %d', $st >> 8);
}

# ---------------------------------------------------------------------------
# /proc

# /proc/PID/stat: "pid (comm) state ppid ... starttime(22)"
sub proc_stat ($pid) {
	open(my $fh, '<', "/proc/$pid/stat") or return;
	my $line = <$fh>;
	close($fh);
	return unless defined $line;
	my $rp = rindex($line, ')');
	return if $rp < 0;
	my @f = split ' ', substr($line, $rp + 2);
	# $f[0] = state (field 3), $f[1] = ppid (4), $f[19] = starttime (22)
	return { state => $f[0], ppid => $f[1], start => $f[19] };
}

# True while the process $pid that started at $start (proc_stat's start)
# runs: a PID reused by another process is not it.
sub running ($pid, $start) {
	my $st = proc_stat($pid);
	return $st && $st->{start} eq $start && $st->{state} ne 'Z';
}

# Every process below $root: (pid => start time).
sub descendants ($root) {
	my %kids;
	opendir(my $dh, '/proc') or return;
	for my $q (grep { /^\d+\z/ } readdir $dh) {
		my $st = proc_stat($q) or next;
		next if $st->{state} eq 'Z';
		push @{ $kids{$st->{ppid}} }, [$q + 0, $st->{start}];
	}
	closedir($dh);
	my (%out, @todo);
	@todo = ($root);
	while (defined(my $p = shift @todo)) {
		for my $k (@{ $kids{$p} // [] }) {
			next if exists $out{$k->[0]};
			$out{$k->[0]} = $k->[1];
			push @todo, $k->[0];
		}
	}
	return %out;
}

# ---------------------------------------------------------------------------
# Stopping processes

# True while $pid (a child of ours) is running; reaps it when it has exited
# and keeps its status in $owner->{exit}{$pid}.
sub alive ($owner, $pid) {
	return 0 unless $pid;
	return 0 if exists $owner->{exit}{$pid};
	my $r = waitpid($pid, WNOHANG);
	if ($r == $pid) {
		$owner->{exit}{$pid} = $?;
		return 0;
	}
	if ($r < 0) {
		# Not our child (should not happen); fall back to kill 0.
		return kill(0, $pid) ? 1 : 0;
	}
	return 1;
}

# Signal one of our children and wait for it; SIGKILL after $grace s.
sub stop_pid ($owner, $pid, $sig, $grace) {
	return unless $pid;
	return unless alive($owner, $pid);
	kill $sig, $pid;
	my $deadline = time + $grace;
	while (alive($owner, $pid)) {
		if (time > $deadline) {
			kill 'KILL', $pid;
			waitpid($pid, 0);
			$owner->{exit}{$pid} = $?;
			last;
		}
		sleep 0.01;
	}
}

# Wait for processes that are not our children (pid => start time) to end
# after a signal; SIGTERM, then SIGKILL when $grace s have passed.
sub stop_foreign ($procs, $grace) {
	my $mine = sub ($pid) { running($pid, $procs->{$pid}) };
	my @left = grep { $mine->($_) } keys %$procs;
	kill 'TERM', @left if @left;
	my $deadline = time + $grace;
	while (@left = grep { $mine->($_) } @left) {
		if (time > $deadline) {
			kill 'KILL', @left;
			last;
		}
		sleep 0.01;
	}
}

# Wait up to $secs for our child $pid to exit: 1 when it did.
sub wait_gone ($owner, $pid, $secs) {
	my $deadline = time + $secs;
	while (alive($owner, $pid)) {
		return 0 if time > $deadline;
		sleep 0.005;
	}
	return 1;
}

# Wait until something accepts on 127.0.0.1:$port: 1 when it does, 0 when
# $alive->() turns false first; dies after $timeout s with $why->() (a log
# tail) in the message.
sub wait_port ($port, $timeout, $alive, $what = 'server', $why = sub { '' }) {
	my $deadline = time + $timeout;
	while (1) {
		my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
		    PeerPort => $port, Proto => 'tcp', Timeout => 1);
		if ($c) {
			close($c);
			return 1;
		}
		return 0 unless $alive->();
		croak "$what not answering on 127.0.0.1:$port after "
		    . "$timeout s\n" . $why->() if time > $deadline;
		sleep 0.01;
	}
}

# ---------------------------------------------------------------------------
# The guardian: a small forked process that holds the read end of a pipe
# whose write end only this process has.  When this process goes away by any
# means -- including SIGKILL, SIGPIPE or a harness timeout, where no handler
# runs -- the guardian reads EOF and stops whatever is still running from the
# PID list (checked against the process start time, so a reused PID is never
# signalled), then removes the directory.  After a normal stop() it finds
# nothing left to do.

# The kinds of slot ("KIND_pid") the PID list knows, in the order the
# guardian stops them (see guard_cleanup).
our @SLOTS = qw(nginx apache herald mariadb);

# Write OWNER_DIR/.pids from $owner->{KIND_pid}, $owner->{spawned} (PIDs that
# are not our children: spawn-fcgi's responders) and $owner->{dispatchers}
# ([pid, start time] of each "herald dispatch").
sub write_pids ($owner) {
	my $text = '';
	for my $what (@SLOTS) {
		my $pid = $owner->{"${what}_pid"} or next;
		my $st = proc_stat($pid) or next;
		$text .= "$what $pid $st->{start}\n";
	}
	for my $pid (@{ $owner->{spawned} // [] }) {
		my $st = proc_stat($pid) or next;
		$text .= "spawned $pid $st->{start}\n";
	}
	for my $d (@{ $owner->{dispatchers} // [] }) {
		$text .= "dispatch $d->[0] $d->[1]\n" if running(@$d);
	}
	# Owners with several of a kind (Herald::Galera: three mariadbd, two
	# pools): [kind, pid, start] each.
	for my $m (@{ $owner->{more_pids} // [] }) {
		$text .= "$m->[0] $m->[1] $m->[2]\n" if running($m->[1], $m->[2]);
	}
	# herald push processes (issue L), the same way.
	for my $d (@{ $owner->{pushers} // [] }) {
		$text .= "push $d->[0] $d->[1]\n" if running(@$d);
	}
	my $tmp = "$owner->{dir}/.pids.tmp";
	spew($tmp, $text);
	rename($tmp, "$owner->{dir}/.pids");
}

# Fork the guardian of $owner; @others are owners whose pipes the guardian
# must not hold open (or their guardians never see EOF).
sub start_guardian ($owner, @others) {
	pipe(my $r, my $w) or croak "pipe: $!";
	my $pid = fork() // croak "fork: $!";
	if ($pid == 0) {
		close($w);
		for my $o (@others) {
			close($o->{guardian_fh}) if $o->{guardian_fh};
		}
		$SIG{$_} = 'IGNORE' for qw(INT TERM HUP PIPE);
		setpgrp(0, 0);
		open(STDIN, '<', '/dev/null');
		# Also let go of the test's stdout/stderr (a TAP pipe).
		open(STDOUT, '>>', "$owner->{dir}/guardian.log");
		open(STDERR, '>&', \*STDOUT);
		1 while sysread($r, my $buf, 4096);
		guard_cleanup($owner->{dir}, $owner->{keep});
		_exit(0);
	}
	close($r);
	$owner->{guardian_pid} = $pid;
	$owner->{guardian_fh} = $w;	# close-on-exec: no spawned child holds it
}

# Stop everything DIR/.pids lists, then remove DIR unless $keep.
sub guard_cleanup ($dir, $keep) {
	my (%p, @spawned, @dispatch, %more);
	if (open(my $fh, '<', "$dir/.pids")) {
		while (<$fh>) {
			my ($what, $pid, $start) = split;
			if ($what eq 'spawned') {
				push @spawned, [$pid, $start];
			} elsif ($what eq 'dispatch' || $what eq 'push') {
				push @dispatch, [$pid, $start];
			} elsif (exists $p{$what}) {
				push @{ $more{$what} }, [$pid, $start];
			} else {
				$p{$what} = [$pid, $start];
			}
		}
	}
	my $stop = sub ($pid, $start, $sig, $grace) {
		return unless running($pid, $start);
		kill $sig, $pid;
		my $deadline = time + $grace;
		while (running($pid, $start)) {
			if (time > $deadline) { kill 'KILL', $pid; last }
			sleep 0.02;
		}
	};
	# A server and everything it started (workers, mod_fcgid's and CGI
	# processes): the tree is noted before the root goes.
	my $stop_tree = sub ($pid, $start, $grace) {
		return unless running($pid, $start);
		my %kids = descendants($pid);
		$stop->($pid, $start, 'TERM', $grace);
		$stop->($_, $kids{$_}, 'TERM', 5) for keys %kids;
	};
	$stop_tree->(@{ $p{nginx} }, 10) if $p{nginx};
	$stop_tree->(@{ $p{apache} }, 10) if $p{apache};
	$stop_tree->(@{ $p{herald} }, 10) if $p{herald};
	$stop_tree->(@$_, 10) for @{ $more{herald} // [] };
	$stop->(@$_, 'TERM', 5) for @spawned;
	$stop_tree->(@$_, 10) for @dispatch;
	$stop->(@{ $p{mariadb} }, 'TERM', 60) if $p{mariadb};
	$stop->(@$_, 'TERM', 60) for @{ $more{mariadb} // [] };
	remove_tree($dir, { safe => 1 }) unless $keep || !-d $dir;
}

1;
