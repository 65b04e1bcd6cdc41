#!/usr/bin/perl
# Coder's GET /api/v2/notifications/inbox/watch through nginx and herald
# push (peers.md §2.4): 400 before the upgrade on bad parameters (J's
# messages), one frame per notification with unread_count and the
# fallback icon, the template and target filters with the count still
# rising, format=plaintext, the session cookie, and a revoked token's
# stream closed.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/../api/auth";
use Test::More;
use Herald::Stack;
use Herald::Push;
use AuthTest;

my $s = Herald::Stack->start(push => 1, config => { auth => 'token',
    push_recheck_s => 1 });
my $ALICE = make_token($s, 'alice', 'user');
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $TAG = { 'Coder-Session-Token' => $ALICE };
my $W = 30;
my $TEST_TMPL = 'c425f63e-716a-4bf4-ae24-78348f706c3f';	# Test Notification
my $T1 = '0b6c0000-0000-4000-8000-000000000001';
my $T2 = '0b6c0000-0000-4000-8000-000000000002';

sub watch (%q) {
	my $qs = join '&', map { "$_=$q{$_}" } sort keys %q;
	return Herald::Push::ws($s->url('/api/v2/notifications/inbox/watch'
	    . ($qs ne '' ? "?$qs" : '')), $TAG);
}
sub up ($w) { Herald::Push::wait_for(sub { defined $w->{status} }, $W) }
sub create (%n) {
	my $r = $s->request('POST', '/v1/notifications', { recipient => 'alice',
	    type => 'coder', %n }, { 'Content-Type' => 'application/json', %$SVC });
	is $r->{status}, 201, "created $n{title}" or diag $r->{content};
	return $r->{json}{id};
}

# Refused before the upgrade, with Coder's validations.
my $bad = watch(templates => 'nope');
up($bad);
is $bad->{status}, 400, 'bad templates: 400 before the upgrade';
like $bad->{body}, qr/Query parameters have invalid values\./, "Coder's message";
like $bad->{body}, qr/Query param \\"templates\\" has invalid values: nope/,
    'the validation detail';
my $bad2 = watch(read_status => 'maybe');
up($bad2);
is $bad2->{status}, 400, 'bad read_status: 400';
my $bad3 = watch(starting_before => $T1);
up($bad3);
is $bad3->{status}, 400, 'a list-only parameter: 400';

my $all = watch();
my $tmpl = watch(templates => $TEST_TMPL);
my $tgt = watch(targets => "$T1,$T2");
my $plain = watch(format => 'plaintext');
up($_) for $all, $tmpl, $tgt, $plain;
is $_->{status}, 101, 'watch upgraded' for $all, $tmpl, $tgt, $plain;

my $n1 = create(title => '# Notification Title',
    body => 'This is the __content__.', body_format => 'markdown');
my $n2 = create(title => 'with template', template => $TEST_TMPL,
    targets => [$T1]);
my $n3 = create(title => 'with targets', targets => [$T2, $T1]);

ok Herald::Push::wait_for(sub { @{ $all->{json} } >= 3 }, $W),
    'every notification on the unfiltered watch';
my @f = @{ $all->{json} };
is_deeply [map { $_->{notification}{id} } @f], [$n1, $n2, $n3], 'in order';
# Counted afresh for each frame, as Coder does: never falling, 3 at last.
ok $f[0]{unread_count} >= 1 && $f[1]{unread_count} >= $f[0]{unread_count}
    && $f[2]{unread_count} == 3, 'unread_count rises'
    or diag explain [map { $_->{unread_count} } @f];
is $f[0]{notification}{icon}, 'DEFAULT_ICON_OTHER', 'the fallback icon';
is $f[0]{notification}{title}, '# Notification Title', 'markdown as stored';
like $all->{messages}[0], qr/\}\n\z/, "Go's encoder: a trailing newline";

ok Herald::Push::wait_for(sub { @{ $tmpl->{json} } >= 1 }, $W),
    'the template filter lets its notification through';
ok Herald::Push::wait_for(sub { @{ $tgt->{json} } >= 1 }, $W),
    'the target filter too';
ok Herald::Push::wait_for(sub { @{ $plain->{json} } >= 3 }, $W),
    'the plaintext watch';
Herald::Push::settle(1);
is_deeply [map { $_->{notification}{id} } @{ $tmpl->{json} }], [$n2],
    'templates: only the matching one';
ok $tmpl->{json}[0]{unread_count} >= 2,
    'with the count of all unread, not of the filter';
is_deeply [map { $_->{notification}{id} } @{ $tgt->{json} }], [$n3],
    'targets: only the one with all of them';
is $plain->{json}[0]{notification}{title}, 'Notification Title',
    'plaintext title';
is $plain->{json}[0]{notification}{content}, 'This is the content.',
    'plaintext content';

# Coder's web UI: the session cookie alone opens a watch (issue J).
my $URL = $s->url('/api/v2/notifications/inbox/watch');
my $ck = Herald::Push::ws($URL, { Cookie => "theme=x; coder_session_token=$ALICE" });
my $ckbad = Herald::Push::ws($URL,
    { Cookie => 'coder_session_token=hrld_' . ('0' x 64) });
up($_) for $ck, $ckbad;
is $ck->{status}, 101, 'the session cookie opens a watch';
is $ckbad->{status}, 401, 'an unknown cookie: 401';
my $n4 = create(title => 'for the cookie');
ok Herald::Push::wait_for(sub { @{ $ck->{json} } >= 1 }, $W),
    'the cookie watch gets it';
is $ck->{json}[0]{notification}{id}, $n4, 'its notification';

# Revocation closes the stream within the re-check period.
my ($st, $out) = AuthTest::herald_cli($s, 'token', 'list');
my ($tid) = $out =~ /^(\S+).*\balice\b/m;
ok $tid, 'the token id' or diag $out;
AuthTest::herald_cli($s, 'token', 'revoke', $tid);
ok Herald::Push::wait_for(sub { $all->{closed} }, $W),
    'a revoked token: the stream is closed';
is $all->{close_code}, 1008, 'close code 1008 (policy)';
my $again = watch();
up($again);
is $again->{status}, 401, 'and a new watch is refused';

done_testing;
