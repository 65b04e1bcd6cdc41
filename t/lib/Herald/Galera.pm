package Herald::Galera;

# A cluster for the t/cluster tests: a 3-node Galera cluster of MariaDB on
# loopback, two Herald pools each on a different node, and one nginx with
# an upstream over both pools (plus one port per pool, to reach a pool
# alone).  Everything lives in one temporary directory, is started here,
# remembered by PID and stopped by PID -- by stop(), END, the signal
# handlers, or the guardian (Herald::Proc) when the test dies by any means.
#
#   my $g = Herald::Galera->start(config => { ... });   # both pools
#   $g->client;            # through the upstream (both pools)
#   $g->pool_client($i);   # pool $i (0 or 1) alone
#   $g->sql($node, $sql);  # as root on node 0..2
#   $g->kill_node($n); $g->start_node($n); $g->wait_synced($n);
#   $g->kill_pool($i);
#   $g->start_dispatcher($i);   # "herald dispatch" with pool $i's config
#   $g->start_push($i);         # "herald push" likewise; its socket
#
# Pool $i talks to node $i first; with failover => 1 (the default) its
# db_host lists node 2 after it, so a pool whose node dies moves on.
#
# Settings (doc/capacity.md, README "Scaling out" use the same): wsrep
# provider libgalera_smm.so, gcomm:// over three gmcast ports, rsync SST,
# binlog_format=ROW, innodb_autoinc_lock_mode=2; node 0 bootstraps with
# --wsrep-new-cluster, the others join it (an SST each).  Forming takes
# 10-30 s on the 2-core CI machine kind.

use v5.36;
use Carp qw(croak);
use File::Path qw(make_path remove_tree);
use File::Spec;
use File::Temp qw(tempdir);
use POSIX ();
use Scalar::Util qw(refaddr weaken);
use Time::HiRes qw(time sleep);
use Herald::Paths ();
use Herald::Proc qw(slurp spew tail prog run describe_exit proc_stat
    free_port random_password);
use Herald::MariaDB ();
use Herald::Client ();

our $PROVIDER = '/usr/lib/galera/libgalera_smm.so';
our $NODES = 3;
our $POOLS = 2;

my %LIVE;

# Why this machine cannot run the cluster tests, or undef.
sub unavailable {
	return "$PROVIDER missing (apt-get install galera-4)" unless -f $PROVIDER;
	return 'rsync missing (apt-get install rsync)'
	    unless Herald::Proc::find_prog('rsync', '/usr/bin');
	return 'wsrep_sst_rsync missing'
	    unless Herald::Proc::find_prog('wsrep_sst_rsync', '/usr/bin');
	return undef;
}

sub debug ($self, $what) {
	return unless $ENV{HERALD_STACK_DEBUG};
	printf STDERR "# galera: %-30s %6.1f s\n", $what, time - $self->{t0};
}

sub dir ($self) { $self->{dir} }
sub alive ($self, $pid) { return Herald::Proc::alive($self, $pid) }
sub exit_status ($self, $pid) { return $self->{exit}{$pid} }
sub config_file ($self, $i = 0) { $self->{pools}[$i]{config} }
sub node ($self, $n) { $self->{nodes}[$n] }
sub pool ($self, $i) { $self->{pools}[$i] }
sub port ($self) { $self->{port} }
sub start_seconds ($self) { $self->{start_seconds} }

# Record a process of $kind (mariadb, herald, nginx, dispatch) for the
# guardian; returns $pid.
sub _record ($self, $kind, $pid) {
	my $st = proc_stat($pid);
	if ($kind eq 'nginx') {
		$self->{nginx_pid} = $pid;
	} else {
		push @{ $self->{more_pids} }, [$kind, $pid, $st ? $st->{start} : 0];
	}
	Herald::Proc::write_pids($self);
	return $pid;
}

sub _spawn ($self, $kind, $log, @cmd) {
	return Herald::Proc::blocking_signals(sub {
		$self->_record($kind, Herald::Proc::spawn($log, @cmd));
	});
}

# ---------------------------------------------------------------------------
# Galera nodes

