package AuthTest;

# Helpers shared by the t/api/auth tests: the "herald token" CLI run
# against a stack's configuration, credential headers, and the exact
# shapes of the 401 and 403 refusals (issue 4, design.md "Principals and
# roles").

use v5.36;
use Exporter qw(import);
use Test::More;
use Herald::Stack;

our @EXPORT = qw(herald_cli make_token token_line bearer is_401 is_403
    is_200);

my $TOKEN_RE = qr/^hrld_[0-9a-f]{64}\z/;

# Run "herald -c CONF @args"; returns (exit status, stdout, stderr).
sub herald_cli ($s, @args) {
	my $bin = Herald::Stack::herald_bin();
	my $err = $s->dir . "/cli-stderr.$$";
	my $pid = open(my $out, '-|') // die "fork: $!";
	if ($pid == 0) {
		open(STDERR, '>', $err) or die "$err: $!";
		open(STDIN, '<', '/dev/null');
		exec { $bin } $bin, '-c', $s->config_file, @args
		    or die "exec $bin: $!";
	}
	local $/;
	my $stdout = <$out> // '';
	close($out);
	my $st = $? >> 8;
	open(my $fh, '<', $err) or die "$err: $!";
	my $stderr = <$fh> // '';
	close($fh);
	unlink($err);
	return ($st, $stdout, $stderr);
}

# "token create"; dies unless it printed exactly one well-formed token.
sub make_token ($s, $user, $role, @extra) {
	my ($st, $out, $err) = herald_cli($s, 'token', 'create', '--user',
	    $user, '--role', $role, @extra);
	die "token create --user $user --role $role: exit $st: $err"
	    if $st != 0;
	chomp(my $tok = $out);
	die "token create printed '$out', not a token" if $tok !~ $TOKEN_RE;
	return $tok;
}

# The "token list" line of the only token of $user (users are unique per
# test), or undef.
sub token_line ($s, $user) {
	my ($st, $out) = herald_cli($s, 'token', 'list');
	die "token list: exit $st" if $st != 0;
	my @l = grep { /^\S+\s+\S+\s+\Q$user\E\s+created / } split /\n/, $out;
	die "more than one token of $user" if @l > 1;
	return $l[0];
}

sub bearer ($tok) { return { Authorization => "Bearer $tok" } }

sub is_200 ($r, $name) {
	is $r->{status}, 200, "$name: 200" or diag $r->{content};
}

sub is_401 ($r, $name) {
	is $r->{status}, 401, "$name: 401" or diag $r->{content};
	is $r->{json} && $r->{json}{error_code}, 'ERR_NOT_AUTHORIZED',
	    "$name: ERR_NOT_AUTHORIZED";
	like $r->{headers}{'www-authenticate'} // '', qr/^Bearer\b/,
	    "$name: WWW-Authenticate: Bearer";
}

sub is_403 ($r, $name) {
	is $r->{status}, 403, "$name: 403" or diag $r->{content};
	is $r->{json} && $r->{json}{error_code}, 'ERR_FORBIDDEN',
	    "$name: ERR_FORBIDDEN";
}

1;
