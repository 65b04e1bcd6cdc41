package Herald::Prom;
# The sample lines of a Prometheus text scrape, for the metrics tests.
#
#   my $v = Herald::Prom::samples($text);   # {"name{labels}" => value}
#
# undef when a line is neither a comment nor "name{labels} value".
use v5.36;

sub samples ($text) {
	my %v;
	for (split /\n/, $text) {
		next if /^#/ || !length;
		/^(\S+(?:\{.*\})?) (\S+)$/ or return;
		$v{$1} = $2;
	}
	return \%v;
}

1;
