#!/usr/bin/perl
# GET /v1/users/{user}/notifications/stream through nginx and herald push:
# created, read and deleted events reach two streams of the user, ids
# rise, Last-Event-ID resumes with no gap and no duplicate (also across a
# restart of push), another user's stream is 403 in /v1's format.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/../api/auth";
use Test::More;
use Herald::Stack;
use Herald::Push;
use AuthTest;

my $s = Herald::Stack->start(push => 1, config => { auth => 'token' });
my $ALICE = make_token($s, 'alice', 'user');
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $STREAM = $s->url('/v1/users/alice/notifications/stream');
my $W = 30;	# generous: a loaded 2-core machine

sub create ($title) {
	my $r = $s->request('POST', '/v1/notifications', { recipient => 'alice',
	    type => 'push_test', title => $title, body => "b $title" },
	    { 'Content-Type' => 'application/json', %$SVC });
	is $r->{status}, 201, "created $title" or diag $r->{content};
	return $r->{json}{id};
}
sub n_events ($e, $n) {
	return Herald::Push::wait_for(sub { @{ $e->{events} } >= $n }, $W);
}

my $a = Herald::Push::sse($STREAM, { Authorization => "Bearer $ALICE" });
my $b = Herald::Push::sse($STREAM, { Authorization => "Bearer $ALICE" });
ok Herald::Push::wait_for(sub { ($a->{status} // 0) && ($b->{status} // 0) },
    $W), 'both streams answered';
is $a->{status}, 200, 'SSE 200';

my $id1 = create('one');
my $id2 = create('two');
ok n_events($a, 2), 'two events on the first stream' or diag explain $a;
ok n_events($b, 2), 'two events on the second stream';
is_deeply [map { $_->{event} } @{ $a->{events} }], [qw(created created)],
    'event: created';
is_deeply [map { $_->{json}{notification}{id} } @{ $a->{events} }],
    [$id1, $id2], 'in order, the /v1 notification JSON';
is $a->{events}[1]{json}{unread_count}, 2, 'unread_count';
ok $a->{events}[0]{id} =~ /^\d+$/ && $a->{events}[1]{id} > $a->{events}[0]{id},
    'ids are the rising cursor';

my $r = $s->request('PATCH', "/v1/notifications/$id1", { read => JSON::PP::true },
    { 'Content-Type' => 'application/json', Authorization => "Bearer $ALICE" });
is $r->{status}, 200, 'marked read' or diag $r->{content};
$r = $s->request('DELETE', "/v1/notifications/$id2", undef,
    { Authorization => "Bearer $ALICE" });
is $r->{status}, 204, 'deleted';
ok n_events($b, 4), 'read and deleted reach the second stream';
is_deeply [map { $_->{event} } @{ $b->{events} }[2, 3]], [qw(read deleted)],
    'event: read, then deleted';
is $b->{events}[2]{json}{notification}{id}, $id1, 'read: that notification';
is $b->{events}[3]{json}{unread_count}, 0, 'deleted: counts follow';

# Resume: what happened while away, exactly once.
my $last = $a->{events}[-1]{id};
n_events($a, 4);
$last = $a->{events}[-1]{id};
Herald::Push::close_stream($a);
my @away = (create('three'), create('four'));
my $c = Herald::Push::sse($STREAM, { Authorization => "Bearer $ALICE",
    'Last-Event-ID' => $last });
ok n_events($c, 2), 'the resumed stream catches up';
Herald::Push::settle(1);
is_deeply [map { $_->{json}{notification}{id} } @{ $c->{events} }], \@away,
    'no gap, no duplicate';
my $id5 = create('five');
ok n_events($c, 3), 'and goes on live';
is $c->{events}[2]{json}{notification}{id}, $id5, 'the live one';

# Across a restart of push.
$last = $c->{events}[-1]{id};
Herald::Push::close_stream($c);
Herald::Push::close_stream($b);
my ($p) = map { $_->[0] } @{ $s->{pushers} };
$s->stop_pid($p, 'TERM', 10);
ok !$s->alive($p), 'push stopped on SIGTERM';
my @down = (create('six'), create('seven'));
$s->start_push;
my $d = Herald::Push::sse($STREAM, { Authorization => "Bearer $ALICE",
    'Last-Event-ID' => $last });
ok n_events($d, 2), 'resumed after a restart';
Herald::Push::settle(1);
is_deeply [map { $_->{json}{notification}{id} } @{ $d->{events} }], \@down,
    'nothing lost while push was down, nothing twice';

# Refusals, in /v1's own format, before any stream.
my $bob = make_token($s, 'bob', 'user');
my $x = Herald::Push::sse($STREAM, { Authorization => "Bearer $bob" });
ok Herald::Push::wait_for(sub { $x->{done} }, $W), 'refused at once';
is $x->{status}, 403, "another user's stream: 403";
like $x->{body}, qr/"error"/, 'the native error body';
my $y = Herald::Push::sse($STREAM, {});
Herald::Push::wait_for(sub { $y->{done} }, $W);
is $y->{status}, 401, 'no token: 401';

# The pool itself never holds a stream.
unlike $s->log_text, qr/stream for/, 'no stream in the pool';

done_testing;
