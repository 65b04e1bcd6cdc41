#!/usr/bin/perl
# Request limits and robustness: body_max (413), the pool survives refused
# requests, error bodies are JSON.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use JSON::PP;
use Herald::Stack;

my $s = Herald::Stack->start(body_max => 2048, workers => 2);

sub rows () { $s->sql_value('SELECT COUNT(*) FROM notifications') }

my @pids = $s->herald_pids;
is scalar(@pids), 3, 'master and 2 workers running';

# A body just under the limit is accepted.
{
	my $body = JSON::PP->new->canonical->encode({ type => 'data',
	    user => 'paul', subject => 'small', payload => { pad => '' } });
	my $pad = 2000 - length($body);
	$body = JSON::PP->new->canonical->encode({ type => 'data',
	    user => 'paul', subject => 'small', payload => { pad => 'x' x $pad } });
	is length($body), 2000, 'a 2000-byte body';
	my $r = $s->post('/notification', $body);
	is $r->{status}, 200, 'a body under body_max is accepted'
	    or diag $r->{content};
	is rows(), 1, 'and stored';
}

# Bodies over the limit: 413, nothing stored, for more requests than there
# are workers.
my $big = JSON::PP->new->encode({ type => 'data', user => 'paul',
    subject => 'too big', payload => { pad => 'x' x 4000 } });
ok length($big) > 2048, 'a body over body_max';
for my $i (1 .. 5) {
	my $r = $s->post('/notification', $big);
	is $r->{status}, 413, "oversized body #$i: 413" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i,
	    "oversized body #$i: JSON content type";
	ok ref $r->{json} eq 'HASH' && defined $r->{json}{error_code},
	    "oversized body #$i: JSON error body" or diag $r->{content};
}
is rows(), 1, 'nothing stored from the oversized bodies';
{
	my $r = $s->post('/seen?user=paul',
	    { uuids => [('0D4F3C2B-1A09-4876-9543-210FEDCBA987') x 100] });
	is $r->{status}, 413, 'oversized /seen body: 413' or diag $r->{content};
}

# The pool is intact and answers.
for my $i (1 .. 4) {
	my $r = $s->post('/notification',
	    { type => 'data', user => 'paul', subject => "after $i" });
	is $r->{status}, 200, "request #$i after the 413s works"
	    or diag $r->{content};
}
is rows(), 5, 'the four later notifications are stored';
is_deeply [$s->herald_pids], \@pids, 'the same master and workers still run';

# Error bodies are JSON with an error_code; Content-Type application/json.
for my $case (
	['GET', '/messages', undef, 400],
	['GET', '/messages?user=paul&limit=x', undef, 400],
	['POST', '/notification', '{', 400],
	['POST', '/notification', '{}', 400],
	['POST', '/seen?user=paul', '{}', 400],
	['DELETE', '/delete-all', undef, 400],
    ) {
	my ($m, $p, $b, $st) = @$case;
	my $r = $s->request($m, $p, $b);
	is $r->{status}, $st, "$m $p: $st";
	like $r->{content_type}, qr{^application/json\b}i,
	    "$m $p: JSON content type";
	ok ref $r->{json} eq 'HASH' && defined $r->{json}{error_code},
	    "$m $p: body has error_code";
}

# Successful JSON responses say application/json too.
for my $p ('/messages?user=paul', '/unseen-messages?user=paul',
    '/last-ten-messages?user=paul', '/count-messages?user=paul') {
	my $r = $s->get($p);
	is $r->{status}, 200, "GET $p: 200";
	like $r->{content_type}, qr{^application/json\b}i,
	    "GET $p: JSON content type";
}

# Deeply nested and odd JSON does not crash a worker.
{
	my $deep = '{"type":"data","user":"paul","subject":"deep","payload":'
	    . ('[' x 500) . (']' x 500) . '}';
	my $r = $s->post('/notification', $deep);
	is $r->{status}, 400, 'payload nested 500 deep (json_depth 32): 400'
	    or diag $r->{content};
	ok $r->{json} && defined $r->{json}{error_code},
	    'payload nested too deep: JSON error body';
	$r = $s->post('/notification', "{\"type\":\"data\",\"user\":\"paul\x00\","
	    . "\"subject\":\"nul\"}");
	ok $r->{status} == 400, 'raw NUL byte in JSON string: 400'
	    or diag "$r->{status} $r->{content}";
	$r = $s->post('/notification', "{\"type\":\"data\",\"user\":\"p\xff\xfe\","
	    . "\"subject\":\"bad utf8\"}");
	ok $r->{status} == 400, 'invalid UTF-8: 400'
	    or diag "$r->{status} $r->{content}";
	$r = $s->get('/messages?user=paul');
	is $r->{status}, 200, 'the pool still answers';
	is_deeply [$s->herald_pids], \@pids, 'no worker was replaced';
}

unlike $s->log_text, qr/\b(?:segfault|SIGSEGV|assert)/i,
    'no crash in the herald log';

done_testing;
