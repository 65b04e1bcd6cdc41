package Herald::Push;
# Stream clients for t/push (issue L): SSE and WebSocket over Mojolicious
# (Debian libmojolicious-perl), which does HTTP and WebSocket framing;
# nothing here parses HTTP itself.  Each stream collects what arrives;
# wait_for spins the event loop until a condition holds or time is up.
#
#   my $e = Herald::Push::sse($url, { Authorization => ... });
#   Herald::Push::wait_for(sub { @{ $e->{events} } >= 2 }, 20);
#   my $w = Herald::Push::ws($url, \%headers);   # $w->{messages}
use v5.36;
use Mojo::IOLoop;
use Mojo::UserAgent;
use Mojo::JSON qw(decode_json);
use Time::HiRes qw(time);

sub _ua {
	my $ua = Mojo::UserAgent->new(inactivity_timeout => 0,
	    request_timeout => 0, connect_timeout => 30,
	    max_response_size => 0);
	return $ua;
}

# An SSE stream: {status, events => [{id, event, data, json}], done, buf}.
sub sse ($url, $headers = {}) {
	my $s = { events => [], buf => '', body => '', done => 0,
	    comments => 0 };
	my $ua = $s->{ua} = _ua();
	my $tx = $s->{tx} = $ua->build_tx(GET => $url => {
	    Accept => 'text/event-stream', %$headers });
	$tx->res->content->unsubscribe('read')->on(read => sub ($c, $bytes) {
		$s->{status} //= $tx->res->code;
		$s->{body} .= $bytes;
		$s->{buf} .= $bytes;
		while ($s->{buf} =~ s/\A(.*?)\n\n//s) {
			my $block = $1;
			my %ev;
			for my $line (split /\n/, $block) {
				if ($line =~ /^:/) { $s->{comments}++; next }
				my ($k, $v) = $line =~ /^([^:]+):\s?(.*)\z/
				    or next;
				$ev{$k} = exists $ev{$k} ? "$ev{$k}\n$v" : $v;
			}
			next unless exists $ev{data};
			$ev{json} = eval { decode_json($ev{data}) };
			push @{ $s->{events} }, \%ev;
		}
	});
	$tx->res->on(progress => sub ($res) { $s->{status} //= $res->code });
	$ua->start($tx => sub ($ua, $tx) {
		$s->{status} //= $tx->res->code;
		$s->{done} = 1;
	});
	return $s;
}

# A WebSocket: {status (101 or the refusal's), messages => [text],
# json => [decoded], closed, close_code, pings, body}.
sub ws ($url, $headers = {}) {
	my $w = { messages => [], json => [], closed => 0 };
	my $ua = $w->{ua} = _ua();
	$url =~ s{^http}{ws};
	$ua->websocket($url => $headers => sub ($ua, $tx) {
		$w->{tx} = $tx;
		$w->{status} = $tx->res->code;
		if (!$tx->is_websocket) {
			$w->{body} = $tx->res->body;
			$w->{closed} = 1;
			return;
		}
		$tx->on(message => sub ($tx, $msg) {
			push @{ $w->{messages} }, $msg;
			push @{ $w->{json} }, eval { decode_json($msg) };
		});
		$tx->on(frame => sub ($tx, $f) { $w->{pings}++ if $f->[4] == 9 });
		$tx->on(finish => sub ($tx, $code, $reason = undef) {
			$w->{closed} = 1;
			$w->{close_code} = $code;
			$w->{close_reason} = $reason;
		});
	});
	return $w;
}

# Spin the loop until $cond->() is true or $secs pass; returns the result.
sub wait_for ($cond, $secs = 30) {
	my $until = time + $secs;
	my $t = Mojo::IOLoop->recurring(0.05 => sub { });
	my $ok;
	until (($ok = $cond->()) || time > $until) {
		Mojo::IOLoop->one_tick;
	}
	Mojo::IOLoop->remove($t);
	return $ok;
}

# Let the loop run for $secs (what should not arrive has the chance to).
sub settle ($secs) { wait_for(sub { 0 }, $secs) }

sub close_stream ($s) {
	if ($s->{tx} && $s->{tx}->can('is_websocket') &&
	    $s->{tx}->is_websocket) {
		$s->{tx}->finish;
	} elsif ($s->{tx}) {
		$s->{tx}->closed if $s->{tx}->can('closed');
	}
	delete $s->{ua};
	settle(0.2);
}

1;
