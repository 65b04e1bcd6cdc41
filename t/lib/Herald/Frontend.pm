package Herald::Frontend;

# The web servers in front of herald, for the test harness: a private nginx
# (for the pool, or for spawn-fcgi's responders), a private Apache
# (mod_proxy_fcgi, mod_fcgid, or mod_cgid with conf/apache/htaccess-cgi),
# and spawn-fcgi.  Each writes its configuration into its owner's directory
# and is started by PID through the owner (Herald::Stack), which stops it.
# The Apache variants include the files of conf/apache/ as shipped.
#
#   Herald::Frontend::start_nginx($stack, %opts);    # port => N optional
#   Herald::Frontend::start_apache($stack, %opts);   # by $stack->{frontend}
#   Herald::Frontend::start_spawn_fcgi($stack, %opts);  # workers => N
#   Herald::Frontend::warm_up($stack);               # one 200 from GET /
#   my $u = Herald::Frontend::web_user();            # [name, uid, gid]
#
# The owner provides {dir, frontend, herald_socket, herald_log,
# config_file}, url(), and the methods spawn_into, alive, exit_status,
# write_pids and debug; start_* set {port} and {nginx_pid}/{apache_pid}
# (or {spawned}).

use v5.36;
use Carp qw(croak);
use File::Path qw(make_path);
use HTTP::Tiny;
use Time::HiRes qw(time sleep);
use Herald::Paths qw(srcdir herald_bin);
use Herald::Proc qw(prog run slurp spew tail describe_exit free_port
    wait_port);

# The user a root-started Apache runs its children (and so mod_fcgid's and
# CGI herald processes) as; undef when not root (they run as us).
sub web_user {
	return undef unless $> == 0;
	for my $u (qw(www-data apache daemon nobody)) {
		my @pw = getpwnam($u);
		return [$u, $pw[2], $pw[3]] if @pw;
	}
	croak "Herald::Stack: no unprivileged user for Apache's children";
}

# spawn-fcgi -F N: N herald processes with no command, the socket on fd 0,
# the configuration from $HERALD_CONFIG.  spawn-fcgi exits once they run and
# sends their stderr to /dev/null, so a shell (exec'd away: same PID) sends
# it to herald.log; the PIDs come from its PID file.
sub start_spawn_fcgi ($self, %opts) {
	my $dir = $self->{dir};
	my $n = $opts{workers} // 2;
	my $pidfile = "$dir/spawn-fcgi.pid";
	my $log = "$dir/spawn-fcgi.log";
	my $st = do {
		local $ENV{HERALD_CONFIG} = $self->{config_file};
		run($log, 30, prog('spawn-fcgi'), '-s', $self->{herald_socket},
		    '-M', '0666', '-F', $n, '-P', $pidfile, '--', '/bin/sh',
		    '-c', 'exec "$0" 2>>"$1"', herald_bin(), $self->{herald_log});
	};
	my @pids = grep { /^\d+\z/ } split /\s+/, slurp($pidfile);
	$self->{spawned} = [map { $_ + 0 } @pids];
	$self->write_pids;
	croak "spawn-fcgi " . describe_exit($st) . "\n" . tail($log)
	    if $st != 0;
	croak "spawn-fcgi started " . scalar(@pids) . " of $n\n" . tail($log)
	    unless @pids == $n;
	$self->debug('spawn-fcgi started');
}

# ---------------------------------------------------------------------------
# nginx

# Wait until the web server $what (pid $pid) accepts on $port: 1 when it
# does (and {port} is set), 0 when it exited first (the caller reads why);
# dies after 15 s.
sub await_port ($self, $what, $pid, $port, $errlog) {
	return 0 unless wait_port($port, 15, sub { $self->alive($pid) }, $what,
	    sub { tail($errlog) });
	$self->{port} = $port;
	$self->debug("$what accepts");
	return 1;
}

