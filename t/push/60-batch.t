#!/usr/bin/perl
# One poll that reads many changes (push stopped while they are written):
# the notes and counters of a poll are read together, and each stream
# still gets exactly its own frames, in order — users of two tenants
# (the same name in both), two streams of one user, a note deleted and
# one read before the poll (shown as they are at the poll), a user
# removed with its notes (its change has nothing to show), more changes
# than one read serves, and a resume from inside that poll.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/../api/auth";
use Test::More;
use Herald::Stack;
use Herald::Push;
use AuthTest;

my $s = Herald::Stack->start(push => 1, config => { auth => 'token' });
my $W = 30;	# generous: a loaded 2-core machine
my %tok = (
	alice => make_token($s, 'alice', 'user'),
	bob => make_token($s, 'bob', 'user'),
	alice_b => make_token($s, 'alice', 'user', '--tenant', 'beta'),
	carol_b => make_token($s, 'carol', 'user', '--tenant', 'beta'),
);
my %svc = (default => bearer(make_token($s, 'svc', 'service')),
    beta => bearer(make_token($s, 'svc', 'service', '--tenant', 'beta')));

sub stream ($who, @h) {
	my ($user) = $who =~ /^([a-z]+)/;
	return Herald::Push::sse($s->url("/v1/users/$user/notifications/stream"),
	    { Authorization => "Bearer $tok{$who}", @h });
}
sub create ($tenant, $user, $title) {
	my $r = $s->request('POST', '/v1/notifications', { recipient => $user,
	    type => 'batch_test', title => $title, body => "b $title" },
	    { 'Content-Type' => 'application/json', %{ $svc{$tenant} } });
	is $r->{status}, 201, "created $title ($tenant)" or diag $r->{content};
	return $r->{json}{id};
}
sub seen ($e) {
	return [map { "$_->{event} " . ($_->{json}{notification}{id} // '?') }
	    @{ $e->{events} }];
}

my $a = stream('alice');
my $a2 = stream('alice');
my $bob = stream('bob');
my $ab = stream('alice_b');
my $cb = stream('carol_b');
ok Herald::Push::wait_for(sub { !grep { !$_->{status} } $a, $a2, $bob, $ab,
    $cb }, $W), 'every stream answered';
is $_->{status}, 200, 'SSE 200' for $a, $a2, $bob, $ab, $cb;

# Every change below is committed before push polls again.
my ($p) = map { $_->[0] } @{ $s->{pushers} };
kill 'STOP', $p;
my (@a, @ab, @bob);
my $n1 = create('default', 'alice', 'n1');
push @a, "created $n1";
my $m1 = create('beta', 'alice', 'm1');
push @ab, "created $m1";
push @bob, 'created ' . create('default', 'bob', 'b1');
my $c1 = create('beta', 'carol', 'c1');
my $n2 = create('default', 'alice', 'n2');
push @a, "created $n2";
my $m2 = create('beta', 'alice', 'm2');
push @ab, "created $m2";
my $r = $s->request('DELETE', "/v1/notifications/$n1", undef,
    bearer($tok{alice}));
is $r->{status}, 204, 'n1 deleted' or diag $r->{content};
push @a, "deleted $n1";
$r = $s->request('PATCH', "/v1/notifications/$m1", { read => JSON::PP::true },
    { 'Content-Type' => 'application/json', %{ bearer($tok{alice_b}) } });
is $r->{status}, 200, 'm1 read' or diag $r->{content};
push @ab, "read $m1";
my ($st, $out, $err) = AuthTest::herald_cli($s, 'user', 'remove', 'carol',
    '--tenant', 'beta');
is $st, 0, 'carol (beta) removed with her notifications' or diag $err;
# More changes than one read of notes serves (64).
push @bob, 'created ' . create('default', 'bob', "b$_") for 2 .. 70;
my $m3 = create('beta', 'alice', 'm3');
push @ab, "created $m3";
kill 'CONT', $p;

ok Herald::Push::wait_for(sub { @{ $bob->{events} } >= @bob
    && @{ $ab->{events} } >= @ab && @{ $a->{events} } >= @a
    && @{ $a2->{events} } >= @a }, $W), 'the poll delivered'
    or diag explain [seen($a), seen($ab), scalar @{ $bob->{events} }];
Herald::Push::settle(1);
is_deeply seen($a), \@a, "alice: her own, in order, n1 deleted";
is_deeply seen($a2), \@a, "alice's second stream: the same";
is_deeply [map { $_->{id} } @{ $a2->{events} }],
    [map { $_->{id} } @{ $a->{events} }], '... with the same ids';
is_deeply seen($ab), \@ab, "beta's alice: only beta's, in order";
is_deeply seen($bob), \@bob, 'bob: 70, in order, across reads';
is scalar(@{ $cb->{events} }), 0, "the removed user's change: no frame";

# Counters as they are at the poll, each user's own.
is_deeply [map { $_->{json}{unread_count} } @{ $a->{events} }], [1, 1, 1],
    'alice: unread_count 1 (n2)';
is_deeply [map { $_->{json}{unread_count} } @{ $ab->{events} }], [2, 2, 2, 2],
    "beta's alice: unread_count 2 (m2, m3)";
ok !(grep { $_->{json}{unread_count} != 70 } @{ $bob->{events} }),
    'bob: unread_count 70';
ok defined $ab->{events}[0]{json}{notification}{read_at},
    'm1 created: shown as it is at the poll, read';
ok !defined $ab->{events}[1]{json}{notification}{read_at}, 'm2: unread';
my @ids = map { $_->{id} =~ /^(\d+)/ ? $1 : -1 } @{ $bob->{events} };
ok !(grep { $ids[$_] < $ids[$_ - 1] } 1 .. $#ids) && $ids[0] > 0,
    'ids do not fall';

# A resume from inside that poll: the rest, once, from the same reads.
Herald::Push::close_stream($a2);
my $res = stream('alice', 'Last-Event-ID' => $a->{events}[0]{id});
ok Herald::Push::wait_for(sub { @{ $res->{events} } >= 2 }, $W),
    'the resumed stream catches up';
Herald::Push::settle(1);
is_deeply seen($res), [@a[1, 2]], 'no gap, no duplicate';

# And live again, one poll at a time.
my $m4 = create('beta', 'alice', 'm4');
ok Herald::Push::wait_for(sub { @{ $ab->{events} } > @ab }, $W), 'live again';
is_deeply seen($ab)->[-1], "created $m4", 'the live one';
is scalar(@{ $a->{events} }), 3, "not on the other tenant's alice";

done_testing;
