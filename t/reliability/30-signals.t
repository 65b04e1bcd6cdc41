#!/usr/bin/perl
# SIGHUP under load: zero failed requests, a new set of workers.
# SIGTERM under load: the requests in flight complete, then every process
# of the pool exits.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
our $TODO;
use JSON::PP;
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Fault;

my $W = 3;
my $s = Herald::Stack->start(workers => $W);
my $master = $s->herald_pid;

my $work = sub ($s, $i, $n) {
	my $r = $n % 5 == 0
	    ? $s->post('/notification', { type => 'data', user => "h$i",
		subject => "hup $n" })
	    : $s->get("/messages?user=h$i&limit=3");
	return ($r->{status}, $r->{status} == 200 ? '' : $r->{content});
};

# --- SIGHUP ---------------------------------------------------------------
{
	my @old = $s->worker_pids;
	is scalar(@old), $W, "$W workers";
	my $load = Herald::Fault::load($s, children => 4, work => $work);
	sleep 0.8;
	kill 'HUP', $master;
	my $t0 = time;
	my @new;
	my %old = map { $_ => 1 } @old;
	while (time - $t0 < 10) {
		my @w = $s->worker_pids;
		if (@w == $W && !grep { $old{$_} } @w) {
			@new = @w;
			last;
		}
		sleep 0.01;
	}
	ok @new, sprintf('after SIGHUP a new set of %d workers (%s), old '
	    . 'ones gone, in %.2f s', $W, "@new", time - $t0);
	sleep 0.8;
	my @res = $load->stop;
	my @bad = grep { $_->{status} != 200 } @res;
	cmp_ok scalar(@res), '>', 50, scalar(@res) . ' requests across the '
	    . 'reload';
	is scalar(@bad), 0, 'zero failed requests across SIGHUP'
	    or diag explain [map { "$_->{status} $_->{info}" } @bad[0 .. ($#bad < 5 ? $#bad : 5)]];
	is $s->herald_pid, $master, 'same master';
	like $s->log_text, qr/reloaded: generation 2/, 'reload logged';
}

# --- SIGTERM ----------------------------------------------------------------
# One request is held in flight straight on the FastCGI socket (its body not
# complete yet), so one worker is inside it when the master is told to stop;
# the other workers serve a load of slow-ish writes (600 KB bodies) through
# nginx.
my $hold_body = JSON::PP->new->encode({ type => 'data', user => 't1',
    subject => 'in flight', message => 'x' x 2000 });
my $held = Herald::Fault::fcgi_begin($s, path => '/notification',
    body => $hold_body, hold => 100);
sleep 0.2;	# a worker has accepted it
my $pad = 'p' x 600_000;
my $load = Herald::Fault::load($s, children => 4, work => sub ($s, $i, $n) {
	my $r = $s->post('/notification', { type => 'data', user => "b$i",
	    subject => "big $n", payload => { pad => $pad } });
	return ($r->{status}, $r->{status} == 200 ? $r->{json}{id}
	    : substr($r->{content}, 0, 80));
});
# SIGTERM once some big writes have been stored, however slow the machine
# is (a fixed pause let a loaded machine store fewer than asked below).
{
	my $deadline = time + 60;
	sleep 0.1 while time < $deadline && $s->sql_value("SELECT COUNT(*) "
	    . "FROM notifications WHERE subject LIKE 'big %'") < 5;
}
my @workers = $s->worker_pids;
my $t_term = time;
kill 'TERM', $master;
sleep 0.5;
my $fin = Herald::Fault::fcgi_finish($held);
is $fin->{status}, 200, 'the request in flight at SIGTERM completes with 200'
    or diag "got: $fin->{status} $fin->{content}";
my $gone = Herald::Fault::wait_gone($s, $master, 35);
my $t_gone = time;
ok $gone, sprintf('master exited %.2f s after SIGTERM', $t_gone - $t_term);
cmp_ok $t_gone - $t_term, '<', 5, 'within 5 s';
my @left = grep { Herald::Fault::running($_) } @workers;
is scalar(@left), 0, 'no worker left behind' or diag "left: @left";
ok !-e $s->herald_socket, 'the listening socket is removed';
sleep 0.3;
my @res = $load->stop;
my @before = grep { $_->{t0} + $_->{dt} < $t_term } @res;
cmp_ok scalar(@before), '>', 3, scalar(@before) . ' big writes before SIGTERM';
is scalar(grep { $_->{status} != 200 } @before), 0,
    'requests finished before SIGTERM all succeeded';
my @during = grep { $_->{t0} < $t_term && $_->{t0} + $_->{dt} >= $t_term }
    @res;
diag sprintf('through nginx: %d requests open at SIGTERM: %s', scalar @during,
    join(',', map { $_->{status} } @during));
my @odd = grep { $_->{status} != 200 && $_->{status} != 502 } @res;
is scalar(@odd), 0, 'no answer but 200 or (pool gone) 502'
    or diag explain [map { "$_->{status} $_->{info}" } @odd];
# Every acknowledged write is stored.
my %db = map { $_->[0] => 1 } $s->sql('SELECT HEX(id) FROM notifications');
my @ids = map { (my $h = $_->{info}) =~ s/-//g; $h }
    grep { $_->{status} == 200 } @res;
is scalar(grep { !$db{$_} } @ids), 0,
    'every acknowledged big write is stored (' . scalar(@ids) . ')';

done_testing;
