#!/bin/sh
# JSON lines of every sample, synthetic and corpus capture against the README's fields.
root=${LEAKAUDIT_ROOT:-.}
exec python3 "$root/tests/json_check.py" "${LEAKAUDIT:-./leakaudit}" "$root" "${LEAKAUDIT_CORPUS:-$root/../shared/corpus}"
