#!/usr/bin/perl
# Every list and count statement of every dialect is served by an index
# (issue K, for all six dialects): the statements are the ones Herald
# sends (MariaDB's general log, Execute lines, with their binds, while the
# routes are served through nginx), EXPLAINed on a seeded database.  A
# statement fails on a full scan (type ALL) of notifications, users,
# note_counts, note_targets or api_tokens, and on a filesort or temporary
# table over notifications where the route promises an index order.
#
# Allowed, and said so below: system_notifications read whole (the
# tenant's active announcements, a handful of rows, sorted by a filesort:
# no index order is promised there).  Known defects are TODO tests: they
# report, and say "unexpectedly succeeded" once fixed.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Herald::Stack;

my $s = Herald::Stack->start;
my $T0 = 1_700_000_000_000;
my $sock = $s->db_socket;

# The log from before the first request: a statement prepared while it
# is off is logged with "?" for its binds, one prepared while it is on
# with the values.
my $log = $s->dir . '/explain-general.log';
$s->sql("SET GLOBAL general_log_file = '$log'", db => '');
$s->sql("SET GLOBAL general_log = 1", db => '');

# Data: 40 users of "default" with 400 notifications each (a third
# unseen, three types, a template, targets on some), "heavy" with 4000,
# a FOLIO tenant of 4000 rows over 40 users, 3 system notifications; so
# that an index is the optimizer's choice only if the statement allows it.
my $TPL = '39b1e189-c857-4b0c-877a-511144c18516';	# Coder's Custom
(my $tplhex = $TPL) =~ s/-//g;
$s->sql(<<"EOF");
INSERT INTO users (id, tenant, username, created)
  SELECT UNHEX(MD5(CONCAT('u', seq))), 'default',
    IF(seq = 41, 'heavy', CONCAT('user', seq)), $T0 FROM seq_1_to_41;
INSERT INTO users (id, tenant, username, created)
  SELECT UNHEX(CONCAT('00000000000040008000', LPAD(HEX(seq), 12, '0'))),
    'folio', CONCAT('00000000-0000-4000-8000-', LPAD(LOWER(HEX(seq)), 12,
    '0')), $T0 FROM seq_1_to_40;
INSERT INTO api_tokens (id, tenant, username, role, created, hash)
  SELECT UNHEX(MD5(CONCAT('t', seq))), 'default',
    IF(seq = 41, 'heavy', IF(seq = 42, 'svc', CONCAT('user', seq))),
    IF(seq = 42, 'service', 'user'), $T0,
    UNHEX(SHA2(CONCAT('hrld_', LPAD(LOWER(HEX(seq)), 64, '0')), 256))
  FROM seq_1_to_42;
INSERT INTO notifications (id, tenant, user_id, type, subject, body, payload,
    created, updated, seen, seen_at, template_id)
  SELECT UNHEX(MD5(CONCAT('n', seq))), 'default',
    UNHEX(MD5(CONCAT('u', IF(seq > 16000, 41, 1 + seq % 40)))),
    ELT(1 + seq % 3, 'data', 'analysis', 'tool_request'),
    CONCAT('subject ', seq % 100), CONCAT('Notification ', seq), '{}',
    $T0 + seq * 1000, $T0 + seq * 1000, seq % 3 <> 0,
    IF(seq % 3 <> 0, $T0 + seq * 1000, NULL),
    IF(seq % 5 = 0, UNHEX('$tplhex'), NULL)
  FROM seq_1_to_20000;
INSERT INTO note_targets (notification_id, user_id, target)
  SELECT id, user_id, UNHEX('0000000000004000800000000000beef')
  FROM notifications WHERE tenant = 'default' AND created % 7000 = 0;
INSERT INTO notifications (id, tenant, user_id, type, subject, body, payload,
    created, updated, seen)
  SELECT UNHEX(MD5(CONCAT('f', seq))), 'folio',
    UNHEX(CONCAT('00000000000040008000', LPAD(HEX(1 + seq % 40), 12, '0'))),
    '', '', CONCAT('Notice ', seq, IF(seq % 100 = 0, ' overdue', '')), '{}',
    $T0 + seq * 1000, $T0 + seq * 1000, seq % 3 <> 0
  FROM seq_1_to_4000;
