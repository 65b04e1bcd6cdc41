#!/usr/bin/perl
# The per-user counters that serve unfiltered totals (schema 002) agree
# with a real count after every kind of change, including concurrent ones.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use Herald::Stack;

my $s = Herald::Stack->start(workers => 4);
my @users = qw(ann bob cat);

sub check ($when) {
	for my $u (@users) {
		my ($real_t, $real_u) = split /\t/, $s->sql_value(
		    "SELECT CONCAT(COALESCE(SUM(n.deleted = 0), 0), '\t', "
		    . "COALESCE(SUM(n.deleted = 0 AND n.seen = 0), 0)) FROM notifications n "
		    . "JOIN users u ON u.id = n.user_id WHERE u.username = '$u'");
		my $r = $s->get("/messages?user=$u&limit=1")->{json};
		is($r->{total}, $real_t, "$when: $u total agrees ($real_t)");
		is($r->{unseen_total}, $real_u, "$when: $u unseen agrees ($real_u)");
		my $c = $s->get("/count-messages?user=$u&seen=true")->{json};
		is($c->{'user-total'}, $real_t - $real_u, "$when: $u seen count agrees");
	}
}

sub ids ($u) {
	return map { $_->{message}{id} }
	    @{ $s->get("/messages?user=$u")->{json}{messages} };
}

for my $u (@users) {
	$s->post('/notification', { type => $_ % 2 ? 'data' : 'tool', user => $u,
	    subject => "s$_" }) for 1 .. 12;
}
check('after creating');
my @a = ids('ann');
$s->post('/seen?user=ann', { uuids => [ @a[0 .. 4] ] });
$s->post('/seen?user=ann', { uuids => [ @a[0 .. 2] ] });	# again: no change
check('after /seen, twice');
$s->post('/delete?user=ann', { uuids => [ @a[3 .. 6] ] });	# 2 seen, 2 unseen
check('after /delete of seen and unseen');
$s->post('/seen?user=ann', { uuids => [ $a[6] ] });		# deleted: still counts nowhere
check('after marking a deleted one seen');
$s->post('/mark-all-seen', { user => 'bob', type => 'data' });
check('after mark-all-seen of one type');
$s->request('DELETE', '/delete-all?user=bob&filter=tool');
check('after delete-all of one type');
$s->request('DELETE', '/delete-all?user=cat&seen=false');
check('after delete-all of the unseen');

# Concurrent writers for one user.
my @kids;
for my $k (1 .. 4) {
	my $pid = fork() // die;
	if ($pid == 0) {

		for my $i (1 .. 10) {
			$s->post('/notification', { type => 'data', user => 'cat',
			    subject => "k$k-$i" });
			$s->post('/mark-all-seen', { user => 'cat' }) if $i % 3 == 0;
		}
		POSIX::_exit(0);
	}
	push @kids, $pid;
}
waitpid($_, 0) for @kids;
check('after concurrent writes and marks');
is($s->sql_value("SELECT COUNT(*) FROM note_counts WHERE total < 0 OR unseen < 0 OR unseen > total"),
    0, 'no counter out of range');
done_testing();
