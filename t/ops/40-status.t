#!/usr/bin/perl
# herald status: asks the running pool on its "listen" socket for
# /_herald/status; its workers are the pool's, their counts add up, the
# queue comes from the database.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP;
use Herald::Stack;

my $s = Herald::Stack->start(workers => 2);
my $bin = Herald::Stack::herald_bin();
my $conf = $s->config_file;
$s->post('/notification', { type => 'data', user => 'st', subject => 'x' })
    for 1 .. 3;
$s->get('/messages?user=st') for 1 .. 5;

my $out = `$bin -c $conf status --json 2>&1`;
is $?, 0, 'herald status --json exits 0' or diag $out;
my $j = eval { decode_json($out) } // {};
ok $j->{pool}, 'answered by the pool';
is_deeply [sort { $a <=> $b } map { $_->{pid} } @{ $j->{workers} }],
    [sort { $a <=> $b } $s->worker_pids], 'its workers are the pool\'s';
my $sum = 0;
$sum += $_->{requests} for @{ $j->{workers} };
is $sum, $j->{requests}, 'per-worker counts add up to the total';
cmp_ok $j->{requests}, '>=', 8, "requests counted ($j->{requests})";
ok $j->{uptime_seconds} >= 0 && $j->{started} =~ /^\d{4}-/, 'uptime, start';
ok $j->{database}, 'database up';
my ($q) = grep { $_->{state} eq 'pending' || $_->{state} eq 'sent'
    || $_->{state} eq 'failed' } @{ $j->{queue} };
ok exists $j->{queue}, 'a queue listing' ;
my @states = grep { !/^(?:busy|idle|starting)\z/ } map { $_->{state} }
    @{ $j->{workers} };
is scalar(@states), 0, 'worker states are busy, idle or starting';

$out = `$bin -c $conf status 2>&1`;
is $?, 0, 'herald status exits 0';
like $out, qr/^pool:\s+up /m, 'a pool line';
like $out, qr/^slot\s+pid\s+gen\s+state/m, 'a worker table';
my $wpid = ($s->worker_pids)[0];
like $out, qr/^\d+\s+$wpid\s/m, 'with a worker of the pool';

$s->stop_pid($s->herald_pid);
$out = `$bin -c $conf status 2>&1`;
isnt $?, 0, 'no pool: exit status not 0';
like $out, qr/cannot reach the pool/, '... and says why';
done_testing;
