#!/usr/bin/perl
# The workers under valgrind memcheck: a round of requests of every kind
# (writes, reads, errors, a database outage), then a clean stop; any
# memcheck error or definite/indirect leak fails.  Slow (valgrind): runs only
# with HERALD_VALGRIND=1 (CI runs it once); needs valgrind.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Fault;

plan skip_all => 'set HERALD_VALGRIND=1 to run the workers under valgrind'
    unless $ENV{HERALD_VALGRIND};
my $vg = Herald::Stack::find_prog('valgrind')
    or plan skip_all => 'valgrind not installed';

my $s = Herald::Stack->start(workers => 2, config => {
    db_connect_timeout => 1, db_read_timeout => 5, db_write_timeout => 5 });
my $logs = $s->dir . '/valgrind';
mkdir $logs;
# herald serve forks its workers: memcheck follows a fork by itself (and
# --trace-children=yes would follow an exec).  One log file per process.
Herald::Fault::restart_herald($s, timeout => 120, wrapper => [$vg,
    '--tool=memcheck', '--leak-check=full', '--show-leak-kinds=definite,indirect',
    '--errors-for-leak-kinds=definite,indirect', '--error-exitcode=99',
    '--trace-children=yes', '--child-silent-after-fork=no',
    '--track-origins=yes', "--log-file=$logs/vg.%p.log"]);
my @w = $s->worker_pids;
is scalar(@w), 2, 'two workers under valgrind';

my $ok = 0;
my $n = 0;
for my $i (1 .. 20) {
	$n += 3;
	$ok++ if $s->post('/notification', { type => 'data', user => "v$i",
	    subject => "valgrind $i", payload => { i => $i } })->{status} == 200;
	$ok++ if $s->get("/messages?user=v$i&limit=5")->{status} == 200;
	$ok++ if $s->get("/count-messages?user=v$i")->{status} == 200;
}
is $ok, $n, 'requests under valgrind succeed';
# Errors and refusals take other paths.
is $s->post('/notification', '{"type":')->{status}, 400, 'bad JSON';
is $s->get('/messages?user=%zz')->{status}, 400, 'bad query';
is $s->get('/nope')->{status}, 400, 'unknown path';
is $s->post('/seen?user=v1', { uuids => ['0D4F3C2B-1A09-4876-9543-210FEDCBA987'] })
    ->{status}, 200, '/seen';
is $s->delete('/delete-all?user=v2')->{status}, 200, '/delete-all';
# A database outage: 503, then recovery (the reconnect path).
Herald::Fault::stop_mariadb($s);
is $s->get('/messages?user=v1')->{status}, 503, '503 while down';
Herald::Fault::start_mariadb($s);
my $back = 0;
for (1 .. 100) {
	last if ($back = $s->get('/messages?user=v1')->{status} == 200);
	sleep 0.1;
}
ok $back, 'recovered';

# Stop the pool (TERM) so memcheck writes its leak summaries.
my $master = $s->herald_pid;
kill 'TERM', $master;
ok Herald::Fault::wait_gone($s, $master, 60), 'the pool stopped';
my $st = $s->{exit}{$master};
my @bad;
for my $f (glob "$logs/vg.*.log") {
	open(my $fh, '<', $f) or next;
	my $t = do { local $/; <$fh> };
	my ($errs) = $t =~ /ERROR SUMMARY: (\d+) errors/;
	push @bad, "$f: " . ($errs // 'no summary') . "\n$t"
	    if !defined $errs || $errs > 0;
}
is scalar(@bad), 0, 'no memcheck errors or leaks in '
    . scalar(() = glob "$logs/vg.*.log") . ' process logs'
    or diag substr(join("\n", @bad), 0, 20000);
is $st // 0, 0, 'master exit status 0';
done_testing;
