#!/usr/bin/perl
# herald purge (issue M, retention): only what is due goes (read older
# than retention_read_days, deleted older than retention_deleted_days,
# sent/failed deliveries older than retention_deliveries_days, per tenant
# with retention_tenant_overrides), note_counts stay equal to COUNT(*),
# no batch exceeds purge_batch, a dry run writes nothing, and the
# dispatcher purges every purge_interval seconds.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use Herald::Stack;

my $BATCH = 7;
my $s = Herald::Stack->start(config => {
	log_level => 'debug',
	retention_read_days => 10,
	retention_deleted_days => 20,
	retention_deliveries_days => 5,
	retention_tenant_overrides => 'acme:read=0,deleted=1',
	purge_batch => $BATCH,
	purge_pause_ms => 0,
	purge_interval => 1,
	email_enabled => 'no',
});
my $bin = Herald::Stack::herald_bin();
my $conf = $s->config_file;
my $DAY = 86400 * 1000;
my $now = int(time * 1000);

sub user_hex ($name, $tenant) {
	my $out = `$bin -c $conf user add $name --tenant $tenant 2>&1`;
	is $?, 0, "user $tenant/$name" or diag $out;
	return $s->sql_value("SELECT HEX(id) FROM users WHERE tenant = "
	    . $s->quote($tenant) . " AND username = " . $s->quote($name));
}

