#!/usr/bin/perl
# Every process owns its signal dispositions (issue P, item 5):
#   - SIGUSR1 to the master or to a worker of "herald serve" leaves the
#     pool serving and idle (libfcgi's own SIGUSR1 handler, installed by
#     FCGX_Init in the master and inherited, made accept fail at once,
#     forever: every worker at 100% CPU);
#   - SIGHUP makes "herald dispatch" read its configuration again instead
#     of dying; a bad file is refused and the old configuration kept.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use POSIX qw(sysconf);
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Delivery;
use Herald::Fault;

my $sink = Herald::Delivery::sink('http');
my $s = Herald::Stack->start(workers => 2, config => {
	email_method => 'webhook',
	webhook_url => "http://127.0.0.1:$sink->{port}/hook",
	dispatch_interval_ms => 100,
});
my $master = $s->herald_pid;

# CPU seconds (user + system) a process has used.
my $HZ = sysconf(POSIX::_SC_CLK_TCK()) || 100;
sub cpu ($pid) {
	open(my $fh, '<', "/proc/$pid/stat") or return undef;
	my $l = <$fh>;
	my @f = split ' ', substr($l, rindex($l, ')') + 2);
	return ($f[11] + $f[12]) / $HZ;
}

# --- the pool and SIGUSR1 ---------------------------------------------------
my @w = $s->worker_pids;
is scalar(@w), 2, 'two workers';
is $s->get('/')->{status}, 200, 'serving';
kill 'USR1', $master;
kill 'USR1', @w;
sleep 0.5;
my %c0 = map { $_ => cpu($_) } @w;
sleep 2;
for my $p (@w) {
	my $used = (cpu($p) // 0) - ($c0{$p} // 0);
	# A spinning worker uses all of the 2 s; an idle one almost nothing.
	cmp_ok $used, '<', 0.5, sprintf('worker %d idle after SIGUSR1 '
	    . '(%.2f s of CPU in 2 s)', $p, $used);
}
ok Herald::Fault::alive($s, $master), 'the master is alive';
is_deeply [sort $s->worker_pids], [sort @w], 'the same workers';
is scalar(grep { $s->get('/')->{status} == 200 } 1 .. 6), 6,
    'requests are answered';
like $s->log_text, qr/SIGUSR1: logs go to standard error/,
    'the master took SIGUSR1 itself';

# --- the dispatcher and SIGHUP ----------------------------------------------
my $d = Herald::Delivery::dispatcher($s);
my $dlog = $s->dir . '/dispatch.log';
sub dlog { open(my $fh, '<', $dlog) or return ''; local $/; <$fh> // '' }
ok Herald::Delivery::wait_until(10, sub { dlog() =~ /dispatcher started/ }),
    'the dispatcher started';

sub deliver ($u) {
	my $r = $s->post('/notification', { type => 'data', user => $u,
	    subject => "hi $u", email => JSON::PP::true, email_template => 't',
	    payload => { email_address => "$u\@example.org" } });
	return $r->{status} == 200 && Herald::Delivery::wait_until(10, sub {
	    grep { $_->{text} =~ /\Q$u\E\@example\.org/ }
	    Herald::Delivery::received($sink) });
}

kill 'HUP', $d;
ok Herald::Delivery::wait_until(10, sub { dlog() =~ /dispatcher reloaded/ }),
    'SIGHUP: the dispatcher reloaded';
ok kill(0, $d) && !waitpid($d, POSIX::WNOHANG()), '... and is running';
ok deliver('hup1'), '... and delivers';

# A bad file is refused; the old configuration stays.
my $conf = $s->config_file;
my $good = do { open(my $fh, '<', $conf) or die; local $/; <$fh> };
{ open(my $fh, '>', $conf) or die; print $fh $good, "nonsense = 1\n"; }
kill 'HUP', $d;
ok Herald::Delivery::wait_until(10, sub { dlog() =~ /reload refused/ }),
    'SIGHUP with a bad file: refused';
{ open(my $fh, '>', $conf) or die; print $fh $good; }
ok kill(0, $d) && !waitpid($d, POSIX::WNOHANG()), '... still running';
ok deliver('hup2'), '... and delivering with the old configuration';

my $st = Herald::Delivery::stop($d);
is $st, 0, 'SIGTERM: the dispatcher exits 0';

done_testing;
