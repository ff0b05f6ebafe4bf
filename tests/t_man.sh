#!/usr/bin/env bash
# The man page renders without a groff warning, documents every option the
# program has (long and short, read from --help, so options added later must
# be documented too), and `make install` puts binary, man page, unit,
# completion and sample config under DESTDIR/PREFIX. TAP output.
set -u
LA=${LEAKAUDIT:-./leakaudit}
root=${LEAKAUDIT_ROOT:-.}
man="$root/leakaudit.8"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "#   $l"; done; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; echo "# SKIP-NOTE $2"; }

if command -v groff >/dev/null; then
    groff -wall -man -Tutf8 "$man" >"$tmp/man.txt" 2>"$tmp/warn"
    if [ $? -eq 0 ] && [ ! -s "$tmp/warn" ] && [ "$(wc -l <"$tmp/man.txt")" -gt 100 ]; then
        ok "groff -wall -man -Tutf8 renders leakaudit.8 without warnings"
    else
        notok "groff -wall -man -Tutf8 renders leakaudit.8 without warnings" "$(head -5 "$tmp/warn")"
    fi
    # The rendered text, as a reader sees it (no overstrike).
    groff -man -Tutf8 -P-cbou "$man" 2>/dev/null >"$tmp/plain.txt"
    for section in SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" FILES ENVIRONMENT EXAMPLES "SEE ALSO"; do
        if grep -q "^$section" "$tmp/plain.txt"; then ok "section $section"; else notok "section $section"; fi
    done
else
    skip "groff renders leakaudit.8" "groff not installed (apt-get install groff-base)"
fi

# Every option of --help, long and short, appears in the man page source.
"$LA" --help >"$tmp/help"
missing=()
while read -r opt; do
    esc=${opt//-/\\-}
    grep -qF -- "$esc" "$man" || missing+=("$opt")
done < <(grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*' "$tmp/help" | sed 's/^[ ,]*//' | sort -u)
count=$(grep -oE -- '(^|[ ,])--[A-Za-z][A-Za-z0-9-]*' "$tmp/help" | sort -u | wc -l)
if [ ${#missing[@]} -eq 0 ] && [ "$count" -ge 20 ]; then
    ok "leakaudit.8 documents all $count long options of --help and their short forms"
else
    notok "leakaudit.8 documents every option of --help" "missing: ${missing[*]:-none} (of $count)"
fi
# Exit statuses match the ones the program states in --help.
if grep -q "exit 0 clean, 1 leak, 2 error" "$tmp/help" && grep -qE '^\.B 0$' "$man" && grep -qE '^\.B 1$' "$man" && grep -qE '^\.B 2$' "$man"; then
    ok "exit status 0/1/2 documented"
else
    notok "exit status 0/1/2 documented"
fi

# make install with PREFIX and DESTDIR.
if command -v make >/dev/null && [ -x "$root/leakaudit" ]; then
    if make -s -C "$root" install DESTDIR="$tmp/dest" PREFIX=/opt/la >"$tmp/install.log" 2>&1; then
        for f in bin/leakaudit share/man/man8/leakaudit.8 lib/systemd/system/leakaudit.service \
                 share/bash-completion/completions/leakaudit share/doc/leakaudit/leakaudit.conf; do
            if [ -s "$tmp/dest/opt/la/$f" ]; then ok "make install: $f"; else notok "make install: $f"; fi
        done
        if grep -q '^ExecStart=/opt/la/bin/leakaudit ' "$tmp/dest/opt/la/lib/systemd/system/leakaudit.service"; then
            ok "installed unit runs PREFIX/bin/leakaudit"
        else
            notok "installed unit runs PREFIX/bin/leakaudit" "$(grep ExecStart "$tmp/dest/opt/la/lib/systemd/system/leakaudit.service")"
        fi
        if [ -x "$tmp/dest/opt/la/bin/leakaudit" ] && "$tmp/dest/opt/la/bin/leakaudit" --version | grep -q '^leakaudit '; then
            ok "installed binary runs"
        else
            notok "installed binary runs"
        fi
    else
        notok "make install DESTDIR PREFIX" "$(tail -3 "$tmp/install.log")"
    fi
else
    skip "make install" "no make or no ./leakaudit in the tree"
fi

echo "1..$n"
[ $fails -eq 0 ]
