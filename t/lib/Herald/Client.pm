package Herald::Client;

# An HTTP client for the tests: requests to one base URL, JSON bodies
# encoded, JSON answers decoded, and header presets per dialect.  Every
# request method returns
#   { status, reason, headers, content, content_type, json }
# where json is the decoded body when it is a JSON object or array (undef
# otherwise).  A reference as body is sent as JSON; a string as it is (with
# curl -d's content type unless one is given).
#
#   my $c = Herald::Client->new(base => 'http://127.0.0.1:8080');
#   my $r = $c->get('/messages?user=alice');
#   my $u = $c->with(bearer => $token);                 # Authorization
#   my $f = $c->with(okapi => { tenant => 'diku', user_id => $id,
#                               token => $jwt });       # X-Okapi-*
#   my $k = $c->with(coder => $session_token);          # Coder-Session-Token
#   my $h = $c->with(headers => { 'Idempotency-Key' => 'k1' });
#   $u->patch("/v1/notifications/$id", { read => JSON::PP::true });
#
# with() returns a new client; presets accumulate, and headers given to one
# request override them.

use v5.36;
use Carp qw(croak);
use HTTP::Tiny;
use JSON::PP ();
use Herald::OpenAPI ();

our $VERSION = '0.1';

my $JSON = JSON::PP->new->utf8->canonical;

