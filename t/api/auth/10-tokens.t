#!/usr/bin/perl
# API tokens through nginx (issue 4): "herald token create|list|revoke",
# the three headers that carry a token, and every way a credential is
# refused with 401: missing, unknown, malformed, expired, revoked, in the
# query string, or Basic in token mode.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", $FindBin::Bin;
use Test::More;
use Time::HiRes qw(time sleep);
use Digest::SHA qw(sha256_hex);
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });

# The expiring token first, so its wait overlaps the rest of the test.
my $t_exp0 = time;
my $exp = make_token($s, 'eve', 'user', '--expires', '2s');
is_200($s->get('/messages?user=eve', bearer($exp)),
    'a token that expires in 2 s works at once');

# === create ==============================================================
my ($st, $out, $err) = herald_cli($s, qw(token create --user alice
    --role user));
is $st, 0, 'token create: exit 0';
like $out, qr/^hrld_[0-9a-f]{64}\n\z/, 'token create: one hrld_ token on stdout';
chomp(my $alice = $out);
unlike $err, qr/hrld_|\Q$alice\E/, 'token create: the note on stderr does '
    . 'not repeat the token';
like $err, qr/alice/, 'token create: the note names the user';
is $s->sql_value("SELECT COUNT(*) FROM api_tokens WHERE username = 'alice' "
    . "AND HEX(hash) = '" . uc(sha256_hex($alice)) . "'"), 1,
    'only the SHA-256 of the token is stored';
is $s->sql_value("SELECT COUNT(*) FROM api_tokens WHERE HEX(hash) LIKE "
    . "'%" . uc(substr($alice, 5, 32)) . "%'"), 0,
    'the token itself is not stored';
isnt make_token($s, 'alice2', 'user'), $alice, 'a second token differs';

for my $bad (['--role', 'root'], ['--role', 'superuser'], [],
    ['--role', 'user', '--expires', 'soon'],
    ['--role', 'user', '--expires', '0s']) {
	my @a = ('token', 'create', '--user', 'zed', @$bad);
	my ($st, $out) = herald_cli($s, @a);
	is $st, 2, "token create @$bad: exit 2";
	is $out, '', "token create @$bad: no token printed";
}
is $s->sql_value("SELECT COUNT(*) FROM api_tokens WHERE username = 'zed'"),
    0, 'no token stored by a refused create';

# === use: the three headers ==============================================
my $line = token_line($s, 'alice');
like $line, qr/last used -\s/, 'token list: an unused token shows last used -';

is_200($s->get('/messages?user=alice', bearer($alice)),
    'Authorization: Bearer');
is_200($s->get('/messages?user=alice', { Authorization => "bearer $alice" }),
    'Authorization: bearer (the scheme is case-insensitive)');
is_200($s->get('/messages?user=alice', { 'Coder-Session-Token' => $alice }),
    'Coder-Session-Token');
is_200($s->get('/messages?user=alice', { 'X-Okapi-Token' => $alice }),
    'X-Okapi-Token');
{
	my $r = $s->post('/notification', { type => 'data', user => 'alice',
	    subject => 'by token' }, { 'X-Okapi-Token' => $alice });
	is_200($r, 'POST /notification with X-Okapi-Token');
}
like token_line($s, 'alice'),
    qr/last used \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s/,
    'token list: last used is a time after use';
ok $s->sql_value("SELECT last_used FROM api_tokens WHERE username = 'alice'")
    >= int($t_exp0 * 1000) - 1000, 'last_used is recent';

# GET / is public: no token needed, and a bad one does not matter.
is_200($s->get('/'), 'GET / without a token');
is_200($s->get('/', bearer('hrld_' . ('0' x 64))),
    'GET / with an unknown token');

# === refused ==============================================================
is_401($s->get('/messages?user=alice'), 'no credential');
is_401($s->get('/messages'), 'no credential, no user');
is_401($s->post('/notification', { type => 'data', user => 'alice',
    subject => 'x' }), 'POST /notification without a credential');

my $unknown = 'hrld_' . join('', map { sprintf '%02x', int rand 256 } 1 .. 32);
is_401($s->get('/messages?user=alice', bearer($unknown)),
    'unknown well-formed token (Bearer)');
is_401($s->get('/messages?user=alice', { 'Coder-Session-Token' => $unknown }),
    'unknown well-formed token (Coder-Session-Token)');
is_401($s->get('/messages?user=alice', { 'X-Okapi-Token' => $unknown }),
    'unknown well-formed token (X-Okapi-Token)');

