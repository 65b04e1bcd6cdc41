#!/usr/bin/perl
# Start a private Herald stack (MariaDB + herald + nginx) in the foreground:
#
#   perl t/lib/stack.pl --port 8080 [--workers N] [--body-max BYTES]
#                       [--set key=value ...] [--keep]
#
# MariaDB runs with durable commits (as conf/mariadb/herald-durable.cnf
# recommends for production).  Prints where it listens, then waits until SIGINT/SIGTERM/SIGHUP and stops
# every process it started, by PID.  Run from the build directory (where
# ./herald is), or set HERALD_BIN.
use v5.36;
use FindBin;
use lib "$FindBin::RealBin";
use Getopt::Long qw(GetOptions);
use Herald::Stack;

my %opt = (set => []);
GetOptions(\%opt, 'port=i', 'workers=i', 'body-max=i', 'set=s@', 'keep',
    'dir=s', 'auth=s', 'tokens', 'dispatch', 'push', 'help|h') or usage(2);
usage(0) if $opt{help};

sub usage ($rc) {
	print STDERR "usage: $0 --port PORT [--workers N] [--body-max BYTES] "
	    . "[--set key=value ...] [--keep] [--dir DIR] [--auth MODE] "
	    . "[--tokens] [--dispatch] [--push]\n";
	exit $rc;
}

my %config;
for my $kv (@{ $opt{set} }) {
	my ($k, $v) = $kv =~ /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*\z/
	    or die "--set wants key=value, not '$kv'\n";
	$config{$k} = $v;
}

# The quick start's database is the one a new user runs: durable commits
# (innodb_flush_log_at_trx_commit=1, sync_binlog=1), unlike the test stacks.
my %args = (config => \%config, durable => 1);
$args{port} = $opt{port} if $opt{port};
$args{workers} = $opt{workers} if $opt{workers};
$args{body_max} = $opt{'body-max'} if $opt{'body-max'};
$args{keep} = 1 if $opt{keep};
$args{dir} = $opt{dir} if defined $opt{dir};
$config{auth} = $opt{auth} if defined $opt{auth};
# --push: herald push beside the pool, nginx routing the stream paths to it.
$args{push} = 1 if $opt{push};

my $s = Herald::Stack->start(%args);
$| = 1;
printf "Herald is listening on %s (started in %.2f s)\n", $s->url('/'),
    $s->start_seconds;
printf "  inbox:       %s (sign in with a user name and a token)\n",
    $s->url('/inbox/');
printf "  herald pids: %s\n", join(' ', $s->herald_pids);
printf "  directory:   %s\n", $s->dir;
printf "  herald log:  %s/herald.log\n", $s->dir;
printf "  mariadb:     mariadb --no-defaults -S %s -uroot herald\n",
    $s->db_socket;
# --dispatch: the delivery dispatcher beside the pool, stopped with it (by
# stop, the signal handlers, and the guardian if this script is killed).
if ($opt{dispatch}) {
	my $pid = $s->start_dispatcher;
	printf "  dispatcher:  pid %d, log %s/dispatch.log\n", $pid, $s->dir;
}

printf "  push:        %s (streams: /v1/users/U/notifications/stream, "
    . "/api/v2/notifications/inbox/watch, /events)\n", $s->push_socket
    if $opt{push};

# --tokens: an admin and a service token, for a first try in token mode.
if ($opt{tokens} && ($config{auth} // '') ne 'trusted-network') {
	my $bin = Herald::Stack::herald_bin();
	for my $role (qw(admin service)) {
		my $tok = qx{"$bin" -c "@{[ $s->config_file ]}" token create --user quickstart-$role --role $role 2>/dev/null};
		chomp $tok;
		die "could not create a $role token\n" unless $tok =~ /^hrld_/;
		printf "  %-7s token: %s\n", $role, $tok;
	}
	printf "  try:  curl -H 'Authorization: Bearer <service token>' '%s'\n",
	    $s->url('/messages?user=alice');
} elsif (($config{auth} // '') eq 'trusted-network') {
	print "  auth:        trusted-network (no tokens; private networks only)\n";
}
print "Press Ctrl-C to stop.\n";

# Herald::Stack's INT/TERM/HUP handlers stop everything and exit.  Also stop
# if herald, nginx or mariadbd dies underneath us.
while (1) {
	sleep 1;
	for my $what (qw(herald nginx mariadb)) {
		my $m = "${what}_pid";
		my $pid = $s->$m;
		next if $s->alive($pid);
		print STDERR "$what (pid $pid) has exited; stopping.\n";
		print STDERR Herald::Stack::tail_file(
		    $what eq 'herald' ? $s->dir . '/herald.log'
		    : $what eq 'nginx' ? $s->dir . '/nginx-error.log'
		    : $s->dir . '/mariadb-error.log');
		$s->stop;
		exit 1;
	}
}
