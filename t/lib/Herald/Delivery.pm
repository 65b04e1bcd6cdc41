package Herald::Delivery;

# Helpers for the delivery tests: an SMTP sink and an HTTP sink on
# loopback, and "herald dispatch" processes, all started here, remembered
# by PID and stopped by PID at the end (also when a test dies).

use v5.36;
use Carp qw(croak);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use Herald::Stack;

my %PIDS;

sub _free_port {
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
	    Proto => 'tcp', Listen => 1, ReuseAddr => 1) or croak "port: $!";
	my $p = $s->sockport;
	close($s);
	return $p;
}

sub _spawn ($log, @cmd) {
	my $pid = fork() // croak "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>>', $log) or POSIX::_exit(127);
		open(STDERR, '>&', \*STDOUT);
		exec(@cmd) or POSIX::_exit(127);
	}
	$PIDS{$pid} = 1;
	return $pid;
}

sub _wait_port ($port, $pid, $log) {
	my $deadline = time + 15;
	while (time < $deadline) {
		my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
		    PeerPort => $port, Proto => 'tcp', Timeout => 1);
		if ($c) { close($c); return }
		croak "sink exited:\n" . `tail -20 $log` if waitpid($pid, WNOHANG) == $pid;
		sleep 0.05;
	}
	croak "sink not listening on $port:\n" . `tail -20 $log`;
}

# A sink: {port, dir, pid, log}.  $kind is "smtp" or "http".
sub sink ($kind, %opt) {
	my $dir = $opt{dir} // tempdir('herald-sink-XXXXXX', TMPDIR => 1,
	    CLEANUP => 1);
	my $port = $opt{port} // _free_port();
	my $script = Herald::Stack::srcdir() . "/t/lib/sinks/${kind}_sink.py";
	my $log = "$dir/sink.log";
	# Debian's python3, which has python3-aiosmtpd (not another one on PATH).
	my $py = -x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3';
	my $pid = _spawn($log, $py, $script, $port, $dir);
	_wait_port($port, $pid, $log);
	return { port => $port, dir => $dir, pid => $pid, log => $log };
}

# Messages (or posts) the sink has received, oldest first.
sub received ($sink) {
	opendir(my $d, $sink->{dir}) or return ();
	my @f = sort grep { /^\d{4}\.(eml|json)$/ } readdir($d);
	closedir($d);
	return map {
		open(my $fh, '<:raw', "$sink->{dir}/$_") or croak "$_: $!";
		local $/;
		my $text = <$fh>;
		my $h = '';
		(my $base = $_) =~ s/\.\w+$//;
		if (open(my $hh, '<', "$sink->{dir}/$base.headers")) {
			$h = <$hh>;
		}
		{ file => $_, text => $text, headers => $h }
	} @f;
}

# Make the HTTP sink answer these statuses next, in order.
sub script ($sink, @statuses) {
	open(my $fh, '>', "$sink->{dir}/script.tmp") or croak $!;
	print $fh map { "$_\n" } @statuses;
	close($fh);
	rename("$sink->{dir}/script.tmp", "$sink->{dir}/script") or croak $!;
}

# Start "herald dispatch" against the stack's config; returns the PID.  The
# stack records it, so its stop(), signal handlers and guardian stop it too
# (also when the script is killed).
sub dispatcher ($stack, $name = 'dispatch') {
	if ($stack->can('start_dispatcher')) {
		my $pid = $stack->start_dispatcher($name);
		$PIDS{$pid} = 1;
		return $pid;
	}
	my $log = $stack->dir . "/$name.log";
	return _spawn($log, Herald::Stack::herald_bin(), '-c',
	    $stack->config_file, 'dispatch');
}

sub stop ($pid, $sig = 'TERM', $grace = 10) {
	return unless $pid && $PIDS{$pid};
	kill $sig, $pid;
	my $deadline = time + $grace;
	while (time < $deadline) {
		if (waitpid($pid, WNOHANG) == $pid) {
			delete $PIDS{$pid};
			return $?;
		}
		sleep 0.02;
	}
	kill 'KILL', $pid;
	waitpid($pid, 0);
	delete $PIDS{$pid};
	return $?;
}

# Poll $cond until it is true or $secs pass; returns its last value.
sub wait_until ($secs, $cond) {
	my $deadline = time + $secs;
	while (1) {
		my $v = $cond->();
		return $v if $v || time > $deadline;
		sleep 0.1;
	}
}

# A signal stops the stacks and exits without END blocks: stop ours then.
Herald::Stack->on_signal(sub { stop($_, 'TERM', 5) for keys %PIDS });

END {
	my $st = $?;
	stop($_, 'TERM', 5) for keys %PIDS;
	$? = $st;
}

1;
