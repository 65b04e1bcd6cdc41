package Herald::Pg;

# A private PostgreSQL for the import tests (issue R): initdb into a
# temporary directory, the postmaster on a unix socket in that directory
# only (no TCP), stopped by PID, and a guardian (Herald::Proc) that stops
# it when the test dies by any means, SIGKILL included.  PostgreSQL
# refuses to run as root: as root, the server runs as "postgres".
#
#   my $pg = Herald::Pg->start(others => [$stack]);  # after the stack
#   $pg->createdb('notifications');
#   $pg->psql('notifications', "SELECT 1");       # text out, dies on error
#   my $url = $pg->url('notifications');         # for "herald import"
#   $pg->stop;                                    # also at END / DESTROY

use v5.36;
use Carp qw(croak);
use File::Path qw(remove_tree);
use File::Spec;
use File::Temp qw(tempdir);
use POSIX qw(WNOHANG _exit);
use Scalar::Util qw(refaddr weaken);
use Time::HiRes qw(time sleep);
use Herald::Proc qw(slurp spew tail proc_stat);

my %LIVE;

# The newest installed server's bin directory.
sub bindir {
	my @d = sort { ($a =~ /(\d+)/)[0] <=> ($b =~ /(\d+)/)[0] }
	    grep { -x "$_/initdb" } glob('/usr/lib/postgresql/*/bin');
	return $d[-1] // croak "Herald::Pg: no PostgreSQL server "
	    . "(Debian: postgresql)";
}

# fork + exec as $uid/$gid (undef: as we are), stdin /dev/null, output
# appended to $log, in its own process group.
sub _spawn ($log, $ids, @cmd) {
	my $pid = fork() // croak "fork: $!";
	if ($pid == 0) {
		eval {
			$SIG{$_} = 'DEFAULT' for qw(INT TERM HUP PIPE);
			POSIX::sigprocmask(POSIX::SIG_SETMASK(),
			    POSIX::SigSet->new);
			setpgrp(0, 0);
			open(STDIN, '<', '/dev/null') or die "stdin: $!";
			open(STDOUT, '>>', $log) or die "$log: $!";
			open(STDERR, '>&', \*STDOUT) or die "stderr: $!";
			if ($ids) {
				my ($uid, $gid) = @$ids;
				$) = "$gid $gid";
				POSIX::setgid($gid) or die "setgid: $!";
				POSIX::setuid($uid) or die "setuid: $!";
			}
			$ENV{LC_ALL} = 'C';
			exec { $cmd[0] } @cmd or die "exec $cmd[0]: $!";
		};
		print STDERR "Herald::Pg: $@";
		_exit(127);
	}
	return $pid;
}

sub _run ($self, $timeout, @cmd) {
	my $pid = Herald::Proc::blocking_signals(sub {
		_spawn($self->{log}, $self->{ids}, @cmd) });
	my $deadline = time + $timeout;
	while (waitpid($pid, WNOHANG) == 0) {
		if (time > $deadline) {
			kill 'KILL', $pid;
			waitpid($pid, 0);
			croak "timed out: @cmd\n" . tail($self->{log});
		}
		sleep 0.02;
	}
	croak "failed ($?): @cmd\n" . tail($self->{log}) if $? != 0;
}

