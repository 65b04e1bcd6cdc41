#!/usr/bin/perl
# Every route of the FOLIO, Coder, project-tool and Enterprise Tester
# dialects, from "herald routes", in token mode: no credential is 401 in
# the owning dialect's own error format (public routes excepted); a
# user-role token on an admin route is 403; a user token on a path that
# names another user is refused (403 or 404), and changes nothing of
# theirs.  A route added to one of these dialects is covered by itself.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib", $FindBin::Bin;
use Test::More;
use Herald::Stack;
use AuthTest;

my $s = Herald::Stack->start(config => { auth => 'token' });
my $user = make_token($s, 'alice', 'user');
my $svc = make_token($s, 'svc', 'service');
my $r = $s->post('/v1/notifications', { recipient => 'bob', title => 'keep' },
    bearer($svc));
is $r->{status}, 201, "bob's notification" or diag $r->{content};
my $bob_note = $r->{json}{id};
my $bob_id = $r->{json}{recipient}{id};

# The owning dialect's error format, by dialect.
my %format = (
	folio	=> sub ($r) { $r->{headers}{'content-type'} =~ m{^text/plain}
	    || ($r->{json} && $r->{json}{errors}) },
	coder	=> sub ($r) { $r->{json} && exists $r->{json}{message} },
	projects => sub ($r) { $r->{json} && exists $r->{json}{type}
	    && exists $r->{json}{message} },
	etester	=> sub ($r) { $r->{json} && exists $r->{json}{Message} },
);

my @routes;
for my $l (split /\n/, `$ENV{HERALD_BIN} routes`) {
	my ($d, $m, $p, $f) = split /\t/, $l;
	push @routes, [$d, $m, $p, $f] if $format{$d};
}
cmp_ok scalar(@routes), '>=', 40, 'the four dialects have their routes';
my %seen = map { $_->[0] => 1 } @routes;
is_deeply [sort keys %seen], [sort keys %format], '... every one of them';

sub path_for ($p, $who) {
	(my $o = $p) =~ s/\{(user|userId|username)\}/$who/g;
	$o =~ s/\{id\}/$bob_note/g;
	$o =~ s/\{[a-zA-Z]+\}/00000000-0000-4000-8000-000000000000/g;
	return $o;
}

my %okapi = ('X-Okapi-Tenant' => 'default',
    'Content-Type' => 'application/json');
for my $rt (@routes) {
	my ($d, $m, $p, $flags) = @$rt;
	my $name = sprintf '%-8s %-6s %s', $d, $m, $p;
	my %h = $d eq 'folio' ? %okapi : ();
	my $body = $m =~ /^(POST|PUT|PATCH)$/ ? {} : undef;
	unless ($flags =~ /public/) {
		my $r = $s->request($m, path_for($p, 'alice'), $body, {%h});
		is $r->{status}, 401, "$name: no credential: 401"
		    or diag $r->{content};
		ok $format{$d}->($r), "$name: ... in $d\'s format"
		    or diag $r->{content};
	}
	if ($flags =~ /admin/) {
		my $r = $s->request($m, path_for($p, 'alice'), $body,
		    { %h, %{ bearer($user) } });
		is $r->{status}, 403, "$name: a user token on an admin route: 403"
		    or diag $r->{content};
	}
	if ($p =~ /\{(user|userId)\}/) {
		for my $other ('bob', $bob_id) {
			my $r = $s->request($m, path_for($p, $other), $body,
			    { %h, %{ bearer($user) } });
			ok $r->{status} == 403 || $r->{status} == 404,
			    "$name: alice's token naming $other: refused"
			    or diag "$r->{status} $r->{content}";
		}
	}
}

# Nothing of bob's changed.
is $s->sql_value("SELECT CONCAT(seen, deleted, subject) FROM notifications "
    . "WHERE id = UNHEX(REPLACE('$bob_note', '-', ''))"), '00keep',
    "bob's notification is as it was";
done_testing;
