#!/usr/bin/perl
# Configuration discovery for hosts where no command-line flag can be given
# (-c, else $HERALD_CONFIG, else the compiled-in PREFIX/etc/herald.conf), the
# refusal of a password file others can read (db_password_file and
# amqp_password_file must be mode 0600), and herald as a plain CGI program
# driven directly (RFC 3875 environment, body on stdin), as a web server
# starts it.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Temp qw(tempdir);
use POSIX qw(_exit);
use Herald::Stack;

my $s = Herald::Stack->start;
my $bin = Herald::Stack::herald_bin();
my $conf = $s->config_file;
my $tmp = tempdir('herald-cfg-XXXXXX', TMPDIR => 1, CLEANUP => 1);

# Run a command with exactly %$env (plus PATH), $in on stdin; returns
# (exit status, stdout, stderr).  Killed after 10 s.
sub run_cmd ($env, $in, @cmd) {
	my ($o, $e, $i) = map { "$tmp/run.$_" } qw(out err in);
	open(my $fh, '>:raw', $i) or die "$i: $!";
	print {$fh} $in // '';
	close($fh);
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		%ENV = (PATH => '/usr/bin:/bin', %$env);
		open(STDIN, '<', $i); open(STDOUT, '>', $o); open(STDERR, '>', $e);
		chdir($tmp);
		exec { $cmd[0] } @cmd or _exit(127);
	}
	my $t = time + 10;
	while (waitpid($pid, POSIX::WNOHANG()) == 0) {
		if (time > $t) { kill 'KILL', $pid; waitpid($pid, 0); last }
		select(undef, undef, undef, 0.02);
	}
	my $st = $?;
	return ($st, map { Herald::Stack::slurp_file($_) } $o, $e);
}

# --- the compiled-in default ------------------------------------------------
my (undef, $help) = run_cmd({}, '', $bin, '--help');
like $help, qr/\$HERALD_CONFIG/, '--help names $HERALD_CONFIG';
my ($default) = $help =~ m{then (/\S*/herald\.conf)};
ok defined $default, "--help names the compiled-in default ($default)";
SKIP: {
	skip "$default exists on this host", 2 if !defined $default || -e $default;
	my ($st, undef, $err) = run_cmd({}, '', $bin, 'migrate');
	isnt $st, 0, 'no -c, no $HERALD_CONFIG: the default is tried (absent)';
	like $err, qr/\Q$default\E/, '... and named in the error';
}

# --- $HERALD_CONFIG, and -c over it ------------------------------------------
{
	my ($st, undef, $err) = run_cmd({ HERALD_CONFIG => $conf }, '', $bin,
	    'migrate');
	is $st, 0, 'HERALD_CONFIG is used when -c is not given' or diag $err;
	($st, undef, $err) = run_cmd({ HERALD_CONFIG => "$tmp/nope.conf" },
	    '', $bin, '-c', $conf, 'migrate');
	is $st, 0, '-c wins over HERALD_CONFIG' or diag $err;
	($st, undef, $err) = run_cmd({ HERALD_CONFIG => "$tmp/nope.conf" },
	    '', $bin, 'migrate');
	isnt $st, 0, 'a missing HERALD_CONFIG file is an error';
	like $err, qr{\Q$tmp\E/nope\.conf}, '... naming the file';
	($st, undef, $err) = run_cmd({ HERALD_CONFIG => '' }, '', $bin,
	    '-c', $conf, 'migrate');
	is $st, 0, 'an empty HERALD_CONFIG is ignored';
}

