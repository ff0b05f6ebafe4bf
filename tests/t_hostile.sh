#!/bin/sh
# Hostile captures: clear error or malformed count, never a crash or a hang,
# alerts before the fault kept (see hostile_check.py).
root=${LEAKAUDIT_ROOT:-.}
exec python3 "$root/tests/hostile_check.py" "${LEAKAUDIT:-./leakaudit}" "$root" "${LEAKAUDIT_CORPUS:-../shared/corpus}" \
    "$root/tests/out/${LEAKAUDIT_BUILD:-build}/hostile"
