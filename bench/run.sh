#!/usr/bin/env bash
# bench/run.sh — `make bench`: leakaudit against the practical limit (a bare
# libpcap loop) and its peers (tshark, ndpiReader) on the same synthetic
# captures, several runs each, medians. Targets from issue 10 beside the results.
#
# Owns: building bench/out/{gen,bareloop,ndpiloop}, generating the captures once
# (again only when bench/gen.c or the packet count changes), timing, the table.
#
# Environment:
#   BENCH_PACKETS=2500000   packets per capture
#   BENCH_RUNS=5            runs per row (median); BENCH_PEER_RUNS=3 for
#                           ndpiReader, BENCH_TSHARK_RUNS=1 for tshark
#   BENCH_FILES="eth sll2 multi"   which variants
#   BENCH_TSHARK=1 BENCH_NDPI=1 BENCH_CALLGRIND=1   0 skips that part
#   BENCH_GEOIP=PATH        .mmdb for the GeoIP row (default: the MaxMind
#                           City test DB in $LEAKAUDIT_CORPUS or ../shared/corpus)
#   LEAKAUDIT=PATH          binary to time (default: ./leakaudit, built here)
#
# Times: wall and CPU (user+sys) from /usr/bin/time, peak RSS from its %M.
# Rates and ratios use CPU time: on a shared machine wall time measures the
# neighbours (notes: ndpi-and-performance.md), CPU time the program.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
out=bench/out
mkdir -p "$out"

packets=${BENCH_PACKETS:-2500000}
runs=${BENCH_RUNS:-5}
peer_runs=${BENCH_PEER_RUNS:-3}
tshark_runs=${BENCH_TSHARK_RUNS:-1}
files=${BENCH_FILES:-"eth sll2 multi"}
corpus=${LEAKAUDIT_CORPUS:-$top/../shared/corpus}
geoip=${BENCH_GEOIP:-$corpus/MaxMind-DB/test-data/GeoIP2-City-Test.mmdb}
cc=${CC:-cc}
cflags="-O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wmissing-prototypes"

die() { echo "bench: $*" >&2; exit 2; }
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }
holds() { awk "BEGIN { exit !($*) }"; }
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package 'time'; scripts/install-deps.sh --extra)"

# ---- build ----
if [ -z "${LEAKAUDIT:-}" ]; then
    make -s -j2 leakaudit
    LEAKAUDIT=$top/leakaudit
fi
[ -x "$LEAKAUDIT" ] || die "no leakaudit binary at $LEAKAUDIT"
build_tool() { # name, extra flags
    if [ ! -x "$out/$1" ] || [ "bench/$1.c" -nt "$out/$1" ]; then
        # shellcheck disable=SC2086
        $cc $cflags -o "$out/$1" "bench/$1.c" $2
    fi
}
build_tool gen ""
build_tool bareloop "$(pkg-config --cflags --libs libpcap)"
build_tool ndpiloop "$(pkg-config --cflags --libs libndpi libpcap glib-2.0)"