# --- the password file must be 0600 -----------------------------------------
my $text = Herald::Stack::slurp_file($conf);
my $pw = Herald::Stack::slurp_file($s->dir . '/db-password');
for my $mode (0640, 0604, 0660, 0644) {
	my $pwf = sprintf('%s/pw-%o', $tmp, $mode);
	Herald::Stack::write_file($pwf, $pw);
	chmod($mode, $pwf);
	(my $t = $text) =~ s/^db_password_file\s*=.*$/db_password_file = $pwf/m;
	my $cf = sprintf('%s/herald-%o.conf', $tmp, $mode);
	Herald::Stack::write_file($cf, $t);
	my $m = sprintf('%04o', $mode);
	for my $how (['migrate'], ['serve'], ['cgi']) {
		my @cmd = ($bin, '-c', $cf, $how->[0] eq 'cgi' ? () : @$how);
		my %env = $how->[0] eq 'cgi' ? (GATEWAY_INTERFACE => 'CGI/1.1',
		    REQUEST_METHOD => 'GET', PATH_INFO => '/') : ();
		my ($st, $out, $err) = run_cmd(\%env, '', @cmd);
		isnt $st, 0, "mode $m: herald $how->[0] refuses to start";
		like $err, qr/\Q$pwf\E.*must not be group- or world-accessible/,
		    "mode $m: herald $how->[0] says why, naming the file";
		unlike $out, qr/^Status: 200/m, "mode $m: $how->[0] answered nothing";
	}
}
{
	my $pwf = "$tmp/pw-0600";
	Herald::Stack::write_file($pwf, $pw);
	chmod(0600, $pwf);
	(my $t = $text) =~ s/^db_password_file\s*=.*$/db_password_file = $pwf/m;
	Herald::Stack::write_file("$tmp/ok.conf", $t);
	my ($st, undef, $err) = run_cmd({}, '', $bin, '-c', "$tmp/ok.conf",
	    'migrate');
	is $st, 0, 'mode 0600: accepted' or diag $err;
}

# --- amqp_password_file: the same rule, its content never shown ------------
{
	my $apw = "$tmp/amqp-pw";
	Herald::Stack::write_file($apw, "mq-s3cret-in-file\n");
	my $t = $text . "amqp_url = amqp://de\@127.0.0.1:1/%2f\n"
	    . "amqp_password_file = $apw\nlog_level = debug\n";
	Herald::Stack::write_file("$tmp/amqp.conf", $t);
	chmod(0644, $apw);
	my ($st, $out, $err) = run_cmd({}, '', $bin, '-c', "$tmp/amqp.conf",
	    'migrate');
	isnt $st, 0, 'amqp_password_file mode 0644: herald refuses to start';
	like $err, qr/\Q$apw\E.*must not be group- or world-accessible/,
	    '... naming the file';
	unlike $out . $err, qr/mq-s3cret/, '... not what it holds';
	chmod(0600, $apw);
	($st, $out, $err) = run_cmd({}, '', $bin, '-c', "$tmp/amqp.conf",
	    'migrate');
	is $st, 0, 'amqp_password_file mode 0600: accepted' or diag $err;
	unlike $out . $err, qr/mq-s3cret/, '... and never logged';
}

# --- plain CGI, driven directly ----------------------------------------------
my %cgi = (GATEWAY_INTERFACE => 'CGI/1.1', HERALD_CONFIG => $conf,
    SERVER_PROTOCOL => 'HTTP/1.1', REMOTE_ADDR => '127.0.0.1');
{
	my ($st, $out, $err) = run_cmd({ %cgi, REQUEST_METHOD => 'GET',
	    PATH_INFO => '/', QUERY_STRING => '' }, '', $bin);
	is $st, 0, 'CGI GET / exits 0' or diag $err;
	like $out, qr/\AStatus: 200 OK\r?\n/, '... with a Status: 200 OK header';
	like $out, qr/\r?\n\r?\nWelcome to the notification agent!\n\z/,
	    '... and the welcome text';
}
{
	my $body = '{"type":"data","user":"cgiuser","subject":"by CGI"}';
	my ($st, $out, $err) = run_cmd({ %cgi, REQUEST_METHOD => 'POST',
	    PATH_INFO => '/notification', QUERY_STRING => '',
	    CONTENT_TYPE => 'application/json',
	    CONTENT_LENGTH => length $body }, $body, $bin);
	is $st, 0, 'CGI POST /notification exits 0' or diag $err;
	like $out, qr/"success":\s*true/, '... and creates it';
	($st, $out) = run_cmd({ %cgi, REQUEST_METHOD => 'GET',
	    PATH_INFO => '/messages', QUERY_STRING => 'user=cgiuser' }, '', $bin);
	like $out, qr/"subject":"by CGI"/, 'CGI GET /messages?user= lists it';
	is $s->sql_value("SELECT COUNT(*) FROM notifications"), 1,
	    'one row in the database';
}
{
	# No command, no socket on fd 0 and no CGI environment: usage.
	my ($st, undef, $err) = run_cmd({ HERALD_CONFIG => $conf }, '', $bin);
	is $st >> 8, 2, 'no command outside a web server: exit 2';
	like $err, qr/usage: herald/, '... with the usage text';
}

done_testing;
