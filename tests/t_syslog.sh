#!/bin/sh
# The syslog sink against a real rsyslogd (started unprivileged, own config).
root=${LEAKAUDIT_ROOT:-.}
exec python3 "$root/tests/syslog_check.py" "${LEAKAUDIT:-./leakaudit}" "$root/samples"
