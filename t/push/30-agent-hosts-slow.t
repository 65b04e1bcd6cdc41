#!/usr/bin/perl
# The agent's GET /events?user= (agent.md §5.4): {"message":N,"total":unseen}
# per new notification.  Two push processes on one database (two hosts)
# both deliver every event.  A reader that never reads is dropped when its
# send queue is full, and the others go on.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Socket::UNIX;
use Herald::Stack;
use Herald::Push;

my $s = Herald::Stack->start(push => 1, config => { push_queue_max => 131072 });
my $W = 30;

sub agent_post ($user, $subject, $msg = 'x') {
	my $r = $s->request('POST', '/notification', { type => 'analysis',
	    user => $user, subject => $subject, message => $msg },
	    { 'Content-Type' => 'application/json' });
	is $r->{status}, 200, "agent notification $subject" or diag $r->{content};
}

my $ev = Herald::Push::sse($s->url('/events?user=ipcdev'));
# "Another host": a second push process on its own socket, same database.
my $sock2 = $s->dir . '/push2.sock';
$s->start_push(name => 'push2', listen => $sock2);
my $sock2e = $sock2 =~ s{/}{%2F}gr;
my $ev2 = Herald::Push::sse("http+unix://$sock2e/events?user=ipcdev");
Herald::Push::wait_for(sub { $ev->{status} && $ev2->{status} }, $W);
is $ev->{status}, 200, 'agent events: 200';
is $ev2->{status}, 200, 'second push process: 200';

agent_post('ipcdev', "s$_") for 1 .. 3;
ok Herald::Push::wait_for(sub { @{ $ev->{events} } >= 3 }, $W),
    'three events' or diag explain $ev;
ok Herald::Push::wait_for(sub { @{ $ev2->{events} } >= 3 }, $W),
    'the other host has them all too';
my $j = $ev->{events}[2]{json};
is $j->{message}{subject}, 's3', 'message: the N object';
is $j->{message}{user}, 'ipcdev', 'of the user';
is $j->{total}, 3, 'total: the unseen count, a number';
is_deeply [map { $_->{json}{message}{message}{id} } @{ $ev->{events} }],
    [map { $_->{json}{message}{message}{id} } @{ $ev2->{events} }],
    'the same events on both hosts';

my $miss = Herald::Push::sse($s->url('/events'));
Herald::Push::wait_for(sub { $miss->{done} }, $W);
is $miss->{status}, 400, 'no user: 400';
like $miss->{body}, qr/ERR_ILLEGAL_ARGUMENT/, "the agent's error";

# A slow reader: connected straight to push, reads nothing.
my $slow = IO::Socket::UNIX->new(Peer => $s->push_socket)
    or die "connect: $!";
setsockopt($slow, Socket::SOL_SOCKET(), Socket::SO_RCVBUF(), 4096);
print {$slow} "GET /events?user=ipcdev HTTP/1.1\r\nHost: x\r\n\r\n";
my $big = 'y' x 30000;
# Paced so that a reader that reads keeps up, queue bound or not.
for my $i (1 .. 24) {
	agent_post('ipcdev', "big$i", $big);
	Herald::Push::settle(0.25);
}
ok Herald::Push::wait_for(sub { @{ $ev->{events} } >= 27 }, $W),
    'the good reader has every event' or diag scalar(@{ $ev->{events} }), ' ', length($ev->{buf}), ' ', Herald::Stack::tail_file($s->dir . '/push.log');
ok Herald::Push::wait_for(sub {
	Herald::Stack::slurp_file($s->dir . '/push.log') =~ /send queue is full/ }, $W),
    'the slow reader was dropped';
close $slow;
agent_post('ipcdev', 'after');
ok Herald::Push::wait_for(sub { @{ $ev->{events} } >= 28 }, $W),
    'the others go on';

done_testing;
