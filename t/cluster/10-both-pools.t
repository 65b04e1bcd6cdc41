#!/usr/bin/perl
# Two Herald pools on two nodes of a 3-node Galera cluster (issue O):
# writes through either pool read back through both and are on every
# node; a concurrent POST with one Idempotency-Key through both pools
# makes one row (the loser's certification failure is retried and then
# finds the key).
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/../api/auth";
use Test::More;
use JSON::PP;
use POSIX qw(_exit);
use Time::HiRes qw(time sleep);
use Herald::Galera;
use AuthTest;

if (my $why = Herald::Galera::unavailable()) { plan skip_all => $why }
my $g = Herald::Galera->start(config => { auth => 'token' });
diag(sprintf('cluster and pools up in %.1f s', $g->start_seconds));
my $SVC = bearer(make_token($g, 'svc', 'service'));
my $JSON = JSON::PP->new->canonical;
my @pool = map { $g->pool_client($_)->with(headers => $SVC) } 0, 1;

sub on_node ($n, $where) {
	return $g->sql_value($n, "SELECT COUNT(*) FROM notifications n JOIN "
	    . "users u ON u.id = n.user_id WHERE $where");
}

# Poll: a read on another node sees a commit once it is applied there
# (wsrep_sync_wait = 0); certification makes that a matter of ms.
sub eventually ($secs, $cond) {
	my $deadline = time + $secs;
	until ($cond->()) {
		return 0 if time > $deadline;
		sleep 0.1;
	}
	return 1;
}

# 1. Writes through each pool.
my (%ids, $fail);
for my $i (0, 1) {
	for my $k (1 .. 10) {
		my $r = $pool[$i]->post('/v1/notifications', $JSON->encode({
		    recipient => 'dana', title => "p$i-$k" }),
		    { 'Content-Type' => 'application/json' });
		$r->{status} == 201 ? $ids{$r->{json}{id}} = $i : $fail++;
		diag("pool$i: $r->{status} $r->{content}") if $r->{status} != 201;
	}
}
ok(!$fail && keys %ids == 20, '20 notifications created, 10 through each '
    . 'pool');

# 2. Read back through both pools: every id, from either.
for my $i (0, 1) {
	my %seen;
	ok(eventually(10, sub {
		my $r = $pool[$i]->get('/v1/users/dana/notifications?limit=100');
		%seen = map { $_->{id} => 1 } @{ $r->{json}{items} // [] }
		    if $r->{status} == 200 && ref $r->{json} eq 'HASH';
		!grep { !$seen{$_} } keys %ids;
	}), "pool$i reads back all 20 (written through both)")
	    or diag(scalar(keys %seen) . ' seen');
	my @other = grep { $ids{$_} != $i } keys %ids;
	my $r = $pool[$i]->get("/v1/notifications/$other[0]");
	is($r->{status}, 200, "pool$i reads one written through the other "
	    . 'by id');
}
for my $n (0 .. 2) {
	ok(eventually(10, sub { on_node($n, "u.username = 'dana'") == 20 }),
	    "node$n holds all 20");
}

# 3. A concurrent Idempotency-Key POST through both pools, 5 rounds.
sub race ($round) {
	my $body = $JSON->encode({ recipient => 'racer',
	    title => "race $round" });
	my $key = "cluster-race-$round";
	pipe(my $ready_r, my $ready_w) or die;
	pipe(my $go_r, my $go_w) or die;
	my @kids;
	for my $i (0, 1) {
		my $pid = fork() // die "fork: $!";
		if ($pid == 0) {
			close $ready_r;
			close $go_w;
			syswrite($ready_w, 'r');
			sysread($go_r, my $x, 1);
			my $r = $pool[$i]->post('/v1/notifications', $body,
			    { 'Content-Type' => 'application/json',
			    'Idempotency-Key' => $key });
			open(my $fh, '>', $g->dir . "/race.$round.$i") or _exit(1);
			my $id = ref $r->{json} eq 'HASH' ? $r->{json}{id} // '-'
			    : '-';
			print $fh "$r->{status} $id\n";
			close($fh);
			_exit(0);
		}
		push @kids, $pid;
	}
	close $ready_w;
	close $go_r;
	my $n = 0;
	$n++ while $n < 2 && sysread($ready_r, my $c, 1) == 1;
	close $go_w;
	waitpid($_, 0) for @kids;
	return map {
		open(my $fh, '<', $g->dir . "/race.$round.$_") or die;
		[split ' ', scalar <$fh>];
	} 0, 1;
}
my ($created, $same) = (0, 0);
for my $round (1 .. 5) {
	my @res = race($round);
	note("race $round: " . join(', ', map { "@$_" } @res));
	my $rows = 0;
	eventually(5, sub {
		$rows = on_node(2, "u.username = 'racer' AND n.subject = "
		    . "'race $round'");
		$rows >= 1;
	});
	is($rows, 1, "race $round: one row (node2)");
	$created++ if grep { $_->[0] == 201 } @res;
	ok((grep { $_->[0] == 201 || $_->[0] == 409 } @res) == 2,
	    "race $round: both answers are 201 (or 409 in flight)")
	    or diag(join(', ', map { "@$_" } @res));
	my @ids = map { $_->[1] } grep { $_->[0] == 201 } @res;
	$same++ if @ids == 2 && $ids[0] eq $ids[1];
}
is($created, 5, 'every race created its notification');
diag("$same of 5 races answered both with the same id");
my $log = $g->pool_log(0) . $g->pool_log(1);
my $conflicts = () = $log =~ /database conflict/g;
diag("certification conflicts retried: $conflicts");
for my $n (0 .. 2) {
	ok(eventually(10, sub { on_node($n, "u.username = 'racer'") == 5 }),
	    "node$n: 5 rows for 5 keys");
}
done_testing();
