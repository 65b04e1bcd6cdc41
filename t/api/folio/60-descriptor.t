#!/usr/bin/perl
# conf/folio/ModuleDescriptor.json (issue I, item 9): it parses, it is
# this version of Herald, it provides notify 2.1, patron-notice and
# _tenant 2.0, its handlers are exactly the folio dialect's routes as
# "herald routes" lists them (but /admin/health, which Okapi calls on the
# module itself and no descriptor routes), and every permission a handler
# requires is one it declares, mod-notify's names among them.
use v5.36;
use FindBin;
use lib "$FindBin::Bin/../../lib";
use Test::More;
use JSON::PP ();
use Herald::Stack;

my $src = Herald::Stack::srcdir();
my $bin = Herald::Stack::herald_bin();
my $J = JSON::PP->new->utf8;
my $md = eval { $J->decode(Herald::Stack::slurp_file(
    "$src/conf/folio/ModuleDescriptor.json")) };
ok ref $md eq 'HASH', 'ModuleDescriptor.json parses' or diag $@;
my $dd = eval { $J->decode(Herald::Stack::slurp_file(
    "$src/conf/folio/DeploymentDescriptor.json")) };
ok ref $dd eq 'HASH', 'DeploymentDescriptor.json parses' or diag $@;

my ($version) = qx{$bin --version} =~ /^herald (\S+)/;
is $md->{id}, "herald-$version", "the module id is this Herald's ($version)";
is $dd->{srvcId}, $md->{id}, 'the deployment names the module';

my %iface = map { $_->{id} => $_ } @{ $md->{provides} };
is $iface{notify}{version}, '2.1', 'provides notify 2.1';
is $iface{'patron-notice'}{version}, '1.0', 'provides patron-notice 1.0';
is $iface{_tenant}{version}, '2.0', 'provides _tenant 2.0';
is $iface{_tenant}{interfaceType}, 'system', '... as a system interface';
ok !exists $md->{requires}, 'requires nothing (local users and templates)';

# {id}, {username}: a placeholder is a placeholder.
sub norm ($p) { $p =~ s/\{[^}]*\}/{}/gr }
my (%md, @dup);
for my $i (@{ $md->{provides} }) {
	for my $h (@{ $i->{handlers} }) {
		for my $m (@{ $h->{methods} }) {
			my $k = "$m " . norm($h->{pathPattern});
			push @dup, $k if $md{$k}++;
		}
	}
}
is_deeply \@dup, [], 'no route is declared twice';
my %routes;
for (split /\n/, scalar qx{$bin routes}) {
	my ($d, $m, $p) = split /\t/;
	next unless $d eq 'folio' && $p ne '/admin/health';
	$routes{"$m " . norm($p)} = 1;
}
ok scalar(keys %routes) >= 14, 'herald routes lists the folio routes';
is_deeply [ sort keys %md ], [ sort keys %routes ],
    "the handlers are exactly the dialect's routes";

my %perm = map { $_->{permissionName} => $_ } @{ $md->{permissionSets} };
my @undeclared;
for my $i (@{ $md->{provides} }) {
	for my $h (@{ $i->{handlers} }) {
		push @undeclared, grep { !$perm{$_} }
		    @{ $h->{permissionsRequired} // [] };
		ok @{ $h->{permissionsRequired} // [] } > 0,
		    "$h->{methods}[0] $h->{pathPattern}: a permission"
		    unless $i->{interfaceType} && $i->{interfaceType} eq 'system';
	}
}
is_deeply \@undeclared, [], 'every permission required is declared';
ok $perm{$_}, "declares $_" for qw(notify.collection.get notify.item.post
    notify.users.item.post notify.item.get notify.item.put notify.item.delete
    notify.user.collection.get notify.user.collection.delete
    patron-notice.post notify.all);
is_deeply [ sort @{ $perm{'notify.all'}{subPermissions} } ],
    [ sort qw(notify.collection.get notify.item.get notify.item.post
    notify.users.item.post notify.item.put notify.item.delete) ],
    'notify.all bundles what mod-notify bundles';
done_testing();
