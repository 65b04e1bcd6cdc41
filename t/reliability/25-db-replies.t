#!/usr/bin/perl
# The store and a connection that goes away at the worst moments (issue P,
# items 6, 7 and 8):
#   - a transaction opened on a connection lost while idle reconnects and
#     is retried once, as a single statement is (item 6);
#   - an INSERT, or the COMMIT of a transaction, whose reply is lost after
#     the server applied it answers 200 and stores the row once: the store
#     looks its id up instead of failing on its own duplicate (item 7);
#   - a payload above the server's max_allowed_packet is the client's 400,
#     not 503 "database unavailable" (item 8);
#   - the worker's connections do not ask for CLIENT_MULTI_STATEMENTS
#     (item 8).
# Lost replies are made by a small MySQL-protocol proxy between Herald and
# MariaDB (below, in this file), which forwards a chosen packet, waits for
# the server's answer, drops it and closes both sides.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Select;
use IO::Socket::UNIX;
use POSIX qw(WNOHANG _exit);
use Socket qw(SOCK_STREAM);
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Fault;

my $s = Herald::Stack->start(workers => 1, body_max => 4 * 1048576,
    config => { email_method => 'webhook',
    webhook_url => 'http://127.0.0.1:9/' });
my $dir = $s->dir;

sub notify (%f) {
	return $s->post('/notification', { type => 'data', user => 'u1',
	    subject => 'plain', %f });
}

sub email_note (%f) {
	return notify(email => JSON::PP::true, email_template => 't',
	    payload => { email_address => 'u1@example.org' }, %f);
}

sub count_subject ($subj) {
	return $s->sql_value('SELECT COUNT(*) FROM notifications WHERE '
	    . 'subject = ' . $s->quote($subj));
}

# --- item 6: START TRANSACTION on a connection lost while idle ------------
is notify()->{status}, 200, 'the worker has a connection';
Herald::Fault::stop_mariadb($s, 'TERM');
Herald::Fault::start_mariadb($s);
my $r = email_note(subject => 'after restart');
is $r->{status}, 200, 'the first transactional write after a restart is 200'
    or diag "$r->{status} $r->{content}";
is count_subject('after restart'), 1, '... and stored';
is $s->sql_value("SELECT COUNT(*) FROM deliveries d JOIN notifications n "
    . "ON n.id = d.notification_id WHERE n.subject = 'after restart'"), 1,
    '... with its delivery';

# --- the proxy -------------------------------------------------------------
my $psock = "$dir/proxy.sock";
my $arm = "$dir/proxy.arm";
my $caps = "$dir/proxy.caps";
my $real = $s->db_socket;

sub read_packet ($fh, $buf) {
	while (1) {
		if (length $$buf >= 4) {
			my $len = unpack('V', substr($$buf, 0, 3) . "\0");
			if (length $$buf >= 4 + $len) {
				my $p = substr($$buf, 0, 4 + $len);
				substr($$buf, 0, 4 + $len) = '';
				return $p;
			}
		}
		return undef unless defined $fh;
		my $got = sysread($fh, $$buf, 65536, length $$buf);
		return undef unless $got;
	}
}

sub relay ($c) {
	my $u = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $real)
	    or _exit(1);
	my $sel = IO::Select->new($c, $u);
	my ($cbuf, $first, $marked) = ('', 1, 0);
	while (1) {
		for my $fh ($sel->can_read(30)) {
			my $buf = '';
			my $got = sysread($fh, $buf, 65536);
			_exit(0) unless $got;
			if ($fh == $u) {
				syswrite($c, $buf);
				next;
			}
			$cbuf .= $buf;
			while (defined(my $p = read_packet(undef, \$cbuf))) {
				my $payload = substr($p, 4);
				if ($first) {
					# The handshake response: capabilities.
					$first = 0;
					if (open(my $fh, '>>', $caps)) {
						printf {$fh} "%u\n",
						    unpack('V', $payload);
					}
				}
				my $mode = -e $arm ? do {
					open(my $fh, '<', $arm); local $/; <$fh>
				} : '';
				my ($how, $mark) = split /:/, $mode // '', 2;
				my $cmd = ord($payload);
				my $fire = 0;
				if ($how && length $mark && $cmd == 0x17
				    && index($payload, $mark) >= 0) {
					$fire = 1 if $how eq 'exec';
					$marked = 1 if $how eq 'commit';
				}
				$fire = 1 if $how && $how eq 'commit' && $marked
				    && $cmd == 0x03 && $payload =~ /^.COMMIT/is;
				syswrite($u, $p);
				next unless $fire;
				unlink $arm;
				# The server applies it and answers; the
				# answer is lost with the connection.
				my $sbuf = '';
				read_packet($u, \$sbuf);
				_exit(0);
			}
		}
	}
}

my $proxy = fork() // die "fork: $!";
if ($proxy == 0) {
	$SIG{$_} = 'DEFAULT' for qw(INT TERM HUP);
	my $l = IO::Socket::UNIX->new(Type => SOCK_STREAM, Local => $psock,
	    Listen => 16) or _exit(1);
	$SIG{CHLD} = 'IGNORE';
	while (my $c = $l->accept) {
		my $k = fork() // next;
		if ($k == 0) { close($l); relay($c) }
		close($c);
	}
	_exit(0);
}
END { local $?; if ($proxy) { kill 'TERM', $proxy; waitpid($proxy, 0) } }
sleep 0.05 until -S $psock;

