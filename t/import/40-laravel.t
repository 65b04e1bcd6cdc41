#!/usr/bin/perl
# "herald import laravel" (issue R): the project tool's own Laravel tables
# (t/import/laravel-schema.sql) in a second database on the stack's own
# MariaDB, read through the MariaDB client over its socket, with a
# password that needs percent-encoding; users mapped by the documented
# rule (users.email); a dry run writes nothing; after the import the
# project tool's routes answer as the original (ids, type, data, read_at,
# created_at, updated_at, counts) and /v1 agrees; corrupt rows (invalid
# JSON, an unknown user, a model that is not a user) are reported with
# their key and skipped; a re-run changes nothing.
use v5.36;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/../api/auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use Herald::Proc;
use AuthTest;

binmode(Test::More->builder->$_, ':encoding(UTF-8)')
    for qw(output failure_output todo_output);

my $s = Herald::Stack->start(config => { auth => 'token' });
my $bin = Herald::Stack::herald_bin();
my $dir = $s->dir;

# --- the original's store: a second database, its own user ------------------
my $PW = 'p@ss:w/rd%';
$s->sql("CREATE DATABASE projects CHARACTER SET utf8mb4; CREATE USER "
    . "tool\@localhost IDENTIFIED BY " . $s->quote($PW) . "; GRANT SELECT "
    . "ON projects.* TO tool\@localhost;", db => '');
$s->sql(Herald::Stack::slurp_file("$FindBin::Bin/laravel-schema.sql"),
    db => 'projects');

