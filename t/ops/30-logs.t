#!/usr/bin/perl
# log_format = json with log_file: every line a JSON object; one access line
# per request with every field, the request id echoed; no token or password
# in any line.  SIGUSR1 under load: the master and every worker reopen the
# file (logrotate's move-then-signal), and no request fails.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use lib "$FindBin::Bin/../api/auth";
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP;
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Fault;
use AuthTest qw(make_token);

my $W = 3;
my $logdir = tempdir('herald-logs-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $file = "$logdir/herald.log";
my $s = Herald::Stack->start(workers => $W, config => {
	log_format => 'json', log_file => $file, auth => 'token' });
my $master = $s->herald_pid;

my $tok = make_token($s, 'alice', 'service');
my %bearer = (Authorization => "Bearer $tok");
my $r = $s->post('/notification', { type => 'data', user => 'bob',
    subject => 'hello' }, \%bearer);
is $r->{status}, 200, 'a notification created with a token';
$r = $s->get('/messages?user=bob', { %bearer, 'X-Request-Id' => 'trace-7' });
is $r->{status}, 200, 'listed';
is $r->{headers}{'x-request-id'}, 'trace-7', 'X-Request-Id echoed';
$r = $s->get('/v1/users/bob/notifications', \%bearer);
is $r->{status}, 200, 'native list';
my $gen_id = $r->{headers}{'x-request-id'};
like $gen_id, qr/^[0-9a-f-]{36}\z/, 'an id generated when none is given';
$r = $s->get('/messages?user=bob', { Authorization => 'Bearer hrld_bogus_'
    . 'x' x 30 });
is $r->{status}, 401, 'a bad token: 401';
sleep 0.2;

sub lines_of ($f) {
	open(my $fh, '<', $f) or return;
	my @l = <$fh>;
	return @l;
}
my @lines = lines_of($file);
cmp_ok scalar(@lines), '>=', 5, scalar(@lines) . ' lines in log_file';
my (@json, @bad);
for my $l (@lines) {
	my $j = eval { JSON::PP->new->decode($l) };
	ref $j eq 'HASH' ? push(@json, $j) : push(@bad, $l);
}
is scalar(@bad), 0, 'every line is a JSON object' or diag explain \@bad;
my @nofield = grep { !defined $_->{time} || !defined $_->{level}
    || !defined $_->{pid} || !defined $_->{msg} } @json;
is scalar(@nofield), 0, 'every line has time, level, pid and msg';
like $json[0]{time}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\z/,
    'time is RFC 3339 UTC with milliseconds';
my @access = grep { $_->{msg} eq 'access' } @json;
cmp_ok scalar(@access), '>=', 4, 'access lines: ' . scalar(@access);
my @fields = qw(request_id dialect method route status duration_ms
    principal role);
my @incomplete = grep { my $a = $_; grep { !exists $a->{$_} } @fields }
    @access;
is scalar(@incomplete), 0, 'every access line has ' . join(', ', @fields);
my ($traced) = grep { $_->{request_id} eq 'trace-7' } @access;
ok $traced, 'the client-given id is logged';
is $traced->{dialect}, 'agent', '... dialect agent';
is $traced->{route}, '/messages', '... the route pattern';
is $traced->{method}, 'GET', '... method';
is $traced->{status}, 200, '... status';
is $traced->{level}, 'info', '... at info';
is $traced->{principal}, 'alice', '... the principal by name';
is $traced->{role}, 'service', '... and role';
ok $traced->{duration_ms} >= 0 && $traced->{duration_ms} < 60000,
    "... duration_ms $traced->{duration_ms}";
my ($native) = grep { $_->{request_id} eq $gen_id } @access;
is $native && $native->{route}, '/v1/users/{user}/notifications',
    'the generated id is the one logged (native route)';
my ($denied) = grep { $_->{status} == 401 } @access;
ok $denied && !defined $denied->{principal}, 'a 401 has no principal';

my $all = join '', @lines;
unlike $all, qr/\Q$tok\E/, 'the token is in no line';
unlike $all, qr/hrld_/, 'nor any token-shaped string';
my $pw = Herald::Stack::slurp_file($s->dir . '/db-password');
chomp $pw;
unlike $all, qr/\Q$pw\E/, 'nor the database password';
unlike $all, qr/Bearer/, 'nor an Authorization header';

# --- SIGUSR1 under load -----------------------------------------------------
my $load = Herald::Fault::load($s, children => 3, work => sub ($s, $i, $n) {
	my $r = $s->get("/messages?user=bob&limit=1", \%bearer);
	return ($r->{status}, $r->{status} == 200 ? '' : $r->{content});
});
sleep 0.8;
my @workers = $s->worker_pids;
rename $file, "$file.1" or die "rename: $!";
kill 'USR1', $master;
my $t0 = time;
my %reopened;
while (time - $t0 < 15) {
	%reopened = map { $_->{pid} => 1 }
	    grep { $_->{msg} =~ /reopened/ }
	    map { eval { JSON::PP->new->decode($_) } // {} } lines_of($file);
	last if $reopened{$master} && !grep { !$reopened{$_} } @workers;
	sleep 0.05;
}
ok $reopened{$master}, 'the master reopened log_file';
is scalar(grep { $reopened{$_} } @workers), $W,
    "all $W workers reopened it (" . join(',', keys %reopened) . ')';
sleep 0.5;
my @res = $load->stop;
my @failed = grep { $_->{status} != 200 } @res;
cmp_ok scalar(@res), '>', 30, scalar(@res) . ' requests across SIGUSR1';
is scalar(@failed), 0, 'none failed'
    or diag explain [map { "$_->{status} $_->{info}" } @failed[0 .. 4]];
my @new = grep { /"msg":"access"/ } lines_of($file);
cmp_ok scalar(@new), '>', 10, 'access lines go to the new file: ' . @new;
is $s->herald_pid, $master, 'same master';
is_deeply [sort { $a <=> $b } $s->worker_pids], [sort { $a <=> $b } @workers],
    'same workers: nobody died of SIGUSR1';
my $cpu = 0;
for my $w (@workers) {
	my @st = split ' ', (Herald::Stack::slurp_file("/proc/$w/stat") =~ s/.*\) //sr);
	$cpu += $st[11] + $st[12];
}
sleep 1;
my $cpu2 = 0;
for my $w (@workers) {
	my @st = split ' ', (Herald::Stack::slurp_file("/proc/$w/stat") =~ s/.*\) //sr);
	$cpu2 += $st[11] + $st[12];
}
cmp_ok $cpu2 - $cpu, '<', 50, 'idle workers after SIGUSR1 do not spin '
    . '(' . ($cpu2 - $cpu) . ' ticks in 1 s over all)';
done_testing;
