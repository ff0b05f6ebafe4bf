#!/usr/bin/env bash
# The configuration file through the real program: every long option of
# --help is a key (so options added by anyone are covered), the command line
# wins over the file, bad files give one clear error line and exit 2, and the
# shipped sample leakaudit.conf names every option and is accepted. TAP output.
set -u
LA=$(readlink -f "${LEAKAUDIT:-./leakaudit}")
root=$(cd "${LEAKAUDIT_ROOT:-.}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "#   $l"; done; }
conf() { printf '[leakaudit]\n%s\n' "$1" >"$tmp/c.conf"; }

# Long options from --help: "--name=VALUE" takes a value, "--name" is a switch.
# Only the option lines ("  -r, --read=FILE   ..."), not the examples.
"$LA" --help | sed -nE 's/^  (-[A-Za-z], )?(--[a-z][a-z0-9-]*(=[A-Z=]+)?).*/\2/p' | sort -u >"$tmp/opts"
cd "$tmp" || exit 2   # whatever a value names is created here, never in the tree
unknown=() ; checked=0
while read -r o; do
    name=${o#--}; name=${name%%=*}
    case $name in help|version|config) continue ;; esac
    if [[ $o == *=* ]]; then conf "$name = "; else conf "$name = false"; fi
    "$LA" --config "$tmp/c.conf" -r "$root/samples/clean.pcapng" -q >/dev/null 2>"$tmp/err"
    grep -q "unknown key" "$tmp/err" && unknown+=("$name")
    checked=$((checked + 1))
done <"$tmp/opts"
if [ ${#unknown[@]} -eq 0 ] && [ $checked -ge 20 ]; then
    ok "all $checked long options of --help are config keys"
else
    notok "every long option is a config key" "unknown: ${unknown[*]:-} (checked $checked)"
fi

# The sample names every one of them, and is accepted as it ships.
missing=()
while read -r o; do
    name=${o#--}; name=${name%%=*}
    case $name in help|version|config) continue ;; esac
    grep -qE "^#?$name = " "$root/leakaudit.conf" || missing+=("$name")
done <"$tmp/opts"
if [ ${#missing[@]} -eq 0 ]; then ok "sample leakaudit.conf shows every key"; else notok "sample leakaudit.conf shows every key" "missing: ${missing[*]}"; fi
"$LA" --config "$root/leakaudit.conf" -r "$root/samples/clean.pcapng" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "CLEAN" "$tmp/err"; then ok "sample leakaudit.conf is accepted"; else notok "sample leakaudit.conf is accepted" "rc=$rc $(head -2 "$tmp/err")"; fi
# Uncommented, the sample's example values parse too (paths aside, which need not exist).
sed -E 's/^#([a-z-]+ = )/\1/' "$root/leakaudit.conf" | grep -vE '^(capture|read|relinquish-privileges|json|write|report|geoip) = ' >"$tmp/all.conf"
"$LA" --config "$tmp/all.conf" -r "$root/samples/clean.pcapng" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 2 ]; then ok "sample values, uncommented, are valid (rc=$rc)"; else notok "sample values, uncommented, are valid" "$(head -2 "$tmp/err")"; fi

# Values from the file take effect; the command line wins.
conf "read = $root/samples/webrtc-leak.pcapng
quiet = true"
"$LA" --config "$tmp/c.conf" >"$tmp/out" 2>"$tmp/err"; rc=$?
alerts=$(grep -c LEAK "$tmp/out")
if [ $rc -eq 1 ] && [ "$alerts" -eq 3 ] && [ ! -s "$tmp/err" ]; then ok "read and quiet from the file: 3 alerts, no summary"; else notok "read and quiet from the file" "rc=$rc alerts=$alerts"; fi
"$LA" --config "$tmp/c.conf" -r "$root/samples/clean.pcapng" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 0 ] && [ ! -s "$tmp/out" ]; then ok "-r on the command line wins over read in the file"; else notok "-r wins over the file" "rc=$rc"; fi
# vpn-if = tun0;eth0: only the list's second item makes eth0 the VPN, so no leak.
conf "read = $root/samples/no-vpn.pcap
interface = eth0
vpn-if = tun0;eth0
color = always"
"$LA" --config="$tmp/c.conf" -q --events >"$tmp/out" 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q "inside-vpn" "$tmp/out" && ! grep -q "LEAK" "$tmp/out" && grep -q $'\033\[' "$tmp/out"; then
    ok "list (vpn-if, both items) and string (color) from the file"
else
    notok "list and string from the file" "rc=$rc $(head -2 "$tmp/out")"
fi
"$LA" --config="$tmp/c.conf" -q --color=never --vpn-if=tun0 >"$tmp/out" 2>&1; rc=$?
if [ $rc -eq 1 ] && ! grep -q $'\033\[' "$tmp/out" && grep -q "VPN: tun0" "$tmp/out"; then
    ok "--color and --vpn-if on the command line replace the file's"
else
    notok "command line replaces list and string" "rc=$rc $(head -2 "$tmp/out")"
fi
# The file's capture yields to -r on the command line, and its read to -i.
conf "capture = any"
"$LA" --config "$tmp/c.conf" -r "$root/samples/webrtc-leak.pcapng" -q >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 1 ] && [ "$(grep -c LEAK "$tmp/out")" -eq 3 ]; then ok "capture = any in the file, -r on the command line: the file is read"; else notok "file capture yields to -r" "rc=$rc $(head -2 "$tmp/err")"; fi
conf "read = $root/samples/webrtc-leak.pcapng"
"$LA" --config "$tmp/c.conf" -i la-no-such-device0 -q >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && ! grep -q "exclude" "$tmp/err" && [ ! -s "$tmp/out" ]; then
    ok "read in the file, -i on the command line: the device is opened, not the file"
else
    notok "file read yields to -i" "rc=$rc $(head -2 "$tmp/err")"
fi
"$LA" -r "$root/samples/webrtc-leak.pcapng" -i any --config none >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q "exclude each other" "$tmp/err"; then ok "-r and -i both on the command line still exclude each other"; else notok "-r -i on the command line" "rc=$rc"; fi
"$LA" --config=none -r "$root/samples/clean.pcapng" -q; rc=$?
if [ $rc -eq 0 ]; then ok "--config=none reads no file"; else notok "--config=none" "rc=$rc"; fi

# LEAKAUDIT_CONFIG names the default file (the runner sets it to none).
conf "read = $root/samples/webrtc-leak.pcapng
quiet = true"
LEAKAUDIT_CONFIG="$tmp/c.conf" "$LA" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 1 ] && [ "$(grep -c LEAK "$tmp/out")" -eq 3 ]; then ok "LEAKAUDIT_CONFIG names the default file"; else notok "LEAKAUDIT_CONFIG names the default file" "rc=$rc"; fi
LEAKAUDIT_CONFIG="$tmp/absent.conf" "$LA" -r "$root/samples/clean.pcapng" -q; rc=$?
if [ $rc -eq 0 ]; then ok "an absent default file is no error"; else notok "an absent default file is no error" "rc=$rc"; fi

# Bad files: one line naming the file, exit 2.
expect_error() {
    local name=$1 want=$2
    "$LA" --config "$tmp/c.conf" -r "$root/samples/clean.pcapng" >"$tmp/out" 2>"$tmp/err"
    local rc=$? lines
    lines=$(grep -c . "$tmp/err")
    if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "^leakaudit: $tmp/c.conf: .*$want" "$tmp/err"; then ok "$name"; else notok "$name" "rc=$rc lines=$lines $(head -2 "$tmp/err")"; fi
}
conf "qiuet = true"; expect_error "misspelt key" "unknown key 'qiuet'"
conf "quiet = yes"; expect_error "switch not true/false" "true or false"
conf "max-flows = lots"; expect_error "integer key with text" "max-flows"
conf "version = true"; expect_error "version is not a key" "unknown key 'version'"
printf '[general]\nquiet=true\n' >"$tmp/c.conf"; expect_error "unknown group" "unknown group"
conf "max-flows = 3"
"$LA" --config "$tmp/c.conf" -r "$root/samples/clean.pcapng" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q -- "--max-flows must be at least 16" "$tmp/err"; then ok "file values are checked like options"; else notok "file values are checked like options" "rc=$rc"; fi
"$LA" --config "$tmp/none.conf" -r "$root/samples/clean.pcapng" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q "none.conf: No such file" "$tmp/err"; then ok "a --config file that does not exist is an error"; else notok "missing --config file" "rc=$rc $(cat "$tmp/err")"; fi

echo "1..$n"
[ $fails -eq 0 ]
