#!/usr/bin/perl
# payload.startdate / enddate given as formatted dates are listed as
# millisecond strings, as the original agent repaired them (agent.md
# §5.1.12); other payload values and digit strings are left alone.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use Herald::Stack;

my $s = Herald::Stack->start;
my $r = $s->post('/notification', { type => 'analysis', user => 'pd',
    subject => 'dates', payload => {
	startdate => '2012-06-22T18:51:44.000Z',
	enddate => 'Fri Jun 22 2012 11:51:54 GMT-0700 (MST)',
	other => '2012-06-22T18:51:44.000Z' } });
is($r->{status}, 200, 'posted with formatted dates');
$s->post('/notification', { type => 'analysis', user => 'pd2', subject => 'ms',
    payload => { startdate => '1340390278636', enddate => 1340390297000,
    name => 'x' } });

my $p = $s->get('/messages?user=pd')->{json}{messages}[0]{payload};
is($p->{startdate}, '1340391104000', 'startdate shown as a millisecond string');
is($p->{enddate}, '1340391114000', 'enddate (JavaScript form) too');
is($p->{other}, '2012-06-22T18:51:44.000Z', 'other keys are not touched');
is($s->sql_value("SELECT JSON_VALUE(payload, '\$.startdate') FROM notifications n "
    . "JOIN users u ON u.id = n.user_id WHERE u.username = 'pd'"),
    '2012-06-22T18:51:44.000Z', 'the stored payload is kept as posted');

$p = $s->get('/messages?user=pd2')->{json}{messages}[0]{payload};
is($p->{startdate}, '1340390278636', 'a digit string stays as it is');
is($p->{enddate}, 1340390297000, 'a number stays a number');
is($p->{name}, 'x', 'other values unchanged');
done_testing();
