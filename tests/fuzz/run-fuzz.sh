#!/bin/sh
# Runs every libFuzzer entry in build-fuzz/ for SECONDS each, seeded from the
# bundled samples (and tests/data/regress/<entry>/ crash regressions).
# Prints executions and crashes per entry.
set -u
secs=${1:-30}
cd "$(dirname "$0")/../.."
status=0
for bin in build-fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    corpus=build-fuzz/corpus/$name
    mkdir -p "$corpus" "tests/data/regress/$name"
    case $name in fuzz_capture|fuzz_pcapng) cp samples/*.pcap samples/*.pcapng "$corpus/" 2>/dev/null;; esac
    case $name in fuzz_geo) cp samples/geo/*.mmdb tests/data/geo/*.mmdb "$corpus/" 2>/dev/null;; esac
    "$bin" -print_final_stats=1 -max_total_time="$secs" -artifact_prefix="tests/data/regress/$name/" "$corpus" \
        "tests/data/regress/$name" >"build-fuzz/$name.log" 2>&1 || status=1
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/$name.log" | grep -o '[0-9]*$')
    [ -n "$execs" ] || execs=$(grep -oE '#[0-9]+' "build-fuzz/$name.log" | tail -1 | tr -d '#')
    crashes=$(ls "tests/data/regress/$name" | grep -c '^crash-' || true)
    echo "$name: ${execs:-?} executions, $crashes crash files"
done
exit $status
