#!/usr/bin/env bash
# Nothing lost: a full disk, a failing output, a vanished directory, an
# absent syslog collector and SIGTERM mid-stream (tests/lost_check.py; the
# tmpfs case needs root for a private mount namespace and skips otherwise).
LA=$(readlink -f "${LEAKAUDIT:-./leakaudit}")
root=$(readlink -f "${LEAKAUDIT_ROOT:-.}")
exec python3 "$root/tests/lost_check.py" "$LA" "$root"
