#!/usr/bin/perl
# System notifications inside the user listings (agent.md §3.1 #3, #4, #5,
# #6, §5.1.9, §5.2 "Lists and counts", issue 3 item 4): the three system
# counts of GET /count-messages, "system-messages" in GET /messages (active,
# not dismissed) and GET /unseen-messages (active, not seen), and a
# broadcast that writes no per-user rows.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use JSON::PP;
use Time::HiRes qw(time);
use Herald::Stack;
use Herald::SystemTest;

my $s = Herald::Stack->start;
use_stack($s);

my @S_KEYS = qw(uuid type message dismissible logins_disabled activation_date
    deactivation_date date_created acknowledged);
my @COUNTS = qw(system-total system-total-new system-total-unseen);


sub notify ($user, $type = 'data') {
	my $r = $s->post('/notification', { type => $type, user => $user,
	    subject => "for $user" });
	is $r->{status}, 200, "notified $user" or diag $r->{content};
	return $r->{json}{id};
}

sub mark ($op, $user, @ids) {
	my $r = $s->post($s->path_q("/system/$op", user => $user),
	    { uuids => \@ids });
	is $r->{status}, 200, "$op for $user" or diag $r->{content};
}

# count_is($query, [user-total, system-total, -new, -unseen], $name)
sub count_is ($query, $want, $name) {
	my $r = $s->get("/count-messages?$query");
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	for my $k ('user-total', @COUNTS) {
		is $s->json_type($r->{content}, $k), 'number',
		    "$name: $k is a number";
	}
	is_deeply [@{ $r->{json} // {} }{'user-total', @COUNTS}], $want,
	    "$name: counts " . join('/', @$want);
}

# The system-messages of a listing, checked: [sorted uuids], { uuid => S }.
sub sys_of ($path, $name) {
	my $r = $s->get($path);
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	is $s->json_type($r->{content}, 'system-messages'), 'array',
	    "$name: system-messages is an array";
	my %by;
	my $i = 0;
	for my $o (@{ $r->{json}{'system-messages'} // [] }) {
		is_deeply [sort keys %$o], [sort @S_KEYS],
		    "$name: system item $i has the S keys";
		for my $k (qw(activation_date deactivation_date date_created)) {
			is $s->json_type($r->{content}, 'system-messages', $i, $k),
			    'number', "$name: system item $i $k is a number";
		}
		is $s->json_type($r->{content}, 'system-messages', $i,
		    'acknowledged'), 'boolean',
		    "$name: system item $i acknowledged is a boolean";
		$by{ $o->{uuid} } = $o;
		$i++;
	}
	return ([sort keys %by], \%by, $r);
}

# === a broadcast costs O(1) ======================================================
my @users = map { sprintf('user%02d', $_) } 1 .. 50;
notify($_) for @users;
is $s->sql_value('SELECT COUNT(*) FROM users'), 50, '50 users exist';
my $b = add(message => 'to everyone', type => 'announcement');
is states(), 0, 'creating it wrote no per-user rows';
for my $u (@users) {
	my $r = $s->get("/count-messages?user=$u");
	is_deeply [@{ $r->{json} // {} }{'user-total', @COUNTS}], [1, 1, 1, 1],
	    "$u: one user notification, one system notification, new, unseen";
}
for my $u (@users[0, 24, 49]) {
	my ($ids) = sys_of("/messages?user=$u", "$u /messages");
	is_deeply $ids, [$b], "$u sees the broadcast in /messages";
	($ids) = sys_of("/system/new-messages?user=$u", "$u new-messages");
	is_deeply $ids, [$b], "$u has it as new";
}
is states(), 0, 'reading wrote no per-user rows either';
mark(received => $users[7], $b);
is states(), 1, 'one user acting writes one row';
count_is("user=$users[7]", [1, 1, 0, 1], "$users[7] after received");
count_is("user=$users[8]", [1, 1, 1, 1], "$users[8] unaffected");
is $s->delete("/admin/system/$b")->{status}, 200, 'broadcast removed';
is states(), 0, 'its row went with it';
count_is("user=$users[7]", [1, 0, 0, 0], 'no system notifications now');

# === the system counts and lists of one user =====================================
my $t0 = now_ms();
my $A = add(message => 'A dismissible', dismissible => JSON::PP::true);
my $B = add(message => 'B fixed', type => 'maintenance');
my $C = add(message => 'C dismissible', type => 'announcement',
    dismissible => JSON::PP::true, logins_disabled => JSON::PP::true);
add(message => 'not yet', activation_date => $t0 + $HOUR,
    deactivation_date => $t0 + 2 * $HOUR);
$s->sql(sprintf("INSERT INTO system_notifications (id, tenant, type, message, "
    . "activation, deactivation, dismissible, logins_disabled, created) VALUES "
    . "(UNHEX('0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d'), 'default', 'warning', "
    . "'over', %d, %d, 1, 0, %d)", $t0 - 2 * $HOUR, $t0 - $HOUR,
    $t0 - 3 * $HOUR));
my @ABC = sort($A, $B, $C);

# gus: data x3 (one seen), analysis x1.
my @gd = map { notify('gus') } 1 .. 3;
my $ga = notify('gus', 'analysis');
{
	my $r = $s->post('/seen?user=gus', { uuids => [$gd[0]] });
	is $r->{status}, 200, 'one of gus\'s seen';
}

count_is('user=gus', [4, 3, 3, 3], 'gus at first');
count_is('user=zed', [0, 3, 3, 3], 'zed, who has no notifications');

mark(received => 'gus', $A);
count_is('user=gus', [4, 3, 2, 3], 'gus after received A');
mark(seen => 'gus', $B);
count_is('user=gus', [4, 3, 1, 2], 'gus after seen B');
mark(delete => 'gus', $A);
count_is('user=gus', [4, 2, 1, 1], 'gus after delete A');
mark(delete => 'gus', $B);
count_is('user=gus', [4, 2, 1, 1], 'delete of non-dismissible B changes nothing');
count_is('user=zed', [0, 3, 3, 3], 'zed unaffected by gus');

# The system counts ignore seen and filter.
count_is('user=gus&seen=true', [1, 2, 1, 1], 'seen=true');
count_is('user=gus&seen=false', [3, 2, 1, 1], 'seen=false');
count_is('user=gus&filter=data', [3, 2, 1, 1], 'filter=data');
count_is('user=gus&filter=analysis&seen=true', [0, 2, 1, 1],
    'filter=analysis&seen=true');
count_is('user=gus&filter=new', [3, 2, 1, 1], 'filter=new');
count_is('user=gus&filter=warning', [0, 2, 1, 1],
    'filter=warning (a system type) does not touch the system counts');
count_is('user=gus&filter=nothing', [0, 2, 1, 1], 'filter with no match');

# --- GET /messages: active, not dismissed ----------------------------------------
{
	my ($ids, $by, $r) = sys_of('/messages?user=gus', 'gus /messages');
	is_deeply $ids, [sort($B, $C)], '/messages: B and C (A dismissed)';
	is $r->{json}{total}, '4', '/messages: user total "4"';
	is scalar @{ $r->{json}{messages} // [] }, 4, '/messages: 4 user ones';
	ok $by->{$B}{acknowledged}, '/messages: B acknowledged';
	ok JSON::PP::is_bool($by->{$C}{acknowledged}) && !$by->{$C}{acknowledged},
	    '/messages: C not acknowledged';
	ok $by->{$C}{logins_disabled} && $by->{$C}{dismissible},
	    '/messages: C flags';
	is $by->{$C}{message}, 'C dismissible', '/messages: C message';
	is $by->{$C}{type}, 'announcement', '/messages: C type';

	for my $q ('seen=true', 'seen=false', 'filter=analysis', 'filter=new',
	    'limit=1', 'limit=1&offset=2', 'sortDir=asc&sortField=subject',
	    'filter=nothing') {
		($ids) = sys_of("/messages?user=gus&$q", "/messages?$q");
		is_deeply $ids, [sort($B, $C)],
		    "/messages?$q: system-messages unchanged";
	}
	($ids) = sys_of('/messages?user=zed', 'zed /messages');
	is_deeply $ids, \@ABC, 'zed: all three active ones';
	$r = $s->get('/messages?user=zed');
	is_deeply $r->{json}{messages}, [], 'zed: no user notifications';
	is $r->{json}{total}, '0', 'zed: total "0"';
}

# --- GET /unseen-messages: active, not seen ---------------------------------------
{
	my ($ids, $by, $r) = sys_of('/unseen-messages?user=gus',
	    'gus /unseen-messages');
	is_deeply $ids, [$C], '/unseen-messages: only C';
	is $r->{json}{total}, '3', '/unseen-messages: user total "3"';
	($ids) = sys_of('/unseen-messages?user=gus&seen=true&filter=data&limit=1',
	    '/unseen-messages with ignored params');
	is_deeply $ids, [$C], '/unseen-messages ignores the other params';
	($ids) = sys_of('/unseen-messages?user=zed', 'zed /unseen-messages');
	is_deeply $ids, \@ABC, 'zed: all three unseen';

	mark(received => 'gus', $C);
	($ids) = sys_of('/unseen-messages?user=gus', 'after received C');
	is_deeply $ids, [$C], 'received is not seen: C still unseen';
	$r = $s->post('/system/mark-all-seen', { user => 'gus' });
	is $r->{status}, 200, 'gus marks all seen';
	($ids) = sys_of('/unseen-messages?user=gus', 'after mark-all-seen');
	is_deeply $ids, [], 'nothing unseen';
	($ids, $by) = sys_of('/messages?user=gus', '/messages after mark-all-seen');
	is_deeply $ids, [sort($B, $C)], '/messages still has B and C';
	ok $by->{$C}{acknowledged}, 'C acknowledged now';
	count_is('user=gus', [4, 2, 0, 0], 'gus after mark-all-seen');
	$r = $s->delete('/system/delete-all?user=gus');
	is $r->{status}, 200, 'gus deletes all';
	($ids) = sys_of('/messages?user=gus', '/messages after delete-all');
	is_deeply $ids, [$B], 'only the non-dismissible B is left';
	count_is('user=gus', [4, 1, 0, 0], 'gus after delete-all');
}

# --- GET /last-ten-messages carries no system-messages ----------------------------
{
	my $r = $s->get('/last-ten-messages?user=zed');
	is $r->{status}, 200, '/last-ten-messages: 200';
	ok !exists $r->{json}{'system-messages'},
	    '/last-ten-messages: no system-messages';
}

# --- only the user's own user notifications, and case-sensitive users ------------
count_is('user=Gus', [0, 3, 3, 3], 'Gus is not gus');
{
	my ($ids) = sys_of('/unseen-messages?user=Gus', 'Gus /unseen-messages');
	is_deeply $ids, \@ABC, 'Gus has all three unseen';
}

done_testing;
