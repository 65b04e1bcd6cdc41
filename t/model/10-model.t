#!/usr/bin/perl
# The model's calls against the harness's MariaDB, no web server in the
# way: t/model/model_db (C, TAP) does the work; this starts the database
# and hands it the configuration.
use v5.36;
use Herald::Stack;
use Herald::Paths;

my $prog = Herald::Paths::builddir() . '/t/model/model_db';
-x $prog or die "$prog is not built (make check builds it)\n";
my $s = Herald::Stack->start();
$ENV{HERALD_CONFIG} = $s->config_file;
# Its TAP is ours; its exit status is its verdict.
system($prog) == 0 or exit 1;
