#!/bin/sh
# Installs the Debian 12 packages leakaudit needs to build, run its demo and
# run its tests. Idempotent: installs only what is missing.
#   scripts/install-deps.sh            build + demo + tests
#   scripts/install-deps.sh --extra    also the fuzz/benchmark/e2e tools (make e2e: testbed daemons, Chromium)
set -eu
pkgs="build-essential pkg-config libpcap-dev libndpi-dev libndpi-bin libglib2.0-dev libmaxminddb-dev python3 iproute2 libjson-glib-dev groff-base valgrind rsyslog clang llvm libbpf-dev bpftool libcap2-bin"
if [ "${1:-}" = "--extra" ]; then
    pkgs="$pkgs libclang-rt-14-dev tshark hyperfine mmdb-bin libmaxmind-db-writer-perl wireguard-go wireguard-tools coturn dnsmasq-base nftables openssl bind9-dnsutils tcpdump chromium afl++ time"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "leakaudit: installing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
