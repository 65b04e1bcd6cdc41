#!/usr/bin/perl
# CQL end to end (peers.md §1.3): every relation, boolean, sortby, the
# indexes, the errors, the bounds, and hostile terms -- never a 5xx, and
# nothing changed by a query.  Also the exact wire format of a record.
use v5.36;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use JSON::PP;
use Herald::Stack;

binmode(Test::More->builder->$_, ':encoding(UTF-8)')
    for qw(output failure_output todo_output);

sub uri_escape_utf8 ($v) {
	utf8::encode($v) if utf8::is_utf8($v);
	$v =~ s/([^A-Za-z0-9\-._~])/sprintf('%%%02X', ord $1)/ge;
	return $v;
}

my $s = Herald::Stack->start(config => { auth => 'trusted-network',
    query_max => 16384 });
my %H = ('X-Okapi-Tenant' => 'diku', 'Content-Type' => 'application/json',
    'X-Okapi-User-Id' => '11111111-1111-4111-8111-111111111111');
my $A = '77777777-7777-4777-8777-777777777777';
my $B = '88888888-8888-4888-8888-888888888888';

my @notes = (
    [ 'a0000000-0000-4000-8000-000000000001', $A, 'First notification',
      'users/1234', JSON::PP::false, { item => 'x1', n => 1 } ],
    [ 'a0000000-0000-4000-8000-000000000002', $A, 'Notification on a thing',
      'things/23456', JSON::PP::true, { item => 'x2' } ],
    [ 'a0000000-0000-4000-8000-000000000003', $B, 'Café crème 100% _done_',
      'things/34567', JSON::PP::false, undef ],
    [ 'a0000000-0000-4000-8000-000000000004', $B, "O'Brien; DROP TABLE users",
      'misc/56', JSON::PP::false, undef ],
);
for my $n (@notes) {
	my %b = (id => $n->[0], recipientId => $n->[1], text => $n->[2],
	    link => $n->[3], seen => $n->[4]);
	$b{context} = $n->[5] if $n->[5];
	my $r = $s->post('/notify', \%b, \%H);
	is $r->{status}, 201, "create $n->[0]" or diag $r->{content};
}

sub ids ($q) {
	my $r = $s->get('/notify?limit=100&query=' . uri_escape_utf8($q), \%H);
	return "status $r->{status}: $r->{content}" unless $r->{status} == 200;
	return join ',', map { substr($_->{id}, -1) }
	    @{ $r->{json}{notifications} };
}

my @table = (
	[ 'cql.allRecords=1',			'1,2,3,4' ],
	[ 'text=notification',			'1,2' ],
	[ 'text=NOTIFICATION',			'1,2' ],
	[ 'text="on a thing"',			'2' ],
	[ 'text="a on thing"',			'' ],
	[ 'text adj "on a thing"',		'2' ],
	[ 'text all "thing notification"',	'2' ],
	[ 'text any "first cafe"',		'1,3' ],
	[ 'text=cafe',				'3' ],	# accents
	[ 'text=notif*',			'1,2' ],
	[ 'text=otif',				'' ],	# words, not substrings
	[ 'link=users',				'1' ],
	[ 'link=*56*',				'2,3,4' ],
	[ 'link=="things/*"',			'2,3' ],
	[ 'link=="things/2345?"',		'2' ],
	[ 'link=="THINGS/23456"',		'2' ],
	[ 'link==things',			'' ],
	[ 'text=="Café crème 100% _done_"',	'3' ],
	[ 'text=="Café crème 100\\% \\_done_"',	'3' ],
	[ 'text=="%"',				'' ],	# % is no wildcard
	[ 'link<>"users/1234"',			'2,3,4' ],
	[ 'link<"things/3"',			'2,4' ],
	[ 'link>=things/3',			'1,3' ],
	[ 'seen=true',				'2' ],
	[ 'seen=false',				'1,3,4' ],
	[ 'seen<>true',				'1,3,4' ],
	[ "recipientId=$A",			'1,2' ],
	[ "recipientId==$B",			'3,4' ],
	[ 'id=a0000000-0000-4000-8000-000000000003', '3' ],
	[ 'id=a0000000-0000-4000-8000-00000000000*', '1,2,3,4' ],
	[ 'id==nonsense',			'' ],
	[ 'context.item=x2',			'2' ],
	[ 'context.n=1',			'1' ],
	[ 'context.nothing=1',			'' ],
	[ 'nosuchindex=1',			'' ],
	[ 'nosuchindex=1 or text=first',	'1' ],
	[ 'text=first not nosuchindex=1',	'' ],
	[ 'text=notification and seen=false',	'1' ],
	[ 'text=notification or link=misc',	'1,2,4' ],
	[ 'text=notification not seen=true',	'1' ],
	[ '(text=first or text=thing) and seen=false', '1' ],
	[ 'text=first or (text=thing and seen=true)', '1,2' ],
	[ 'metadata.createdDate>2000-01-01',	'1,2,3,4' ],
	[ 'metadata.updatedDate<2001-01-01',	'' ],
	[ 'metadata.createdByUserId=11111111-1111-4111-8111-111111111111',
	  '1,2,3,4' ],
	[ 'cql.allRecords=1 sortby link',	'4,2,3,1' ],
	[ 'cql.allRecords=1 sortby link/sort.descending', '1,3,2,4' ],
	[ 'cql.allRecords=1 sortby recipientId/sort.descending link',
	  '4,3,2,1' ],
	[ 'cql.allRecords=1 sortby seen text',	'3,1,4,2' ],
	[ "text=\"O'Brien; DROP TABLE users\"",	'4' ],
	[ "text==\"O'Brien; DROP TABLE users\"", '4' ],
	[ 'text="\\"" or text="\\\\"',		'' ],
);
for my $t (@table) {
	is ids($t->[0]), $t->[1], "query $t->[0]";
}

