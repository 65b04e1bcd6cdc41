#!/usr/bin/perl
# herald push's own metrics at /_herald/push/metrics (through nginx):
# open streams by kind and dialect counted right with N streams open and
# dropping after they close, event frames counted, refusals and polls; the
# text accepted by promtool (as t/ops/20-metrics.t); metrics_access.
# Heartbeats are off (an hour), so a closed SSE stream can only be noticed
# by its hangup: push must drop it without a write failing, and not spin.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Temp qw(tempfile);
use Mojo::UserAgent;
use Time::HiRes qw(sleep);
use Herald::Stack;
use Herald::Prom;
use Herald::Push;

my $s = Herald::Stack->start(push => 1, config => { push_heartbeat_s => 3600 });
my $push = (grep { $s->alive($_->[0]) } @{ $s->{pushers} })[0][0];
sub ticks () {
	my @f = split ' ', (Herald::Stack::slurp_file("/proc/$push/stat") =~ s/.*\) //sr);
	return $f[11] + $f[12];
}
my $W = 30;

sub samples ($text) { return Herald::Prom::samples($text) }
my $last;
sub scrape () {
	my $r = $s->get('/_herald/push/metrics');
	die "scrape: $r->{status} $r->{content}" unless $r->{status} == 200;
	$last = $r;
	return samples($r->{content});
}
# The label order push writes: kind, then dialect.
sub st ($kind, $dialect) { "herald_push_streams{kind=\"$kind\",dialect=\"$dialect\"}" }

my $v = scrape();
like $last->{content_type}, qr{^text/plain; version=0\.0\.4}, 'text format 0.0.4';
ok $v, 'every sample line is "series value"';
is $v->{herald_push_watchers}, 0, 'no watchers yet';

my $NAT = $s->url('/v1/users/m1/notifications/stream');
my @nat = map { Herald::Push::sse($NAT) } 1 .. 3;
my @agent = map { Herald::Push::sse($s->url('/events?user=m2')) } 1 .. 2;
my $ws = Herald::Push::ws($NAT);
ok Herald::Push::wait_for(sub { !grep { !$_->{status} } @nat, @agent, $ws },
    $W), 'six streams answer';
is_deeply [map { $_->{status} } @nat, @agent, $ws], [200, 200, 200, 200,
    200, 101], '... 200 and 101';
ok Herald::Push::wait_for(sub { scrape()->{herald_push_watchers} == 6 }, $W),
    'herald_push_watchers 6';
$v = scrape();
is $v->{st('sse', 'native')}, 3, 'sse native 3';
is $v->{st('sse', 'agent')}, 2, 'sse agent 2';
is $v->{st('websocket', 'native')}, 1, 'websocket native 1';
is $v->{'herald_push_streams_opened_total{kind="sse",dialect="native"}'}, 3,
    'opened_total sse native 3';
is $v->{'herald_push_frames_total{kind="sse"}'}, 0, 'no event frames yet';

# Two notifications for m1: three SSE and one WebSocket stream get each.
for my $i (1 .. 2) {
	my $r = $s->request('POST', '/v1/notifications', { recipient => 'm1',
	    title => "t$i", body => 'b' }, { 'Content-Type' => 'application/json' });
	is $r->{status}, 201, "notification $i" or diag $r->{content};
}
ok Herald::Push::wait_for(sub { !(grep { @{ $_->{events} } < 2 } @nat)
    && @{ $ws->{messages} } >= 2 }, $W), 'every m1 stream has both events';
ok Herald::Push::wait_for(sub {
	my $x = scrape();
	$x->{'herald_push_frames_total{kind="sse"}'} == 6 &&
	    $x->{'herald_push_frames_total{kind="websocket"}'} == 2 }, $W),
    'frames_total: sse 6, websocket 2'
    or diag $last->{content};
$v = scrape();
cmp_ok $v->{'herald_push_frame_bytes_total{kind="sse"}'}, '>', 6 * 20,
    'frame bytes counted';
cmp_ok $v->{herald_push_changes_total}, '>=', 2, 'changes read';
cmp_ok $v->{herald_push_poll_seconds_count}, '>', 0, 'polls counted';
is $v->{'herald_push_poll_seconds_bucket{le="+Inf"}'},
    $v->{herald_push_poll_seconds_count}, '+Inf bucket = count';
ok $v->{herald_push_poll_seconds_max} >= 0 &&
    $v->{herald_push_poll_seconds_max} < 60, 'poll max';

# A refusal is counted.
my $bad = $s->get('/events');
cmp_ok $bad->{status}, '>=', 400, 'GET /events without user is refused';
is scrape()->{herald_push_streams_refused_total}, 1, 'refused_total 1';

# Close two native SSE streams and the WebSocket: the gauges drop.
Herald::Push::close_stream($_) for @nat[0, 1], $ws;
ok Herald::Push::wait_for(sub { scrape()->{herald_push_watchers} == 3 }, $W),
    'after closing three: herald_push_watchers 3' or diag $last->{content};
$v = scrape();
is $v->{st('sse', 'native')}, 1, 'sse native 1';
is $v->{st('websocket', 'native')}, 0, 'websocket native 0';
is $v->{st('sse', 'agent')}, 2, 'sse agent still 2';
is $v->{'herald_push_streams_opened_total{kind="sse",dialect="native"}'}, 3,
    'opened_total unchanged';
my $t0 = ticks();
sleep 1;
cmp_ok ticks() - $t0, '<', 50, 'push idle after the hangups: no spin ('
    . (ticks() - $t0) . ' ticks in 1 s)';

my ($fh, $file) = tempfile(UNLINK => 1);
print {$fh} $last->{content};
close $fh;
my $promtool = Herald::Stack::find_prog('promtool');
SKIP: {
	skip 'promtool not installed (Debian: prometheus)', 1 unless $promtool;
	my $out = `$promtool check metrics < $file 2>&1`;
	is $?, 0, 'promtool check metrics accepts the scrape' or diag $out;
}

# metrics_access = loopback: push reads the front end's X-Real-IP.
my $sock = $s->push_socket =~ s{/}{%2F}gr;
my $ua = Mojo::UserAgent->new;
my $tx = $ua->get("http+unix://$sock/_herald/push/metrics" =>
    { 'X-Real-IP' => '192.0.2.7' });
is $tx->res->code, 403, 'from 192.0.2.7: 403';
$tx = $ua->get("http+unix://$sock/_herald/push/metrics" =>
    { 'X-Real-IP' => '127.0.0.1' });
is $tx->res->code, 200, 'from 127.0.0.1: 200';

Herald::Push::close_stream($_) for $nat[2], @agent;
$s->stop;
done_testing;
