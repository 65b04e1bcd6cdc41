package Herald::Rabbit;

# A private RabbitMQ for the AMQP tests (issue L): its own epmd on a free
# loopback port (ERL_EPMD_PORT, so no other Erlang node is disturbed), the
# broker on free AMQP and distribution ports, its database, logs and
# configuration in a temporary directory, each process stopped by PID, and
# a guardian (Herald::Proc) that stops them when the test dies by any
# means.  The broker takes ~10 s to start on the 2-core machine kind.
# A test consumer (t/lib/sinks/amqp_sink.py, python3-pika) records what
# reaches a durable queue bound to "de" with notification.# and
# system_message.
#
#   Herald::Rabbit::available() or plan skip_all => ...;
#   my $mq = Herald::Rabbit->start(others => [$stack]);
#   $mq->url;                    # amqp://guest:guest@127.0.0.1:PORT/%2f
#   $mq->consume;  $mq->messages;  # [{key, body, json, message_id}, ...]
#   $mq->stop_broker;  $mq->start_broker;   # an outage, same data
#   $mq->stop;                   # also at END / DESTROY

use v5.36;
use Carp qw(croak);
use File::Path qw(make_path remove_tree);
use File::Spec;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP ();
use POSIX qw(WNOHANG);
use Scalar::Util qw(refaddr weaken);
use Time::HiRes qw(time sleep);
use Herald::Paths ();
use Herald::Proc qw(slurp spew tail free_port proc_stat descendants);

my %LIVE;
my $SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

# True when the broker, epmd and the consumer's library are installed.
sub available {
	return -x $SERVER && Herald::Proc::find_prog('epmd', '/usr/bin') &&
	    system('/usr/bin/python3 -c "import pika" 2>/dev/null') == 0;
}

