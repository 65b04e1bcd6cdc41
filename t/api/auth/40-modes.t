#!/usr/bin/perl
# The three auth modes (issue 4, conf/herald.conf "Authentication"):
#   trusted-network  the DROP-IN mode of the original notification-agent,
#                    for a private network only: no credential needed,
#                    the user parameter is believed and every caller may do
#                    everything, including /admin/*.  A token, when one is
#                    presented, is still checked and its role applies.
#   remote-user      REMOTE_USER from the web server's own authentication
#                    names the principal; admin_users / service_users give
#                    roles.  Tokens still work.  The harness's nginx runs no
#                    authentication, so without a token every request is
#                    401, and a client's own Authorization: Basic header
#                    must not pose as a login.
#   token            (10-tokens.t, 20-matrix.t) REMOTE_USER is ignored.
# REMOTE_USER itself is driven through herald in CGI mode (no command,
# GATEWAY_INTERFACE set: one request, answered on stdout).
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", $FindBin::Bin;
use Test::More;
use MIME::Base64 qw(encode_base64);
use Herald::Stack;
use AuthTest;

sub slurp ($f) {
	open(my $fh, '<', $f) or die "$f: $!";
	local $/;
	return <$fh>;
}

# === trusted-network: the drop-in mode ===================================
{
	my $s = Herald::Stack->start;	# the harness default
	like slurp($s->config_file),
	    qr/^auth = trusted-network$/m, 'the harness default is trusted-network';
	my $r = $s->post('/notification', { type => 'data', user => 'bob',
	    subject => 'hi' });
	is_200($r, 'trusted-network: POST /notification without a token');
	$r = $s->get('/messages?user=bob');
	is_200($r, 'trusted-network: GET /messages?user=bob without a token');
	is scalar(@{ $r->{json}{messages} // [] }), 1, '... and sees bob\'s';
	is_200($s->get('/admin/system-types'),
	    'trusted-network: GET /admin/system-types without a token');
	is_200($s->post('/mark-all-seen', { user => 'bob' }),
	    'trusted-network: POST /mark-all-seen for bob without a token');
	# The original agent ignored Authorization; a drop-in install behind
	# an nginx with auth_basic (whose header nginx forwards) must keep
	# working.
	is_200($s->get('/messages?user=bob', { Authorization => 'Basic '
	    . encode_base64('x:y', '') }), 'trusted-network: Basic is ignored');
	{
		my $r = $s->get('/messages');
		is $r->{status}, 400, 'trusted-network: no user: 400';
		is $r->{json} && $r->{json}{error_code}, 'ERR_ILLEGAL_ARGUMENT',
		    'trusted-network: no user: ERR_ILLEGAL_ARGUMENT';
	}

	# A presented token is still checked, and its role holds.
	my $alice = make_token($s, 'alice', 'user');
	is_200($s->get('/messages?user=alice', bearer($alice)),
	    'trusted-network: alice\'s token for alice');
	is_403($s->get('/messages?user=bob', bearer($alice)),
	    'trusted-network: alice\'s token for bob');
	is_403($s->get('/admin/system-types', bearer($alice)),
	    'trusted-network: alice\'s token on /admin');
	is_401($s->get('/messages?user=bob', bearer('hrld_' . ('a' x 64))),
	    'trusted-network: an unknown token is refused');
}

# === remote-user =========================================================
my $s = Herald::Stack->start(config => { auth => 'remote-user',
    admin_users => 'root', service_users => 'svc' });
my $alice = make_token($s, 'alice', 'user');
my $admin = make_token($s, 'boss', 'admin');
is_200($s->post('/notification', { type => 'data', user => 'bob',
    subject => 'bob secret' }, bearer($admin)), 'remote-user: seed for bob');

for my $p ('/messages?user=alice', '/messages', '/count-messages?user=bob',
    '/admin/system-types', '/admin/system') {
	is_401($s->get($p), "remote-user, no login, no token: GET $p");
}
is_401($s->post('/notification', { type => 'data', user => 'bob',
    subject => 'x' }), 'remote-user, no login, no token: POST /notification');
is_401($s->request('DELETE', '/delete-all?user=bob'),
    'remote-user, no login, no token: DELETE /delete-all');
is_200($s->get('/'), 'remote-user: GET / is public');

# Tokens still work in remote-user mode.
is_200($s->get('/messages?user=alice', bearer($alice)),
    'remote-user: alice\'s token for alice');
is_200($s->get('/messages', { 'X-Okapi-Token' => $alice }),
    'remote-user: alice\'s token (X-Okapi-Token), no user');
is_403($s->get('/messages?user=bob', bearer($alice)),
    'remote-user: alice\'s token for bob');
is_403($s->get('/admin/system-types', bearer($alice)),
    'remote-user: alice\'s token on /admin');
is_200($s->get('/admin/system-types', bearer($admin)),
    'remote-user: admin token on /admin');
is_401($s->get('/messages?user=alice', bearer('hrld_' . ('b' x 64))),
    'remote-user: an unknown token is refused');

# nginx fills $remote_user from any client's Authorization: Basic header,
# verified or not, unless auth_basic is on; this nginx verifies nothing, so
# a forged Basic login must not be believed.
for my $c (['root', '/admin/system-types'], ['svc', '/messages?user=bob'],
    ['bob', '/messages?user=bob'], ['alice', '/messages?user=alice']) {
	my ($who, $p) = @$c;
	my $r = $s->get($p, { Authorization => 'Basic '
	    . encode_base64("$who:not-checked", '') });
	is_401($r, "remote-user: forged Basic login '$who': GET $p");
	unlike $r->{content}, qr/bob secret|"types"/,
	    "remote-user: forged Basic login '$who': nothing answered";
}
{
	my $n = $s->sql_value('SELECT COUNT(*) FROM system_notifications');
	my $r = $s->put('/admin/system', { type => 'warning', message => 'forged',
	    activation_date => 0, deactivation_date => 4102444800000 },
	    { Authorization => 'Basic ' . encode_base64('root:x', '') });
	is_401($r, 'remote-user: forged Basic root: PUT /admin/system');
	is $s->sql_value('SELECT COUNT(*) FROM system_notifications'), $n,
	    'remote-user: no system notification added by a forged login';
}

# --- REMOTE_USER itself, through CGI ------------------------------------
# Returns (status, json) of one CGI request against $conf.
sub cgi ($conf, $remote_user, $path, $query = '') {
	my $bin = Herald::Stack::herald_bin();
	local $ENV{GATEWAY_INTERFACE} = 'CGI/1.1';
	local $ENV{REQUEST_METHOD} = 'GET';
	local $ENV{PATH_INFO} = $path;
	local $ENV{QUERY_STRING} = $query;
	local $ENV{HERALD_CONFIG} = $conf;
	local $ENV{REMOTE_USER} = $remote_user;
	delete local $ENV{REMOTE_USER} unless defined $remote_user;
	delete local $ENV{HTTP_AUTHORIZATION};
	my $pid = open(my $out, '-|') // die "fork: $!";
	if ($pid == 0) {
		open(STDERR, '>', '/dev/null');
		open(STDIN, '<', '/dev/null');
		exec { $bin } $bin or die "exec: $!";
	}
	my $text = do { local $/; <$out> } // '';
	close($out);
	my ($head, $body) = split /\r?\n\r?\n/, $text, 2;
	my ($st) = ($head // '') =~ /^Status:\s*(\d{3})/m;
	my $j = eval { JSON::PP->new->utf8->decode($body // '') };
	return ($st // 0, $j, $body // '');
}

sub cgi_is ($conf, $ru, $path, $query, $want, $code, $name) {
	my ($st, $j, $body) = cgi($conf, $ru, $path, $query);
	is $st, $want, "$name: Status $want" or diag $body;
	is $j && $j->{error_code}, $code, "$name: $code" if defined $code;
	return $j;
}

my $rconf = $s->config_file;
{
	my $j = cgi_is($rconf, 'alice', '/messages', 'user=alice', 200, undef,
	    'CGI REMOTE_USER=alice: her own');
	ok $j && ref $j->{messages} eq 'ARRAY', 'CGI: a listing came back';
}
cgi_is($rconf, 'alice', '/messages', '', 200, undef,
    'CGI REMOTE_USER=alice: no user means her own');
{
	my (undef, undef, $body) = cgi($rconf, 'alice', '/messages', 'user=bob');
	unlike $body, qr/bob secret/, 'CGI REMOTE_USER=alice: nothing of bob\'s';
}
cgi_is($rconf, 'alice', '/messages', 'user=bob', 403, 'ERR_FORBIDDEN',
    'CGI REMOTE_USER=alice: bob\'s');
cgi_is($rconf, 'alice', '/count-messages', 'user=bob', 403, 'ERR_FORBIDDEN',
    'CGI REMOTE_USER=alice: bob\'s count');
cgi_is($rconf, 'alice', '/admin/system-types', '', 403, 'ERR_FORBIDDEN',
    'CGI REMOTE_USER=alice: admin route');
cgi_is($rconf, 'root', '/admin/system-types', '', 200, undef,
    'CGI REMOTE_USER=root (admin_users): admin route');
cgi_is($rconf, 'svc', '/admin/system-types', '', 403, 'ERR_FORBIDDEN',
    'CGI REMOTE_USER=svc (service_users): admin route');
{
	my $j = cgi_is($rconf, 'svc', '/messages', 'user=bob', 200, undef,
	    'CGI REMOTE_USER=svc (service_users): acts for bob');
	is scalar(@{ $j && $j->{messages} // [] }), 1, 'CGI: svc sees bob\'s one';
}
cgi_is($rconf, 'rootx', '/admin/system-types', '', 403, 'ERR_FORBIDDEN',
    'CGI REMOTE_USER=rootx is not root');
cgi_is($rconf, undef, '/messages', 'user=alice', 401, 'ERR_NOT_AUTHORIZED',
    'CGI without REMOTE_USER');
cgi_is($rconf, '', '/messages', 'user=alice', 401, 'ERR_NOT_AUTHORIZED',
    'CGI with an empty REMOTE_USER');

# In token mode REMOTE_USER is not believed.
{
	my $tconf = $s->dir . '/token-mode.conf';
	my $text = slurp($rconf);
	$text =~ s/^auth = .*$/auth = token/m or die 'no auth line';
	open(my $fh, '>', $tconf) or die "$tconf: $!";
	print {$fh} $text;
	close($fh);
	cgi_is($tconf, 'root', '/admin/system-types', '', 401,
	    'ERR_NOT_AUTHORIZED', 'CGI token mode: REMOTE_USER=root ignored');
	cgi_is($tconf, 'alice', '/messages', 'user=alice', 401,
	    'ERR_NOT_AUTHORIZED', 'CGI token mode: REMOTE_USER=alice ignored');
}

done_testing;
