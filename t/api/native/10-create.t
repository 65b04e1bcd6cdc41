#!/usr/bin/perl
# POST /v1/notifications (doc/v1.md): 201, Location, every field and its
# default, the recipient by name and by id, roles, validation (422 with
# field), 400 bad_json, 413 too_large; nothing stored on any refusal.
use v5.36;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../../lib", "$FindBin::Bin/../auth";
use Test::More;
use JSON::PP;
use Time::HiRes qw(time);
use Time::Local qw(timegm);
use Herald::Stack;
use AuthTest;

binmode(Test::More->builder->$_, ':encoding(UTF-8)')
    for qw(output failure_output todo_output);

# body_max must leave room for a 2049-character link (a 422, not a 413).
my $BODY_MAX = 16384;
my $s = Herald::Stack->start(body_max => $BODY_MAX,
    config => { auth => 'token' });
my $UUID = qr/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z/;
my $TIME = qr/^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})Z\z/;
my @KEYS = qw(id recipient template type title body body_format link icon
    actions targets data read_at created_at updated_at);

# The CLI must work: everything below depends on it.
sub cli (@args) {
	my ($st, $out, $err) = herald_cli($s, @args);
	is $st, 0, "herald @args[0, 1] $args[2]: exit 0" or die "$err\n";
	chomp $out;
	return $out;
}
my $alice_id = cli('user', 'add', 'alice', '--email', 'alice@example.org');
like $alice_id, $UUID, 'user add prints a lower-case uuid';
my $bob_id = cli('user', 'add', 'bob', '--email', 'bob@example.org');
cli('user', 'add', 'nomail');
my $ALICE = bearer(make_token($s, 'alice', 'user'));
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $ADM = bearer(make_token($s, 'root', 'admin'));

sub rows () { $s->sql_value('SELECT COUNT(*) FROM notifications') }
sub ms ($t) {
	my @f = $t =~ $TIME or return -1;
	return timegm(@f[5, 4, 3], $f[2], $f[1] - 1, $f[0]) * 1000 + $f[6];
}
sub create ($body, $h = $SVC) {
	return $s->post('/v1/notifications', $body,
	    { 'Content-Type' => 'application/json', %$h });
}

# A native error: {"error":{"status","code","message"[,"field"]}}.
sub is_err ($r, $status, $code, $name, $field = undef) {
	is $r->{status}, $status, "$name: $status" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i, "$name: JSON";
	my $e = ref $r->{json} eq 'HASH' ? $r->{json}{error} : undef;
	$e = {} unless ref $e eq 'HASH';
	is $s->json_type($r->{content}, 'error', 'status'), 'number',
	    "$name: error.status is a number";
	is $e->{status}, $status, "$name: error.status $status";
	is $e->{code}, $code, "$name: code $code";
	ok defined $e->{message} && !ref $e->{message} && length $e->{message},
	    "$name: a message";
	return unless defined $field;
	if (ref $field) {
		like $e->{field} // '', $field, "$name: field $field";
	} else {
		is $e->{field}, $field, "$name: field $field";
	}
}

# A refusal: the error, and no row written.
sub refused ($body, $status, $code, $field, $name, $h = $SVC) {
	my $before = rows();
	is_err(create($body, $h), $status, $code, $name, $field);
	is rows(), $before, "$name: nothing stored";
}