sub start ($class, %o) {
	my $base = $ENV{HERALD_TEST_TMPDIR} // File::Spec->tmpdir;
	my $self = bless {
		dir => tempdir('herald-mq-XXXXXX', DIR => $base, CLEANUP => 0),
		exit => {}, keep => $o{keep} // $ENV{HERALD_KEEP},
		owner => $$, spawned => [],
	}, $class;
	$LIVE{refaddr $self} = $self;
	weaken($LIVE{refaddr $self});
	my $dir = $self->{dir};
	make_path("$dir/mnesia", "$dir/log", "$dir/sink");
	# port => P: one chosen beforehand (for a config written first).
	$self->{port} = $o{port} // free_port();
	$self->{$_} = free_port() for qw(dist epmd);
	spew("$dir/rabbit.conf", "listeners.tcp.default = 127.0.0.1:$self->{port}\n"
	    . "loopback_users = none\n");
	spew("$dir/enabled_plugins", "[].\n");
	# Holding no other owner's guardian pipe: pass them as others => [...].
	Herald::Proc::start_guardian($self, @{ $o{others} // [] });
	eval {
		$self->{epmd_pid} = Herald::Proc::blocking_signals(sub {
			my $pid = Herald::Proc::spawn("$dir/epmd.log",
			    Herald::Proc::find_prog('epmd', '/usr/bin'),
			    '-port', $self->{epmd}, '-address', '127.0.0.1');
			$self->_write_pids($pid);
			$pid;
		});
		$self->start_broker;
		1;
	} or do {
		my $err = $@;
		$self->stop;
		croak "Herald::Rabbit->start failed: $err";
	};
	return $self;
}

sub _env ($self) {
	my $d = $self->{dir};
	return (HOME => $d, ERL_EPMD_PORT => $self->{epmd},
	    ERL_EPMD_ADDRESS => '127.0.0.1',
	    RABBITMQ_NODENAME => "herald$self->{port}\@localhost",
	    RABBITMQ_NODE_IP_ADDRESS => '127.0.0.1',
	    RABBITMQ_NODE_PORT => $self->{port},
	    RABBITMQ_DIST_PORT => $self->{dist},
	    RABBITMQ_MNESIA_BASE => "$d/mnesia",
	    RABBITMQ_LOG_BASE => "$d/log",
	    RABBITMQ_CONFIG_FILE => "$d/rabbit.conf",
	    RABBITMQ_ENABLED_PLUGINS_FILE => "$d/enabled_plugins",
	    RABBITMQ_PID_FILE => "$d/rabbit.pid");
}

# The guardian stops "spawned" PIDs (TERM, then KILL): the broker's
# script, its Erlang VM, the consumer, epmd last.
sub _write_pids ($self, @extra) {
	my $text = '';
	for my $pid (grep { $_ } $self->{server_pid}, @{ $self->{vm} // [] },
	    $self->{sink_pid}, $self->{epmd_pid}, @extra) {
		my $st = proc_stat($pid) or next;
		$text .= "spawned $pid $st->{start}\n";
	}
	spew("$self->{dir}/.pids.tmp", $text);
	rename("$self->{dir}/.pids.tmp", "$self->{dir}/.pids");
}

# Start the broker (again: the same node, ports and data) and wait until
# it accepts AMQP connections.
sub start_broker ($self) {
	my $log = "$self->{dir}/server.log";
	my %env = $self->_env;
	$self->{server_pid} = Herald::Proc::blocking_signals(sub {
		local @ENV{keys %env} = values %env;
		my $pid = Herald::Proc::spawn($log, $SERVER);
		$self->{server_pid} = $pid;
		$self->_write_pids;
		$pid;
	});
	my $deadline = time + 120;
	until (IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $self->{port}, Proto => 'tcp', Timeout => 1)) {
		croak "rabbitmq-server exited\n" . tail($log)
		    unless $self->_alive($self->{server_pid});
		croak "rabbitmq-server not listening after 120 s\n" . tail($log)
		    if time > $deadline;
		sleep 0.1;
	}
	# Its VM, so that the guardian can stop it if the script is killed.
	my %kids = descendants($self->{server_pid});
	$self->{vm} = [sort { $a <=> $b } keys %kids];
	$self->_write_pids;
}

sub _alive ($self, $pid) {
	return 0 unless $pid;
	my $r = waitpid($pid, WNOHANG);
	return $r == 0;
}

sub _stop_pid ($self, $pid, $grace) {
	return unless $pid && kill(0, $pid);
	kill 'TERM', $pid;
	my $deadline = time + $grace;
	while (waitpid($pid, WNOHANG) == 0) {
		if (time > $deadline) {
			kill 'KILL', $pid;
			waitpid($pid, 0);
			last;
		}
		sleep 0.05;
	}
}

# Stop the broker (SIGTERM: the script stops the VM) and wait for its VM.
sub stop_broker ($self) {
	my %vm = map { $_ => proc_stat($_) } @{ $self->{vm} // [] };
	$self->_stop_pid(delete $self->{server_pid}, 60);
	my $deadline = time + 30;
	for my $pid (keys %vm) {
		next unless $vm{$pid};
		while (Herald::Proc::running($pid, $vm{$pid}{start})) {
			if (time > $deadline) { kill 'KILL', $pid; last }
			sleep 0.05;
		}
	}
	$self->{vm} = [];
	$self->_write_pids;
}

sub port ($self) { $self->{port} }
sub dir ($self) { $self->{dir} }
sub url ($self) { "amqp://guest:guest\@127.0.0.1:$self->{port}/%2f" }

# Start the test consumer; waits until its bindings are in place.
sub consume ($self) {
	my $script = Herald::Paths::srcdir() . '/t/lib/sinks/amqp_sink.py';
	$self->{sink_pid} = Herald::Proc::blocking_signals(sub {
		my $pid = Herald::Proc::spawn("$self->{dir}/sink.log",
		    '/usr/bin/python3', $script, $self->{port},
		    "$self->{dir}/sink");
		$self->{sink_pid} = $pid;
		$self->_write_pids;
		$pid;
	});
	$self->wait_consumer(1);
}

# Wait until the consumer's $n-th connection has bound its queue.
sub wait_consumer ($self, $n, $secs = 60) {
	my $deadline = time + $secs;
	until (-e "$self->{dir}/sink/ready.$n") {
		croak "the AMQP consumer exited\n" . tail("$self->{dir}/sink.log")
		    unless $self->_alive($self->{sink_pid});
		croak "the AMQP consumer is not ready after $secs s\n"
		    . tail("$self->{dir}/sink.log") if time > $deadline;
		sleep 0.05;
	}
}

# Publish $n messages $body to exchange "de" with routing key $key, each
# confirmed by the broker before this returns.
sub publish ($self, $key, $body, $n = 1) {
	my $script = Herald::Paths::srcdir() . '/t/lib/sinks/amqp_publish.py';
	system('/usr/bin/python3', $script, $self->{port}, $key, $body, $n) == 0
	    or croak "amqp_publish.py failed: $?";
}

# What the consumer received, oldest first.
sub messages ($self) {
	my @m;
	for my $line (split /\n/, slurp("$self->{dir}/sink/messages.jsonl")) {
		my $m = JSON::PP::decode_json($line);
		$m->{json} = eval { JSON::PP::decode_json($m->{body}) };
		push @m, $m;
	}
	return \@m;
}

sub stop ($self) {
	return if $self->{stopped} || $self->{owner} != $$;
	$self->{stopped} = 1;
	local ($?, $!, $@);
	$self->_stop_pid(delete $self->{sink_pid}, 5);
	$self->stop_broker if $self->{server_pid};
	$self->_stop_pid(delete $self->{epmd_pid}, 5);
	if ($self->{guardian_pid}) {
		unlink("$self->{dir}/.pids");
		close(delete $self->{guardian_fh});
		my $deadline = time + 2;
		while (waitpid($self->{guardian_pid}, WNOHANG) == 0) {
			if (time > $deadline) {
				kill 'KILL', $self->{guardian_pid};
				waitpid($self->{guardian_pid}, 0);
				last;
			}
			sleep 0.02;
		}
	}
	delete $LIVE{refaddr $self};
	if ($self->{keep}) {
		print STDERR "# Herald::Rabbit: kept $self->{dir}\n";
	} else {
		remove_tree($self->{dir}, { safe => 1 });
	}
}

sub DESTROY ($self) { $self->stop }

END {
	$_->stop for grep { defined } values %LIVE;
}

1;