my %malformed = (
	'prefix only'		=> 'hrld_',
	'short'			=> substr($alice, 0, 40),
	'one char too many'	=> $alice . '0',
	'without the prefix'	=> substr($alice, 5),
	'upper-case hex'	=> 'hrld_' . uc(substr($alice, 5)),
	'other prefix'		=> 'hrlx_' . substr($alice, 5),
	'non-hex'		=> 'hrld_' . ('g' x 64),
	'empty'			=> '',
	'garbage'		=> 'not-a-token',
);
for my $k (sort keys %malformed) {
	is_401($s->get('/messages?user=alice', bearer($malformed{$k})),
	    "malformed token, $k (Bearer)");
	next unless length $malformed{$k};
	is_401($s->get('/messages?user=alice',
	    { 'X-Okapi-Token' => $malformed{$k} }),
	    "malformed token, $k (X-Okapi-Token)");
}
is_401($s->get('/messages?user=alice', { Authorization => "Token $alice" }),
    'unknown scheme Token');
is_401($s->get('/messages?user=alice', { Authorization => $alice }),
    'a bare token without a scheme');
is_401($s->get('/messages?user=alice', { Authorization => 'Basic '
    . 'YWxpY2U6c2VjcmV0' }), 'Basic in token mode');

# Never from the query string.
for my $q (qw(access_token token api_token coder_session_token
    x-okapi-token)) {
	is_401($s->get("/messages?user=alice&$q=$alice"),
	    "token in the query string as $q");
}
is_401($s->post("/seen?user=alice&access_token=$alice", { uuids => [] }),
    'token in the query string of a POST');
is_401($s->post('/seen?user=alice', "uuids=[]&access_token=$alice"),
    'token in a form body');

# === revoked ==============================================================
my $rita = make_token($s, 'rita', 'user');
is_200($s->get('/messages?user=rita', bearer($rita)), 'rita before revoke');
my ($rid) = (token_line($s, 'rita') // '') =~ /^(\S+)/;
like $rid, qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z/,
    'token list: the line starts with the id';
like token_line($s, 'rita'), qr/revoked -\s*\z/, 'not revoked yet';
($st) = herald_cli($s, 'token', 'revoke', $rid);
is $st, 0, 'token revoke: exit 0';
like token_line($s, 'rita'), qr/revoked \d{4}-\d\d-\d\dT/,
    'token list: shows the revocation time';
is_401($s->get('/messages?user=rita', bearer($rita)), 'revoked (Bearer)');
is_401($s->get('/messages?user=rita', { 'Coder-Session-Token' => $rita }),
    'revoked (Coder-Session-Token)');
is_401($s->get('/messages?user=rita', { 'X-Okapi-Token' => $rita }),
    'revoked (X-Okapi-Token)');
($st) = herald_cli($s, 'token', 'revoke', $rid);
is $st, 1, 'token revoke again: exit 1';
($st) = herald_cli($s, 'token', 'revoke',
    '6a1e0e3c-2b6f-4d0a-9c1e-3f2a1b0c9d8e');
is $st, 1, 'token revoke of an unknown id: exit 1';
($st) = herald_cli($s, 'token', 'revoke', 'not-an-id');
isnt $st, 0, 'token revoke of a malformed id fails';
is_200($s->get('/messages?user=alice', bearer($alice)),
    'revoking rita left alice\'s token working');

# An admin token revoked loses its admin rights too.
{
	my $adm = make_token($s, 'ada', 'admin');
	is_200($s->get('/admin/system-types', bearer($adm)), 'admin before revoke');
	my ($id) = token_line($s, 'ada') =~ /^(\S+)/;
	is((herald_cli($s, 'token', 'revoke', $id))[0], 0, 'revoke ada');
	is_401($s->get('/admin/system-types', bearer($adm)), 'admin revoked');
}

# === expired ==============================================================
my $wait = $t_exp0 + 3 - time;
sleep $wait if $wait > 0;
is_401($s->get('/messages?user=eve', bearer($exp)), 'expired (Bearer)');
is_401($s->get('/messages?user=eve', { 'X-Okapi-Token' => $exp }),
    'expired (X-Okapi-Token)');
like token_line($s, 'eve'), qr/expires \d{4}-\d\d-\d\dT/,
    'token list: shows the expiry time';
{
	my $long = make_token($s, 'lena', 'user', '--expires', '1h');
	is_200($s->get('/messages?user=lena', bearer($long)),
	    'a token that expires in 1 h works');
}

done_testing;
