#!/usr/bin/perl
# GET /unseen-messages and GET /last-ten-messages (agent.md §3.1 #4, #5, §5.1.8).
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use Time::HiRes qw(sleep);
use JSON::PP;
use Herald::Stack;

my $s = Herald::Stack->start;

sub jtype ($r, @path) { Herald::Stack->json_type($r->{content}, @path) }

sub notify (%f) {
	my $r = $s->post('/notification', { type => 'data', %f });
	is $r->{status}, 200, "created '$f{subject}' for '$f{user}'"
	    or diag $r->{content};
	sleep 0.004;	# distinct millisecond timestamps
	return $r->{json}{id};
}

sub post_ok ($path, $body, $name) {
	my $r = $s->post($path, $body);
	is $r->{status}, 200, $name or diag $r->{content};
	return $r;
}

sub subjects ($r) { [map { $_->{subject} } @{ $r->{json}{messages} // [] }] }

sub user_error ($path) {
	my $r = $s->get($path);
	is $r->{status}, 400, "$path: 400" or diag $r->{content};
	is $r->{json} && $r->{json}{error_code}, 'ERR_ILLEGAL_ARGUMENT',
	    "$path: ERR_ILLEGAL_ARGUMENT";
	is $r->{json} && $r->{json}{param}, 'user', "$path: param user";
}

# === /unseen-messages ==========================================================
my %id;
$id{$_} = notify(user => 'erin', subject => $_) for qw(u1 u2 u3 u4);
notify(user => 'other', subject => 'not erin');
post_ok('/seen?user=erin', { uuids => [$id{u2}] }, 'u2 marked seen');

{
	my $r = $s->get('/unseen-messages?user=erin');
	is $r->{status}, 200, 'unseen-messages: 200';
	like $r->{content_type}, qr{^application/json\b}i,
	    'unseen-messages: JSON content type';
	is_deeply subjects($r), [qw(u1 u3 u4)],
	    'unseen-messages: only unseen, oldest first';
	is jtype($r, 'total'), 'string', 'unseen-messages: total is a string';
	is $r->{json}{total}, '3', 'unseen-messages: total 3';
	is $r->{json}{unseen_total}, '3', 'unseen-messages: unseen_total 3';
	is jtype($r, 'system-messages'), 'array',
	    'unseen-messages: system-messages is an array';
	my @seen = map { $_->{seen} } @{ $r->{json}{messages} // [] };
	is scalar(grep { JSON::PP::is_bool($_) && !$_ } @seen), 3,
	    'unseen-messages: every message has seen false';
	my @ts = map { int($_->{message}{timestamp}) }
	    @{ $r->{json}{messages} // [] };
	is_deeply \@ts, [sort { $a <=> $b } @ts],
	    'unseen-messages: timestamps ascending';
}
{
	my $r = $s->get('/unseen-messages?user=erin&limit=1&offset=1&seen=true'
	    . '&sortDir=desc&sortField=subject&filter=analysis');
	is $r->{status}, 200, 'unseen-messages with other params: 200';
	is_deeply subjects($r), [qw(u1 u3 u4)],
	    'unseen-messages: limit, offset, seen, sort and filter ignored';
	is $r->{json}{total}, '3', 'unseen-messages with other params: total 3';
}
{
	my $r = $s->get('/unseen-messages?user=nobody-here');
	is $r->{status}, 200, 'unseen-messages unknown user: 200';
	is_deeply $r->{json}{messages}, [],
	    'unseen-messages unknown user: no messages';
	is $r->{json}{total}, '0', 'unseen-messages unknown user: total "0"';
}
user_error('/unseen-messages');
user_error('/unseen-messages?user=');

post_ok('/delete?user=erin', { uuids => [$id{u3}] }, 'u3 deleted');
{
	my $r = $s->get('/unseen-messages?user=erin');
	is_deeply subjects($r), [qw(u1 u4)],
	    'unseen-messages: a deleted notification is gone';
	is $r->{json}{total}, '2', 'unseen-messages after delete: total 2';
}
post_ok('/mark-all-seen', { user => 'erin' }, 'erin marks all seen');
{
	my $r = $s->get('/unseen-messages?user=erin');
	is_deeply subjects($r), [], 'unseen-messages after mark-all-seen: none';
	is $r->{json}{total}, '0', 'unseen-messages after mark-all-seen: "0"';
}

# === /last-ten-messages ==========================================================
my @subj = map { sprintf 'm%02d', $_ } 1 .. 12;
$id{$_} = notify(user => 'frank', subject => $_) for @subj;
notify(user => 'other', subject => 'not frank');
post_ok('/seen?user=frank', { uuids => [@id{qw(m05 m12)}] },
    'm05 and m12 marked seen');

{
	my $r = $s->get('/last-ten-messages?user=frank');
	is $r->{status}, 200, 'last-ten: 200';
	like $r->{content_type}, qr{^application/json\b}i,
	    'last-ten: JSON content type';
	is_deeply subjects($r), [@subj[2 .. 11]],
	    'last-ten: the 10 newest (m03..m12), oldest first';
	my @ts = map { int($_->{message}{timestamp}) }
	    @{ $r->{json}{messages} // [] };
	is_deeply \@ts, [sort { $a <=> $b } @ts],
	    'last-ten: timestamps ascending';
	is jtype($r, 'total'), 'string', 'last-ten: total is a string';
	is $r->{json}{total}, '12', 'last-ten: total counts all 12';
	is jtype($r, 'unseen_total'), 'string',
	    'last-ten: unseen_total is a string';
	is $r->{json}{unseen_total}, '10', 'last-ten: unseen_total 10';
	my %by = map { $_->{subject} => $_ } @{ $r->{json}{messages} // [] };
	ok JSON::PP::is_bool($by{m12}{seen}) && $by{m12}{seen},
	    'last-ten: m12 shows seen';
	ok JSON::PP::is_bool($by{m11}{seen}) && !$by{m11}{seen},
	    'last-ten: m11 shows unseen';
	is $by{m12}{message}{id}, $id{m12}, 'last-ten: m12 has its id';
}
{
	my $r = $s->get('/last-ten-messages?user=frank&limit=3&sortDir=desc'
	    . '&seen=false&filter=analysis');
	is_deeply subjects($r), [@subj[2 .. 11]],
	    'last-ten: other parameters ignored';
}
post_ok('/delete?user=frank', { uuids => [$id{m12}, $id{m03}] },
    'm12 and m03 deleted');
{
	my $r = $s->get('/last-ten-messages?user=frank');
	is_deeply subjects($r), [qw(m01 m02 m04 m05 m06 m07 m08 m09 m10 m11)],
	    'last-ten: deleted ones skipped';
	is $r->{json}{total}, '10', 'last-ten after delete: total 10';
	is $r->{json}{unseen_total}, '9', 'last-ten after delete: unseen_total 9';
}
{
	my $r = $s->get('/last-ten-messages?user=other');
	is_deeply subjects($r), ['not erin', 'not frank'],
	    'last-ten: fewer than ten';
	is $r->{json}{total}, '2', 'last-ten fewer than ten: total 2';
}
{
	my $r = $s->get('/last-ten-messages?user=nobody-here');
	is $r->{status}, 200, 'last-ten unknown user: 200';
	is_deeply $r->{json}{messages}, [], 'last-ten unknown user: no messages';
	is $r->{json}{total}, '0', 'last-ten unknown user: total "0"';
}
user_error('/last-ten-messages');
user_error('/last-ten-messages?user=%20');

done_testing;
