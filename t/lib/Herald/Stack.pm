package Herald::Stack;

# Integration-test harness: a private MariaDB, Herald and a web server in
# front of it, all inside one temporary directory, all on unix sockets or
# 127.0.0.1.  The front end is a parameter (frontend => NAME, default
# $ENV{HERALD_FRONTEND}, else nginx):
#
#   nginx         nginx -> "herald serve" (the pool)             [default]
#   apache-proxy  Apache mod_proxy_fcgi -> "herald serve"
#   apache-fcgid  Apache mod_fcgid, which starts herald itself (no command)
#   spawn-fcgi    nginx -> herald (no command) under spawn-fcgi -F workers
#   cgi           Apache mod_cgid + conf/apache/htaccess-cgi: one herald
#                 process per request
#
# The Apache front ends include the files of conf/apache/ as shipped, so what
# is tested is what ships.  Every process is started by this module, remembered
# by PID and stopped by PID (never by name), also when a test dies or the
# run is interrupted.
#
#   my $s = Herald::Stack->start(workers => 2, body_max => 2048,
#                                config => { log_level => 'debug' });
#   my $r = $s->post('/notification', { type => 'data', ... });
#   is $r->{status}, 200;  is $r->{json}{success}, JSON::PP::true;
#   my @rows = $s->sql('SELECT COUNT(*) FROM notifications');
#
# Environment:
#   HERALD_BIN         the binary (default ./herald in the build dir = cwd)
#   srcdir             the source tree (default: derived from this file)
#   HERALD_KEEP=1      keep the temporary directory (its path goes to stderr)
#   HERALD_TEST_CACHE  where a freshly installed MariaDB datadir is cached
#                      (default <builddir>/t/.cache); copied per stack
#   HERALD_TEST_NO_CACHE=1  run mariadb-install-db for every stack instead
#   HERALD_TEST_TMPDIR where the per-stack directories go (default $TMPDIR
#                      or /tmp; keep it short: unix socket paths are limited)
#   HERALD_STACK_DEBUG=1  print start-up timings to stderr
#   HERALD_FRONTEND    the default front end (see above)
#
# Timings on the 2-core CI machine kind: a stack starts in ~0.6-0.8 s with
# the cached datadir (~2.4 s the first time, when install-db runs: 1.1-1.9 s
# of it), and stops in ~0.15 s.

use v5.36;
use Carp qw(croak);
use Cwd qw(abs_path getcwd);
use Digest::MD5 qw(md5_hex);
use Errno qw(EINTR ECHILD);
use Fcntl qw(:flock);
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use File::Spec;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use IO::Socket::UNIX;
use JSON::PP;
use POSIX qw(WNOHANG _exit);
use Scalar::Util qw(refaddr);
use Time::HiRes qw(time sleep);

our $VERSION = '0.1';

my $JSON = JSON::PP->new->utf8->canonical;

# Every stack that is running in this process, so END and the signal
# handlers can stop them all.
my %LIVE;

# ---------------------------------------------------------------------------
# Locations

sub srcdir {
	if (defined $ENV{srcdir} && length $ENV{srcdir}) {
		my $d = abs_path($ENV{srcdir});
		return $d if defined $d && -d $d;
	}
	# t/lib/Herald/Stack.pm -> the repository root
	my $here = abs_path(__FILE__);
	return abs_path(dirname($here) . '/../../..');
}

sub builddir { return getcwd() }

sub herald_bin {
	my $bin = $ENV{HERALD_BIN} // './herald';
	$bin = File::Spec->rel2abs($bin, builddir());
	return $bin;
}

