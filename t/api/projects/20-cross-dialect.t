#!/usr/bin/perl
# One notification, five dialects (issue K, "Both"): made through the agent
# or Coder, it shows in the project tool and in Enterprise Tester for its
# recipient with matching fields, and marking it read in one API shows it
# read in every other.
use v5.36;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });
my $ALICE = bearer(make_token($s, 'alice', 'user'));
my $SVC = bearer(make_token($s, 'svc', 'service'));
my %J = ('Content-Type' => 'application/json');

sub projects_item ($id) {
	my $r = $s->request('GET', "/api/notifications/$id", undef,
	    { %J, %$ALICE });
	is $r->{status}, 200, "project tool: GET $id" or diag $r->{content};
	return $r->{json} // {};
}
sub et_item ($id) {
	my $r = $s->request('GET', "/api/user/alice/notification/$id", undef,
	    { %J, %$ALICE });
	is $r->{status}, 200, "ET: GET $id" or diag $r->{content};
	return $r->{json} // {};
}
sub agent_seen ($id) {
	my $r = $s->get('/messages?user=alice&limit=100', $SVC);
	my ($m) = grep { lc $_->{message}{id} eq $id }
	    @{ $r->{json}{messages} // [] };
	return $m ? ($m->{seen} ? 1 : 0) : undef;
}
sub coder_read ($id) {
	my $r = $s->request('GET', '/api/v2/notifications/inbox', undef,
	    { 'Coder-Session-Token' => ($ALICE->{Authorization} =~ s/^Bearer //r) });
	my ($n) = grep { $_->{id} eq $id } @{ $r->{json}{notifications} // [] };
	return $n ? (defined $n->{read_at} ? 1 : 0) : undef;
}

# --- made through the agent ---------------------------------------------
my $r = $s->post('/notification', { type => 'data', user => 'alice',
    subject => 'Build <1>', message => 'a & b' }, $SVC);
is $r->{status}, 200, 'agent: POST /notification' or diag $r->{content};
my $id = lc($r->{json}{id} // '');
like $id, qr/^[0-9a-f-]{36}\z/, 'agent: its id';

my $p = projects_item($id);
is $p->{id}, $id, 'project tool: the same id';
is $p->{data}{title}, 'Build <1>', 'project tool: data.title is the subject';
is $p->{data}{body}, 'a & b', 'project tool: data.body is the message';
is $p->{read_at}, undef, 'project tool: unread';
my $e = et_item($id);
is $e->{Id}, $id, 'ET: the same id';
is $e->{HtmlSummary}, 'a &amp; b', 'ET: the plain text shown HTML-escaped';
is $e->{Viewed}, JSON::PP::false, 'ET: not viewed';
is agent_seen($id), 0, 'agent: unseen';
is coder_read($id), 0, 'Coder: unread';

# Read in the project tool: read everywhere.
$r = $s->request('POST', "/api/notifications/$id/read", {}, { %J, %$ALICE });
is $r->{status}, 200, 'project tool: mark read' or diag $r->{content};
is et_item($id)->{Viewed}, JSON::PP::true, 'ET: viewed';
is agent_seen($id), 1, 'agent: seen';
is coder_read($id), 1, 'Coder: read';
my $v = $s->get("/v1/notifications/$id", $ALICE);
ok defined $v->{json}{read_at}, '/v1: read_at set';

# Unread in ET: unread everywhere.
$r = $s->request('PATCH', "/api/user/alice/notification/$id",
    { Viewed => JSON::PP::false }, { %J, %$ALICE });
is $r->{status}, 200, 'ET: PATCH Viewed false' or diag $r->{content};
is projects_item($id)->{read_at}, undef, 'project tool: unread again';
is agent_seen($id), 0, 'agent: unseen again';
is coder_read($id), 0, 'Coder: unread again';

# --- made through Coder (a custom notification is the caller's own) -------
$r = $s->request('POST', '/api/v2/notifications/custom',
    { content => { title => 'Deploy', message => 'done' } },
    { %J, 'Coder-Session-Token' => ($ALICE->{Authorization} =~ s/^Bearer //r) });
is $r->{status}, 204, 'Coder: custom notification' or diag $r->{content};
my $list = $s->request('GET', '/api/notifications', undef, { %J, %$ALICE });
my ($c) = grep { ($_->{data}{title} // '') eq 'Deploy' }
    @{ $list->{json}{items} // [] };
ok $c, 'project tool: lists the Coder notification';
is $c && $c->{data}{body}, 'done', '... with its body';
my $et = $s->request('GET', '/api/user/alice/notifications', undef,
    { %J, %$ALICE });
ok((grep { $c && $_->{Id} eq $c->{id} } @{ $et->{json}{Items} // [] }),
    'ET: lists it too');
is $et->{json}{UnviewedTotal}, 2, 'ET: two unviewed';
done_testing;
