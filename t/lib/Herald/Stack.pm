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
#
# The parts, each usable alone (their public helpers are documented there):
#   Herald::Paths     srcdir, builddir, herald_bin
#   Herald::Proc      spawning, /proc, stopping by PID, waiting for a port,
#                     the guardian
#   Herald::MariaDB   install-db cache, mariadbd, sql/sql_value/quote
#   Herald::Frontend  nginx, Apache (proxy_fcgi, fcgid, CGI), spawn-fcgi
#   Herald::Client    HTTP with JSON and per-dialect header presets
# This module composes them: it owns the PIDs, the signal handlers, the
# herald configuration and "herald serve", and keeps the API the tests use.

use v5.36;
use Carp qw(croak);
use Cwd qw(abs_path);
use File::Path qw(make_path remove_tree);
use File::Spec;
use File::Temp qw(tempdir);
use POSIX qw(_exit);
use Scalar::Util qw(refaddr);
use Time::HiRes qw(time sleep);
use Herald::Paths ();
use Herald::Proc qw(slurp spew tail prog run describe_exit proc_stat
    descendants);
use Herald::MariaDB ();
use Herald::Frontend ();
use Herald::Client ();

our $VERSION = '0.1';

# Every stack that is running in this process, so END and the signal
# handlers can stop them all.
my %LIVE;

# ---------------------------------------------------------------------------
# Locations and helpers, as Herald::Stack::NAME (see Herald::Paths and
# Herald::Proc).

sub srcdir { return Herald::Paths::srcdir() }
sub builddir { return Herald::Paths::builddir() }
sub herald_bin { return Herald::Paths::herald_bin() }
sub find_prog ($name, @dirs) { return Herald::Proc::find_prog($name, @dirs) }
sub slurp_file ($file) { return Herald::Proc::slurp($file) }
sub write_file ($file, $text, $mode = undef) {
	return Herald::Proc::spew($file, $text, $mode);
}
sub tail_file ($file, $n = 40) { return Herald::Proc::tail($file, $n) }

# The former private names, for code written against them.
{
	no warnings 'once';
	*_find_prog = \&Herald::Proc::find_prog;
	*_prog = \&Herald::Proc::prog;
	*_slurp = \&Herald::Proc::slurp;
	*_spew = \&Herald::Proc::spew;
	*_tail = \&Herald::Proc::tail;
	*_free_port = \&Herald::Proc::free_port;
	*_spawn = \&Herald::Proc::spawn;
	*_run = \&Herald::Proc::run;
	*_proc_stat = \&Herald::Proc::proc_stat;
	*_descendants = \&Herald::Proc::descendants;
	*_describe_exit = \&Herald::Proc::describe_exit;
}

# ---------------------------------------------------------------------------
# The owner protocol of Herald::Proc, Herald::MariaDB and Herald::Frontend

sub debug ($self, $what) {
	return unless $ENV{HERALD_STACK_DEBUG};
	printf STDERR "# stack: %-28s %6.3f s\n", $what, time - $self->{t0};
}

# Start a long-running process into a slot (mariadb_pid, herald_pid, ...),
# recorded for stop() and the guardian; returns its PID.
sub spawn_into ($self, $slot, $log, @cmd) {
	return Herald::Proc::spawn_into($self, $slot, $log, @cmd);
}

# Rewrite the guardian's PID list (after a slot changed by hand).
sub write_pids ($self) { Herald::Proc::write_pids($self) }

# True while $pid, a child of this process, runs (reaps it when it exited).
sub alive ($self, $pid) { return Herald::Proc::alive($self, $pid) }

# The wait status ($? style) of a child alive() has reaped, else undef.
sub exit_status ($self, $pid) { return $self->{exit}{$pid} }

# Signal a child and wait for it; SIGKILL after $grace s.
sub stop_pid ($self, $pid, $sig = 'TERM', $grace = 10) {
	return Herald::Proc::stop_pid($self, $pid, $sig, $grace);
}

sub wait_gone ($self, $pid, $secs) {
	return Herald::Proc::wait_gone($self, $pid, $secs);
}

{
	no warnings 'once';
	*_debug = \&debug;
	*_spawn_into = \&spawn_into;
	*_record_pids = \&write_pids;
	*_alive = \&alive;
	*_stop_pid = \&stop_pid;
	*_wait_gone = \&wait_gone;
}
sub _stop_foreign ($self, $procs, $grace) {
	return Herald::Proc::stop_foreign($procs, $grace);
}

