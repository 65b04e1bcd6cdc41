package Herald::Fault;

# Fault injection and load for the reliability tests, on top of
# Herald::Stack: restart MariaDB or the Herald master of a running stack,
# run concurrent Perl load children, talk raw HTTP or raw FastCGI.
#
# Every process started here is a child of the test process, remembered by
# PID and stopped by PID.  A restarted mariadbd or herald master is put back
# in the stack's own slot (mariadb_pid / herald_pid), so Stack->stop and the
# stack's guardian stop it at the end like the original.
#
#   my @cmd = Herald::Fault::stop_mariadb($s);          # TERM, wait
#   Herald::Fault::start_mariadb($s);                   # same arguments
#   Herald::Fault::restart_herald($s);                  # TERM master, serve
#   my $l = Herald::Fault::load($s, children => 4, work => sub ($s, $i, $n) {
#       my $r = $s->get("/messages?user=u$i"); return ($r->{status}, '') });
#   ...; my @res = $l->stop;  # ({child, t0, dt, status, info}, ...)

use v5.36;
use Carp qw(croak);
use IO::Handle;
use IO::Socket::INET;
use IO::Socket::UNIX;
use POSIX qw(WNOHANG _exit);
use Socket qw(SOCK_STREAM);
use Time::HiRes qw(time sleep);

use Herald::Stack;

# ---------------------------------------------------------------------------
# Processes

sub cmdline ($pid) {
	open(my $fh, '<:raw', "/proc/$pid/cmdline") or croak
	    "/proc/$pid/cmdline: $!";
	local $/;
	my $t = <$fh> // '';
	my @a = split /\0/, $t;
	croak "empty command line for $pid" unless @a;
	return @a;
}

# True while $pid (a child of ours) runs; reaps it when it has exited.
sub alive ($s, $pid) {
	return 0 unless $pid;
	return $s->alive($pid) if $s->can('alive');
	my $r = waitpid($pid, WNOHANG);
	return 0 if $r == $pid;
	return kill(0, $pid) ? 1 : 0 if $r < 0;
	return 1;
}

# Is any process (our child or not) with this PID still running?
sub running ($pid) {
	open(my $fh, '<', "/proc/$pid/stat") or return 0;
	my $l = <$fh> // '';
	my $rp = rindex($l, ')');
	return 0 if $rp < 0;
	my ($state) = split ' ', substr($l, $rp + 2);
	return $state ne 'Z' && $state ne 'X';
}

sub wait_gone ($s, $pid, $secs) {
	my $deadline = time + $secs;
	while (alive($s, $pid)) {
		return 0 if time > $deadline;
		sleep 0.01;
	}
	return 1;
}

sub _spawn_slot ($s, $slot, $log, @cmd) {
	if ($s->can('spawn_into')) {
		return $s->spawn_into($slot, $log, @cmd);
	}
	my $pid = fork() // croak "fork: $!";
	if ($pid == 0) {
		$SIG{$_} = 'DEFAULT' for qw(INT TERM HUP PIPE);
		setpgrp(0, 0);
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>>', $log);
		open(STDERR, '>&', \*STDOUT);
		{ exec { $cmd[0] } @cmd; }
		_exit(127);
	}
	$s->{$slot} = $pid;
	$s->write_pids if $s->can('write_pids');
	return $pid;
}

# ---------------------------------------------------------------------------
# MariaDB

# Stop the stack's mariadbd by PID with $sig (TERM: a clean shutdown, KILL:
# a crash); remembers its command line for start_mariadb.  Returns the time
# it took.
sub stop_mariadb ($s, $sig = 'TERM', $grace = 60) {
	my $pid = $s->mariadb_pid or croak "no mariadbd";
	my @cmd = cmdline($pid);
	# /proc shows the path as exec'd; keep it.
	$s->{fault_mariadb_cmd} = \@cmd;
	my $t0 = time;
	kill $sig, $pid;
	if (!wait_gone($s, $pid, $grace)) {
		kill 'KILL', $pid;
		wait_gone($s, $pid, 10);
	}
	return time - $t0;
}

# Start mariadbd again with the arguments it had; wait until it answers.
# Returns the seconds until ready.
sub start_mariadb ($s, $timeout = 60) {
	my $cmd = $s->{fault_mariadb_cmd} or croak "stop_mariadb first";
	my $t0 = time;
	my $pid = _spawn_slot($s, 'mariadb_pid', $s->dir . '/mariadbd.out',
	    @$cmd);
	my $deadline = time + $timeout;
	while (1) {
		croak "mariadbd exited on restart\n"
		    . substr($s->mariadb_log_text, -2000)
		    unless alive($s, $pid);
		last if -S $s->db_socket
		    && eval { $s->sql('SELECT 1', db => ''); 1 };
		croak "mariadbd not ready after ${timeout}s" if time > $deadline;
		sleep 0.05;
	}
	return time - $t0;
}

# ---------------------------------------------------------------------------
# Herald

