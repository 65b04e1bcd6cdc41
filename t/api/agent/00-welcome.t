#!/usr/bin/perl
# The welcome endpoint and unrecognized paths/methods (agent.md §2.3, §2.4).
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use Herald::Stack;

my $s = Herald::Stack->start;

my $WELCOME = "Welcome to the notification agent!\n";

{
	my $r = $s->get('/');
	is $r->{status}, 200, 'GET / is 200';
	is $r->{content}, $WELCOME, 'GET / body is the welcome text';
}
{
	my $r = $s->get('/?expecting=notification-agent');
	is $r->{status}, 200, 'GET /?expecting=notification-agent is 200';
	is $r->{content}, $WELCOME,
	    'GET /?expecting=notification-agent body is the welcome text';
}
{
	my $r = $s->get('/?expecting=other');
	is $r->{status}, 500, 'GET /?expecting=other is 500';
	like $r->{content}, qr/Error: expecting other\./,
	    'GET /?expecting=other body says "Error: expecting other."';
}
{
	my $r = $s->get('/?EXPECTING=other');
	is $r->{status}, 500,
	    'parameter names are case-insensitive: ?EXPECTING=other is 500';
}

# Unknown paths and known paths with the wrong method: 400 text/plain.
for my $case (
	[GET => '/foo'],
	[GET => '/foo/bar?user=x'],
	[GET => '/notifications'],
	[GET => '/seen'],
	[GET => '/seen?user=alice'],
	[GET => '/delete-all?user=alice'],
	[GET => '/mark-all-seen'],
	[GET => '/delete?user=alice'],
	[GET => '/notification'],
	[POST => '/messages?user=alice'],
	[POST => '/unseen-messages?user=alice'],
	[POST => '/count-messages?user=alice'],
	[DELETE => '/messages?user=alice'],
	[PUT => '/notification'],
	[POST => '/delete-all?user=alice'],
	[DELETE => '/seen?user=alice'],
    ) {
	my ($m, $p) = @$case;
	my $r = $s->request($m, $p, $m eq 'GET' || $m eq 'DELETE' ? undef : '{}');
	is $r->{status}, 400, "$m $p is 400";
	like $r->{content_type}, qr{^text/plain\b}i, "$m $p is text/plain";
	is $r->{content}, "Unrecognized service path.\n",
	    "$m $p body is 'Unrecognized service path.'";
}

# The pool is up: one master and the default two workers.
my @pids = $s->herald_pids;
is scalar(@pids), 3, 'herald runs a master and 2 workers';

done_testing;
