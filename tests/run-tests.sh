#!/usr/bin/env bash
# Runs every test program of one build tree and prints one closing line:
#   "tests: N passed, N failed, N skipped"
# GTest binaries (BUILD/tests/test_*) run with --tap; shell tests (tests/t_*.sh)
# print TAP themselves and get LEAKAUDIT pointing at the build's binary.
# Exit status is non-zero when anything failed or a program crashed.
set -u
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
export LEAKAUDIT="$root/$build/leakaudit"
export LEAKAUDIT_ROOT="$root"
export LEAKAUDIT_BUILD="$build"
export LEAKAUDIT_CORPUS="${LEAKAUDIT_CORPUS:-$root/../shared/corpus}"
# A host's /etc/leakaudit.conf must not change test results.
export LEAKAUDIT_CONFIG=none
logdir="$root/tests/out/$build"
mkdir -p "$logdir"
pass=0 fail=0 skip=0 crashed=0 todo=0
failed_names=()

run_one() {
    local name=$1; shift
    local log="$logdir/$name.log"
    "$@" >"$log" 2>&1
    local rc=$?
    local p f s
    p=$(grep -cE '^ok [0-9]+' "$log" | tr -d ' ')
    s=$(grep -cE '^ok [0-9]+.*# ?SKIP' "$log" | tr -d ' ')
    f=$(grep -E '^not ok [0-9]+' "$log" | grep -vc '# TODO' | tr -d ' ')
    t=$(grep -E '^not ok [0-9]+' "$log" | grep -c '# TODO' | tr -d ' ')
    todo=$((todo + t))
    p=$((p - s))
    pass=$((pass + p)); skip=$((skip + s)); fail=$((fail + f))
    if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
        if [ "$f" -eq 0 ]; then crashed=$((crashed + 1)); fail=$((fail + 1)); fi
        failed_names+=("$name (rc=$rc)")
        echo "---- $name failed (rc=$rc), log $log:"
        grep -E '^not ok|ERROR|Bail out|runtime error|AddressSanitizer|LeakSanitizer' "$log" | head -20
        tail -5 "$log"
    fi
    printf '%-32s %3d passed %3d failed %3d skipped %3d todo\n' "$name" "$p" "$f" "$s" "$t"
    grep -E '^# SKIP-NOTE' "$log" | sed 's/^# SKIP-NOTE/    note:/' | sort -u
}

for bin in "$build"/tests/test_*; do
    [ -x "$bin" ] || continue
    run_one "$(basename "$bin")" "$bin" --tap
done
for script in tests/t_*.sh; do
    [ -x "$script" ] || continue
    run_one "$(basename "$script" .sh)" "$script"
done

[ ${#failed_names[@]} -gt 0 ] && printf 'failed: %s\n' "${failed_names[@]}"
[ "$todo" -gt 0 ] && echo "open (TAP TODO, listed in the logs under tests/out/): $todo"
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
