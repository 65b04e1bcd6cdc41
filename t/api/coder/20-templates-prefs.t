#!/usr/bin/perl
# Coder templates and preferences (peers.md §2.3): the seeded templates by
# kind, null for an empty list, preferences get/put for me/name/id, the
# inhibit rule (disabled, or off by default and not enabled) for every
# dialect, re-enabling, cross-user refusals, and the daily
# de-duplication of a de-duplicating template.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $ALICE = { 'Coder-Session-Token' => make_token($s, 'alice', 'user') };
my $BOB = { 'Coder-Session-Token' => make_token($s, 'bob', 'user') };
my $TEST = 'c425f63e-716a-4bf4-ae24-78348f706c3f';
my $CUSTOM = '39b1e189-c857-4b0c-877a-511144c18516';
my $N = '/api/v2/notifications';
my $T = JSON::PP::true;
my $F = JSON::PP::false;

sub create ($user, %f) {
	return $s->post('/v1/notifications', { recipient => $user, %f },
	    { 'Content-Type' => 'application/json', %$SVC });
}
sub inbox_count ($h = $ALICE) {
	return scalar @{ $s->get("$N/inbox", $h)->{json}{notifications} };
}

my $r = $s->get("$N/templates/system", $ALICE);
is $r->{status}, 200, 'system templates: 200';
is scalar @{ $r->{json} }, 1, 'one system template seeded';
is_deeply $r->{json}[0], { id => $TEST, name => 'Test Notification',
    title_template => 'A test notification',
    body_template => "Hi {{.UserName}},\n\nThis is a test notification.",
    actions => '[]', group => 'Notification Events', method => '',
    kind => 'system', enabled_by_default => $T }, 'Test Notification';
$r = $s->get("$N/templates/custom", $ALICE);
is $r->{json}[0]{id}, $CUSTOM, 'Custom Notification';
is $r->{json}[0]{title_template}, '{{.Labels.custom_title}}', 'its title';
$s->sql("DELETE FROM templates WHERE id = UNHEX('"
    . ($CUSTOM =~ s/-//gr) . "')");
$r = $s->get("$N/templates/custom", $ALICE);
is $r->{content}, "null\n", 'an empty template list is null';

# Preferences
my $P = '/api/v2/users/me/notifications/preferences';
$r = $s->get($P, $ALICE);
is $r->{status}, 200, 'prefs: 200';
is $r->{content}, "null\n", 'no preferences: null';
$r = $s->put($P, { template_disabled_map => { $TEST => $T } }, $ALICE);
is $r->{status}, 200, 'disable: 200' or diag $r->{content};
is $r->{json}[0]{id}, $TEST, 'disable: the row';
is $r->{json}[0]{disabled}, $T, 'disable: disabled';
like $r->{json}[0]{updated_at}, qr/Z$/, 'disable: updated_at';
$r = $s->get('/api/v2/users/alice/notifications/preferences', $ALICE);
is $r->{json}[0]{disabled}, $T, 'by name';

# Inhibited: no inbox row, and /v1 says so.
$r = create('alice', template => $TEST, title => 'x', body => 'y');
is $r->{status}, 422, '/v1 create of a disabled template: 422';
like $r->{content}, qr/disabled this notification/, '/v1: says why';
is inbox_count(), 0, 'inhibited: no inbox row';
$r = $s->put($P, { template_disabled_map => { $TEST => $F } }, $ALICE);
is $r->{json}[0]{disabled}, $F, 're-enabled';
$r = create('alice', template => $TEST, title => 'x', body => 'y');
is $r->{status}, 201, 're-enabled: created';
is inbox_count(), 1, 're-enabled: in the inbox';

# Daily de-duplication: the same again today is not a second one.
$r = create('alice', template => $TEST, title => 'x', body => 'y');
is $r->{status}, 409, 'the same today: refused as a duplicate';
is inbox_count(), 1, 'duplicate: still one';
$r = create('alice', template => $TEST, title => 'x', body => 'z');
is $r->{status}, 201, 'another payload: created';

# enabled_by_default = false inhibits until explicitly enabled.
$s->sql("UPDATE templates SET enabled_by_default = 0");
$r = create('carol', template => $TEST, title => 'a', body => 'b');
is $r->{status}, 422, 'off by default: inhibited';
$r = create('alice', template => $TEST, title => 'a2', body => 'b');
is $r->{status}, 201, 'off by default, explicitly enabled: created';

# Errors and cross-user.
$r = $s->put($P, { template_disabled_map => { 'nope' => $T } }, $ALICE);
is $r->{status}, 400, 'bad template id: 400';
is $r->{json}{message}, 'Unable to parse notification template UUID.',
    'bad template id: message';
$r = $s->put($P, { template_disabled_map =>
    { 'b' x 8 . '-0000-4000-8000-000000000000' => $T } }, $ALICE);
is $r->{status}, 400, 'unknown template: 400';
$r = $s->put('/api/v2/users/alice/notifications/preferences',
    { template_disabled_map => { $TEST => $T } }, $BOB);
is $r->{status}, 403, "Bob cannot change Alice's";
$r = $s->get('/api/v2/users/alice/notifications/preferences', $BOB);
is $r->{status}, 403, "Bob cannot read Alice's";
$r = $s->get($P, $ALICE);
is $r->{json}[0]{disabled}, $F, "Alice's unchanged";
$r = $s->get('/api/v2/users/nobody-here/notifications/preferences', $BOB);
is $r->{status}, 404, 'unknown user: 404';

done_testing();
