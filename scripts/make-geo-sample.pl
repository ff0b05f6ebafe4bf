#!/usr/bin/perl
# Builds the demo GeoIP databases for the bundled samples from a readable
# source file (the layout of MaxMind's test source-data: a list of
# {"NETWORK": record}), with Debian's libmaxmind-db-writer-perl:
#   scripts/make-geo-sample.pl samples/geo/demo-geoip.json samples/geo
# writes OUTDIR/demo-City.mmdb (database_type leakaudit-Demo-City: country,
# city, location) and OUTDIR/demo-ISP.mmdb (leakaudit-Demo-ISP: ASN, ISP,
# organization). The samples use documentation addresses (RFC 5737/3849),
# so the writer must keep reserved networks. `make geo-sample` runs this.
use strict;
use warnings;
use JSON::PP;
use MaxMind::DB::Writer::Tree;

@ARGV == 2 or die "usage: $0 SOURCE.json OUTDIR\n";
my ($source, $outdir) = @ARGV;
open my $in, '<', $source or die "$source: $!\n";
my $entries = JSON::PP->new->decode(do { local $/; <$in> });
close $in;

my %types = (
    country => 'map', city => 'map', location => 'map', names => 'map',
    iso_code => 'utf8_string', en => 'utf8_string',
    latitude => 'double', longitude => 'double', accuracy_radius => 'uint16',
    autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
    isp => 'utf8_string', organization => 'utf8_string',
);
my %layouts = (
    City => [qw(country city location)],
    ISP  => [qw(autonomous_system_number autonomous_system_organization isp organization)],
);

for my $kind (sort keys %layouts) {
    my $tree = MaxMind::DB::Writer::Tree->new(
        ip_version               => 6,
        record_size              => 24,
        database_type            => "leakaudit-Demo-$kind",
        languages                => ['en'],
        description              => { en => "leakaudit demo $kind data for the bundled samples (fictional)" },
        remove_reserved_networks => 0,
        alias_ipv6_to_ipv4       => 1,
        map_key_type_callback    => sub { $types{ $_[0] } // die "no type for key $_[0]\n" },
    );
    for my $entry (@$entries) {
        my ($network, $record) = %$entry;
        my %subset = map { exists $record->{$_} ? ($_ => $record->{$_}) : () } @{ $layouts{$kind} };
        $tree->insert_network($network, \%subset) if %subset;
    }
    my $out = "$outdir/demo-$kind.mmdb";
    open my $fh, '>:raw', "$out.tmp" or die "$out.tmp: $!\n";
    $tree->write_tree($fh);
    close $fh or die "$out.tmp: $!\n";
    rename "$out.tmp", $out or die "$out: $!\n";
    print "wrote $out\n";
}