# ---- captures: built once, again when the generator or the size changes ----
stamp="$(sha256sum bench/gen.c | cut -c1-16) $packets"
if [ "$(cat "$out/captures.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "bench: generating $packets-packet captures in $out/ (once)"
    rm -f "$out/captures.stamp"
    "$out/gen" "$packets" "$out/eth.pcap" "$out/sll2.pcap" "$out/multi.pcapng" | tee "$out/mix.txt"
    "$out/gen" 200000 "$out/small-eth.pcap" - - >/dev/null
    "$out/gen" 100 "$out/tiny-eth.pcap" - - >/dev/null
    echo "$stamp" >"$out/captures.stamp"
fi

# ---- timing ----
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# time_runs N CMD...: runs CMD N times (output discarded), sets med_wall,
# med_cpu, max_rss_kb and last_rc.
time_runs() {
    local n=$1; shift
    local walls="" cpus="" rss=0 i t
    for ((i = 0; i < n; i++)); do
        set +e
        /usr/bin/time -f "%e %U %S %M %x" -o "$out/time.txt" "$@" >"${stdout_to:-/dev/null}" 2>"$out/stderr.txt"
        set -e
        t=$(tail -n 1 "$out/time.txt")
        read -r w u s m rc <<<"$t"
        walls+="$w"$'\n'
        cpus+="$(calc "$u + $s")"$'\n'
        [ "$m" -gt "$rss" ] && rss=$m
        last_rc=$rc
    done
    med_wall=$(printf '%s' "$walls" | median)
    med_cpu=$(printf '%s' "$cpus" | median)
    max_rss_kb=$rss
}

# grep reads all of the help (no -q): an early exit would SIGPIPE leakaudit,
# and pipefail would then report the option missing.
accepts() { "$LEAKAUDIT" --help-all 2>&1 | grep -- "$1" >/dev/null; }

declare -A pps rss
row() { # key label runs note
    local key=$1 label=$2 n=$3 note=${4:-}
    local cpu=$med_cpu
    holds "$cpu < 0.001" && cpu=0.001
    local rate mbs
    rate=$(calc "$file_packets / $cpu")
    mbs=$(calc "$file_bytes / $cpu / 1000000")
    pps[$key]=$rate
    rss[$key]=$(printf '%.1f' "$(calc "$max_rss_kb / 1024")")
    printf '| %-34s | %4s | %8.2f | %8.2f | %8.3f | %7.0f | %7.1f | %s\n' "$label" "$n" "$med_wall" "$cpu" \
        "$(calc "$rate / 1000000")" "$mbs" "$(calc "$max_rss_kb / 1024")" "$note"
}
na_row() { printf '| %-34s | %4s | %8s | %8s | %8s | %7s | %7s | %s\n' "$1" - - - - - - "$2"; }
ratio() { # a b → a/b, or n/a
    if [ -n "${pps[$1]:-}" ] && [ -n "${pps[$2]:-}" ]; then printf '%.2f' "$(calc "${pps[$1]} / ${pps[$2]}")"; else printf 'n/a'; fi
}

echo
echo "leakaudit benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$LEAKAUDIT" --version | head -n 1
[ -f "$out/mix.txt" ] && sed 's/^/  /' "$out/mix.txt"

for v in $files; do
    case $v in
        eth) file=$out/eth.pcap; la_args=() ;;
        sll2) file=$out/sll2.pcap; la_args=(--ifname 1=lo --ifname 2=eth0 --ifname 3=wg0) ;;
        multi) file=$out/multi.pcapng; la_args=() ;;
        *) die "unknown variant '$v' (eth, sll2, multi)" ;;
    esac
    pps=() rss=()
    read -r file_packets _ < <("$out/bareloop" "$file" 2>/dev/null)
    file_bytes=$(stat -L -c %s "$file")
    echo
    echo "== $file: $file_packets packets, $((file_bytes / 1000000)) MB"
    printf '| %-34s | %4s | %8s | %8s | %8s | %7s | %7s | %s\n' run runs "wall s" "cpu s" "Mpps" "MB/s" "RSS MiB" note
    printf '|%s|\n' "------------------------------------|------|----------|----------|----------|---------|---------|------"

    time_runs "$runs" "$out/bareloop" "$file"
    how=libpcap; grep -q "block loop" "$out/stderr.txt" && how="own pcapng block loop (libpcap refuses mixed link types)"
    row bare "bare loop (the limit)" "$runs" "$how"

    time_runs "$runs" "$LEAKAUDIT" -r "$file" "${la_args[@]}"
    alerts_line=$(grep -E '^leakaudit: (LEAK|CLEAN|NO VPN)' "$out/stderr.txt" | cut -d';' -f1 || true)
    dpi_note=""
    accepts --no-dpi || dpi_note=" (this build has no nDPI stage)"
    row default "leakaudit -r (default)" "$runs" "exit $last_rc; ${alerts_line#leakaudit: }$dpi_note"

    if accepts --no-dpi; then
        time_runs "$runs" "$LEAKAUDIT" -r "$file" --no-dpi "${la_args[@]}"
        row nodpi "leakaudit -r --no-dpi" "$runs" "exit $last_rc"
    else
        na_row "leakaudit -r --no-dpi" "n/a (option not in this build)"
    fi

    if ! accepts --geoip; then
        na_row "leakaudit -r --geoip" "n/a (option not in this build)"
    elif [ ! -f "$geoip" ]; then
        na_row "leakaudit -r --geoip" "n/a (no database at $geoip; set BENCH_GEOIP)"
    else
        time_runs "$runs" "$LEAKAUDIT" -r "$file" --geoip "$geoip" "${la_args[@]}"
        row geoip "leakaudit -r --geoip $(basename "$geoip" .mmdb)" "$runs" "exit $last_rc"
    fi

    if [ "${BENCH_NDPI:-1}" = 1 ] && command -v ndpiReader >/dev/null; then
        stdout_to=$out/stdout.txt time_runs "$peer_runs" ndpiReader -i "$file"
        read_ok=$(sed -n 's/.*IP packets: *[0-9]* *of \([0-9]*\) packets total.*/\1/p' "$out/stdout.txt")
        if [ "$last_rc" = 0 ] && [ "${read_ok:-0}" = "$file_packets" ]; then
            row ndpi "ndpiReader -i FILE" "$peer_runs" "nDPI $(dpkg-query -W -f='${Version}' libndpi-bin 2>/dev/null)"
        else
            na_row "ndpiReader -i FILE" "n/a: $(grep -hE 'Unsupported|Error' "$out/stdout.txt" "$out/stderr.txt" | head -n 1 | cut -c1-80)"
        fi
    else
        na_row "ndpiReader -i FILE" "skipped (BENCH_NDPI=0 or not installed)"
    fi

    # nDPI alone: the floor for any tool that gives every flow nDPI's label.
    time_runs "$runs" "$out/ndpiloop" "$file"
    if [ "$last_rc" = 0 ]; then
        row ndpiloop "nDPI alone (bench/ndpiloop.c)" "$runs" "flow hash + nDPI until classified, nothing else"
    else
        na_row "nDPI alone (bench/ndpiloop.c)" "n/a: $(head -n 1 "$out/stderr.txt" | cut -c1-80)"
    fi

    if [ "${BENCH_TSHARK:-1}" = 1 ] && command -v tshark >/dev/null; then
        time_runs "$tshark_runs" tshark -n -r "$file" -Y "stun || dtls || dns" -T fields -e frame.number
        row tshark "tshark -Y \"stun || dtls || dns\"" "$tshark_runs" "exit $last_rc"
    else
        na_row "tshark -Y \"stun || dtls || dns\"" "skipped (BENCH_TSHARK=0 or not installed)"
    fi

    echo
    echo "ratios (packets/s on CPU time)            measured   target (issue 10)"
    printf '  --no-dpi / bare loop                    %6s     >= 0.60\n' "$(ratio nodpi bare)"
    printf '  default  / bare loop                    %6s     >= 0.25\n' "$(ratio default bare)"
    printf '  geoip    / bare loop                    %6s\n' "$(ratio geoip bare)"
    printf '  default  / tshark                       %6s     >= 50\n' "$(ratio default tshark)"
    printf '  default  / ndpiReader                   %6s     >= 3\n' "$(ratio default ndpi)"
    printf '  --no-dpi / tshark, / ndpiReader         %6s, %s\n' "$(ratio nodpi tshark)" "$(ratio nodpi ndpi)"
    printf '  nDPI alone / bare loop                  %6s     (what nDPI itself leaves of the limit)\n' "$(ratio ndpiloop bare)"
    printf '  default  / nDPI alone                   %6s\n' "$(ratio default ndpiloop)"
    printf '  peak RSS, default                       %6s MiB  <= 64 MiB\n' "${rss[default]:-n/a}"
