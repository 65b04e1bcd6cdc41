#!/usr/bin/perl
# What a front end may rely on (issue P, item 8):
#   - "listen = :port" binds the loopback address, not every interface;
#     a non-loopback address is bound as asked, with a warning;
#   - in remote-user mode a front end's own "Authorization: Bearer" (a JWT
#     that auth_request checked) does not hide REMOTE_USER; a Herald token
#     (hrld_...) is still checked as one.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use Herald::Stack;

my $s = Herald::Stack->start(config => { auth => 'remote-user' });
my $bin = Herald::Stack::herald_bin();
my $base = do { open(my $fh, '<', $s->config_file) or die; local $/; <$fh> };

sub free_port {
	my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
	    Listen => 1, ReuseAddr => 1) or die "port: $!";
	my $p = $l->sockport;
	close($l);
	return $p;
}

# The local addresses (hex, as in /proc/net/tcp) listening on $port.
sub listeners ($port) {
	my @a;
	open(my $fh, '<', '/proc/net/tcp') or return ();
	while (<$fh>) {
		my (undef, $local, undef, $st) = split ' ';
		next unless defined $st && $st eq '0A';	# LISTEN
		my ($addr, $p) = split /:/, $local;
		push @a, $addr if hex($p) == $port;
	}
	return @a;
}

# Run "herald serve" with listen = $listen until its port listens.
sub serve ($listen, $port) {
	my $conf = $s->dir . "/listen-$port.conf";
	(my $c = $base) =~ s/^listen = .*$/listen = $listen/m or die;
	$c =~ s/^workers = .*$/workers = 1/m;
	open(my $fh, '>', $conf) or die;
	print $fh $c;
	close($fh);
	my $log = $s->dir . "/listen-$port.log";
	my $pid = fork() // die;
	if ($pid == 0) {
		open(STDIN, '<', '/dev/null');
		open(STDERR, '>', $log);
		open(STDOUT, '>&', \*STDERR);
		{ exec($bin, '-c', $conf, 'serve') };
		POSIX::_exit(127);
	}
	my $deadline = time + 15;
	sleep 0.05 until listeners($port) || time > $deadline
	    || waitpid($pid, WNOHANG) == $pid;
	my @l = listeners($port);
	kill 'TERM', $pid;
	waitpid($pid, 0);
	my $text = do { open(my $lf, '<', $log); local $/; <$lf> // '' };
	return (\@l, $text);
}

my $p1 = free_port();
my ($l, $log) = serve(":$p1", $p1);
is_deeply $l, ['0100007F'], 'listen = :port binds 127.0.0.1 only'
    or diag "listening: @$l\n$log";
unlike $log, qr/not a loopback address/, '... without a warning';

my $p2 = free_port();
($l, $log) = serve("0.0.0.0:$p2", $p2);
is_deeply $l, ['00000000'], 'listen = 0.0.0.0:port binds every interface';
like $log, qr/not a loopback address/, '... with a warning';

# --- remote-user and a front end's own bearer -----------------------------
sub cgi ($remote_user, $auth) {
	local $ENV{GATEWAY_INTERFACE} = 'CGI/1.1';
	local $ENV{REQUEST_METHOD} = 'GET';
	local $ENV{PATH_INFO} = '/messages';
	local $ENV{QUERY_STRING} = '';
	local $ENV{HERALD_CONFIG} = $s->config_file;
	local $ENV{REMOTE_USER} = $remote_user;
	local $ENV{HTTP_AUTHORIZATION} = $auth;
	my $pid = open(my $out, '-|') // die "fork: $!";
	if ($pid == 0) {
		open(STDERR, '>', '/dev/null');
		open(STDIN, '<', '/dev/null');
		exec { $bin } $bin or die "exec: $!";
	}
	my $text = do { local $/; <$out> } // '';
	close($out);
	my ($st) = $text =~ /^Status:\s*(\d{3})/m;
	return $st // 0;
}

my $jwt = 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
is cgi('alice', $jwt), 200,
    'remote-user: a front end\'s JWT bearer with REMOTE_USER=alice: 200';
is cgi(undef, $jwt), 401, '... without REMOTE_USER: 401';
is cgi('alice', 'Bearer hrld_' . ('0' x 64)), 401,
    'remote-user: an unknown Herald token is still refused';

done_testing;