# Stop the master by PID (it drains its workers) and start "herald serve"
# again with the same config; wait for the socket.  wrapper => [cmd...]
# prepends a command (valgrind): it must exec herald in the same process.
sub restart_herald ($s, %o) {
	my $timeout = $o{timeout} // 15;
	my $old = $s->herald_pid;
	my @workers = $s->worker_pids;
	my @cmd = cmdline($old);
	$s->{fault_herald_cmd} //= [@cmd];
	@cmd = @{ $s->{fault_herald_cmd} };
	unshift @cmd, @{ $o{wrapper} } if $o{wrapper};
	kill 'TERM', $old;
	croak "herald master $old did not exit" unless wait_gone($s, $old, 35);
	my $deadline = time + 5;
	while (grep { running($_) } @workers) {
		if (time > $deadline) {
			kill 'KILL', grep { running($_) } @workers;
			last;
		}
		sleep 0.01;
	}
	my $sock = $s->herald_socket;
	my $pid = _spawn_slot($s, 'herald_pid', $s->dir . '/herald.log', @cmd);
	$deadline = time + $timeout;
	until (-S $sock) {
		croak "herald serve exited on restart" unless alive($s, $pid);
		croak "herald socket not there after ${timeout}s"
		    if time > $deadline;
		sleep 0.01;
	}
	# And its workers are up.
	my $want = $s->{opts}{workers} // 2;
	while ((() = $s->worker_pids) < $want && time < $deadline) {
		sleep 0.01;
	}
	return $pid;
}

# Resident set size of a process in KiB (VmRSS), or undef.
sub rss_kib ($pid) {
	open(my $fh, '<', "/proc/$pid/status") or return undef;
	while (<$fh>) {
		return $1 + 0 if /^VmRSS:\s+(\d+)\s+kB/;
	}
	return undef;
}

# ---------------------------------------------------------------------------
# Load

# Fork $o{children} children that each call $o{work}->($s, $child, $iter)
# in a loop until stopped (or $o{seconds} passed).  work returns
# (status, info); each call is logged with its start time and duration.
sub load ($s, %o) {
	my $n = $o{children} // 4;
	my $work = $o{work} or croak "work => sub needed";
	my $secs = $o{seconds} // 120;
	state $seq = 0;
	$seq++;
	my $base = $s->dir . "/load.$$.$seq";
	my $stop = "$base.stop";
	unlink $stop;
	my @kids;
	for my $i (0 .. $n - 1) {
		my $pid = fork() // croak "fork: $!";
		if ($pid == 0) {
			$SIG{$_} = 'DEFAULT' for qw(INT TERM HUP);
			$SIG{PIPE} = 'IGNORE';
			my $ok = eval {
				open(my $fh, '>', "$base.$i") or die "$base.$i: $!";
				$fh->autoflush(1);
				my $end = time + $secs;
				my $iter = 0;
				while (!-e $stop && time < $end) {
					my $t0 = time;
					my ($st, $info) = $work->($s, $i, $iter++);
					$info //= '';
					$info =~ s/[\r\n\t]/ /g;
					printf {$fh} "%d\t%.4f\t%.4f\t%s\t%s\n", $i,
					    $t0, time - $t0, $st // 0, $info;
				}
				close($fh);
				1;
			};
			print STDERR "# load child $i: $@" unless $ok;
			_exit($ok ? 0 : 1);
		}
		push @kids, $pid;
	}
	return bless { s => $s, kids => \@kids, base => $base, stop => $stop,
	    n => $n }, 'Herald::Fault::Load';
}

