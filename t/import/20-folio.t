#!/usr/bin/perl
# "herald import folio" (issue R): a private PostgreSQL with mod-notify's
# own store for tenant diku (t/import/folio-schema.sql, as RMB builds it)
# holding records in every state; a dry run writes nothing; the import
# keeps ids, recipients, text, link, sender, event, language, context,
# seen state and metadata, so that /notify answers with the same records
# and /v1 agrees; corrupt records are reported with their key and
# skipped; a re-run changes nothing; kill -9 and a resume give what one
# clean run gives.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/../api/auth";
use Test::More;
use JSON::PP;
use Time::HiRes qw(time sleep);
use POSIX qw(WNOHANG);
use Herald::Stack;
use Herald::Pg;
use Herald::Proc;
use AuthTest;

$ENV{PGTZ} = 'UTC';
my $s = Herald::Stack->start(config => { auth => 'token' });
my $pg = Herald::Pg->start(others => [$s]);
my $bin = Herald::Stack::herald_bin();
my $dir = $s->dir;
my $TOK = make_token($s, 'svc', 'service', '--tenant', 'diku');
my %OKAPI = ('X-Okapi-Tenant' => 'diku', 'X-Okapi-Token' => $TOK);
my $V1 = bearer($TOK);

$pg->createdb('okapi');
$pg->psql('okapi', "$FindBin::Bin/folio-schema.sql", file => 1);

my ($A, $B) = ('a1111111-1111-4111-8111-111111111111',
    'b2222222-2222-4222-8222-222222222222');
my ($C, $D) = ('c3333333-3333-4333-8333-333333333333',
    'd4444444-4444-4444-8444-444444444444');
