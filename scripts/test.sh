#!/bin/sh
# The README's second command: installs what is missing, then builds and runs
# the whole test suite, also under AddressSanitizer + UndefinedBehaviorSanitizer.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -s check
