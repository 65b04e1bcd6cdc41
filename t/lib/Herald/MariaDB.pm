package Herald::MariaDB;

# A private MariaDB for the test harness: install a datadir once and cache
# it (install-db takes 1-2 s, a copy of the result about 0.2 s), start
# mariadbd on a unix socket only, create the herald database and user, and
# run SQL as root through the mariadb client.
#
#   my $data = Herald::MariaDB::cached_datadir($log);
#   Herald::MariaDB::start($stack);              # fills $stack->{db_*}
#   my @rows = Herald::MariaDB::sql($socket, 'SELECT 1', db => '');
#   my $n = Herald::MariaDB::sql_value($socket, 'SELECT COUNT(*) FROM t');
#   my $lit = Herald::MariaDB::quote("it's");
#
# start() takes its owner (Herald::Stack): {dir}, {persistent}, {durable}
# (commits flushed to disk one by one, as in production), and the
# methods spawn_into, alive, exit_status and debug.

use v5.36;
use Carp qw(croak);
use Cwd qw(abs_path);
use Digest::MD5 qw(md5_hex);
use Exporter qw(import);
use Fcntl qw(:flock);
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use IO::Socket::UNIX;
use POSIX qw(_exit);
use Time::HiRes qw(time sleep);
use Herald::Proc qw(prog run slurp spew tail describe_exit random_password);

our @EXPORT_OK = qw(sql sql_value quote);

sub version {
	my $bin = prog('mariadbd', 'mysqld');
	my $v = `"$bin" --no-defaults --version 2>/dev/null`;
	$v =~ s/\s+\z//;
	return $v || 'unknown';
}

our @INSTALL_OPTS = ('--auth-root-authentication-method=socket',
    '--skip-test-db', '--skip-name-resolve');
our @INNODB_OPTS = ('--innodb-log-file-size=8M',
    '--innodb-buffer-pool-size=64M');

# mariadb-install-db into $datadir, its output to $log; dies on failure.
sub install_db ($datadir, $log) {
	my @cmd = (prog('mariadb-install-db', 'mysql_install_db'),
	    '--no-defaults', "--datadir=$datadir", @INSTALL_OPTS, @INNODB_OPTS);
	push @cmd, '--user=root' if $> == 0;
	my $st = run($log, 120, @cmd);
	croak "mariadb-install-db failed (" . describe_exit($st) . ")\n"
	    . tail($log) if $st != 0;
}

# A freshly installed datadir, installed once (output to $log) and then
# copied by the caller.  The cache is $HERALD_TEST_CACHE, else
# $builddir/t/.cache.
sub cached_datadir ($log, $builddir) {
	my $cache = $ENV{HERALD_TEST_CACHE};
	$cache = "$builddir/t/.cache"
	    unless defined $cache && length $cache;
	make_path($cache, { mode => 0700 }) unless -d $cache;
	$cache = abs_path($cache);
	my $key = substr(md5_hex(join("\0", version(), $>,
	    @INSTALL_OPTS, @INNODB_OPTS)), 0, 12);
	my $dir = "$cache/mariadb-datadir-$key";
	return $dir if -f "$dir/.herald-complete";

	open(my $lock, '>', "$cache/.lock") or croak "$cache/.lock: $!";
	flock($lock, LOCK_EX) or croak "flock: $!";
	if (!-f "$dir/.herald-complete") {
		my $tmp = "$cache/tmp-install.$$";
		remove_tree($tmp) if -e $tmp;
		remove_tree($dir) if -e $dir;
		install_db($tmp, $log);
		spew("$tmp/.herald-complete", "ok\n");
		rename($tmp, $dir) or croak "rename $tmp $dir: $!";
	}
	close($lock);
	return $dir;
}

# What makes a commit durable: InnoDB writes and flushes its log at every
# commit, and a binary log (when one is turned on) is synced at every
# commit too.  The same settings as conf/mariadb/herald-durable.cnf.
our @DURABLE_OPTS = ('--innodb-flush-log-at-trx-commit=1', '--sync-binlog=1');

# The test stacks' setting instead: the log is written at each commit but
# flushed about once a second, so an OS crash (not a mariadbd crash) may
# lose the last second of commits.  Much faster on the CI machines' disks,
# and a test stack's data is thrown away anyway.
our @FAST_OPTS = ('--innodb-flush-log-at-trx-commit=2');

# mariadbd's command line for a datadir, socket, PID file and error log;
# durable => 1 for @DURABLE_OPTS instead of @FAST_OPTS; buffer_pool =>
# MiB instead of @INNODB_OPTS' 64.
sub server_command (%o) {
	my @cmd = (prog('mariadbd', 'mysqld'), '--no-defaults',
	    "--datadir=$o{datadir}", "--socket=$o{socket}", '--skip-networking',
	    "--pid-file=$o{pid_file}", "--log-error=$o{error_log}",
	    '--skip-name-resolve', $o{durable} ? @DURABLE_OPTS : @FAST_OPTS,
	    @INNODB_OPTS, '--innodb-buffer-pool-dump-at-shutdown=0',
	    '--innodb-buffer-pool-load-at-startup=0',
	    '--character-set-server=utf8mb4',
	    '--collation-server=utf8mb4_general_ci');
	# The last of an option wins.
	push @cmd, "--innodb-buffer-pool-size=$o{buffer_pool}M"
	    if $o{buffer_pool};
	push @cmd, '--user=root' if $> == 0;
	return @cmd;
}

