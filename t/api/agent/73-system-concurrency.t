#!/usr/bin/perl
# Concurrent acknowledgements of the same system notification by the same
# user (two browser tabs, many times over) end in exactly one state row and
# no error (agent.md §5.2 "Concurrency history", issue 3 item 5).  Forked
# Perl children hammer /system/seen, /system/received and /system/delete
# (and the mark-all variants) through nginx at the same moment.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use JSON::PP;
use File::Temp qw(tempdir);
use POSIX qw(_exit);
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::SystemTest;

my $s = Herald::Stack->start(workers => 8);
use_stack($s);

my $N = 16;		# children
my $ROUNDS = 6;		# requests per child
my $tmp = tempdir(CLEANUP => 1);


sub hex_of ($id) { $id =~ s/-//gr }

sub user_rows ($user) {
	return $s->sql_value('SELECT COUNT(*) FROM system_states x JOIN users u '
	    . 'ON u.id = x.user_id WHERE u.username = ' . $s->quote($user));
}

sub state_of ($user, $id) {
	my @r = $s->sql('SELECT x.state FROM system_states x JOIN users u '
	    . 'ON u.id = x.user_id WHERE u.username = ' . $s->quote($user)
	    . " AND x.system_id = UNHEX('" . hex_of($id) . "')");
	return @r ? $r[0][0] : undef;
}

# hammer($name, $plan): $N children start at the same instant; child $i
# sends $ROUNDS requests, request $k being $plan->($i, $k) = [method, path,
# body].  Returns { status => how many } over all the requests.
my $run = 0;
sub hammer ($name, $plan) {
	$run++;
	my $go = time + 0.5;
	my @kids;
	for my $i (0 .. $N - 1) {
		my $pid = fork() // die "fork: $!";
		if ($pid == 0) {
			my $out = '';
			eval {
				sleep($go - time) if $go > time;
				for my $k (0 .. $ROUNDS - 1) {
					my ($m, $p, $b) = @{ $plan->($i, $k) };
					my $r = $s->request($m, $p, $b);
					$out .= "$r->{status} $m $p\n";
				}
				1;
			} or $out .= "died $@\n";
			if (open(my $fh, '>', "$tmp/$run.$i")) {
				print {$fh} $out;
				close $fh;
			}
			_exit(0);
		}
		push @kids, $pid;
	}
	waitpid($_, 0) for @kids;
	note sprintf('%s: %.2f s', $name, time - $go);
	my (%by, @odd);
	for my $i (0 .. $N - 1) {
		open(my $fh, '<', "$tmp/$run.$i") or next;
		while (my $l = <$fh>) {
			my ($st) = $l =~ /^(\S+)/;
			$by{$st}++;
			push @odd, $l if $st ne '200';
		}
	}
	is_deeply \%by, { 200 => $N * $ROUNDS },
	    "$name: all " . ($N * $ROUNDS) . ' requests answered 200'
	    or diag 'first odd answers: ', join('', @odd[0 .. ($#odd < 4 ? $#odd : 4)]),
	    $s->log_text =~ /(.*(?:busy|deadlock|error).*)/i ? "log: $1\n" : '';
	return \%by;
}

my $D = add(message => 'dismissible', dismissible => JSON::PP::true);
my $F = add(message => 'fixed');
my $G = add(message => 'another dismissible', type => 'announcement',
    dismissible => JSON::PP::true);
is states(), 0, 'no state rows to begin with';

# --- 1: many tabs of a brand-new user all mark the same one seen -----------------
hammer('seen x N, new user', sub ($i, $k) {
	['POST', '/system/seen?user=tabs', { uuids => [$D] }] });
is $s->sql_value("SELECT COUNT(*) FROM users WHERE username = 'tabs'"), 1,
    'the new user was created once';
is user_rows('tabs'), 1, 'exactly one state row';
is state_of('tabs', $D), 2, 'the row says seen';
is $s->sql_value('SELECT COUNT(*) FROM system_states '
    . 'WHERE acknowledged_at IS NOT NULL'), 1, 'acknowledged_at set';

# --- 2: received, seen and delete mixed, a dismissible one ------------------------
my @OPS = qw(received seen delete);
hammer('received/seen/delete mixed, dismissible', sub ($i, $k) {
	['POST', "/system/$OPS[($i + $k) % 3]?user=mix", { uuids => [$D] }] });
is user_rows('mix'), 1, 'mix: exactly one state row';
is state_of('mix', $D), 3, 'mix: the highest state, dismissed, won';
{
	my $r = $s->get('/system/messages?user=mix');
	ok !grep({ $_->{uuid} eq $D } @{ $r->{json}{'system-messages'} // [] }),
	    'mix: it is no longer listed';
	my $c = $s->get('/count-messages?user=mix')->{json};
	is_deeply [@$c{qw(system-total system-total-new system-total-unseen)}],
	    [2, 2, 2], 'mix: counts 2/2/2';
}

# --- 3: the same on a non-dismissible one ----------------------------------------
hammer('received/seen/delete mixed, non-dismissible', sub ($i, $k) {
	['POST', "/system/$OPS[($i + $k) % 3]?user=fixed", { uuids => [$F] }] });
is user_rows('fixed'), 1, 'fixed: exactly one state row';
is state_of('fixed', $F), 2, 'fixed: seen, not dismissed';
{
	my $r = $s->get('/system/messages?user=fixed');
	my ($o) = grep { $_->{uuid} eq $F } @{ $r->{json}{'system-messages'} // [] };
	ok $o && $o->{acknowledged}, 'fixed: still listed, acknowledged';
}

# --- 4: uuid lists with all three, and the mark-all variants, at once -------------
my @MIXED = (
	sub { ['POST', '/system/received?user=all', { uuids => [$D, $F, $G] }] },
	sub { ['POST', '/system/seen?user=all', { uuids => [$G, $F, $D] }] },
	sub { ['POST', '/system/delete?user=all', { uuids => [$F, $D, $G] }] },
	sub { ['POST', '/system/mark-all-received', { user => 'all' }] },
	sub { ['POST', '/system/mark-all-seen', { user => 'all' }] },
	sub { ['DELETE', '/system/delete-all?user=all'] },
);
hammer('every operation on every notification', sub ($i, $k) {
	$MIXED[($i * 7 + $k) % @MIXED]->() });
is user_rows('all'), 3, 'all: one state row per notification';
is state_of('all', $D), 3, 'all: D dismissed';
is state_of('all', $G), 3, 'all: G dismissed';
is state_of('all', $F), 2, 'all: F seen';

# --- 5: many users at once, each with its own tabs --------------------------------
hammer('eight users, three tabs each', sub ($i, $k) {
	my $u = 'u' . ($i % 8);
	['POST', "/system/$OPS[($i + $k) % 3]?user=$u", { uuids => [$D, $F] }] });
is $s->sql_value("SELECT COUNT(*) FROM users WHERE username LIKE 'u_'"), 8,
    'eight users created, once each';
for my $u (map { "u$_" } 0 .. 7) {
	is user_rows($u), 2, "$u: two state rows";
}
is $s->sql_value('SELECT COUNT(*) FROM (SELECT user_id, system_id FROM '
    . 'system_states GROUP BY user_id, system_id HAVING COUNT(*) > 1) d'), 0,
    'no (user, notification) pair has two rows';
is states(), 1 + 1 + 1 + 3 + 16, 'the expected number of state rows in all';

# The pool survived.
my @w = $s->worker_pids;
is scalar(@w), 8, 'all eight workers still running'
    or diag "workers: @w\n", join('', grep { !/ debug: / }
    (split /^/, $s->log_text)[-30 .. -1]);
unlike $s->log_text, qr/died of signal/, 'no worker died';
unlike $s->log_text, qr/database (busy|error)/i,
    'no database errors in the log';

done_testing;
