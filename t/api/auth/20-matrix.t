#!/usr/bin/perl
# Roles x every agent route of "herald routes", through nginx, in token mode
# (issue 4).  Principals (columns):
#   none        no credential                     -> 401 except GET /
#   user        user-role token for alice, naming alice (or nobody)
#   user-other  the same token naming bob        -> 403 on every user route
#   service     service-role token, naming bob   -> allowed, 403 on /admin/*
#   admin       admin-role token, naming bob     -> allowed everywhere
# "allowed" is asserted as the exact 200 of a well-formed request, so a
# route that refused an allowed principal for any reason fails here too.
# The route list is read from "$HERALD_BIN routes" (dialect agent): a route
# added there without a row here fails the test, and so does a binary
# without the command.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", $FindBin::Bin;
use Test::More;
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });

my %tok = (
	user	=> make_token($s, 'alice', 'user'),
	service	=> make_token($s, 'svc', 'service'),
	admin	=> make_token($s, 'root', 'admin'),
);
$tok{'user-other'} = $tok{user};
my %names = (none => 'alice', user => 'alice', 'user-other' => 'bob',
    service => 'bob', admin => 'bob');
my @PRINCIPALS = qw(none user user-other service admin);

sub hdr ($p) { return $p eq 'none' ? {} : bearer($tok{$p}) }

# Two system notifications, made by the admin: one to read and update, one
# for the DELETE row.
sub sys_add ($msg) {
	my $r = $s->put('/admin/system', { type => 'announcement',
	    message => $msg, activation_date => 0,
	    deactivation_date => 4102444800000 }, hdr('admin'));
	is $r->{status}, 200, "admin adds system notification '$msg'"
	    or diag $r->{content};
	return $r->{json}{'system-notification'}{uuid};
}
my $keep = sys_add('keep');
my $del = sys_add('delete me');
for my $u (qw(alice bob)) {
	my $r = $s->post('/notification', { type => 'data', user => $u,
	    subject => "seed for $u" }, hdr('service'));
	is $r->{status}, 200, "seed notification for $u" or diag $r->{content};
}

# [method, path template, body template, class]; U is the user named,
# P the principal's column name.  class: public | user | admin.
my @ROWS = (
	['GET',    '/',				undef,		'public'],
	['POST',   '/notification',
	    { type => 'data', user => 'U', subject => 'by P' },	'user'],
	['GET',    '/messages?user=U',		undef,		'user'],
	# L: the stream is herald push's; the pool checks, then answers 501.
	['GET',    '/events?user=U',		undef,		'stream'],
	['GET',    '/unseen-messages?user=U',	undef,		'user'],
	['GET',    '/last-ten-messages?user=U',	undef,		'user'],
	['GET',    '/count-messages?user=U',	undef,		'user'],
	['POST',   '/seen?user=U',		{ uuids => [] },	'user'],
	['POST',   '/mark-all-seen',		{ user => 'U' },	'user'],
	['POST',   '/delete?user=U',		{ uuids => [] },	'user'],
	['DELETE', '/delete-all?user=U',	undef,		'user'],
	['GET',    '/system/messages?user=U',	undef,		'user'],
	['GET',    '/system/new-messages?user=U', undef,		'user'],
	['GET',    '/system/unseen-messages?user=U', undef,	'user'],
	['POST',   '/system/received?user=U',	{ uuids => ['KEEP'] },	'user'],
	['POST',   '/system/mark-all-received',	{ user => 'U' },	'user'],
	['POST',   '/system/seen?user=U',	{ uuids => ['KEEP'] },	'user'],
	['POST',   '/system/mark-all-seen',	{ user => 'U' },	'user'],
	['POST',   '/system/delete?user=U',	{ uuids => [] },	'user'],
	['DELETE', '/system/delete-all?user=U',	undef,		'user'],
	['PUT',    '/admin/system', { type => 'warning', message => 'by P',
	    activation_date => 0, deactivation_date => 4102444800000 }, 'admin'],
	['GET',    '/admin/system',		undef,		'admin'],
	['GET',    '/admin/system/KEEP',	undef,		'admin'],
	['POST',   '/admin/system/KEEP',	{ message => 'by P' },	'admin'],
	['DELETE', '/admin/system/DEL',		undef,		'admin'],
	['GET',    '/admin/system-types',	undef,		'admin'],
);

