#!/usr/bin/perl
# AMQP for the Discovery Environment (issue L, agent.md §5.4) against a
# real RabbitMQ: every notification gets an outbox row in its own
# transaction, and herald dispatch publishes it to exchange "de" with
# routing key notification.<user> and body {"message":N,"total":unseen}
# once the broker confirms; a rolled-back creation publishes nothing; a
# broker outage delays but loses and duplicates nothing; a system
# notification is published to "system_message" once when it becomes
# active, with two dispatchers running, and framed on the agent's
# /events stream at the same moment.  The password is amqp_password_file's
# (the URL's is wrong), and neither is logged.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP;
use Time::HiRes qw(time);
use File::Temp qw(tempdir);
use Herald::Proc qw(free_port);
use Herald::Rabbit;

plan skip_all => 'rabbitmq-server or python3-pika is not installed'
    unless Herald::Rabbit::available();

require Herald::Stack;
require Herald::Push;

my $W = 60;		# generous: the broker and ASan share 2 busy cores
my $port = free_port();
my $pwdir = tempdir('herald-amqp-XXXXXX', TMPDIR => 1, CLEANUP => 1);
Herald::Stack::write_file("$pwdir/amqp-password", "guest\r\n", 0600);
my $s = Herald::Stack->start(push => 1, config => {
    amqp_url => "amqp://guest:not-this-one\@127.0.0.1:$port/%2f",
    amqp_password_file => "$pwdir/amqp-password",
    delivery_retry_base => 1, dispatch_interval_ms => 100,
    send_timeout => 5 });
my $mq = Herald::Rabbit->start(port => $port, others => [$s]);
$mq->consume;

sub agent_post ($user, $subject) {
	my $r = $s->request('POST', '/notification', { type => 'data',
	    user => $user, subject => $subject, message => "m $subject",
	    payload => { k => $subject } },
	    { 'Content-Type' => 'application/json' });
	is $r->{status}, 200, "agent notification $subject" or diag $r->{content};
}

sub wait_until ($secs, $cond) {
	my $deadline = time + $secs;
	until ($cond->()) {
		return 0 if time > $deadline;
		Herald::Push::settle(0.1);
	}
	return 1;
}

sub notes_of ($user) {
	return [grep { $_->{key} eq "notification.$user" } @{ $mq->messages }];
}

sub amqp_rows ($where = '1') {
	return $s->sql_value("SELECT COUNT(*) FROM deliveries d JOIN "
	    . "notifications n ON n.id = d.notification_id JOIN users u ON "
	    . "u.id = n.user_id WHERE d.method = 'amqp' AND $where");
}

my $ev = Herald::Push::sse($s->url('/events?user=ipcdev'));
# "Another host": a second push process on the same database.
my $sock2 = $s->dir . '/push2.sock';
$s->start_push(name => 'push2', listen => $sock2);
my $ev2 = Herald::Push::sse('http+unix://' . ($sock2 =~ s{/}{%2F}gr)
    . '/events?user=someone');
Herald::Push::wait_for(sub { $ev->{status} && $ev2->{status} }, $W);
is $ev->{status}, 200, 'agent events: 200';
is $ev2->{status}, 200, 'on the other push process too';

# --- the outbox row, written with the notification -------------------------
agent_post('ipcdev', 'first');
is amqp_rows("u.username = 'ipcdev'"), 1,
    'an amqp outbox row, committed with the notification';
is $s->sql_value("SELECT COUNT(*) FROM deliveries d JOIN notifications n "
    . "ON n.id = d.notification_id WHERE d.method = 'amqp' AND "
    . "d.created = n.created AND d.state = 'pending'"), 1,
    'written in the same creation, pending';
Herald::Push::settle(1);
is scalar @{ $mq->messages }, 0, 'nothing is published without herald dispatch';

# A creation that is rolled back: Coder's daily de-duplication refuses the
# second after its rows were written.
my $TEST = 'c425f63e-716a-4bf4-ae24-78348f706c3f';
for my $n (1, 2) {
	my $r = $s->post('/v1/notifications', { recipient => 'carol',
	    template => $TEST, title => 'x', body => 'y' },
	    { 'Content-Type' => 'application/json' });
	is $r->{status}, $n == 1 ? 201 : 409,
	    $n == 1 ? 'carol: created through /v1' :
	    'the same again: rolled back as a duplicate' or diag $r->{content};
}
is amqp_rows("u.username = 'carol'"), 1,
    'the rolled-back creation left no outbox row';