sub write_nginx_conf ($self, $port) {
	my $dir = $self->{dir};
	my $params = srcdir() . '/conf/nginx/herald_params';
	croak "$params missing" unless -f $params;
	my $user = $> == 0 ? "user root;\n" : '';
	# herald push (issue L): the stream paths go to it, as
	# conf/nginx/herald-push.conf ships them.
	my $push = '';
	if ($self->{push_socket}) {
		my $snip = srcdir() . '/conf/nginx/herald-push.conf';
		croak "$snip missing" unless -f $snip;
		$push = Herald::Proc::slurp($snip);
		$push =~ s/^#.*\n//mg;
		$push =~ s{unix:/run/herald/push\.sock}{unix:$self->{push_socket}}g;
		$push =~ s/^map .*?^}\n//ms;
		$push = "\n$push";
	}
	# The web inbox (issue N): conf/nginx/herald-inbox.conf as shipped,
	# serving the source tree's web/.
	my $inbox = slurp(srcdir() . '/conf/nginx/herald-inbox.conf');
	$inbox =~ s/^#.*\n//mg;
	$inbox =~ s{alias /usr/local/share/herald/web/;}{alias ${\ srcdir()}/web/;}
	    or croak "herald-inbox.conf: no alias line";
	# nginx_connections => N and nginx_workers => W (bench/push: 10^4
	# streams, two connections each; W workers on reuseport sockets share
	# them when one process may not hold them all); the defaults suit
	# the tests.
	my $wc = $self->{opts}{nginx_connections} // 256;
	my $nw = $self->{opts}{nginx_workers} // 1;
	my $nofile = $wc > 256 ? "worker_rlimit_nofile " . ($wc + 64) . ";\n" : '';
	my $reuse = $nw > 1 ? ' reuseport' : '';
	my $map = $self->{push_socket}
	    ? "    map \$http_upgrade \$connection_upgrade {\n        default upgrade;\n        '' close;\n    }\n" : '';
	my $conf = <<"EOF";
${user}daemon off;
master_process on;
worker_processes $nw;
${nofile}pid $dir/nginx.pid;
error_log $dir/nginx-error.log info;

events {
    worker_connections $wc;
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
$map
    server {
        listen 127.0.0.1:$port$reuse;
        server_name _;
$push
$inbox
        location / {
            include $params;
            fastcgi_pass unix:$self->{herald_socket};
        }
    }
}
EOF
	$self->{nginx_conf} = "$dir/nginx.conf";
	spew($self->{nginx_conf}, $conf);
}

sub start_nginx ($self, %opts) {
	my $dir = $self->{dir};
	my $nginx = prog('nginx');
	my $errlog = "$dir/nginx-error.log";
	my $tries = $opts{port} ? 1 : 5;
	for my $try (1 .. $tries) {
		my $port = $opts{port} // free_port();
		write_nginx_conf($self, $port);
		unlink($errlog);
		my $pid = $self->spawn_into('nginx_pid', "$dir/nginx.out",
		    $nginx, '-p', "$dir/", '-c', $self->{nginx_conf});
		return if await_port($self, 'nginx', $pid, $port, $errlog);
		my $why = describe_exit($self->exit_status($pid));
		delete $self->{nginx_pid};
		my $log = slurp($errlog) . slurp("$dir/nginx.out");
		next if $try < $tries && $log =~ /Address already in use/;
		croak "nginx $why\n" . tail($errlog) . tail("$dir/nginx.out");
	}
}

# ---------------------------------------------------------------------------
# Apache (apache-proxy, apache-fcgid, cgi): a private instance, its own
# ServerRoot, PidFile, logs and runtime directory inside the stack directory,
# the site part included from conf/apache/ as shipped.

my $APACHE_MODULES = '/usr/lib/apache2/modules';

sub apache_module ($name) {
	for my $d ($ENV{HERALD_APACHE_MODULES} // (), $APACHE_MODULES,
	    '/usr/lib64/httpd/modules', '/usr/libexec/apache2') {
		return "$d/mod_$name.so" if -f "$d/mod_$name.so";
	}
	croak "Herald::Stack: Apache module mod_$name.so not found (apt-get "
	    . "install apache2" . ($name eq 'fcgid' ? ' libapache2-mod-fcgid'
	    : '') . ")";
}