# ---------------------------------------------------------------------------
# Herald

sub _write_config ($self, %opts) {
	my $dir = $self->{dir};
	my $pwfile = "$dir/db-password";
	spew($pwfile, "$self->{db_password}\n", 0600);

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
		# herald push (issue L), when the stack has it
		[push_listen => $self->{push_socket}],
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
	spew($self->{config_file}, $text);
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
	my $st = run($mlog, 60, $bin, '-c', $self->{config_file}, 'migrate');
	croak "herald migrate " . describe_exit($st) . "\n" . tail($mlog)
	    if $st != 0;
	$self->debug('migrated');

	my $fe = $self->{frontend};
	if ($fe eq 'apache-fcgid' || $fe eq 'cgi') {
		# Apache starts herald, as its own user: that user must reach
		# the directory and own the 0600 password file.
		if (my $u = Herald::Frontend::web_user()) {
			chmod(0711, $dir);
			chown($u->[1], $u->[2], $self->{config_file},
			    "$dir/db-password");
		}
		return;
	}
	chmod(0711, $dir) if $fe eq 'apache-proxy' && Herald::Frontend::web_user();
	return Herald::Frontend::start_spawn_fcgi($self, %opts) if $fe eq 'spawn-fcgi';

	$self->spawn_into('herald_pid', $self->{herald_log}, $bin, '-c',
	    $self->{config_file}, 'serve');
	my $deadline = time + 15;
	until (-S $self->{herald_socket}) {
		if (!$self->alive($self->{herald_pid})) {
			croak "herald serve " . describe_exit(
			    $self->{exit}{$self->{herald_pid}}) . "\n"
			    . tail($self->{herald_log});
		}
		croak "herald socket $self->{herald_socket} not there after "
		    . "15 s\n" . tail($self->{herald_log}) if time > $deadline;
		sleep 0.01;
	}
	$self->debug('herald listening');
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
		# Test stacks flush InnoDB's log about once a second, for speed
		# (Herald::MariaDB::@FAST_OPTS); durable => 1 (the quick start)
		# flushes at every commit.
		durable	=> $opts{durable} ? 1 : 0,
		# buffer_pool => MiB (a benchmark's): InnoDB's buffer pool,
		# instead of the test stacks' 64 MB.
		buffer_pool => $opts{buffer_pool},
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
	# Hold no other stack's pipe open, or that guardian never sees its EOF.
	Herald::Proc::start_guardian($self, grep { defined } values %LIVE);

	# push => 1 (issue L): herald push beside the pool, and nginx routes
	# the stream paths to it.
	$self->{push_socket} = "$self->{dir}/push.sock" if $opts{push};
	my $ok = eval {
		Herald::MariaDB::start($self, builddir());
		$self->_start_herald(%opts);
		$self->start_push if $opts{push};
		if ($fe eq 'nginx' || $fe eq 'spawn-fcgi') {
			Herald::Frontend::start_nginx($self, %opts);
		} else {
			Herald::Frontend::start_apache($self, %opts);
		}
		Herald::Frontend::warm_up($self) if $fe eq 'apache-fcgid';
		1;
	};
	if (!$ok) {
		my $err = $@;
		$self->{keep} = 1 if $ENV{HERALD_KEEP};
		$self->stop;
		croak "Herald::Stack->start failed: $err";
	}
	$self->client;
	$self->debug('stack up');
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

# Start "herald dispatch" (the delivery dispatcher) with this stack's
# configuration, output to DIR/$name.log; like every process of the stack
# it is stopped by stop(), the signal handlers and the guardian.  Returns
# its PID (our child: waitpid on it is fine).
sub start_dispatcher ($self, $name = 'dispatch') {
	return Herald::Proc::blocking_signals(sub {
		my $pid = Herald::Proc::spawn("$self->{dir}/$name.log",
		    herald_bin(), '-c', $self->{config_file}, 'dispatch');
		# The start time identifies it even once someone else reaped it.
		my $st = proc_stat($pid);
		push @{ $self->{dispatchers} }, [$pid, $st ? $st->{start} : 0];
		$self->write_pids;
		$pid;
	});
}

# Start "herald push" (issue L) with this stack's configuration, or with
# listen => PATH (another push process: "another host"), output to
# DIR/$name.log; waits for its socket.  Stopped by stop() by PID, like the
# dispatchers.  Returns its PID.
sub start_push ($self, %o) {
	my $name = $o{name} // 'push';
	my $conf = $self->{config_file};
	my $sock = $o{listen} // $self->{push_socket};
	if ($o{listen} || $o{config}) {
		my $text = slurp($self->{config_file});
		$text =~ s/^push_listen = .*\n//m;
		$text .= "push_listen = $sock\n";
		$text .= "$_ = $o{config}{$_}\n" for sort keys %{ $o{config} // {} };
		$conf = "$self->{dir}/$name.conf";
		spew($conf, $text);
	}
	unlink($sock);
	my $pid = Herald::Proc::blocking_signals(sub {
		my $pid = Herald::Proc::spawn("$self->{dir}/$name.log",
		    herald_bin(), '-c', $conf, 'push');
		my $st = proc_stat($pid);
		push @{ $self->{pushers} }, [$pid, $st ? $st->{start} : 0];
		$self->write_pids;
		$pid;
	});
	my $deadline = time + 15;
	until (-S $sock) {
		croak "herald push exited\n" . tail("$self->{dir}/$name.log")
		    unless $self->alive($pid);
		croak "herald push socket not there after 15 s\n"
		    . tail("$self->{dir}/$name.log") if time > $deadline;
		sleep 0.02;
	}
	return $pid;
}

sub push_socket ($self) { $self->{push_socket} }

# The PIDs of the dispatchers start_dispatcher started that still run.
sub dispatcher_pids ($self) {
	return map { $_->[0] } grep {
		!exists $self->{exit}{$_->[0]} && Herald::Proc::running(@$_)
	} @{ $self->{dispatchers} // [] };
}

# Code to run when a signal stops the stacks, before the process exits
# (END blocks do not run then): e.g. stopping the test's own helpers.
our @ON_SIGNAL;
sub on_signal ($class, $code) { push @ON_SIGNAL, $code }

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
		next unless $self->alive($pid);
		my %kids = descendants($pid);
		kill 'TERM', $pid;
		# mod_fcgid waits for its herald processes, which do not end on
		# SIGTERM (see _stop_foreign's callers): after 1 s, end them.
		my %h = map { $_ => $kids{$_} } grep {
			(readlink("/proc/$_/exe") // '') =~ m{/herald(?:\.cgi)?\z}
		} keys %kids;
		$self->wait_gone($pid, 1) or Herald::Proc::stop_foreign(\%h, 0.5);
		$self->stop_pid($pid, 'TERM', 10);
		Herald::Proc::stop_foreign(\%kids, 5);
	}
	# spawn-fcgi's responders (not our children).  herald with no command
	# catches SIGTERM (libfcgi's handler) and keeps running; SIGKILL then.
	if (my $sp = $self->{spawned}) {
		my %p;
		for my $pid (@$sp) {
			my $st = proc_stat($pid) or next;
			$p{$pid} = $st->{start};
		}
		Herald::Proc::stop_foreign(\%p, 1);
	}

	# Herald: note its workers before the master goes, so a worker left
	# behind (master killed) can still be ended by PID.
	my %workers;
	if ($self->{herald_pid} && $self->alive($self->{herald_pid})) {
		for my $w ($self->_herald_children) {
			my $st = proc_stat($w);
			$workers{$w} = $st->{start} if $st;
		}
	}
	$self->stop_pid($self->{herald_pid}, 'TERM', 10);
	my $deadline = time + 5;
	for my $w (keys %workers) {
		while (1) {
			my $st = proc_stat($w);
			last unless $st && $st->{start} eq $workers{$w}
			    && $st->{state} ne 'Z';
			if (time > $deadline) {
				kill 'KILL', $w;
				last;
			}
			sleep 0.01;
		}
	}

	# The delivery dispatchers (start_dispatcher), unless already stopped
	# and reaped by whoever started them (Herald::Delivery::stop).
	for my $d (@{ $self->{dispatchers} // [] }) {
		my ($pid, $start) = @$d;
		next if exists $self->{exit}{$pid};
		next unless Herald::Proc::running($pid, $start);
		$self->stop_pid($pid, 'TERM', 10);
	}

	# herald push processes (start_push), by PID.
	for my $d (@{ $self->{pushers} // [] }) {
		my ($pid, $start) = @$d;
		next if exists $self->{exit}{$pid};
		next unless Herald::Proc::running($pid, $start);
		$self->stop_pid($pid, 'TERM', 10);
	}

	$self->stop_pid($self->{mariadb_pid}, 'TERM', 60);

	# A failing test shows what Herald logged: the directory goes with
	# the guardian, and a 500 seen once in a full run could not be
	# explained without it.
	if (!$self->{keep} && $INC{'Test/Builder.pm'} && $self->{herald_log}
	    && -f $self->{herald_log} && !Test::Builder->new->is_passing) {
		print STDERR "# Herald::Stack: the test failed; herald's log "
		    . "ends:\n", map { "#   $_\n" } split /\n/,
		    tail_file($self->{herald_log}, 40);
	}

	# Nothing is left for the guardian; let it go before the directory does.
	if ($self->{guardian_pid}) {
		unlink("$self->{dir}/.pids");
		close(delete $self->{guardian_fh});
		$self->stop_pid($self->{guardian_pid}, 'KILL', 5)
		    if !$self->wait_gone($self->{guardian_pid}, 5);
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
			if (my $run = $Herald::Proc::RUNNING) {
				kill 'TERM', $run;
				waitpid($run, 0);
			}
			stop_all();
			for my $code (@ON_SIGNAL) {
				eval { $code->(); 1 }
				    or print STDERR "# on_signal: $@";
			}
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
		my $st = proc_stat($p) or next;
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
		    && $self->alive($self->{herald_pid});
		return ($self->{herald_pid}, $self->_herald_children);
	}
	return $self->worker_pids;
}

sub worker_pids ($self) {
	return $self->_herald_children if $self->{pool};
	if ($self->{spawned}) {
		return sort { $a <=> $b } grep {
			my $st = proc_stat($_);
			$st && $st->{state} ne 'Z';
		} @{ $self->{spawned} };
	}
	my $root = $self->{apache_pid} or return;
	my %d = descendants($root);
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
	my $t = slurp($self->{herald_log});
	$t .= slurp("$self->{dir}/apache-error.log")
	    if $self->{frontend} eq 'apache-fcgid' || $self->{frontend} eq 'cgi';
	return $t;
}

# The front end's error log (nginx's, or Apache's).
sub nginx_log_text ($self) {
	return slurp("$self->{dir}/apache-error.log")
	    if $self->{frontend} =~ /^apache|^cgi\z/;
	return slurp("$self->{dir}/nginx-error.log");
}
sub frontend_log_text ($self) { return $self->nginx_log_text }
sub mariadb_log_text ($self) { return slurp($self->{db_log}) }

# ---------------------------------------------------------------------------
# SQL (Herald::MariaDB, on this stack's server)

sub sql ($self, $statement, %o) {
	return Herald::MariaDB::sql($self->{db_socket}, $statement,
	    tmpdir => $self->{dir}, %o);
}

sub sql_value ($self, $statement) {
	return Herald::MariaDB::sql_value($self->{db_socket}, $statement,
	    tmpdir => $self->{dir});
}

sub quote ($class_or_self, $s) { return Herald::MariaDB::quote($s) }

# ---------------------------------------------------------------------------
# HTTP (Herald::Client, to this stack's front end)

sub url ($self, $path = '/') {
	$path = "/$path" unless $path =~ m{^/};
	return "http://127.0.0.1:$self->{port}$path";
}

# A client for this stack; with presets: $s->client(bearer => $tok).
sub client ($self, @presets) {
	$self->{client} //= Herald::Client->new(base => $self->url(''),
	    agent => "herald-tests/$VERSION");
	return @presets ? $self->{client}->with(@presets) : $self->{client};
}

sub json_codec { return Herald::Client->json_codec }

sub request ($self, $method, $path, $body = undef, $headers = {}) {
	return $self->client->request($method, $path, $body, $headers);
}

# The verbs are the client's own.
sub get ($self, @a) { return $self->client->get(@a) }
sub post ($self, @a) { return $self->client->post(@a) }
sub put ($self, @a) { return $self->client->put(@a) }
sub patch ($self, @a) { return $self->client->patch(@a) }
sub delete ($self, @a) { return $self->client->delete(@a) }

sub json_type ($class_or_self, $content, @path) {
	return Herald::Client->json_type($content, @path);
}

sub uri_escape ($class_or_self, $s) { return Herald::Client->uri_escape($s) }

sub path_q ($class_or_self, $path, @pairs) {
	return Herald::Client->path_q($path, @pairs);
}

1;