# A 201: the notification, Location, the exact keys; returns the object.
sub created ($body, $name, $h = $SVC) {
	my $before = rows();
	my $r = create($body, $h);
	is $r->{status}, 201, "$name: 201" or diag $r->{content};
	like $r->{content_type}, qr{^application/json\b}i, "$name: JSON";
	my $n = ref $r->{json} eq 'HASH' ? $r->{json} : {};
	like $n->{id} // '', $UUID, "$name: id is a lower-case uuid";
	is $r->{headers}{location}, "/v1/notifications/" . ($n->{id} // ''),
	    "$name: Location";
	is_deeply [sort keys %$n], [sort @KEYS], "$name: exactly the keys";
	is rows(), $before + 1, "$name: one row stored";
	return $n;
}

# --- Defaults ------------------------------------------------------------
my $t0 = int(time * 1000);
my $min = created({ recipient => 'alice' }, 'recipient only');
my $t1 = int(time * 1000);
{
	my %want = (recipient => { id => $alice_id, name => 'alice' },
	    template => undef, type => 'notification', title => '', body => '',
	    body_format => 'text', link => undef, icon => undef, actions => [],
	    targets => [], data => {}, read_at => undef);
	my %got = map { $_ => $min->{$_} } keys %want;
	is_deeply \%got, \%want, 'every default as the spec says'
	    or diag explain $min;
	like $min->{created_at} // '', $TIME, 'created_at: RFC 3339 UTC, ms';
	like $min->{updated_at} // '', $TIME, 'updated_at: RFC 3339 UTC, ms';
	my $c = ms($min->{created_at} // '');
	ok $c >= $t0 - 2000 && $c <= $t1 + 2000, 'created_at is now'
	    or diag "created_at=$min->{created_at} t0=$t0 t1=$t1";
	cmp_ok ms($min->{updated_at} // ''), '>=', $c, 'updated_at >= created_at';
}

# --- Every field -----------------------------------------------------------
my @T = ('a3c1e0d2-0000-4000-8000-000000000001',
    'a3c1e0d2-0000-4000-8000-000000000002');
my %full = (recipient => 'alice', type => 'build', title => 'Build failed ✗',
    body => "**main** is red\nsee below", body_format => 'markdown',
    link => 'https://ci.example/1', icon => 'ci',
    actions => [{ label => 'Open', url => 'https://ci.example/1' },
	{ label => 'Logs', url => 'https://ci.example/1/log' }],
    targets => \@T,
    data => { run => 1, ok => JSON::PP::true, list => [1, 'two', undef],
	nested => { k => 'v' } });
my $full = created(\%full, 'every field');
{
	my %want = (%full, recipient => { id => $alice_id, name => 'alice' },
	    template => undef, read_at => undef);
	my %got = map { $_ => $full->{$_} } keys %want;
	is_deeply \%got, \%want, 'every field as posted' or diag explain $full;
	my $g = $s->get("/v1/notifications/$full->{id}", $SVC);
	is $g->{status}, 200, 'GET Location: 200' or diag $g->{content};
	is_deeply $g->{json}, $full, 'GET Location: the same notification';
}
is created({ recipient => 'alice', body_format => $_ }, "body_format $_")
    ->{body_format}, $_, "body_format $_ kept" for qw(text markdown html);

# --- Bounds: the largest accepted values ------------------------------------
{
	my %edge = (recipient => 'r' x 255, type => 't' x 64,
	    title => 'é' x 512, link => 'https://e/' . ('l' x 2038),
	    icon => 'i' x 255,
	    actions => [{ label => 'L' x 255, url => 'https://e/' . 'u' x 2038 }]);
	my $n = created(\%edge, 'every bound at its maximum');
	is $n->{title}, $edge{title}, '512 characters of title (1024 bytes)';
	is $n->{recipient}{name}, $edge{recipient}, '255-character recipient';
	is length($n->{link} // ''), 2048, '2048-character link';
	created({ recipient => 'alice', actions => [map { { label => "a$_",
	    url => "https://e/$_" } } 1 .. 10] }, '10 actions');
	created({ recipient => 'alice', targets => [map {
	    sprintf('a3c1e0d2-0000-4000-8000-%012d', $_) } 1 .. 32] },
	    '32 targets');
}

# --- Recipient by name, by id; roles -----------------------------------------
{
	my $n = created({ recipient => $alice_id, title => 'by id' },
	    'recipient by id');
	is_deeply $n->{recipient}, { id => $alice_id, name => 'alice' },
	    'recipient by id: id and name';
	$n = created({ recipient => 'alice' }, 'user for itself by name', $ALICE);
	is $n->{recipient}{id}, $alice_id, 'user for itself by name: alice';
	$n = created({ recipient => $alice_id }, 'user for itself by id', $ALICE);
	is $n->{recipient}{name}, 'alice', 'user for itself by id: alice';
	refused({ recipient => 'bob' }, 403, 'forbidden', undef,
	    'user for another by name', $ALICE);
	refused({ recipient => $bob_id }, 403, 'forbidden', undef,
	    'user for another by id', $ALICE);
	refused({ recipient => 'carol' }, 403, 'forbidden', undef,
	    'user for a new user', $ALICE);
	is $s->sql_value(q{SELECT COUNT(*) FROM users WHERE username='carol'}),
	    0, 'the refused request created no user';
	$n = created({ recipient => 'bob' }, 'service for bob');
	is_deeply $n->{recipient}, { id => $bob_id, name => 'bob' },
	    'service for bob: bob';
	$n = created({ recipient => 'carol' }, 'service for a new user');
	is $n->{recipient}{name}, 'carol', 'new user: name';
	like $n->{recipient}{id} // '', $UUID, 'new user: an id';
	my $again = created({ recipient => 'carol' }, 'carol again');
	is $again->{recipient}{id}, $n->{recipient}{id},
	    'the new user keeps its id';
	created({ recipient => 'bob' }, 'admin for bob', $ADM);
}

# --- Templates ------------------------------------------------------------
{
	my $file = $s->dir . '/build.tmpl';
	open(my $fh, '>', $file) or die "$file: $!";
	print {$fh} "Subject: Build {{type}}\n\nHello {{user}},\n{{message}}\n";
	close $fh;
	cli('template', 'add', 'build_failed', $file);
	my $hex = lc $s->sql_value(
	    q{SELECT HEX(id) FROM templates WHERE name = 'build_failed'});
	my $tid = join '-', unpack('A8 A4 A4 A4 A12', $hex);
	my $n = created({ recipient => 'alice', template => 'build_failed' },
	    'template by name');
	is $n->{template}, $tid, 'template by name: the template id';
	$n = created({ recipient => 'alice', template => $tid },
	    'template by id');
	is $n->{template}, $tid, 'template by id: the template id';
}

# --- Channels ----------------------------------------------------------------
sub deliveries ($id) {
	return join ',', map { $_->[0] } $s->sql('SELECT method FROM deliveries '
	    . "WHERE notification_id = UNHEX(REPLACE('$id', '-', '')) "
	    . 'ORDER BY method');
}
is deliveries($full->{id}), '', 'default channels: no delivery queued';
{
	my $n = created({ recipient => 'alice', channels => ['inbox'] },
	    'channels inbox');
	is deliveries($n->{id}), '', 'channels inbox: no delivery queued';
	$n = created({ recipient => 'alice', channels => ['inbox', 'smtp'] },
	    'channels inbox+smtp');
	is deliveries($n->{id}), 'smtp', 'channels inbox+smtp: smtp queued';
	refused({ recipient => 'nomail', channels => ['smtp'] }, 422, 'invalid',
	    qr/^(channels|recipient)\z/, 'smtp for a user without e-mail');
}

# --- Validation: 422 invalid with the field ------------------------------------
my $actions = qr/^actions\b/;
my $targets = qr/^targets\b/;
my @invalid = (
	[{ title => 'x' x 513 }, 'title', 'title of 513'],
	[{ title => 'é' x 513 }, 'title', 'title of 513 characters'],
	[{ title => 5 }, 'title', 'title a number'],
	[{ type => 't' x 65 }, 'type', 'type of 65'],
	[{ link => 'https://e/' . 'l' x 2039 }, 'link', 'link of 2049'],
	[{ icon => 'i' x 256 }, 'icon', 'icon of 256'],
	[{ recipient => 'r' x 256 }, 'recipient', 'recipient of 256'],
	[{ body_format => 'rtf' }, 'body_format', 'body_format rtf'],
	[{ body_format => 'Markdown' }, 'body_format', 'body_format Markdown'],
	[{ actions => { label => 'a', url => 'https://e/' } }, $actions,
	    'actions an object'],
	[{ actions => ['Open'] }, $actions, 'an action a string'],
	[{ actions => [{ label => 'Open' }] }, $actions, 'an action without url'],
	[{ actions => [{ url => 'https://e/' }] }, $actions,
	    'an action without label'],
	[{ actions => [{ label => 5, url => 'https://e/' }] }, $actions,
	    'an action label a number'],
	[{ actions => [{ label => 'L' x 256, url => 'https://e/' }] }, $actions,
	    'an action label of 256'],
	[{ actions => [{ label => 'L', url => 'https://e/' . 'u' x 2039 }] },
	    $actions, 'an action url of 2049'],
	[{ actions => [map { { label => "a$_", url => "https://e/$_" } } 1 .. 11] },
	    $actions, '11 actions'],
	[{ targets => [map { sprintf('a3c1e0d2-0000-4000-8000-%012d', $_) }
	    1 .. 33] }, $targets, '33 targets'],
	[{ targets => [$T[0], 'not-a-uuid'] }, $targets, 'a bad target'],
	[{ targets => $T[0] }, $targets, 'targets a string'],
	[{ data => [1, 2] }, 'data', 'data an array'],
	[{ data => 'x' }, 'data', 'data a string'],
	[{ colour => 'red' }, 'colour', 'an unknown field'],
	[{ template => 'no_such_template' }, 'template', 'an unknown template'],
	[{ template => '00000000-0000-4000-8000-000000000000' }, 'template',
	    'an unknown template id'],
	[{ channels => ['fax'] }, 'channels', 'channels fax'],
	[{ channels => ['inbox', 'pigeon'] }, 'channels', 'channels pigeon'],
	[{ channels => 'inbox' }, 'channels', 'channels a string'],
);
for my $c (@invalid) {
	my ($over, $field, $name) = @$c;
	refused({ recipient => 'alice', %$over }, 422, 'invalid', $field, $name);
}
refused({ title => 'nobody' }, 422, 'invalid', 'recipient',
    'missing recipient');
refused({ recipient => '' }, 422, 'invalid', 'recipient', 'empty recipient');
refused({ recipient => undef }, 422, 'invalid', 'recipient', 'null recipient');

# --- 400 bad_json -------------------------------------------------------------
for my $c (['{"recipient":"alice"', 'truncated JSON'],
    ["{'recipient':'alice'}", 'single quotes'],
    ['recipient=alice', 'form-encoded'], ['[]', 'an array'],
    ['"alice"', 'a string'], ['null', 'null'], ['42', 'a number'],
    ['', 'an empty body']) {
	refused($c->[0], 400, 'bad_json', undef, "body $c->[1]");
}

# --- 413 too_large -------------------------------------------------------------
{
	my $big = JSON::PP->new->encode({ recipient => 'alice',
	    body => 'x' x ($BODY_MAX + 4000) });
	refused($big, 413, 'too_large', undef, 'a body over body_max');
	created({ recipient => 'alice', body => 'y' x 8000 },
	    'a body under body_max');
}

done_testing;
