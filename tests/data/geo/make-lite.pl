#!/usr/bin/perl
# Builds the DB-IP and IPinfo "lite"-layout test databases in this directory
# from lite-source.json (fictional data in documentation ranges), with
# Debian's libmaxmind-db-writer-perl. The .mmdb files are committed; rerun:
#   tests/data/geo/make-lite.pl tests/data/geo/lite-source.json tests/data/geo
use strict;
use warnings;
use JSON::PP;
use MaxMind::DB::Writer::Tree;

@ARGV == 2 or die "usage: $0 SOURCE.json OUTDIR\n";
my ($source, $outdir) = @ARGV;
open my $in, '<', $source or die "$source: $!\n";
my $files = JSON::PP->new->decode(do { local $/; <$in> });
close $in;
my %types = (
    country => 'map', city => 'map', location => 'map', names => 'map',
    iso_code => 'utf8_string', en => 'utf8_string', latitude => 'double', longitude => 'double',
    autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
    country_code => 'utf8_string', continent_code => 'utf8_string', continent => 'utf8_string',
    asn => 'utf8_string', as_name => 'utf8_string', as_domain => 'utf8_string',
);
for my $name (sort keys %$files) {
    my $f = $files->{$name};
    # IPinfo writes "country" as a string (the name), DB-IP as a map.
    my $ipinfo = $f->{database_type} =~ /ipinfo/i;
    my $tree = MaxMind::DB::Writer::Tree->new(
        ip_version => 6, record_size => 24, database_type => $f->{database_type},
        languages => ['en'], description => { en => "leakaudit $name layout test data (fictional)" },
        remove_reserved_networks => 0, alias_ipv6_to_ipv4 => 1,
        map_key_type_callback => sub {
            return 'utf8_string' if $ipinfo && $_[0] eq 'country';
            $types{ $_[0] } // die "no type for key $_[0]\n";
        },
    );
    for my $entry (@{ $f->{networks} }) {
        my ($network, $record) = %$entry;
        $tree->insert_network($network, $record);
    }
    my $out = "$outdir/$name-test.mmdb";
    open my $fh, '>:raw', $out or die "$out: $!\n";
    $tree->write_tree($fh);
    close $fh or die "$out: $!\n";
    print "wrote $out\n";
}