# --- publication ------------------------------------------------------------
my $d1 = $s->start_dispatcher;
ok wait_until($W, sub { @{ notes_of('ipcdev') } >= 1 }),
    'published once herald dispatch runs'
    or diag Herald::Stack::tail_file($s->dir . '/dispatch.log');
my $m = notes_of('ipcdev')->[0];
is $m->{content_type}, 'application/json', 'content type application/json';
my $list = $s->get('/messages?user=ipcdev')->{json};
is_deeply $m->{json}{message}, $list->{messages}[0],
    "message: the agent's N object, as /messages shows it";
is $m->{json}{total}, 1, 'total: the unseen count';
ok JSON::PP->new->decode($m->{body}) && $m->{body} =~ /"total":1\}\z/,
    'total is a number';
ok wait_until($W, sub { @{ notes_of('carol') } >= 1 }),
    'a notification of another dialect is published too';
is amqp_rows("d.state = 'sent'"), 2, 'both outbox rows sent';
ok wait_until($W, sub { @{ $ev->{events} } >= 1 }), 'and framed on /events';
is_deeply $ev->{events}[0]{json}, $m->{json},
    '/events and AMQP carry the same message';

# --- a broker outage: delayed, nothing lost, nothing twice -----------------
$mq->stop_broker;
agent_post('ipcdev', "down$_") for 1 .. 3;
my $r = $s->put('/admin/system', { type => 'maintenance', message => 'during',
    deactivation_date => int(time * 1000) + 3_600_000 });
is $r->{status}, 200, 'a system notification active while the broker is down'
    or diag $r->{content};
sub during () {
	[grep { $_->{key} eq 'system_message' && $_->{json}{message} eq 'during' }
	    @{ $mq->messages }]
}
ok wait_until($W, sub {
	amqp_rows("n.subject LIKE 'down%' AND d.attempts >= 1 AND "
	    . "d.state = 'pending'") == 3 }),
    'while the broker is down: tried, and still pending'
    or diag Herald::Stack::tail_file($s->dir . '/dispatch.log');
is scalar @{ notes_of('ipcdev') }, 1, 'nothing published meanwhile';
$mq->start_broker;
$mq->wait_consumer(2, $W * 2);
ok wait_until($W * 2, sub { @{ notes_of('ipcdev') } >= 4 }),
    'after the outage: all three published'
    or diag Herald::Stack::tail_file($s->dir . '/dispatch.log');
Herald::Push::settle(2);
my @got = @{ notes_of('ipcdev') };
is scalar @got, 4, 'each once';
is_deeply [sort map { $_->{json}{message}{subject} } @got],
    [qw(down1 down2 down3 first)], 'every one, none twice';
my %ids = map { $_->{message_id} => 1 } @got;
is scalar keys %ids, 4, 'four distinct outbox ids';
is amqp_rows("d.state = 'sent'"), 5, 'every outbox row sent';
is $got[-1]{json}{total}, 4, "total: the user's unseen count then";
ok wait_until($W, sub { @{ during() } >= 1 }),
    'the system notification, published after the outage';
is scalar @{ during() }, 1, '... once';
is scalar(grep { $_->{event} eq 'system_message' &&
    $_->{json}{message} eq 'during' } @{ $ev->{events} }), 1,
    '/events had it at once: push needs no broker';

# --- system notifications, at activation, with two dispatchers --------------
my $d2 = $s->start_dispatcher('dispatch2');
# Those of this part: not the outage's.
sub sys_msgs () { [grep { $_->{key} eq 'system_message' &&
    $_->{json}{message} ne 'during' } @{ $mq->messages }] }
sub sys_frames () { [grep { $_->{event} eq 'system_message' &&
    $_->{json}{message} ne 'during' } @{ $ev->{events} }] }

my $t0 = int(time * 1000);
$r = $s->put('/admin/system', { type => 'announcement',
    message => 'later', activation_date => $t0 + 4000,
    deactivation_date => $t0 + 3_600_000 });
