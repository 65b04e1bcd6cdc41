#!/usr/bin/perl
# No log line carries a credential (issue 4, item 4): after requests with
# valid, unknown, malformed, expired, revoked, query-string and Basic
# credentials, on good and failing paths (bad JSON, unknown route, 403,
# the database gone), herald's log at log_level = debug and nginx's error
# log contain no token, no "hrld_" and no Authorization value.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", $FindBin::Bin;
use Test::More;
use Time::HiRes qw(time sleep);
use MIME::Base64 qw(encode_base64);
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token',
    log_level => 'debug' });

my %tok = (
	user	=> make_token($s, 'alice', 'user'),
	service	=> make_token($s, 'svc', 'service'),
	admin	=> make_token($s, 'root', 'admin'),
	expired	=> make_token($s, 'eve', 'user', '--expires', '1s'),
	revoked	=> make_token($s, 'rita', 'user'),
);
my $t0 = time;
{
	my ($id) = token_line($s, 'rita') =~ /^(\S+)/;
	is((herald_cli($s, 'token', 'revoke', $id))[0], 0, 'rita revoked');
}
my $unknown = 'hrld_' . join('', map { sprintf '%02x', int rand 256 } 1 .. 32);
my $basic_pw = 'basic-secret-' . int(rand 1e9);
my $basic = encode_base64("alice:$basic_pw", '');
my %secret = (%tok, unknown => $unknown,
    malformed => 'hrld_' . substr($unknown, 5, 40),
    basic => $basic);

my $statuses = '';
sub req ($want, $m, $path, $body, $h, $name) {
	my $r = $s->request($m, $path, $body, $h);
	is $r->{status}, $want, "$name: $want" or diag $r->{content};
	$statuses .= $r->{status};
}

for my $hn ('Authorization', 'Coder-Session-Token', 'X-Okapi-Token') {
	my $v = $hn eq 'Authorization' ? 'Bearer ' : '';
	my $h = sub ($k) { return +{ $hn => $v . $secret{$k} } };
	req(200, 'GET', '/messages?user=alice', undef, $h->('user'),
	    "$hn valid");
	req(200, 'POST', '/notification', { type => 'data', user => 'bob',
	    subject => 's' }, $h->('service'), "$hn service create");
	req(200, 'GET', '/admin/system-types', undef, $h->('admin'),
	    "$hn admin");
	req(403, 'GET', '/messages?user=bob', undef, $h->('user'),
	    "$hn user for bob");
	req(403, 'GET', '/admin/system', undef, $h->('service'),
	    "$hn service on /admin");
	req(401, 'GET', '/messages?user=alice', undef, $h->('unknown'),
	    "$hn unknown");
	req(401, 'GET', '/messages?user=alice', undef, $h->('malformed'),
	    "$hn malformed");
	req(401, 'GET', '/messages?user=rita', undef, $h->('revoked'),
	    "$hn revoked");
	req(400, 'POST', '/seen?user=alice', '{"uuids": [', $h->('user'),
	    "$hn invalid JSON");
	req(400, 'GET', '/no-such-route', undef, $h->('user'),
	    "$hn unknown route");
}
req(401, 'GET', "/messages?user=alice&access_token=$tok{user}", undef, {},
    'token in the query string');
req(401, 'GET', "/messages?user=alice&token=$tok{admin}", undef, {},
    'admin token in the query string');
req(401, 'GET', '/messages?user=alice', undef,
    { Authorization => "Basic $basic" }, 'Basic');
{
	my $wait = $t0 + 1.5 - time;
	sleep $wait if $wait > 0;
	req(401, 'GET', '/messages?user=eve', undef, bearer($tok{expired}),
	    'expired');
}

# The database goes away: the token lookup fails, 503, and the error path
# logs without the credential.
{
	my $pid = $s->mariadb_pid;
	kill 'TERM', $pid;
	my $deadline = time + 30;
	sleep 0.05 while kill(0, $pid) && waitpid($pid, 1) == 0
	    && time < $deadline;
	for my $k (qw(user admin unknown)) {
		my $r = $s->get('/messages?user=alice', bearer($secret{$k}));
		is $r->{status}, 503, "database gone, $k token: 503"
		    or diag $r->{content};
		is $r->{json} && $r->{json}{error_code}, 'ERR_UNAVAILABLE',
		    "database gone, $k token: ERR_UNAVAILABLE";
	}
}

my $hlog = $s->log_text;
my $nlog = $s->nginx_log_text;
# The check is only worth something if the requests were logged.
like $hlog, qr/\bdebug: GET \/messages -> 200\b/, 'herald logged a 200 at debug';
like $hlog, qr/-> 401\b/, 'herald logged the 401s';
like $hlog, qr/-> 403\b/, 'herald logged the 403s';
like $hlog, qr/-> 503\b/, 'herald logged the 503s';
like $nlog, qr/\S/, 'nginx wrote its error log';

for my $log (['herald', $hlog], ['nginx error', $nlog]) {
	my ($what, $text) = @$log;
	unlike $text, qr/hrld_/i, "$what log: no hrld_";
	for my $k (sort keys %secret) {
		my $v = $secret{$k};
		(my $hex = $v) =~ s/^hrld_//;
		$hex = substr($hex, 0, 32);
		unlike $text, qr/\Q$v\E/, "$what log: no $k credential";
		unlike $text, qr/\Q$hex\E/i, "$what log: no part of the $k credential";
	}
	unlike $text, qr/\Q$basic_pw\E/, "$what log: no Basic password";
	unlike $text, qr/Bearer|Coder-Session-Token|X-Okapi-Token|access_token/i,
	    "$what log: no credential header or parameter";
}

done_testing;