package Herald::Fault::Load {
	use v5.36;
	use POSIX qw(WNOHANG);
	use Time::HiRes qw(time sleep);

	sub pids ($self) { @{ $self->{kids} } }

	# Results so far (children keep running).
	sub peek ($self) { return $self->_read }

	sub _read ($self) {
		my @r;
		for my $i (0 .. $self->{n} - 1) {
			open(my $fh, '<', "$self->{base}.$i") or next;
			while (my $l = <$fh>) {
				next unless $l =~ /\n\z/;
				chomp $l;
				my ($c, $t0, $dt, $st, $info) = split /\t/, $l, 5;
				push @r, { child => $c, t0 => $t0, dt => $dt,
				    status => $st, info => $info // '' };
			}
		}
		return sort { $a->{t0} <=> $b->{t0} } @r;
	}

	# Ask the children to stop, wait for them (KILL after $grace s), and
	# return every logged call sorted by start time.
	sub stop ($self, $grace = 30) {
		if (open(my $fh, '>', $self->{stop})) { close($fh) }
		my $deadline = time + $grace;
		my %left = map { $_ => 1 } @{ $self->{kids} };
		while (%left) {
			for my $p (keys %left) {
				my $r = waitpid($p, WNOHANG);
				delete $left{$p} if $r == $p || $r < 0;
			}
			last unless %left;
			if (time > $deadline) {
				kill 'KILL', keys %left;
				waitpid($_, 0) for keys %left;
				last;
			}
			sleep 0.01;
		}
		$self->{kids} = [];
		my @r = $self->_read;
		unlink(glob("$self->{base}.*"));
		return @r;
	}

	sub DESTROY ($self) {
		$self->stop(5) if @{ $self->{kids} // [] };
	}
}

# ---------------------------------------------------------------------------
# Raw HTTP (for requests HTTP::Tiny will not send)

# Send $bytes to nginx, optionally half-close, read the answer (with a
# timeout).  Returns { status, head, content, secs } (status 0: none).
sub raw_http ($s, $bytes, %o) {
	my $t0 = time;
	my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $s->port, Proto => 'tcp', Timeout => 5)
	    or croak "connect: $!";
	$c->autoflush(1);
	print {$c} $bytes;
	shutdown($c, 1) if $o{half_close};
	my $buf = '';
	my $deadline = time + ($o{timeout} // 30);
	my $sel = '';
	vec($sel, fileno($c), 1) = 1;
	while (time < $deadline) {
		my $r = $sel;
		my $n = select($r, undef, undef, 0.2);
		next unless $n > 0;
		my $got = sysread($c, $buf, 65536, length $buf);
		last unless $got;
	}
	close($c);
	my ($head, $body) = split /\r\n\r\n/, $buf, 2;
	my ($st) = ($head // '') =~ m{^HTTP/\d\.\d (\d{3})};
	return { status => $st // 0, head => $head // '',
	    content => $body // '', secs => time - $t0 };
}

# ---------------------------------------------------------------------------
# Raw FastCGI straight to Herald's socket (to hold a request in flight)

sub _fcgi_rec ($type, $id, $content) {
	my $len = length $content;
	my $pad = (8 - $len % 8) % 8;
	return pack('CCnnCC', 1, $type, $id, $len, $pad, 0) . $content
	    . ("\0" x $pad);
}

sub _fcgi_len ($n) {
	return $n < 128 ? chr($n) : pack('N', $n | 0x80000000);
}

sub _fcgi_params (%env) {
	my $p = '';
	for my $k (sort keys %env) {
		$p .= _fcgi_len(length $k) . _fcgi_len(length $env{$k})
		    . $k . $env{$k};
	}
	return $p;
}

# Begin a FastCGI request and send all but the last $hold bytes of the body
# (env => {NAME => value} adds or replaces CGI variables).  Returns a handle
# for fcgi_finish.
sub fcgi_begin ($s, %o) {
	my $c = IO::Socket::UNIX->new(Type => SOCK_STREAM,
	    Peer => $s->herald_socket) or croak "connect fcgi: $!";
	$c->autoflush(1);
	my $body = $o{body} // '';
	my %env = (REQUEST_METHOD => $o{method} // 'POST',
	    SCRIPT_NAME => '', PATH_INFO => $o{path} // '/',
	    DOCUMENT_URI => $o{path} // '/',
	    QUERY_STRING => $o{query} // '',
	    CONTENT_LENGTH => $o{content_length} // length $body,
	    CONTENT_TYPE => 'application/json', REMOTE_ADDR => '127.0.0.1',
	    SERVER_PROTOCOL => 'HTTP/1.1', GATEWAY_INTERFACE => 'CGI/1.1',
	    %{ $o{env} // {} });
	my $hold = $o{hold} // 1;
	$hold = length $body if $hold > length $body;
	my $first = substr($body, 0, length($body) - $hold);
	my $msg = _fcgi_rec(1, 1, pack('nCx5', 1, 0))
	    . _fcgi_rec(4, 1, _fcgi_params(%env)) . _fcgi_rec(4, 1, '');
	$msg .= _fcgi_rec(5, 1, $first) if length $first;
	print {$c} $msg;
	return { sock => $c, rest => substr($body, length $first) };
}

# Send the rest of the body and read the response: { status, content } or
# status 0 when the connection closed without one.
sub fcgi_finish ($h, $timeout = 15) {
	my $c = $h->{sock};
	local $SIG{PIPE} = 'IGNORE';
	print {$c} _fcgi_rec(5, 1, $h->{rest}) if length $h->{rest};
	print {$c} _fcgi_rec(5, 1, '');
	my ($buf, $out) = ('', '');
	my $deadline = time + $timeout;
	my $sel = '';
	vec($sel, fileno($c), 1) = 1;
	my $ended = 0;
	while (!$ended && time < $deadline) {
		my $r = $sel;
		next unless select($r, undef, undef, 0.2) > 0;
		my $got = sysread($c, $buf, 65536, length $buf);
		last unless $got;
		while (length $buf >= 8) {
			my ($v, $type, $id, $len, $pad) = unpack('CCnnC', $buf);
			last if length $buf < 8 + $len + $pad;
			my $content = substr($buf, 8, $len);
			substr($buf, 0, 8 + $len + $pad) = '';
			$out .= $content if $type == 6;
			$ended = 1 if $type == 3;
		}
	}
	close($c);
	my ($head, $body) = split /\r?\n\r?\n/, $out, 2;
	my ($st) = ($head // '') =~ /^Status:\s*(\d{3})/mi;
	$st //= length($out) ? 200 : 0;
	return { status => $st + 0, content => $body // '', ended => $ended };
}

1;
