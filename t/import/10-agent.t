#!/usr/bin/perl
# "herald import agent" (issue R): a private PostgreSQL loaded with the
# notification-agent's own schema (t/import/agent-schema.sql) and data in
# every state; a dry run writes nothing; the import keeps ids, times, read
# and deleted state, sent e-mails and system-notification states, so that
# the agent dialect answers for those users as the original did and /v1
# agrees; corrupt rows are reported with their key and skipped; a re-run
# changes nothing (and keeps what users did in Herald since) unless the
# source row changed; kill -9 mid-import and a resume give what one clean
# run gives.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP;
use Time::HiRes qw(time sleep);
use POSIX qw(WNOHANG);
use Herald::Stack;
use Herald::Pg;
use Herald::Proc;

$ENV{PGTZ} = 'UTC';
my $s = Herald::Stack->start;
my $pg = Herald::Pg->start(others => [$s]);
my $bin = Herald::Stack::herald_bin();
my $dir = $s->dir;

# --- the original's store -------------------------------------------------
$pg->createdb('notifications');
$pg->psql('notifications', "$FindBin::Bin/agent-schema.sql", file => 1);

my $NOW = int(time * 1000);
my $T0 = 1_600_000_000_000;
my $DAY = 86_400_000;
sub uid ($n) { sprintf '%08x-0000-4000-8000-%012x', 0xa9e47000 + $n, $n }
sub ts_sql ($ms) { defined $ms ? "to_timestamp($ms / 1000.0)::timestamp" : 'NULL' }
sub lit ($v) { defined $v ? "'" . ($v =~ s/'/''/gr) . "'" : 'NULL' }

my @USERS = ([1, 'alice'], [2, 'bob'], [3, 'carol'], [4, 'dave']);
# id, user_id, type, subject, seen, deleted, created, message JSON (undef:
# the agent's own shape), text, timestamp as stored in the message.
my @NOTES = (
	{ id => 1, user => 1, type => 'data', subject => 'file uploaded',
	  ts => $T0 + 1000, text => 'upload of x.txt done',
	  payload => { path => '/iplant/home/alice/x.txt' } },
	{ id => 2, user => 1, type => 'analysis', subject => 'job done',
	  ts => $T0 + 2000, seen => 1, email => 1,
	  template => 'analysis_status_change',
	  payload => { email_address => 'alice@example.org', id => 'j1' } },
	{ id => 3, user => 1, type => 'tool_request', subject => 'tool ready',
	  ts => $T0 + 3000, deleted => 1 },
	{ id => 4, user => 1, type => 'data', subject => 'old', ts => $T0 + 4000,
	  seen => 1, deleted => 1 },
	{ id => 5, user => 1, type => 'data', subject => 'corrupt',
	  ts => $T0 + 4500, raw => '{"type": "data", "user": ' },
	{ id => 6, user => 2, type => 'data', subject => 'bob one',
	  ts => $T0 + 5000, ts_string => 1 },
	{ id => 7, user => 2, type => 'tool_request', subject => 'no text',
	  ts => $T0 + 6000, seen => 1, no_text => 1 },
	{ id => 8, user => 999, type => 'data', subject => 'orphan',
	  ts => $T0 + 6500 },
	{ id => 9, user => 2, type => 'permissions', subject => 'shared',
	  ts => $T0 + 7000, no_ts => 1 },
);
my %NAME = map { $_->[0] => $_->[1] } @USERS;

sub message_json ($n) {
	return $n->{raw} if defined $n->{raw};
	my %m = (id => uc uid($n->{id}),
	    timestamp => $n->{ts_string} ? "$n->{ts}" : $n->{ts} + 0,
	    text => $n->{text} // $n->{subject});
	delete $m{text} if $n->{no_text};
	delete $m{timestamp} if $n->{no_ts};
	my %o = (type => $n->{type}, user => $NAME{$n->{user}} // 'ghost',
	    subject => $n->{subject}, email => $n->{email} ? JSON::PP::true
	    : JSON::PP::false, email_template => $n->{template},
	    payload => $n->{payload} // {}, message => \%m,
	    seen => JSON::PP::false, deleted => JSON::PP::false);
	$o{email_request} = { to => 'alice@example.org' } if $n->{email};
	return JSON::PP->new->canonical->encode(\%o);
}

my $load = "BEGIN;\n";
$load .= "INSERT INTO users (id, username) VALUES ($_->[0], '$_->[1]');\n"
    for @USERS;
$load .= "SELECT setval('users_id_seq', 4);\n";
# The orphan (user 999) needs the foreign keys off, as a damaged store has.
$load .= "SET session_replication_role = replica;\n";
# One source notification; its uuid is its own unless {uuid} says.
sub note_sql ($n) {
	return sprintf "INSERT INTO notifications (id, uuid, type, user_id, "
	    . "subject, seen, deleted, date_created, message) VALUES (%d, '%s', "
	    . "'%s', %d, %s, %s, %s, %s, %s);\n", $n->{id},
	    $n->{uuid} // uid($n->{id}), $n->{type}, $n->{user},
	    lit($n->{subject}), $n->{seen} ? 'true' : 'false',
	    $n->{deleted} ? 'true' : 'false', ts_sql($n->{ts}),
	    lit(message_json($n));
}
$load .= note_sql($_) for @NOTES;
$load .= "SET session_replication_role = DEFAULT;\n";
$load .= "INSERT INTO email_notification_messages (notification_id, template, "
    . "address, date_sent, payload) VALUES (2, 'analysis_status_change', "
    . "'alice\@example.org', " . ts_sql($T0 + 2100) . ", '{}');\n";
# System notifications: 1 active dismissible, 2 active not, 3 expired,
# 4 not yet active, 5 active with no end (the column allows NULL).
my @SYS = (
	[1, 1, $NOW - $DAY, $NOW + 30 * $DAY, 'true', 'maintenance tonight'],
	[2, 2, $NOW - $DAY, $NOW + 30 * $DAY, 'false', 'logins off at 6'],
	[3, 3, $NOW - 9 * $DAY, $NOW - 2 * $DAY, 'true', 'expired'],
	[4, 1, $NOW + 5 * $DAY, $NOW + 9 * $DAY, 'true', 'future'],
	[5, 1, $NOW - $DAY, undef, 'true', 'forever'],
);
for my $y (@SYS) {
	$load .= sprintf "INSERT INTO system_notifications (id, uuid, "
	    . "system_notification_type_id, date_created, activation_date, "
	    . "deactivation_date, dismissible, logins_disabled, message) VALUES "
	    . "(%d, '%s', %d, %s, %s, %s, %s, false, %s);\n", $y->[0],
	    uid(100 + $y->[0]), $y->[1], ts_sql($y->[2] - 1000), ts_sql($y->[2]),
	    ts_sql($y->[3]), $y->[4], lit($y->[5]);
}
my @ACKS = ([1, 1, 'received', undef], [1, 2, 'acknowledged', $NOW - 5000],
    [2, 1, 'dismissed', $NOW - 4000], [2, 5, 'acknowledged', $NOW - 3000],
    [3, 1, 'unreceived', undef]);
$load .= sprintf "INSERT INTO system_notification_acknowledgments (user_id, "
    . "system_notification_id, state, date_acknowledged) VALUES (%d, %d, "
    . "'%s', %s);\n", @$_[0 .. 2], ts_sql($_->[3]) for @ACKS;
$load .= "COMMIT;\n";
$pg->psql('notifications', $load);

# --- helpers --------------------------------------------------------------
sub import_run ($name, @args) {
	my $log = "$dir/import-$name.log";
	my $st = Herald::Proc::run($log, 600, $bin, '-c', $s->config_file,
	    'import', 'agent', @args);
	return ($st >> 8, Herald::Proc::slurp($log));
}

sub fingerprint {
	return join "\n", map { join ' ', map { $_ // 'NULL' } @$_ } $s->sql(
	    'CHECKSUM TABLE users, notifications, note_counts, deliveries, '
	    . 'system_notifications, system_notification_types, system_states');
}

sub listing ($user) {
	my $r = $s->get($s->path_q('/messages', user => $user));
	is $r->{status}, 200, "/messages for $user" or diag $r->{content};
	return $r->{json} // {};
}

sub report_row ($out, $tbl) {
	return $out =~ /^\s+\Q$tbl\E\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m
	    ? [$1, $2, $3, $4, $5] : undef;
}

my $URL = $pg->url('notifications');

# --- a dry run writes nothing ---------------------------------------------
my ($rc, $out) = import_run('dry', '--from', $URL, '--dry-run');
is $rc, 3, 'dry run: exit 3 (rows would be skipped)' or diag $out;
like $out, qr/dry run/, 'dry run: says so';
is_deeply report_row($out, 'notifications'), [9, 7, 0, 0, 2],
    'dry run: 9 read, 7 would be imported, 2 skipped' or diag $out;
is $s->sql_value('SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) '
    . 'FROM notifications) + (SELECT COUNT(*) FROM import_rows) + '
    . '(SELECT COUNT(*) FROM import_checkpoints) + '
    . '(SELECT COUNT(*) FROM system_notifications)'), 0,
    'dry run: nothing written';

# --- the import -------------------------------------------------------------
($rc, $out) = import_run('first', '--from', $URL, '--batch', 3);
is $rc, 3, 'import: exit 3 (rows skipped)' or diag $out;
like $out, qr/skipped notifications 5: the message is not valid JSON/,
    'the corrupt message is reported with its key';
like $out, qr/skipped notifications 8: unknown user \(user_id 999\)/,
    'the orphan is reported with its key';
is_deeply report_row($out, 'notifications'), [9, 7, 0, 0, 2],
    'report: notifications 9 read, 7 imported, 2 skipped' or diag $out;
is_deeply report_row($out, 'users'), [4, 4, 0, 0, 0], 'report: users';
is_deeply report_row($out, 'email_notification_messages'), [1, 1, 0, 0, 0],
    'report: e-mails';
is_deeply report_row($out, 'system_notifications'), [5, 5, 0, 0, 0],
    'report: system notifications';
is_deeply report_row($out, 'system_notification_acknowledgments'),
    [5, 5, 0, 0, 0], 'report: acknowledgments';
like $out, qr/verify: 4 users compared \(total, unseen\): 1 differ/,
    'verify: alice differs by her skipped row, no one else';
like $out, qr/verify: alice has 3 \(2 unseen\) in the source, 2 \(1 unseen\)/,
    'verify: names the difference';
like $out, qr{import: notifications 9/9 \(100%\).*done}, 'plain progress lines';
is $s->sql_value('SELECT COUNT(*) FROM import_checkpoints'), 0,
    'a finished run leaves no checkpoint';

# --- the agent dialect answers as the original did --------------------------
my $a = listing('alice');
is $a->{total}, '2', 'alice: total "2" (deleted and corrupt ones not counted)';
is $a->{unseen_total}, '1', 'alice: unseen_total "1"';
is_deeply [map { $_->{message}{id} } @{ $a->{messages} }],
    [uc uid(2), uc uid(1)], 'alice: the same upper-case ids, newest first';
my ($m2, $m1) = @{ $a->{messages} };
is int($m1->{message}{timestamp}), $T0 + 1000, 'timestamp kept';
is $m1->{message}{text}, 'upload of x.txt done', 'text kept';
is_deeply $m1->{payload}, { path => '/iplant/home/alice/x.txt' }, 'payload kept';
ok !$m1->{seen} && $m2->{seen}, 'read state kept';
is $m2->{email_template}, 'analysis_status_change', 'email_template kept';
ok $m2->{email}, 'email flag kept';
ok !exists $m2->{email_request}, 'the internal email_request is not shown';
my $b = listing('bob');
is_deeply [map { $_->{message}{id} } @{ $b->{messages} }],
    [uc uid(9), uc uid(7), uc uid(6)], 'bob: his three, newest first';
is int($b->{messages}[2]{message}{timestamp}), $T0 + 5000,
    'a timestamp stored as a string';
is int($b->{messages}[0]{message}{timestamp}), $T0 + 7000,
    'no timestamp in the message: date_created';
is $b->{messages}[1]{message}{text}, 'no text', 'no text: the subject';
is $b->{messages}[1]{type}, 'tool request', 'types display with spaces';
is listing('dave')->{total}, '0', 'dave: nothing';

my %COUNTS = (alice => [2, 3, 1, 2], bob => [3, 2, 1, 1],
    carol => [0, 3, 3, 3], dave => [0, 3, 3, 3]);
for my $u (sort keys %COUNTS) {
	my $r = $s->get($s->path_q('/count-messages', user => $u));
	is_deeply [@{ $r->{json} // {} }{qw(user-total system-total
	    system-total-new system-total-unseen)}], $COUNTS{$u},
	    "/count-messages for $u as the original";
}
my %SYSVIEW = (alice => { 1 => 0, 2 => 1, 5 => 0 }, bob => { 2 => 0, 5 => 1 },
    carol => { 1 => 0, 2 => 0, 5 => 0 });
for my $u (sort keys %SYSVIEW) {
	my $r = $s->get($s->path_q('/system/messages', user => $u));
	my %got = map { $_->{uuid} => ($_->{acknowledged} ? 1 : 0) }
	    @{ $r->{json}{'system-messages'} // [] };
	my %want = map { uid(100 + $_) => $SYSVIEW{$u}{$_} }
	    keys %{ $SYSVIEW{$u} };
	is_deeply \%got, \%want, "/system/messages for $u: ids, acknowledged";
}
my $r5 = $s->get($s->path_q('/system/messages', user => 'carol'))->{json};
my ($s5) = grep { $_->{uuid} eq uid(105) } @{ $r5->{'system-messages'} };
ok $s5 && $s5->{deactivation_date} > $NOW + 3650 * $DAY,
    'no deactivation date: active for good';

# /v1 agrees.
for my $u (qw(alice bob)) {
	my $r = $s->get("/v1/users/$u/notifications/count");
	is_deeply $r->{json}, { total => $u eq 'alice' ? 2 : 3,
	    unread => $u eq 'alice' ? 1 : 2 }, "/v1 count for $u agrees"
	    or diag $r->{content};
}
my $v1 = $s->get('/v1/users/alice/notifications?limit=100')->{json} // {};
my ($items) = grep { ref $_ eq 'ARRAY' } values %$v1;
is_deeply [map { $_->{id} } @{ $items // [] }], [uid(2), uid(1)],
    '/v1 lists the same ids' or diag explain $v1;

# The e-mail the agent sent is a sent delivery: never sent again.
is_deeply [$s->sql("SELECT d.state, d.address, d.template, d.sent_at FROM "
    . "deliveries d WHERE d.notification_id = UNHEX('" . (uid(2) =~ s/-//gr)
    . "')")], [['sent', 'alice@example.org', 'analysis_status_change',
    $T0 + 2100]], 'the sent e-mail is a delivery in state sent';

# --- a re-run changes nothing ----------------------------------------------
my $before = fingerprint();
($rc, $out) = import_run('again', '--from', $URL);
is $rc, 3, 're-run: exit 3 (the same rows skipped)';
is_deeply report_row($out, 'notifications'), [9, 0, 0, 7, 2],
    're-run: 7 unchanged, 2 skipped again' or diag $out;
is_deeply report_row($out, 'system_notification_acknowledgments'),
    [5, 0, 0, 5, 0], 're-run: states unchanged';
is fingerprint(), $before, 're-run: every table as it was';

# What a user did in Herald since is kept by a re-run.
is $s->post($s->path_q('/seen', user => 'alice'),
    { uuids => [uc uid(1)] })->{status}, 200, 'alice reads one in Herald';
($rc, $out) = import_run('kept', '--from', $URL);
is listing('alice')->{unseen_total}, '0', 're-run: her read is kept';

# A source row that changed is written again.
$pg->psql('notifications', 'UPDATE notifications SET seen = true WHERE id = 6');
($rc, $out) = import_run('changed', '--from', $URL);
is_deeply report_row($out, 'notifications'), [9, 0, 1, 6, 2],
    'changed source row: 1 changed' or diag $out;
is listing('bob')->{unseen_total}, '1', 'bob: the change arrived';

# One batch of new, changed and unchanged rows: each counted as what it is.
$pg->psql('notifications', 'UPDATE notifications SET seen = true WHERE id = 9;'
    . note_sql({ id => 10, user => 2, type => 'data', subject => 'bob new',
    ts => $T0 + 8000 }));
($rc, $out) = import_run('mixed', '--from', $URL);
is_deeply report_row($out, 'notifications'), [10, 1, 1, 6, 2],
    'one batch: 1 new, 1 changed, 6 unchanged, 2 skipped' or diag $out;
$b = listing('bob');
is_deeply [@$b{qw(total unseen_total)}], ['4', '1'],
    'bob: the new one unseen, the changed one read';
is $b->{messages}[0]{message}{id}, uc uid(10), 'bob: the new one first';

# A new row whose id is another user's notification is skipped, and the
# new rows beside it in the batch are imported all the same.
$pg->psql('notifications', note_sql({ id => 11, user => 3, type => 'data',
    subject => 'not alice', ts => $T0 + 9000, uuid => uid(1) })
    . note_sql({ id => 12, user => 3, type => 'data', subject => 'carol new',
    ts => $T0 + 9500 }));
my $alice = listing('alice');
($rc, $out) = import_run('foreign', '--from', $URL);
is $rc, 3, 'an id of another user\'s: exit 3';
like $out, qr/skipped notifications 11: its id is another user's notification/,
    'the row with another user\'s id is reported with its key';
is_deeply report_row($out, 'notifications'), [12, 1, 0, 8, 3],
    'that batch: 1 new, 8 unchanged, 3 skipped' or diag $out;
is_deeply listing('alice'), $alice, 'alice: her notification as it was';
is_deeply [map { $_->{message}{id} } @{ listing('carol')->{messages} }],
    [uc uid(12)], 'carol: only the new one';
is $s->sql_value("SELECT COUNT(*) FROM import_rows WHERE tbl = "
    . "'notifications' AND src_key = '11'"), 0,
    'the skipped row\'s digest is not kept: the next run reports it again';

# --- kill -9 mid-import, resume: as one clean run ----------------------------
$pg->createdb('big');
$pg->psql('big', "$FindBin::Bin/agent-schema.sql", file => 1);
$pg->psql('big', <<'SQL');
INSERT INTO users (username) SELECT 'u' || i FROM generate_series(1, 20) i;
INSERT INTO notifications (uuid, type, user_id, subject, seen, deleted,
    date_created, message)
SELECT md5('n' || i)::uuid, 'data', 1 + i % 20, 'n' || i, i % 3 = 0,
    i % 7 = 0, '2020-01-01'::timestamp + i * interval '1 second',
    json_build_object('type', 'data', 'subject', 'n' || i, 'payload',
    json_build_object('i', i), 'message', json_build_object('id',
    upper(md5('n' || i)::uuid::text), 'text', 'text ' || i))::text
FROM generate_series(1, 20000) i;
SQL
my $BIG = $pg->url('big');
my $klog = "$dir/import-killed.log";
my $pid = Herald::Proc::blocking_signals(sub {
	Herald::Proc::spawn($klog, $bin, '-c', $s->config_file, 'import',
	    'agent', '--from', $BIG, '--tenant', 'big', '--batch', 100) });
my ($mid, $deadline) = (0, time + 300);
while (time < $deadline) {
	last if waitpid($pid, WNOHANG) != 0;
	my @cp = $s->sql("SELECT last_key FROM import_checkpoints WHERE "
	    . "tenant = 'big' AND tbl = 'notifications' AND done = 0");
	if (@cp && $cp[0][0] >= 1000) {
		kill 'KILL', $pid;
		waitpid($pid, 0);
		$mid = 1;
		last;
	}
	sleep 0.05;
}
ok $mid, 'killed with SIGKILL in the middle of the notifications'
    or diag Herald::Proc::slurp($klog);
my $part = $s->sql_value("SELECT COUNT(*) FROM notifications WHERE tenant = 'big'");
ok $part > 0 && $part < 20000, "a part was imported ($part rows)";
my $cpk = $s->sql_value("SELECT last_key FROM import_checkpoints WHERE "
    . "tenant = 'big' AND tbl = 'notifications'");
is $part, $s->sql_value("SELECT COUNT(*) FROM import_rows WHERE tenant = "
    . "'big' AND tbl = 'notifications'"), 'rows and digests committed together';
($rc, $out) = import_run('resume', '--from', $BIG, '--tenant', 'big',
    '--batch', 500);
is $rc, 0, 'resume: exit 0 (nothing skipped, counts agree)' or diag $out;
like $out, qr/notifications\s+\d+\s+\d+\s+0\s+0\s+0\s+\(resumed\)/,
    'resume: notifications resumed' or diag $out;
like $out, qr/verify: 20 users compared \(total, unseen\): 0 differ/,
    'resume: every user\'s counts agree';
my $herald = $s->sql_value("SELECT CONCAT_WS(' ', COUNT(*), SUM(seen), "
    . "SUM(deleted), MIN(created), MAX(created), "
    . "SHA2(GROUP_CONCAT(LOWER(HEX(id)) ORDER BY id SEPARATOR ''), 256)) "
    . "FROM notifications WHERE tenant = 'big'") =~ s/\s+\z//r;
# GROUP_CONCAT's default limit is too short for 20000 ids: compare in parts.
my $src = $pg->psql('big', "SELECT count(*) || ' ' || sum(seen::int) || ' ' "
    . "|| sum(deleted::int) || ' ' || min(extract(epoch from date_created) "
    . "* 1000)::bigint || ' ' || max(extract(epoch from date_created) * 1000)"
    . "::bigint FROM notifications");
like $herald, qr/^\Q$src\E /, 'resume: the same rows, states and times as '
    . 'the source';
is $s->sql_value("SELECT SUM(c.total) FROM note_counts c JOIN users u ON "
    . "u.id = c.user_id WHERE u.tenant = 'big'"),
    $pg->psql('big', 'SELECT count(*) FROM notifications WHERE NOT deleted'),
    'resume: the counters add up';
my $ids_h = join '', map { $_->[0] } $s->sql("SELECT LOWER(HEX(id)) FROM "
    . "notifications WHERE tenant = 'big' ORDER BY id");
my $ids_p = $pg->psql('big', "SELECT string_agg(replace(uuid::text, '-', ''), "
    . "'' ORDER BY replace(uuid::text, '-', '')) FROM notifications");
ok $ids_h eq $ids_p, 'resume: exactly the source ids, none twice';

# --- a row the database refuses with its connection ---------------------------
# A changed row larger than the server's max_allowed_packet costs the
# connection, and with it the batch's transaction: the new row written
# before it in the same batch is gone.  The run must stop there, not go on
# in autocommit and record that row's digest with the checkpoint.
$pg->createdb('packet');
$pg->psql('packet', "$FindBin::Bin/agent-schema.sql", file => 1);
$pg->psql('packet', "INSERT INTO users (id, username) VALUES (1, 'pat');\n"
    . note_sql({ id => 1, user => 1, type => 'data', subject => 'p one',
    ts => $T0 + 1000, uuid => uid(201) })
    . note_sql({ id => 5, user => 1, type => 'data', subject => 'p big',
    ts => $T0 + 5000, uuid => uid(205), text => 'x' x 60000 }));
my $PKT = $pg->url('packet');
($rc, $out) = import_run('packet-first', '--from', $PKT, '--tenant', 'pk');
is $rc, 0, 'packet: the first import' or diag $out;
$pg->psql('packet', note_sql({ id => 3, user => 1, type => 'data',
    subject => 'p new', ts => $T0 + 3000, uuid => uid(203) })
    . 'UPDATE notifications SET seen = true WHERE id = 5');
my $packet = $s->sql_value('SELECT @@global.max_allowed_packet');
$s->sql('SET GLOBAL max_allowed_packet = 16384');
($rc, $out) = import_run('packet-small', '--from', $PKT, '--tenant', 'pk');
$s->sql("SET GLOBAL max_allowed_packet = $packet");
my $note3 = "(SELECT COUNT(*) FROM notifications WHERE id = UNHEX('"
    . (uid(203) =~ s/-//gr) . "'))";
my $dig3 = "(SELECT COUNT(*) FROM import_rows WHERE tenant = 'pk' AND "
    . "tbl = 'notifications' AND src_key = '3')";
is $s->sql_value("SELECT CONCAT($note3, ' ', $dig3)"), '0 0',
    'packet: the lost batch left neither the new row nor its digest'
    or diag $out;
is $rc, 1, 'packet: the run stops' or diag $out;
($rc, $out) = import_run('packet-again', '--from', $PKT, '--tenant', 'pk');
is $s->sql_value("SELECT CONCAT($note3, ' ', $dig3)"), '1 1',
    'packet: the next run imports the new row' or diag $out;
is $s->sql_value("SELECT seen FROM notifications WHERE id = UNHEX('"
    . (uid(205) =~ s/-//gr) . "')"), 1, 'packet: and the change';

# A batch's statements are kept to the server's max_allowed_packet: 200
# rows of 2 KB each under 128 KiB are imported, as they were one a
# statement.
$pg->psql('packet', <<'SQL');
SELECT setval('notifications_id_seq', 100);
INSERT INTO notifications (uuid, type, user_id, subject, seen, deleted,
    date_created, message)
SELECT md5('pk' || i)::uuid, 'data', 1, 'm' || i, false, false,
    '2021-01-01'::timestamp + i * interval '1 second',
    json_build_object('type', 'data', 'subject', 'm' || i, 'payload',
    json_build_object('i', i), 'message', json_build_object('id',
    upper(md5('pk' || i)::uuid::text), 'text', repeat('y', 2000)))::text
FROM generate_series(1, 200) i;
SQL
$s->sql('SET GLOBAL max_allowed_packet = 131072');
($rc, $out) = import_run('packet-rows', '--from', $PKT, '--tenant', 'pk');
$s->sql("SET GLOBAL max_allowed_packet = $packet");
is $rc, 0, 'packet: 200 rows of 2 KB under a 128 KiB max_allowed_packet'
    or diag $out;
is $s->sql_value("SELECT COUNT(*) FROM notifications WHERE tenant = 'pk'"),
    203, 'packet: all of them';

done_testing;
