#!/usr/bin/perl
# GET /count-messages (agent.md §3.1 #6, §5.1.9).
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use Herald::Stack;

my $s = Herald::Stack->start;

sub notify (%f) {
	my $r = $s->post('/notification', { subject => 'count me', %f });
	is $r->{status}, 200, "created a $f{type} for '$f{user}'"
	    or diag $r->{content};
	return $r->{json}{id};
}

my @KEYS = qw(user-total system-total system-total-new system-total-unseen);

# count_is(query, user-total, name): all four fields numbers, system ones 0.
sub count_is ($query, $user_total, $name) {
	my $r = $s->get("/count-messages?$query");
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i,
	    "$name: JSON content type";
	for my $k (@KEYS) {
		is Herald::Stack->json_type($r->{content}, $k), 'number',
		    "$name: $k is a number";
	}
	is $r->{json}{'user-total'}, $user_total, "$name: user-total $user_total";
	is $r->{json}{$_}, 0, "$name: $_ 0" for @KEYS[1 .. 3];
}

sub bad ($query, $name) {
	my $r = $s->get("/count-messages?$query");
	is $r->{status}, 400, "$name: 400" or diag $r->{content};
	ok $r->{json} && defined $r->{json}{error_code}, "$name: has error_code";
	return $r;
}

# gina: data x3 (one seen), analysis x2 (one seen), tool_request x1, DATA x1
my @data = map { notify(type => 'data', user => 'gina') } 1 .. 3;
my @analysis = map { notify(type => 'analysis', user => 'gina') } 1 .. 2;
my $tool = notify(type => 'tool_request', user => 'gina');
notify(type => 'DATA', user => 'gina');
notify(type => 'data', user => 'hal') for 1 .. 2;
{
	my $r = $s->post('/seen?user=gina', { uuids => [$data[0], $analysis[0]] });
	is $r->{status}, 200, 'two of gina\'s marked seen';
}

count_is('user=gina', 7, 'all');
count_is('user=gina&seen=true', 2, 'seen=true');
count_is('user=gina&seen=false', 5, 'seen=false');
count_is('user=gina&seen=TRUE', 2, 'seen=TRUE');
count_is('user=gina&seen=FALSE', 5, 'seen=FALSE');
count_is('user=gina&filter=data', 3, 'filter=data');
count_is('user=gina&filter=DATA', 3, 'filter=DATA is lower-cased');
count_is('user=gina&filter=data&seen=false', 2, 'filter=data seen=false');
count_is('user=gina&filter=data&seen=true', 1, 'filter=data seen=true');
count_is('user=gina&filter=analysis', 2, 'filter=analysis');
count_is('user=gina&filter=tool%20request', 1, 'filter=tool%20request');
count_is('user=gina&filter=tool_request', 1, 'filter=tool_request');
count_is('user=gina&filter=new', 5, 'filter=new counts unseen');
count_is('user=gina&filter=new&seen=true', 5, 'filter=new overrides seen');
count_is('user=gina&filter=nothing', 0, 'filter with no match');
count_is('USER=gina&SEEN=true', 2, 'upper-case parameter names');
count_is('user=gina&limit=1&offset=3', 7, 'limit and offset do not apply');
count_is('user=hal', 2, 'hal counts only his own');
count_is('user=nobody-here', 0, 'unknown user');
count_is('user=Gina', 0, 'user names are case-sensitive');

{
	my $r = bad('', 'user missing');
	is $r->{json} && $r->{json}{error_code}, 'ERR_ILLEGAL_ARGUMENT',
	    'user missing: ERR_ILLEGAL_ARGUMENT';
	is $r->{json} && $r->{json}{param}, 'user', 'user missing: param user';
	$r = bad('user=', 'user empty');
	is $r->{json} && $r->{json}{param}, 'user', 'user empty: param user';
}
bad('user=gina&seen=maybe', 'seen=maybe');

# Deleted notifications are not counted.
{
	my $r = $s->post('/delete?user=gina', { uuids => [$data[1], $tool] });
	is $r->{status}, 200, 'two of gina\'s deleted';
}
count_is('user=gina', 5, 'after delete: all');
count_is('user=gina&filter=data', 2, 'after delete: filter=data');
count_is('user=gina&filter=new', 3, 'after delete: filter=new');
count_is('user=gina&filter=tool%20request', 0, 'after delete: tool request');
{
	my $r = $s->post('/mark-all-seen', { user => 'gina' });
	is $r->{status}, 200, 'gina marks all seen';
}
count_is('user=gina&seen=false', 0, 'after mark-all-seen: none unseen');
count_is('user=gina&seen=true', 5, 'after mark-all-seen: all seen');
count_is('user=hal&seen=false', 2, 'after mark-all-seen: hal untouched');

done_testing;
