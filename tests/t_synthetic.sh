#!/bin/sh
# The synthetic captures (scripts/make-synthetic-captures.py): exact alerts,
# exit codes, JSON fields, evidence round trip.
root=${LEAKAUDIT_ROOT:-.}
exec python3 "$root/tests/samples_check.py" "${LEAKAUDIT:-./leakaudit}" "$root/tests/data/synthetic"
