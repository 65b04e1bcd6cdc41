#!/usr/bin/perl
# GET /messages: filters, sorting, paging, parameter handling
# (agent.md §3.1 #3, §5.1.4-7).
use v5.36;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use Time::HiRes qw(sleep);
use JSON::PP;
use Herald::Stack;

binmode(Test::More->builder->$_, ':encoding(UTF-8)')
    for qw(output failure_output todo_output);

my $s = Herald::Stack->start;

sub jtype ($r, @path) { Herald::Stack->json_type($r->{content}, @path) }

sub notify (%f) {
	my $r = $s->post('/notification', \%f);
	is $r->{status}, 200, "created '$f{subject}' for '$f{user}'"
	    or diag $r->{content};
	sleep 0.004;	# distinct millisecond timestamps
	return $r->{json}{id};
}

sub seen ($user, @ids) {
	my $r = $s->post($s->path_q('/seen', user => $user), { uuids => \@ids });
	is $r->{status}, 200, "marked @{[scalar @ids]} seen for $user"
	    or diag $r->{content};
}

# GET a listing; return the response and the subjects in order.
sub msgs ($path) {
	my $r = $s->get($path);
	my @subj = map { $_->{subject} } @{ $r->{json}{messages} // [] };
	return ($r, \@subj);
}

# Check a listing: status 200, the subjects in order, total and unseen_total
# as strings.
sub listing_is ($path, $subjects, $total, $unseen, $name) {
	my ($r, $got) = msgs($path);
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	is_deeply $got, $subjects, "$name: messages @$subjects"
	    or diag explain $got;
	is jtype($r, 'total'), 'string', "$name: total is a string";
	is $r->{json}{total}, $total, "$name: total $total";
	if (defined $unseen) {
		is jtype($r, 'unseen_total'), 'string',
		    "$name: unseen_total is a string";
		is $r->{json}{unseen_total}, $unseen,
		    "$name: unseen_total $unseen";
	}
	return $r;
}

sub bad_request ($path, $code, $param, $name) {
	my $r = $s->get($path);
	is $r->{status}, 400, "$name: 400" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i,
	    "$name: JSON content type";
	if (defined $code) {
		is $r->{json} && $r->{json}{error_code}, $code,
		    "$name: error_code $code";
	} else {
		ok $r->{json} && defined $r->{json}{error_code},
		    "$name: has an error_code";
	}
	is $r->{json} && $r->{json}{param}, $param, "$name: param $param"
	    if defined $param;
}

# --- Data ----------------------------------------------------------------
# carol: n1..n5 in creation order; n1 and n2 seen.
my %id;
$id{n1} = notify(type => 'data', user => 'carol', subject => 'b-subject');
$id{n2} = notify(type => 'analysis', user => 'carol', subject => 'a-subject');
$id{n3} = notify(type => 'tool_request', user => 'carol',
    subject => 'd-subject');
$id{n4} = notify(type => 'data', user => 'carol', subject => 'c-subject');
$id{n5} = notify(type => 'DATA', user => 'carol', subject => 'e-subject');
$id{d1} = notify(type => 'data', user => 'dave', subject => 'dave-1');
$id{d2} = notify(type => 'data', user => 'dave', subject => 'dave-2');
seen('carol', $id{n1}, $id{n2});

my @newest_first = qw(e-subject c-subject d-subject a-subject b-subject);
my @oldest_first = reverse @newest_first;

# --- Shape ------------------------------------------------------------------
{
	my $r = listing_is('/messages?user=carol', \@newest_first, '5', '3',
	    'default listing');
	like $r->{content_type}, qr{^application/json\b}i,
	    'listing: JSON content type';
	is jtype($r, 'system-messages'), 'array',
	    'listing: system-messages is an array';
	is_deeply $r->{json}{'system-messages'}, [],
	    'listing: system-messages is empty';
	my @users = map { $_->{user} } @{ $r->{json}{messages} // [] };
	is_deeply \@users, [('carol') x 5], 'only carol\'s notifications';
	my %shown = map { $_->{message}{id} => $_ } @{ $r->{json}{messages} };
	ok !exists $shown{$id{d1}} && !exists $shown{$id{d2}},
	    'dave\'s notifications are not in carol\'s listing';
	my $n4 = $shown{$id{n4}} // {};
	is $n4->{type}, 'data', 'n4 type';
	is $n4->{subject}, 'c-subject', 'n4 subject';
	ok JSON::PP::is_bool($n4->{seen}) && !$n4->{seen}, 'n4 unseen';
	my $n1 = $shown{$id{n1}} // {};
	ok JSON::PP::is_bool($n1->{seen}) && $n1->{seen}, 'n1 seen';
	is $shown{$id{n3}}{type}, 'tool request', 'n3 type shown with a space';
	is $shown{$id{n5}}{type}, 'DATA', 'n5 type DATA as posted';
	my @ts = map { int($_->{message}{timestamp}) } @{ $r->{json}{messages} };
	is_deeply \@ts, [sort { $b <=> $a } @ts],
	    'default order: timestamps descending';
}

# --- Paging ----------------------------------------------------------------
listing_is('/messages?user=carol&limit=2', [@newest_first[0, 1]], '5', '3',
    'limit=2');
listing_is('/messages?user=carol&limit=2&offset=2', [@newest_first[2, 3]],
    '5', '3', 'limit=2 offset=2');
listing_is('/messages?user=carol&limit=2&offset=4', [$newest_first[4]],
    '5', '3', 'limit=2 offset=4');
listing_is('/messages?user=carol&limit=2&offset=10', [], '5', '3',
    'offset past the end');
listing_is('/messages?user=carol&offset=3', [@newest_first[3, 4]], '5', '3',
    'offset=3 without limit');
listing_is('/messages?user=carol&limit=0', \@newest_first, '5', '3',
    'limit=0 means no limit');
listing_is('/messages?user=carol&limit=-1', \@newest_first, '5', '3',
    'negative limit means no limit');
listing_is('/messages?user=carol&limit=0&offset=0', \@newest_first, '5',
    '3', 'limit=0 offset=0');
listing_is('/messages?user=carol&limit=10', \@newest_first, '5', '3',
    'limit above the count');

# --- seen --------------------------------------------------------------------
listing_is('/messages?user=carol&seen=true', [qw(a-subject b-subject)], '2',
    '3', 'seen=true');
listing_is('/messages?user=carol&seen=false',
    [qw(e-subject c-subject d-subject)], '3', '3', 'seen=false');
listing_is('/messages?user=carol&seen=TRUE', [qw(a-subject b-subject)], '2',
    '3', 'seen=TRUE');
listing_is('/messages?user=carol&seen=False',
    [qw(e-subject c-subject d-subject)], '3', '3', 'seen=False');
listing_is('/messages?user=carol&seen=true&limit=1', ['a-subject'], '2', '3',
    'seen=true limit=1: total counts all seen');
bad_request('/messages?user=carol&seen=maybe', undef, undef, 'seen=maybe');
bad_request('/messages?user=carol&seen=1x', undef, undef, 'seen=1x');

# --- filter ------------------------------------------------------------------
listing_is('/messages?user=carol&filter=data', [qw(c-subject b-subject)],
    '2', '1', 'filter=data (not the stored DATA)');
listing_is('/messages?user=carol&filter=DATA', [qw(c-subject b-subject)],
    '2', '1', 'filter=DATA is lower-cased to data');
listing_is('/messages?user=carol&filter=analysis', ['a-subject'], '1', '0',
    'filter=analysis');
listing_is('/messages?user=carol&filter=tool%20request', ['d-subject'], '1',
    '1', 'filter=tool%20request matches tool_request');
listing_is('/messages?user=carol&filter=tool+request', ['d-subject'], '1',
    '1', 'filter=tool+request matches tool_request');
listing_is('/messages?user=carol&filter=tool_request', ['d-subject'], '1',
    '1', 'filter=tool_request');
listing_is('/messages?user=carol&filter=Tool%20Request', ['d-subject'], '1',
    '1', 'filter=Tool%20Request');
listing_is('/messages?user=carol&filter=tool', [], '0', '0',
    'filter=tool matches no tool_request');
listing_is('/messages?user=carol&filter=new',
    [qw(e-subject c-subject d-subject)], '3', '3', 'filter=new is unseen');
listing_is('/messages?user=carol&filter=new&seen=true',
    [qw(e-subject c-subject d-subject)], '3', '3',
    'filter=new overrides seen=true');
listing_is('/messages?user=carol&filter=data&seen=false', ['c-subject'],
    '1', '1', 'filter=data seen=false');
listing_is('/messages?user=carol&filter=data&seen=true', ['b-subject'],
    '1', '1', 'filter=data seen=true: unseen_total ignores seen');
listing_is('/messages?user=carol&filter=nothing', [], '0', '0',
    'filter with no match');
listing_is('/messages?user=carol&filter=%25', [], '0', '0',
    'filter=% is no wildcard');
listing_is('/messages?user=carol&filter=dat%25', [], '0', '0',
    'filter=dat% is no wildcard');
listing_is('/messages?user=carol&filter=dat_', [], '0', '0',
    'filter=dat_ is no wildcard');
{
	notify(type => 'data ', user => 'padded', subject => 'type with a space');
	notify(type => 'data', user => 'padded', subject => 'plain type');
	listing_is('/messages?user=padded&filter=data', ['plain type'], '1', '1',
	    'filter=data does not match the type "data "');
}

# --- Sorting -----------------------------------------------------------------
my @by_subject = qw(a-subject b-subject c-subject d-subject e-subject);
listing_is('/messages?user=carol&sortField=subject&sortDir=asc',
    \@by_subject, '5', '3', 'sortField=subject sortDir=asc');
listing_is('/messages?user=carol&sortField=subject',
    [reverse @by_subject], '5', '3', 'sortField=subject defaults to desc');
listing_is('/messages?user=carol&sortField=subject&sortDir=DESC',
    [reverse @by_subject], '5', '3', 'sortDir=DESC');
listing_is('/messages?user=carol&sortfield=subject&sortdir=asc',
    \@by_subject, '5', '3', 'sortfield/sortdir');
listing_is('/messages?user=carol&sort_field=subject&sort_dir=asc',
    \@by_subject, '5', '3', 'sort_field/sort_dir');
listing_is('/messages?user=carol&sort-field=subject&sort-dir=asc',
    \@by_subject, '5', '3', 'sort-field/sort-dir');
listing_is('/messages?USER=carol&SORTFIELD=subject&SORTDIR=asc',
    \@by_subject, '5', '3', 'upper-case parameter names');
listing_is('/messages?user=carol&sortField=SUBJECT&sortDir=Asc',
    \@by_subject, '5', '3', 'sortField and sortDir values in any case');
listing_is('/messages?user=carol&sortField=timestamp&sortDir=asc',
    \@oldest_first, '5', '3', 'sortField=timestamp asc');
listing_is('/messages?user=carol&sortField=date_created&sortDir=asc',
    \@oldest_first, '5', '3', 'sortField=date_created asc');
listing_is('/messages?user=carol&sortField=date_created&sortDir=desc',
    \@newest_first, '5', '3', 'sortField=date_created desc');
listing_is('/messages?user=carol&sortDir=asc&limit=2&offset=1',
    [@oldest_first[1, 2]], '5', '3', 'asc with paging');
{
	my %subj_of = map { $id{$_} => $_ } qw(n1 n2 n3 n4 n5);
	my %subject = (n1 => 'b-subject', n2 => 'a-subject', n3 => 'd-subject',
	    n4 => 'c-subject', n5 => 'e-subject');
	my @by_uuid = map { $subject{ $subj_of{$_} } }
	    sort { lc $a cmp lc $b } map { $id{$_} } qw(n1 n2 n3 n4 n5);
	listing_is('/messages?user=carol&sortField=uuid&sortDir=asc',
	    \@by_uuid, '5', '3', 'sortField=uuid asc');
	listing_is('/messages?user=carol&sortField=uuid&sortDir=desc',
	    [reverse @by_uuid], '5', '3', 'sortField=uuid desc');
}
bad_request('/messages?user=carol&sortDir=sideways', 'ERR_ILLEGAL_ARGUMENT',
    undef, 'sortDir=sideways');
bad_request('/messages?user=carol&sortField=bogus', undef, undef,
    'sortField=bogus');
bad_request('/messages?user=carol&sortField=user', undef, undef,
    'sortField=user (a column, but not sortable)');
bad_request('/messages?user=carol&sortField=subject%3BDROP%20TABLE%20users',
    undef, undef, 'sortField with SQL');

# --- limit/offset validation ------------------------------------------------
bad_request('/messages?user=carol&limit=abc', 'ERR_ILLEGAL_ARGUMENT', 'limit',
    'limit=abc');
bad_request('/messages?user=carol&limit=1.5', 'ERR_ILLEGAL_ARGUMENT', 'limit',
    'limit=1.5');
bad_request('/messages?user=carol&limit=10x', 'ERR_ILLEGAL_ARGUMENT', 'limit',
    'limit=10x');
bad_request('/messages?user=carol&offset=abc', 'ERR_ILLEGAL_ARGUMENT',
    'offset', 'offset=abc');

# --- user ----------------------------------------------------------------------
bad_request('/messages', 'ERR_ILLEGAL_ARGUMENT', 'user', 'user missing');
bad_request('/messages?user=', 'ERR_ILLEGAL_ARGUMENT', 'user', 'user empty');
bad_request('/messages?user=%20%20', 'ERR_ILLEGAL_ARGUMENT', 'user',
    'user blank');
bad_request('/messages?limit=1', 'ERR_ILLEGAL_ARGUMENT', 'user',
    'user missing with other parameters');
listing_is('/messages?user=nobody-at-all', [], '0', '0', 'unknown user');
{
	my $r = $s->get('/messages?user=nobody-at-all');
	is_deeply $r->{json}{'system-messages'}, [],
	    'unknown user: system-messages empty';
}
listing_is('/messages?user=dave', [qw(dave-2 dave-1)], '2', '2',
    'dave sees only his own');

# Users are compared exactly: case and trailing spaces matter.
listing_is('/messages?user=Carol', [], '0', '0', 'user Carol is not carol');
listing_is('/messages?user=carol%20', [], '0', '0',
    'user "carol " is not carol');

# Percent-decoding with + as a space.
notify(type => 'data', user => 'a b', subject => 'spaced user');
listing_is('/messages?user=a+b', ['spaced user'], '1', '1',
    'user=a+b is user "a b"');
listing_is('/messages?user=a%20b', ['spaced user'], '1', '1',
    'user=a%20b is user "a b"');
listing_is('/messages?user=a%2Bb', [], '0', '0', 'user=a%2Bb is user "a+b"');
notify(type => 'data', user => 'a+b', subject => 'plus user');
listing_is('/messages?user=a%2Bb', ['plus user'], '1', '1',
    'user=a%2Bb finds "a+b"');
notify(type => 'data', user => 'zoë', subject => 'unicode user');
listing_is('/messages?user=zo%C3%AB', ['unicode user'], '1', '1',
    'percent-encoded UTF-8 user');

# --- SQL metacharacters in user, type and filter --------------------------------
{
	my $user = q{o'brien; DROP TABLE x--};
	my $type = q{it's";--%};
	notify(type => $type, user => $user, subject => q{sub'ject"; --});
	notify(type => 'data', user => $user, subject => 'plain');
	listing_is($s->path_q('/messages', user => $user),
	    ['plain', q{sub'ject"; --}], '2', '2', 'user with quotes');
	listing_is($s->path_q('/messages', user => $user, filter => $type),
	    [q{sub'ject"; --}], '1', '1', 'filter with quotes');
	listing_is($s->path_q('/messages', user => $user,
	    filter => q{data' OR '1'='1}), [], '0', '0', 'filter injection');
	listing_is($s->path_q('/messages', user => q{carol' OR '1'='1}),
	    [], '0', '0', 'user injection');
	listing_is($s->path_q('/messages', user => $user, sortField => 'subject',
	    sortDir => 'asc'), ['plain', q{sub'ject"; --}], '2', '2',
	    'sort by subject with quotes');
}

done_testing;
