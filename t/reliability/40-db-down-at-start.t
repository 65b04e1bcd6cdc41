#!/usr/bin/perl
# MariaDB unreachable when "herald serve" starts: it starts anyway, answers
# a JSON 503 quickly, and recovers by itself when the database appears.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Fault;

my %T = (db_connect_timeout => 1, db_read_timeout => 3, db_write_timeout => 3);
my $s = Herald::Stack->start(workers => 2, config => \%T);
is $s->post('/notification', { type => 'data', user => 'x', subject => 'a'
    })->{status}, 200, 'a write while the database is up';

Herald::Fault::stop_mariadb($s, 'TERM');
ok !Herald::Fault::running($s->mariadb_pid // 0), 'mariadbd stopped';
my $old = $s->herald_pid;
my $new = Herald::Fault::restart_herald($s);
isnt $new, $old, "herald serve restarted without a database ($old -> $new)";
my @w = $s->worker_pids;
is scalar(@w), 2, 'with its workers';

for my $i (1 .. 6) {
	my $t0 = time;
	my $r = $i % 2 ? $s->get('/messages?user=x')
	    : $s->post('/notification', { type => 'data', user => 'x',
		subject => "down $i" });
	my $dt = time - $t0;
	is $r->{status}, 503, "request $i while down: 503";
	like $r->{content_type}, qr{^application/json}i, "request $i: JSON";
	is $r->{json}{error_code}, 'ERR_UNAVAILABLE',
	    "request $i: error_code ERR_UNAVAILABLE";
	cmp_ok $dt, '<', $T{db_connect_timeout} + 1,
	    sprintf('request %d answered in %.3f s', $i, $dt);
}
is_deeply [sort { $a <=> $b } $s->worker_pids], [sort { $a <=> $b } @w],
    'the workers did not die for want of a database';
unlike $s->log_text, qr/died of signal/, 'no worker crashed';

my $ready = Herald::Fault::start_mariadb($s);
my $t_up = time;
diag sprintf('mariadbd back, ready in %.2f s', $ready);
my ($t_ok, $n) = (undef, 0);
while (time - $t_up < 10) {
	$n++;
	my $r = $s->get('/messages?user=x');
	if ($r->{status} == 200) { $t_ok = time; last }
	is $r->{status}, 503, 'until then 503' if $r->{status} != 503;
	sleep 0.05;
}
ok defined $t_ok, 'recovered';
cmp_ok(($t_ok // 99) - $t_up, '<', 2, sprintf('first 200 %.2f s after the '
    . 'database was back (%d tries)', ($t_ok // 99) - $t_up, $n));
my $ok = 0;
for my $i (1 .. 10) {
	$ok++ if $s->post('/notification', { type => 'data', user => 'x',
	    subject => "up $i" })->{status} == 200;
	$ok++ if $s->get('/messages?user=x')->{status} == 200;
}
is $ok, 20, 'every request after recovery succeeds (both workers)';
is $s->sql_value('SELECT COUNT(*) FROM notifications'), 11,
    'the first write and the ten later ones are stored, none of the 503s';

done_testing;