# Every agent route of "herald routes" has a row, and every row is a route.
# The command prints every dialect's route table, one route a line:
# DIALECT<TAB>METHOD<TAB>PATTERN<TAB>FLAGS, FLAGS a comma-separated list of
# public, admin, json, or "-".  A binary without the command fails here.
{
	my $bin = Herald::Stack::herald_bin();
	my $err = $s->dir . "/routes-stderr.$$";
	my $pid = open(my $fh, '-|') // die "fork: $!";
	if ($pid == 0) {
		open(STDERR, '>', $err) or die "$err: $!";
		open(STDIN, '<', '/dev/null');
		exec { $bin } $bin, 'routes' or die "exec $bin: $!";
	}
	my @lines = <$fh>;
	close($fh);
	my $st = $?;
	my $stderr = Herald::Stack::slurp_file($err);
	unlink($err);
	ok $st == 0 && @lines, "'herald routes' runs and prints routes"
	    or diag "$bin routes: wait status $st, stdout:\n@lines"
	    . "stderr:\n$stderr";
	my (%routes, @bad);
	for my $l (@lines) {
		chomp $l;
		my ($dialect, $method, $pattern, $flags) = split /\t/, $l, -1;
		if (!defined $flags || $l =~ tr/\t// != 3
		    || $flags !~ /\A(?:-|(?:public|admin|json)(?:,(?:public|admin|json))*)\z/) {
			push @bad, $l;
			next;
		}
		next unless $dialect eq 'agent';
		$routes{"$method $pattern"} = { map { $_ => 1 }
		    grep { $_ ne '-' } split /,/, $flags };
	}
	is_deeply \@bad, [], "every line is DIALECT\tMETHOD\tPATTERN\tFLAGS";
	my %rows;
	for my $row (@ROWS) {
		(my $p = $row->[1]) =~ s/\?.*//;
		$p =~ s{/(KEEP|DEL)\z}{/{uuid}};
		$rows{"$row->[0] $p"} = $row->[3];
	}
	cmp_ok scalar(keys %routes), '>=', 25, "'herald routes' lists the agent's";
	is_deeply [sort keys %rows], [sort keys %routes],
	    'the matrix has exactly one row per agent route of herald routes';
	# And each row's class is the route's: public and admin flags.
	for my $k (sort grep { $routes{$_} } keys %rows) {
		my $f = $routes{$k};
		my $class = $f->{admin} ? 'admin' : $f->{public} ? 'public'
		    : 'user';
		$class = 'stream' if $rows{$k} eq 'stream' && $class eq 'user';
		is $rows{$k}, $class, "$k: class $class as its flags say";
	}
}

sub fill ($v, $p) {
	my $u = $names{$p};
	if (ref $v eq 'HASH') {
		return { map { $_ => fill($v->{$_}, $p) } keys %$v };
	} elsif (ref $v eq 'ARRAY') {
		return [map { fill($_, $p) } @$v];
	}
	return $v unless defined $v;
	return $keep if $v eq 'KEEP';
	(my $o = $v) =~ s/\bU\z/$u/;
	$o =~ s/=U\b/=$u/;
	$o =~ s/\bby P\z/by $p/;
	$o =~ s{/KEEP\z}{/$keep};
	$o =~ s{/DEL\z}{/$del};
	return $o;
}

sub expected ($class, $p) {
	return 200 if $class eq 'public';
	return 401 if $p eq 'none';
	return ($class eq 'stream' ? 501 : 200) if $p eq 'admin';
	return 403 if $class eq 'admin';
	return 403 if $p eq 'user-other';
	return 501 if $class eq 'stream';
	return 200;
}

my %tally;
for my $row (@ROWS) {
	my ($m, $path, $body, $class) = @$row;
	for my $p (@PRINCIPALS) {
		my $want = expected($class, $p);
		my $r = $s->request($m, fill($path, $p), fill($body, $p),
		    hdr($p));
		my $name = sprintf '%-6s %-32s as %-10s', $m, $path, $p;
		if ($want == 401) {
			is_401($r, $name);
		} elsif ($want == 403) {
			is_403($r, $name);
		} elsif ($want == 501) {
			is $r->{status}, 501, "$name: 501 (herald push's)"
			    or diag $r->{content};
		} else {
			is_200($r, $name);
		}
		$tally{$want}++;
	}
}
note "matrix: " . join(', ', map { "$_ x $tally{$_}" } sort keys %tally);

# A user-role principal need not name itself: without a user it is alice.
for my $row (@ROWS) {
	my ($m, $path, $body, $class) = @$row;
	next unless $class eq 'user' && $path ne '/notification';	# not 'stream'

	(my $bare = $path) =~ s/\?user=U\z//;
	my $b = fill($body, 'user');
	delete $b->{user} if ref $b eq 'HASH';
	is_200($s->request($m, $bare, $b, hdr('user')),
	    "$m $bare as user, naming nobody");
}

# The refused requests changed nothing.
is $s->sql_value("SELECT COUNT(*) FROM system_notifications WHERE message "
    . "IN ('by none', 'by user', 'by user-other', 'by service')"), 0,
    'no system notification added or updated by a non-admin';
is $s->sql_value("SELECT message FROM system_notifications WHERE "
    . "id = UNHEX(REPLACE('$keep', '-', ''))"), 'by admin',
    'the admin\'s update is the last one';
is $s->sql_value("SELECT COUNT(*) FROM system_notifications WHERE "
    . "id = UNHEX(REPLACE('$del', '-', ''))"), 0,
    'the admin deleted DEL';
is $s->sql_value("SELECT COUNT(*) FROM notifications WHERE subject IN "
    . "('by none', 'by user-other')"), 0,
    'no notification created by a refused principal';
is $s->sql_value("SELECT COUNT(*) FROM notifications WHERE subject IN "
    . "('by user', 'by service', 'by admin')"), 3,
    'user, service and admin each created one';

done_testing;