sub _find_prog ($name, @extra_dirs) {
	for my $d (split(/:/, $ENV{PATH} // ''), @extra_dirs) {
		next unless length $d;
		my $p = "$d/$name";
		return $p if -f $p && -x _;
	}
	return undef;
}

sub _prog ($name, @alts) {
	for my $n ($name, @alts) {
		my $p = _find_prog($n, '/usr/sbin', '/usr/local/sbin', '/sbin',
		    '/usr/bin', '/usr/local/bin');
		return $p if $p;
	}
	croak "Herald::Stack: cannot find $name in PATH";
}

# ---------------------------------------------------------------------------
# Small helpers

sub _debug ($self, $what) {
	return unless $ENV{HERALD_STACK_DEBUG};
	printf STDERR "# stack: %-28s %6.3f s\n", $what, time - $self->{t0};
}

sub _slurp ($file) {
	open(my $fh, '<:raw', $file) or return '';
	local $/;
	my $t = <$fh>;
	return $t // '';
}

sub _spew ($file, $text, $mode = undef) {
	open(my $fh, '>:raw', $file) or croak "cannot write $file: $!";
	chmod($mode, $fh) if defined $mode;
	print {$fh} $text or croak "cannot write $file: $!";
	close($fh) or croak "cannot write $file: $!";
}

sub _tail ($file, $n = 40) {
	return "($file: missing)\n" unless -e $file;
	my @l = split /\n/, _slurp($file);
	@l = @l[-$n .. -1] if @l > $n;
	return "---- tail of $file ----\n" . join("\n", @l) . "\n----\n";
}

sub _free_port {
	my $sock = IO::Socket::INET->new(
		LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp',
		Listen => 1, ReuseAddr => 1)
	    or croak "cannot bind 127.0.0.1:0: $!";
	my $port = $sock->sockport;
	close($sock);
	return $port;
}

sub _random_password {
	my $pw = '';
	if (open(my $fh, '<:raw', '/dev/urandom')) {
		read($fh, my $buf, 18) == 18 or croak "short read on /dev/urandom";
		$pw = unpack('H*', $buf);
	} else {
		$pw = md5_hex(time . $$ . rand());
	}
	return $pw;
}

# fork + exec with stdin from /dev/null and stdout+stderr to $log (appended).
sub _spawn ($log, @cmd) {
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

# Start a long-running process and record its PID in $self->{$slot} with
# INT/TERM/HUP blocked, so a signal cannot arrive between the fork and the
# record (the handler would not know the PID and leave the process behind).
sub _spawn_into ($self, $slot, $log, @cmd) {
	my $block = POSIX::SigSet->new(POSIX::SIGINT(), POSIX::SIGTERM(),
	    POSIX::SIGHUP());
	my $old = POSIX::SigSet->new;
	POSIX::sigprocmask(POSIX::SIG_BLOCK(), $block, $old);
	my $pid = eval { _spawn($log, @cmd) };
	my $err = $@;
	$self->{$slot} = $pid if $pid;
	$self->_record_pids if $pid;
	POSIX::sigprocmask(POSIX::SIG_SETMASK(), $old);
	die $err if $err;
	return $pid;
}

# ---------------------------------------------------------------------------
# The guardian: a small forked process that holds the read end of a pipe
# whose write end only this process has.  When this process goes away by any
# means -- including SIGKILL, SIGPIPE or a harness timeout, where no handler
# runs -- the guardian reads EOF and stops whatever is still running from the
# PID list (checked against the process start time, so a reused PID is never
# signalled), then removes the directory.  After a normal stop() it finds
# nothing left to do.

sub _record_pids ($self) {
	my $text = '';
	for my $what (qw(nginx apache herald mariadb)) {
		my $pid = $self->{"${what}_pid"} or next;
		my $st = _proc_stat($pid) or next;
		$text .= "$what $pid $st->{start}\n";
	}
	# spawn-fcgi's responders: not our children (spawn-fcgi exits).
	for my $pid (@{ $self->{spawned} // [] }) {
		my $st = _proc_stat($pid) or next;
		$text .= "spawned $pid $st->{start}\n";
	}
	my $tmp = "$self->{dir}/.pids.tmp";
	_spew($tmp, $text);
	rename($tmp, "$self->{dir}/.pids");
}

sub _start_guardian ($self) {
	pipe(my $r, my $w) or croak "pipe: $!";
	my $pid = fork() // croak "fork: $!";
	if ($pid == 0) {
		close($w);
		# Hold no other stack's pipe open, or that guardian never
		# sees its EOF.
		for my $o (grep { defined } values %LIVE) {
			close($o->{guardian_fh}) if $o->{guardian_fh};
		}
		$SIG{$_} = 'IGNORE' for qw(INT TERM HUP PIPE);
		setpgrp(0, 0);
		open(STDIN, '<', '/dev/null');
		# Also let go of the test's stdout/stderr (a TAP pipe).
		open(STDOUT, '>>', "$self->{dir}/guardian.log");
		open(STDERR, '>&', \*STDOUT);
		1 while sysread($r, my $buf, 4096);
		_guard_cleanup($self->{dir}, $self->{keep});
		_exit(0);
	}
	close($r);
	$self->{guardian_pid} = $pid;
	$self->{guardian_fh} = $w;	# close-on-exec: no spawned child holds it
}

sub _guard_cleanup ($dir, $keep) {
	my (%p, @spawned);
	if (open(my $fh, '<', "$dir/.pids")) {
		while (<$fh>) {
			my ($what, $pid, $start) = split;
			if ($what eq 'spawned') {
				push @spawned, [$pid, $start];
			} else {
				$p{$what} = [$pid, $start];
			}
		}
	}
	my $running = sub ($pid, $start) {
		my $st = _proc_stat($pid);
		return $st && $st->{start} eq $start && $st->{state} ne 'Z';
	};
	my $stop = sub ($pid, $start, $sig, $grace) {
		return unless $running->($pid, $start);
		kill $sig, $pid;
		my $deadline = time + $grace;
		while ($running->($pid, $start)) {
			if (time > $deadline) { kill 'KILL', $pid; last }
			sleep 0.02;
		}
	};
	# A server and everything it started (workers, mod_fcgid's and CGI
	# processes): the tree is noted before the root goes.
	my $stop_tree = sub ($pid, $start, $grace) {
		return unless $running->($pid, $start);
		my %kids = _descendants($pid);
		$stop->($pid, $start, 'TERM', $grace);
		$stop->($_, $kids{$_}, 'TERM', 5) for keys %kids;
	};
	$stop_tree->(@{ $p{nginx} }, 10) if $p{nginx};
	$stop_tree->(@{ $p{apache} }, 10) if $p{apache};
	$stop_tree->(@{ $p{herald} }, 10) if $p{herald};
	$stop->(@$_, 'TERM', 5) for @spawned;
	$stop->(@{ $p{mariadb} }, 'TERM', 60) if $p{mariadb};
	remove_tree($dir, { safe => 1 }) unless $keep || !-d $dir;
}

# Every process below $root: (pid => start time).
sub _descendants ($root) {
	my %kids;
	opendir(my $dh, '/proc') or return;
	for my $q (grep { /^\d+\z/ } readdir $dh) {
		my $st = _proc_stat($q) or next;
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

# Run a command to completion, stdout+stderr to $log; return the exit status
# ($? style).  Gives up (SIGKILL) after $timeout seconds.
our $RUNNING;	# the PID of the command _run waits for, for the handlers
sub _run ($log, $timeout, @cmd) {
	my $pid;
	{
		my $block = POSIX::SigSet->new(POSIX::SIGINT(),
		    POSIX::SIGTERM(), POSIX::SIGHUP());
		my $old = POSIX::SigSet->new;
		POSIX::sigprocmask(POSIX::SIG_BLOCK(), $block, $old);
		$pid = eval { _spawn($log, @cmd) };
		my $err = $@;
		$RUNNING = $pid;
		POSIX::sigprocmask(POSIX::SIG_SETMASK(), $old);
		die $err if $err;
	}
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
			croak "timed out after ${timeout}s: @cmd\n" . _tail($log);
		}
		sleep 0.01;
	}
}

# True while $pid (our child) is running; reaps it when it has exited and
# keeps its status in $self->{exit}{$pid}.
sub _alive ($self, $pid) {
	return 0 unless $pid;
	return 0 if exists $self->{exit}{$pid};
	my $r = waitpid($pid, WNOHANG);
	if ($r == $pid) {
		$self->{exit}{$pid} = $?;
		return 0;
	}
	if ($r < 0) {
		# Not our child (should not happen); fall back to kill 0.
		return kill(0, $pid) ? 1 : 0;
	}
	return 1;
}

sub _describe_exit ($st) {
	return 'still running' unless defined $st;
	return sprintf('killed by signal %d', $st & 127) if $st & 127;
	return sprintf('exited with status %d', $st >> 8);
}

# /proc/PID/stat: "pid (comm) state ppid ... starttime(22)"
sub _proc_stat ($pid) {
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

# ---------------------------------------------------------------------------
# MariaDB

sub _mariadb_version {
	my $bin = _prog('mariadbd', 'mysqld');
	my $v = `"$bin" --no-defaults --version 2>/dev/null`;
	$v =~ s/\s+\z//;
	return $v || 'unknown';
}

my @INSTALL_OPTS = ('--auth-root-authentication-method=socket',
    '--skip-test-db', '--skip-name-resolve');
my @INNODB_OPTS = ('--innodb-log-file-size=8M',
    '--innodb-buffer-pool-size=64M');

sub _install_db ($self, $datadir, $log) {
	my @cmd = (_prog('mariadb-install-db', 'mysql_install_db'),
	    '--no-defaults', "--datadir=$datadir", @INSTALL_OPTS, @INNODB_OPTS);
	push @cmd, '--user=root' if $> == 0;
	my $st = _run($log, 120, @cmd);
	croak "mariadb-install-db failed (" . _describe_exit($st) . ")\n"
	    . _tail($log) if $st != 0;
}

# A freshly installed datadir, installed once and then copied: install-db
# takes 1-2 s, a copy of the 26 MB result about 0.2 s.
sub _cached_datadir ($self) {
	my $cache = $ENV{HERALD_TEST_CACHE};
	$cache = builddir() . '/t/.cache'
	    unless defined $cache && length $cache;
	make_path($cache, { mode => 0700 }) unless -d $cache;
	$cache = abs_path($cache);
	my $key = substr(md5_hex(join("\0", _mariadb_version(), $>,
	    @INSTALL_OPTS, @INNODB_OPTS)), 0, 12);
	my $dir = "$cache/mariadb-datadir-$key";
	return $dir if -f "$dir/.herald-complete";

	open(my $lock, '>', "$cache/.lock") or croak "$cache/.lock: $!";
	flock($lock, LOCK_EX) or croak "flock: $!";
	if (!-f "$dir/.herald-complete") {
		my $tmp = "$cache/tmp-install.$$";
		remove_tree($tmp) if -e $tmp;
		remove_tree($dir) if -e $dir;
		$self->_install_db($tmp, "$self->{dir}/mariadb-install.log");
		_spew("$tmp/.herald-complete", "ok\n");
		rename($tmp, $dir) or croak "rename $tmp $dir: $!";
	}
	close($lock);
	return $dir;
}

sub _start_mariadb ($self) {
	my $dir = $self->{dir};
	my $data = "$dir/db";
	my $sock = "$dir/mysqld.sock";
	my $errlog = "$dir/mariadb-error.log";
	@$self{qw(db_data db_socket db_log)} = ($data, $sock, $errlog);

	my $reuse = $self->{persistent} && -f "$dir/db-ready";
	if ($reuse) {
		# A persistent directory (quickstart): keep its data.
	} elsif ($ENV{HERALD_TEST_NO_CACHE}) {
		$self->_install_db($data, "$dir/mariadb-install.log");
	} else {
		my $cached = $self->_cached_datadir;
		my $st = _run("$dir/mariadb-install.log", 60, 'cp', '-a',
		    $cached, $data);
		croak "cannot copy $cached: " . _describe_exit($st) . "\n"
		    . _tail("$dir/mariadb-install.log") if $st != 0;
		unlink("$data/.herald-complete");
	}
	$self->_debug('datadir ready');

	my @cmd = (_prog('mariadbd', 'mysqld'), '--no-defaults',
	    "--datadir=$data", "--socket=$sock", '--skip-networking',
	    "--pid-file=$dir/mariadbd.pid", "--log-error=$errlog",
	    '--skip-name-resolve', '--innodb-flush-log-at-trx-commit=2',
	    @INNODB_OPTS, '--innodb-buffer-pool-dump-at-shutdown=0',
	    '--innodb-buffer-pool-load-at-startup=0',
	    '--character-set-server=utf8mb4',
	    '--collation-server=utf8mb4_general_ci');
	push @cmd, '--user=root' if $> == 0;
	$self->_spawn_into('mariadb_pid', "$dir/mariadbd.out", @cmd);

	my $deadline = time + 30;
	while (1) {
		if (-S $sock) {
			my $c = IO::Socket::UNIX->new(Peer => $sock,
			    Type => SOCK_STREAM);
			if ($c) { close($c); last }
		}
		if (!$self->_alive($self->{mariadb_pid})) {
			croak "mariadbd " . _describe_exit(
			    $self->{exit}{$self->{mariadb_pid}}) . "\n"
			    . _tail($errlog) . _tail("$dir/mariadbd.out");
		}
		croak "mariadbd not ready after 30 s\n" . _tail($errlog)
		    if time > $deadline;
		sleep 0.02;
	}
	$self->_debug('mariadbd accepts');

	if ($reuse) {
		($self->{db_password} = _slurp("$dir/db-password")) =~ s/\s+\z//;
		return;
	}
	my $pw = _random_password();
	$self->{db_password} = $pw;
	$self->sql("CREATE DATABASE herald CHARACTER SET utf8mb4; "
	    . "CREATE USER herald\@localhost IDENTIFIED BY '$pw'; "
	    . "GRANT ALL ON herald.* TO herald\@localhost;", db => '');
	if ($self->{persistent}) {
		_spew("$dir/db-password", "$pw\n", 0600);
		_spew("$dir/db-ready", "ok\n");
	}
	$self->_debug('database created');
}

# ---------------------------------------------------------------------------
# Herald

sub _write_config ($self, %opts) {
	my $dir = $self->{dir};
	my $pwfile = "$dir/db-password";
	_spew($pwfile, "$self->{db_password}\n", 0600);

	my @conf = (
		# Empty: the responder modes inherit their socket on fd 0.
		[listen => $self->{pool} ? $self->{herald_socket} : ''],
		[socket_mode => '0666'],
		[workers => $opts{workers} // 2],
		[body_max => $opts{body_max} // 1048576],
		[db_socket => $self->{db_socket}],
		[db_name => 'herald'],
		[db_user => 'herald'],
		[db_password_file => $pwfile],
		[auth => 'trusted-network'],
		[log_level => 'info'],
		[schema_dir => srcdir() . '/schema'],
	);
	my %extra = %{ $opts{config} // {} };
	for my $kv (@conf) {
		$kv->[1] = delete $extra{$kv->[0]} if exists $extra{$kv->[0]};
	}
	push @conf, map { [$_ => $extra{$_}] } sort keys %extra;

	my $text = "# written by Herald::Stack\n";
	for my $kv (@conf) {
		next unless defined $kv->[1];	# undef = leave the key out
		$text .= "$kv->[0] = $kv->[1]\n";
	}
	$self->{config_file} = "$dir/herald.conf";
	_spew($self->{config_file}, $text);
}

# The user a root-started Apache runs its children (and so mod_fcgid's and
# CGI herald processes) as; undef when not root (they run as us).
sub _web_user {
	return undef unless $> == 0;
	for my $u (qw(www-data apache daemon nobody)) {
		my @pw = getpwnam($u);
		return [$u, $pw[2], $pw[3]] if @pw;
	}
	croak "Herald::Stack: no unprivileged user for Apache's children";
}

sub _start_herald ($self, %opts) {
	my $dir = $self->{dir};
	my $bin = herald_bin();
	croak "Herald binary $bin not found or not executable (build it, or "
	    . "set HERALD_BIN)" unless -f $bin && -x _;
	$self->{herald_socket} = "$dir/herald.sock";
	$self->{herald_log} = "$dir/herald.log";
	$self->_write_config(%opts);

	my $mlog = "$dir/herald-migrate.log";
	my $st = _run($mlog, 60, $bin, '-c', $self->{config_file}, 'migrate');
	croak "herald migrate " . _describe_exit($st) . "\n" . _tail($mlog)
	    if $st != 0;
	$self->_debug('migrated');

	my $fe = $self->{frontend};
	if ($fe eq 'apache-fcgid' || $fe eq 'cgi') {
		# Apache starts herald, as its own user: that user must reach
		# the directory and own the 0600 password file.
		if (my $u = _web_user()) {
			chmod(0711, $dir);
			chown($u->[1], $u->[2], $self->{config_file},
			    "$dir/db-password");
		}
		return;
	}
	chmod(0711, $dir) if $fe eq 'apache-proxy' && _web_user();
	return $self->_start_spawn_fcgi(%opts) if $fe eq 'spawn-fcgi';

	$self->_spawn_into('herald_pid', $self->{herald_log}, $bin, '-c',
	    $self->{config_file}, 'serve');
	my $deadline = time + 15;
	until (-S $self->{herald_socket}) {
		if (!$self->_alive($self->{herald_pid})) {
			croak "herald serve " . _describe_exit(
			    $self->{exit}{$self->{herald_pid}}) . "\n"
			    . _tail($self->{herald_log});
		}
		croak "herald socket $self->{herald_socket} not there after "
		    . "15 s\n" . _tail($self->{herald_log}) if time > $deadline;
		sleep 0.01;
	}
	$self->_debug('herald listening');
}

# spawn-fcgi -F N: N herald processes with no command, the socket on fd 0,
# the configuration from $HERALD_CONFIG.  spawn-fcgi exits once they run and
# sends their stderr to /dev/null, so a shell (exec'd away: same PID) sends
# it to herald.log; the PIDs come from its PID file.
sub _start_spawn_fcgi ($self, %opts) {
	my $dir = $self->{dir};
	my $n = $opts{workers} // 2;
	my $pidfile = "$dir/spawn-fcgi.pid";
	my $log = "$dir/spawn-fcgi.log";
	my $st = do {
		local $ENV{HERALD_CONFIG} = $self->{config_file};
		_run($log, 30, _prog('spawn-fcgi'), '-s', $self->{herald_socket},
		    '-M', '0666', '-F', $n, '-P', $pidfile, '--', '/bin/sh',
		    '-c', 'exec "$0" 2>>"$1"', herald_bin(), $self->{herald_log});
	};
	my @pids = grep { /^\d+\z/ } split /\s+/, _slurp($pidfile);
	$self->{spawned} = [map { $_ + 0 } @pids];
	$self->_record_pids;
	croak "spawn-fcgi " . _describe_exit($st) . "\n" . _tail($log)
	    if $st != 0;
	croak "spawn-fcgi started " . scalar(@pids) . " of $n\n" . _tail($log)
	    unless @pids == $n;
	$self->_debug('spawn-fcgi started');
}

# ---------------------------------------------------------------------------
# nginx

# Wait until the web server $what (pid $pid) accepts on $port: 1 when it
# does, 0 when it exited first (the caller reads why); dies after 15 s.
sub _await_port ($self, $what, $pid, $port, $errlog) {
	my $deadline = time + 15;
	while (1) {
		my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
		    PeerPort => $port, Proto => 'tcp', Timeout => 1);
		if ($c) {
			close($c);
			$self->{port} = $port;
			$self->_debug("$what accepts");
			return 1;
		}
		return 0 unless $self->_alive($pid);
		croak "$what not answering on 127.0.0.1:$port after 15 s\n"
		    . _tail($errlog) if time > $deadline;
		sleep 0.01;
	}
}

sub _write_nginx_conf ($self, $port) {
	my $dir = $self->{dir};
	my $params = srcdir() . '/conf/nginx/herald_params';
	croak "$params missing" unless -f $params;
	my $user = $> == 0 ? "user root;\n" : '';
	my $conf = <<"EOF";
${user}daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log info;

events {
    worker_connections 256;
}

http {
    client_body_temp_path $dir/nginx-client-body;
    proxy_temp_path $dir/nginx-proxy;
    fastcgi_temp_path $dir/nginx-fastcgi;
    uwsgi_temp_path $dir/nginx-uwsgi;
    scgi_temp_path $dir/nginx-scgi;
    access_log $dir/nginx-access.log;
    client_max_body_size 4m;
    default_type application/octet-stream;

    server {
        listen 127.0.0.1:$port;
        server_name _;

        location / {
            include $params;
            fastcgi_pass unix:$self->{herald_socket};
        }
    }
}
EOF
	$self->{nginx_conf} = "$dir/nginx.conf";
	_spew($self->{nginx_conf}, $conf);
}

sub _start_nginx ($self, %opts) {
	my $dir = $self->{dir};
	my $nginx = _prog('nginx');
	my $errlog = "$dir/nginx-error.log";
	my $tries = $opts{port} ? 1 : 5;
	for my $try (1 .. $tries) {
		my $port = $opts{port} // _free_port();
		$self->_write_nginx_conf($port);
		unlink($errlog);
		my $pid = $self->_spawn_into('nginx_pid', "$dir/nginx.out",
		    $nginx, '-p', "$dir/", '-c', $self->{nginx_conf});
		return if $self->_await_port('nginx', $pid, $port, $errlog);
		my $why = _describe_exit($self->{exit}{$pid});
		delete $self->{nginx_pid};
		my $log = _slurp($errlog) . _slurp("$dir/nginx.out");
		next if $try < $tries && $log =~ /Address already in use/;
		croak "nginx $why\n" . _tail($errlog) . _tail("$dir/nginx.out");
	}
}

# ---------------------------------------------------------------------------
# Apache (apache-proxy, apache-fcgid, cgi): a private instance, its own
# ServerRoot, PidFile, logs and runtime directory inside the stack directory,
# the site part included from conf/apache/ as shipped.

my $APACHE_MODULES = '/usr/lib/apache2/modules';

sub _apache_module ($name) {
	for my $d ($ENV{HERALD_APACHE_MODULES} // (), $APACHE_MODULES,
	    '/usr/lib64/httpd/modules', '/usr/libexec/apache2') {
		return "$d/mod_$name.so" if -f "$d/mod_$name.so";
	}
	croak "Herald::Stack: Apache module mod_$name.so not found (apt-get "
	    . "install apache2" . ($name eq 'fcgid' ? ' libapache2-mod-fcgid'
	    : '') . ")";
}

sub _write_apache_conf ($self, $port) {
	my $dir = $self->{dir};
	my $fe = $self->{frontend};
	my $confdir = srcdir() . '/conf/apache';
	my $run = "$dir/apache-run";
	make_path($run) unless -d $run;
	my @mods = qw(mpm_event authz_core alias env mime);
	my $site;
	if ($fe eq 'apache-proxy') {
		push @mods, qw(proxy proxy_fcgi);
		$site = <<"EOF2";
Define HERALD_SOCKET $self->{herald_socket}
Include $confdir/herald-proxy-fcgi.conf
EOF2
	} elsif ($fe eq 'apache-fcgid') {
		push @mods, 'fcgid';
		my $ipc = "$dir/fcgid";
		make_path($ipc) unless -d $ipc;
		if (my $u = _web_user()) { chown($u->[1], $u->[2], $ipc) }
		$site = <<"EOF2";
FcgidIPCDir $ipc
FcgidProcessTableFile $ipc/shm
Define HERALD_BIN ${\ herald_bin()}
Define HERALD_CONFIG $self->{config_file}
Include $confdir/herald-fcgid.conf
EOF2
	} else {
		# cgi: the shared-hosting .htaccess as shipped, the config
		# path replaced, next to a copy of the binary named herald.cgi.
		push @mods, qw(cgid rewrite);
		my $www = "$dir/www";
		make_path($www) unless -d $www;
		my $ht = _slurp("$confdir/htaccess-cgi");
		$ht =~ s/^(SetEnv\s+HERALD_CONFIG\s+)\S+/$1$self->{config_file}/m
		    or croak "htaccess-cgi: no SetEnv HERALD_CONFIG line";
		_spew("$www/.htaccess", $ht, 0644);
		my $st = _run("$dir/apache.out", 30, 'cp', herald_bin(),
		    "$www/herald.cgi");
		croak "cannot copy the herald binary" if $st != 0;
		chmod(0755, "$www/herald.cgi");
		$site = <<"EOF2";
ScriptSock $run/cgid.sock
<Directory "$www">
    AllowOverride All
    Require all granted
</Directory>
EOF2
	}
	my $load = join('', map {
		sprintf("LoadModule %s_module %s\n", $_, _apache_module($_))
	} @mods);
	my $u = _web_user();
	my $user = $u ? "User $u->[0]\nGroup #$u->[2]\n" : '';
	my $conf = <<"EOF2";
# written by Herald::Stack (front end $fe)
ServerRoot "$dir"
${load}${user}ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$dir/apache.pid"
DefaultRuntimeDir "$run"
Mutex file:$run default
ErrorLog "$dir/apache-error.log"
LogLevel warn
LogFormat "%h %l %u %t \\"%r\\" %>s %b %D" herald
CustomLog "$dir/apache-access.log" herald
TypesConfig /dev/null
StartServers 1
ServerLimit 4
ThreadsPerChild 25
MaxRequestWorkers 100
Timeout 30
LimitRequestBody 4194304
DocumentRoot "$dir/www"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
$site
EOF2
	make_path("$dir/www") unless -d "$dir/www";
	$self->{apache_conf} = "$dir/apache.conf";
	_spew($self->{apache_conf}, $conf);
}

sub _start_apache ($self, %opts) {
	my $dir = $self->{dir};
	my $httpd = _prog('apache2', 'httpd');
	my $errlog = "$dir/apache-error.log";
	my $tries = $opts{port} ? 1 : 5;
	for my $try (1 .. $tries) {
		my $port = $opts{port} // _free_port();
		$self->_write_apache_conf($port);
		unlink($errlog);
		# Debian's apache2 wants APACHE_* from /etc/apache2/envvars
		# only through apache2ctl; run directly, it needs none.
		my $pid = $self->_spawn_into('apache_pid', "$dir/apache.out",
		    $httpd, '-d', $dir, '-f', $self->{apache_conf},
		    '-DFOREGROUND');
		return if $self->_await_port('apache', $pid, $port, $errlog);
		my $why = _describe_exit($self->{exit}{$pid});
		delete $self->{apache_pid};
		my $log = _slurp($errlog) . _slurp("$dir/apache.out");
		next if $try < $tries && $log =~ /Address already in use/;
		croak "apache $why\n" . _tail($errlog) . _tail("$dir/apache.out");
	}
}

# The web server's "ready" is not the application's: mod_fcgid starts herald
# on the first request, so wait until one request has been answered.
sub _warm_up ($self) {
	my $deadline = time + 20;
	my $http = HTTP::Tiny->new(timeout => 10, keep_alive => 0);
	while (1) {
		my $r = $http->get($self->url('/'));
		return if $r->{status} == 200;
		croak "no 200 from GET / through $self->{frontend} within 20 s "
		    . "(last: $r->{status} $r->{content})\n"
		    . _tail("$self->{dir}/apache-error.log")
		    . _tail($self->{herald_log}) if time > $deadline;
		sleep 0.05;
	}
}

# ---------------------------------------------------------------------------
# Life cycle

our @FRONTENDS = qw(nginx apache-proxy apache-fcgid spawn-fcgi cgi);

sub start ($class, %opts) {
	my $fe = $opts{frontend} // $ENV{HERALD_FRONTEND};
	$fe = 'nginx' unless defined $fe && length $fe;
	croak "Herald::Stack: unknown frontend '$fe' (one of: "
	    . join(', ', @FRONTENDS) . ")" unless grep { $_ eq $fe } @FRONTENDS;
	my $self = bless {
		frontend => $fe,
		pool	=> ($fe eq 'nginx' || $fe eq 'apache-proxy'),
		t0	=> time,
		owner	=> $$,
		opts	=> \%opts,
		exit	=> {},
		keep	=> $opts{keep} // $ENV{HERALD_KEEP},
	}, $class;
	my $base = $ENV{HERALD_TEST_TMPDIR} // File::Spec->tmpdir;
	if (defined $opts{dir}) {
		# A directory that outlives the stack (quickstart's ./run).
		make_path($opts{dir}, { mode => 0700 }) unless -d $opts{dir};
		$self->{dir} = abs_path($opts{dir});
		$self->{persistent} = 1;
		$self->{keep} = 1;
	} else {
		$self->{dir} = tempdir('herald-stack-XXXXXX', DIR => $base,
		    CLEANUP => 0);
	}
	$LIVE{refaddr $self} = $self;
	Scalar::Util::weaken($LIVE{refaddr $self});
	_install_signal_handlers();
	$self->_start_guardian;

	my $ok = eval {
		$self->_start_mariadb;
		$self->_start_herald(%opts);
		if ($fe eq 'nginx' || $fe eq 'spawn-fcgi') {
			$self->_start_nginx(%opts);
		} else {
			$self->_start_apache(%opts);
		}
		$self->_warm_up if $fe eq 'apache-fcgid';
		1;
	};
	if (!$ok) {
		my $err = $@;
		$self->{keep} = 1 if $ENV{HERALD_KEEP};
		$self->stop;
		croak "Herald::Stack->start failed: $err";
	}
	$self->{http} = HTTP::Tiny->new(timeout => 15, keep_alive => 0,
	    agent => "herald-tests/$VERSION");
	$self->_debug('stack up');
	$self->{start_seconds} = time - $self->{t0};
	print STDERR "# Herald::Stack: keeping $self->{dir}\n" if $self->{keep};
	return $self;
}

sub start_seconds ($self) { $self->{start_seconds} }
sub dir ($self) { $self->{dir} }
sub port ($self) { $self->{port} }
sub db_socket ($self) { $self->{db_socket} }
sub herald_socket ($self) { $self->{herald_socket} }
sub config_file ($self) { $self->{config_file} }
sub herald_pid ($self) { $self->{herald_pid} }
sub nginx_pid ($self) { $self->{nginx_pid} }
sub mariadb_pid ($self) { $self->{mariadb_pid} }

# Signal one of our children and wait for it; SIGKILL after $grace s.
sub _stop_pid ($self, $pid, $sig, $grace) {
	return unless $pid;
	return unless $self->_alive($pid);
	kill $sig, $pid;
	my $deadline = time + $grace;
	while ($self->_alive($pid)) {
		if (time > $deadline) {
			kill 'KILL', $pid;
			waitpid($pid, 0);
			$self->{exit}{$pid} = $?;
			last;
		}
		sleep 0.01;
	}
}

# Wait for processes that are not our children (pid => start time) to end
# after a signal; SIGTERM, then SIGKILL when $grace s have passed.
sub _stop_foreign ($self, $procs, $grace) {
	my $mine = sub ($pid) {
		my $st = _proc_stat($pid);
		return $st && $st->{start} eq $procs->{$pid} && $st->{state} ne 'Z';
	};
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

sub _wait_gone ($self, $pid, $secs) {
	my $deadline = time + $secs;
	while ($self->_alive($pid)) {
		return 0 if time > $deadline;
		sleep 0.005;
	}
	return 1;
}

sub stop ($self) {
	return if $self->{stopped};
	return if $self->{owner} != $$;	# a forked child never stops them
	$self->{stopped} = 1;
	local ($?, $!, $@);
	# A second ^C must not cut the stopping short.
	local @SIG{qw(INT TERM HUP)} = ('IGNORE') x 3;

	# The web server first: no new requests reach Herald.  Whatever it
	# started (mod_fcgid's herald processes, CGI processes, cgid) is noted
	# before it goes and ended by PID if it outlives it.
	for my $slot (qw(nginx_pid apache_pid)) {
		my $pid = $self->{$slot} or next;
		next unless $self->_alive($pid);
		my %kids = _descendants($pid);
		kill 'TERM', $pid;
		# mod_fcgid waits for its herald processes, which do not end on
		# SIGTERM (see _stop_foreign's callers): after 1 s, end them.
		my %h = map { $_ => $kids{$_} } grep {
			(readlink("/proc/$_/exe") // '') =~ m{/herald(?:\.cgi)?\z}
		} keys %kids;
		$self->_wait_gone($pid, 1) or $self->_stop_foreign(\%h, 0.5);
		$self->_stop_pid($pid, 'TERM', 10);
		$self->_stop_foreign(\%kids, 5);
	}
	# spawn-fcgi's responders (not our children).  herald with no command
	# catches SIGTERM (libfcgi's handler) and keeps running; SIGKILL then.
	if (my $sp = $self->{spawned}) {
		my %p;
		for my $pid (@$sp) {
			my $st = _proc_stat($pid) or next;
			$p{$pid} = $st->{start};
		}
		$self->_stop_foreign(\%p, 1);
	}

	# Herald: note its workers before the master goes, so a worker left
	# behind (master killed) can still be ended by PID.
	my %workers;
	if ($self->{herald_pid} && $self->_alive($self->{herald_pid})) {
		for my $w ($self->_herald_children) {
			my $st = _proc_stat($w);
			$workers{$w} = $st->{start} if $st;
		}
	}
	$self->_stop_pid($self->{herald_pid}, 'TERM', 10);
	my $deadline = time + 5;
	for my $w (keys %workers) {
		while (1) {
			my $st = _proc_stat($w);
			last unless $st && $st->{start} eq $workers{$w}
			    && $st->{state} ne 'Z';
			if (time > $deadline) {
				kill 'KILL', $w;
				last;
			}
			sleep 0.01;
		}
	}

	$self->_stop_pid($self->{mariadb_pid}, 'TERM', 60);

	# Nothing is left for the guardian; let it go before the directory does.
	if ($self->{guardian_pid}) {
		unlink("$self->{dir}/.pids");
		close(delete $self->{guardian_fh});
		$self->_stop_pid($self->{guardian_pid}, 'KILL', 5)
		    if !$self->_wait_gone($self->{guardian_pid}, 5);
	}

	delete $LIVE{refaddr $self};
	if ($self->{keep}) {
		print STDERR "# Herald::Stack: kept $self->{dir}\n";
	} elsif ($self->{dir} && -d $self->{dir}) {
		remove_tree($self->{dir}, { safe => 1 });
	}
}

sub DESTROY ($self) {
	$self->stop if $self->{dir};
}

my $HANDLERS_SET;
sub _install_signal_handlers {
	return if $HANDLERS_SET++;
	for my $sig (qw(INT TERM HUP)) {
		my $prev = $SIG{$sig};
		$SIG{$sig} = sub {
			@SIG{qw(INT TERM HUP)} = ('IGNORE') x 3;
			if ($RUNNING) {
				kill 'TERM', $RUNNING;
				waitpid($RUNNING, 0);
			}
			stop_all();
			if (ref $prev eq 'CODE') {
				$prev->(@_);
			}
			my $num = { INT => 2, TERM => 15, HUP => 1 }->{$sig};
			_exit(128 + $num);
		};
	}
}

sub stop_all {
	for my $s (grep { defined } values %LIVE) {
		eval { $s->stop; 1 } or print STDERR "# stop failed: $@";
	}
}

END {
	stop_all();
}

# ---------------------------------------------------------------------------
# Introspection

sub _herald_children ($self) {
	my $master = $self->{herald_pid} or return;
	my @kids;
	opendir(my $dh, '/proc') or return;
	for my $p (readdir $dh) {
		next unless $p =~ /^\d+\z/;
		my $st = _proc_stat($p) or next;
		push @kids, $p + 0 if $st->{ppid} == $master && $st->{state} ne 'Z';
	}
	closedir($dh);
	return sort { $a <=> $b } @kids;
}

# The herald processes answering requests.  With the pool (nginx,
# apache-proxy): (master, worker, worker, ...).  Otherwise there is no
# master: spawn-fcgi's responders, or the herald processes Apache runs
# right now (mod_fcgid; CGI ones only while they answer).
sub herald_pids ($self) {
	if ($self->{pool}) {
		return unless $self->{herald_pid}
		    && $self->_alive($self->{herald_pid});
		return ($self->{herald_pid}, $self->_herald_children);
	}
	return $self->worker_pids;
}

sub worker_pids ($self) {
	return $self->_herald_children if $self->{pool};
	if ($self->{spawned}) {
		return sort { $a <=> $b } grep {
			my $st = _proc_stat($_);
			$st && $st->{state} ne 'Z';
		} @{ $self->{spawned} };
	}
	my $root = $self->{apache_pid} or return;
	my %d = _descendants($root);
	return sort { $a <=> $b } grep {
		my $exe = readlink("/proc/$_/exe") // '';
		$exe =~ m{/herald(?:\.cgi)?\z};
	} keys %d;
}

sub frontend ($self) { $self->{frontend} }
sub apache_pid ($self) { $self->{apache_pid} }

# Herald's own log.  Under mod_fcgid and CGI its standard error is Apache's
# error log, which then comes with it.
sub log_text ($self) {
	my $t = _slurp($self->{herald_log});
	$t .= _slurp("$self->{dir}/apache-error.log")
	    if $self->{frontend} eq 'apache-fcgid' || $self->{frontend} eq 'cgi';
	return $t;
}

# The front end's error log (nginx's, or Apache's).
sub nginx_log_text ($self) {
	return _slurp("$self->{dir}/apache-error.log")
	    if $self->{frontend} =~ /^apache|^cgi\z/;
	return _slurp("$self->{dir}/nginx-error.log");
}
sub frontend_log_text ($self) { return $self->nginx_log_text }
sub mariadb_log_text ($self) { return _slurp($self->{db_log}) }

# Run SQL as root on the private server.  Returns a list of rows, each an
# arrayref of column values (NULL -> undef).  Dies with the client's message
# on error.  The default database is "herald"; db => '' for none.
sub sql ($self, $statement, %o) {
	my $db = exists $o{db} ? $o{db} : 'herald';
	my $err = "$self->{dir}/sql-stderr.$$";
	my @cmd = (_prog('mariadb', 'mysql'), '--no-defaults',
	    '-S', $self->{db_socket}, '-uroot', '--batch', '--skip-column-names',
	    '--default-character-set=utf8mb4');
	push @cmd, $db if length $db;
	my $pid = open(my $out, '-|') // croak "fork: $!";
	if ($pid == 0) {
		eval {
			open(STDERR, '>', $err) or die "$err: $!";
			exec { $cmd[0] } @cmd, '-e', $statement
			    or die "exec: $!";
		};
		print STDERR $@;
		_exit(127);
	}
	binmode($out, ':raw');
	my @rows;
	while (my $line = <$out>) {
		chomp $line;
		my @f = map {
			my $v = $_;
			if ($v eq 'NULL') {
				undef;
			} else {
				$v =~ s/\\(.)/$1 eq 'n' ? "\n" : $1 eq 't' ? "\t"
				    : $1 eq '0' ? "\0" : $1/ge;
				utf8::decode($v);
				$v;
			}
		} split /\t/, $line, -1;
		push @rows, \@f;
	}
	close($out);
	my $st = $?;
	my $msg = _slurp($err);
	unlink($err);
	croak "SQL failed (" . _describe_exit($st) . "): $statement\n$msg"
	    if $st != 0;
	return @rows;
}

# The single value of a one-row, one-column query.
sub sql_value ($self, $statement) {
	my @rows = $self->sql($statement);
	croak "expected one row from: $statement (got " . scalar(@rows) . ")"
	    unless @rows == 1;
	return $rows[0][0];
}

# Quote a string as an SQL literal (for building sql() statements).
sub quote ($class_or_self, $s) {
	return 'NULL' unless defined $s;
	my $b = $s;
	utf8::encode($b) if utf8::is_utf8($b);
	$b =~ s/\\/\\\\/g;
	$b =~ s/'/\\'/g;
	$b =~ s/\0/\\0/g;
	return "'$b'";
}

# ---------------------------------------------------------------------------
# HTTP

sub url ($self, $path = '/') {
	$path = "/$path" unless $path =~ m{^/};
	return "http://127.0.0.1:$self->{port}$path";
}

sub json_codec { $JSON }

sub request ($self, $method, $path, $body = undef, $headers = {}) {
	my %h = %$headers;
	my %args = (headers => \%h);
	if (defined $body) {
		if (ref $body) {
			$body = $JSON->encode($body);
		} elsif (utf8::is_utf8($body)) {
			utf8::encode($body);
		}
		# As curl -d sends it.
		$h{'content-type'} //= 'application/x-www-form-urlencoded'
		    unless grep { lc $_ eq 'content-type' } keys %h;
		$args{content} = $body;
	}
	my $res = $self->{http}->request($method, $self->url($path), \%args);
	my $r = {
		status	=> $res->{status},
		reason	=> $res->{reason},
		headers	=> $res->{headers} // {},
		content	=> $res->{content} // '',
		json	=> undef,
	};
	if (length $r->{content}) {
		my $j = eval { JSON::PP->new->utf8->allow_nonref
		    ->decode($r->{content}) };
		$r->{json} = $j if ref $j;
	}
	$r->{content_type} = $r->{headers}{'content-type'} // '';
	return $r;
}

sub get ($self, $path, $headers = {}) {
	return $self->request('GET', $path, undef, $headers);
}

sub post ($self, $path, $body = undef, $headers = {}) {
	return $self->request('POST', $path, $body, $headers);
}

sub put ($self, $path, $body = undef, $headers = {}) {
	return $self->request('PUT', $path, $body, $headers);
}

sub delete ($self, $path, $body = undef, $headers = {}) {
	return $self->request('DELETE', $path, $body, $headers);
}

# The JSON type ('string', 'number', 'boolean', 'null', 'array', 'object',
# or undef when the path is absent) of the value at @path in a JSON text.
# Judged from a fresh decode, so earlier use of a decoded value in numeric
# or string context cannot change the answer.
sub json_type ($class_or_self, $content, @path) {
	my $d = eval { JSON::PP->new->utf8->allow_nonref->decode($content) };
	return undef if $@;
	for my $p (@path) {
		if (ref $d eq 'ARRAY') {
			return undef unless $p =~ /^-?\d+\z/ && $p < @$d;
			$d = $d->[$p];
		} elsif (ref $d eq 'HASH') {
			return undef unless exists $d->{$p};
			$d = $d->{$p};
		} else {
			return undef;
		}
	}
	return 'null' unless defined $d;
	return 'boolean' if JSON::PP::is_bool($d);
	return 'array' if ref $d eq 'ARRAY';
	return 'object' if ref $d eq 'HASH';
	require B;
	my $f = B::svref_2object(\$d)->FLAGS;
	return 'string' if $f & B::SVp_POK();
	return 'number' if $f & (B::SVp_IOK() | B::SVp_NOK());
	return 'string';
}

# Percent-encode a query-string value (space as %20).
sub uri_escape ($class_or_self, $s) {
	my $b = $s;
	utf8::encode($b) if utf8::is_utf8($b);
	$b =~ s/([^A-Za-z0-9\-._~])/sprintf('%%%02X', ord $1)/ge;
	return $b;
}

# Build "path?k=v&k=v" from a list of pairs (values percent-encoded).
sub path_q ($class_or_self, $path, @pairs) {
	my @q;
	while (@pairs) {
		my ($k, $v) = splice(@pairs, 0, 2);
		push @q, __PACKAGE__->uri_escape($k) . '='
		    . __PACKAGE__->uri_escape($v);
	}
	return @q ? "$path?" . join('&', @q) : $path;
}

1;