sub _node_cnf ($self, $n) {
	my $nd = $self->{nodes}[$n];
	my $gcomm = join(',', map { "127.0.0.1:$_->{gcomm}" } @{ $self->{nodes} });
	my $user = $> == 0 ? "user = root\n" : '';
	my $opts = join(';', "gmcast.listen_addr=tcp://127.0.0.1:$nd->{gcomm}",
	    "ist.recv_addr=127.0.0.1:$nd->{ist}", 'gcache.size=32M',
	    'pc.wait_prim_timeout=PT30S');
	spew($nd->{cnf}, <<"EOF");
[mysqld]
${user}datadir = $nd->{data}
socket = $nd->{socket}
port = $nd->{port}
bind-address = 127.0.0.1
pid-file = $nd->{dir}/mariadbd.pid
log-error = $nd->{log}
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
innodb_flush_log_at_trx_commit = 2
innodb_buffer_pool_size = 64M
innodb_log_file_size = 8M
innodb_buffer_pool_dump_at_shutdown = 0
innodb_buffer_pool_load_at_startup = 0
binlog_format = ROW
innodb_autoinc_lock_mode = 2
# Herald's triggers (schema 002) under wsrep's binary logging.
log_bin_trust_function_creators = 1
default_storage_engine = InnoDB
wsrep_on = ON
wsrep_provider = $PROVIDER
wsrep_cluster_name = herald-test-$$
wsrep_cluster_address = gcomm://$gcomm
wsrep_node_name = node$n
wsrep_node_address = 127.0.0.1
wsrep_provider_options = "$opts"
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:$nd->{sst}
wsrep_slave_threads = 2
EOF
}

# An empty datadir for a node that joins by SST.  rsync's daemon, started
# as root, receives as nobody: the directory must be nobody's (the sender
# sets its mode) and reachable.
sub _joiner_datadir ($self, $n) {
	my $nd = $self->{nodes}[$n];
	remove_tree($nd->{data}) if -d $nd->{data};
	make_path($nd->{data});
	chmod(0777, $nd->{data});
	chmod(0711, $self->{dir}, $nd->{dir});
	if ($> == 0 && (my @pw = getpwnam('nobody'))) {
		chown($pw[2], $pw[3], $nd->{data});
	}
}

# Start node $n's mariadbd (node 0 with --wsrep-new-cluster when $new);
# waits until it is Synced.  A node that ran before (killed) rejoins with
# a fresh datadir and a full SST: after SIGKILL its position is unknown.
sub start_node ($self, $n, $new = 0) {
	my $nd = $self->{nodes}[$n];
	my @cmd = (prog('mariadbd', 'mysqld'), "--defaults-file=$nd->{cnf}");
	push @cmd, '--wsrep-new-cluster' if $new;
	for my $try (1 .. 3) {
		$self->_joiner_datadir($n) if $nd->{pid} && !$new;
		my $mark = -s $nd->{log} // 0;
		$nd->{pid} = $self->_spawn('mariadb', "$nd->{dir}/mariadbd.out",
		    @cmd);
		last if eval { $self->wait_synced($n); 1 };
		my $err = $@;
		# Galera 26.4 sometimes fails to start its gcomm thread
		# ("Failed to read thread schedparams") on a busy machine;
		# that start is tried again, nothing else is.
		my $log = substr(slurp($nd->{log}), $mark);
		die $err if $try == 3 || $self->alive($nd->{pid})
		    || $log !~ /thread schedparams/;
		$self->debug("node$n: gcomm thread start failed, again");
	}
	$self->debug("node$n synced");
}

sub _status ($self, $n, $var) {
	my @r = eval { Herald::MariaDB::sql($self->{nodes}[$n]{socket},
	    "SHOW GLOBAL STATUS LIKE '$var'", db => '',
	    tmpdir => $self->{dir}) };
	return @r ? $r[0][1] : undef;
}

# Wait until node $n is Synced and sees $size nodes (default: every node
# that runs); dies after $timeout s or when its mariadbd exits.
sub wait_synced ($self, $n, $timeout = 120, $size = undef) {
	my $nd = $self->{nodes}[$n];
	my $deadline = time + $timeout;
	while (1) {
		croak "node$n mariadbd " . describe_exit($self->exit_status(
		    $nd->{pid})) . "\n" . tail($nd->{log})
		    unless $self->alive($nd->{pid});
		if (-S $nd->{socket}) {
			my $state = $self->_status($n, 'wsrep_local_state_comment')
			    // '';
			my $want = $size // scalar(grep { $self->alive($_->{pid}) }
			    @{ $self->{nodes} });
			my $have = $self->_status($n, 'wsrep_cluster_size') // 0;
			return 1 if $state eq 'Synced' && $have == $want;
		}
		croak "node$n not synced after $timeout s\n" . tail($nd->{log})
		    if time > $deadline;
		sleep 0.2;
	}
}

