#!/usr/bin/perl
# Idempotency-Key on POST /v1/notifications (doc/v1.md): the same key and
# body again is the same 201 and id with no second row; another body is 422
# idempotency_mismatch; keys are scoped to the principal; 1-255 characters;
# a concurrent double POST with one key makes exactly one row.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use File::Temp qw(tempdir);
use POSIX qw(_exit);
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(workers => 4, config => { auth => 'token' });
my $S1 = bearer(make_token($s, 'svc1', 'service'));
my $S2 = bearer(make_token($s, 'svc2', 'service'));
my $ALICE = bearer(make_token($s, 'alice', 'user'));
my $JSON = JSON::PP->new->canonical;
my $tmp = tempdir(CLEANUP => 1);

sub rows () { $s->sql_value('SELECT COUNT(*) FROM notifications') }

sub post_key ($body, $key, $h = $S1) {
	my %hd = ('Content-Type' => 'application/json', %$h);
	$hd{'Idempotency-Key'} = $key if defined $key;
	return $s->post('/v1/notifications',
	    ref $body ? $JSON->encode($body) : $body, \%hd);
}

# A 201 whose id is $want (or any id when undef); returns the id.
sub is_201 ($r, $want, $name) {
	is $r->{status}, 201, "$name: 201" or diag $r->{content};
	my $id = ref $r->{json} eq 'HASH' ? $r->{json}{id} // '' : '';
	like $id, qr/^[0-9a-f-]{36}\z/, "$name: an id";
	is $id, $want, "$name: id $want" if defined $want;
	is $r->{headers}{location}, "/v1/notifications/$id", "$name: Location";
	return $id;
}