# Wait until mariadbd (our child $pid, of $owner) accepts on $sock; dies
# when it exits first or after $timeout s.
sub wait_ready ($owner, $pid, $sock, $errlog, $out, $timeout = 30) {
	my $deadline = time + $timeout;
	while (1) {
		if (-S $sock) {
			my $c = IO::Socket::UNIX->new(Peer => $sock,
			    Type => SOCK_STREAM);
			if ($c) { close($c); last }
		}
		if (!$owner->alive($pid)) {
			croak "mariadbd " . describe_exit(
			    $owner->exit_status($pid)) . "\n"
			    . tail($errlog) . tail($out);
		}
		croak "mariadbd not ready after $timeout s\n" . tail($errlog)
		    if time > $deadline;
		sleep 0.02;
	}
}

# Start the owner's mariadbd in OWNER_DIR/db (a copy of the cached datadir,
# or kept from an earlier run when the directory is persistent), create the
# herald database and user; sets {db_data, db_socket, db_log, db_password}.
sub start ($owner, $builddir) {
	my $dir = $owner->{dir};
	my $data = "$dir/db";
	my $sock = "$dir/mysqld.sock";
	my $errlog = "$dir/mariadb-error.log";
	@$owner{qw(db_data db_socket db_log)} = ($data, $sock, $errlog);

	my $reuse = $owner->{persistent} && -f "$dir/db-ready";
	if ($reuse) {
		# A persistent directory (quickstart): keep its data.
	} elsif ($ENV{HERALD_TEST_NO_CACHE}) {
		install_db($data, "$dir/mariadb-install.log");
	} else {
		my $cached = cached_datadir("$dir/mariadb-install.log",
		    $builddir);
		my $st = run("$dir/mariadb-install.log", 60, 'cp', '-a',
		    $cached, $data);
		croak "cannot copy $cached: " . describe_exit($st) . "\n"
		    . tail("$dir/mariadb-install.log") if $st != 0;
		unlink("$data/.herald-complete");
	}
	$owner->debug('datadir ready');

	my @cmd = server_command(datadir => $data, socket => $sock,
	    pid_file => "$dir/mariadbd.pid", error_log => $errlog,
	    durable => $owner->{durable},
	    buffer_pool => $owner->{buffer_pool});
	my $pid = $owner->spawn_into('mariadb_pid', "$dir/mariadbd.out", @cmd);
	wait_ready($owner, $pid, $sock, $errlog, "$dir/mariadbd.out");
	$owner->debug('mariadbd accepts');

	if ($reuse) {
		($owner->{db_password} = slurp("$dir/db-password")) =~ s/\s+\z//;
		return;
	}
	my $pw = random_password();
	$owner->{db_password} = $pw;
	sql($sock, "CREATE DATABASE herald CHARACTER SET utf8mb4; "
	    . "CREATE USER herald\@localhost IDENTIFIED BY '$pw'; "
	    . "GRANT ALL ON herald.* TO herald\@localhost;", db => '');
	if ($owner->{persistent}) {
		spew("$dir/db-password", "$pw\n", 0600);
		spew("$dir/db-ready", "ok\n");
	}
	$owner->debug('database created');
}

# Run SQL as root on the server at $socket.  Returns a list of rows, each an
# arrayref of column values (NULL -> undef).  Dies with the client's message
# on error.  The default database is "herald"; db => '' for none.  The
# client's stderr goes to a file beside the socket (tmpdir => DIR: there).
sub sql ($socket, $statement, %o) {
	my $db = exists $o{db} ? $o{db} : 'herald';
	my $err = ($o{tmpdir} // dirname($socket)) . "/sql-stderr.$$";
	my @cmd = (prog('mariadb', 'mysql'), '--no-defaults',
	    '-S', $socket, '-uroot', '--batch', '--skip-column-names',
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
	my $msg = slurp($err);
	unlink($err);
	croak "SQL failed (" . describe_exit($st) . "): $statement\n$msg"
	    if $st != 0;
	return @rows;
}

# The single value of a one-row, one-column query.
sub sql_value ($socket, $statement, %o) {
	my @rows = sql($socket, $statement, %o);
	croak "expected one row from: $statement (got " . scalar(@rows) . ")"
	    unless @rows == 1;
	return $rows[0][0];
}

# Quote a string as an SQL literal (for building sql() statements).
sub quote ($s) {
	return 'NULL' unless defined $s;
	my $b = $s;
	utf8::encode($b) if utf8::is_utf8($b);
	$b =~ s/\\/\\\\/g;
	$b =~ s/'/\\'/g;
	$b =~ s/\0/\\0/g;
	return "'$b'";
}

1;
