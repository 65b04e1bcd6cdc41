#!/usr/bin/perl
# POST /seen and POST /mark-all-seen (agent.md §3.1 #7, #8, §5.1.3, §5.1.10).
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use JSON::PP;
use Herald::Stack;

my $s = Herald::Stack->start;

sub notify (%f) {
	my $r = $s->post('/notification', { subject => 'see me', %f });
	is $r->{status}, 200, "created a $f{type} for '$f{user}'"
	    or diag $r->{content};
	return $r->{json}{id};
}

# success true and a numeric count.
sub counted ($r, $count, $name) {
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i,
	    "$name: JSON content type";
	ok JSON::PP::is_bool($r->{json}{success}) && $r->{json}{success},
	    "$name: success true";
	is Herald::Stack->json_type($r->{content}, 'count'), 'number',
	    "$name: count is a number";
	is $r->{json}{count}, $count, "$name: count $count";
}

sub refused ($r, $code, $name) {
	is $r->{status}, 400, "$name: 400" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i,
	    "$name: JSON content type";
	is $r->{json} && $r->{json}{error_code}, $code, "$name: error_code $code";
}

# The seen flags of a user's notifications: { id => 0/1 }.
sub flags ($user) {
	my $r = $s->get($s->path_q('/messages', user => $user));
	return { map { $_->{message}{id} => ($_->{seen} ? 1 : 0) }
	    @{ $r->{json}{messages} // [] } };
}

sub unseen_count ($user) {
	my $r = $s->get($s->path_q('/count-messages', user => $user,
	    seen => 'false'));
	return $r->{json}{'user-total'};
}

# === POST /seen =================================================================
my ($na, $nb, $nc) = map { notify(type => 'data', user => 'hank') } 1 .. 3;
my $nx = notify(type => 'data', user => 'ivy');
my $unknown = '0D4F3C2B-1A09-4876-9543-210FEDCBA987';

counted($s->post("/seen?user=hank", { uuids => [$na] }), 2, 'seen one');
is_deeply flags('hank'), { $na => 1, $nb => 0, $nc => 0 }, 'only a is seen';

counted($s->post("/seen?user=hank", { uuids => [lc $nb] }), 1,
    'seen by lower-case uuid');
is_deeply flags('hank'), { $na => 1, $nb => 1, $nc => 0 }, 'a and b are seen';

counted($s->post("/seen?user=hank", { uuids => [$na] }), 1,
    'seen again is a no-op');
counted($s->post("/seen?user=hank", { uuids => [$unknown] }), 1,
    'unknown uuid is ignored');
counted($s->post("/seen?user=hank", { uuids => [$nx] }), 1,
    'another user\'s uuid is ignored');
is_deeply flags('ivy'), { $nx => 0 }, 'ivy\'s notification is still unseen';
is unseen_count('ivy'), 1, 'ivy still has one unseen';
counted($s->post("/seen?user=hank", { uuids => [] }), 1,
    'empty uuids is a no-op');
counted($s->post("/seen?user=nobody-here", { uuids => [$nc] }), 0,
    'unknown user: nothing marked, count 0');
is_deeply flags('hank'), { $na => 1, $nb => 1, $nc => 0 },
    'c is untouched by the unknown user';

# Sent exactly like the README's curl -d.
counted($s->post("/seen?user=hank",
    "\n{\n    \"uuids\": [\n        \"$nc\"\n    ]\n}\n"), 0,
    'README-style body');
is_deeply flags('hank'), { $na => 1, $nb => 1, $nc => 1 }, 'all of hank seen';

# Errors: nothing changes.
my ($nd, $ne) = map { notify(type => 'data', user => 'hank') } 1 .. 2;
refused($s->post('/seen?user=hank', {}), 'ERR_BAD_OR_MISSING_FIELD',
    'uuids missing');
refused($s->post('/seen?user=hank', { uuids => $nd }),
    'ERR_BAD_OR_MISSING_FIELD', 'uuids a string');
refused($s->post('/seen?user=hank', { uuids => { id => $nd } }),
    'ERR_BAD_OR_MISSING_FIELD', 'uuids an object');
refused($s->post('/seen?user=hank', { uuids => undef }),
    'ERR_BAD_OR_MISSING_FIELD', 'uuids null');
refused($s->post('/seen?user=hank', { uuids => ['not-a-uuid'] }),
    'ERR_BAD_OR_MISSING_FIELD', 'invalid uuid');
refused($s->post('/seen?user=hank', { uuids => [$nd, 'xyz'] }),
    'ERR_BAD_OR_MISSING_FIELD', 'a valid and an invalid uuid');
refused($s->post('/seen?user=hank', { uuids => [42] }),
    'ERR_BAD_OR_MISSING_FIELD', 'a number as uuid');
refused($s->post('/seen?user=hank', '{"uuids": ['),
    'ERR_INVALID_JSON', 'invalid JSON');
is_deeply flags('hank'), { $na => 1, $nb => 1, $nc => 1, $nd => 0, $ne => 0 },
    'the refused requests changed nothing';
{
	my $r = $s->post('/seen', { uuids => [$nd] });
	refused($r, 'ERR_ILLEGAL_ARGUMENT', 'user missing');
	is $r->{json} && $r->{json}{param}, 'user', 'user missing: param user';
	refused($s->post('/seen?user=', { uuids => [$nd] }),
	    'ERR_ILLEGAL_ARGUMENT', 'user empty');
}
is unseen_count('hank'), 2, 'd and e are still unseen';
counted($s->post("/seen?user=hank", { uuids => [$nd, lc $ne, $unknown, $nx] }),
    0, 'several at once');
is unseen_count('ivy'), 1, 'ivy still has one unseen at the end';

# A deleted notification is not counted as unseen.
{
	my $nf = notify(type => 'data', user => 'hank');
	my $ng = notify(type => 'data', user => 'hank');
	my $r = $s->post('/delete?user=hank', { uuids => [$nf] });
	is $r->{status}, 200, 'f deleted';
	counted($s->post("/seen?user=hank", { uuids => [] }), 1,
	    'count leaves the deleted one out');
	counted($s->post("/seen?user=hank", { uuids => [$ng] }), 0, 'g seen');
}

# === POST /mark-all-seen =================================================
my %jack;
push @{ $jack{data} }, notify(type => 'data', user => 'jack') for 1 .. 2;
push @{ $jack{analysis} }, notify(type => 'analysis', user => 'jack')
    for 1 .. 2;
push @{ $jack{tool} }, notify(type => 'tool_request', user => 'jack');
my $nk = notify(type => 'data', user => 'kate');
my $nl = notify(type => 'data', user => 'kate');

counted($s->post('/mark-all-seen', { user => 'jack', type => 'data' }), 3,
    'mark-all-seen type=data');
is unseen_count('jack'), 3, 'jack: 3 unseen after type=data';
{
	my $r = $s->get('/count-messages?user=jack&filter=data&seen=false');
	is $r->{json}{'user-total'}, 0, 'jack: no unseen data left';
}
counted($s->post('/mark-all-seen', { user => 'jack', filter => 'analysis' }),
    1, 'mark-all-seen filter=analysis');
{
	my $r = $s->get('/count-messages?user=jack&filter=tool_request&seen=false');
	is $r->{json}{'user-total'}, 1, 'jack: tool request still unseen';
}
{
	my $s1 = notify(type => 'tool_request', user => 'jack',
	    subject => 'pick me');
	counted($s->post('/mark-all-seen', { user => 'jack',
	    subject => 'pick me' }), 1, 'mark-all-seen subject=pick me');
	my $r = $s->get('/messages?user=jack&seen=false');
	is_deeply [map { $_->{message}{id} } @{ $r->{json}{messages} // [] }],
	    [$jack{tool}[0]], 'jack: only the other tool request is unseen';
}
counted($s->post('/mark-all-seen', "\n{\n    \"user\": \"jack\"\n}\n"), 0,
    'mark-all-seen README-style body');
is unseen_count('jack'), 0, 'jack: nothing unseen';
is unseen_count('kate'), 2, 'kate is untouched by jack\'s mark-all-seen';
counted($s->post('/mark-all-seen', { user => 'jack' }), 0,
    'mark-all-seen again is a no-op');
counted($s->post('/mark-all-seen', { user => 'nobody-here' }), 0,
    'mark-all-seen unknown user');
{
	my $r = $s->post('/mark-all-seen', {});
	refused($r, 'ERR_ILLEGAL_ARGUMENT', 'mark-all-seen user missing');
	is $r->{json} && $r->{json}{param}, 'user',
	    'mark-all-seen user missing: param user';
	refused($s->post('/mark-all-seen', { user => '' }),
	    'ERR_ILLEGAL_ARGUMENT', 'mark-all-seen user empty');
	refused($s->post('/mark-all-seen', '{"user":'), 'ERR_INVALID_JSON',
	    'mark-all-seen invalid JSON');
}
is unseen_count('kate'), 2, 'kate still has two unseen';
counted($s->post('/mark-all-seen?user=kate', {}), 0,
    'mark-all-seen with user in the query string');
is unseen_count('kate'), 0, 'kate: nothing unseen';

done_testing;