# SIGKILL node $n (a crash: no clean leave from the cluster).
sub kill_node ($self, $n) {
	my $nd = $self->{nodes}[$n];
	kill 'KILL', $nd->{pid};
	Herald::Proc::wait_gone($self, $nd->{pid}, 30);
	unlink($nd->{socket});
}

sub sql ($self, $n, $statement, %o) {
	return Herald::MariaDB::sql($self->{nodes}[$n]{socket}, $statement,
	    tmpdir => $self->{dir}, %o);
}

sub sql_value ($self, $n, $statement) {
	my @r = $self->sql($n, $statement);
	croak "expected one row from: $statement" unless @r == 1;
	return $r[0][0];
}

# ---------------------------------------------------------------------------
# Herald pools and nginx

sub _pool_conf ($self, $i, %opts) {
	my $p = $self->{pools}[$i];
	my @hosts = ($i);
	push @hosts, $NODES - 1 if $self->{failover} && $i != $NODES - 1;
	my %conf = (
		listen => $p->{socket},
		socket_mode => '0666',
		workers => $opts{workers} // 2,
		body_max => 1048576,
		db_socket => '',
		db_host => join(', ', map { "127.0.0.1:$self->{nodes}[$_]{port}" }
		    @hosts),
		db_name => 'herald',
		db_user => 'herald',
		db_password_file => "$self->{dir}/db-password",
		db_connect_timeout => 2,
		auth => 'trusted-network',
		log_level => 'info',
		schema_dir => Herald::Paths::srcdir() . '/schema',
		%{ $opts{config} // {} },
	);
	my $text = "# written by Herald::Galera\n";
	$text .= "$_ = $conf{$_}\n" for sort grep { defined $conf{$_} } keys %conf;
	spew($p->{config}, $text);
}

sub start_pool ($self, $i) {
	my $p = $self->{pools}[$i];
	my $bin = Herald::Paths::herald_bin();
	unlink($p->{socket});
	$p->{pid} = $self->_spawn('herald', $p->{log}, $bin, '-c', $p->{config},
	    'serve');
	my $deadline = time + 15;
	until (-S $p->{socket}) {
		croak "pool$i: herald serve " . describe_exit($self->exit_status(
		    $p->{pid})) . "\n" . tail($p->{log})
		    unless $self->alive($p->{pid});
		croak "pool$i not listening after 15 s\n" . tail($p->{log})
		    if time > $deadline;
		sleep 0.01;
	}
}

# SIGKILL pool $i's master and workers (a crashed host).
sub kill_pool ($self, $i) {
	my $p = $self->{pools}[$i];
	my %kids = Herald::Proc::descendants($p->{pid});
	kill 'KILL', $p->{pid}, keys %kids;
	Herald::Proc::wait_gone($self, $p->{pid}, 10);
	my $deadline = time + 10;
	sleep 0.01 while time < $deadline
	    && grep { Herald::Proc::running($_, $kids{$_}) } keys %kids;
}

sub _nginx_conf ($self) {
	my $dir = $self->{dir};
	my $params = Herald::Paths::srcdir() . '/conf/nginx/herald_params';
	my $user = $> == 0 ? "user root;\n" : '';
	my $servers = join('', map {
	    "        server unix:$_->{socket} max_fails=1 fail_timeout=10s;\n"
	} @{ $self->{pools} });
	my $direct = join('', map {
		my $p = $self->{pools}[$_];
		"    server {\n        listen 127.0.0.1:$p->{port};\n"
		. "        location / {\n            include $params;\n"
		. "            fastcgi_pass unix:$p->{socket};\n        }\n    }\n"
	} 0 .. $#{ $self->{pools} });
	spew("$dir/nginx.conf", <<"EOF");
${user}daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log info;
events { worker_connections 512; }
http {
    client_body_temp_path $dir/nginx-client-body;
    proxy_temp_path $dir/nginx-proxy;
    fastcgi_temp_path $dir/nginx-fastcgi;
    uwsgi_temp_path $dir/nginx-uwsgi;
    scgi_temp_path $dir/nginx-scgi;
    access_log $dir/nginx-access.log;
    client_max_body_size 4m;
    # Both pools; a pool that refuses connections is skipped.
    upstream herald {
$servers    }
    server {
        listen 127.0.0.1:$self->{port};
        location / {
            include $params;
            fastcgi_pass herald;
            fastcgi_next_upstream error timeout;
        }
    }
$direct}
EOF
}

sub _start_nginx ($self) {
	my $dir = $self->{dir};
	$self->_nginx_conf;
	my $pid = $self->_spawn('nginx', "$dir/nginx.out", prog('nginx'), '-p',
	    "$dir/", '-c', "$dir/nginx.conf");
	Herald::Proc::wait_port($_, 15, sub { $self->alive($pid) }, 'nginx',
	    sub { tail("$dir/nginx-error.log") . tail("$dir/nginx.out") })
	    or croak "nginx " . describe_exit($self->exit_status($pid)) . "\n"
	    . tail("$dir/nginx-error.log") . tail("$dir/nginx.out")
	    for $self->{port}, map { $_->{port} } @{ $self->{pools} };
}

sub client ($self) {
	return $self->{client} //= Herald::Client->new(
	    base => "http://127.0.0.1:$self->{port}", timeout => 60);
}

sub pool_client ($self, $i) {
	return $self->{pools}[$i]{client} //= Herald::Client->new(
	    base => "http://127.0.0.1:$self->{pools}[$i]{port}", timeout => 60);
}

