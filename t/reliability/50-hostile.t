#!/usr/bin/perl
# Hostile input, table-driven, through nginx (and, where nginx would not
# pass it on, straight to the FastCGI socket).  For each case: the status,
# the error format (JSON with error_code; the text for unknown paths), the
# pool still whole (same PIDs, the next request 200), and nothing written
# (row counts of users and notifications unchanged) unless the case is one
# that stores.
#
# Bounds (conf/herald.conf, include/store.h): body_max (413), query_max
# 4096 bytes by default (414), 64 query parameters, json_depth 32, user 255 chars,
# type 64, subject 512, message 64 KiB, email_template 255, 10000 uuids.
# body_max is 1 MiB here so that a 10^5-deep JSON text (200 KB) and 10001
# uuids (390 KB) reach the JSON checks (400), while 10^6 uuids and a 1 MiB
# subject are over it (413).
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
our $TODO;
use JSON::PP;
use Time::HiRes qw(time);
use Herald::Stack;
use Herald::Fault;

my $BODY_MAX = 1048576;
my $QUERY_MAX = 4096;	# under nginx's own 8 KiB request-line limit
my $s = Herald::Stack->start(workers => 2, body_max => $BODY_MAX,
    config => { query_max => $QUERY_MAX });
my $J = JSON::PP->new->canonical;
my $UUID = '0D4F3C2B-1A09-4876-9543-210FEDCBA987';