sub is_err ($r, $statuses, $codes, $name) {
	ok((grep { $_ == $r->{status} } @$statuses), "$name: status @$statuses")
	    or diag "$r->{status} $r->{content}";
	like $r->{content_type}, qr{^application/json\b}i, "$name: JSON";
	my $e = ref $r->{json} eq 'HASH' ? $r->{json}{error} // {} : {};
	is $e->{status}, $r->{status}, "$name: error.status";
	ok((grep { ($e->{code} // '') eq $_ } @$codes), "$name: code @$codes")
	    or diag $r->{content};
	ok length($e->{message} // ''), "$name: a message";
}

# --- Same key, same body: the same answer ---------------------------------
my $B1 = $JSON->encode({ recipient => 'bob', title => 'once', type => 'build',
    data => { n => 1 } });
my $B2 = $JSON->encode({ recipient => 'bob', title => 'once, but other' });
my $n0 = rows();
my $first = post_key($B1, 'key-1');
my $X = is_201($first, undef, 'key-1 first');
is rows(), $n0 + 1, 'key-1 first: one row';
for my $i (2, 3) {
	my $r = post_key($B1, 'key-1');
	is_201($r, $X, "key-1 again ($i)");
	is_deeply $r->{json}, $first->{json}, "key-1 again ($i): the same body";
}
is rows(), $n0 + 1, 'key-1 repeated: still one row';
is_err(post_key($B2, 'key-1'), [422], ['idempotency_mismatch'],
    'key-1 with another body');
is_err(post_key('{"recipient":"bob"}', 'key-1'), [422],
    ['idempotency_mismatch'], 'key-1 with a third body');
is rows(), $n0 + 1, 'the mismatches stored nothing';
is_201(post_key($B1, 'key-1'), $X, 'key-1 with its body still answers');

# --- Other keys, no key ------------------------------------------------------
my $Y = is_201(post_key($B1, 'key-2'), undef, 'key-2, the same body');
isnt $Y, $X, 'another key: another notification';
my $Z1 = is_201(post_key($B1, undef), undef, 'no key');
my $Z2 = is_201(post_key($B1, undef), undef, 'no key again');
ok $Z1 ne $Z2 && $Z1 ne $X, 'without a key every POST is new';
is rows(), $n0 + 4, 'four rows now';
is_201(post_key($B2, 'key-1-other'), undef, 'the other body, its own key');
is rows(), $n0 + 5, 'five rows now';

# --- Key bounds -----------------------------------------------------------------
{
	my $k255 = join('', map { chr(33 + $_ % 94) } 0 .. 254);
	my $K = is_201(post_key($B1, $k255), undef, '255-character key');
	is_201(post_key($B1, $k255), $K, '255-character key again');
	my $before = rows();
	is_err(post_key($B1, 'k' x 256), [400, 422], [qw(bad_request invalid)],
	    '256-character key');
	is_err(post_key($B1, 'x' x 1000), [400, 422], [qw(bad_request invalid)],
	    '1000-character key');
	is rows(), $before, 'the refused keys stored nothing';
}

# --- Scoped to the principal ---------------------------------------------------------
{
	my $before = rows();
	my $W = is_201(post_key($B1, 'key-1', $S2), undef, 'svc2 uses key-1');
	isnt $W, $X, 'svc2\'s key-1 is not svc1\'s';
	is rows(), $before + 1, 'svc2\'s key-1: a row of its own';
	is_201(post_key($B1, 'key-1', $S2), $W, 'svc2 key-1 again: its own id');
	is_201(post_key($B1, 'key-1', $S1), $X, 'svc1 key-1: still its id');
	is_err(post_key($B2, 'key-1', $S2), [422], ['idempotency_mismatch'],
	    'svc2 key-1 with another body');
	my $ab = $JSON->encode({ recipient => 'alice', title => 'mine' });
	my $A = is_201(post_key($ab, 'key-1', $ALICE), undef,
	    'a user token uses key-1');
	ok $A ne $X && $A ne $W, 'the user\'s key-1 is its own';
	is_201(post_key($ab, 'key-1', $ALICE), $A, 'the user\'s key-1 again');
	is rows(), $before + 2, 'two rows for the two new principals';
}

# --- Two clients at once, one key -------------------------------------------
# Both children block on a pipe until both are ready; closing its write
# end releases them together.  No timing is assumed.
sub race ($round) {
	my $body = $JSON->encode({ recipient => 'racer', title => "race $round" });
	my $key = "race-$round";
	pipe(my $ready_r, my $ready_w) or die "pipe: $!";
	pipe(my $go_r, my $go_w) or die "pipe: $!";
	my @kids;
	for my $i (0, 1) {
		my $pid = fork() // die "fork: $!";
		if ($pid == 0) {
			close $ready_r;
			close $go_w;
			syswrite $ready_w, 'x';
			sysread $go_r, my $buf, 1;	# EOF: go
			my $r = eval { post_key($body, $key) };
			my $out = $r ? join(' ', $r->{status}, $r->{json}
			    && ($r->{json}{id} // $r->{json}{error}{code}) // '-')
			    : "died $@";
			if (open(my $fh, '>', "$tmp/$round.$i")) {
				print {$fh} $out;
				close $fh;
			}
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
	my @res;
	for my $i (0, 1) {
		open(my $fh, '<', "$tmp/$round.$i") or die "$tmp/$round.$i: $!";
		push @res, [split ' ', scalar <$fh>];
	}
	return ($body, $key, sort { $a->[0] <=> $b->[0] } @res);
}

for my $round (1 .. 5) {
	my $before = rows();
	my ($body, $key, @res) = race($round);
	my $name = "race $round";
	note "$name: " . join(', ', map { "@$_" } @res);
	is rows(), $before + 1, "$name: exactly one row";
	is $res[0][0], 201, "$name: one answer is 201";
	like $res[0][1] // '', qr/^[0-9a-f-]{36}\z/, "$name: with an id";
	if ($res[1][0] == 409) {
		is $res[1][1], 'conflict', "$name: the 409 says conflict";
		is_201(post_key($body, $key), $res[0][1],
		    "$name: after the 409, the key answers the first id");
	} else {
		is $res[1][0], 201, "$name: the other is 201 too (or 409)";
		is $res[1][1], $res[0][1], "$name: both answers have the same id";
	}
}
is $s->sql_value('SELECT COUNT(*) FROM notifications n JOIN users u ON '
    . q{u.id = n.user_id WHERE u.username = 'racer'}), 5,
    'five races, five notifications';

done_testing;