sub nid ($n) { sprintf 'f0000000-0000-4000-8000-%012d', $n }
sub lit ($v) { "'" . ($v =~ s/'/''/gr) . "'" }
my $J = JSON::PP->new->canonical;
sub md ($cd, $cb) { { createdDate => $cd, createdByUserId => $cb,
    updatedDate => $cd, updatedByUserId => $cb } }

my @REC = (
	{ id => nid(1), recipientId => $A, senderId => $C,
	  text => 'First notification', link => 'users/1234',
	  seen => JSON::PP::false,
	  metadata => md('2024-05-01T10:11:12.345+00:00', $C) },
	{ id => nid(2), recipientId => $A, text => 'Notification on a thing',
	  eventConfigName => 'RESET_PASSWORD_EVENT', lang => 'en',
	  context => { user => { name => 'x' }, n => 3 },
	  seen => JSON::PP::false,
	  metadata => md('2024-05-02T08:00:00.000+00:00', $C) },
	{ id => nid(3), recipientId => $B, text => '', link => 'things/34567',
	  seen => JSON::PP::true,
	  metadata => md('2024-05-03T09:30:00.500Z', $D) },
);
my $load = "BEGIN;\n";
$load .= "INSERT INTO diku_mod_notify.notify_data (id, jsonb) VALUES ('"
    . $_->{id} . "', " . lit($J->encode($_)) . ");\n" for @REC;
# Read later through PUT: RMB's update trigger rewrites the metadata.
$load .= "UPDATE diku_mod_notify.notify_data SET jsonb = jsonb || "
    . "jsonb_build_object('seen', true, 'metadata', jsonb->'metadata' || "
    . "'{\"updatedDate\": \"2024-06-01T12:00:00.250+00:00\", "
    . "\"updatedByUserId\": \"$D\"}') WHERE id = '" . nid(2) . "';\n";
# A damaged store: triggers off for what mod-notify would not write.
$load .= "SET session_replication_role = replica;\n";
$load .= "INSERT INTO diku_mod_notify.notify_data (id, jsonb) VALUES ('"
    . nid(4) . "', '[\"not\", \"a\", \"record\"]');\n";
$load .= "SET session_replication_role = DEFAULT;\n";
$load .= "INSERT INTO diku_mod_notify.notify_data (id, jsonb) VALUES ('"
    . nid(5) . "', " . lit($J->encode({ id => nid(5), recipientId => 'nobody',
    text => 'to no one', seen => JSON::PP::false,
    metadata => md('2024-05-04T00:00:00.000+00:00', $C) })) . ");\n";
$load .= "COMMIT;\n";
$pg->psql('okapi', $load);

sub import_run ($name, @args) {
	my $log = "$dir/import-$name.log";
	my $st = Herald::Proc::run($log, 600, $bin, '-c', $s->config_file,
	    'import', 'folio', @args);
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
# A FOLIO date as ms, whichever way it is written.
sub ms ($d) {
	my ($y, $mo, $dd, $h, $mi, $sec, $frac, $z) = $d =~
	    /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{3}))?(.*)$/
	    or return undef;
	$z =~ /^(Z|[+-]00(?::?00)?)$/ or return undef;
	require Time::Local;
	return Time::Local::timegm($sec, $mi, $h, $dd, $mo - 1, $y) * 1000
	    + ($frac // 0);
}

my $URL = $pg->url('okapi');

# --- usage ----------------------------------------------------------------
my ($rc, $out) = import_run('usage', '--from', $URL);
is $rc, 2, 'folio without --tenant: usage (exit 2)';

# --- a dry run writes nothing ---------------------------------------------
($rc, $out) = import_run('dry', '--from', $URL, '--tenant', 'diku',
    '--dry-run');
is $rc, 3, 'dry run: exit 3 (rows would be skipped)' or diag $out;
is_deeply report_row($out, 'notify_data'), [5, 3, 0, 0, 2],
    'dry run: 5 read, 3 would be imported, 2 skipped' or diag $out;
is $s->sql_value("SELECT (SELECT COUNT(*) FROM users WHERE tenant = 'diku' "
    . "AND username <> 'svc') "
    . "+ (SELECT COUNT(*) FROM notifications) + (SELECT COUNT(*) FROM "
    . "import_rows) + (SELECT COUNT(*) FROM import_checkpoints)"), 0,
    'dry run: nothing written';

# --- the import -------------------------------------------------------------
($rc, $out) = import_run('first', '--from', $URL, '--tenant', 'diku',
    '--batch', 2);
is $rc, 3, 'import: exit 3 (rows skipped)' or diag $out;
like $out, qr/skipped notify_data \Q${\ nid(4)}\E: the record is not a JSON object/,
    'the corrupt record is reported with its key';
like $out, qr/skipped notify_data \Q${\ nid(5)}\E: unknown user.*recipientId nobody/,
    'the record for no user is reported with its key';
is_deeply report_row($out, 'notify_data'), [5, 3, 0, 0, 2],
    'report: 5 read, 3 imported, 2 skipped' or diag $out;
like $out, qr/verify: 2 users compared \(total, unseen\): 0 differ/,
    'verify: both recipients agree';

# --- /notify answers with the same records -----------------------------------
my %src = map { $_->[0] => $J->decode($_->[1]) } map { [split /\|/, $_, 2] }
    grep { length } split /\n/, $pg->psql('okapi', "SELECT id, jsonb::text "
    . "FROM diku_mod_notify.notify_data WHERE id <= '" . nid(3) . "'");
is scalar keys %src, 3, 'the three good source records, as stored';
for my $id (map { nid($_) } 1 .. 3) {
	my $r = $s->get("/notify/$id", \%OKAPI);
	is $r->{status}, 200, "GET /notify/$id: 200" or diag $r->{content};
	my $got = $r->{json} // {};
	my $want = $src{$id} // {};
	my (%g, %w);
	%g = %$got; %w = %$want;
	my ($gm, $wm) = (delete $g{metadata} // {}, delete $w{metadata} // {});
	is_deeply \%g, \%w, "$id: every field as the source has it"
	    or diag explain [\%g, \%w];
	is $gm->{$_}, $wm->{$_}, "$id: metadata.$_" for
	    qw(createdByUserId updatedByUserId);
	is ms($gm->{$_} // ''), ms($wm->{$_} // ''), "$id: metadata.$_ "
	    . "($wm->{$_})" for qw(createdDate updatedDate);
	like $gm->{createdDate} // '', qr/\+00:00$/, "$id: Jackson's dates";
}
my $r = $s->get('/notify?query=' . Herald::Stack->uri_escape("recipientId==$A"),
    \%OKAPI);
like $r->{content}, qr/"totalRecords" : 2/, "A's two records";
$r = $s->get('/notify?limit=0&query=' . Herald::Stack->uri_escape(
    "recipientId==$A and seen=false"), \%OKAPI);
like $r->{content}, qr/"totalRecords" : 1/, 'A: one unseen';
$r = $s->get('/notify?query=' . Herald::Stack->uri_escape(
    'eventConfigName==RESET_PASSWORD_EVENT'), \%OKAPI);
like $r->{content}, qr/"totalRecords" : 1/, 'CQL over an imported field';

# /v1 agrees (the token's tenant).
for ([$A, 2, 1], [$B, 1, 0]) {
	my ($u, $t, $n) = @$_;
	$r = $s->get("/v1/users/$u/notifications/count", $V1);
	is_deeply $r->{json}, { total => $t, unread => $n }, "/v1 count for $u"
	    or diag $r->{content};
}
$r = $s->get('/v1/notifications/' . nid(1), $V1);
is $r->{json}{body}, 'First notification', '/v1: body is text';
is $r->{json}{recipient}{id}, $A, '/v1: recipient is recipientId';

# --- a re-run changes nothing ----------------------------------------------
my $before = fingerprint();
($rc, $out) = import_run('again', '--from', $URL, '--tenant', 'diku');
is_deeply report_row($out, 'notify_data'), [5, 0, 0, 3, 2],
    're-run: 3 unchanged, 2 skipped again' or diag $out;
is fingerprint(), $before, 're-run: every table as it was';

# --- kill -9 mid-import, resume: as one clean run ----------------------------
$pg->psql('okapi', <<"SQL");
CREATE SCHEMA big_mod_notify;
CREATE TABLE big_mod_notify.notify_data (id UUID PRIMARY KEY,
    jsonb JSONB NOT NULL, creation_date timestamp, created_by text);
INSERT INTO big_mod_notify.notify_data (id, jsonb)
SELECT md5('f' || i)::uuid, jsonb_build_object('id', md5('f' || i)::uuid,
    'recipientId', md5('u' || (i % 20))::uuid, 'text', 'n' || i,
    'seen', i % 3 = 0, 'metadata', jsonb_build_object('createdDate',
    to_char(timestamp '2020-01-01' + i * interval '1 second',
    'YYYY-MM-DD"T"HH24:MI:SS.MS') || '+00:00', 'createdByUserId', '$C'))
FROM generate_series(1, 20000) i;
SQL
my $klog = "$dir/import-killed.log";
my $pid = Herald::Proc::blocking_signals(sub {
	Herald::Proc::spawn($klog, $bin, '-c', $s->config_file, 'import',
	    'folio', '--from', $URL, '--tenant', 'big', '--batch', 100) });
my ($mid, $deadline) = (0, time + 300);
while (time < $deadline) {
	last if waitpid($pid, WNOHANG) != 0;
	my $n = $s->sql_value("SELECT COUNT(*) FROM import_rows WHERE "
	    . "tenant = 'big'");
	if ($n >= 1000) {
		kill 'KILL', $pid;
		waitpid($pid, 0);
		$mid = 1;
		last;
	}
	sleep 0.05;
}
ok $mid, 'killed with SIGKILL in the middle' or diag Herald::Proc::slurp($klog);
my $part = $s->sql_value("SELECT COUNT(*) FROM notifications WHERE tenant = 'big'");
ok $part > 0 && $part < 20000, "a part was imported ($part rows)";
($rc, $out) = import_run('resume', '--from', $URL, '--tenant', 'big',
    '--batch', 500);
is $rc, 0, 'resume: exit 0' or diag $out;
like $out, qr/notify_data\s+\d+\s+\d+\s+0\s+0\s+0\s+\(resumed\)/,
    'resume: resumed, nothing skipped' or diag $out;
like $out, qr/verify: 20 users compared \(total, unseen\): 0 differ/,
    'resume: every recipient\'s counts agree';
is $s->sql_value("SELECT CONCAT(COUNT(*), ' ', SUM(seen), ' ', MIN(created), "
    . "' ', MAX(created)) FROM notifications WHERE tenant = 'big'"),
    $pg->psql('okapi', "SELECT count(*) || ' ' || sum(((jsonb->>'seen')::"
    . "boolean)::int) || ' ' || (extract(epoch from timestamp '2020-01-01' "
    . "+ interval '1 second') * 1000)::bigint || ' ' || (extract(epoch from "
    . "timestamp '2020-01-01' + 20000 * interval '1 second') * 1000)::bigint "
    . "FROM big_mod_notify.notify_data") =~ s/\s+\z//r,
    'resume: the same rows, states and times as the source';
my $ids_h = join '', map { $_->[0] } $s->sql("SELECT LOWER(HEX(id)) FROM "
    . "notifications WHERE tenant = 'big' ORDER BY id");
my $ids_p = $pg->psql('okapi', "SELECT string_agg(replace(id::text, '-', ''), "
    . "'' ORDER BY replace(id::text, '-', '')) FROM big_mod_notify.notify_data");
$ids_p =~ s/\s+\z//;
ok $ids_h eq $ids_p, 'resume: exactly the source ids, none twice';

done_testing;
