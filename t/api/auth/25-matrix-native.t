#!/usr/bin/perl
# Roles x every /v1 route of "herald routes", through nginx, in token mode.
# Principals: none (401), user alice on her own (allowed), user alice on
# bob's (403 when the path names bob; 404 for bob's notification by id, as
# if it did not exist), service and admin (allowed).  "allowed" is the
# route's exact success status, so a refusal for any reason fails here.
# A /v1 route without a row fails the test.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", $FindBin::Bin;
use Test::More;
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });
my %tok = (user => make_token($s, 'alice', 'user'),
    service => make_token($s, 'svc', 'service'),
    admin => make_token($s, 'root', 'admin'));
$tok{'user-other'} = $tok{user};
my @PRINCIPALS = qw(none user user-other service admin);
# The user each principal's request is about.
my %about = (none => 'alice', user => 'alice', 'user-other' => 'bob',
    service => 'bob', admin => 'bob');

sub hdr ($p) { return $p eq 'none' ? {} : bearer($tok{$p}) }

# A fresh notification for $who, made by the service.
sub note_for ($who) {
	my $r = $s->post('/v1/notifications', { recipient => $who,
	    title => 'm' }, hdr('service'));
	$r->{status} == 201 or die "seed: $r->{status} $r->{content}";
	return $r->{json}{id};
}
my $sys = $s->put('/admin/system', { type => 'announcement', message => 'm',
    activation_date => 0, deactivation_date => 4102444800000,
    dismissible => JSON::PP::true }, hdr('admin'))->{json}
    {'system-notification'}{uuid};

# [method, path, body, success status, kind]; U: the user, N: a fresh
# notification of U's, S: the system notification.  kind: "path" (the
# path names the user: 403 for another) or "id" (404 for another's).
my @ROWS = (
	['POST', '/v1/notifications', { recipient => 'U', title => 't' },
	    201, 'path'],
	['GET', '/v1/notifications/N', undef, 200, 'id'],
	['PATCH', '/v1/notifications/N', { read => JSON::PP::true }, 200, 'id'],
	['DELETE', '/v1/notifications/N', undef, 204, 'id'],
	['GET', '/v1/users/U/notifications', undef, 200, 'path'],
	['GET', '/v1/users/U/notifications/count', undef, 200, 'path'],
	# L: herald push's stream; the pool checks, then answers 501.
	['GET', '/v1/users/U/notifications/stream', undef, 501, 'path'],
	['POST', '/v1/users/U/notifications/read-all', undef, 200, 'path'],
	['GET', '/v1/users/U/system-notifications', undef, 200, 'path'],
	['POST', '/v1/users/U/system-notifications/S/seen', undef, 200, 'path'],
	['POST', '/v1/users/U/system-notifications/S/dismiss', undef, 200,
	    'path'],
);

# Exactly one row per native route of "herald routes".
{
	my $bin = Herald::Stack::herald_bin();
	my @lines = grep { /^native\t/ } split /\n/, `$bin routes`;
	ok @lines >= 10, "'herald routes' lists /v1" or diag "@lines";
	my %routes = map { my @f = split /\t/; ("$f[1] $f[2]" => 1) } @lines;
	my %rows;
	for my $row (@ROWS) {
		(my $p = $row->[1]) =~ s{/U/}{/{user}/};
		$p =~ s{/N\z}{/{id}};
		$p =~ s{/S/}{/{id}/};
		$rows{"$row->[0] $p"} = 1;
	}
	is_deeply [sort keys %rows], [sort keys %routes],
	    'one row per /v1 route of herald routes';
}

sub fill ($v, $p, $n) {
	return undef unless defined $v;
	if (ref $v eq 'HASH') {
		return { map { $_ => fill($v->{$_}, $p, $n) } keys %$v };
	}
	return $v if ref $v;
	(my $o = $v) =~ s{\AU\z}{$about{$p}};
	$o =~ s{/U/}{/$about{$p}/};
	$o =~ s{/N\z}{/$n};
	$o =~ s{/S/}{/$sys/};
	return $o;
}

for my $row (@ROWS) {
	my ($m, $path, $body, $ok, $kind) = @$row;
	for my $p (@PRINCIPALS) {
		my $n = $path =~ m{/N\z} ? note_for($about{$p}) : '';
		my $r = $s->request($m, fill($path, $p, $n), fill($body, $p, $n),
		    hdr($p));
		my $want = $p eq 'none' ? 401 : $p eq 'user-other' ?
		    ($kind eq 'id' ? 404 : 403) : $ok;
		my $name = sprintf '%-6s %-44s as %-10s', $m, $path, $p;
		is $r->{status}, $want, "$name: $want" or diag $r->{content};
		next if $want < 400;
		is $r->{json} && $r->{json}{error}{status}, $want,
		    "$name: in /v1's error format";
		like $r->{headers}{'www-authenticate'} // '', qr/^Bearer\b/,
		    "$name: WWW-Authenticate" if $want == 401;
	}
}

# Nothing of bob's changed through alice's token.
is $s->sql_value("SELECT COUNT(*) FROM notifications n JOIN users u ON "
    . "u.id = n.user_id WHERE u.username = 'bob' AND n.sender = 'alice'"), 0,
    'alice made nothing for bob';
done_testing;
