#!/usr/bin/perl
# POST /delete and DELETE /delete-all (agent.md §3.1 #9, #10, §5.1.2, §5.1.11).
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use JSON::PP;
use Herald::Stack;

my $s = Herald::Stack->start;

sub notify (%f) {
	my $r = $s->post('/notification', { subject => 'delete me', %f });
	is $r->{status}, 200, "created a $f{type} for '$f{user}'"
	    or diag $r->{content};
	return $r->{json}{id};
}

sub seen ($user, @ids) {
	my $r = $s->post($s->path_q('/seen', user => $user), { uuids => \@ids });
	is $r->{status}, 200, "marked seen for $user" or diag $r->{content};
}

sub ids ($path) {
	my $r = $s->get($path);
	return [sort map { $_->{message}{id} } @{ $r->{json}{messages} // [] }];
}
sub listed ($user) { ids($s->path_q('/messages', user => $user)) }
sub unseen ($user) { ids($s->path_q('/unseen-messages', user => $user)) }
sub counted ($user) {
	my $r = $s->get($s->path_q('/count-messages', user => $user));
	return $r->{json}{'user-total'};
}

sub deleted_ok ($r, $name) {
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i,
	    "$name: JSON content type";
	ok JSON::PP::is_bool($r->{json}{success}) && $r->{json}{success},
	    "$name: success true";
}

sub refused ($r, $code, $name) {
	is $r->{status}, 400, "$name: 400" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i,
	    "$name: JSON content type";
	is $r->{json} && $r->{json}{error_code}, $code, "$name: error_code $code";
}

# === POST /delete ==================================================================
my ($na, $nb, $nc, $nd) = map { notify(type => 'data', user => 'lena') } 1 .. 4;
my $nm = notify(type => 'data', user => 'mike');
my $unknown = '0D4F3C2B-1A09-4876-9543-210FEDCBA987';
my $rows = $s->sql_value('SELECT COUNT(*) FROM notifications');
is $rows, 5, 'five rows stored';

deleted_ok($s->post('/delete?user=lena', { uuids => [$na] }), 'delete one');
is_deeply listed('lena'), [sort $nb, $nc, $nd], 'a is gone from /messages';
is_deeply unseen('lena'), [sort $nb, $nc, $nd],
    'a is gone from /unseen-messages';
is counted('lena'), 3, 'a is not counted';
{
	my $r = $s->get('/messages?user=lena');
	is $r->{json}{total}, '3', '/messages total is 3';
	is $r->{json}{unseen_total}, '3', '/messages unseen_total is 3';
}

deleted_ok($s->post('/delete?user=lena', { uuids => [lc $nb] }),
    'delete by lower-case uuid');
is_deeply listed('lena'), [sort $nc, $nd], 'b is gone';
deleted_ok($s->post('/delete?user=lena', { uuids => [$na] }),
    'deleting again is a no-op');
deleted_ok($s->post('/delete?user=lena', { uuids => [$unknown] }),
    'unknown uuid is a no-op');
deleted_ok($s->post('/delete?user=lena', { uuids => [$nm] }),
    'another user\'s uuid is ignored');
is_deeply listed('mike'), [$nm], 'mike\'s notification is still there';
deleted_ok($s->post('/delete?user=lena', { uuids => [] }),
    'empty uuids is a no-op');
deleted_ok($s->post('/delete?user=nobody-here', { uuids => [$nc] }),
    'unknown user is a no-op');
is_deeply listed('lena'), [sort $nc, $nd], 'c and d remain';

refused($s->post('/delete?user=lena', { uuids => ['not-a-uuid'] }),
    'ERR_BAD_OR_MISSING_FIELD', 'invalid uuid');
refused($s->post('/delete?user=lena', { uuids => [$nc, 'xyz'] }),
    'ERR_BAD_OR_MISSING_FIELD', 'a valid and an invalid uuid');
refused($s->post('/delete?user=lena', { uuids => $nc }),
    'ERR_BAD_OR_MISSING_FIELD', 'uuids a string');
refused($s->post('/delete?user=lena', { uuids => { id => $nc } }),
    'ERR_BAD_OR_MISSING_FIELD', 'uuids an object');
refused($s->post('/delete?user=lena', {}), 'ERR_BAD_OR_MISSING_FIELD',
    'uuids missing');
refused($s->post('/delete?user=lena', [$nc]), 'ERR_BAD_OR_MISSING_FIELD',
    'body an array');
refused($s->post('/delete?user=lena', '{"uuids":'), 'ERR_INVALID_JSON',
    'invalid JSON');
{
	my $r = $s->post('/delete', { uuids => [$nc] });
	refused($r, 'ERR_ILLEGAL_ARGUMENT', 'user missing');
	is $r->{json} && $r->{json}{param}, 'user', 'user missing: param user';
}
is_deeply listed('lena'), [sort $nc, $nd], 'the refused requests deleted nothing';

# README-style body.
deleted_ok($s->post('/delete?user=lena',
    "\n{\n    \"uuids\": [\n        \"$nc\"\n    ]\n}\n"), 'README-style body');
is_deeply listed('lena'), [$nd], 'only d remains';
is $s->sql_value('SELECT COUNT(*) FROM notifications'), 5,
    'deletion is soft: all five rows are still stored';

# === DELETE /delete-all ==============================================================
sub delete_all ($query, $count, $name) {
	my $r = $s->delete("/delete-all?$query");
	deleted_ok($r, $name);
	is Herald::Stack->json_type($r->{content}, 'count'), 'string',
	    "$name: count is a string";
	is $r->{json}{count}, $count, "$name: count \"$count\"";
	return $r;
}

my $oscar = notify(type => 'data', user => 'oscar');

# filter=<type>
{
	my $d1 = notify(type => 'data', user => 'nina1');
	my $d2 = notify(type => 'data', user => 'nina1');
	my $a1 = notify(type => 'analysis', user => 'nina1');
	my $a2 = notify(type => 'analysis', user => 'nina1');
	my $t1 = notify(type => 'tool_request', user => 'nina1');
	my $u1 = notify(type => 'DATA', user => 'nina1');
	seen('nina1', $d1, $a1);
	delete_all('user=nina1&filter=data', '3', 'filter=data');
	is_deeply listed('nina1'), [sort $a1, $a2, $t1, $u1],
	    'filter=data deleted only data (not DATA)';
	delete_all('user=nina1&filter=tool%20request', '2',
	    'filter=tool%20request');
	is_deeply listed('nina1'), [sort $a1, $a2, $u1],
	    'filter=tool%20request deleted the tool_request';
}
# filter=new
{
	my $d1 = notify(type => 'data', user => 'nina2');
	my $d2 = notify(type => 'data', user => 'nina2');
	my $a1 = notify(type => 'analysis', user => 'nina2');
	seen('nina2', $d1);
	delete_all('user=nina2&filter=new', '0', 'filter=new');
	is_deeply listed('nina2'), [$d1], 'filter=new deleted only the unseen';
}
# seen=true
{
	my $d1 = notify(type => 'data', user => 'nina3');
	my $a1 = notify(type => 'analysis', user => 'nina3');
	seen('nina3', $d1);
	delete_all('user=nina3&seen=true', '1', 'seen=true');
	is_deeply listed('nina3'), [$a1], 'seen=true deleted only the seen';
}
# everything
{
	my @all = map { notify(type => $_, user => 'nina4') }
	    qw(data analysis tool_request data);
	seen('nina4', $all[0]);
	delete_all('user=nina4', '0', 'everything');
	is_deeply listed('nina4'), [], 'nothing listed after delete-all';
	is_deeply unseen('nina4'), [], 'nothing unseen after delete-all';
	is counted('nina4'), 0, 'nothing counted after delete-all';
	my $r = $s->get('/messages?user=nina4');
	is $r->{json}{total}, '0', 'total "0" after delete-all';
	delete_all('user=nina4', '0', 'again');
}
# The older parameters (agent.md §5.1.11): type, subject, created-before.
{
	my $d1 = notify(type => 'data', user => 'nina5', subject => 'keep');
	my $d2 = notify(type => 'data', user => 'nina5', subject => 'drop me');
	my $a1 = notify(type => 'analysis', user => 'nina5', subject => 'drop me');
	delete_all('user=nina5&subject=drop+me&type=data', '2',
	    'subject and type together');
	is_deeply listed('nina5'), [sort $d1, $a1],
	    'only the data notification with that subject was deleted';
	delete_all($s->path_q('', user => 'nina5', subject => 'drop me')
	    =~ s/^\?//r, '1', 'subject');
	is_deeply listed('nina5'), [$d1], 'subject deleted the analysis one';
}
{
	my $old = notify(type => 'data', user => 'nina6', subject => 'old');
	my $r = $s->get('/messages?user=nina6');
	my $ts = int($r->{json}{messages}[0]{message}{timestamp} // 0);
	select(undef, undef, undef, 0.01);
	my $new = notify(type => 'data', user => 'nina6', subject => 'new');
	delete_all('user=nina6&created-before=' . ($ts + 1), '1',
	    'created-before');
	is_deeply listed('nina6'), [$new],
	    'created-before deleted only the older one';
	my $bad = $s->delete('/delete-all?user=nina6&created-before=yesterday');
	refused($bad, 'ERR_BAD_QUERY_PARAMETER', 'created-before not a number');
	is_deeply listed('nina6'), [$new], 'the refused delete-all deleted nothing';
}
delete_all('user=nobody-here', '0', 'unknown user');
is_deeply listed('oscar'), [$oscar], 'oscar is untouched by all of it';
is_deeply listed('lena'), [$nd], 'lena is untouched by all of it';
{
	my $r = $s->delete('/delete-all');
	refused($r, 'ERR_ILLEGAL_ARGUMENT', 'delete-all user missing');
	is $r->{json} && $r->{json}{param}, 'user',
	    'delete-all user missing: param user';
	refused($s->delete('/delete-all?user='), 'ERR_ILLEGAL_ARGUMENT',
	    'delete-all user empty');
}
is_deeply listed('oscar'), [$oscar], 'oscar is still there';

done_testing;
