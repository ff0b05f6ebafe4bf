#!/bin/sh
# Bounded memory under a flood of 1 million distinct 5-tuples (flood_check.py).
root=${LEAKAUDIT_ROOT:-.}
build=${LEAKAUDIT_BUILD:-build}
exec python3 "$root/tests/flood_check.py" "${LEAKAUDIT:-./leakaudit}" "$root" "$root/tests/out/$build/flood" "$build"