sub new ($class, %o) {
	croak "Herald::Client->new: base => URL needed" unless defined $o{base};
	(my $base = $o{base}) =~ s{/+\z}{};
	return bless {
		base	=> $base,
		headers	=> { %{ $o{headers} // {} } },
		http	=> $o{http} // HTTP::Tiny->new(
		    timeout => $o{timeout} // 15, keep_alive => 0,
		    agent => $o{agent} // "herald-tests/$VERSION"),
	}, $class;
}

# The headers of each preset.
my %PRESET = (
	bearer	=> sub ($tok) { return { Authorization => "Bearer $tok" } },
	okapi	=> sub ($o) {
		croak "okapi => { tenant, user_id, token }" unless ref $o eq 'HASH';
		my %h;
		$h{'X-Okapi-Tenant'} = $o->{tenant} if defined $o->{tenant};
		$h{'X-Okapi-User-Id'} = $o->{user_id} if defined $o->{user_id};
		$h{'X-Okapi-Token'} = $o->{token} if defined $o->{token};
		$h{'X-Okapi-Url'} = $o->{url} if defined $o->{url};
		return \%h;
	},
	coder	=> sub ($tok) { return { 'Coder-Session-Token' => $tok } },
	headers	=> sub ($h) { return { %$h } },
);

# A new client with more preset headers: with(bearer => TOKEN),
# with(okapi => {tenant, user_id, token, url}), with(coder => TOKEN),
# with(headers => {NAME => VALUE}); several pairs at once are fine.
sub with ($self, @pairs) {
	croak "with: NAME => VALUE pairs" if @pairs % 2;
	my %h = %{ $self->{headers} };
	while (my ($k, $v) = splice(@pairs, 0, 2)) {
		my $p = $PRESET{$k} or croak "with: unknown preset '$k' (one of: "
		    . join(', ', sort keys %PRESET) . ")";
		my $add = $p->($v);
		for my $name (keys %$add) {
			delete $h{$_} for grep { lc $_ eq lc $name } keys %h;
			$h{$name} = $add->{$name};
		}
	}
	return bless { %$self, headers => \%h }, ref $self;
}

# The headers a preset would add, as a hash ref (for a single request):
# Herald::Client->preset(bearer => $tok).
sub preset ($class_or_self, $name, $value) {
	my $p = $PRESET{$name} or croak "preset: unknown preset '$name'";
	return $p->($value);
}

sub headers ($self) { return { %{ $self->{headers} } } }
sub base ($self) { $self->{base} }

sub url ($self, $path = '/') {
	$path = "/$path" unless $path =~ m{^/};
	return "$self->{base}$path";
}

sub json_codec { $JSON }
sub encode_json ($class_or_self, $data) { return $JSON->encode($data) }
sub decode_json ($class_or_self, $text) {
	return JSON::PP->new->utf8->allow_nonref->decode($text);
}

sub request ($self, $method, $path, $body = undef, $headers = {}) {
	my %h = %{ $self->{headers} };
	for my $name (keys %$headers) {
		delete $h{$_} for grep { lc $_ eq lc $name } keys %h;
		$h{$name} = $headers->{$name};
	}
	my %args = (headers => \%h);
	if (defined $body) {
		if (ref $body) {
			$body = $JSON->encode($body);
		} elsif (utf8::is_utf8($body)) {
			utf8::encode($body);
		}
		# As curl -d sends it.
		$h{'content-type'} //= 'application/x-www-form-urlencoded'
		    unless grep { lc $_ eq 'content-type' } keys %h;
		$args{content} = $body;
	}
	my $res = $self->{http}->request($method, $self->url($path), \%args);
	my $r = {
		status	=> $res->{status},
		reason	=> $res->{reason},
		headers	=> $res->{headers} // {},
		content	=> $res->{content} // '',
		json	=> undef,
	};
	if (length $r->{content}) {
		my $j = eval { JSON::PP->new->utf8->allow_nonref
		    ->decode($r->{content}) };
		$r->{json} = $j if ref $j;
	}
	$r->{content_type} = $r->{headers}{'content-type'} // '';
	# Issue M: checked against the dialect's OpenAPI description.
	Herald::OpenAPI::check($method, $self->url($path), $r);
	return $r;
}

sub get ($self, $path, $headers = {}) {
	return $self->request('GET', $path, undef, $headers);
}

sub post ($self, $path, $body = undef, $headers = {}) {
	return $self->request('POST', $path, $body, $headers);
}

sub put ($self, $path, $body = undef, $headers = {}) {
	return $self->request('PUT', $path, $body, $headers);
}

sub patch ($self, $path, $body = undef, $headers = {}) {
	return $self->request('PATCH', $path, $body, $headers);
}

sub delete ($self, $path, $body = undef, $headers = {}) {
	return $self->request('DELETE', $path, $body, $headers);
}

# The JSON type ('string', 'number', 'boolean', 'null', 'array', 'object',
# or undef when the path is absent) of the value at @path in a JSON text.
# Judged from a fresh decode, so earlier use of a decoded value in numeric
# or string context cannot change the answer.
sub json_type ($class_or_self, $content, @path) {
	my $d = eval { JSON::PP->new->utf8->allow_nonref->decode($content) };
	return undef if $@;
	for my $p (@path) {
		if (ref $d eq 'ARRAY') {
			return undef unless $p =~ /^-?\d+\z/ && $p < @$d;
			$d = $d->[$p];
		} elsif (ref $d eq 'HASH') {
			return undef unless exists $d->{$p};
			$d = $d->{$p};
		} else {
			return undef;
		}
	}
	return 'null' unless defined $d;
	return 'boolean' if JSON::PP::is_bool($d);
	return 'array' if ref $d eq 'ARRAY';
	return 'object' if ref $d eq 'HASH';
	require B;
	my $f = B::svref_2object(\$d)->FLAGS;
	return 'string' if $f & B::SVp_POK();
	return 'number' if $f & (B::SVp_IOK() | B::SVp_NOK());
	return 'string';
}

# Percent-encode a query-string value (space as %20).
sub uri_escape ($class_or_self, $s) {
	my $b = $s;
	utf8::encode($b) if utf8::is_utf8($b);
	$b =~ s/([^A-Za-z0-9\-._~])/sprintf('%%%02X', ord $1)/ge;
	return $b;
}

# Build "path?k=v&k=v" from a list of pairs (values percent-encoded).
sub path_q ($class_or_self, $path, @pairs) {
	my @q;
	while (@pairs) {
		my ($k, $v) = splice(@pairs, 0, 2);
		push @q, __PACKAGE__->uri_escape($k) . '='
		    . __PACKAGE__->uri_escape($v);
	}
	return @q ? "$path?" . join('&', @q) : $path;
}

1;
