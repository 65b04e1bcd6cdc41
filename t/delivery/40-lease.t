#!/usr/bin/perl
# Several dispatchers never send one delivery twice (issue P, item 4):
#   - a configuration where a batch can outlast its lease (dispatch_batch x
#     send_timeout >= delivery_lease) is refused at start;
#   - each lease is renewed just before its send, and one that was lost
#     (another dispatcher took the row after it expired) is not sent.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Delivery;

my $sink = Herald::Delivery::sink('http');
my $s = Herald::Stack->start(config => {
	email_method => 'webhook',
	webhook_url => "http://127.0.0.1:$sink->{port}/hook",
	send_timeout => 5,
	delivery_lease => 30,
	dispatch_batch => 2,
	dispatch_interval_ms => 100,
});

# 1. A batch that can outlast its lease is refused.
{
	open(my $fh, '<', $s->config_file) or die $!;
	local $/;
	my $c = <$fh>;
	$c =~ s/^dispatch_batch = .*$/dispatch_batch = 20/m or die;
	$c =~ s/^send_timeout = .*$/send_timeout = 10/m or die;
	$c =~ s/^delivery_lease = .*$/delivery_lease = 120/m or die;
	my $bad = $s->dir . '/bad-lease.conf';
	open(my $out, '>', $bad) or die $!;
	print $out $c;
	close($out);
	my $log = $s->dir . '/bad-lease.log';
	my $pid = fork() // die;
	if ($pid == 0) {
		open(STDERR, '>', $log);
		open(STDOUT, '>&', \*STDERR);
		{ exec(Herald::Stack::herald_bin(), "-c", $bad, "dispatch") };
		POSIX::_exit(127);
	}
	my $deadline = time + 10;
	sleep 0.05 while waitpid($pid, WNOHANG) == 0 && time < $deadline;
	my $exited = !kill(0, $pid);
	if (!$exited) { kill 'TERM', $pid; waitpid($pid, 0) }
	ok($exited && $? != 0, 'herald dispatch refuses 20 x 10 s against a '
	    . '120 s lease');
	open(my $lf, '<', $log) or die;
	like(scalar <$lf> // '', qr/must be less than delivery_lease/,
	    '... saying why');
}

# 2. A lease lost while an earlier send of the batch was slow.
Herald::Delivery::script($sink, '200:3');
for my $u (qw(la lb)) {
	my $r = $s->post('/notification', { type => 'data', user => $u,
	    subject => "hello $u", email => JSON::PP::true,
	    email_template => 't', payload => { email_address =>
	    "$u\@example.org" } });
	is($r->{status}, 200, "POST /notification for $u");
}
my $d = Herald::Delivery::dispatcher($s);
ok(Herald::Delivery::wait_until(10, sub { $s->sql_value("SELECT COUNT(*) "
    . "FROM deliveries WHERE lease_owner IS NOT NULL") == 2 }),
    'the dispatcher leased both in one batch');
sleep 1;	# the first send waits 3 s in the sink
# Another dispatcher takes both rows, as after an expired lease.
$s->sql("UPDATE deliveries SET lease_owner = UNHEX(REPEAT('AB', 16)), "
    . "lease_until = lease_until + 600000 WHERE state = 'pending'");
sleep 5;	# the slow send ends; the second would be sent now
my @posts = Herald::Delivery::received($sink);
is(scalar @posts, 1, 'only the send in flight reached the sink');
like($s->log_text . _dlog(), qr/lease lost; not sent/,
    'the other was not sent: lease lost');
like(_dlog(), qr/lease lost before the outcome was recorded/,
    'the outcome of the send in flight was not recorded over the new owner');
is($s->sql_value("SELECT COUNT(*) FROM deliveries WHERE state = 'pending' "
    . "AND lease_owner = UNHEX(REPEAT('AB', 16))"), 2,
    'both rows still belong to the other dispatcher');
Herald::Delivery::stop($d);

sub _dlog {
	open(my $fh, '<', $s->dir . '/dispatch.log') or return '';
	local $/;
	return <$fh> // '';
}

done_testing();
