#!/usr/bin/perl
# "herald import coder" (issue R): a private PostgreSQL with Coder's own
# tables (t/import/coder-schema.sql, from coder/coder's migrations) with
# users, templates, inbox notifications read and unread, with targets,
# actions and icons, and preferences disabled and enabled; a dry run
# writes nothing; after the import /api/v2/notifications/inbox answers as
# Coder would (ids, fields, order, unread_count, filters), templates and
# preferences are Coder's, and /v1 agrees; corrupt rows are reported with
# their key and skipped; a re-run changes nothing.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/../api/auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use Herald::Pg;
use Herald::Proc;
use AuthTest;

$ENV{PGTZ} = 'UTC';
my $s = Herald::Stack->start(config => { auth => 'token' });
my $pg = Herald::Pg->start(others => [$s]);
my $bin = Herald::Stack::herald_bin();
my $dir = $s->dir;

$pg->createdb('coder');
$pg->psql('coder', "$FindBin::Bin/coder-schema.sql", file => 1);

my %U = (alice => 'a0000000-0000-4000-8000-00000000000a',
    bob => 'b0000000-0000-4000-8000-00000000000b',
    carol => 'c0000000-0000-4000-8000-00000000000c');
my $TEST = 'c425f63e-716a-4bf4-ae24-78348f706c3f';	# Coder's own ids
my $CUSTOM = '39b1e189-c857-4b0c-877a-511144c18516';
my $WSDEL = 'f517da0b-cdc9-410f-ab89-a86107c420ed';
my $GHOST_T = '99999999-0000-4000-8000-000000000099';
my ($T1, $T2) = ('7a000000-0000-4000-8000-000000000001',
    '7a000000-0000-4000-8000-000000000002');
