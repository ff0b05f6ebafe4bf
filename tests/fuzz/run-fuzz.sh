#!/bin/sh
# Runs every libFuzzer entry in build-fuzz/ for SECONDS each.
#   tests/fuzz/run-fuzz.sh [SECONDS] [ENTRY...]
# FUZZ_RUNS=N stops each entry after N executions instead (SECONDS 0: no
# time limit), so a campaign can be counted in executions.
# Inputs per entry: its working corpus build-fuzz/corpus/<entry>/ (new
# coverage is added there), the seeds `make fuzz-seeds` extracted from the
# real captures into build-fuzz/seeds/<seed dir>/, and the crash regressions
# in tests/data/regress/<entry>/. A crash, leak or timeout is written to
# tests/data/regress/<entry>/ (replayed by make check from then on).
# Prints executions and crash files per entry; the lines are appended to
# build-fuzz/fuzz-stats.tsv (date, entry, seconds, executions, new crashes).
set -u
secs=${1:-30}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/../.."
status=0
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$PWD/tests/fuzz/lsan.supp"
# fuzz_capture reaches ~25k coverage features (nDPI's dissectors): libFuzzer's
# entropic schedule then spent 80 % of the run on its own bookkeeping.
extra_flags() { case $1 in fuzz_capture) echo -entropic=0;; esac; }
seed_dir() {
    case $1 in
    fuzz_stun) echo stun;; fuzz_dtls) echo dtls;; fuzz_dns) echo dns;;
    fuzz_decode) echo decode;; fuzz_capture|fuzz_pcapng) echo capture;;
    esac
}
entries=${*:-$(for b in build-fuzz/fuzz_*; do [ -x "$b" ] && basename "$b"; done)}
for name in $entries; do
    bin=build-fuzz/$name
    [ -x "$bin" ] || { echo "run-fuzz: $bin not built (make fuzz-build)" >&2; status=1; continue; }
    corpus=build-fuzz/corpus/$name
    regress=tests/data/regress/$name
    seeds=build-fuzz/seeds/$(seed_dir "$name")
    mkdir -p "$corpus" "$regress"
    case $name in fuzz_capture|fuzz_pcapng) cp samples/*.pcap samples/*.pcapng "$corpus/" 2>/dev/null;; esac
    case $name in fuzz_geo) cp samples/geo/*.mmdb tests/data/geo/*.mmdb "$corpus/" 2>/dev/null;; esac
    set -- "$corpus" "$regress"
    [ -d "$seeds" ] && set -- "$@" "$seeds"
    before=$(ls "$regress" | grep -cE '^(crash|leak|timeout|oom)-' || true)
    # shellcheck disable=SC2046
    "$bin" $(extra_flags "$name") -print_final_stats=1 -max_total_time="$secs" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$regress/" "$@" >"build-fuzz/$name.log" 2>&1 || status=1
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/$name.log" | grep -o '[0-9]*$')
    [ -n "$execs" ] || execs=$(grep -oE '#[0-9]+' "build-fuzz/$name.log" | tail -1 | tr -d '#')
    after=$(ls "$regress" | grep -cE '^(crash|leak|timeout|oom)-' || true)
    echo "$name: ${execs:-?} executions in ${secs} s, $((after - before)) new crash files ($after in $regress)"
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "$secs" "${execs:-?}" "$((after - before))" >>build-fuzz/fuzz-stats.tsv
done
exit $status
