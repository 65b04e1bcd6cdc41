#!/usr/bin/perl
# Listings are bounded (issue P item 3): at most list_max rows where the
# client asked for all or for more, at most reply_max bytes in any
# listing, counts exact either way; stored payloads come back as stored.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use JSON::PP;
use Herald::Stack;

my $s = Herald::Stack->start(config => { list_max => 10,
    reply_max => 65536 });

sub notify ($user, $subject, $payload = {}) {
	my $r = $s->post('/notification', { type => 'data', user => $user,
	    subject => $subject, payload => $payload });
	is $r->{status}, 200, "created $subject for $user" or diag $r->{content};
}

notify('many', "n$_") for 1 .. 15;
my $r = $s->get('/unseen-messages?user=many');
is $r->{status}, 200, '/unseen-messages: 200';
is scalar @{ $r->{json}{messages} }, 10, '... list_max (10) rows, not 15';
is $r->{json}{total}, '15', '... total still counts all 15';
is $r->{json}{unseen_total}, '15', '... unseen_total too';
is $r->{headers}{'herald-truncated'}, undef, '... not cut by bytes';
$r = $s->get('/messages?user=many');
is scalar @{ $r->{json}{messages} }, 10, '/messages without limit: 10';
$r = $s->get('/messages?user=many&limit=50');
is scalar @{ $r->{json}{messages} }, 10, '/messages?limit=50: 10';
$r = $s->get('/messages?user=many&limit=4&offset=12');
is scalar @{ $r->{json}{messages} }, 3, 'a smaller page is the page';
is_deeply [map { $_->{subject} } @{ $r->{json}{messages} }],
    [qw(n3 n2 n1)], '... the right one';

# Rows of ~20 KB: a 64 KiB answer holds two or three of them.
my $big = 'x' x 20000;
notify('heavy', "h$_", { blob => $big, i => $_ }) for 1 .. 6;
$r = $s->get('/messages?user=heavy');
is $r->{status}, 200, 'heavy: 200';
my $n = scalar @{ $r->{json}{messages} // [] };
ok $n >= 2 && $n <= 3, "heavy: cut to what fits in reply_max ($n rows)";
is $r->{headers}{'herald-truncated'}, 'true', '... saying so';
is $r->{json}{total}, '6', '... with the exact total';
cmp_ok length($r->{content}), '<', 65536 + 2048, '... within the bound';
is $r->{json}{messages}[0]{payload}{blob}, $big, '... whole rows only';

# A payload comes back as it was posted, escapes and all.
my $p = { text => "quote \" slash / back \\ tab \t nl \n \x{20ac}",
    list => [1, 2.5, JSON::PP::true, undef], nested => { a => { b => [] } } };
notify('pay', 'p', $p);
$r = $s->get('/messages?user=pay');
is_deeply $r->{json}{messages}[0]{payload}, $p, 'payload as posted';
# Dates the original repaired are still repaired.
notify('pay', 'd', { startdate => '2024-05-01T10:11:12Z' });
$r = $s->get('/messages?user=pay&limit=1');
is $r->{json}{messages}[0]{payload}{startdate}, '1714558272000',
    'a formatted startdate is shown as milliseconds';
done_testing;
