#!/usr/bin/perl
# "make install DESTDIR=..." yields a tree that runs: the installed binary
# answers --version, migrates a private MariaDB from the installed schema
# directory and serves a request behind nginx; the sample configurations
# (conf/, nginx, Apache, systemd) and the man page are in place.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Find qw(find);
use File::Temp qw(tempdir);
use Herald::Stack;

my $builddir = Herald::Stack::builddir();
plan skip_all => "no Makefile in $builddir (run from the build directory)"
    unless -f "$builddir/Makefile";

my $dest = tempdir('herald-install-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $log = "$dest.log";
{
	# A make of our own, not a job of the make that runs the tests.
	local @ENV{qw(MAKEFLAGS MFLAGS MAKELEVEL)};
	delete @ENV{qw(MAKEFLAGS MFLAGS MAKELEVEL)};
	my $st = system("make -C '$builddir' install DESTDIR='$dest' "
	    . ">'$log' 2>&1");
	is $st, 0, 'make install DESTDIR=... succeeds'
	    or diag Herald::Stack::tail_file($log, 30);
}
unlink $log;

my %files;
find({ no_chdir => 1, wanted => sub {
	(my $rel = $File::Find::name) =~ s/^\Q$dest\E//;
	$files{$rel} = 1 if -f $_;
} }, $dest);
my ($herald) = grep { m{/bin/herald\z} } keys %files;
ok $herald, "the binary is installed ($herald)";
my ($schema) = grep { m{/schema/001_init\.sql\z} } keys %files;
ok $schema, "the schema is installed ($schema)";
ok scalar(grep { m{/conf/herald\.conf\z} } keys %files),
    'the sample herald.conf is installed';
ok scalar(grep { m{/conf/nginx/herald_params\z} } keys %files),
    'the nginx sample is installed';
{
	for my $f (qw(apache/herald-proxy-fcgi.conf apache/herald-fcgid.conf
	    apache/htaccess-cgi systemd/herald.service)) {
		ok scalar(grep { m{/conf/\Q$f\E\z} } keys %files),
		    "conf/$f is installed";
	}
}
{
	ok scalar(grep { m{/man8/herald\.8\z} } keys %files),
	    'the man page herald.8 is installed';
}

SKIP: {
	skip 'nothing installed to run', 6 unless $herald && $schema;
	my $bin = "$dest$herald";
	(my $sdir = "$dest$schema") =~ s{/001_init\.sql\z}{};
	my $v = qx{"$bin" --version};
	chomp $v;
	like $v, qr/^herald \S+/, "installed herald --version: $v";

	# The harness runs "migrate" and "serve" with the installed binary.
	local $ENV{HERALD_BIN} = $bin;
	my $s = Herald::Stack->start(config => { schema_dir => $sdir });
	pass 'installed herald migrated from the installed schema and serves';
	my $r = $s->get('/');
	is $r->{status}, 200, 'GET / through nginx to the installed herald';
	$r = $s->post('/notification', { type => 'data', user => 'inst',
	    subject => 'installed' });
	is $r->{status}, 200, 'POST /notification';
	$r = $s->get('/messages?user=inst');
	is $r->{json} && $r->{json}{total}, '1', 'GET /messages finds it';
	like $s->sql_value('SELECT COUNT(*) FROM schema_migrations'),
	    qr/^[1-9]/, 'migrations recorded';
	$s->stop;
}

done_testing;
