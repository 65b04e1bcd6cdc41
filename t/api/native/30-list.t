#!/usr/bin/perl
# GET /v1/users/{user}/notifications, .../count, .../read-all (doc/v1.md):
# newest first, limit, the next cursor (also while rows are inserted between
# pages, with equal created times), the filters (target: all of), unread
# whatever the filters, roles, {user} as id or name.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $LISTER = bearer(make_token($s, 'lister', 'user'));
my $BASE = 1_600_000_000_000;	# 2020-09-13, in ms: older than any new row
my ($A, $B, $C, $D) = map { "a3c1e0d2-0000-4000-8000-00000000000$_" } 1 .. 4;

sub api ($m, $path, $h = $SVC) {
	return $s->request($m, $path, undef, $h);
}
sub hex_of ($id) { $id =~ s/-//gr }

sub create ($user, $title, %f) {
	my $r = $s->post('/v1/notifications', { recipient => $user,
	    title => $title, %f }, { 'Content-Type' => 'application/json',
	    %$SVC });
	is $r->{status}, 201, "created $title for $user" or diag $r->{content};
	return $r->{json}{id} // '';
}

# Set the stored creation time of each id (id => ms).
sub set_created (%t) {
	$s->sql(join ' ', map { "UPDATE notifications SET created = $t{$_} "
	    . "WHERE id = UNHEX('" . hex_of($_) . "');" } sort keys %t);
}

# One page: 200 and exactly {items, next, unread}.
sub page ($user, $query, $name, $h = $SVC) {
	my $r = api('GET', "/v1/users/$user/notifications"
	    . (length $query ? "?$query" : ''), $h);
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	my $j = ref $r->{json} eq 'HASH' ? $r->{json} : {};
	is_deeply [sort keys %$j], [qw(items next unread)], "$name: the keys";
	my $nt = $s->json_type($r->{content}, 'next') // 'absent';
	ok $nt eq 'null' || ($nt eq 'string' && length $j->{next}),
	    "$name: next is null or a cursor";
	is $s->json_type($r->{content}, 'unread'), 'number',
	    "$name: unread is a number";
	return $j;
}
sub ids ($j) { [map { $_->{id} } @{ $j->{items} // [] }] }

# Walk every page; $between->() runs after each page.  Returns the ids.
sub walk ($user, $query, $name, $between = sub {}) {
	my (@all, $after);
	for my $i (1 .. 100) {
		my $q = join '&', grep { length } $query,
		    defined $after ? 'after=' . $s->uri_escape($after) : '';
		my $j = page($user, $q, "$name page $i");
		push @all, @{ ids($j) };
		$after = $j->{next};
		last unless defined $after;
		$between->();
	}
	ok !defined $after, "$name: the walk ends";
	return \@all;
}

sub bad_param ($user, $query, $name) {
	my $r = api('GET', "/v1/users/$user/notifications?$query");
	is $r->{status}, 400, "$name: 400" or diag $r->{content};
	my $e = ref $r->{json} eq 'HASH' ? $r->{json}{error} // {} : {};
	is_deeply [@$e{qw(status code)}], [400, 'bad_request'],
	    "$name: error 400 bad_request" or diag $r->{content};
	ok length($e->{message} // ''), "$name: a message";
}

# --- Unknown users: empty -------------------------------------------------
for my $u ('ghost', '0b6c0000-0000-4000-8000-00000000dead') {
	my $j = page($u, '', "unknown user $u");
	is_deeply $j, { items => [], next => undef, unread => 0 },
	    "unknown user $u: empty";
	my $r = api('GET', "/v1/users/$u/notifications/count");
	is $r->{status}, 200, "count of unknown $u: 200";
	is_deeply $r->{json}, { total => 0, unread => 0 }, "count of $u: 0/0";
}

# --- 45 rows, distinct times: order, limit, next ------------------------------
my @w = map { create('walker', sprintf('w%02d', $_)) } 1 .. 45;
set_created(map { ($w[$_ - 1] => $BASE + $_ * 1000) } 1 .. 45);
my @newest = reverse @w;
{
	my $j = page('walker', '', 'default limit');
	is_deeply ids($j), [@newest[0 .. 19]], 'default: the 20 newest, in order';
	ok defined $j->{next}, 'default: a next cursor';
	is $j->{unread}, 45, 'unread 45';
	is_deeply [map { $_->{title} } @{ $j->{items} }[0, 1]], ['w45', 'w44'],
	    'newest first';
	$j = page('walker', 'limit=100', 'limit=100');
	is_deeply ids($j), \@newest, 'limit=100: all 45 newest first';
	is $j->{next}, undef, 'limit=100: next null';
	is_deeply ids(page('walker', 'limit=1', 'limit=1')), [$newest[0]],
	    'limit=1: the newest';
	for my $bad (qw(0 101 -1 abc 1.5 10x), '') {
		bad_param('walker', "limit=$bad", "limit=$bad");
	}
	is_deeply walk('walker', 'limit=10', 'limit=10 walk'), \@newest,
	    'limit=10 walk: every row exactly once, in order';
	is_deeply walk('walker', 'limit=15', 'limit=15 walk'), \@newest,
	    'limit=15 walk (the last page is full): every row once';
	bad_param('walker', 'after=not-a-cursor', 'a bad cursor');
	bad_param('walker', 'colour=red', 'an unknown parameter');
	bad_param('walker', 'limit=10&sort=created', 'an unknown parameter');
}

# --- Walk while rows are inserted between pages, equal created times -------
{
	my @busy = map { create('busy', sprintf('b%02d', $_)) } 1 .. 30;
	my $TIE = $BASE + 100_000;
	set_created(map { ($busy[$_ - 1] => $_ <= 7 ? $BASE + $_ * 1000
	    : $_ <= 22 ? $TIE : $BASE + 200_000 + $_ * 1000) } 1 .. 30);
	my %orig = map { $_ => 1 } @busy;
	my $k = 0;
	my $got = walk('busy', 'limit=4', 'busy walk', sub {
		create('busy', 'new ' . ++$k);
		set_created(create('busy', 'new tied ' . ++$k) => $TIE);
	});
	my %seen;
	my @dup = grep { $seen{$_}++ } @$got;
	is_deeply \@dup, [], 'busy walk: no row repeated';
	my @orig_got = grep { $orig{$_} } @$got;
	is scalar(@orig_got), 30, 'busy walk: all 30 rows of the start'
	    or diag 'missing: ' . join(' ', grep { !$seen{$_} } @busy);
	my %t = map { ($busy[$_ - 1] => $_ <= 7 ? $_ : $_ <= 22 ? 100 : 200 + $_) }
	    1 .. 30;
	my @desc = sort { $t{$b} <=> $t{$a} || hex_of($b) cmp hex_of($a) } @busy;
	my @asc = sort { $t{$b} <=> $t{$a} || hex_of($a) cmp hex_of($b) } @busy;
	ok "@orig_got" eq "@desc" || "@orig_got" eq "@asc",
	    'busy walk: created desc, then id' or diag explain \@orig_got;
	cmp_ok $k, '>=', 14, 'rows were inserted between the pages';
}

# --- Filters ---------------------------------------------------------------
my $file = $s->dir . '/t1.tmpl';
{
	open(my $fh, '>', $file) or die "$file: $!";
	print {$fh} "Subject: deploy\n\nDeployed.\n";
	close $fh;
	my ($st, undef, $err) = herald_cli($s, 'template', 'add', 'tmpl', $file);
	is $st, 0, 'template tmpl added' or diag $err;
}
my $TID = join '-', unpack 'A8 A4 A4 A4 A12',
    lc $s->sql_value(q{SELECT HEX(id) FROM templates WHERE name = 'tmpl'});
my %f;
$f{1} = create('filt', 'f1', type => 'build', targets => [$A, $B]);
$f{2} = create('filt', 'f2', type => 'build', targets => [$A]);
$f{3} = create('filt', 'f3', type => 'deploy', targets => [$B],
    template => 'tmpl');
$f{4} = create('filt', 'f4', type => 'deploy', template => 'tmpl');
$f{5} = create('filt', 'f5', type => 'build', targets => [$A, $B, $C]);
create('other', 'o1', type => 'build', targets => [$A, $B, $C],
    template => 'tmpl');
set_created(map { ($f{$_} => $BASE + $_ * 1000) } 1 .. 5);
for my $i (1, 4) {
	my $r = $s->request('PATCH', "/v1/notifications/$f{$i}",
	    { read => JSON::PP::true }, { 'Content-Type' => 'application/json',
	    %$SVC });
	is $r->{status}, 200, "f$i read" or diag $r->{content};
}
for my $c (['', [5, 4, 3, 2, 1]], ['read=true', [4, 1]],
    ['read=false', [5, 3, 2]], ['type=build', [5, 2, 1]],
    ['type=deploy', [4, 3]], ['type=none', []], ['template=tmpl', [4, 3]],
    ["template=$TID", [4, 3]], ["target=$A", [5, 2, 1]],
    ["target=$A&target=$B", [5, 1]], ["target=$B&target=$A", [5, 1]],
    ["target=$C", [5]], ["target=$A&target=$B&target=$C", [5]],
    ["target=$B&target=$C", [5]], ["target=$D", []], ["target=$A&target=$D", []],
    ["target=$A&type=deploy", []], ['read=false&type=build', [5, 2]],
    ["read=false&target=$B", [5, 3]], ["type=deploy&target=$B", [3]]) {
	my ($q, $want) = @$c;
	my $j = page('filt', $q, "filter '$q'");
	is_deeply ids($j), [map { $f{$_} } @$want], "filter '$q': f@$want";
	is $j->{unread}, 3, "filter '$q': unread is the user's total 3";
}
is_deeply walk('filt', "target=$A&limit=1", 'target walk'),
    [@f{5, 2, 1}], 'target=A, limit=1: the cursor keeps the filter';
is_deeply walk('filt', "read=false&limit=2", 'read=false walk'),
    [@f{5, 3, 2}], 'read=false, limit=2: the cursor keeps the filter';
bad_param('filt', 'read=maybe', 'read=maybe');
bad_param('filt', 'read=1', 'read=1');
bad_param('filt', 'target=not-a-uuid', 'a malformed target');
bad_param('filt', "target=$A&target=nope", 'a malformed second target');

# --- {user} as id or name; roles ------------------------------------------------
my $filt_id = do {
	my $r = api('GET', "/v1/notifications/$f{1}");
	$r->{json}{recipient}{id} // '';
};
is_deeply page($filt_id, 'limit=3', 'filt by id'),
    page('filt', 'limit=3', 'filt by name'), '{user} as id or name: the same';
{
	my $own = create('lister', 'mine');
	my $lid = api('GET', "/v1/notifications/$own")->{json}{recipient}{id};
	is_deeply ids(page('lister', '', 'lister by name', $LISTER)), [$own],
	    'a user lists its own by name';
	is_deeply ids(page($lid, '', 'lister by id', $LISTER)), [$own],
	    'a user lists its own by id';
	for my $p ('/v1/users/filt/notifications', "/v1/users/$filt_id/notifications",
	    '/v1/users/filt/notifications/count') {
		my $r = api('GET', $p, $LISTER);
		is $r->{status}, 403, "user GET $p: 403" or diag $r->{content};
		is $r->{json} && $r->{json}{error}{code}, 'forbidden',
		    "user GET $p: forbidden";
	}
	my $r = api('POST', '/v1/users/filt/notifications/read-all', $LISTER);
	is $r->{status}, 403, 'user read-all of another: 403';
	is $r->{json} && $r->{json}{error}{code}, 'forbidden',
	    'user read-all of another: forbidden';
}

# --- count and read-all ------------------------------------------------------------
sub count_is ($user, $total, $unread, $name) {
	my $r = api('GET', "/v1/users/$user/notifications/count");
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	is_deeply $r->{json}, { total => $total, unread => $unread },
	    "$name: total $total, unread $unread";
}
count_is('filt', 5, 3, 'count of filt');
count_is($filt_id, 5, 3, 'count of filt by id');
count_is('walker', 45, 45, 'count of walker');
{
	my $r = api('POST', '/v1/users/filt/notifications/read-all');
	is $r->{status}, 200, 'read-all: 200' or diag $r->{content};
	is_deeply $r->{json}, { updated => 3 }, 'read-all: {"updated":3}';
	count_is('filt', 5, 0, 'after read-all');
	is page('filt', '', 'after read-all')->{unread}, 0, 'list: unread 0';
	is_deeply ids(page('filt', 'read=false', 'unread after read-all')), [],
	    'read=false: nothing';
	$r = api('POST', "/v1/users/$filt_id/notifications/read-all");
	is_deeply $r->{json}, { updated => 0 }, 'read-all again: {"updated":0}';
	count_is('other', 1, 1, 'other is untouched');
}

done_testing;
