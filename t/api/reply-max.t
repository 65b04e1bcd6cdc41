#!/usr/bin/perl
# reply_max bounds the Coder inbox, the project tool's lists and ET's
# collection (issue Q): past it, each answers its own 500, never a cut
# body; one notification of the same still fits and is answered.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token',
    reply_max => 65536 });
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $TOKEN = make_token($s, 'carol', 'user');
my $CODER = { 'Coder-Session-Token' => $TOKEN };
my $BEARER = bearer($TOKEN);

my @ids;
for my $i (1 .. 3) {
	my $r = $s->post('/v1/notifications', { recipient => 'carol',
	    title => "big $i", body => "x/" x 15000 },
	    { 'Content-Type' => 'application/json', %$SVC });
	is $r->{status}, 201, "created big $i" or diag $r->{content};
	push @ids, $r->{json}{id};
}
my $hex = lc $s->sql_value("SELECT HEX(id) FROM users WHERE "
    . "username = 'carol'");
my $U = $hex =~ s/^(.{8})(.{4})(.{4})(.{4})(.{12})$/$1-$2-$3-$4-$5/r;

my $r = $s->get('/api/v2/notifications/inbox', $CODER);
is $r->{status}, 500, 'Coder inbox past reply_max: 500';
is_deeply $r->{json}, { message => 'Failed to get filtered inbox '
    . 'notifications.', detail => 'the answer is larger than reply_max' },
    "... in Coder's words" or diag $r->{content};
$r = $s->put("/api/v2/notifications/inbox/$ids[0]/read-status",
    { is_read => JSON::PP::false }, $CODER);
is $r->{status}, 200, 'Coder read-status of one: 200';
is $r->{json}{notification}{content}, "x/" x 15000, '... whole';

for my $path ('/api/notifications', '/api/latest-notifications') {
	$r = $s->get($path, $BEARER);
	is $r->{status}, 500, "project tool $path past reply_max: 500";
	is $r->{json}{type}, 'InternalServerError', "... Apiato's type"
	    or diag $r->{content};
}
$r = $s->get("/api/notifications/$ids[1]", $BEARER);
is $r->{status}, 200, 'project tool, one: 200';
is $r->{json}{data}{body}, "x/" x 15000, '... whole';

$r = $s->get("/api/user/$U/notifications", $SVC);
is $r->{status}, 500, 'ET collection past reply_max: 500';
is_deeply $r->{json}, { Message => 'An error has occurred.' },
    "... ET's message" or diag $r->{content};
$r = $s->get("/api/user/$U/notifications?\$top=1", $SVC);
is $r->{status}, 200, 'ET, a page of one: 200';
is length($r->{json}{Items}[0]{HtmlSummary}), 30000, '... whole';

done_testing();
