#!/usr/bin/perl
# Every delivery's outcome is recorded and counted (issue P, item 1), and
# a long non-ASCII subject is folded (item 8):
#   - a reason cut at a byte limit stays valid UTF-8, so the database
#     takes it (a template name of 67 x U+20AC made "unknown template
#     \"%.200s\"" split the last character: error 1366, the row stayed
#     pending with its attempts never counted);
#   - a reason the database refuses all the same is replaced by a fixed
#     one, and the attempt counts;
#   - a 300-character non-ASCII subject goes out as RFC 2047 encoded words
#     of at most 75 characters on lines of at most 76.
use v5.36;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Encode qw(decode);
use Time::HiRes qw(time);
use Herald::Stack;
use Herald::Delivery;

my $smtp = Herald::Delivery::sink('smtp');
my $s = Herald::Stack->start(config => {
	email_method => 'smtp',
	smtp_url => "smtp://127.0.0.1:$smtp->{port}",
	smtp_tls => 'none',
	smtp_from => 'herald@example.org',
	delivery_retry_base => 1,
	delivery_max_attempts => 3,
	dispatch_interval_ms => 100,
});
my $bin = Herald::Stack::herald_bin();
my $conf = $s->config_file;

my $tfile = $s->dir . '/plain.tmpl';
open(my $fh, '>', $tfile) or die $!;
print $fh "Subject: {{subject}}\n\n{{message}}\n";
close($fh);
is(system("$bin -c $conf template add plain $tfile 2>/dev/null"), 0,
    'template add');

sub notify ($user, %f) {
	my $r = $s->post('/notification', { type => 'data', user => $user,
	    subject => 'hi', message => 'body', email => JSON::PP::true,
	    payload => { email_address => "$user\@example.org" }, %f });
	is($r->{status}, 200, "POST /notification for $user");
}

sub row ($user) {
	my @r = $s->sql("SELECT d.state, d.attempts, d.last_error FROM "
	    . "deliveries d JOIN notifications n ON n.id = d.notification_id "
	    . "JOIN users u ON u.id = n.user_id WHERE u.username = "
	    . $s->quote($user));
	return $r[0] // [];
}

sub settled ($user) {
	return Herald::Delivery::wait_until(15, sub { (row($user)->[0] // '')
	    ne 'pending' });
}

my $d = Herald::Delivery::dispatcher($s);

# 1. A reason cut in the middle of a character.
notify('eur', email_template => '€' x 67);
ok(settled('eur'), 'the delivery with a 67 x U+20AC template name settled');
my ($state, $attempts, $err) = @{ row('eur') };
is($state, 'failed', '... failed (an unknown template is final)');
is($attempts, 1, '... after one counted attempt');
like($err // '', qr/^unknown template "(€)+"$/,
    '... recording why, cut on a character boundary');

# 2. A reason the database refuses anyway: a fixed reason, the attempt counts.
$s->sql('UPDATE deliveries SET last_error = NULL; ALTER TABLE deliveries '
    . 'MODIFY last_error VARCHAR(1024) CHARACTER SET ascii NULL');
notify('ascii', email_template => 'ünknown');
ok(settled('ascii'), 'a delivery whose reason the column refuses settled');
($state, $attempts, $err) = @{ row('ascii') };
is($state, 'failed', '... failed');
is($attempts, 1, '... the attempt counted');
like($err // '', qr/could not be stored/, '... with the fallback reason');
$s->sql('ALTER TABLE deliveries MODIFY last_error VARCHAR(1024) NULL');

# 3. A long non-ASCII subject.
my $subject = 'Résumé ' x 40 . '€';
notify('fold', email_template => 'plain', subject => $subject);
ok(settled('fold'), 'the long-subject delivery settled');
is(row('fold')->[0], 'sent', '... sent');
my ($msg) = grep { $_->{text} =~ /^To: fold\@/m }
    Herald::Delivery::received($smtp);
ok($msg, 'the sink has it');
my ($head) = split /\r?\n\r?\n/, $msg->{text} // '', 2;
my @long = grep { length($_) > 76 } split /\r?\n/, $head // '';
is(scalar @long, 0, 'no header line over 76 characters')
    or diag(substr($long[0], 0, 120) . '...');
my ($subj) = ($head // '') =~ /^Subject: (.*(?:\r?\n[ \t].*)*)/m;
$subj =~ s/\r//g if defined $subj;
my @words = ($subj // '') =~ /(=\?[^?]+\?[BbQq]\?[^?]*\?=)/g;
cmp_ok(scalar @words, '>', 1, 'the subject is several encoded words');
is(scalar(grep { length > 75 } @words), 0, 'each at most 75 characters');
my $dec = decode('MIME-Header', $subj // '');
is($dec, $subject, 'they decode to the subject');

Herald::Delivery::stop($d);
done_testing();
