#!/usr/bin/env bash
# The sandbox is in force, not only asked for: after start-up the running
# process shows NoNewPrivs 1 and Seccomp 2 (filter mode) in /proc, and the
# hidden probe (LEAKAUDIT_SANDBOX_PROBE=1: leakaudit makes each blocked call
# with arguments the kernel would otherwise reject for another reason, e.g.
# execve of a path that does not exist) gets EPERM from the filter where
# --no-sandbox gets the kernel's own answer (ENOENT, ESRCH, EBADF …). Threads
# can still be made, and a whole run under the filter gives the same alerts.
# Runs as any user (root: -Z root keeps the capabilities, so EPERM cannot
# come from a missing one). TAP.
set -u
LA=${LEAKAUDIT:-./leakaudit}
root=${LEAKAUDIT_ROOT:-.}
. "$(dirname "$0")/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stay=()
[ "$(id -u)" -eq 0 ] && stay=(-Z root)
sample=$root/samples/webrtc-leak.pcapng

LEAKAUDIT_SANDBOX_PROBE=1 "$LA" -r "$sample" -q -v --no-geoip "${stay[@]}" >"$tmp/on.out" 2>"$tmp/on.err"; rc_on=$?
LEAKAUDIT_SANDBOX_PROBE=1 "$LA" -r "$sample" -q -v --no-geoip "${stay[@]}" --no-sandbox >"$tmp/off.out" 2>"$tmp/off.err"; rc_off=$?
probe() { sed -n "s/^leakaudit: sandbox probe: $2: //p" "$tmp/$1.err"; }
sanitizer=0
grep -q "ptrace allowed: sanitizer build" "$tmp/on.err" && sanitizer=1
calls="execve setns umount2 open_by_handle_at bpf-prog-load process_vm_readv"
[ $sanitizer = 0 ] && calls="$calls ptrace"
# Unprivileged, the kernel itself refuses bpf() (unprivileged_bpf_disabled): nothing to tell apart.
if [ "$(id -u)" -ne 0 ]; then calls=${calls/bpf-prog-load /}; echo "# SKIP-NOTE not root: bpf prog load not probed"; fi
[ $sanitizer = 1 ] && echo "# SKIP-NOTE sanitizer build: ptrace stays allowed (LeakSanitizer needs it), not probed"
for call in $calls; do
    on=$(probe on "$call") off=$(probe off "$call")
    if [ "$on" = EPERM ] && [ -n "$off" ] && [ "$off" != EPERM ]; then
        ok "$call: EPERM under the filter (without it: $off)"
    else
        notok "$call blocked by the filter" "sandbox: '$on', --no-sandbox: '$off'"
    fi
done
on=$(probe on clone3) off=$(probe off clone3)
if [ -z "$on$off" ] || { [ "$on" = ENOSYS ] && [ "$off" != ENOSYS ]; }; then
    ok "clone3: ENOSYS under the filter (glibc falls back to clone, whose flags it checks; without: ${off:-not built})"
else
    notok "clone3 answers ENOSYS" "sandbox: '$on', --no-sandbox: '$off'"
fi
[ "$(probe on thread)" = started ] && ok "a thread still starts under the filter" || notok "thread under the filter" "$(probe on thread)"
if [ $rc_on -eq 1 ] && [ $rc_off -eq 1 ] && diff "$tmp/on.out" "$tmp/off.out" >/dev/null && [ "$(grep -c LEAK "$tmp/on.out")" -eq 3 ]; then
    ok "the same 3 alerts with and without the sandbox"
else
    notok "same alerts under the sandbox" "rc $rc_on/$rc_off" "$(diff "$tmp/on.out" "$tmp/off.out" | head -3)"
fi

# The kernel's view of the running process (not what leakaudit says of itself).
mkfifo "$tmp/fifo"
status_of() {
    { cat "$sample"; sleep 1.2; } >"$tmp/fifo" &
    "$LA" -r "$tmp/fifo" -q --no-geoip "${stay[@]}" "$@" >/dev/null 2>&1 &
    local p=$!
    sleep 0.6
    awk '/^NoNewPrivs:/ {n=$2} /^Seccomp:/ {s=$2} END {print n, s}' "/proc/$p/status" 2>/dev/null
    wait $p
}
got=$(status_of)
[ "$got" = "1 2" ] && ok "running: NoNewPrivs 1, Seccomp 2 in /proc/PID/status" || notok "running: no_new_privs and seccomp" "got '$got'"
got=$(status_of --no-sandbox)
if [ "$(id -u)" -eq 0 ]; then want="0 0"; else want=$(awk '/^NoNewPrivs:/ {n=$2} /^Seccomp:/ {s=$2} END {print n, s}' /proc/self/status); fi
[ "$got" = "$want" ] && ok "--no-sandbox: NoNewPrivs/Seccomp as inherited ($got)" || notok "--no-sandbox" "got '$got' want '$want'"
echo "1..$n"
[ $fails -eq 0 ]