# $n notifications labelled $label (their subject), last changed $age ms ago.
sub notes ($uhex, $tenant, $label, $n, $age, %o) {
	my $t = $now - $age;
	my ($seen, $del) = ($o{seen} // 0, $o{deleted} // 0);
	$s->sql("INSERT INTO notifications (id, tenant, user_id, type, subject,"
	    . " body, payload, created, updated, seen, seen_at, deleted,"
	    . " deleted_at) SELECT UNHEX(REPLACE(UUID(), '-', '')), "
	    . $s->quote($tenant) . ", UNHEX('$uhex'), 'data', '$label', '',"
	    . " '{}', $t, $t, $seen, IF($seen, $t, NULL), $del,"
	    . " IF($del, $t, NULL) FROM seq_1_to_$n");
}

# A delivery in $state, finished $age ms ago, for each notification $label.
sub deliveries ($label, $state, $age) {
	my $t = $now - $age;
	$s->sql("INSERT INTO deliveries (id, notification_id, method, state,"
	    . " next_attempt, created, updated) SELECT"
	    . " UNHEX(REPLACE(UUID(), '-', '')), id, 'smtp', '$state', $t, $t,"
	    . " $t FROM notifications WHERE subject = '$label'");
}

sub labels () {
	return { map { $_->[0] => $_->[1] } $s->sql("SELECT subject, COUNT(*)"
	    . " FROM notifications GROUP BY subject") };
}

sub delivery_labels () {
	return { map { ("$_->[0]/$_->[1]" => $_->[2]) } $s->sql("SELECT"
	    . " n.subject, d.state, COUNT(*) FROM deliveries d JOIN"
	    . " notifications n ON n.id = d.notification_id"
	    . " GROUP BY n.subject, d.state") };
}

# note_counts against the rows themselves, user by user.
sub counters_right ($name) {
	my @bad = $s->sql("SELECT HEX(u.id), c.total, c.unseen, "
	    . "(SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id "
	    . "AND n.deleted = 0) t, (SELECT COUNT(*) FROM notifications n "
	    . "WHERE n.user_id = u.id AND n.deleted = 0 AND n.seen = 0) x "
	    . "FROM users u JOIN note_counts c ON c.user_id = u.id "
	    . "HAVING c.total <> t OR c.unseen <> x");
	is scalar(@bad), 0, "$name: note_counts equal COUNT(*)"
	    or diag explain \@bad;
}

sub purge (@args) {
	my $out = `$bin -c $conf purge @args 2>&1`;
	my $st = $?;
	my ($sum) = $out =~ /^((?:purged|due) .*)$/m;
	my %t = ($sum // '') =~ /(\w+)=(\d+)/g;
	return ($st, \%t, $out);
}

my $alice = user_hex('alice', 'default');
my $bob = user_hex('bob', 'acme');

notes($alice, 'default', 'A', 30, 11 * $DAY, seen => 1);	# due
notes($alice, 'default', 'B', 5, 9 * $DAY, seen => 1);	# read, too young
notes($alice, 'default', 'C1', 8, 100 * $DAY);		# unread: never
notes($alice, 'default', 'C2', 3, 100 * $DAY);
notes($alice, 'default', 'C3', 2, 100 * $DAY);
notes($alice, 'default', 'C4', 2, 100 * $DAY);
notes($alice, 'default', 'D', 12, 21 * $DAY, deleted => 1);	# due
notes($alice, 'default', 'E', 4, 19 * $DAY, deleted => 1);	# too young
notes($alice, 'default', 'F', 3, 11 * $DAY, seen => 1);	# pending delivery
notes($alice, 'default', 'G', 2, 11 * $DAY, seen => 1);	# due, with its delivery
notes($bob, 'acme', 'H', 6, 11 * $DAY, seen => 1);		# acme keeps read
notes($bob, 'acme', 'I', 5, 2 * $DAY, deleted => 1);		# acme: 1 day
notes($bob, 'acme', 'J', 3, $DAY / 2, deleted => 1);
deliveries('C1', 'sent', 6 * $DAY);		# due
deliveries('C2', 'failed', 6 * $DAY);	# due
deliveries('C3', 'sent', 4 * $DAY);		# too young
deliveries('C4', 'pending', 100 * $DAY);	# never
deliveries('F', 'pending', 100 * $DAY);
deliveries('G', 'sent', 1 * $DAY);		# goes with its notification
counters_right('before');

my $sum_sql = "SELECT (SELECT COUNT(*) FROM notifications), "
    . "(SELECT COUNT(*) FROM deliveries), (SELECT SUM(total) FROM note_counts),"
    . " (SELECT SUM(unseen) FROM note_counts), (SELECT COUNT(*) FROM note_counts)";
my ($before) = $s->sql($sum_sql);
my ($cs_before) = $s->sql("CHECKSUM TABLE notifications, deliveries, note_counts");
my @cs_before = $s->sql("CHECKSUM TABLE notifications, deliveries, note_counts");

# --- dry run: the counts, nothing written
my ($st, $t, $out) = purge('--dry-run');
is $st, 0, 'purge --dry-run exits 0' or diag $out;
is_deeply [@$t{qw(read deleted deliveries)}], [32, 17, 11],
    'dry run: read 32 (A, G; not F), deleted 17 (D, acme I), deliveries 11'
    or diag $out;
is $t->{batches}, 11, "dry run: 11 batches of at most $BATCH" or diag $out;
is $t->{largest_batch}, $BATCH, "dry run: the largest batch is $BATCH";
my ($after) = $s->sql($sum_sql);
is_deeply $after, $before, 'dry run: no row count changed';
is_deeply [$s->sql("CHECKSUM TABLE notifications, deliveries, note_counts")],
    \@cs_before, 'dry run: the tables are byte for byte the same';

# --- one tenant
($st, $t, $out) = purge('--tenant', 'acme');
is $st, 0, 'purge --tenant acme exits 0' or diag $out;
is_deeply [@$t{qw(read deleted deliveries)}], [0, 5, 0],
    'acme: its 5 deleted older than its 1 day; read kept (read=0)'
    or diag $out;
my $l = labels();
is_deeply [@$l{qw(A D H I J)}], [30, 12, 6, undef, 3],
    'only acme\'s due rows went' or diag explain $l;
counters_right('after --tenant acme');

# --- everything
($st, $t, $out) = purge();
is $st, 0, 'purge exits 0' or diag $out;
is_deeply [@$t{qw(read deleted deliveries)}], [32, 12, 11],
    'purge: read 32, deleted 12, deliveries 11' or diag $out;
my @sizes = $out =~ /batch of (\d+) row/g;
is scalar(@sizes), 10, 'ten batches logged' or diag $out;
is((grep { $_ > $BATCH } @sizes), 0, "no batch over purge_batch ($BATCH)");
is((grep { $_ == $BATCH } @sizes), 6, "full batches of $BATCH: 1 sent,"
    . ' 1 deleted, 4 read') or diag "@sizes";

$l = labels();
is_deeply $l, { B => 5, C1 => 8, C2 => 3, C3 => 2, C4 => 2, E => 4, F => 3,
    H => 6, J => 3 }, 'what remains is exactly what was not due'
    or diag explain $l;
my $d = delivery_labels();
is_deeply $d, { 'C3/sent' => 2, 'C4/pending' => 2, 'F/pending' => 3 },
    'deliveries: the young, the pending; G\'s went with it'
    or diag explain $d;
is $s->sql_value("SELECT COUNT(*) FROM note_targets t LEFT JOIN "
    . "notifications n ON n.id = t.notification_id WHERE n.id IS NULL"), 0,
    'no orphan note_targets';
counters_right('after purge');

# The API agrees with the counters.
my $r = $s->get('/count-messages?user=alice');
is $r->{status}, 200, 'GET /count-messages';
my $c = $r->{json} // {};
is $c->{'user-total'}, 5 + 15 + 3,
    'alice: 23 notifications left (B, C*, F)' or diag $r->{content};

($st, $t, $out) = purge();
is_deeply [@$t{qw(read deleted deliveries batches)}], [0, 0, 0, 0],
    'a second purge finds nothing' or diag $out;

# --- a bad overrides text is refused at load
my $bad = $s->dir . '/bad.conf';
open(my $fh, '<', $conf) or die;
my $text = do { local $/; <$fh> };
close $fh;
$text =~ s/^retention_tenant_overrides.*$/retention_tenant_overrides = acme:reed=3/m;
Herald::Stack::write_file($bad, $text);
$out = `$bin -c $bad purge --dry-run 2>&1`;
isnt $?, 0, 'a malformed retention_tenant_overrides: refused';
like $out, qr/retention_tenant_overrides/, '... naming the key';

# --- the dispatcher purges on its schedule (purge_interval = 1)
notes($alice, 'default', 'K', 9, 11 * $DAY, seen => 1);
counters_right('K added');
$s->start_dispatcher;
my $deadline = time + 30;
sleep 0.2 while time < $deadline
    && $s->sql_value("SELECT COUNT(*) FROM notifications WHERE subject = 'K'");
is $s->sql_value("SELECT COUNT(*) FROM notifications WHERE subject = 'K'"),
    0, 'the dispatcher purged the due rows on its schedule';
counters_right('after the dispatcher\'s purge');
# At least the nine: the dispatcher may first fail (and so free) the
# pending deliveries left above, whose notifications are then due too.
my ($logged) = Herald::Stack::slurp_file($s->dir . '/dispatch.log') =~
    /purge: tenant default, read older than 10 day\(s\): (\d+) deleted/;
ok defined $logged && $logged >= 9, 'and logged it ('
    . ($logged // 'nothing') . ' deleted)';

done_testing;
