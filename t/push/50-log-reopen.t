#!/usr/bin/perl
# herald push and herald dispatch write log_file like the pool, and SIGUSR1
# reopens it (logrotate moves the file, then signals): the next lines go to
# the new file, the process keeps serving, and it does not spin.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Temp qw(tempdir);
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Push;

my $logdir = tempdir('herald-logs-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod(0755, $logdir);
my $file = "$logdir/herald.log";
my $s = Herald::Stack->start(push => 1, config => { log_file => $file });
my $push = (grep { $s->alive($_->[0]) } @{ $s->{pushers} })[0][0];
my $disp = $s->start_dispatcher;

sub lines_of ($f) { grep { length } split /\n/, Herald::Stack::slurp_file($f) }
sub by ($pid, @l) { grep { /herald\[$pid\]/ } @l }
sub wait_line ($f, $pid, $re, $secs = 30) {
	my $t = time + $secs;
	while (time < $t) {
		return 1 if grep { /$re/ } by($pid, lines_of($f));
		sleep 0.05;
	}
	return 0;
}

ok wait_line($file, $push, qr/push: listening/), 'push logs to log_file'
    or diag Herald::Stack::slurp_file($s->dir . '/push.log');
ok wait_line($file, $disp, qr/dispatcher started/),
    'dispatch logs to log_file'
    or diag Herald::Stack::slurp_file($s->dir . '/dispatch.log');

rename $file, "$file.1" or die "rename: $!";
kill 'USR1', $push, $disp;
ok wait_line($file, $push, qr/log file reopened/),
    'push reopened log_file on SIGUSR1';
ok wait_line($file, $disp, qr/log file reopened/),
    'dispatch reopened log_file on SIGUSR1';
ok -s $file, 'a new file was made';

# The next lines of each go to the new file, not the moved one.
my $old_before = () = lines_of("$file.1");
my $ev = Herald::Push::sse($s->url('/v1/users/rot/notifications/stream'));
ok Herald::Push::wait_for(sub { $ev->{status} }, 30), 'a stream opens';
is $ev->{status}, 200, '... 200: push still serves';
ok wait_line($file, $push, qr/push: sse stream for rot/),
    'its line is in the new file';
kill 'HUP', $disp;
ok wait_line($file, $disp, qr/dispatcher reloaded/),
    'the dispatcher\'s next line (SIGHUP reload) is in the new file';
my @moved = lines_of("$file.1");
is scalar(by($push, @moved[$old_before .. $#moved])) +
    scalar(by($disp, @moved[$old_before .. $#moved])), 0,
    'nothing of theirs went to the moved file after the signal';
ok $s->alive($push) && $s->alive($disp), 'both still run';

# No spin: CPU ticks of both over one idle second.
sub ticks (@p) {
	my $n = 0;
	for my $p (@p) {
		my @st = split ' ', (Herald::Stack::slurp_file("/proc/$p/stat")
		    =~ s/.*\) //sr);
		$n += $st[11] + $st[12];
	}
	return $n;
}
my $t0 = ticks($push, $disp);
sleep 1;
my $d = ticks($push, $disp) - $t0;
cmp_ok $d, '<', 50, "no spin after SIGUSR1 ($d ticks in 1 s)";

Herald::Push::close_stream($ev);
$s->stop;
done_testing;