done

# ---- instructions per packet (repeatable where wall time is not) ----
if [ "${BENCH_CALLGRIND:-1}" = 1 ] && command -v valgrind >/dev/null; then
    small=$out/small-eth.pcap tiny=$out/tiny-eth.pcap
    n_small=$("$out/bareloop" "$small" | cut -d' ' -f1)
    n_tiny=$("$out/bareloop" "$tiny" | cut -d' ' -f1)
    ir() { { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true; } | sed -n "s/.*Collected : *//p" | tail -n 1; }
    per_packet() { # label cmd-with-FILE...: (Ir(small) - Ir(tiny)) / (packets difference): start-up cancels out
        local label=$1; shift
        local a b
        a=$(ir "${@/FILE/$small}")
        b=$(ir "${@/FILE/$tiny}")
        printf '  %-28s %7.0f instructions/packet\n' "$label" "$(calc "($a - $b) / ($n_small - $n_tiny)")"
    }
    echo
    echo "callgrind on $small ($n_small packets; minus a $n_tiny-packet run, so start-up cancels out)"
    per_packet "bare loop" "$out/bareloop" FILE
    per_packet "nDPI alone (ndpiloop)" "$out/ndpiloop" FILE
    per_packet "leakaudit -r (default)" "$LEAKAUDIT" -q -r FILE
    if accepts --no-dpi; then
        per_packet "leakaudit -r --no-dpi" "$LEAKAUDIT" -q -r FILE --no-dpi
        echo "  target: --no-dpi at most about 800 instructions/packet (bare loop about 480)"
    else
        echo "  leakaudit -r --no-dpi        n/a (option not in this build)"
    fi
fi
