package Herald::Paths;

# Where things are, for the test harness: the source tree, the build
# directory and the herald binary.
#
#   srcdir      $ENV{srcdir}, else the repository this file is in
#   builddir    the current directory (tests run in the build directory)
#   herald_bin  $ENV{HERALD_BIN} (relative to builddir), else ./herald

use v5.36;
use Cwd qw(abs_path getcwd);
use Exporter qw(import);
use File::Basename qw(dirname);
use File::Spec;

our @EXPORT_OK = qw(srcdir builddir herald_bin);

sub srcdir {
	if (defined $ENV{srcdir} && length $ENV{srcdir}) {
		my $d = abs_path($ENV{srcdir});
		return $d if defined $d && -d $d;
	}
	# t/lib/Herald/Paths.pm -> the repository root
	my $here = abs_path(__FILE__);
	return abs_path(dirname($here) . '/../../..');
}

sub builddir { return getcwd() }

sub herald_bin {
	my $bin = $ENV{HERALD_BIN} // './herald';
	$bin = File::Spec->rel2abs($bin, builddir());
	return $bin;
}

1;
