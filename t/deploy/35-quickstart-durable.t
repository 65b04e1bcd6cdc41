#!/usr/bin/perl
# The quick start's MariaDB is durable (issue 21, item 10): t/lib/stack.pl,
# started the way ./quickstart starts it, runs mariadbd with
# innodb_flush_log_at_trx_commit=1 (and sync_binlog=1 should a binary log
# be on), so an acknowledged write survives an OS crash.  The test stacks
# (Herald::Stack->start) keep =2 for speed.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Herald::Quickstart;
use Herald::MariaDB;

my $q = Herald::Quickstart::start();
my %procs = Herald::Quickstart::processes($q);
my $flush = eval { Herald::MariaDB::sql_value($q->{db_socket},
    'SELECT @@innodb_flush_log_at_trx_commit', db => '') };
is $flush, 1, 'innodb_flush_log_at_trx_commit = 1' or diag $@;
my ($log_bin, $sync) = eval { @{ (Herald::MariaDB::sql($q->{db_socket},
    'SELECT @@log_bin, @@sync_binlog', db => ''))[0] } };
ok defined $log_bin, 'log_bin and sync_binlog read' or diag $@;
is $sync, 1, 'sync_binlog = 1 (binary log ' . ($log_bin ? 'on' : 'off')
    . ')';

kill 'TERM', $q->{pid};
ok defined Herald::Quickstart::wait_exit($q, 60), 'stack.pl stopped';
Herald::Quickstart::cleanup($q, \%procs);

# The sample drop-in for production says the same.
my $cnf = Herald::Proc::slurp(Herald::Paths::srcdir()
    . '/conf/mariadb/herald-durable.cnf');
like $cnf, qr/^\[mariadbd\]/m, 'herald-durable.cnf: a [mariadbd] section';
like $cnf, qr/^innodb_flush_log_at_trx_commit\s*=\s*1\s*$/m,
    'herald-durable.cnf: innodb_flush_log_at_trx_commit = 1';
like $cnf, qr/^sync_binlog\s*=\s*1\s*$/m, 'herald-durable.cnf: sync_binlog = 1';

done_testing;
