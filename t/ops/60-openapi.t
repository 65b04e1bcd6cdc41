#!/usr/bin/perl
# The OpenAPI descriptions (issue M): doc/openapi/<dialect>.json is its
# .yaml, lists exactly the routes "herald routes" lists for that dialect,
# is served at /_herald/openapi/<dialect>.json, and the harness's check
# (Herald::OpenAPI, run on every response of t/api/) catches drift.  The
# dialects not described yet are listed here, not hidden.
use v5.36;
BEGIN { $ENV{HERALD_OPENAPI} = '1' }	# check this test's responses too
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP;
use Herald::Stack;
use Herald::OpenAPI;

my $src = Herald::Stack::srcdir();
my $routes = Herald::OpenAPI::routes();

# Every dialect is either validated or listed as not (yet).
for my $d (sort keys %$routes) {
	ok((grep { $_ eq $d } @Herald::OpenAPI::VALIDATED)
	    || $Herald::OpenAPI::OFF{$d}, "dialect $d: validated, or listed");
}
note "validation OFF for $_: $Herald::OpenAPI::OFF{$_}"
    for sort keys %Herald::OpenAPI::OFF;
diag "OpenAPI validation is off for: "
    . join(', ', sort keys %Herald::OpenAPI::OFF) if %Herald::OpenAPI::OFF;

my $has_yaml = eval { require YAML::XS; 1 };
for my $d (@Herald::OpenAPI::VALIDATED) {
	my $file = "$src/doc/openapi/$d.json";
	my $doc = decode_json(Herald::Stack::slurp_file($file));
	like $doc->{openapi}, qr/^3\.1\.\d+\z/, "$d: OpenAPI 3.1";
	my (@described, @bad);
	for my $p (sort keys %{ $doc->{paths} }) {
		for my $m (sort keys %{ $doc->{paths}{$p} }) {
			next unless $m =~ /^(?:get|put|post|delete|patch|head|options)\z/;
			push @described, uc($m) . " $p";
			my $resp = $doc->{paths}{$p}{$m}{responses} // {};
			push @bad, uc($m) . " $p" unless %$resp
			    && !exists $resp->{default};
		}
	}
	my @served = sort map { "$_->[0] $_->[1]" } @{ $routes->{$d} };
	is_deeply [sort @described], \@served,
	    "$d: the description lists the routes of herald routes";
	is_deeply \@bad, [], "$d: every operation lists its statuses (no default)";
	ok ref $doc->{'x-herald-unrouted'} eq 'HASH'
	    && grep(/^\d{3}\z/, keys %{ $doc->{'x-herald-unrouted'} }),
	    "$d: how a request no route takes is answered (x-herald-unrouted)";
	SKIP: {
		skip 'YAML::XS (libyaml-libyaml-perl) not installed', 1
		    unless $has_yaml;
		no warnings "once";
		local $YAML::XS::Boolean = 'JSON::PP';
		my $y = YAML::XS::LoadFile("$src/doc/openapi/$d.yaml");
		is_deeply decode_json(encode_json($y)), $doc,
		    "$d: $d.json is $d.yaml (doc/openapi/build)";
	}
	my $s = eval { Herald::OpenAPI::schema($d) };
	ok $s, "$d: JSON::Validator loads it" or diag $@;
}

my $s = Herald::Stack->start;
for my $d (@Herald::OpenAPI::VALIDATED) {
	my $r = $s->get("/_herald/openapi/$d.json");
	is $r->{status}, 200, "GET /_herald/openapi/$d.json";
	is_deeply $r->{json},
	    decode_json(Herald::Stack::slurp_file("$src/doc/openapi/$d.json")),
	    "... is doc/openapi/$d.json";
}
my $r = $s->get('/_herald/openapi/nosuch.json');
is $r->{status}, 404, 'an unknown description: 404';
is $r->{json}{error}{status}, 404, '... in the herald error shape';

# Drift is caught: a real response, then altered.
$r = $s->get('/_herald/health/ready');
my @p = Herald::OpenAPI::problems('herald', 'GET', '/_herald/health/ready', $r);
is_deeply \@p, [], 'ready: as described';
@p = Herald::OpenAPI::problems('herald', 'GET', '/_herald/health/ready',
    { %$r, content => '{"status":"ready","extra":1}' });
ok @p, 'an undescribed field is caught' or diag explain \@p;
@p = Herald::OpenAPI::problems('herald', 'GET', '/_herald/health/ready',
    { %$r, content => '{"status":1}' });
ok @p, 'a wrong type is caught';
@p = Herald::OpenAPI::problems('herald', 'GET', '/_herald/health/ready',
    { %$r, status => 418 });
like "@p", qr/status 418 is not described/, 'an undescribed status is caught';
@p = Herald::OpenAPI::problems('herald', 'GET', '/_herald/health/ready',
    { %$r, content_type => 'text/html' });
like "@p", qr/content type/, 'an undescribed content type is caught';
$r = $s->get('/messages?user=nobody');
@p = Herald::OpenAPI::problems('agent', 'GET', '/messages', $r);
is_deeply \@p, [], 'agent GET /messages: as described' or diag explain \@p;
@p = Herald::OpenAPI::problems('agent', 'GET', '/messages',
    { %$r, content => '{"messages":[],"total":0}' });
ok @p, 'agent: total as a number (it is a string) is caught';
$r = $s->get('/no/such/path');
is $r->{status}, 400, 'agent: an unknown path is a 400';
@p = Herald::OpenAPI::problems('agent', 'GET', undef, $r);
is_deeply \@p, [], '... as x-herald-unrouted describes it' or diag explain \@p;
@p = Herald::OpenAPI::problems('agent', 'GET', undef,
    { %$r, status => 404 });
like "@p", qr/not described/, 'an undescribed status of no route is caught';
done_testing;
