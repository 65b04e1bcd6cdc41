#!/usr/bin/perl
# A poll whose notes cannot be read (the notifications table is away for
# a moment) sends nothing of those changes and does not step past them:
# once the table is back, every stream gets each frame exactly once, in
# order -- no gap, no repeat.  Push stays up throughout.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/../api/auth";
use Test::More;
use Herald::Stack;
use Herald::Push;
use AuthTest;

my $s = Herald::Stack->start(push => 1, config => { auth => 'token' });
my $W = 30;	# generous: a loaded 2-core machine
my $tok = make_token($s, 'alice', 'user');
my $svc = bearer(make_token($s, 'svc', 'service'));

sub create ($title) {
	my $r = $s->request('POST', '/v1/notifications', { recipient => 'alice',
	    type => 'read_failure', title => $title, body => "b $title" },
	    { 'Content-Type' => 'application/json', %$svc });
	is $r->{status}, 201, "created $title" or diag $r->{content};
	return $r->{json}{id};
}
sub seen ($e) {
	return [map { $_->{json}{notification}{id} // '?' }
	    grep { $_->{event} eq 'created' } @{ $e->{events} }];
}

my $e = Herald::Push::sse($s->url('/v1/users/alice/notifications/stream'),
    { Authorization => "Bearer $tok" });
ok Herald::Push::wait_for(sub { $e->{status} }, $W), 'the stream answered';
is $e->{status}, 200, 'SSE 200';
my @want = (create('before'));
ok Herald::Push::wait_for(sub { @{ seen($e) } >= 1 }, $W), 'a first frame';

# Written while push is stopped, then the table moved away before it
# polls: the change log reads, the notes do not.
my ($p) = map { $_->[0] } @{ $s->{pushers} };
kill 'STOP', $p;
push @want, create("n$_") for 1 .. 5;
$s->sql('RENAME TABLE notifications TO notifications_away');
kill 'CONT', $p;
ok Herald::Push::wait_for(sub { Herald::Stack::slurp_file($s->dir
    . "/push.log") =~ /cannot read the notes of 5/ },
    $W), 'push says it cannot read the notes, and will try again';
Herald::Push::settle(1);
is_deeply seen($e), [$want[0]], 'nothing sent while they cannot be read';
$s->sql('RENAME TABLE notifications_away TO notifications');
ok Herald::Push::wait_for(sub { @{ seen($e) } >= 6 }, $W),
    'sent once the notes can be read';
Herald::Push::settle(1);
is_deeply seen($e), \@want, 'each exactly once, in order';
push @want, create('after');
ok Herald::Push::wait_for(sub { @{ seen($e) } >= 7 }, $W), 'and live again';
is_deeply seen($e), \@want, 'still each once';
ok kill(0, $p), 'push is still running';

Herald::Push::close_stream($e);
$s->stop;
done_testing;