INSERT INTO system_notifications (id, tenant, type, message, activation,
    deactivation, dismissible, logins_disabled, created)
  SELECT UNHEX(MD5(CONCAT('s', seq))), 'default',
    ELT(seq, 'announcement', 'maintenance', 'warning'),
    CONCAT('System ', seq), $T0, $T0 + 10 * 365 * 86400000, 1, 0, $T0
  FROM seq_1_to_3;
ANALYZE TABLE notifications, users, note_targets, note_counts, api_tokens;
EOF

sub tok ($n) { sprintf('hrld_%064x', $n) }
my %bearer = (Authorization => 'Bearer ' . tok(1));	# user1
my %svc = (Authorization => 'Bearer ' . tok(42));
my %coder = ('Coder-Session-Token' => tok(41));		# heavy
my %folio = ('X-Okapi-Tenant' => 'folio',
    'X-Okapi-User-Id' => '00000000-0000-4000-8000-000000000001');
my $TGT = '00000000-0000-4000-8000-00000000beef';

# [dialect, route, headers, TODO reason or undef, index-only]: an
# index-only route reads no row of notifications, its index alone.
my @ROUTES = (
	(map { ['agent', $_, {}] } '/messages?user=user1&limit=20',
	    '/messages?user=heavy&limit=20',
	    '/messages?user=user1&limit=20&seen=false',
	    '/messages?user=user1&limit=20&seen=true',
	    '/messages?user=user1&limit=20&filter=data',
	    '/messages?user=user1&limit=20&filter=data&seen=false',
	    '/messages?user=user1&limit=20&sortfield=subject',
	    '/messages?user=user1&limit=20&sortfield=uuid&sortdir=asc',
	    '/messages?user=user1&limit=20&sortfield=timestamp&sortdir=asc',
	    '/unseen-messages?user=heavy', '/count-messages?user=user1'),
	(map { ['v1', $_, \%svc] } '/v1/users/user1/notifications?limit=20',
	    '/v1/users/heavy/notifications?limit=20&read=false',
	    '/v1/users/user1/notifications?limit=20&type=data',
	    "/v1/users/user1/notifications?limit=20&template=$TPL",
	    "/v1/users/user1/notifications?limit=20&target=$TGT",
	    '/v1/users/user1/notifications/count'),
	# The unread-count idiom checks the tenant on the user, so the count
	# reads notes_seen alone.
	(map { ['folio', $_, \%folio, undef, 1] }
	    '/notify/user/_self?query=seen=false&limit=0',
	    '/notify/user/_self?limit=0'),
	(map { ['folio', $_, \%folio] } '/notify/user/_self',
	    '/notify?query=seen=false'),
	(map { ['folio', $_, \%folio] } '/notify', '/notify?query=text=overdue',
	    '/notify?limit=1', '/notify?limit=1&offset=1'),
	(map { ['coder', $_, \%coder] } '/api/v2/notifications/inbox',
	    '/api/v2/notifications/inbox?read_status=unread',
	    '/api/v2/notifications/inbox?read_status=read',
	    "/api/v2/notifications/inbox?templates=$TPL",
	    "/api/v2/notifications/inbox?targets=$TGT"),
	(map { ['projects', $_, \%bearer] } '/api/notifications',
	    (map { ("/api/notifications?sort=$_", "/api/notifications?sort=-$_") }
	    qw(id type read_at created_at updated_at)),
	    '/api/notifications?filter[read_at]=null',
	    '/api/notifications?filter[read_at]=notnull',
	    '/api/notifications?filter[type]=data',
	    '/api/notifications?filter[created_at][gte]=2023-11-14T22:20:00Z',
	    '/api/notifications?page=3&limit=50',
	    '/api/latest-notifications', '/api/latest-notifications?limit=1000'),
	(map { ['etester', $_, \%svc] } '/api/user/user1/notifications',
	    '/api/user/heavy/notifications?$top=500&$skip=100',
	    '/api/user/user1/notifications?$top=0'),
);

