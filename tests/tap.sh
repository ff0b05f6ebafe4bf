# tap.sh — TAP counters for the shell tests, sourced: ok NAME, notok NAME
# [DETAIL...] (each detail a "#   " line). The caller ends with its plan
# (echo "1..$n") and exits non-zero when fails > 0.
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "#   $l"; done; }
