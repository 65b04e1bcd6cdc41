#!/usr/bin/perl
# Coder's session cookie (issue J, item 2): coder_session_token
# authenticates the GET routes only, never a PUT or POST (401 in Coder's
# words, nothing changed), never from the query string; the
# Coder-Session-Token header and a Bearer token win over it.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });
my $alice = make_token($s, 'alice', 'user');
my $bob = make_token($s, 'bob', 'user');
my $root = make_token($s, 'root', 'admin');
my $SVC = { Authorization => 'Bearer ' . make_token($s, 'svc', 'service') };
my $N = '/api/v2/notifications';
my $J = { 'Content-Type' => 'application/json' };
my $SIGNED_OUT = 'You are signed out or your session has expired. '
    . 'Please sign in again to continue.';

for my $u (qw(alice bob)) {
	my $r = $s->post('/v1/notifications', { recipient => $u,
	    title => "for $u" }, { %$J, %$SVC });
	is $r->{status}, 201, "a notification for $u";
}
sub cookie ($tok, $rest = '') { return { Cookie => "coder_session_token=$tok$rest" } }
sub titles ($r) { return [map { $_->{title} } @{ $r->{json}{notifications} // [] }] }
sub coder_401 ($r, $what) {
	is $r->{status}, 401, "$what: 401";
	is $r->{json}{message}, $SIGNED_OUT, "$what: Coder's message";
}
my $alice_unread = sub {
	$s->get("$N/inbox", { 'Coder-Session-Token' => $alice })->{json}{unread_count}
};

# GET routes: the cookie alone is a session.
my $r = $s->get("$N/inbox", cookie($alice));
is $r->{status}, 200, 'inbox by cookie: 200';
is_deeply titles($r), ['for alice'], 'inbox by cookie: alice\'s';
$r = $s->get("$N/inbox", { Cookie => "theme=dark; coder_session_token=$alice; x=1" });
is_deeply titles($r), ['for alice'], 'among other cookies';
$r = $s->get("$N/inbox", { Cookie => qq(coder_session_token="$alice") });
is $r->{status}, 200, 'a quoted value (RFC 6265)';
for my $p ("$N/settings", "$N/dispatch-methods", "$N/templates/system",
    "$N/templates/custom", '/api/v2/users/me/notifications/preferences') {
	is $s->get($p, cookie($alice))->{status}, 200, "GET $p by cookie";
}
coder_401 $s->get("$N/inbox", cookie('hrld_' . ('0' x 64))), 'an unknown cookie';
coder_401 $s->get("$N/inbox", { Cookie => "coder_session_tokenx=$alice" }),
    'another cookie\'s name';
coder_401 $s->get("$N/inbox", { Cookie => 'coder_session_token=' }), 'empty';

# Never the query string.
coder_401 $s->get("$N/inbox?coder_session_token=$alice"), 'query string';

# PUT and POST: never the cookie, and nothing changes.
is $alice_unread->(), 1, 'alice has one unread';
coder_401 $s->put("$N/inbox/mark-all-as-read", undef, cookie($alice)),
    'mark-all-as-read by cookie';
is $alice_unread->(), 1, 'still one unread';
my $id = $s->get("$N/inbox", cookie($alice))->{json}{notifications}[0]{id};
coder_401 $s->put("$N/inbox/$id/read-status", { is_read => JSON::PP::true },
    { %$J, %{ cookie($alice) } }), 'read-status by cookie';
is $alice_unread->(), 1, 'still unread';
coder_401 $s->post("$N/custom", { content => { title => 't', message => 'm' } },
    { %$J, %{ cookie($alice) } }), 'custom by cookie';
is scalar @{ titles($s->get("$N/inbox", cookie($alice))) }, 1,
    'no custom notification';
coder_401 $s->put("$N/settings", { notifier_paused => JSON::PP::true },
    { %$J, %{ cookie($root) } }), 'settings by an admin\'s cookie';
is $s->get("$N/settings", cookie($root))->{json}{notifier_paused},
    JSON::PP::false, 'not paused';
coder_401 $s->post("$N/test", undef, cookie($root)), 'test by cookie';
coder_401 $s->put('/api/v2/users/me/notifications/preferences',
    { template_disabled_map => {} }, { %$J, %{ cookie($alice) } }),
    'preferences by cookie';
# Only Coder's routes know the cookie.
is $s->get('/v1/users/alice/notifications', cookie($alice))->{status}, 401,
    '/v1 ignores the cookie';

# The header and Bearer win over the cookie; a bad header is not
# rescued by a good cookie.
$r = $s->get("$N/inbox", { 'Coder-Session-Token' => $bob, %{ cookie($alice) } });
is_deeply titles($r), ['for bob'], 'the header wins';
$r = $s->get("$N/inbox", { Authorization => "Bearer $bob", %{ cookie($alice) } });
is_deeply titles($r), ['for bob'], 'Bearer wins';
coder_401 $s->get("$N/inbox", { 'Coder-Session-Token' => 'hrld_' . ('1' x 64),
    %{ cookie($alice) } }), 'a bad header with a good cookie';
# With the header a PUT works, cookie or not.
is $s->put("$N/inbox/mark-all-as-read", undef,
    { 'Coder-Session-Token' => $alice, %{ cookie($bob) } })->{status}, 204,
    'PUT by header beside a cookie';
is $alice_unread->(), 0, 'alice\'s read';
$r = $s->get("$N/inbox", { 'Coder-Session-Token' => $bob });
is $r->{json}{unread_count}, 1, 'bob\'s untouched';
done_testing();
