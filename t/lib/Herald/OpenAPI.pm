package Herald::OpenAPI;

# Every response of every test in t/api/ checked against its dialect's
# OpenAPI description (doc/openapi/<dialect>.json, from the .yaml beside
# it), with JSON::Validator (Debian libjson-validator-perl).  Herald::Client
# ::request calls check() for each response; a response that does not
# match fails a test at once (Test::More::ok(0, ...)), or, in a forked
# child, is written to a file that the parent's END turns into a failure.
#
# Which route a request took is read from "herald routes" (the dialect by
# longest prefix, as src/http/dialects.c picks it, then the pattern), so
# the description is looked up by the route's own pattern.  A request that
# no route takes (an unknown path or a method the path does not have) is
# checked against the description's x-herald-unrouted responses.
#
# On: scripts under t/api/, or HERALD_OPENAPI=1; HERALD_OPENAPI=0 turns it
# off.  HERALD_OPENAPI_RECORD=FILE appends each response as a JSON line
# (dialect, method, route, status, content type, body) instead: what
# doc/openapi/infer reads.
#
# Dialects whose description is not written yet are listed in %OFF, with
# the reason; t/ops/60-openapi.t prints them and fails on a dialect in
# neither list.

use v5.36;
use Carp qw(croak);
use JSON::PP ();
use File::Spec ();
use Herald::Paths ();

# The dialects described and validated; the others, and why not.
our @VALIDATED = qw(herald agent native etester projects coder folio);
# (Empty now: every dialect of "herald routes" is described.  A dialect
# added without a description goes here, NAME => 'why', until it has one;
# t/ops/60-openapi.t fails on a dialect that is in neither list.)
our %OFF = ();

my $MAIN = $$;
my (%routes, %prefixes, %schema, $routes_loaded);
my $JSON = JSON::PP->new->utf8->canonical;