# The Execute lines of the log since "from" (byte offset): "Id Command\tArg",
# an argument running on over lines until the next entry.
sub executes ($from) {
	open(my $fh, '<:raw', $log) or return ();
	seek($fh, $from, 0);
	local $/;
	my $text = <$fh> // '';
	my (@ex, $cur);
	for my $l (split(/\n/, $text)) {
		if ($l =~ /^(?:\d{6}\s+[\d:]+)?\s+\d+\s+([A-Z][a-z]+(?: [a-z]+)?)\t?(.*)$/) {
			push @ex, $cur if defined $cur;
			$cur = $1 eq 'Execute' ? $2 : undef;
		} elsif (defined $cur) {
			$cur .= "\n$l";
		}
	}
	push @ex, $cur if defined $cur;
	return @ex;
}

# EXPLAIN of a statement as logged (binary binds raw: through stdin).
sub explain_plan ($stmt) {
	my $in = $s->dir . '/explain-in.sql';
	open(my $fh, '>:raw', $in) or die "$in: $!";
	print $fh "EXPLAIN $stmt;\n";
	close($fh);
	my $out = `mariadb --no-defaults --binary-mode -S '$sock' -u root -B herald < '$in' 2>&1`;
	return ($? == 0, $out);
}

# What is wrong with the plan: [] when it is right.
sub verdict ($plan) {
	my @l = split(/\n/, $plan);
	my @h = split(/\t/, shift(@l) // '');
	my (@bad, @keys, @rows);
	for my $l (@l) {
		my %r;
		@r{@h} = split(/\t/, $l);
		push @rows, \%r;
	}
	# A join sorts on its first table's row: a plan that reads
	# notifications and sorts anywhere sorts notifications.
	my $notes = grep { ($_->{table} // '') =~ /^(n|notifications)$/ } @rows;
	for my $r (@rows) {
		my ($t, $type, $x) = ($r->{table} // '', $r->{type} // '',
		    $r->{Extra} // '');
		push @keys, "$t:" . ($r->{key} // 'NULL') . "/$type";
		next if $t =~ /^(s|system_notifications)$/;	# allowed, above
		push @bad, "full scan of $t" if $type eq 'ALL';
		push @bad, "$x on $t" if $notes && $x =~ /filesort|temporary/;
	}
	return (\@bad, join(' ', @keys));
}

my (%seen, @checked);
for my $rt (@ROUTES) {
	my ($dia, $path, $hdr, $todo, $only) = @$rt;
	my $from = -s $log // 0;
	my $r = $s->get($path, $hdr);
	is $r->{status}, 200, "$dia GET $path: 200" or diag $r->{content};
	# The log is written as the statement runs; the answer is after.
	my @ex = grep { /^\s*SELECT/i } executes($from);
	ok scalar(@ex), "$dia GET $path: its statements are in the log";
	for my $st (@ex) {
		(my $shape = $st) =~ s/'(?:[^'\\]|\\.)*'|\b\d+\b/?/gs;
		next if $seen{"$dia $shape"}++;
		unlike $st, qr/(?:=|IN \(|LIKE|LIMIT|OFFSET) \?/,
		    "$dia GET $path: the log has the binds";
		my ($ok, $plan) = explain_plan($st);
		ok $ok, "EXPLAIN runs" or diag $plan;
		my ($bad, $keys) = verdict($plan);
		local $TODO = $todo;
		(my $short = $shape) =~ s/^SELECT .*? FROM /SELECT … FROM /s;
		push @checked, [$dia, $path, $short, @$bad ? join('; ', @$bad) :
		    "ok ($keys)"];
		ok !@$bad, "$dia GET $path: indexed: $short"
		    or diag join("\n", @$bad, $plan);
		ok $plan =~ /^(?:[^\t]*\t){2}n\t[^\n]*Using index(?!\s+condition)/m,
		    "$dia GET $path: index only: $short" or diag $plan
		    if $only;
	}
}
# What was checked, for the report (prove -v shows it).
note sprintf("%-8s %-60s %s", @$_[0, 1, 3]) for @checked;
cmp_ok scalar(@checked), '>=', 20, 'statements checked: ' . scalar(@checked);

$s->sql("SET GLOBAL general_log = 0", db => '');
$s->stop;
done_testing;
