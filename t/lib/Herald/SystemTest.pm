package Herald::SystemTest;

# Fixtures shared by the system-notification tests: the clock in ms, the
# count of per-user state rows, and adding a system notification through
# the admin API.  Call use_stack($s) once; the helpers then talk to it.

use v5.36;
use Exporter qw(import);
use Test::More;
use Time::HiRes qw(time);

our @EXPORT = qw($HOUR now_ms states add use_stack);
our $HOUR = 3_600_000;
my $S;

sub use_stack ($s) { $S = $s }

sub now_ms () { int(time * 1000) }

sub states () { $S->sql_value('SELECT COUNT(*) FROM system_states') }

# PUT /admin/system with a warning active for an hour, overridden by %f;
# asserts 200 and returns the new uuid.
sub add (%f) {
	my $r = $S->put('/admin/system', { type => 'warning',
	    deactivation_date => now_ms() + $HOUR, %f });
	is $r->{status}, 200, "added '$f{message}'" or diag $r->{content};
	return $r->{json}{'system-notification'}{uuid};
}

1;
