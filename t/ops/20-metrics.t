#!/usr/bin/perl
# /_herald/metrics through nginx: the counts of every worker of the pool in
# one scrape, exact under concurrent load and across a worker killed and
# respawned; the text parsed by a real Prometheus parser (promtool check
# metrics, else python3's prometheus_client); metrics_access enforced.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use lib "$FindBin::Bin/../api/auth";
use Test::More;
use File::Temp qw(tempfile);
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Prom;
use Herald::Fault;
use AuthTest qw(make_token);

my $W = 3;
my $s = Herald::Stack->start(workers => $W);

sub samples ($text) { return Herald::Prom::samples($text) }
sub scrape () {
	my $r = $s->get('/_herald/metrics');
	die "scrape: $r->{status} $r->{content}" unless $r->{status} == 200;
	return $r;
}
my $MSG = 'herald_http_requests_total{dialect="agent",route="/messages",'
    . 'method="GET",code="200"}';
my $MISS = 'herald_http_requests_total{dialect="agent",route="(unmatched)",'
    . 'method="other",code="400"}';

my $r = scrape();
like $r->{content_type}, qr{^text/plain; version=0\.0\.4}, 'text format 0.0.4';
my $v0 = samples($r->{content});
ok $v0, 'every sample line is "series value"';
is $v0->{$MSG} // 0, 0, 'no /messages yet';

my $work = sub ($s, $i, $n) {
	my $r = $n % 4 == 3 ? $s->get("/no-such-path-$n")
	    : $s->get("/messages?user=m$i&limit=2");
	return ($r->{status}, '');
};
sub load_phase ($secs) {
	my $load = Herald::Fault::load($s, children => 4, work => $work);
	sleep $secs;
	return $load->stop;
}

my @res = load_phase(2);
my $ok1 = grep { $_->{status} == 200 } @res;
my $miss1 = grep { $_->{status} == 400 } @res;
is scalar(@res), $ok1 + $miss1, scalar(@res) . ' requests, all 200 or 400';
my $v1 = samples(scrape()->{content});
is $v1->{$MSG}, $ok1, "GET /messages 200 counted once each over $W workers ($ok1)";
is $v1->{$MISS} // 0, $miss1, "unknown paths counted as agent 400 ($miss1)";

# Which workers served: more than one, or the test shows nothing.
my $st = $s->get('/_herald/status')->{json};
my @busy = grep { $_->{requests} > 0 } @{ $st->{workers} };
cmp_ok scalar(@busy), '>=', 2, scalar(@busy) . ' workers served requests';

# A worker killed between two loads: its counts stay, a new one comes.
my @w = $s->worker_pids;
kill 'KILL', $w[0];
my $t0 = time;
my @now;
while (time - $t0 < 15) {
	@now = $s->worker_pids;
	last if @now == $W && !grep { $_ == $w[0] } @now;
	sleep 0.05;
}
ok @now == $W && !grep({ $_ == $w[0] } @now), 'the killed worker is replaced';
my $v2 = samples(scrape()->{content});
is $v2->{$MSG}, $ok1, 'no count lost with the killed worker';
is $v2->{'herald_pool_workers_respawned_total'}, 1, 'one respawn counted';

@res = load_phase(2);
my $ok2 = grep { $_->{status} == 200 } @res;
my $miss2 = grep { $_->{status} == 400 } @res;
$r = scrape();
my $v3 = samples($r->{content});
is $v3->{$MSG}, $ok1 + $ok2, "and the next load adds to them ($ok2 more)";
is $v3->{$MISS}, $miss1 + $miss2, 'the misses too';
my $hist = 'herald_http_request_duration_seconds_count{dialect="agent",'
    . 'route="/messages"}';
is $v3->{$hist}, $ok1 + $ok2 + 0, 'the latency histogram counts the same'
    or diag "$hist";
my $inf = 'herald_http_request_duration_seconds_bucket{dialect="agent",'
    . 'route="/messages",le="+Inf"}';
is $v3->{$inf}, $v3->{$hist}, 'le="+Inf" equals _count';
cmp_ok $v3->{herald_db_statements_total}, '>=', $ok1 + $ok2,
    'statements counted';
is $v3->{'herald_pool_workers{state="idle"}'} + $v3->{'herald_pool_workers{state="busy"}'}
    + $v3->{'herald_pool_workers{state="starting"}'}, $W, "$W workers by state";
is $v3->{herald_db_up}, 1, 'herald_db_up 1';

# A real parser.
my ($fh, $file) = tempfile(UNLINK => 1);
print {$fh} $r->{content};
close $fh;
my $promtool = Herald::Stack::find_prog('promtool');
SKIP: {
	skip 'promtool not installed (Debian: prometheus)', 1 unless $promtool;
	my $out = `$promtool check metrics < $file 2>&1`;
	is $?, 0, 'promtool check metrics accepts the scrape' or diag $out;
}
SKIP: {
	my $py = "from prometheus_client.parser import text_string_to_metric_families as p\n"
	    . "import sys\nn = sum(len(f.samples) for f in p(open(sys.argv[1]).read()))\n"
	    . "print(n)\n";
	my $n = `/usr/bin/env PATH=/usr/bin:$ENV{PATH} python3 -c '$py' $file 2>&1`;
	skip 'python3-prometheus-client not installed', 1
	    if $n =~ /ModuleNotFoundError/;
	chomp $n;
	is $n, scalar(keys %$v3), "prometheus_client parses all $n samples";
}

# metrics_access = loopback: a client elsewhere is refused.
my $h = Herald::Fault::fcgi_begin($s, method => 'GET',
    path => '/_herald/metrics', env => { REMOTE_ADDR => '192.0.2.7' }, hold => 0);
my $fin = Herald::Fault::fcgi_finish($h);
is $fin->{status}, 403, 'loopback: 192.0.2.7 gets 403';
$h = Herald::Fault::fcgi_begin($s, method => 'GET', path => '/_herald/status',
    env => { REMOTE_ADDR => '192.0.2.7' }, hold => 0);
is Herald::Fault::fcgi_finish($h)->{status}, 403, '... for status too';
$s->stop;

# metrics_access = token: an admin token, and nothing else.
my $t = Herald::Stack->start(workers => 1, config => {
	metrics_access => 'token', auth => 'token' });
is $t->get('/_herald/metrics')->{status}, 401, 'token: none, 401';
my $user = make_token($t, 'someone', 'user');
is $t->get('/_herald/metrics', { Authorization => "Bearer $user" })->{status},
    403, 'token: a user token, 403';
my $admin = make_token($t, 'ops', 'admin');
$r = $t->get('/_herald/metrics', { Authorization => "Bearer $admin" });
is $r->{status}, 200, 'token: an admin token, 200';
like $r->{content}, qr/^herald_http_requests_total\{/m, '... the metrics';
is $t->get('/_herald/health/live')->{status}, 200,
    'health needs no token in any mode';
unlike $t->log_text, qr/hrld_/, 'no token in the log';
done_testing;
