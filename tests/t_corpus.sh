#!/bin/sh
# Every capture of ../shared/corpus against tshark's counts (see corpus_check.py).
exec python3 "$(dirname "$0")/corpus_check.py" "${LEAKAUDIT:-./leakaudit}" "${LEAKAUDIT_CORPUS:-../shared/corpus}"
