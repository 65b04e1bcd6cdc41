#!/usr/bin/perl
# Push over the cluster (issue O over L): two "herald push" processes,
# each with its host's pool configuration (node 0, node 1), both deliver
# every change written through either pool exactly once, and a stream
# resumed on the other host with Last-Event-ID neither skips nor repeats.
# On Galera the change log's AUTO_INCREMENT steps by the cluster size,
# so the numbers have holes that never commit: the feed must give them
# up without losing the late commits of the other node.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Herald::Galera;
use Herald::Push;

if (my $why = Herald::Galera::unavailable()) { plan skip_all => $why }
my $g = Herald::Galera->start();
diag(sprintf('cluster and pools up in %.1f s', $g->start_seconds));
my @sock = map { $g->start_push($_) } 0, 1;
my $W = 60;	# a loaded 2-core machine running three nodes

sub url ($i, $path) {
	my $s = $sock[$i] =~ s{/}{%2F}gr;
	return "http+unix://$s$path";
}
my $STREAM = '/v1/users/carol/notifications/stream';

my $k = 0;
sub create ($pool) {
	$k++;
	my $r = $g->pool_client($pool)->post('/v1/notifications', {
	    recipient => 'carol', type => 'cluster_push', title => "t$k",
	    body => "b$k" });
	return $r->{status} == 201 ? $r->{json}{id} : do {
		diag("create $k on pool$pool: $r->{status} $r->{content}");
		undef;
	};
}
sub created_ids ($e) {
	return [map { $_->{json}{notification}{id} }
	    grep { ($_->{event} // '') eq 'created' } @{ $e->{events} }];
}
sub events_of ($e, $n) {
	return Herald::Push::wait_for(sub { @{ $e->{events} } >= $n }, $W);
}

my @n = map { Herald::Push::sse(url($_, $STREAM)) } 0, 1;
my @a = map { Herald::Push::sse(url($_, '/events?user=carol')) } 0, 1;
ok Herald::Push::wait_for(sub { !grep { !$_->{status} } @n, @a }, $W),
    'four streams answered';
is_deeply [map { $_->{status} } @n, @a], [200, 200, 200, 200],
    'native and agent streams on both hosts: 200';

# 1. Writes through both pools reach both hosts, once each.
my @ids = map { create($_ % 2) } 1 .. 30;
is scalar(grep { defined } @ids), 30, '30 notifications through both pools';
for my $i (0, 1) {
	ok events_of($n[$i], 30), "host $i: 30 native events"
	    or diag scalar @{ $n[$i]{events} };
	is_deeply [sort @{ created_ids($n[$i]) }], [sort @ids],
	    "host $i: each notification once, none missing";
	ok events_of($a[$i], 30), "host $i: 30 agent events";
	is scalar(@{ $a[$i]{events} }), 30, "host $i: no agent event twice";
	is $a[$i]{events}[-1]{json}{total}, 30,
	    "host $i: the last agent event's unseen total";
}
# Each host sends in its own cursor order; a later id resumes after it.
for my $i (0, 1) {
	my @cur = map { $_->{id} } @{ $n[$i]{events} };
	is scalar(grep { !defined || !/^\d+(?:\.\d+)*$/ } @cur), 0,
	    "host $i: every event has a cursor id";
}

# 2. A change written on node 1 reaches host 0's stream.
my $r = $g->pool_client(1)->patch("/v1/notifications/$ids[0]",
    { read => JSON::PP::true });
is $r->{status}, 200, 'marked read through pool 1' or diag $r->{content};
ok events_of($n[0], 31), 'host 0: the read event';
is $n[0]{events}[30]{event}, 'read', '... it is "read"';
is $n[0]{events}[30]{json}{notification}{id}, $ids[0],
    '... of that notification';

# 3. Away from host 0, back on host 1 with host 0's Last-Event-ID.
my $last = $n[0]{events}[-1]{id};
Herald::Push::close_stream($n[0]);
my @away = map { create($_ % 2) } 1 .. 10;
my $back = Herald::Push::sse(url(1, $STREAM), { 'Last-Event-ID' => $last });
ok events_of($back, 10), 'resumed on host 1: it catches up'
    or diag explain { last => $last, got => scalar @{ $back->{events} } };
Herald::Push::settle(2);
is_deeply [sort @{ created_ids($back) }], [sort @away],
    'no gap, no duplicate across hosts';
is scalar(@{ $back->{events} }), 10, '... and nothing older';
my $live = create(0);
ok events_of($back, 11), 'and goes on live';
is $back->{events}[10]{json}{notification}{id}, $live, 'the live one';
diag("cursor ids seen on host 1: $n[1]{events}[0]{id} .. "
    . "$n[1]{events}[-1]{id}");
done_testing();