sub start ($class, %o) {
	my $base = $ENV{HERALD_TEST_TMPDIR} // File::Spec->tmpdir;
	my $self = bless {
		dir => tempdir('herald-pg-XXXXXX', DIR => $base, CLEANUP => 0),
		exit => {}, keep => $o{keep} // $ENV{HERALD_KEEP},
		owner => $$,
	}, $class;
	$LIVE{refaddr $self} = $self;
	weaken($LIVE{refaddr $self});
	my $dir = $self->{dir};
	$self->{log} = "$dir/postgres.log";
	spew($self->{log}, '');
	if ($> == 0) {
		my @pw = getpwnam('postgres') or croak "Herald::Pg: no user "
		    . "postgres to run the server as";
		$self->{ids} = [$pw[2], $pw[3]];
		chown($pw[2], $pw[3], $dir, $self->{log});
	}
	# Holding no other owner's guardian pipe (their guardians would not
	# see EOF while ours lives): pass them as others => [...].
	Herald::Proc::start_guardian($self, @{ $o{others} // [] });
	my $bin = bindir();
	eval {
		$self->_run(120, "$bin/initdb", '-D', "$dir/data", '-A', 'trust',
		    '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync');
		Herald::Proc::blocking_signals(sub {
			$self->{pid} = _spawn($self->{log}, $self->{ids},
			    "$bin/postgres", '-D', "$dir/data", '-k', $dir,
			    '-c', 'listen_addresses=', '-c', 'fsync=off',
			    '-c', 'synchronous_commit=off',
			    '-c', 'full_page_writes=off',
			    '-c', 'max_connections=20');
			$self->_write_pids;
		});
		my $deadline = time + 60;
		until (-S "$dir/.s.PGSQL.5432" &&
		    system("$bin/pg_isready", '-q', '-h', $dir) == 0) {
			croak "postgres exited\n" . tail($self->{log})
			    if waitpid($self->{pid}, WNOHANG) == $self->{pid};
			croak "postgres not ready after 60 s\n"
			    . tail($self->{log}) if time > $deadline;
			sleep 0.05;
		}
		1;
	} or do {
		my $err = $@;
		$self->stop;
		croak "Herald::Pg->start failed: $err";
	};
	return $self;
}

# The guardian stops "spawned" PIDs with SIGTERM, then SIGKILL.
sub _write_pids ($self) {
	my $st = proc_stat($self->{pid});
	spew("$self->{dir}/.pids.tmp",
	    $st ? "spawned $self->{pid} $st->{start}\n" : '');
	rename("$self->{dir}/.pids.tmp", "$self->{dir}/.pids");
}

sub dir ($self) { $self->{dir} }
sub pid ($self) { $self->{pid} }

sub url ($self, $db) {
	return "host=$self->{dir} port=5432 dbname=$db user=postgres";
}

# Run SQL (a string, or a file with file => 1) in $db; returns psql's
# unaligned, tuples-only output; dies on an error.
sub psql ($self, $db, $sql, %o) {
	my $bin = bindir();
	my $out = "$self->{dir}/psql.out";
	my @cmd = ("$bin/psql", '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1',
	    '-h', $self->{dir}, '-U', 'postgres', '-d', $db);
	push @cmd, $o{file} ? ('-f', $sql) : ('-c', $sql);
	my $pid = fork() // croak "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<', '/dev/null');
		open(STDOUT, '>', $out) or _exit(127);
		open(STDERR, '>&', \*STDOUT);
		$ENV{PGTZ} //= 'UTC';
		exec { $cmd[0] } @cmd or _exit(127);
	}
	waitpid($pid, 0);
	my $text = slurp($out);
	croak "psql failed: $text" if $? != 0;
	chomp $text;
	return $text;
}

sub createdb ($self, $db) {
	$self->psql('postgres', qq{CREATE DATABASE "$db"});
}

sub stop ($self) {
	return if $self->{stopped} || $self->{owner} != $$;
	$self->{stopped} = 1;
	local ($?, $!, $@);
	if (my $pid = $self->{pid}) {
		# SIGINT: fast shutdown (clients are disconnected).
		kill 'INT', $pid;
		my $deadline = time + 30;
		while (waitpid($pid, WNOHANG) == 0) {
			if (time > $deadline) {
				kill 'KILL', $pid;
				waitpid($pid, 0);
				last;
			}
			sleep 0.02;
		}
	}
	if ($self->{guardian_pid}) {
		unlink("$self->{dir}/.pids");
		close(delete $self->{guardian_fh});
		# A guardian forked later by someone else may hold our pipe:
		# with nothing left to guard, it is not waited for long.
		my $deadline = time + 2;
		while (waitpid($self->{guardian_pid}, WNOHANG) == 0) {
			if (time > $deadline) {
				kill 'KILL', $self->{guardian_pid};
				waitpid($self->{guardian_pid}, 0);
				last;
			}
			sleep 0.02;
		}
	}
	delete $LIVE{refaddr $self};
	if ($self->{keep}) {
		print STDERR "# Herald::Pg: kept $self->{dir}\n";
	} else {
		remove_tree($self->{dir}, { safe => 1 });
	}
}

sub DESTROY ($self) { $self->stop }

END {
	$_->stop for grep { defined } values %LIVE;
}

1;
