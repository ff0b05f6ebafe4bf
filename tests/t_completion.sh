#!/usr/bin/env bash
# Bash completion (completion/leakaudit.bash), driven as bash drives it:
# COMP_WORDS/COMP_CWORD set, the function called, COMPREPLY read. Options come
# from --help, interfaces from /sys/class/net, files for -r/-w. TAP output.
set -u
LA=${LEAKAUDIT:-./leakaudit}
root=${LEAKAUDIT_ROOT:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "#   $l"; done; }
# shellcheck source=/dev/null
source "$root/completion/leakaudit.bash"
complete_words() { COMP_WORDS=("$LA" "$@"); COMP_CWORD=$#; COMPREPLY=(); _leakaudit; printf '%s\n' "${COMPREPLY[@]}" | sort; }

if complete -p leakaudit | grep -q _leakaudit; then ok "registered for leakaudit"; else notok "registered for leakaudit"; fi

got=$(complete_words --re | tr '\n' ' ')
want=$("$LA" --help | grep -oE -- '--re[a-z0-9-]*' | sort -u | tr '\n' ' ')
if [ "$got" = "$want" ] && [[ $got == *"--read "* ]] && [[ $got == *"--report "* ]]; then ok "--re completes to the --re* options ($got)"; else notok "--re completes" "got: $got" "want: $want"; fi
want=$("$LA" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u | tr '\n' ' ')
got=$(complete_words -- | sort -u | tr '\n' ' ')
if [ "$got" = "$want" ] && [ "$(wc -w <<<"$got")" -ge 20 ]; then ok "-- offers every long option of --help ($(wc -w <<<"$got"))"; else notok "-- offers every long option" "got: $got" "want: $want"; fi

ifaces=$(ls /sys/class/net | sort | tr '\n' ' ')
got=$(complete_words -i "" | tr '\n' ' ')
want=$( (echo any; ls /sys/class/net) | sort | tr '\n' ' ')
if [ "$got" = "$want" ]; then ok "-i offers any + the host's interfaces ($ifaces)"; else notok "-i offers interfaces" "got: $got" "want: $want"; fi
got=$(complete_words --vpn-if=lo | tr '\n' ' ')
if [[ " $got " == *" lo "* ]] && [[ $got != *any* ]]; then ok "--vpn-if=lo completes the value after ="; else notok "--vpn-if=lo" "got: $got"; fi
first=$(ls /sys/class/net | head -1)
idx=$(cat "/sys/class/net/$first/ifindex")
got=$(complete_words --ifname "" | tr '\n' ' ')
if [[ " $got " == *" $idx=$first "* ]]; then ok "--ifname offers INDEX=NAME ($idx=$first)"; else notok "--ifname offers INDEX=NAME" "got: $got"; fi
got=$(complete_words --color "" | tr '\n' ' ')
if [ "$got" = "always auto never " ]; then ok "--color offers auto always never"; else notok "--color" "got: $got"; fi

mkdir "$tmp/caps"; : >"$tmp/caps/one.pcap"; : >"$tmp/caps/two.pcapng"; : >"$tmp/caps/note.txt"
got=$(complete_words -r "$tmp/caps/t" | tr '\n' ' ')
if [ "$got" = "$tmp/caps/two.pcapng " ]; then ok "-r completes file names"; else notok "-r completes file names" "got: $got"; fi
got=$(complete_words -w "$tmp/caps/o" | tr '\n' ' ')
if [ "$got" = "$tmp/caps/one.pcap " ]; then ok "-w completes file names"; else notok "-w completes file names" "got: $got"; fi
got=$(complete_words -Z roo | tr '\n' ' ')
if [ "$got" = "root " ]; then ok "-Z completes user names"; else notok "-Z completes user names" "got: $got"; fi
# An option added later (not named in the completion) whose metavariable is a
# file or directory completes file names, learnt from --help alone.
printf '#!/bin/sh\necho "  --geoip=DIR      GeoIP databases"\necho "  --later=N        a number"\n' >"$tmp/fake-leakaudit"
chmod +x "$tmp/fake-leakaudit"
COMP_WORDS=("$tmp/fake-leakaudit" --geoip "$tmp/caps/tw"); COMP_CWORD=2; COMPREPLY=(); _leakaudit
if [ "${COMPREPLY[*]}" = "$tmp/caps/two.pcapng" ]; then ok "new --geoip=DIR option completes paths, from --help"; else notok "new DIR option completes paths" "got: ${COMPREPLY[*]}"; fi
COMP_WORDS=("$tmp/fake-leakaudit" --later "$tmp/caps/tw"); COMP_CWORD=2; COMPREPLY=(); _leakaudit
if [ ${#COMPREPLY[@]} -eq 0 ]; then ok "new --later=N option: no file names offered"; else notok "new N option" "got: ${COMPREPLY[*]}"; fi
echo "1..$n"
[ $fails -eq 0 ]