sub qe ($v) { Herald::Stack->uri_escape($v) }
sub note_body (%f) {
	return $J->encode({ type => 'data', user => 'mallory',
	    subject => 'hi', %f });
}
sub post_raw ($path, $bytes) { $s->post($path, $bytes) }
sub counts () {
	my @r = $s->sql('SELECT (SELECT COUNT(*) FROM users), '
	    . '(SELECT COUNT(*) FROM notifications)');
	return "$r[0][0]/$r[0][1]";
}
sub raw_result ($r) {
	my $j = eval { JSON::PP->new->utf8->decode($r->{content}) };
	my ($ct) = $r->{head} =~ /^Content-Type:\s*(\S[^\r\n]*)/mi;
	return { status => $r->{status}, content => $r->{content},
	    json => ref $j ? $j : undef, content_type => $ct // '' };
}

my $meta = q{a'; DROP TABLE notifications; -- "x" \\ %_ /* */ `id` ${1}};

# name, request, expected status(es), format: json | text | none (not
# herald's answer), writes: rows added (users/notifications).
my @cases = (
    # --- sizes ---------------------------------------------------------
    ['body over body_max', sub { post_raw('/notification',
	note_body(payload => { pad => 'x' x ($BODY_MAX + 1000) })) }, 413],
    ['body over body_max, wrong endpoint too', sub { post_raw('/seen?user=m',
	'{"uuids":[' . join(',', ('"' . $UUID . '"') x 30000) . ']}') }, 413],
    ['Content-Length 100, 10 bytes, then EOF (FastCGI direct)', sub {
	my $h = Herald::Fault::fcgi_begin($s, path => '/notification',
	    body => '{"type":1}', content_length => 100, hold => 0);
	my $r = Herald::Fault::fcgi_finish($h);
	my $j = eval { JSON::PP->new->utf8->decode($r->{content}) };
	return +{ %$r, json => ref $j ? $j : undef,
	    content_type => 'application/json' } }, 400],
    ['Content-Length 100, 10 bytes, half-close (nginx)', sub {
	raw_result(Herald::Fault::raw_http($s, "POST /notification HTTP/1.1\r\n"
	    . "Host: x\r\nContent-Length: 100\r\nConnection: close\r\n\r\n"
	    . '{"type":1}', half_close => 1, timeout => 10)) },
	[0, 400, 408], 'none'],
    ['Content-Length 100, 10 bytes, client waits (nginx)', sub {
	raw_result(Herald::Fault::raw_http($s, "POST /notification HTTP/1.1\r\n"
	    . "Host: x\r\nContent-Length: 100\r\nConnection: close\r\n\r\n"
	    . '{"type":1}', timeout => 2)) }, [0, 400, 408], 'none'],
    ['JSON nested 10^5 deep', sub { post_raw('/notification',
	('[' x 100_000) . (']' x 100_000)) }, 400],
    ['JSON nested 10^5 deep inside payload', sub { post_raw('/notification',
	'{"type":"data","user":"m","subject":"s","payload":'
	. ('{"a":' x 100_000) . '1' . ('}' x 100_000) . '}') }, 400],
    ['JSON nested 33 deep (json_depth 32)', sub { post_raw('/notification',
	'{"type":"data","user":"m","subject":"s","payload":'
	. ('{"a":' x 32) . '1' . ('}' x 32) . '}') }, 400],
    ['uuids: 10^6 entries (over body_max)', sub { post_raw('/seen?user=m',
	'{"uuids":[' . join(',', ('""') x 1_000_000) . ']}') }, 413],
    ['uuids: 10001 entries (within body_max)', sub { post_raw('/seen?user=m',
	'{"uuids":[' . join(',', ('"' . $UUID . '"') x 10001) . ']}') }, 400],
    ['uuids: 10001 entries on /delete', sub { post_raw('/delete?user=m',
	'{"uuids":[' . join(',', ('"' . $UUID . '"') x 10001) . ']}') }, 400],
    ['uuids: not UUIDs', sub { $s->post('/seen?user=m',
	{ uuids => ["x' OR 1=1 --", 5, undef, {}] }) }, 400],
    ['subject of 1 MiB', sub { post_raw('/notification',
	note_body(subject => 's' x 1048576)) }, 413],
    ['subject of 600 KiB (within body_max)', sub { post_raw('/notification',
	note_body(subject => 's' x 600_000)) }, 400],
    ['message of 64 KiB + 1', sub { post_raw('/notification',
	note_body(message => 'm' x 65536)) }, 400],
    ['user of 256 chars', sub { post_raw('/notification',
	note_body(user => 'u' x 256)) }, 400],
    ['type of 65 chars', sub { post_raw('/notification',
	note_body(type => 't' x 65)) }, 400],
    ['email_template of 256 chars', sub { post_raw('/notification',
	note_body(email_template => 'e' x 256)) }, 400],
    ['subject of 513 two-byte chars', sub { post_raw('/notification',
	note_body(subject => "\x{e9}" x 513)) }, 400],
    ['user of 256 chars in the query', sub {
	$s->get('/messages?user=' . ('u' x 256)) }, 400],
    ['query string over query_max', sub {
	$s->get('/messages?user=m&x=' . ('a' x ($QUERY_MAX + 10))) }, 414],
    ['query string of 9000 bytes (nginx refuses the line)', sub {
	$s->get('/messages?user=m&x=' . ('a' x 9000)) }, 414, 'none'],
    ['65 query parameters', sub {
	$s->get('/messages?user=m&' . join('&', map { "p$_=1" } 1 .. 64)) },
	400],
    ['64 query parameters', sub {
	$s->get('/messages?user=m&' . join('&', map { "p$_=1" } 1 .. 63)) },
	200],
    # --- encodings -----------------------------------------------------
    ['invalid UTF-8 in a JSON string', sub { post_raw('/notification',
	qq({"type":"data","user":"m","subject":"\xff\xfe"})) }, 400],
    ['overlong UTF-8 in a JSON string', sub { post_raw('/notification',
	qq({"type":"data","user":"m","subject":"\xc0\xaf"})) }, 400],
    ['UTF-8 surrogate bytes in a JSON string', sub { post_raw(
	'/notification', qq({"type":"data","user":"m","subject":"\xed\xa0\x80"}))
	}, 400],
    ['escaped lone surrogate \\ud800 in a JSON string', sub { post_raw(
	'/notification', q({"type":"data","user":"sur","subject":"a\ud800b"}))
	}, [400, 200], 'json', 'utf8'],
    ['escaped NUL \\u0000 in subject', sub { post_raw('/notification',
	q({"type":"data","user":"m","subject":"a\u0000b"})) }, 400],
    ['escaped NUL \\u0000 in user', sub { post_raw('/notification',
	q({"type":"data","user":"m\u0000","subject":"s"})) }, 400],
    ['escaped NUL \\u0000 in message', sub { post_raw('/notification',
	q({"type":"data","user":"m","subject":"s","message":"\u0000"})) }, 400],
    ['escaped NUL \\u0000 in email_template', sub { post_raw('/notification',
	q({"type":"data","user":"m","subject":"s","email_template":"\u0000"}))
	}, 400],
    ['escaped NUL \\u0000 in a uuid', sub { post_raw('/seen?user=m',
	qq({"uuids":["$UUID\\u0000junk"]})) }, 400],
    ['raw NUL byte in the body', sub { post_raw('/notification',
	qq({"type":"data","user":"m","subject":"a\0b"})) }, 400],
    ['%00 in a parameter value', sub { $s->get('/messages?user=m%00x') },
	400],
    ['%00 in a parameter name', sub { $s->get('/messages?us%00er=m') }, 400],
    ['%ff (bad UTF-8) in a parameter', sub { $s->get('/messages?user=%ff') },
	400],
    ['%zz', sub { $s->get('/messages?user=%zz') }, 400],
    ['%4 at the end', sub { $s->get('/messages?user=m%4') }, 400],
    ['% at the end', sub { $s->get('/messages?user=m%') }, 400],
    ['%zz in a name', sub { $s->get('/messages?user=m&%zz=1') }, 400],
    ['invalid JSON: trailing garbage', sub { post_raw('/notification',
	note_body() . ' x') }, 400],
    ['invalid JSON: a bare string', sub { post_raw('/notification',
	'"hello"') }, 400],
    ['JSON array instead of object', sub { post_raw('/notification',
	'[1,2,3]') }, 400],
    ['fields of the wrong type', sub { $s->post('/notification',
	{ type => [], user => {}, subject => 1 }) }, 400],
    # --- numbers -------------------------------------------------------
    ['negative limit/offset (ignored)', sub {
	$s->get('/messages?user=m&limit=-5&offset=-7') }, 200],
    ['huge limit', sub {
	$s->get('/messages?user=m&limit=99999999999999999999') }, 400],
    ['huge offset', sub {
	$s->get('/messages?user=m&offset=99999999999999999999') }, 400],
    ['huge negative limit', sub {
	$s->get('/messages?user=m&limit=-99999999999999999999') }, 400],
    ['non-numeric limit', sub { $s->get('/messages?user=m&limit=ten') }, 400],
    ['non-numeric offset', sub { $s->get('/messages?user=m&offset=1e3') },
	400],
    ['limit with spaces', sub { $s->get('/messages?user=m&limit=+5') }, 400],
    ['limit 0x10', sub { $s->get('/messages?user=m&limit=0x10') }, 400],
    ['created-before huge', sub { $s->delete(
	'/delete-all?user=m&created-before=99999999999999999999') }, 400],
    # --- SQL metacharacters --------------------------------------------
    ['SQL metacharacters in every field (stored verbatim)', sub {
	$s->post('/notification', { type => $meta, user => $meta,
	    subject => $meta, message => $meta, email_template => $meta,
	    payload => { $meta => $meta } }) }, [200, 400], 'json', 'verbatim'],
    ['SQL metacharacters in user/filter (GET)', sub {
	$s->get('/messages?user=' . qe($meta) . '&filter=' . qe($meta)) }, 200],
    ['SQL metacharacters in sortField', sub {
	$s->get('/messages?user=m&sortField=' . qe('subject; DROP TABLE users'))
	}, 400],
    ['SQL metacharacters in sortDir', sub {
	$s->get('/messages?user=m&sortDir=' . qe("asc, (SELECT SLEEP(5))")) },
	400],
    ['SQL metacharacters in seen', sub {
	$s->get('/messages?user=m&seen=' . qe("true' OR '1'='1")) }, 400],
    ['SQL metacharacters in /count-messages filter', sub {
	$s->get('/count-messages?user=' . qe($meta) . '&filter=' . qe($meta)) },
	200],
    ['SQL metacharacters in /delete-all type/subject', sub {
	$s->delete('/delete-all?user=nobody&type=' . qe($meta) . '&subject='
	. qe($meta)) }, 200],
    ['LIKE wildcards in filter', sub {
	$s->get('/messages?user=' . qe($meta) . '&filter=%25') }, 200],
    # --- parameters, methods, fields -----------------------------------
    ['repeated parameter user=a&user=b', sub {
	$s->get('/messages?user=a&user=b') }, 400],
    ['repeated parameter, other case', sub {
	$s->get('/messages?user=a&USER=b') }, 400],
    ['repeated limit', sub { $s->get('/messages?user=a&limit=1&limit=2') },
	400],
    ['repeated sortField spellings', sub {
	$s->get('/messages?user=a&sortField=uuid&sort-field=subject') }, 400],
    ['PATCH /messages', sub { $s->request('PATCH', '/messages?user=m') },
	400, 'text'],
    ['OPTIONS /', sub { $s->request('OPTIONS', '/') }, 400, 'text'],
    ['PUT /notification', sub { $s->put('/notification', note_body()) }, 400,
	'text'],
    ['unknown method BREW /', sub { raw_result(Herald::Fault::raw_http($s,
	"BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	timeout => 10)) }, 400, 'text'],
    ['path with .. above the root (nginx refuses it)', sub {
	$s->get('/messages/..%2f..%2fetc/passwd?user=m') }, 400, 'none'],
    ['path with %00 (nginx refuses it)', sub {
	$s->get('/messages%00?user=m') }, 400, 'none'],
    ['path with trailing junk', sub { $s->get('/messages;x=1?user=m') }, 400,
	'text'],
    ['unknown JSON fields (ignored)', sub { $s->post('/notification',
	{ type => 'data', user => 'trent', subject => 'extra', zzz => 1,
	  __proto__ => { admin => JSON::PP::true }, id => $UUID,
	  seen => JSON::PP::true, deleted => JSON::PP::true }) }, 200, 'json',
	'unknown'],
);

my @pids = $s->herald_pids;
is scalar(@pids), 3, 'master and 2 workers';
my $before = counts();

for my $c (@cases) {
	my ($name, $req, $want, $fmt, $writes, $todo) = @$c;
	$fmt //= 'json';
	my @want = ref $want ? @$want : ($want);
	my $t0 = time;
	my $r = $req->();
	my $secs = time - $t0;
	my $st = $r->{status};
	{
		local $TODO = $todo;
		ok((grep { $_ == $st } @want), "$name: status $st (want @want)")
		    or diag substr($r->{content} // '', 0, 300);
	}
	cmp_ok $st, '<', 500, "$name: no 5xx" unless grep { $_ >= 500 } @want;
	if ($st >= 400 && $fmt eq 'json') {
		like $r->{content_type}, qr{^application/json}i,
		    "$name: JSON content type";
		ok ref $r->{json} eq 'HASH' && defined $r->{json}{error_code}
		    && defined $r->{json}{reason}, "$name: error_code and reason"
		    or diag substr($r->{content}, 0, 300);
	} elsif ($fmt eq 'text') {
		is $r->{content}, "Unrecognized service path.\n",
		    "$name: Unrecognized service path.";
		like $r->{content_type}, qr{^text/plain}i, "$name: text/plain";
	}
	# The pool is whole and answers.
	is_deeply [$s->herald_pids], \@pids, "$name: same master and workers";
	my $ok = $s->get('/messages?user=alice');
	is $ok->{status}, 200, "$name: the next request is 200";
	# Nothing written, unless the case stores.
	my $now = counts();
	if (!$writes || $st != 200) {
		is $now, $before, "$name: nothing written (users/notes $now)";
		$before = $now;
	} elsif ($writes eq 'verbatim') {
		my @row = $s->sql('SELECT n.type, u.username, n.subject, n.body, '
		    . 'n.template FROM notifications n JOIN users u ON '
		    . 'u.id = n.user_id WHERE u.username = '
		    . Herald::Stack->quote($meta));
		is scalar(@row), 1, "$name: one row";
		is_deeply $row[0], [$meta, $meta, $meta, $meta, $meta],
		    "$name: stored verbatim" if @row;
		my $g = $s->get('/messages?user=' . qe($meta));
		is $g->{json}{messages}[0]{subject}, $meta,
		    "$name: read back verbatim";
		$before = $now;
	} elsif ($writes eq 'utf8') {
		# Accepted: what is stored must be valid UTF-8 (json-c's U+FFFD).
		my @row = $s->sql("SELECT HEX(n.subject) FROM notifications n JOIN "
		    . "users u ON u.id = n.user_id WHERE u.username = 'sur'");
		my $b = pack('H*', $row[0][0] // '');
		ok utf8::decode($b), "$name: stored as valid UTF-8 ("
		    . ($row[0][0] // 'none') . ')';
		$before = $now;
	} else {
		my ($u, $n) = split m{/}, $before;
		is $now, ($u + 1) . '/' . ($n + 1), "$name: one user, one "
		    . "notification stored";
		$before = $now;
	}
	cmp_ok $secs, '<', 15, "$name: answered in " . sprintf('%.2f s', $secs);
}

# The tables are all still there.
is $s->sql_value("SELECT COUNT(*) FROM information_schema.tables WHERE "
    . "table_schema = 'herald' AND table_name IN ('users', 'notifications')"),
    2, 'users and notifications still exist';
unlike $s->log_text, qr/AddressSanitizer|runtime error|LeakSanitizer/,
    'no sanitizer report in herald.log';

done_testing;
