#!/usr/bin/perl
# /_herald/health/live and /ready through nginx: live answers without the
# database; ready answers 200 only while the database answers and every
# migration of schema_dir is applied, else 503 with a JSON reason.  The
# "herald" dialect's own errors are JSON; X-Request-Id is echoed.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Copy qw(copy);
use File::Temp qw(tempdir);
use Time::HiRes qw(time sleep);
use Herald::Stack;
use Herald::Fault;

# A schema_dir of our own, so a migration can be added while it runs.
my $schema = tempdir('herald-schema-XXXXXX', TMPDIR => 1, CLEANUP => 1);
copy($_, $schema) or die "copy $_: $!"
    for glob(Herald::Stack::srcdir() . '/schema/*.sql');
my $s = Herald::Stack->start(workers => 2, config => {
	schema_dir => $schema, db_connect_timeout => 1 });

my $r = $s->get('/_herald/health/live');
is $r->{status}, 200, 'live: 200';
is_deeply $r->{json}, { status => 'ok' }, 'live: {"status":"ok"}';
like $r->{content_type}, qr{^application/json}, 'live: JSON';
like $r->{headers}{'x-request-id'} // '', qr/^[0-9a-f-]{36}\z/,
    'a generated X-Request-Id';

$r = $s->get('/_herald/health/ready', { 'X-Request-Id' => 'lb-probe-42' });
is $r->{status}, 200, 'ready: 200 with the database up and migrated';
is $r->{json}{status}, 'ready', 'ready: {"status":"ready"}';
is $r->{headers}{'x-request-id'}, 'lb-probe-42',
    "the client's X-Request-Id is echoed";
$r = $s->get('/_herald/health/ready', { 'X-Request-Id' => "bad id\x01" x 3 });
isnt $r->{headers}{'x-request-id'}, "bad id\x01" x 3,
    'an id with odd characters is replaced';

# A migration that is not applied yet.
Herald::Stack::write_file("$schema/900_later.sql", "SELECT 1;\n");
$r = $s->get('/_herald/health/ready');
is $r->{status}, 503, 'ready: 503 with a migration pending';
like $r->{json}{reason} // '', qr/1 migration not applied \(first: 900_later\.sql\)/,
    'the reason names it';
unlink "$schema/900_later.sql";
is $s->get('/_herald/health/ready')->{status}, 200, 'ready again without it';

# The database stopped.
Herald::Fault::stop_mariadb($s, 'TERM');
$r = $s->get('/_herald/health/live');
is $r->{status}, 200, 'live: 200 with the database stopped';
$r = $s->get('/_herald/health/ready');
is $r->{status}, 503, 'ready: 503 with the database stopped';
is $r->{json}{status}, 'unavailable', '... status unavailable';
like $r->{json}{reason} // '', qr/database cannot be reached/, '... and why';
Herald::Fault::start_mariadb($s);
my $t0 = time;
my $st;
while (time - $t0 < 20) {
	last if ($st = $s->get('/_herald/health/ready')->{status}) == 200;
	sleep 0.1;
}
is $st, 200, sprintf('ready: 200 again %.1f s after the database is back',
    time - $t0);

# The dialect's own misses, in its JSON.
$r = $s->get('/_herald/nothing');
is $r->{status}, 404, 'unknown /_herald path: 404';
is $r->{json}{error}{code}, 'no_route', '... as {"error":{"code":...}}';
$r = $s->post('/_herald/health/live', {});
is $r->{status}, 405, 'POST on live: 405';
like $r->{headers}{allow} // '', qr/GET/, '... with Allow';

unlike $s->log_text, qr/died of signal|AddressSanitizer|runtime error/,
    'no worker crashed';
done_testing;
