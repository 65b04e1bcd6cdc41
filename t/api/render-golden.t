#!/usr/bin/perl
# The exact bodies of the Coder inbox, the project tool and Enterprise
# Tester (issue Q): one user's notifications covering every field (absent
# and empty ones, unicode, "/" and control characters, actions, targets,
# icons and their fallbacks, read and unread, data objects, stored JSON
# that is not as Herald writes it, empty lists, paging), each list and
# single-item body compared byte for byte with t/api/render-golden.expected.
# The ids Herald chooses are written there as <n01>, <alice>, ...; times
# are fixed through SQL.  HERALD_GOLDEN_WRITE=1 rewrites the file (only
# when the format is meant to change).
use v5.36;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/auth";
use Test::More;
use JSON::PP;
use Herald::Stack;
use AuthTest;

binmode(Test::More->builder->$_, ':encoding(UTF-8)')
    for qw(output failure_output todo_output);

my $GOLDEN = "$FindBin::Bin/render-golden.expected";
my $WRITE = $ENV{HERALD_GOLDEN_WRITE};
my $s = Herald::Stack->start(config => { auth => 'token',
    projects_timezone => 'Europe/Berlin' });
my $SVC = bearer(make_token($s, 'svc', 'service'));
my $ALICE_T = make_token($s, 'alice', 'user');
my $BOB_T = make_token($s, 'bob', 'user');
my %CODER = (alice => { 'Coder-Session-Token' => $ALICE_T },
    bob => { 'Coder-Session-Token' => $BOB_T });
my %BEARER = (alice => bearer($ALICE_T), bob => bearer($BOB_T));
my $TEST = 'c425f63e-716a-4bf4-ae24-78348f706c3f';	# Notification Events
my $WS = 'a9e1d000-0000-4000-8000-00000000000a';	# Workspace Events
my $ACC = 'a9e1d000-0000-4000-8000-00000000000b';	# User Events, actions
my ($T1, $T2) = ('7a100000-0000-4000-8000-000000000001',
    '7a100000-0000-4000-8000-000000000002');
my $BASE = 1_700_000_000_000;
my (%name, %n);	# id => placeholder; label => id

