#!/usr/bin/perl
# POST /notification: creation, defaults, validation (agent.md §3.1 #2, §5.1.1).
use v5.36;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use JSON::PP;
use Herald::Stack;

binmode(Test::More->builder->$_, ':encoding(UTF-8)')
    for qw(output failure_output todo_output);

my $s = Herald::Stack->start;
my $UUID = qr/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\z/;

sub jtype ($r, @path) { Herald::Stack->json_type($r->{content}, @path) }
sub rows () { $s->sql_value('SELECT COUNT(*) FROM notifications') }
sub is_true ($v, $name) { ok(JSON::PP::is_bool($v) && $v, "$name is JSON true") }
sub is_false ($v, $name) { ok(JSON::PP::is_bool($v) && !$v, "$name is JSON false") }

# The listing of one user, as a hash uuid -> notification.
sub listing ($user) {
	my $r = $s->get($s->path_q('/messages', user => $user));
	is $r->{status}, 200, "GET /messages for '$user' is 200"
	    or diag $r->{content};
	return { map { $_->{message}{id} => $_ } @{ $r->{json}{messages} // [] } };
}

# A request that must be refused with 400 and write nothing.
sub refused ($body, $code, $name) {
	my $before = rows();
	my $r = $s->post('/notification', $body);
	is $r->{status}, 400, "$name: 400" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i,
	    "$name: JSON content type";
	is $r->{json} && $r->{json}{error_code}, $code,
	    "$name: error_code $code" if defined $code;
	ok $r->{json} && defined $r->{json}{error_code},
	    "$name: has an error_code" unless defined $code;
	is rows(), $before, "$name: no row written";
	return $r;
}

# --- The README's example, sent exactly like its curl -d ---------------
my $readme_body = '
{
    "type": "nada",
    "user": "nobody",
    "subject": "nothing happened",
    "message": "nada y pues nada y pues nada",
    "email": true,
    "email_template": "nothing_happened",
    "payload": {
        "email_address": "nobody@iplantcollaborative.org"
    }
}
';
is rows(), 0, 'the store starts empty';
my $t_before = int(time * 1000);
my $r = $s->post('/notification', $readme_body);
my $t_after = int(time * 1000);
is $r->{status}, 200, 'README example: 200' or diag $r->{content};
like $r->{content_type}, qr{^application/json\b}i,
    'README example: JSON content type';
is jtype($r, 'success'), 'boolean', 'README example: success is a boolean';
is_true $r->{json}{success}, 'README example: success';
like $r->{json}{id}, $UUID, 'README example: id is an upper-case uuid';
my $readme_id = $r->{json}{id};
is rows(), 1, 'README example: one row written';

{
	my $l = listing('nobody');
	is scalar(keys %$l), 1, 'nobody has one notification';
	my $n = $l->{$readme_id};
	ok $n, 'the listing holds the returned id' or diag explain $l;
	$n //= {};
	is $n->{type}, 'nada', 'type as posted';
	is $n->{user}, 'nobody', 'user as posted';
	is $n->{subject}, 'nothing happened', 'subject as posted';
	is_true $n->{email}, 'email';
	is $n->{email_template}, 'nothing_happened', 'email_template as posted';
	is_deeply $n->{payload},
	    { email_address => 'nobody@iplantcollaborative.org' },
	    'payload as posted';
	is $n->{message}{id}, $readme_id, 'message.id is the returned id';
	is $n->{message}{text}, 'nada y pues nada y pues nada',
	    'message.text is the posted message';
	my $ts = $n->{message}{timestamp} // '';
	like $ts, qr/^\d{13}\z/, 'message.timestamp is milliseconds';
	ok int($ts) >= $t_before - 2000 && int($ts) <= $t_after + 2000,
	    'message.timestamp is the time of creation'
	    or diag "ts=$ts before=$t_before after=$t_after";
	is_false $n->{seen}, 'seen';
	is_false $n->{deleted}, 'deleted';
}

# --- Defaults --------------------------------------------------------------
$r = $s->post('/notification',
    '{"type":"data","user":"alice","subject":"only the required fields"}');
is $r->{status}, 200, 'required fields only: 200' or diag $r->{content};
is_true $r->{json}{success}, 'required fields only: success';
like $r->{json}{id}, $UUID, 'required fields only: upper-case uuid';
my $min_id = $r->{json}{id};
isnt $min_id, $readme_id, 'each notification gets its own id';
{
	my $r2 = $s->get('/messages?user=alice');
	my $n = $r2->{json}{messages}[0] // {};
	is $n->{message}{id}, $min_id, 'alice lists the new notification';
	is $n->{message}{text}, 'only the required fields',
	    'message defaults to the subject';
	is Herald::Stack->json_type($r2->{content}, 'messages', 0, 'email'),
	    'boolean', 'email is a JSON boolean';
	is_false $n->{email}, 'email defaults to false';
	ok exists $n->{email_template}, 'email_template is present';
	is Herald::Stack->json_type($r2->{content}, 'messages', 0,
	    'email_template'), 'null', 'email_template is null when absent';
	is_deeply $n->{payload}, {}, 'payload defaults to {}';
	is Herald::Stack->json_type($r2->{content}, 'messages', 0, 'seen'),
	    'boolean', 'seen is a JSON boolean';
	is_false $n->{seen}, 'a new notification is unseen';
	is_false $n->{deleted}, 'a new notification is not deleted';
}

# --- Type display: "_" becomes " " --------------------------------------
$r = $s->post('/notification',
    { type => 'tool_request', user => 'bob', subject => 'tool wanted' });
is $r->{status}, 200, 'tool_request: 200';
{
	my $l = listing('bob');
	is $l->{ $r->{json}{id} // '' }{type}, 'tool request',
	    'type tool_request is shown as "tool request"';
}

# --- Payload round trip: nested, unicode, numbers, booleans, null --------
my $payload = {
	action	=> 'job_status_change',
	nested	=> { list => [1, 'two', { three => [3] }], empty => {} },
	unicode	=> "Grüße, 漢字, emoji \x{1F600}, quote \" backslash \\",
	number	=> 42,
	float	=> 1.5,
	yes	=> JSON::PP::true,
	no	=> JSON::PP::false,
	nothing	=> undef,
	startdate => '1340390278636',
};
$r = $s->post('/notification', { type => 'analysis', user => 'carol',
    subject => "Ünïcödé subject ✓", message => "multi\nline\ttext",
    payload => $payload });
is $r->{status}, 200, 'rich payload: 200' or diag $r->{content};
{
	my $l = listing('carol');
	my $n = $l->{ $r->{json}{id} // '' } // {};
	is_deeply $n->{payload}, $payload, 'payload is returned as posted'
	    or diag explain $n->{payload};
	is $n->{subject}, "Ünïcödé subject ✓", 'unicode subject as posted';
	is $n->{message}{text}, "multi\nline\ttext",
	    'message text with newline and tab as posted';
}

# --- An e-mail request is stored and answered 200 -------------------------
$r = $s->post('/notification', { type => 'data', user => 'dave',
    subject => 'mail me', email => JSON::PP::true,
    email_template => 'no_such_template',
    payload => { email_address => 'dave@example.org', extra => 'x' } });
is $r->{status}, 200, 'e-mail request: 200' or diag $r->{content};
is_true $r->{json}{success}, 'e-mail request: success';
{
	my $l = listing('dave');
	my $n = $l->{ $r->{json}{id} // '' } // {};
	is_true $n->{email}, 'e-mail request: email stored';
	is $n->{email_template}, 'no_such_template',
	    'e-mail request: template stored';
	is_deeply $n->{payload}, { email_address => 'dave@example.org',
	    extra => 'x' }, 'e-mail request: payload stored as posted';
}
$r = $s->post('/notification', '{"type":"data","user":"dave",'
    . '"subject":"mail without template","email":true}');
is $r->{status}, 200, 'e-mail without template or address: still 200'
    or diag $r->{content};

# --- Validation: nothing is written on a 400 --------------------------------
my %ok = (type => 'data', user => 'erin', subject => 'valid');
for my $f (qw(type user subject)) {
	my %b = %ok;
	delete $b{$f};
	refused(\%b, 'ERR_ILLEGAL_ARGUMENT', "missing $f");
	refused({ %ok, $f => '' }, 'ERR_ILLEGAL_ARGUMENT', "empty $f");
	refused({ %ok, $f => "  \t " }, 'ERR_ILLEGAL_ARGUMENT', "blank $f");
	refused({ %ok, $f => undef }, 'ERR_ILLEGAL_ARGUMENT', "null $f");
}
refused({ %ok, type => 5 }, undef, 'numeric type');
refused({ %ok, type => ['data'] }, undef, 'array type');
refused({ %ok, user => { name => 'erin' } }, undef, 'object user');
refused({ %ok, subject => JSON::PP::true }, undef, 'boolean subject');
refused('{"type":"data","user":"erin","subject":"x"',
    'ERR_INVALID_JSON', 'truncated JSON');
refused('type=data&user=erin&subject=x', 'ERR_INVALID_JSON',
    'form-encoded fields are not JSON');
refused("{'type':'data'}", 'ERR_INVALID_JSON', 'single-quoted JSON');
refused('', 'ERR_ILLEGAL_ARGUMENT', 'empty body');
refused('[]', undef, 'body is an array');
refused('"data"', undef, 'body is a string');
refused('null', undef, 'body is null');
is_deeply listing('erin'), {}, 'erin has no notifications after the refusals';

# --- JSON is parsed whatever the Content-Type --------------------------------
$r = $s->post('/notification', \%ok, { 'Content-Type' => 'application/json' });
is $r->{status}, 200, 'Content-Type application/json: 200';
$r = $s->post('/notification', \%ok, { 'Content-Type' => 'text/plain' });
is $r->{status}, 200, 'Content-Type text/plain: 200';
is scalar(keys %{ listing('erin') }), 2, 'erin has the two notifications';

# --- SQL metacharacters are stored verbatim --------------------------------
{
	my %evil = (
		type	=> q{it's";--%},
		user	=> q{o'brien; DROP TABLE x--},
		subject	=> q{Robert'); DROP TABLE users;-- "\\" %_ \\n},
		message	=> q{' OR '1'='1},
	);
	$r = $s->post('/notification', \%evil);
	is $r->{status}, 200, 'metacharacters: 200' or diag $r->{content};
	my $n = listing($evil{user})->{ $r->{json}{id} // '' } // {};
	is $n->{user}, $evil{user}, 'metacharacters: user verbatim';
	is $n->{type}, $evil{type}, 'metacharacters: type verbatim';
	is $n->{subject}, $evil{subject}, 'metacharacters: subject verbatim';
	is $n->{message}{text}, $evil{message}, 'metacharacters: message verbatim';
	is $s->sql_value(q{SELECT COUNT(*) FROM information_schema.tables }
	    . q{WHERE table_schema = 'herald' AND table_name = 'users'}), 1,
	    'metacharacters: the users table is still there';
}

# --- Users are exact strings: case and trailing spaces matter ----------------
{
	my %made;
	for my $u ('bob', 'Bob', 'bob ', ' bob') {
		my $r = $s->post('/notification',
		    { type => 'data', user => $u, subject => "for [$u]" });
		is $r->{status}, 200, "created for user [$u]";
		$made{$u} = $r->{json}{id} // '';
	}
	for my $u ('Bob', 'bob ', ' bob') {
		my $l = listing($u);
		is_deeply [keys %$l], [$made{$u}],
		    "user [$u] lists only its own notification";
		is $l->{ $made{$u} }{user}, $u, "user [$u] is returned as posted";
	}
	my $l = listing('bob');
	ok !grep({ exists $l->{ $made{$_} } } 'Bob', 'bob ', ' bob'),
	    'user [bob] does not list [Bob], [bob ] or [ bob]';
}

is rows(), 13, 'thirteen notifications in all were written';

done_testing;
