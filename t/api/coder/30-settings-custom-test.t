#!/usr/bin/perl
# Coder settings, dispatch methods, custom and test (peers.md §2.3):
# settings default, 200 echo, 304 unchanged, 403 for members; custom's
# validation strings, its 403 for service ("system") users and its
# template; test for admins only; template method changes.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });
my $ADMIN = { 'Coder-Session-Token' => make_token($s, 'root', 'admin') };
my $ALICE = { 'Coder-Session-Token' => make_token($s, 'alice', 'user') };
my $SVC = { 'Coder-Session-Token' => make_token($s, 'svc', 'service') };
my $TEST = 'c425f63e-716a-4bf4-ae24-78348f706c3f';
my $CUSTOM = '39b1e189-c857-4b0c-877a-511144c18516';
my $N = '/api/v2/notifications';
my $T = JSON::PP::true;
my $F = JSON::PP::false;

my $r = $s->get("$N/settings", $ALICE);
is $r->{content}, qq({"notifier_paused":false}\n), 'settings: default';
$r = $s->put("$N/settings", { notifier_paused => $T }, $ALICE);
is $r->{status}, 403, 'settings: a member may not';
is $r->{json}{message},
    'Insufficient permissions to update notifications settings.', '403 body';
$r = $s->put("$N/settings", { notifier_paused => $T }, $ADMIN);
is $r->{status}, 200, 'pause: 200';
is $r->{content}, qq({"notifier_paused":true}\n), 'pause: echo';
$r = $s->put("$N/settings", { notifier_paused => $T }, $ADMIN);
is $r->{status}, 304, 'unchanged: 304';
$r = $s->get("$N/settings", $ALICE);
is $r->{json}{notifier_paused}, $T, 'paused, as stored';
$r = $s->put("$N/settings", { notifier_paused => $F }, $ADMIN);
is $r->{status}, 200, 'resume: 200';

$r = $s->get("$N/dispatch-methods", $ALICE);
is $r->{content}, qq({"available":["smtp","webhook"],"default":"smtp"}\n),
    'dispatch-methods: one object';

# Custom
sub custom ($body, $h = $ALICE) {
	return $s->post("$N/custom", $body, { 'Content-Type' =>
	    'application/json', %$h });
}
$r = custom({ content => { title => 'Hello **you**', message => 'It _works_' } });
is $r->{status}, 204, 'custom: 204' or diag $r->{content};
$r = $s->get("$N/inbox", $ALICE);
my $n = $r->{json}{notifications}[0];
is $n->{template_id}, $CUSTOM, 'custom: the Custom Notification template';
is $n->{title}, 'Hello **you**', 'custom: title as markdown';
is $n->{content}, 'It _works_', 'custom: content';
$r = custom({ content => { title => 'Hello **you**', message => 'It _works_' } });
is $r->{status}, 204, 'custom again: 204 (de-duplication defeated)';
is scalar @{ $s->get("$N/inbox", $ALICE)->{json}{notifications} }, 2,
    'custom again: a second notification';
for my $c (
    [{}, 'content is required'],
    [{ content => { title => ' ', message => 'm' } },
     "provide a non-empty 'content.title' and 'content.message'"],
    [{ content => { title => 't', message => "\t" } },
     "provide a non-empty 'content.title' and 'content.message'"],
    [{ content => { title => 'x' x 121, message => 'm' } },
     "'content.title' must be less than 120 characters"],
    [{ content => { title => 't', message => 'm' x 2001 } },
     "'content.message' must be less than 2000 characters"]) {
	$r = custom($c->[0]);
	is $r->{status}, 400, "custom 400: $c->[1]";
	is $r->{json}{detail}, $c->[1], "custom detail: $c->[1]";
}
$r = custom({ content => { title => 'x' x 120, message => 'm' x 2000 } });
is $r->{status}, 204, 'custom at the bounds: 204';
$r = custom({ content => { title => 't', message => 'm' } }, $SVC);
is $r->{status}, 403, 'custom by a service user: 403';
is $r->{json}{detail}, 'System users cannot send custom notifications.',
    '403: why';

# Test
$r = $s->post("$N/test", undef, $ALICE);
is $r->{status}, 403, 'test: a member may not';
is $r->{json}{message}, 'Forbidden.', 'test 403: Coder message';
$r = $s->post("$N/test", undef, $ADMIN);
is $r->{status}, 204, 'test: 204';
$r = $s->post("$N/test", undef, $ADMIN);
is $r->{status}, 204, 'test again: 204';
$r = $s->get("$N/inbox?templates=$TEST", $ADMIN);
is scalar @{ $r->{json}{notifications} }, 2, 'test: two in the inbox';
$n = $r->{json}{notifications}[0];
is $n->{title}, 'A test notification', 'test: its title';
is $n->{content}, "Hi root,\n\nThis is a test notification.", 'test: body';
is $n->{icon}, 'DEFAULT_ICON_OTHER', 'test: icon';

# Template method (admin)
$r = $s->put("$N/templates/$TEST/method", { method => 'webhook' }, $ALICE);
is $r->{status}, 403, 'method: a member may not';
$r = $s->put("$N/templates/$TEST/method", { method => 'webhook' }, $ADMIN);
is $r->{status}, 200, 'method: 200';
$r = $s->put("$N/templates/$TEST/method", { method => 'webhook' }, $ADMIN);
is $r->{status}, 304, 'method unchanged: 304';
$r = $s->get("$N/templates/system", $ALICE);
is $r->{json}[0]{method}, 'webhook', 'method: shown';
$r = $s->put("$N/templates/$TEST/method", { method => 'pigeon' }, $ADMIN);
is $r->{status}, 400, 'method: unknown 400';

done_testing();