sub enabled () {
	return 0 if ($ENV{HERALD_OPENAPI} // '') eq '0';
	return 1 if ($ENV{HERALD_OPENAPI} // '') eq '1';
	return 1 if defined $ENV{HERALD_OPENAPI_RECORD};
	return $0 =~ m{(?:^|/)t/api/} ? 1 : 0;
}

# The dialects' prefixes (src/api/*/routes.c, src/ops/ops.c).
%prefixes = (
	agent	 => ['/'],
	native	 => ['/v1'],
	folio	 => ['/notify', '/patron-notice', '/admin/health', '/_/tenant'],
	coder	 => ['/api/v2'],
	projects => ['/api/notifications', '/api/latest-notifications', '/api/v0'],
	etester	 => ['/api/user'],
	herald	 => ['/_herald'],
);

sub _prefix_len ($prefix, $path) {
	return 1 if $prefix eq '/';
	return 0 unless substr($path, 0, length $prefix) eq $prefix;
	my $next = substr($path, length $prefix, 1);
	return ($next eq '' || $next eq '/') ? length $prefix : 0;
}

sub dialect_for_path ($path) {
	my ($best, $len) = (undef, 0);
	for my $d (sort keys %prefixes) {
		for my $p (@{ $prefixes{$d} }) {
			my $l = _prefix_len($p, $path);
			($best, $len) = ($d, $l) if $l > $len;
		}
	}
	return $best;
}

# "herald routes": dialect -> [[METHOD, pattern, regex], ...]
sub routes () {
	return \%routes if $routes_loaded++;
	my $bin = Herald::Paths::herald_bin();
	open(my $fh, '-|', $bin, 'routes') or croak "$bin routes: $!";
	while (my $line = <$fh>) {
		chomp $line;
		my ($d, $m, $p) = split /\t/, $line;
		next unless defined $p;
		(my $re = quotemeta $p) =~ s/\\\{[^\/]*?\\\}/[^\/]+/g;
		push @{ $routes{$d} }, [$m, $p, qr/\A$re\z/];
	}
	close $fh;
	return \%routes;
}

# (dialect, pattern) of the route a request takes; pattern undef if none.
sub route_of ($method, $path) {
	my $d = dialect_for_path($path) // return;
	for my $r (@{ routes()->{$d} // [] }) {
		return ($d, $r->[1]) if $r->[0] eq $method && $path =~ $r->[2];
	}
	return ($d, undef);
}

# HERALD_OPENAPI_DIR: descriptions from elsewhere (to try a changed one).
sub description_file ($d) {
	return ($ENV{HERALD_OPENAPI_DIR} // Herald::Paths::srcdir()
	    . '/doc/openapi') . "/$d.json";
}

# Responses seen, by dialect and outcome ("checked", "checked_unrouted",
# "off").
our %STATS;

sub schema ($d) {
	return $schema{$d} if exists $schema{$d};
	require JSON::Validator::Schema::OpenAPIv3;
	open(my $fh, '<:raw', description_file($d))
	    or croak "OpenAPI description of $d: " . description_file($d) . ": $!";
	my $data = $JSON->decode(do { local $/; <$fh> });
	close $fh;
	_inline_refs($data);
	my $s = JSON::Validator::Schema::OpenAPIv3->new($data);
	# No coercion: a body's "1" is not the integer 1.
	$s->coerce({});
	return $schema{$d} = $s;
}

# JSON::Validator follows $ref in schemas, not a response's or a
# parameter's own $ref (#/components/responses/X): put those in place.
sub _inline_refs ($doc) {
	my $get = sub ($ref) {
		my ($kind, $name) = $ref =~ m{\A#/components/(\w+)/([^/]+)\z}
		    or croak "unsupported \$ref $ref";
		my $v = $doc->{components}{$kind}{$name}
		    // croak "\$ref $ref: no such component";
		return $JSON->decode($JSON->encode($v));
	};
	for my $item (values %{ $doc->{paths} // {} }) {
		my @ops = grep { ref $_ eq 'HASH' } values %$item;
		for my $list ($item->{parameters}, map { $_->{parameters} } @ops) {
			next unless ref $list eq 'ARRAY';
			$_ = $get->($_->{'$ref'}) for grep { $_->{'$ref'} } @$list;
		}
		for my $op (@ops) {
			my $r = $op->{responses} // next;
			$r->{$_} = $get->($r->{$_}{'$ref'})
			    for grep { ref $r->{$_} eq 'HASH' && $r->{$_}{'$ref'} } keys %$r;
		}
	}
	my $u = $doc->{'x-herald-unrouted'} // {};
	$u->{$_} = $get->($u->{$_}{'$ref'})
	    for grep { ref $u->{$_} eq 'HASH' && $u->{$_}{'$ref'} } keys %$u;
}

# What is wrong with response $res to ($method, $path) in dialect $d, as a
# list of messages (empty: it matches).
# A $pattern of undef: a request no route took, checked against the
# description's x-herald-unrouted responses.
sub problems ($d, $method, $pattern, $res) {
	my $s = schema($d);
	my $st = $res->{status};
	my $resp;
	if (defined $pattern) {
		my $op = $s->get([paths => $pattern, lc $method]);
		return ("$method $pattern is not in doc/openapi/$d.yaml")
		    unless $op;
		$resp = $op->{responses}{$st} // $op->{responses}{default};
		return ("status $st is not described") unless $resp;
	} else {
		$resp = $s->get(['x-herald-unrouted', $st]);
		return ("status $st of a request no route takes is not "
		    . "described (x-herald-unrouted)") unless $resp;
	}
	my ($ct) = split /;/, lc($res->{content_type} // '');
	$ct //= '';
	$ct =~ s/\s+//g;
	my $content = $resp->{content} // {};
	if (!%$content) {
		return length $res->{content} ? ("status $st: a body, but none "
		    . "is described") : ();
	}
	return ("status $st: content type '$ct' is not described ("
	    . join(', ', sort keys %$content) . ")") unless $content->{$ct};
	my $sch = $content->{$ct}{schema} // return ();
	my $value;
	if ($ct =~ m{[/+]json\z}) {
		$value = eval { JSON::PP->new->utf8->allow_nonref
		    ->decode($res->{content}) };
		return ("status $st: the body is not JSON") if $@;
	} else {
		$value = $res->{content};
		utf8::decode($value);
	}
	my $h = $res->{headers} // {};
	return map { "status $st: $_" } $s->validate($value,
	    $s->get(['x-herald-unrouted', $st, 'content', $ct, 'schema']))
	    unless defined $pattern;
	my @e = $s->validate_response([lc $method, $pattern, $st], {
		body => sub { return { exists => 1, value => $value,
		    content_type => $ct } },
		header => sub ($name, @) { my $v = $h->{lc $name};
		    return { exists => defined $v, value => $v } },
	});
	return map { "status $st: $_" } @e;
}

my $viol_file = File::Spec->catfile(File::Spec->tmpdir,
    "herald-openapi-$MAIN.violations");

sub _fail ($name, @why) {
	if ($$ == $MAIN && $INC{'Test/More.pm'}) {
		Test::More::ok(0, $name);
		Test::More::diag("  $_") for @why;
		return;
	}
	if (open(my $fh, '>>', $viol_file)) {
		print $fh "$name\t" . join(' | ', @why) . "\n";
		close $fh;
	}
	print STDERR "# OpenAPI: $name: @why\n";
}

sub _record ($d, $method, $pattern, $res) {
	open(my $fh, '>>', $ENV{HERALD_OPENAPI_RECORD}) or return;
	my ($ct) = split /;/, lc($res->{content_type} // '');
	my $body = $res->{content} // '';
	my $json = length $body ? eval { JSON::PP->new->utf8->allow_nonref
	    ->decode($body) } : undef;
	print $fh $JSON->encode({ dialect => $d, method => $method,
	    route => $pattern, status => $res->{status}, ct => $ct // '',
	    (defined $json ? (json => $json) : (text => $body)),
	    test => $0 }) . "\n";
	close $fh;
}

# Herald::Client::request's hook.
sub check ($method, $url, $res) {
	return unless enabled();
	# Not an HTTP answer from the server (HTTP::Tiny's own 599).
	return if ($res->{status} // 0) == 599;
	my ($path) = $url =~ m{\A[a-z]+://[^/]+(/[^?#]*)}i or return;
	my ($d, $pattern) = route_of($method, $path);
	return unless defined $d;
	return _record($d, $method, $pattern // '-', $res)
	    if defined $ENV{HERALD_OPENAPI_RECORD};
	$STATS{$d}{off}++, return unless grep { $_ eq $d } @VALIDATED;
	$STATS{$d}{defined $pattern ? 'checked' : 'checked_unrouted'}++;
	my @p = eval { problems($d, $method, $pattern, $res) };
	@p = ("validator died: $@") if $@;
	_fail("OpenAPI ($d): $method $path (" . ($pattern // 'no route')
	    . ") answered as described", @p) if @p;
}

END {
	if ($$ == $MAIN && %STATS) {
		my $line = join(', ', map { my $d = $_; "$d " . join('/',
		    map { "$_ $STATS{$d}{$_}" } sort keys %{ $STATS{$d} }) }
		    sort keys %STATS);
		Test::More::note("OpenAPI: $line") if $INC{'Test/More.pm'};
		if (defined $ENV{HERALD_OPENAPI_STATS}
		    && open(my $fh, '>>', $ENV{HERALD_OPENAPI_STATS})) {
			print $fh "$0\t$line\n";
			close $fh;
		}
	}
	if ($$ == $MAIN && -e $viol_file) {
		if (open(my $fh, '<', $viol_file)) {
			while (my $l = <$fh>) {
				chomp $l;
				my ($name, $why) = split /\t/, $l, 2;
				if ($INC{'Test/More.pm'}) {
					Test::More::ok(0, "$name (in a child)");
					Test::More::diag("  $why");
				}
				$? = 1;
			}
			close $fh;
		}
		unlink $viol_file;
	}
}

1;