# Errors: 422 in the errors format, never a 5xx.
sub e422 ($q, $name, $msg = undef) {
	my $r = $s->get('/notify?query=' . uri_escape_utf8($q), \%H);
	is $r->{status}, 422, "$name: 422" or diag $r->{content};
	like $r->{content}, qr/"errors" : \[ \{/, "$name: errors format";
	like $r->{content}, qr/\Q$msg\E/, "$name: message" if defined $msg;
}
e422('BADQUERY', 'bare term',
    'cql.serverChoice requested, but no serverChoiceIndexes defined.');
e422('text=', 'no term');
e422('text="unterminated', 'unterminated quote');
e422('(text=a', 'unbalanced (');
e422('text=a)', 'unbalanced )');
e422('text=a and', 'dangling and');
e422('text=a prox text=b', 'prox');
e422('text ~ a', 'unknown relation');
e422('text=a sortby', 'sortby without keys');
e422(join(' or ', map { "text=w$_" } 1 .. 21), 'too many clauses', 'too many');
e422(('(' x 40) . 'text=a' . (')' x 40), 'too deep', 'nested too deeply');
e422('text=' . ('a' x 5000), 'too long', 'too long');
e422('text all "' . join(' ', map { "w$_" } 1 .. 40) . '"', 'too many words');

# Hostile input through the whole path: no 5xx, and nothing changed.
my $before = $s->sql_value('SELECT COUNT(*) FROM notifications WHERE deleted = 0');
for my $q ("'; DELETE FROM notifications; --", "text=\"\\'\" or 1=1",
    "text=') OR 1=1 --", "context.a\$b=1", "context.a'b=1", 'context..=1',
    "text=\x{2028}", "text=*", "text=**?**", 'link==\\', 'text=\\',
    "sortby text/sort.descending", 'cql.serverChoice=x',
    join(' and ', map { "context.k$_=v" } 1 .. 20)) {
	my $r = $s->get('/notify?query=' . uri_escape_utf8($q), \%H);
	ok $r->{status} < 500, "hostile '$q': $r->{status}"
	    or diag $r->{content};
}
my $r = $s->get('/notify?query=text%3D%FF%FE', \%H);
ok $r->{status} >= 400 && $r->{status} < 500, "invalid UTF-8: $r->{status}";
is $s->sql_value('SELECT COUNT(*) FROM notifications WHERE deleted = 0'),
    $before, 'nothing changed by any query';

# The unread-count idiom: limit=0 and an exact total.
$r = $s->get('/notify/user/_self?query=seen%3Dfalse&limit=0',
    { %H, 'X-Okapi-User-Id' => $B });
is $r->{status}, 200, 'unread count: 200';
is $r->{content}, qq({\n  "notifications" : [ ],\n  "totalRecords" : 2\n}),
    'unread count: exact text';

# _self lifts a client sortby out of the wrapped query.
$r = $s->get('/notify/user/_self?query=' . uri_escape_utf8(
    'cql.allRecords=1 sortby link/sort.descending'),
    { %H, 'X-Okapi-User-Id' => $A });
is join(',', map { substr($_->{id}, -1) } @{ $r->{json}{notifications} }),
    '1,2', '_self with sortby';

# totalRecords on every path: a page that is not full is its own count;
# a full one, one past the end and limit=0 count apart (tenant-wide, for
# one user, for one id).  Another tenant counts its own notifications
# only, whichever recipient or id its query names.
my $C = '99999999-9999-4999-8999-999999999999';
$r = $s->post('/notify', { recipientId => $C, text => 'elsewhere' },
    { %H, 'X-Okapi-Tenant' => 'other' });
is $r->{status}, 201, 'a note in another tenant' or diag $r->{content};
my $N1 = 'a0000000-0000-4000-8000-000000000001';
for my $c (
    [ '/notify?limit=2', {}, 2, 4 ],
    [ '/notify?limit=4', {}, 4, 4 ],
    [ '/notify?limit=10', {}, 4, 4 ],
    [ '/notify?limit=2&offset=3', {}, 1, 4 ],
    [ '/notify?limit=2&offset=4', {}, 0, 4 ],
    [ '/notify?limit=2&offset=99', {}, 0, 4 ],
    [ '/notify?limit=0', {}, 0, 4 ],
    [ '/notify?limit=1&query=seen=false', {}, 1, 3 ],
    [ "/notify?limit=0&query=recipientId=$A", {}, 0, 2 ],
    [ "/notify?limit=1&query=recipientId=$A", {}, 1, 2 ],
    [ "/notify?limit=0&query=id=$N1", {}, 0, 1 ],
    [ "/notify?limit=1&query=id=$N1", {}, 1, 1 ],
    [ '/notify/user/_self?limit=1', { 'X-Okapi-User-Id' => $A }, 1, 2 ],
    [ '/notify/user/_self?limit=5&offset=1', { 'X-Okapi-User-Id' => $A },
      1, 2 ],
    [ '/notify/user/_self?limit=0&query=seen=false',
      { 'X-Okapi-User-Id' => $A }, 0, 1 ],
    [ '/notify/user/_self?limit=0', { 'X-Okapi-User-Id' => $A }, 0, 2 ],
    [ '/notify?limit=0', { 'X-Okapi-Tenant' => 'other' }, 0, 1 ],
    [ '/notify?limit=1', { 'X-Okapi-Tenant' => 'other' }, 1, 1 ],
    [ "/notify?limit=0&query=recipientId=$A", { 'X-Okapi-Tenant' => 'other' },
      0, 0 ],
    [ "/notify?limit=0&query=id=$N1", { 'X-Okapi-Tenant' => 'other' }, 0, 0 ],
    [ '/notify/user/_self?limit=0', { 'X-Okapi-Tenant' => 'other',
      'X-Okapi-User-Id' => $A }, 0, 0 ],
    [ '/notify/user/_self?limit=0', { 'X-Okapi-Tenant' => 'other',
      'X-Okapi-User-Id' => $C }, 0, 1 ],
) {
	my ($path, $h, $rows, $total) = @$c;
	my $r = $s->get($path, { %H, %$h });
	my $what = "$path" . (%$h ? ' (' . join(' ', map { "$_=$h->{$_}" }
	    sort keys %$h) . ')' : '');
	is_deeply [ $r->{status}, scalar @{ $r->{json}{notifications} // [] },
	    $r->{json}{totalRecords} ], [ 200, $rows, $total ],
	    "$what: $rows rows of $total" or diag $r->{content};
}

# The record, byte for byte as Jackson writes it.
$r = $s->get('/notify/a0000000-0000-4000-8000-000000000001', \%H);
my $D = qr/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00/;
like $r->{content}, qr/\A\{
  "id" : "a0000000-0000-4000-8000-000000000001",
  "recipientId" : "$A",
  "text" : "First notification",
  "link" : "users\/1234",
  "context" : \{
    "item" : "x1",
    "n" : 1
  \},
  "seen" : false,
  "metadata" : \{
    "createdDate" : "$D",
    "createdByUserId" : "11111111-1111-4111-8111-111111111111",
    "updatedDate" : "$D",
    "updatedByUserId" : "11111111-1111-4111-8111-111111111111"
  \}
\}\z/, 'wire format';
is $r->{headers}{'content-type'}, 'application/json', 'content type';

done_testing;