# "herald dispatch" with pool $i's configuration (its node); the PID.
sub start_dispatcher ($self, $i, $name = "dispatch$i") {
	return $self->_spawn('dispatch', "$self->{dir}/$name.log",
	    Herald::Paths::herald_bin(), '-c', $self->{pools}[$i]{config},
	    'dispatch');
}

# "herald push" with pool $i's configuration (its node) on its own
# socket, DIR/push$i.sock, as a push process of host $i; waits for the
# socket.  Returns the socket's path.
sub start_push ($self, $i) {
	my $p = $self->{pools}[$i];
	my $sock = "$self->{dir}/push$i.sock";
	my $conf = "$self->{dir}/push$i.conf";
	spew($conf, slurp($p->{config}) . "push_listen = $sock\n");
	unlink($sock);
	my $log = "$self->{dir}/push$i.log";
	my $pid = $self->_spawn('push', $log, Herald::Paths::herald_bin(),
	    '-c', $conf, 'push');
	my $deadline = time + 15;
	until (-S $sock) {
		croak "push$i: herald push " . describe_exit($self->exit_status(
		    $pid)) . "\n" . tail($log) unless $self->alive($pid);
		croak "push$i not listening after 15 s\n" . tail($log)
		    if time > $deadline;
		sleep 0.02;
	}
	return $sock;
}

sub pool_log ($self, $i) { return slurp($self->{pools}[$i]{log}) }

# ---------------------------------------------------------------------------
# Life cycle

sub start ($class, %opts) {
	if (my $why = unavailable()) { croak "Herald::Galera: $why" }
	my $base = $ENV{HERALD_TEST_TMPDIR} // File::Spec->tmpdir;
	my $self = bless {
		t0 => time, owner => $$, exit => {}, failover =>
		    $opts{failover} // 1,
		keep => $ENV{HERALD_KEEP},
		dir => tempdir('herald-galera-XXXXXX', DIR => $base,
		    CLEANUP => 0),
	}, $class;
	$LIVE{refaddr $self} = $self;
	weaken($LIVE{refaddr $self});
	_install_signal_handlers();
	Herald::Proc::start_guardian($self, grep { defined } values %LIVE);
	my $ok = eval { $self->_start(%opts); 1 };
	if (!$ok) {
		my $err = $@;
		$self->stop;
		croak "Herald::Galera->start failed: $err";
	}
	$self->{start_seconds} = time - $self->{t0};
	return $self;
}

