#!/usr/bin/perl
# Restart MariaDB in the middle of a write load: every POST /notification
# that got a 2xx is in the database afterwards; requests during the outage
# get a JSON 503 within the configured timeouts (no hang, no 502); the pool
# recovers by itself within seconds of the database coming back.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP;
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Fault;

my %T = (db_connect_timeout => 1, db_read_timeout => 3, db_write_timeout => 3);
my $BOUND = $T{db_connect_timeout} + $T{db_read_timeout}
    + $T{db_write_timeout} + 1;
my $s = Herald::Stack->start(workers => 3, config => \%T);

my $load = Herald::Fault::load($s, children => 4, work => sub ($s, $i, $n) {
	my $r = $s->post('/notification', { type => 'data', user => "w$i",
	    subject => "note $i.$n" });
	my $info = '';
	if ($r->{status} == 200) {
		$info = ref $r->{json} eq 'HASH' ? $r->{json}{id} // '-' : '-';
	} else {
		$info = ref $r->{json} eq 'HASH'
		    ? 'json:' . ($r->{json}{error_code} // '') : 'text:'
		    . substr($r->{content}, 0, 60);
	}
	return ($r->{status}, $info);
});

# Two outages: a clean shutdown (TERM) and a crash (KILL).  @down: when
# each outage began (the next one ends the previous one's window).
my (@up, @down);
sleep 1.5;
for my $sig (qw(TERM KILL)) {
	push @down, time;
	my $stop_secs = Herald::Fault::stop_mariadb($s, $sig);
	diag sprintf('mariadbd stopped by SIG%s in %.2f s', $sig, $stop_secs);
	sleep 2;
	my $ready = Herald::Fault::start_mariadb($s);
	push @up, [$sig, time];
	diag sprintf('mariadbd restarted, ready in %.2f s', $ready);
	sleep 5;
}
push @down, time;	# the load stops: the last window ends
my @res = $load->stop;

my @ok = grep { $_->{status} == 200 } @res;
my @unavail = grep { $_->{status} == 503 } @res;
my @other = grep { $_->{status} != 200 && $_->{status} != 503 } @res;
diag sprintf('%d requests: %d x 200, %d x 503, %d other', scalar @res,
    scalar @ok, scalar @unavail, scalar @other);
cmp_ok scalar(@ok), '>', 20, 'writes went through';
cmp_ok scalar(@unavail), '>', 0, 'the outage was seen as 503';
is scalar(@other), 0, 'no status but 200 and 503 (no 502, no 500)'
    or diag explain [map { "$_->{status} $_->{info}" } @other[0 .. ($#other < 9 ? $#other : 9)]];
is scalar(grep { $_->{info} ne 'json:ERR_UNAVAILABLE' } @unavail), 0,
    'every 503 is JSON with error_code ERR_UNAVAILABLE';
my ($slowest) = sort { $b->{dt} <=> $a->{dt} } @res;
cmp_ok $slowest->{dt}, '<', $BOUND,
    sprintf('slowest request %.2f s < %d s (the db timeouts)',
    $slowest->{dt}, $BOUND);

# Recovery: from the moment the database answers, a few seconds at most.
# Every write from 3 s after the restart until the next outage succeeds.
# A write still in flight when the next outage begins belongs to that
# outage: the window used to be [3 s, 4 s) with the next SIGKILL at about
# 4 s, so under ASan a slower write started at 3.9x s met it and got its
# 503 (issue P, item 9; the reconnect pause, DB_RETRY_MS = 250 ms per
# worker, cannot delay a success by 3 s).
for my $k (0 .. $#up) {
	my ($sig, $t_up) = @{ $up[$k] };
	my $t_next = $down[$k + 1];
	my @after = grep { $_->{t0} >= $t_up && $_->{t0} < $t_up + 3.5 } @res;
	my ($first_ok) = grep { $_->{status} == 200 } @after;
	ok $first_ok, "SIG$sig: a write succeeded after the restart";
	cmp_ok(($first_ok->{t0} + $first_ok->{dt}) - $t_up, '<', 3,
	    "SIG$sig: first success within 3 s of the database being back")
	    if $first_ok;
	my @late = grep { $_->{t0} >= $t_up + 3
	    && $_->{t0} + $_->{dt} < $t_next } @res;
	cmp_ok scalar(@late), '>', 4, sprintf('SIG%s: %d writes between 3 s '
	    . 'after the restart and the next outage (%.1f s later)', $sig,
	    scalar @late, $t_next - $t_up);
	my @late_bad = grep { $_->{status} != 200 } @late;
	is scalar(@late_bad), 0,
	    "SIG$sig: every write from 3 s after the restart succeeds"
	    or diag explain [map { sprintf('t0 +%.2f s, %.2f s: %s %s',
	    $_->{t0} - $t_up, $_->{dt}, $_->{status}, $_->{info}) } @late_bad];
	my @met = grep { $_->{t0} >= $t_up + 3 && $_->{t0} < $t_next
	    && $_->{t0} + $_->{dt} >= $t_next } @res;
	diag sprintf('SIG%s: %d write(s) in flight when the next outage began',
	    $sig, scalar @met);
}

# Nothing acknowledged is lost.
my %db = map { $_->[0] => 1 } $s->sql('SELECT HEX(id) FROM notifications');
my @ids = map { (my $h = uc $_->{info}) =~ s/-//g; $h } @ok;
is scalar(grep { !/^[0-9A-F]{32}\z/ } @ids), 0, 'every 2xx carried an id';
my @lost = grep { !$db{$_} } @ids;
is scalar(@lost), 0, 'every acknowledged notification is in the database'
    or diag "lost: @lost[0 .. ($#lost < 9 ? $#lost : 9)]";
my %uniq = map { $_ => 1 } @ids;
is scalar(keys %uniq), scalar(@ids), 'ids are unique';
my $rows = scalar keys %db;
cmp_ok $rows, '>=', scalar(@ids), "rows ($rows) >= acknowledged ("
    . scalar(@ids) . ")";
diag sprintf('rows %d, acknowledged %d, not acknowledged but stored %d',
    $rows, scalar @ids, $rows - @ids);

# The pool is whole and the database is ours (stopped by PID at the end).
my @w = $s->worker_pids;
is scalar(@w), 3, 'all workers alive';
is $s->get('/messages?user=w0&limit=1')->{status}, 200, 'reads work';

done_testing;