sub hex_of ($id) { $id =~ s/-//gr }
sub sq ($v) { $s->quote($v) }

# Two templates of our own: a group with its own icon, and actions
# rendered from labels at creation.
$s->sql("INSERT INTO templates (id, tenant, name, kind, grp, title_tmpl, "
    . "body_tmpl, body_html, actions, methods, enabled_by_default, dedupe, "
    . "created, updated) VALUES (UNHEX('" . hex_of($WS) . "'), 'default', "
    . "'Golden Workspace', 'custom', 'Workspace Events', 'W', 'W', 0, '[]', "
    . "'', 1, 0, 0, 0), (UNHEX('" . hex_of($ACC) . "'), 'default', "
    . "'Golden Account', 'custom', 'User Events', 'A', 'A', 0, "
    . sq('[{"label":"Open {{.UserName}}’s page","url":'
    . '"https://coder.example/u/{{.UserName}}?tab=a&b=\"c\""}]')
    . ", '', 1, 0, 0, 0);");

# Created through /v1 for "user", with the fields given; its time set to
# $BASE + $at (ms) and its update 500 ms later.
sub mk ($label, $user, $at, %f) {
	my $r = $s->post('/v1/notifications', { recipient => $user, %f },
	    { 'Content-Type' => 'application/json', %$SVC });
	is $r->{status}, 201, "created $label" or diag $r->{content};
	my $id = $r->{json}{id} // "missing-$label";
	set_times($id, $BASE + $at);
	$name{$id} = "<$label>";
	$n{$label} = $id;
	return $id;
}
sub set_times ($id, $ms, %o) {
	my $set = "created = $ms, updated = " . ($ms + 500);
	$set .= ", $_ = $o{$_}" for sort keys %o;
	$s->sql("UPDATE notifications SET $set WHERE id = UNHEX('"
	    . hex_of($id) . "');");
}
sub sql_set ($id, $col, $text) {
	$s->sql("UPDATE notifications SET $col = " . sq($text)
	    . " WHERE id = UNHEX('" . hex_of($id) . "');");
}
sub read_at ($id, $ms) {
	$s->sql("UPDATE notifications SET seen = 1, seen_at = "
	    . ($ms // 'NULL') . " WHERE id = UNHEX('" . hex_of($id) . "');");
}

my $CTL = join q{}, map { chr } 1 .. 31, 127;
mk('n01', 'alice', 1000, title => 'Plain', body => 'text');
mk('n02', 'alice', 2123, type => 'golden/ünïcode',
    title => "Grüße ✓ 日本語 😀 \x{2028}",
    body => "a/b </script> \"q\" back\\slash $CTL end",
    icon => 'icon/with "quote"', link => 'https://example.com/a/b?c=d&e');
mk('n03', 'alice', 3120, title => 'Workspace', body => 'ws',
    template => $WS, targets => [$T1, $T2],
    actions => [{ label => 'Öffnen / open', url => 'https://e.x/a/b?x="2"' },
	{ label => '', url => '/relative' }]);
mk('n04', 'alice', 4100, title => 'Workspace again',
    body => 'same template, the icon found once', template => $WS,
    targets => [$T2]);
mk('n05', 'alice', 5000, title => 'Test template',
    body => 'the group has no icon', template => $TEST);
mk('n06', 'alice', 6000, title => 'Account', body => 'labels',
    template => $ACC, icon => 'own-icon');
mk('n07', 'alice', 7000, title => 'Data with title',
    body => 'data names both', data => { title => 'from data',
	body => undef, nested => { list => [1, -2, 0, JSON::PP::true,
	JSON::PP::false, undef, 'x/y', "t\tab"], empty => {}, none => [] },
	'ключ' => 'значение', '' => 'empty key' });
mk('n08', 'alice', 8000, title => 'Data with body only',
    body => 'kept', data => { body => 'data body', n => 123456789012 });
mk('n09', 'alice', 9000, title => '', body => '');
mk('n10', 'alice', 10000, title => 'HTML',
    body_format => 'html', body => '<p>Hi <b>there</b><script>alert(1)'
    . '</script> <a href="http://e.x/y" onclick="z()">link</a> & é</p>');
mk('n11', 'alice', 11000, title => 'Markdown',
    body_format => 'markdown', body => "# Head\n\n*em* [l](http://e.x/)");
mk('n12', 'alice', 12000, title => 'Only a title');
mk('n13', 'alice', 13000, title => 'Stored by hand',
    body => 'JSON as another program wrote it');
mk('n14', 'alice', 14000, title => 'Stored, odd',
    body => 'repeated keys, too deep, not an object');
mk('n15', 'alice', 15000, title => 'ET icon', body => 'x',
    icon => 'requirement-icon');
mk('n16', 'alice', 16000, title => 'Deleted', body => 'gone');
mk('n17', 'bob', 17000, title => "Bob's", body => 'not hers');
# More than a page of Coder's 25, and two of the project tool's 15.
mk("n$_", 'alice', 20000 + $_ * 1000, title => "Filler $_",
    body => "filler $_", targets => [$T1]) for 18 .. 30;

# Through the agent: a payload as the agent stores it, its type with _.
{
	my $r = $s->post('/notification', { type => 'tool_request',
	    user => 'alice', subject => 'From the agent',
	    message => 'agent text', email => JSON::PP::true,
	    email_template => 'tmpl', payload => { url => 'http://a/b',
	    startdate => '1700000000000', 'ü' => [1, { k => 'v' }] } },
	    { 'Content-Type' => 'application/json', %$SVC });
	is $r->{status}, 200, 'created through the agent' or diag $r->{content};
	my $id = lc $s->sql_value("SELECT HEX(id) FROM notifications WHERE "
	    . "subject = 'From the agent'");
	$id =~ s/^(.{8})(.{4})(.{4})(.{4})(.{12})$/$1-$2-$3-$4-$5/;
	$name{$id} = '<n31>';
	$n{n31} = $id;
	set_times($id, $BASE + 31000);
}

# July, for the other UTC offset of Europe/Berlin; fractions for Go's.
set_times($n{n12}, 1_690_000_000_007);
# Read: with its read time, and an old row without one (its update).
read_at($n{n01}, $BASE + 50_000);
read_at($n{n03}, $BASE + 60_123);
read_at($n{n07}, undef);
read_at($n{"n$_"}, $BASE + 70_000 + $_) for 20, 25;
$s->sql("UPDATE notifications SET deleted = 1, deleted_at = $BASE "
    . "WHERE id = UNHEX('" . hex_of($n{n16}) . "');");
# Stored JSON with white space, escapes and numbers Herald does not write.
sql_set($n{n13}, 'payload', '{ "a" : 1.50, "b": "\u00e9\/\u001F", '
    . '"c": [ true , null ], "title": null, "big": 12345678901234567890 }');
sql_set($n{n13}, 'actions', '[ {"label": "sp aced", "url": "http:\/\/x\/y"} ]');
sql_set($n{n13}, 'targets', '["' . $T1 . '" ]');
sql_set($n{n14}, 'payload', '{"x":1,"x":2,"deep":' . ('[' x 30) . (']' x 30)
    . '}');
sql_set($n{n14}, 'actions', '{"not":"an array"}');
sql_set($n{n14}, 'targets', '[' x 20 . ']' x 20);
sql_set($n{n09}, 'payload', '[1,2]');
sql_set($n{n15}, 'icon_title', 'Требование / "req"');

my $port = $s->port;
my $A = user_id('alice');
my $B = user_id('bob');
$name{$A} = '<alice>';
$name{$B} = '<bob>';
sub user_id ($u) {
	my $hex = lc $s->sql_value("SELECT HEX(id) FROM users WHERE "
	    . "username = '$u'");
	return $hex =~ s/^(.{8})(.{4})(.{4})(.{4})(.{12})$/$1-$2-$3-$4-$5/r;
}

# The body with Herald's ids and the port named.
sub named ($body) {
	$body =~ s/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/
	    $name{$1} \/\/ $1/ge;
	$body =~ s/127\.0\.0\.1:$port/<host>/g;
	return $body;
}

my @cases;	# [name, method, path, body, headers]
sub case ($label, $m, $path, $body, $h) {
	push @cases, [$label, $m, $path, $body, $h];
}
my $INBOX = '/api/v2/notifications/inbox';
case('coder list', 'GET', $INBOX, undef, $CODER{alice});
case('coder unread', 'GET', "$INBOX?read_status=unread", undef,
    $CODER{alice});
case('coder read', 'GET', "$INBOX?read_status=read", undef, $CODER{alice});
case('coder page 2', 'GET', "$INBOX?starting_before=$n{n24}", undef,
    $CODER{alice});
case('coder targets', 'GET', "$INBOX?targets=$T2", undef, $CODER{alice});
case('coder templates', 'GET', "$INBOX?templates=$WS,$ACC", undef,
    $CODER{alice});
case('coder empty', 'GET', $INBOX, undef, $CODER{bob});
case('coder none match', 'GET', "$INBOX?templates=$TEST&targets=$T1",
    undef, $CODER{alice});
# An unread one marked unread: nothing changes, the item is shown.
case("coder read-status $_", 'PUT', "$INBOX/$n{$_}/read-status",
    { is_read => JSON::PP::false }, $CODER{alice}) for qw(n04 n05 n13 n14);
case('coder read-status bad', 'PUT', "$INBOX/$n{n17}/read-status",
    { is_read => JSON::PP::false }, $CODER{alice});

case('projects list', 'GET', '/api/notifications', undef, $BEARER{alice});
case('projects page 2', 'GET', '/api/notifications?page=2', undef,
    $BEARER{alice});
case('projects page 3 of 7', 'GET', '/api/v0/notifications?limit=5&page=3',
    undef, $BEARER{alice});
case('projects past the end', 'GET', '/api/notifications?page=9', undef,
    $BEARER{alice});
case('projects unread by type', 'GET', '/api/notifications?filter%5Bread_at'
    . '%5D=null&sort=type&limit=100', undef, $BEARER{alice});
case('projects read', 'GET', '/api/notifications?filter%5Bread_at%5D='
    . 'notnull&sort=read_at', undef, $BEARER{alice});
case('projects empty', 'GET', '/api/notifications', undef, $BEARER{bob});
case('projects latest', 'GET', '/api/latest-notifications?limit=100',
    undef, $BEARER{alice});
case('projects latest default', 'GET', '/api/latest-notifications', undef,
    $BEARER{alice});
case('projects latest empty', 'GET', '/api/latest-notifications', undef,
    $BEARER{bob});
# Already read: marking keeps the read time, the bodies stay the same.
case('projects mark', 'POST', '/api/notifications', { notification_ids =>
    [@n{qw(n20 n03 n01 n17 n25)}, $n{n03}] }, $BEARER{alice});
case('projects mark none', 'POST', '/api/notifications',
    { notification_ids => [] }, $BEARER{alice});
case('projects read one', 'PUT', "/api/notifications/$n{n01}/read", {},
    $BEARER{alice});

my $ETL = "/api/user/$A/notifications";
case('et list', 'GET', $ETL, undef, $SVC);
case('et list as alice', 'GET', $ETL, undef, $BEARER{alice});
case('et top 4 skip 3', 'GET', "$ETL?\$top=4&\$skip=3", undef, $SVC);
case('et top 0', 'GET', "$ETL?\$top=0", undef, $SVC);
case('et past the end', 'GET', "$ETL?skip=500", undef, $SVC);
case('et empty', 'GET', "/api/user/$B/notifications", undef, $SVC);

# Each of hers through the single-item routes.
for my $k (sort keys %n) {
	next if $k eq "n16" || $k eq "n17";
	case("projects one $k", 'GET', "/api/notifications/$n{$k}", undef,
	    $BEARER{alice});
	case("et one $k", 'GET', "/api/user/$A/notification/$n{$k}", undef,
	    $SVC);
}
case('projects one deleted', 'GET', "/api/notifications/$n{n16}", undef,
    $BEARER{alice});
case('et one of another', 'GET', "/api/user/$A/notification/$n{n17}", undef,
    $SVC);

# The golden file: "### name status bytes\n" then the body and "\n".
my %want;
if (!$WRITE) {
	open my $fh, '<:raw', $GOLDEN or die "$GOLDEN: $!";
	local $/;
	my $text = <$fh>;
	while ($text =~ /\G### (.+) (\d+) (\d+)\n/gc) {
		my ($label, $st, $len) = ($1, $2, $3);
		my $at = pos $text;
		$want{$label} = [$st, substr($text, $at, $len)];
		pos($text) = $at + $len + 1;
	}
}
my $out = '';
for my $c (@cases) {
	my ($label, $m, $path, $body, $h) = @$c;
	my $r = $s->request($m, $path, $body,
	    { 'Content-Type' => 'application/json', %$h });
	my $got = named($r->{content});
	# Error bodies carry a fresh id of their own.
	$got =~ s/"id":"[0-9a-f-]{36}"/"id":"<error>"/ if $r->{status} >= 400;
	$out .= "### $label $r->{status} " . length($got) . "\n$got\n";
	next if $WRITE;
	my $w = $want{$label};
	if (!$w) {
		fail("$label: in the golden file");
		next;
	}
	is $r->{status}, $w->[0], "$label: status $w->[0]";
	if ($got eq $w->[1]) {
		pass("$label: the body, byte for byte");
		next;
	}
	my $i = 0;
	$i++ while $i < length $got && substr($got, $i, 1) eq
	    substr($w->[1], $i, 1);
	fail("$label: the body, byte for byte");
	diag("first difference at byte $i:\n got: "
	    . substr($got, $i > 60 ? $i - 60 : 0, 160) . "\nwant: "
	    . substr($w->[1], $i > 60 ? $i - 60 : 0, 160));
}

# Numbers json-c reads but JSON has not (NaN, Infinity, "1."): refused in
# a body, and stored ones ("1.") never reach an answer as they are.
{
	my $r = $s->post('/v1/notifications', '{"recipient":"alice","title":'
	    . '"nan","body":"b","data":{"n":NaN}}',
	    { 'Content-Type' => 'application/json', %$SVC });
	is $r->{status}, 400, 'NaN in a body: 400' or diag $r->{content};
	$r = $s->post('/v1/notifications', '{"recipient":"alice","title":'
	    . '"dot","body":"b","data":{"n":1.}}',
	    { 'Content-Type' => 'application/json', %$SVC });
	is $r->{status}, 400, '"1." in a body: 400' or diag $r->{content};
	# MariaDB's JSON_VALID keeps NaN out of the table, not these.
	sql_set($n{n14}, 'payload', '{"d":1.,"e":-2.e3,"ok":1}');
	sql_set($n{n14}, 'actions', '[{"x":1.}]');
	sql_set($n{n14}, 'targets', '[1.]');
	for my $c (['projects one', 'GET', "/api/notifications/$n{n14}", undef,
	    $BEARER{alice}], ['coder read-status', 'PUT',
	    "$INBOX/$n{n14}/read-status", { is_read => JSON::PP::false },
	    $CODER{alice}], ['projects list', 'GET', '/api/notifications?'
	    . 'limit=100', undef, $BEARER{alice}], ['coder list', 'GET',
	    "$INBOX?read_status=unread", undef,
	    $CODER{alice}]) {
		my ($label, $m, $path, $body, $h) = @$c;
		$r = $s->request($m, $path, $body,
		    { 'Content-Type' => 'application/json', %$h });
		is $r->{status}, 200, "stored 1., $label: 200";
		ok defined $r->{json}, "... valid JSON"
		    or diag substr($r->{content}, 0, 300);
		like $r->{content}, qr/\Q$n{n14}\E/, "... with the note";
	}
}

if ($WRITE) {
	open my $fh, '>:raw', $GOLDEN or die "$GOLDEN: $!";
	print $fh $out;
	close $fh or die "$GOLDEN: $!";
	pass("wrote $GOLDEN");
} else {
	is scalar(@cases), scalar(keys %want), 'every golden body was asked for';
}
done_testing();