sub _start ($self, %opts) {
	my $dir = $self->{dir};
	my $cached = Herald::MariaDB::cached_datadir("$dir/install.log",
	    Herald::Paths::builddir());
	for my $n (0 .. $NODES - 1) {
		my $nd = { dir => "$dir/node$n", port => free_port(),
		    gcomm => free_port(), ist => free_port(), sst => free_port() };
		$nd->{data} = "$nd->{dir}/data";
		$nd->{socket} = "$nd->{dir}/mysqld.sock";
		$nd->{log} = "$nd->{dir}/error.log";
		$nd->{cnf} = "$nd->{dir}/my.cnf";
		make_path($nd->{dir});
		push @{ $self->{nodes} }, $nd;
		if ($n == 0) {
			# The seed; the others get theirs by SST.
			my $st = run("$dir/install.log", 60, 'cp', '-a',
			    $cached, $nd->{data});
			croak "cp $cached: " . describe_exit($st) if $st != 0;
			unlink("$nd->{data}/.herald-complete");
		} else {
			$self->_joiner_datadir($n);
		}
	}
	$self->_node_cnf($_) for 0 .. $NODES - 1;
	$self->start_node(0, 1);
	my $pw = random_password();
	spew("$dir/db-password", "$pw\n", 0600);
	$self->sql(0, "CREATE DATABASE herald CHARACTER SET utf8mb4; "
	    . "CREATE USER herald\@localhost IDENTIFIED BY '$pw'; "
	    . "CREATE USER herald\@'127.0.0.1' IDENTIFIED BY '$pw'; "
	    . "GRANT ALL ON herald.* TO herald\@localhost; "
	    . "GRANT ALL ON herald.* TO herald\@'127.0.0.1';", db => '');
	$self->start_node($_) for 1 .. $NODES - 1;

	for my $i (0 .. $POOLS - 1) {
		my $pd = "$dir/pool$i";
		make_path($pd);
		push @{ $self->{pools} }, { dir => $pd, port => free_port(),
		    socket => "$pd/herald.sock", log => "$pd/herald.log",
		    config => "$pd/herald.conf" };
		$self->_pool_conf($i, %opts);
	}
	my $mlog = "$dir/migrate.log";
	my $st = run($mlog, 120, Herald::Paths::herald_bin(), '-c',
	    $self->{pools}[0]{config}, 'migrate');
	croak "herald migrate " . describe_exit($st) . "\n" . tail($mlog)
	    if $st != 0;
	$self->start_pool($_) for 0 .. $POOLS - 1;
	$self->{port} = free_port();
	$self->_start_nginx;
	$self->debug('cluster up');
}

sub stop ($self) {
	return if $self->{stopped} || $self->{owner} != $$;
	$self->{stopped} = 1;
	local ($?, $!, $@);
	local @SIG{qw(INT TERM HUP)} = ('IGNORE') x 3;
	my @all = @{ $self->{more_pids} // [] };
	my $stop = sub ($pid, $grace) {
		return unless $pid;
		my %kids = Herald::Proc::descendants($pid);
		Herald::Proc::stop_pid($self, $pid, 'TERM', $grace);
		Herald::Proc::stop_foreign(\%kids, 5);
	};
	$stop->($self->{nginx_pid}, 10);
	$stop->($_->[1], 10) for grep { $_->[0] ne 'mariadb' } @all;
	$stop->($_->[1], 60) for grep { $_->[0] eq 'mariadb' } @all;
	if ($self->{guardian_pid}) {
		unlink("$self->{dir}/.pids");
		close(delete $self->{guardian_fh});
		Herald::Proc::stop_pid($self, $self->{guardian_pid}, 'KILL', 5)
		    if !Herald::Proc::wait_gone($self, $self->{guardian_pid}, 5);
	}
	delete $LIVE{refaddr $self};
	if ($self->{keep}) {
		print STDERR "# Herald::Galera: kept $self->{dir}\n";
	} elsif (-d $self->{dir}) {
		remove_tree($self->{dir}, { safe => 1 });
	}
}

sub DESTROY ($self) { $self->stop if $self->{dir} }

sub stop_all { eval { $_->stop; 1 } for grep { defined } values %LIVE }

my $HANDLERS_SET;
sub _install_signal_handlers {
	return if $HANDLERS_SET++;
	for my $sig (qw(INT TERM HUP)) {
		my $prev = $SIG{$sig};
		$SIG{$sig} = sub {
			@SIG{qw(INT TERM HUP)} = ('IGNORE') x 3;
			stop_all();
			$prev->(@_) if ref $prev eq 'CODE';
			POSIX::_exit(128 + { INT => 2, TERM => 15, HUP => 1 }->{$sig});
		};
	}
}

END { stop_all() }

1;
