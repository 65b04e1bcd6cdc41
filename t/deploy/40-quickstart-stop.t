#!/usr/bin/perl
# Stopping the quick start stops everything it started (issue 21, item 11):
# t/lib/stack.pl, started the way ./quickstart starts it (with --dispatch and --push),
# gets SIGTERM, SIGINT or SIGHUP -- to its own PID only, not to a process
# group as a terminal's Ctrl-C would -- or SIGKILL (then its guardian must
# do the stopping).  Each time a fresh stack; every process below the
# script, noted (PID and start time) while it served, must be gone.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Herald::Quickstart;

for my $sig (qw(TERM INT HUP KILL)) {
	my $q = Herald::Quickstart::start();
	my %procs = Herald::Quickstart::processes($q);
	my %cmd = Herald::Quickstart::survivors(\%procs, 0);
	my @kinds = grep { my $k = $_; grep { /$k/ } values %cmd }
	    qw(mariadbd nginx serve dispatch push);
	is_deeply \@kinds, [qw(mariadbd nginx serve dispatch push)],
	    "SIG$sig: mariadbd, nginx, herald serve, the dispatcher and push run"
	    or diag explain \%cmd;

	kill $sig, $q->{pid};
	my $st = Herald::Quickstart::wait_exit($q, 90);
	ok defined $st, "SIG$sig: stack.pl exited"
	    . (defined $st ? sprintf(' (wait status %d)', $st) : '');
	# After SIGKILL the guardian stops them, a moment later.
	my %left = Herald::Quickstart::survivors(\%procs, 60);
	is_deeply \%left, {}, "SIG$sig: no process it started is left"
	    or diag explain \%left;
	Herald::Quickstart::cleanup($q, \%procs);
}

done_testing;