# A small max_allowed_packet for the connections made from now on.
$s->sql('SET GLOBAL max_allowed_packet = 1048576', db => '');

# The pool through the proxy: rewrite db_socket, SIGHUP for new workers.
{
	open(my $fh, '<', $s->config_file) or die $!;
	local $/;
	my $c = <$fh>;
	close($fh);
	$c =~ s/^db_socket = .*$/db_socket = $psock/m or die 'no db_socket';
	open($fh, '>', $s->config_file) or die $!;
	print $fh $c;
	close($fh);
	my @old = $s->worker_pids;
	kill 'HUP', $s->herald_pid;
	# Generous: a loaded 2-core machine under ASan took over 15 s.
	my $deadline = time + 90;
	my %old = map { $_ => 1 } @old;
	# (This loop read "grep { } $s->worker_pids || ...", which greps one
	# PID, not the list: it could stop while old workers still served.)
	my @now;
	sleep 0.05 while (@now = $s->worker_pids, time < $deadline)
	    && (!@now || grep { $old{$_} } @now);
	ok @now && !grep({ $old{$_} } @now), 'SIGHUP replaced every worker'
	    or diag "old: @old; now: @now";
}
is notify(subject => 'via proxy')->{status}, 200, 'writes go through the proxy';
ok -s $caps, 'the proxy saw the connection';

# --- item 8: no CLIENT_MULTI_STATEMENTS on a worker's connection ----------
{
	open(my $fh, '<', $caps) or die $!;
	my @c = map { $_ + 0 } <$fh>;
	my @multi = grep { $_ & (1 << 16) } @c;
	is scalar(@multi), 0, 'no worker connection asks for multi statements'
	    or diag sprintf('capabilities: %s', join ' ', map { sprintf '%#x', $_ } @c);
}

# --- item 7: an INSERT whose reply is lost ---------------------------------
sub arm ($how, $mark) {
	open(my $fh, '>', "$arm.tmp") or die $!;
	print $fh "$how:$mark";
	close($fh);
	rename("$arm.tmp", $arm) or die $!;
}

arm('exec', 'LOST-INSERT-REPLY');
$r = notify(subject => 'LOST-INSERT-REPLY');
ok !-e $arm, 'the proxy dropped the reply of the INSERT';
is $r->{status}, 200, 'an INSERT applied but unanswered: 200'
    or diag "$r->{status} $r->{content}";
is count_subject('LOST-INSERT-REPLY'), 1, '... stored once';
like $s->log_text, qr/reply was lost; it was applied/, '... and logged';

arm('commit', 'LOST-COMMIT-REPLY');
$r = email_note(subject => 'LOST-COMMIT-REPLY');
ok !-e $arm, 'the proxy dropped the reply of the COMMIT';
is $r->{status}, 200, 'a COMMIT applied but unanswered: 200'
    or diag "$r->{status} $r->{content}";
is count_subject('LOST-COMMIT-REPLY'), 1, '... stored once';

# The same for the other inserts of a fresh id: a system notification
# and an API token (through the CLI, whose connection the proxy carries).
arm('exec', 'LOST-SYSTEM-REPLY');
$r = $s->put('/admin/system', { type => 'announcement',
    message => 'LOST-SYSTEM-REPLY', activation_date => 0,
    deactivation_date => 4102444800000 });
ok !-e $arm, 'the proxy dropped the reply of a system notification INSERT';
is $r->{status}, 200, '... answered 200' or diag "$r->{status} $r->{content}";
is $s->sql_value("SELECT COUNT(*) FROM system_notifications WHERE message = "
    . "'LOST-SYSTEM-REPLY'"), 1, '... stored once';
arm('exec', 'lost-token-reply');
{
	my $out = `$ENV{HERALD_BIN} -c @{[ $s->config_file ]} token create --user lost-token-reply --role user 2>/dev/null`;
	ok !-e $arm, 'the proxy dropped the reply of a token INSERT';
	is $?, 0, '... herald token create exits 0';
	like $out, qr/^hrld_[0-9a-f]{64}$/, '... and prints the token';
	is $s->sql_value("SELECT COUNT(*) FROM api_tokens WHERE username = "
	    . "'lost-token-reply'"), 1, '... stored once';
}

is notify(subject => 'after the faults')->{status}, 200, 'the worker goes on';

# --- item 8: a payload above max_allowed_packet ----------------------------
$r = notify(subject => 'too big', payload => { pad => 'x' x 1_500_000 });
is $r->{status}, 400, 'a payload above max_allowed_packet is 400, not 503'
    or diag "$r->{status} $r->{content}";
is $r->{json} && $r->{json}{error_code}, 'ERR_BAD_OR_MISSING_FIELD',
    '... ERR_BAD_OR_MISSING_FIELD';
is notify(subject => 'small again')->{status}, 200, 'the next write is 200';
is count_subject('too big'), 0, 'nothing of the big one stored';

done_testing;
