#!/bin/sh
# Replays every fuzz regression file (tests/data/regress/<entry>/) through its
# fuzz entry, linked with a plain main (replay_fuzz_<entry>), in this build
# tree: under build-asan a sanitizer report fails the file. The bundled
# samples go through the capture entries too, so the replay path itself is
# exercised even where an entry has no regression file yet. TAP output.
set -u
root=${LEAKAUDIT_ROOT:-.}
build=${LEAKAUDIT_BUILD:-build}
cd "$root" || exit 2
n=0 fails=0 replayed=0
for bin in "$build"/tests/replay_fuzz_*; do
    [ -x "$bin" ] || continue
    entry=fuzz_${bin##*/replay_fuzz_}
    set --
    [ -n "$(ls "tests/data/regress/$entry" 2>/dev/null)" ] && set -- "tests/data/regress/$entry"
    case $entry in fuzz_capture|fuzz_pcapng) set -- "$@" samples/*.pcap samples/*.pcapng;; esac
    [ $# -gt 0 ] || { echo "# $entry: no regression files yet"; continue; }
    out=$("$bin" "$@" 2>&1)
    rc=$?
    files=$(printf '%s\n' "$out" | grep -cE '^(not )?ok ')
    bad=$(printf '%s\n' "$out" | grep -c '^not ok ')
    replayed=$((replayed + files))
    n=$((n + 1))
    if [ "$rc" -eq 0 ] && [ "$bad" -eq 0 ] && [ "$files" -gt 0 ]; then
        echo "ok $n $entry: $files files replayed"
    else
        fails=$((fails + 1))
        echo "not ok $n $entry: $bad of $files files failed (rc=$rc)"
        printf '%s\n' "$out" | grep -A1 '^not ok' | sed 's/^/#   /' | head -20
    fi
done
# The replay must really have run: every entry with a source has a binary.
want=$(ls tests/fuzz/fuzz_*.c | wc -l)
have=$(ls "$build"/tests/replay_fuzz_* 2>/dev/null | wc -l)
n=$((n + 1))
if [ "$have" -eq "$want" ] && [ "$replayed" -gt 0 ]; then
    echo "ok $n all $want fuzz entries have a replay binary ($replayed files replayed)"
else
    fails=$((fails + 1)); echo "not ok $n replay binaries: $have of $want, $replayed files replayed"
fi
echo "1..$n"
[ $fails -eq 0 ]
