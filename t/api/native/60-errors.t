#!/usr/bin/perl
# Errors of /v1 in its own format (doc/v1.md "Errors"): unknown paths 404
# no_route, wrong methods 405 with Allow, 401 with WWW-Authenticate, 414;
# outside /v1 the agent still answers its own way.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });
my $ADM = bearer(make_token($s, 'root', 'admin'));
my $GONE = make_token($s, 'gone', 'user');
my $N = '0b6c0000-0000-4000-8000-00000000dead';

# An error in the native format, exactly {"error":{status, code, message
# [, field ...]}}, status a number, message a non-empty string.
sub is_native ($r, $status, $code, $name) {
	is $r->{status}, $status, "$name: $status" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i, "$name: JSON";
	my $j = ref $r->{json} eq 'HASH' ? $r->{json} : {};
	is_deeply [keys %$j], ['error'], "$name: only an error object";
	my $e = ref $j->{error} eq 'HASH' ? $j->{error} : {};
	is $s->json_type($r->{content}, 'error', 'status'), 'number',
	    "$name: error.status is a number";
	is $e->{status}, $status, "$name: error.status $status";
	is $e->{code}, $code, "$name: code $code";
	is $s->json_type($r->{content}, 'error', 'message'), 'string',
	    "$name: error.message is a string";
	ok length($e->{message} // ''), "$name: a message";
}

sub body_for ($m) { $m =~ /^(POST|PUT|PATCH)\z/ ? '{}' : undef }
sub req ($m, $p, $h = $ADM) {
	return $s->request($m, $p, body_for($m),
	    { %$h, defined body_for($m) ? ('Content-Type' => 'application/json')
	    : () });
}

# --- Unknown /v1 paths: 404 no_route ------------------------------------------
for my $p ('/v1/', '/v1/nope', '/v1/notification', "/v1/notifications/$N/x",
    '/v1/users', '/v1/users/alice', '/v1/users/alice/notes',
    '/v1/users/alice/notifications/total',
    '/v1/users/alice/notifications/count/x',
    "/v1/users/alice/system-notifications/$N",
    "/v1/users/alice/system-notifications/$N/read") {
	for my $m (qw(GET POST)) {
		is_native(req($m, $p), 404, 'no_route', "$m $p");
	}
}

# --- Wrong methods: 405 with Allow ---------------------------------------------
my @ROUTES = (
	['/v1/notifications', 'POST'],
	["/v1/notifications/$N", 'GET', 'PATCH', 'DELETE'],
	['/v1/users/alice/notifications', 'GET'],
	['/v1/users/alice/notifications/count', 'GET'],
	['/v1/users/alice/notifications/read-all', 'POST'],
	['/v1/users/alice/system-notifications', 'GET'],
	["/v1/users/alice/system-notifications/$N/seen", 'POST'],
	["/v1/users/alice/system-notifications/$N/dismiss", 'POST'],
);
for my $row (@ROUTES) {
	my ($p, @allowed) = @$row;
	my %ok = map { $_ => 1 } @allowed;
	for my $m (grep { !$ok{$_} } qw(GET POST PUT PATCH DELETE)) {
		my $r = req($m, $p);
		is_native($r, 405, 'method_not_allowed', "$m $p");
		my @allow = sort grep { length } split /\s*,\s*/,
		    $r->{headers}{allow} // '';
		# HEAD may be offered where GET is.
		@allow = grep { $_ ne 'HEAD' } @allow if $ok{GET};
		is_deeply \@allow, [sort @allowed], "$m $p: Allow: @allowed"
		    or diag "Allow: " . ($r->{headers}{allow} // '(none)');
	}
}

# --- 401 unauthenticated ---------------------------------------------------------
sub is_401_native ($r, $name) {
	is_native($r, 401, 'unauthenticated', $name);
	like $r->{headers}{'www-authenticate'} // '', qr/^Bearer\b/,
	    "$name: WWW-Authenticate: Bearer";
}
for my $row (@ROUTES) {
	my ($p, @methods) = @$row;
	is_401_native(req($_, $p, {}), "no token: $_ $p") for @methods;
}
{
	my ($st) = herald_cli($s, 'token', 'revoke',
	    (token_line($s, 'gone') // '') =~ /^(\S+)/);
	is $st, 0, 'token of gone revoked';
}
for my $a ('Bearer', 'Bearer ', 'Basic cm9vdDp4', 'Bearer not-a-token',
    'Bearer hrld_' . ('0' x 64), "Bearer $GONE", 'Token ' . substr(
    $ADM->{Authorization}, 7), $ADM->{Authorization} . ' extra') {
	is_401_native(req('GET', '/v1/users/alice/notifications',
	    { Authorization => $a }), "Authorization '" . substr($a, 0, 20)
	    . "': 401");
}
{
	my $r = req('GET', '/v1/users/alice/notifications');
	is $r->{status}, 200, 'the admin token itself is good' or diag $r->{content};
}

# --- 414: a query string over query_max (4096) ---------------------------------------
{
	my $r = req('GET', '/v1/users/alice/notifications?type=' . ('a' x 5000));
	is_native($r, 414, 'uri_too_long', 'a 5000-byte query string');
	$r = req('POST', '/v1/notifications?x=' . ('a' x 5000));
	is_native($r, 414, 'uri_too_long', 'a 5000-byte query string on POST');
}

# --- Outside /v1 the agent answers ---------------------------------------------------
for my $p ('/nope', '/v1x/notifications', '/v2/notifications',
    '/V1/notifications', '/notifications') {
	my $r = req('GET', $p);
	is $r->{status}, 400, "GET $p (outside /v1): 400" or diag $r->{content};
	like $r->{content_type}, qr{^text/plain\b}i, "GET $p: text/plain";
	is $r->{content}, "Unrecognized service path.\n",
	    "GET $p: Unrecognized service path.";
}
{
	my $r = req('GET', '/messages?user=alice', {});
	is $r->{status}, 401, 'agent path without a token: 401';
	is $r->{json} && $r->{json}{error_code}, 'ERR_NOT_AUTHORIZED',
	    'agent path: the agent\'s 401';
}

done_testing;