sub nid ($n) { sprintf 'e0000000-0000-4000-8000-%012d', $n }
sub lit ($v) { defined $v ? "'" . ($v =~ s/'/''/gr) . "'" : 'NULL' }
my $ACT = [{ label => 'View workspaces', url => 'https://coder.example/workspaces' }];
my $J = JSON::PP->new->canonical;

my $load = "BEGIN;\n";
for my $u (sort keys %U) {
	$load .= "INSERT INTO users (id, email, username, hashed_password, "
	    . "created_at, updated_at, status) VALUES ('$U{$u}', "
	    . "'$u\@example.org', '$u', '\\x00', now(), now(), 'active');\n";
}
$load .= <<"SQL";
INSERT INTO notification_templates (id, name, title_template, body_template,
    actions, "group", method, kind, enabled_by_default) VALUES
 ('$TEST', 'Test Notification', 'A test notification',
  'Hi {{.UserName}},\n\nThis is a test notification.', '[]',
  'Notification Events', NULL, 'system', true),
 ('$CUSTOM', 'Custom Notification', '{{.Labels.custom_title}}',
  '{{.Labels.custom_message}}', '[]', 'Custom Events', NULL, 'custom', true),
 ('$WSDEL', 'Workspace Deleted', 'Workspace "{{.Labels.name}}" deleted',
  'Hi {{.UserName}}, your workspace **{{.Labels.name}}** was deleted.',
  '[{"label": "View workspaces", "url": "{{base_url}}/workspaces"}]',
  'Workspace Events', 'webhook', 'system', false);
INSERT INTO inbox_notifications (id, user_id, template_id, targets, title,
    content, icon, actions, read_at, created_at) VALUES
 ('${\ nid(1)}', '$U{alice}', '$WSDEL', '{$T1,$T2}', 'Workspace "dev" deleted',
  'Your workspace **dev** was deleted.', 'DEFAULT_ICON_WORKSPACE',
  ${\ lit($J->encode($ACT))}, NULL, '2025-03-01 10:00:00.250+00'),
 ('${\ nid(2)}', '$U{alice}', '$TEST', '{}', 'A test notification',
  'Hi alice, this is a test.', '', '[]', '2025-03-02 09:00:05+00',
  '2025-03-02 09:00:00+00'),
 ('${\ nid(3)}', '$U{bob}', '$CUSTOM', '{$T2}', 'Custom title',
  'Custom *message*', 'https://example.org/icon.png', '[]', NULL,
  '2025-03-03 08:00:00.5+00');
INSERT INTO notification_preferences (user_id, notification_template_id,
    disabled, created_at, updated_at) VALUES
 ('$U{alice}', '$WSDEL', true, now(), '2025-04-01 12:00:00+00'),
 ('$U{bob}', '$WSDEL', false, now(), '2025-04-02 12:00:00+00');
SET session_replication_role = replica;
INSERT INTO inbox_notifications (id, user_id, template_id, targets, title,
    content, icon, actions, created_at) VALUES
 ('${\ nid(4)}', 'dead0000-0000-4000-8000-000000000000', '$TEST', NULL, 'x',
  'orphan', '', '[]', '2025-03-04 00:00:00+00'),
 ('${\ nid(5)}', '$U{bob}', '$TEST', NULL, 'x', 'bad actions', '',
  '{"label": "not a list"}', '2025-03-05 00:00:00+00');
INSERT INTO notification_preferences (user_id, notification_template_id,
    disabled) VALUES ('$U{carol}', '$GHOST_T', true);
SET session_replication_role = DEFAULT;
COMMIT;
SQL
$pg->psql('coder', $load);

sub import_run ($name, @args) {
	my $log = "$dir/import-$name.log";
	my $st = Herald::Proc::run($log, 600, $bin, '-c', $s->config_file,
	    'import', 'coder', @args);
	return ($st >> 8, Herald::Proc::slurp($log));
}
sub report_row ($out, $tbl) {
	return $out =~ /^\s+\Q$tbl\E\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m
	    ? [$1, $2, $3, $4, $5] : undef;
}
sub fingerprint {
	return join "\n", map { join ' ', map { $_ // 'NULL' } @$_ } $s->sql(
	    'CHECKSUM TABLE users, notifications, note_counts, note_targets, '
	    . 'templates, preferences');
}
my $URL = $pg->url('coder');

# --- a dry run writes nothing ---------------------------------------------
my $tmpl_before = fingerprint();
my ($rc, $out) = import_run('dry', '--from', $URL, '--dry-run');
is $rc, 3, 'dry run: exit 3' or diag $out;
is_deeply report_row($out, 'inbox_notifications'), [5, 3, 0, 0, 2],
    'dry run: 5 read, 3 would be imported, 2 skipped' or diag $out;
is fingerprint(), $tmpl_before, 'dry run: nothing written';
is $s->sql_value('SELECT COUNT(*) FROM import_rows'), 0, 'dry run: no digests';

($rc, $out) = import_run('since', '--from', $URL, '--dry-run', '--since',
    '2025-03-02T00:00:00.000Z');
is_deeply report_row($out, 'inbox_notifications'), [4, 2, 0, 0, 2],
    '--since: only the inbox rows created since' or diag $out;

# --- the import -------------------------------------------------------------
($rc, $out) = import_run('first', '--from', $URL, '--batch', 2);
is $rc, 3, 'import: exit 3 (rows skipped)' or diag $out;
like $out, qr/skipped inbox_notifications \Q${\ nid(4)}\E: unknown user/,
    'the orphan is reported with its key';
like $out, qr/skipped inbox_notifications \Q${\ nid(5)}\E: the actions are not a JSON array/,
    'the corrupt actions are reported with their key';
like $out, qr/skipped notification_preferences \Q$U{carol}:$GHOST_T\E: its user or its template was not imported/,
    'a preference for no template is reported with its key';
is_deeply report_row($out, 'users'), [3, 3, 0, 0, 0], 'report: users';
is_deeply report_row($out, 'notification_templates'), [3, 1, 2, 0, 0],
    'report: templates (Herald already had two of Coder\'s, by id)'
    or diag $out;
is_deeply report_row($out, 'inbox_notifications'), [5, 3, 0, 0, 2],
    'report: inbox';
is_deeply report_row($out, 'notification_preferences'), [3, 2, 0, 0, 1],
    'report: preferences';
like $out, qr/verify: 3 users compared \(total, unseen\): 1 differ/,
    'verify: bob differs by his skipped row, no one else';
is $s->sql_value("SELECT LOWER(HEX(id)) FROM users WHERE username = 'alice'"),
    $U{alice} =~ s/-//gr, 'users keep Coder\'s ids';

# Tokens for Coder's users: the imported users.
my %H = map { $_ => { 'Coder-Session-Token' => make_token($s, $_, 'user') } }
    qw(alice bob);
my $INBOX = '/api/v2/notifications/inbox';

# --- the inbox, as Coder answers -------------------------------------------
my $r = $s->get($INBOX, $H{alice});
is $r->{status}, 200, 'alice: 200' or diag $r->{content};
my $j = $r->{json} // {};
is $j->{unread_count}, 1, 'alice: unread_count 1';
is_deeply [map { $_->{id} } @{ $j->{notifications} // [] }], [nid(2), nid(1)],
    'alice: the same ids, newest first';
my ($n2, $n1) = @{ $j->{notifications} // [] };
is_deeply $n1, { id => nid(1), user_id => $U{alice}, template_id => $WSDEL,
    targets => [$T1, $T2], title => 'Workspace "dev" deleted',
    content => 'Your workspace **dev** was deleted.',
    icon => 'DEFAULT_ICON_WORKSPACE', actions => $ACT, read_at => undef,
    created_at => '2025-03-01T10:00:00.25Z' }, 'n1: every field as Coder has it'
    or diag explain $n1;
is $n2->{read_at}, '2025-03-02T09:00:05Z', 'n2: read_at kept';
is $n2->{icon}, 'DEFAULT_ICON_OTHER', 'n2: no icon: the fallback Coder shows';
is_deeply $n2->{targets}, [], 'n2: no targets';
is $s->json_type($r->{content}, 'notifications', 1, 'read_at'), 'null',
    'unread: read_at is null';

is_deeply [map { $_->{id} } @{ $s->get("$INBOX?read_status=unread",
    $H{alice})->{json}{notifications} // [] }], [nid(1)], 'read_status=unread';
is_deeply [map { $_->{id} } @{ $s->get("$INBOX?read_status=read",
    $H{alice})->{json}{notifications} // [] }], [nid(2)], 'read_status=read';
is_deeply [map { $_->{id} } @{ $s->get("$INBOX?templates=$WSDEL",
    $H{alice})->{json}{notifications} // [] }], [nid(1)], 'templates filter';
is_deeply [map { $_->{id} } @{ $s->get("$INBOX?targets=$T1,$T2",
    $H{alice})->{json}{notifications} // [] }], [nid(1)], 'targets filter';
$r = $s->get($INBOX, $H{bob});
is_deeply [map { $_->{id} } @{ $r->{json}{notifications} // [] }], [nid(3)],
    'bob: his one';
is $r->{json}{unread_count}, 1, 'bob: unread_count 1';
is $r->{json}{notifications}[0]{icon}, 'https://example.org/icon.png',
    'bob: his icon';

# Templates and preferences.
$r = $s->get('/api/v2/notifications/templates/system', $H{alice});
my ($wd) = grep { $_->{id} eq $WSDEL } @{ $r->{json} // [] };
ok $wd, 'the imported template is listed' or diag $r->{content};
is_deeply { map { $_ => $wd->{$_} } qw(name title_template group method kind
    enabled_by_default) }, { name => 'Workspace Deleted',
    title_template => 'Workspace "{{.Labels.name}}" deleted',
    group => 'Workspace Events', method => 'webhook', kind => 'system',
    enabled_by_default => JSON::PP::false }, 'template: Coder\'s fields';
$r = $s->get('/api/v2/users/me/notifications/preferences', $H{alice});
is_deeply [map { [$_->{id}, $_->{disabled} ? 1 : 0] } @{ $r->{json} // [] }],
    [[$WSDEL, 1]], 'alice: her disabled preference' or diag $r->{content};
is $r->{json}[0]{updated_at}, '2025-04-01T12:00:00Z', 'preference: updated_at';
$r = $s->get('/api/v2/users/me/notifications/preferences', $H{bob});
is_deeply [map { [$_->{id}, $_->{disabled} ? 1 : 0] } @{ $r->{json} // [] }],
    [[$WSDEL, 0]], 'bob: his explicit enable';

# /v1 agrees.
for ([alice => 2, 1], [bob => 1, 1]) {
	my ($u, $t, $n) = @$_;
	$r = $s->get("/v1/users/$u/notifications/count", $H{$u});
	is_deeply $r->{json}, { total => $t, unread => $n }, "/v1 count for $u"
	    or diag $r->{content};
}

# --- a re-run changes nothing ----------------------------------------------
my $before = fingerprint();
($rc, $out) = import_run('again', '--from', $URL);
is_deeply report_row($out, 'inbox_notifications'), [5, 0, 0, 3, 2],
    're-run: 3 unchanged, 2 skipped again' or diag $out;
is_deeply report_row($out, 'notification_templates'), [3, 0, 0, 3, 0],
    're-run: templates unchanged';
is fingerprint(), $before, 're-run: every table as it was';

# A read in Herald is kept by a re-run; a read in the source arrives.
is $s->put("$INBOX/${\ nid(1)}/read-status", { is_read => JSON::PP::true },
    { 'Content-Type' => 'application/json', %{ $H{alice} } })->{status}, 200,
    'alice reads n1 in Herald';
$pg->psql('coder', "UPDATE inbox_notifications SET read_at = "
    . "'2025-03-06 00:00:00+00' WHERE id = '${\ nid(3)}'");
($rc, $out) = import_run('changed', '--from', $URL);
is_deeply report_row($out, 'inbox_notifications'), [5, 0, 1, 2, 2],
    'changed source row: 1 changed' or diag $out;
is $s->get($INBOX, $H{alice})->{json}{unread_count}, 0, 'alice: her read kept';
$r = $s->get($INBOX, $H{bob});
is $r->{json}{unread_count}, 0, 'bob: the source\'s read arrived';
is $r->{json}{notifications}[0]{read_at}, '2025-03-06T00:00:00Z',
    'bob: with its time';

done_testing;