sub lid ($n) { sprintf '9a1b2c3d-0000-4000-8000-%012d', $n }
my $USER = 'App\\Models\\User';
my $TP = 'App\\Containers\\Tasks\\Notifications\\TaskPastDeadlineNotification';
my $TE = 'App\\Containers\\Tasks\\Notifications\\TaskEstimateExceededNotification';
my $GD = 'App\\Containers\\GoodDay\\Notifications\\GdWebhookServiceUnavailable';
my %DATA = (
	1 => qq({"id":"${\ lid(1)}","type":"notification.task_past_deadline","task_id":1,"task_name":"Kódování"}),
	2 => qq({"id":"${\ lid(2)}","type":"notification.task_estimate_exceeded_100_percent","title":"Estimate exceeded","body":"Rozšíření bleskovek [BE] is over its estimate","task_id":7}),
	3 => qq({"type":"notifications.gd_webhook_service_unavailable","hours_without_webhook":5,"last_webhook_time":"2025-01-27T10:20:10.000000Z"}),
	4 => q({"id": "truncated),
	5 => q({"type":"notification.task_past_deadline"}),
	6 => q({"type":"notification.team"}),
);
# id, type, notifiable_type, notifiable_id, read_at, created_at, updated_at
my @ROWS = (
	[1, $TP, $USER, 1, undef, '2022-04-28 11:25:12', '2022-04-28 11:25:12'],
	[2, $TE, $USER, 1, '2023-03-06 15:36:47', '2023-03-01 08:00:00',
	    '2023-03-06 15:36:47'],
	[3, $GD, $USER, 2, undef, '2025-01-27 11:20:10', '2025-01-27 11:20:10'],
	[4, $TP, $USER, 2, undef, '2025-01-28 00:00:00', '2025-01-28 00:00:00'],
	[5, $TP, $USER, 99, undef, '2025-01-29 00:00:00', '2025-01-29 00:00:00'],
	[6, $TP, 'App\\Models\\Team', 1, undef, '2025-01-30 00:00:00',
	    '2025-01-30 00:00:00'],
);
my $q = sub { $s->quote($_[0]) };
my $load = "SET time_zone = '+00:00'; INSERT INTO users (id, name, email, "
    . "password, created_at, updated_at) VALUES (1, 'Alice', "
    . "'alice\@example.org', 'x', NOW(), NOW()), (2, 'Bob', "
    . "'bob\@example.org', 'x', NOW(), NOW()), (3, 'Carol', "
    . "'carol\@example.org', 'x', NOW(), NOW());";
for my $r (@ROWS) {
	$load .= sprintf " INSERT INTO notifications VALUES (%s, %s, %s, %d, "
	    . "%s, %s, %s, %s);", $q->(lid($r->[0])), $q->($r->[1]),
	    $q->($r->[2]), $r->[3], $q->($DATA{$r->[0]}), $q->($r->[4]),
	    $q->($r->[5]), $q->($r->[6]);
}
$s->sql($load, db => 'projects');

my $URL = 'mysql://tool:' . Herald::Stack->uri_escape($PW) . '@localhost/'
    . 'projects?socket=' . Herald::Stack->uri_escape($s->db_socket);

sub import_run ($name, @args) {
	my $log = "$dir/import-$name.log";
	my $st = Herald::Proc::run($log, 600, $bin, '-c', $s->config_file,
	    'import', 'laravel', @args);
	return ($st >> 8, Herald::Proc::slurp($log));
}
sub report_row ($out, $tbl) {
	return $out =~ /^\s+\Q$tbl\E\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m
	    ? [$1, $2, $3, $4, $5] : undef;
}
sub fingerprint {
	return join "\n", map { join ' ', map { $_ // 'NULL' } @$_ } $s->sql(
	    'CHECKSUM TABLE users, notifications, note_counts');
}

# --- a bad URL, and a dry run that writes nothing ---------------------------
my ($rc, $out) = import_run('badurl', '--from', 'mysql://nowhere');
is $rc, 1, 'a URL without a database: exit 1';
like $out, qr{not mysql://USER:PASSWORD\@HOST}, 'a URL without a database: why';
($rc, $out) = import_run('dry', '--from', $URL, '--dry-run');
is $rc, 3, 'dry run: exit 3' or diag $out;
is_deeply report_row($out, 'notifications'), [6, 3, 0, 0, 3],
    'dry run: 6 read, 3 would be imported, 3 skipped' or diag $out;
is $s->sql_value('SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) '
    . 'FROM notifications) + (SELECT COUNT(*) FROM import_rows)'), 0,
    'dry run: nothing written';

($rc, $out) = import_run('since', '--from', $URL, '--dry-run', '--since',
    '2025-01-01T00:00:00.000Z');
is_deeply report_row($out, 'notifications'), [4, 1, 0, 0, 3],
    '--since: only the rows created since' or diag $out;

# --- the import -------------------------------------------------------------
($rc, $out) = import_run('first', '--from', $URL, '--batch', 2);
is $rc, 3, 'import: exit 3 (rows skipped)' or diag $out;
like $out, qr/skipped notifications \Q${\ lid(4)}\E: the data is not valid JSON/,
    'invalid JSON: reported with its key';
like $out, qr/skipped notifications \Q${\ lid(5)}\E: unknown user \(notifiable_id 99\)/,
    'an unknown user: reported with its key';
like $out, qr/skipped notifications \Q${\ lid(6)}\E: not a user's notification/,
    'a notification of another model: reported with its key';
is_deeply report_row($out, 'notifications'), [6, 3, 0, 0, 3],
    'report: 6 read, 3 imported, 3 skipped' or diag $out;
like $out, qr/verify: 2 users compared \(total, unseen\): 1 differ/,
    'verify: bob differs by his corrupt row, no one else';

my %H = map { $_ => bearer(make_token($s, "$_\@example.org", 'user')) }
    qw(alice bob);

# --- the project tool's routes answer as the original -------------------------
my $r = $s->get('/api/notifications', $H{alice});
is $r->{status}, 200, 'alice: /api/notifications' or diag $r->{content};
is_deeply [sort map { $_->{id} } @{ $r->{json}{items} // [] }],
    [lid(1), lid(2)], 'alice: her two, the same ids';
my $json = JSON::PP->new;
for my $n (1, 2) {
	$r = $s->get('/api/notifications/' . lid($n), $H{alice});
	is $r->{status}, 200, "GET " . lid($n) or diag $r->{content};
	my $j = $r->{json} // {};
	my $row = $ROWS[$n - 1];
	is $j->{type}, $row->[1], "$n: type, the notification's class";
	is_deeply $j->{data}, $json->decode($DATA{$n}), "$n: data as stored";
	(my $c = $row->[5]) =~ s/ /T/;
	is $j->{created_at}, "$c+0000", "$n: created_at";
	(my $u = $row->[6]) =~ s/ /T/;
	is $j->{updated_at}, "$u+0000", "$n: updated_at";
	if (defined $row->[4]) {
		(my $ra = $row->[4]) =~ s/ /T/;
		is $j->{read_at}, "$ra.000000Z", "$n: read_at, Laravel's cast";
	} else {
		is $j->{read_at}, undef, "$n: unread";
	}
}
$r = $s->get('/api/latest-notifications?limit=1', $H{alice});
is_deeply [map { $_->{id} } @{ $r->{json}{items} // [] }], [lid(2)],
    'latest-notifications: the newest';
$r = $s->get('/api/notifications', $H{bob});
is_deeply [map { $_->{id} } @{ $r->{json}{items} // [] }], [lid(3)], 'bob: his';
is $s->get('/api/notifications/' . lid(1), $H{bob})->{status}, 404,
    "bob: alice's is not his";

# /v1 agrees.
for ([alice => 2, 1], [bob => 1, 1]) {
	my ($u, $t, $n) = @$_;
	$r = $s->get("/v1/users/$u\@example.org/notifications/count", $H{$u});
	is_deeply $r->{json}, { total => $t, unread => $n }, "/v1 count for $u"
	    or diag $r->{content};
}
$r = $s->get('/v1/notifications/' . lid(2), $H{alice});
is $r->{json}{title}, 'Estimate exceeded', '/v1: the title is data.title';

# --- a re-run changes nothing ----------------------------------------------
my $before = fingerprint();
($rc, $out) = import_run('again', '--from', $URL);
is_deeply report_row($out, 'notifications'), [6, 0, 0, 3, 3],
    're-run: 3 unchanged, 3 skipped again' or diag $out;
is fingerprint(), $before, 're-run: every table as it was';

# Read in the original since: the change arrives.
$s->sql("UPDATE notifications SET read_at = '2025-02-01 00:00:00' WHERE "
    . "id = " . $q->(lid(1)), db => 'projects');
($rc, $out) = import_run('changed', '--from', $URL);
is_deeply report_row($out, 'notifications'), [6, 0, 1, 2, 3],
    'changed source row: 1 changed' or diag $out;
is $s->get('/api/notifications/' . lid(1), $H{alice})->{json}{read_at},
    '2025-02-01T00:00:00.000000Z', 'the read arrived';

done_testing;
