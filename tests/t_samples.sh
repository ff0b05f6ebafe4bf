#!/bin/sh
# The bundled samples against their ground truth (samples/expected.tsv).
root=${LEAKAUDIT_ROOT:-.}
exec python3 "$root/tests/expected_check.py" "${LEAKAUDIT:-./leakaudit}" "$root/samples"
