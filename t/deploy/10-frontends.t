#!/usr/bin/perl
# Every front end Herald ships a configuration for, with the same requests:
# the welcome text, routing on the path (PATH_INFO without the query
# string), a Bearer token reaching Herald (Apache strips Authorization
# unless told otherwise), a chunked request body larger than Apache's 16 KB
# prefetch (CONTENT_LENGTH must still arrive), and the processes each front
# end is meant to run.
#
#   nginx         nginx -> herald serve
#   apache-proxy  Apache mod_proxy_fcgi -> herald serve  (conf/apache/herald-proxy-fcgi.conf)
#   apache-fcgid  Apache mod_fcgid starts herald         (conf/apache/herald-fcgid.conf)
#   spawn-fcgi    nginx -> spawn-fcgi -F 2 herald
#   cgi           Apache mod_cgid + .htaccess            (conf/apache/htaccess-cgi)
#
# HERALD_DEPLOY_FRONTENDS="a b" limits the list.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time);
use Herald::Stack;

my @all = qw(nginx apache-proxy apache-fcgid spawn-fcgi cgi);
my @fes = split ' ', ($ENV{HERALD_DEPLOY_FRONTENDS} // "@all");

sub have ($prog) {
	for my $d (split(/:/, $ENV{PATH} // ''), qw(/usr/sbin /usr/bin /sbin)) {
		return 1 if -x "$d/$prog";
	}
	return 0;
}

for my $fe (@fes) {
	subtest $fe => sub {
		plan skip_all => 'apache2 not installed'
		    if $fe =~ /apache|cgi/ && !have('apache2') && !have('httpd');
		plan skip_all => 'mod_fcgid not installed (libapache2-mod-fcgid)'
		    if $fe eq 'apache-fcgid'
		    && !-f '/usr/lib/apache2/modules/mod_fcgid.so';
		plan skip_all => 'spawn-fcgi not installed'
		    if $fe eq 'spawn-fcgi' && !have('spawn-fcgi');
		frontend_ok($fe);
	};
}

# The web inbox's static files, with conf/*/herald-inbox.conf as shipped:
# its types, its strict policy, the redirect, and nothing else of the disk.
sub inbox_ok ($s) {
	my $r = HTTP::Tiny->new(max_redirect => 0)->get($s->url('/inbox'));
	is $r->{status}, 301, 'GET /inbox redirects';
	like $r->{headers}{location} // '', qr{/inbox/$}, '... to /inbox/';
	$r = $s->get('/inbox/');
	is $r->{status}, 200, 'GET /inbox/ is the page';
	like $r->{headers}{'content-type'} // '', qr{^text/html; charset=utf-8$}i,
	    '... as UTF-8 HTML';
	like $r->{content}, qr/<script type="module" src="js\/main\.js">/,
	    '... which loads its module';
	my $csp = $r->{headers}{'content-security-policy'} // '';
	like $csp, qr/default-src 'none'/, '... under a strict policy';
	unlike $csp, qr/unsafe/, '... with nothing unsafe in it';
	is $r->{headers}{'x-content-type-options'}, 'nosniff', '... nosniff';
	$r = $s->get('/inbox/js/main.js');
	is $r->{status}, 200, 'a module';
	like $r->{headers}{'content-type'} // '', qr{^text/javascript}i,
	    '... served as JavaScript';
	like $r->{headers}{'content-security-policy'} // '',
	    qr/default-src 'none'/, '... under the same policy';
	$r = $s->get('/inbox/inbox.css');
	like $r->{headers}{'content-type'} // '', qr{^text/css}i, 'the styles';
	$r = $s->get('/inbox/no-such-file.js');
	is $r->{status}, 404, 'a file it does not have: 404';
	$r = $s->get('/inbox/..%2f..%2fconfigure.ac');
	isnt $r->{status}, 200, 'nothing outside its directory';
}

sub frontend_ok ($fe) {
	my $s = Herald::Stack->start(frontend => $fe, workers => 2,
	    config => { auth => 'token' });
	is $s->frontend, $fe, "the stack runs behind $fe";

	inbox_ok($s) if $fe eq 'nginx' || $fe eq 'apache-proxy';

	my $r = $s->get('/');
	is $r->{status}, 200, 'GET / is 200';
	is $r->{content}, "Welcome to the notification agent!\n",
	    'GET / is the welcome text';
	$r = $s->get('/?expecting=other');
	is $r->{status}, 500, 'the query string reaches Herald';
	$r = $s->get('/no/such/path?user=x');
	is $r->{status}, 400, 'an unknown path is routed as itself (400)';
	is $r->{content}, "Unrecognized service path.\n",
	    '... with the agent\'s text';

	# Tokens: created with the CLI, presented as Authorization: Bearer.
	my $tok = token($s, 'svc', 'service');
	like $tok, qr/^hrld_/, 'a service token';
	$r = $s->get('/messages?user=alice');
	is $r->{status}, 401, 'no token: 401 (auth = token)';
	my $auth = { Authorization => "Bearer $tok" };
	$r = $s->get('/messages?user=alice', $auth);
	is $r->{status}, 200, 'Authorization: Bearer reaches Herald'
	    or diag $r->{content};

	$r = $s->post('/notification', { type => 'data', user => 'alice',
	    subject => 'via ' . $fe, message => 'hello' }, $auth);
	is $r->{status}, 200, 'POST /notification';
	ok $r->{json} && $r->{json}{success}, '... succeeds';

	# A chunked body over 16 KB (Apache's mod_proxy_fcgi prefetch).
	my $body = Herald::Stack->json_codec->encode({ type => 'data',
	    user => 'alice', subject => 'chunked', message => 'x' x 40000 });
	{
	my $sent = 0;
	# Apache's mod_cgi/mod_cgid pass a chunked body without
	# CONTENT_LENGTH: herald reads it to its end, up to body_max.
	my $res = HTTP::Tiny->new(timeout => 20)->request('POST',
	    $s->url('/notification'), {
		headers => { %$auth, 'content-type' => 'application/json' },
		content => sub {
			return undef if $sent >= length $body;
			my $c = substr($body, $sent, 4096);
			$sent += length $c;
			return $c;
		},
	    });
	is $res->{status}, 200, 'a chunked 40 KB body is read whole'
	    or diag "$res->{status} $res->{content}";

	$r = $s->get('/messages?user=alice&sortField=subject&sortDir=asc',
	    $auth);
	is $r->{json} && $r->{json}{total}, '2', 'both notifications listed';
	is_deeply [map { $_->{subject} } @{ $r->{json}{messages} // [] }],
	    ['chunked', "via $fe"], '... with their subjects';
	is length(($r->{json}{messages} // [{}])->[0]{message}{text} // ''),
	    40000, '... the chunked one whole';
	}

	# The processes: the pool, spawn-fcgi's responders, mod_fcgid's.
	my @pids = $s->herald_pids;
	if ($fe eq 'nginx' || $fe eq 'apache-proxy') {
		is scalar(@pids), 3, 'herald serve: a master and 2 workers';
	} elsif ($fe eq 'spawn-fcgi') {
		is scalar(@pids), 2, 'spawn-fcgi -F 2: two herald processes';
	} elsif ($fe eq 'apache-fcgid') {
		cmp_ok scalar(@pids), '>=', 1, 'mod_fcgid runs herald';
		cmp_ok scalar(@pids), '<=', 8, '... at most 8 (the tuning)';
	} else {
		is scalar(@pids), 0, 'CGI: no herald process between requests';
	}

	# Latency: 50 sequential requests, reported, bounded loosely.
	my $http = HTTP::Tiny->new(timeout => 10, keep_alive => 0);
	my @t;
	for (1 .. 50) {
		my $t0 = time;
		my $x = $http->get($s->url('/messages?user=alice&limit=1'),
		    { headers => $auth });
		push @t, time - $t0;
		last if $x->{status} != 200;
	}
	@t = sort { $a <=> $b } @t;
	note sprintf('%s: 50 GET /messages: median %.1f ms, max %.1f ms', $fe,
	    1000 * $t[@t / 2], 1000 * $t[-1]);
	cmp_ok $t[@t / 2], '<', 0.5, "median latency behind $fe under 0.5 s";

	unlike $s->log_text, qr/\bhrld_[A-Za-z0-9_-]{8}/,
	    'no token in the logs';
	$s->stop;
}

sub token ($s, $user, $role) {
	my $bin = Herald::Stack::herald_bin();
	my $out = qx{"$bin" -c "@{[ $s->config_file ]}" token create --user $user --role $role 2>/dev/null};
	chomp $out;
	return $out;
}

done_testing;