sub write_apache_conf ($self, $port) {
	my $dir = $self->{dir};
	my $fe = $self->{frontend};
	my $confdir = srcdir() . '/conf/apache';
	my $run = "$dir/apache-run";
	make_path($run) unless -d $run;
	my @mods = qw(mpm_event authz_core alias env mime);
	my $site;
	if ($fe eq 'apache-proxy') {
		# With the web inbox (issue N) as conf/apache/herald-inbox.conf
		# ships it, its directory replaced, kept out of the proxy.
		push @mods, qw(proxy proxy_fcgi headers dir);
		my $inbox = slurp("$confdir/herald-inbox.conf");
		my $web = srcdir() . '/web';
		$inbox =~ s{/usr/local/share/herald/web}{$web}g == 2
		    or croak "herald-inbox.conf: not two datadir paths";
		spew("$dir/herald-inbox.conf", $inbox);
		$site = <<"EOF2";
Define HERALD_SOCKET $self->{herald_socket}
Include $dir/herald-inbox.conf
ProxyPassMatch "^/inbox(/|\$)" "!"
Include $confdir/herald-proxy-fcgi.conf
EOF2
	} elsif ($fe eq 'apache-fcgid') {
		push @mods, 'fcgid';
		my $ipc = "$dir/fcgid";
		make_path($ipc) unless -d $ipc;
		if (my $u = web_user()) { chown($u->[1], $u->[2], $ipc) }
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
		my $ht = slurp("$confdir/htaccess-cgi");
		$ht =~ s/^(SetEnv\s+HERALD_CONFIG\s+)\S+/$1$self->{config_file}/m
		    or croak "htaccess-cgi: no SetEnv HERALD_CONFIG line";
		spew("$www/.htaccess", $ht, 0644);
		my $st = run("$dir/apache.out", 30, 'cp', herald_bin(),
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
		sprintf("LoadModule %s_module %s\n", $_, apache_module($_))
	} @mods);
	my $u = web_user();
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
	spew($self->{apache_conf}, $conf);
}

sub start_apache ($self, %opts) {
	my $dir = $self->{dir};
	my $httpd = prog('apache2', 'httpd');
	my $errlog = "$dir/apache-error.log";
	my $tries = $opts{port} ? 1 : 5;
	for my $try (1 .. $tries) {
		my $port = $opts{port} // free_port();
		write_apache_conf($self, $port);
		unlink($errlog);
		# Debian's apache2 wants APACHE_* from /etc/apache2/envvars
		# only through apache2ctl; run directly, it needs none.
		my $pid = $self->spawn_into('apache_pid', "$dir/apache.out",
		    $httpd, '-d', $dir, '-f', $self->{apache_conf},
		    '-DFOREGROUND');
		return if await_port($self, 'apache', $pid, $port, $errlog);
		my $why = describe_exit($self->exit_status($pid));
		delete $self->{apache_pid};
		my $log = slurp($errlog) . slurp("$dir/apache.out");
		next if $try < $tries && $log =~ /Address already in use/;
		croak "apache $why\n" . tail($errlog) . tail("$dir/apache.out");
	}
}

# The web server's "ready" is not the application's: mod_fcgid starts herald
# on the first request, so wait until one request has been answered.
sub warm_up ($self) {
	my $deadline = time + 20;
	my $http = HTTP::Tiny->new(timeout => 10, keep_alive => 0);
	while (1) {
		my $r = $http->get($self->url('/'));
		return if $r->{status} == 200;
		croak "no 200 from GET / through $self->{frontend} within 20 s "
		    . "(last: $r->{status} $r->{content})\n"
		    . tail("$self->{dir}/apache-error.log")
		    . tail($self->{herald_log}) if time > $deadline;
		sleep 0.05;
	}
}

1;
