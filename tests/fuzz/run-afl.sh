#!/bin/sh
# Runs every AFL++ build of the fuzz entries (build-afl/fuzz_*) for SECONDS
# each: the second engine over the same harnesses and seeds as libFuzzer.
#   tests/fuzz/run-afl.sh [SECONDS] [ENTRY...]
# Input: build-fuzz/seeds/<seed dir>/ (make fuzz-seeds) plus the regression
# files, at most 200 seeds of <= 16 KiB each (AFL++ wants a small queue).
# Output: build-afl/out/<entry>/default/ (fuzzer_stats, queue, crashes).
# Crashes are copied to tests/data/regress/<entry>/afl-crash-<sha1>, which
# make check replays. Prints executions and crashes per entry and appends
# them to build-afl/afl-stats.tsv.
set -u
secs=${1:-30}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/../.."
command -v afl-fuzz >/dev/null || { echo "run-afl: afl-fuzz not found (apt-get install afl++)" >&2; exit 1; }
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export AFL_SKIP_CRASHES=1 AFL_AUTORESUME=0
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1
seed_dir() {
    case $1 in
    fuzz_stun) echo stun;; fuzz_dtls) echo dtls;; fuzz_dns) echo dns;;
    fuzz_decode) echo decode;; fuzz_capture|fuzz_pcapng) echo capture;;
    esac
}
status=0
entries=${*:-$(for b in build-afl/fuzz_*; do [ -x "$b" ] && basename "$b"; done)}
for name in $entries; do
    bin=build-afl/$name
    [ -x "$bin" ] || { echo "run-afl: $bin not built (make fuzz-afl-build)" >&2; status=1; continue; }
    in=build-afl/in/$name out=build-afl/out/$name regress=tests/data/regress/$name
    rm -rf "$in" "$out"; mkdir -p "$in" "$regress" "${out%/*}"
    for f in $(find "build-fuzz/seeds/$(seed_dir "$name")" "$regress" -type f -size -16k 2>/dev/null | sort | head -200); do
        cp "$f" "$in/"
    done
    case $name in fuzz_geo) cp samples/geo/*.mmdb "$in/" 2>/dev/null;; esac # the demo databases
    [ -n "$(ls "$in")" ] || printf 'seed' >"$in/empty"
    afl-fuzz -V "$secs" -m none -t 2000 -i "$in" -o "$out" -- "$bin" >"build-afl/$name.log" 2>&1 || status=1
    stats=$out/default/fuzzer_stats
    execs=$(sed -n 's/^execs_done *: *//p' "$stats" 2>/dev/null)
    crashes=0
    for c in "$out"/default/crashes/id:*; do
        [ -f "$c" ] || continue
        crashes=$((crashes + 1))
        cp "$c" "$regress/afl-crash-$(sha1sum "$c" | cut -c1-40)"
    done
    echo "$name (AFL++): ${execs:-?} executions in ${secs} s, $crashes crashes"
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "$secs" "${execs:-?}" "$crashes" >>build-afl/afl-stats.tsv
done
exit $status
