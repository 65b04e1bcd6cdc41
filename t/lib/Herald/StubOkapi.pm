package Herald::StubOkapi;
# A stand-in for Okapi and the FOLIO modules mod-notify calls through it
# (mod-users, mod-event-config, mod-template-engine, mod-sender), on
# loopback in a child process.  It records every request it gets and
# answers from a script the test may change at any time:
#
#   my $ok = Herald::StubOkapi->start(users => { ann => $uuid },
#       events => { LOAN_DUE => [ { templateId => 't1',
#           deliveryChannel => 'email', outputFormat => 'text/html' } ] });
#   $ok->script(fail => { '/template-request' => { status => 400,
#       body => 'no such template' } });
#   my @got = $ok->requests;      # [{method, path, query, headers, body}]
#   $ok->stop;
#
# /users?query=username=="X" answers from "users"; /eventConfig?query=
# name==X from "events"; /template-request renders "Subject <templateId>"
# and a body naming the lang and the context; /message-delivery is 204.
# "fail" overrides a path's answer ({status, body, delay seconds}).
use v5.36;
use Carp qw(croak);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(sleep time);

my $JSON = JSON::PP->new->utf8->canonical;

sub _free_port {
	my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
	    LocalPort => 0, Proto => 'tcp') or croak "no free port: $!";
	my $p = $s->sockport;
	close $s;
	return $p;
}

sub _write ($file, $data) {
	open(my $fh, '>:raw', "$file.tmp") or croak "$file: $!";
	print $fh $JSON->encode($data);
	close $fh or croak "$file: $!";
	rename("$file.tmp", $file) or croak "$file: $!";
}

sub _read ($file) {
	open(my $fh, '<:raw', $file) or return undef;
	local $/;
	my $t = <$fh>;
	return length $t ? $JSON->decode($t) : undef;
}

sub start ($class, %script) {
	my $self = bless { dir => tempdir('herald-okapi-XXXXXX', TMPDIR => 1,
	    CLEANUP => 1), port => _free_port() }, $class;
	$self->{script} = { users => {}, events => {}, fail => {}, %script };
	_write("$self->{dir}/script.json", $self->{script});
	my $pid = fork // croak "fork: $!";
	if ($pid == 0) {
		open(STDOUT, '>>', "$self->{dir}/stub.log");
		open(STDERR, '>&', \*STDOUT);
		eval { $self->_serve };
		print STDERR "stub: $@" if $@;
		POSIX::_exit(0);
	}
	$self->{pid} = $pid;
	$self->{owner} = $$;
	my $until = time + 20;
	while (time < $until) {
		my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
		    PeerPort => $self->{port}, Proto => 'tcp');
		return $self if $c;
		waitpid($pid, POSIX::WNOHANG()) == $pid and croak 'stub died';
		sleep 0.05;
	}
	croak 'the stub Okapi did not start';
}

sub url ($self) { "http://127.0.0.1:$self->{port}" }

# Merge into the script (a key given replaces that key).
sub script ($self, %more) {
	$self->{script} = { %{ $self->{script} }, %more };
	_write("$self->{dir}/script.json", $self->{script});
}

# Every request so far, oldest first (in scalar context, how many); with
# "clear", forget them after.
sub requests ($self, $clear = 0) {
	my @r;
	if (open(my $fh, '<:raw', "$self->{dir}/requests.jsonl")) {
		@r = map { $JSON->decode($_) } <$fh>;
		close $fh;
	}
	unlink "$self->{dir}/requests.jsonl" if $clear;
	return wantarray ? @r : scalar @r;
}

sub stop ($self) {
	return unless $self->{pid};
	kill 'TERM', $self->{pid};
	waitpid($self->{pid}, 0);
	delete $self->{pid};
}

sub DESTROY ($self) { $self->stop if $self->{pid} && $$ == $self->{owner} }

# --- the child --------------------------------------------------------------

sub _answer ($self, $c) {
	my $req = $c->req;
	my $path = $req->url->path->to_string;
	my %h;
	for my $n (@{ $req->headers->names }) {
		$h{lc $n} = $req->headers->header($n);
	}
	my $rec = { method => $req->method, path => $path,
	    query => $req->url->query->param('query'), headers => \%h,
	    body => $req->body };
	open(my $log, '>>:raw', "$self->{dir}/requests.jsonl") or die $!;
	print $log $JSON->encode($rec), "\n";
	close $log;

	my $sc = _read("$self->{dir}/script.json") // {};
	if (my $f = $sc->{fail}{$path}) {
		my $b = $f->{body} // '';
		my $send = sub {
			$c->render(data => ref $b ? $JSON->encode($b) : $b,
			    status => $f->{status} // 500,
			    format => ref $b ? 'json' : 'txt');
		};
		return $send->() unless $f->{delay};
		# Late, without holding up the requests behind it.
		$c->render_later;
		Mojo::IOLoop->timer($f->{delay} => $send);
		return;
	}
	my $q = $rec->{query} // '';
	if ($path eq '/users') {
		my ($name) = $q =~ /^username=="(.*)"\z/s;
		my $id = defined $name ? $sc->{users}{$name} : undef;
		return $c->render(json => { users => $id ? [ { id => $id,
		    username => $name } ] : [], totalRecords => $id ? 1 : 0 });
	}
	if ($path eq '/eventConfig') {
		my ($name) = $q =~ /^name==(.*)\z/s;
		my $t = defined $name ? $sc->{events}{$name} : undef;
		return $c->render(json => { eventEntity => $t ? [ { id =>
		    'e0000000-0000-4000-8000-000000000001', name => $name,
		    active => JSON::PP::true, templates => $t } ] : [],
		    totalRecords => $t ? 1 : 0 });
	}
	if ($path eq '/template-request') {
		my $rq = eval { $JSON->decode($req->body) } // {};
		return $c->render(json => { templateId => $rq->{templateId},
		    result => { header => "Subject $rq->{templateId}",
		    body => 'Body lang=' . ($rq->{lang} // '-') . ' ctx='
		    . $JSON->encode($rq->{context} // {}) },
		    meta => { lang => $rq->{lang},
		    outputFormat => $rq->{outputFormat} } });
	}
	if ($path eq '/message-delivery') {
		return $c->rendered(204);
	}
	return $c->render(text => 'no such path', status => 404);
}

sub _serve ($self) {
	require Mojolicious;
	require Mojo::IOLoop;
	require Mojo::Server::Daemon;
	my $app = Mojolicious->new;
	$app->log->level('fatal');
	$app->routes->any('/*any' => { any => '' } => sub ($c) {
		$self->_answer($c);
	});
	my $d = Mojo::Server::Daemon->new(app => $app, silent => 1,
	    listen => ["http://127.0.0.1:$self->{port}"]);
	$SIG{TERM} = sub { POSIX::_exit(0) };
	$d->run;
}

1;
