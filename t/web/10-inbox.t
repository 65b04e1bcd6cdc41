#!/usr/bin/perl
# The web inbox (issue N) in a real browser: Debian's chromium driven by
# playwright-core (t/web/inbox.mjs, which prints the TAP) against a real
# stack: MariaDB, the pool, herald push, nginx serving /inbox/ with
# conf/nginx/herald-inbox.conf as shipped.  This script starts the stack,
# makes the tokens, installs playwright-core from t/web/package-lock.json
# into the build tree when it is missing (npm ci; never a browser
# download), and stops and starts push when the browser test asks (lines
# "#@ stop-push" / "#@ start-push"; it answers "ok" on the test's stdin).
# Screenshots go to <builddir>/t/web-artifacts/.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/../api/auth";
use File::Copy qw(copy);
use File::Path qw(make_path);
use IPC::Open2 qw(open2);
use Herald::Paths ();
use Herald::Proc qw(find_prog slurp);

$| = 1;
my $chromium = $ENV{HERALD_CHROMIUM} // (grep { -x } '/usr/bin/chromium',
    '/usr/bin/chromium-browser')[0];
my $node = find_prog('node');
my $npm = find_prog('npm');
sub skip_all ($why) { print "1..0 # SKIP $why\n"; exit 0 }
skip_all('no chromium (apt-get install --no-install-recommends chromium)')
    unless $chromium;
skip_all('no node and npm') unless $node && $npm;

my $here = $FindBin::Bin;
my $build = Herald::Paths::builddir();
my $cache = "$build/t/.cache/web-node";
my $art = "$build/t/web-artifacts";
make_path($cache, $art);

# npm ci when the lock file changed or node_modules is missing.
my $lock = slurp("$here/package-lock.json");
if (!-f "$cache/node_modules/playwright-core/package.json" ||
    slurp("$cache/package-lock.json") ne $lock) {
	copy("$here/$_", "$cache/$_") or die "copy $_: $!"
	    for qw(package.json package-lock.json);
	my $st = system("cd '$cache' && '$npm' ci --no-audit --no-fund "
	    . "--ignore-scripts --loglevel=error >npm.log 2>&1");
	if ($st != 0) {
		print "1..1\nnot ok 1 - npm ci of playwright-core in $cache\n";
		print "# $_\n" for split /\n/, slurp("$cache/npm.log");
		exit 1;
	}
}

require Herald::Stack;
require AuthTest;
# nginx whatever HERALD_FRONTEND says: the inbox snippet is nginx's.
my $s = Herald::Stack->start(push => 1, frontend => 'nginx',
    config => { auth => 'token' });
my %env = (
	HERALD_URL => $s->url('/'),
	HERALD_USER => 'alice',
	HERALD_USER_TOKEN => AuthTest::make_token($s, 'alice', 'user'),
	HERALD_OTHER_TOKEN => AuthTest::make_token($s, 'bob', 'user'),
	HERALD_SERVICE_TOKEN => AuthTest::make_token($s, 'svc', 'service'),
	HERALD_ADMIN_TOKEN => AuthTest::make_token($s, 'ops', 'admin'),
	HERALD_CHROMIUM => $chromium,
	HERALD_NODE_MODULES => "$cache/node_modules",
	HERALD_ARTIFACTS => $art,
	HERALD_SRCDIR => Herald::Paths::srcdir(),
);
local @ENV{keys %env} = values %env;

my $pid = open2(my $out, my $in, $node, "$here/inbox.mjs");
while (my $line = <$out>) {
	if ($line =~ /^#@ (stop|start)-push/) {
		if ($1 eq 'stop') {
			$s->stop_pid($_->[0], 'TERM', 10) for @{ $s->{pushers} };
			@{ $s->{pushers} } = ();
		} else {
			$s->start_push;
		}
		print {$in} "ok\n";
		$in->flush;
		next;
	}
	print $line;
}
waitpid($pid, 0);
my $st = $?;
$s->stop;
exit($st >> 8 || ($st ? 1 : 0));