is $r->{status}, 200, 'a system notification active in 4 s'
    or diag $r->{content};
my $later = $r->{json}{'system-notification'};
$r = $s->put('/admin/system', { type => 'warning', message => 'now',
    deactivation_date => $t0 + 3_600_000 });
my $now = $r->{json}{'system-notification'};
ok wait_until($W, sub { @{ sys_msgs() } >= 1 }),
    'one active at once is published';
is_deeply sys_msgs()->[0]{json}, $now,
    'system_message: the notification as the admin API shows it';
if (time * 1000 < $t0 + 3500) {
	is scalar @{ sys_msgs() }, 1, 'not the later one before its activation';
} else {
	pass 'too slow to tell the later one was not early';
}
ok wait_until($W, sub { @{ sys_msgs() } >= 2 }),
    'the later one once it is active';
is_deeply sys_msgs()->[1]{json}, $later, 'its body';
ok sys_msgs()->[1]{json}{activation_date} <= int(time * 1000),
    'not before its activation';
ok wait_until($W, sub { @{ sys_frames() } >= 2 }),
    '/events has both as they became active';
is_deeply [map { $_->{json} } @{ sys_frames() }], [$now, $later],
    '/events: the same objects';
# The other push process polls on its own clock: wait for it too.
sub other_frames () { [grep { $_->{event} eq 'system_message' &&
    $_->{json}{message} ne 'during' } @{ $ev2->{events} }] }
ok wait_until($W, sub { @{ other_frames() } >= 2 }),
    'the other host has both too';
is_deeply [map { $_->{json} } @{ other_frames() }], [$now, $later],
    'the other host frames them for its own streams, another user';
Herald::Push::settle(3);
is scalar @{ sys_msgs() }, 2, 'each published once by two dispatchers';
is scalar @{ sys_frames() }, 2, 'each framed once';
is $s->sql_value('SELECT COUNT(*) FROM system_notifications '
    . 'WHERE published IS NULL OR pub_owner IS NOT NULL'), 0,
    'all marked published, no lease left';

# An update is published again (the original rescheduled it).
$r = $s->request('POST', "/admin/system/$now->{uuid}", { message => 'now!' },
    { 'Content-Type' => 'application/json' });
is $r->{status}, 200, 'update' or diag $r->{content};
ok wait_until($W, sub { @{ sys_msgs() } >= 3 }), 'the update is published';
is sys_msgs()->[2]{json}{message}, 'now!', 'with the new text';

# --- the DE's health ping (events.notification-agent.ping) -----------------
# Both dispatchers share the original's durable queue: one pong a ping.
sub pongs () {
	return [grep { $_->{key} eq 'events.notification-agent.pong' }
	    @{ $mq->messages }];
}
$mq->publish('events.notification-agent.ping', '{"pingFrom":"test"}', 5);
ok wait_until($W, sub { @{ pongs() } >= 5 }), 'five pings, five pongs';
Herald::Push::settle(2);
is scalar @{ pongs() }, 5, 'one pong a ping, with two dispatchers';
is_deeply [map { $_->{json} } @{ pongs() }],
    [({ pongFrom => 'notification-agent' }) x 5], 'the original\'s pong';
is pongs()->[0]{content_type}, 'application/json', 'as JSON';
is $s->sql_value("SELECT COUNT(*) FROM deliveries WHERE method = 'amqp' "
    . "AND state <> 'sent'"), 0, 'the outbox is untouched by pings';

# --- a clean stop -------------------------------------------------------------
for my $pid ($d1, $d2) {
	kill 'TERM', $pid;
	waitpid($pid, 0);
	is $? >> 8, 0, "dispatcher $pid stops cleanly";
}
for my $log (map { $s->dir . "/$_.log" } qw(dispatch dispatch2)) {
	unlike Herald::Stack::slurp_file($log), qr/guest:|not-this-one/,
	    "the broker passwords are never logged ($log)";
}

sub other_all () { [grep { $_->{event} eq 'system_message' }
    @{ $ev2->{events} }] }
wait_until($W, sub { @{ other_all() } >= 3 });
is scalar @{ other_all() }, 3,
    'the other host framed each once too (the outage\'s with them)';
Herald::Push::close_stream($_) for $ev, $ev2;
$mq->stop;
$s->stop;
done_testing;
