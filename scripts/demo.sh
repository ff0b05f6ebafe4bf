#!/bin/sh
# The README's first command: installs what is missing, builds leakaudit and
# audits every bundled sample capture, printing its alerts and verdict.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -s leakaudit >/dev/null
status=0
for f in samples/*.pcap samples/*.pcapng; do
    [ -e "$f" ] || continue
    # A sample may come with the options a user would give it (samples/NAME.args).
    args=""
    [ -f "$f.args" ] && args=$(cat "$f.args")
    # The demo GeoIP databases (samples/geo) cover the samples' addresses.
    [ -d samples/geo ] && args="$args --geoip samples/geo"
    echo "=== leakaudit -r $f $args"
    rc=0
    # shellcheck disable=SC2086
    ./leakaudit -r "$f" $args || rc=$?
    echo "(exit status $rc: $( [ $rc -eq 0 ] && echo clean || { [ $rc -eq 1 ] && echo 'leak found' || echo error; } ))"
    echo
    [ $rc -le 1 ] || status=$rc
done
exit $status
