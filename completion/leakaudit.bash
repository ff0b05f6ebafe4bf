# bash completion for leakaudit(8). Installed as
# share/bash-completion/completions/leakaudit; or: source completion/leakaudit.bash
#
# Option names come from the program's own --help, so every option is known
# without a list here; interface names come from /sys/class/net.

_leakaudit_ifaces()
{
    local d
    for d in /sys/class/net/*; do
        [ -e "$d" ] && printf '%s\n' "${d##*/}"
    done
}

# "N=NAME" for --ifname, from the host's interface indexes.
_leakaudit_ifindexes()
{
    local d
    for d in /sys/class/net/*; do
        [ -r "$d/ifindex" ] && printf '%s=%s\n' "$(cat "$d/ifindex")" "${d##*/}"
    done
}

_leakaudit_options()
{
    "$1" --help 2>/dev/null | grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[ ,]*//' | sort -u
}

_leakaudit()
{
    local cur prev opt value
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=""
    [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}
    COMPREPLY=()

    # --opt=value in one word (bash may split at '=' depending on COMP_WORDBREAKS).
    if [[ $cur == --*=* ]]; then
        opt=${cur%%=*}
        value=${cur#*=}
    elif [[ $cur == = && $prev == --* ]]; then
        opt=$prev
        value=""
    elif [[ $prev == = && $COMP_CWORD -ge 2 && ${COMP_WORDS[COMP_CWORD-2]} == --* ]]; then
        opt=${COMP_WORDS[COMP_CWORD-2]}
        value=$cur
    else
        opt=$prev
        value=$cur
    fi

    local words=""
    case $opt in
        -i|--capture)
            words="any $(_leakaudit_ifaces)" ;;
        --vpn-if|--interface)
            words=$(_leakaudit_ifaces) ;;
        --ifname)
            words=$(_leakaudit_ifindexes) ;;
        --color)
            words="auto always never" ;;
        --syslog-facility)
            words="daemon user auth authpriv local0 local1 local2 local3 local4 local5 local6 local7" ;;
        --syslog-remote)
            words="udp:// tcp:// unix:"
            compopt -o nospace 2>/dev/null ;;
        -Z|--relinquish-privileges)
            mapfile -t COMPREPLY < <(compgen -u -- "$value")
            return 0 ;;
        -r|--read|-w|--write|--json|--report|--config)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$value")
            return 0 ;;
        -B|--buffer-size|-c|--count|--stats|--max-flows|--max-memory|--dedup-window|--syslog-rate|--syslog-queue|-f|--filter)
            return 0 ;;  # a number or an expression: nothing to offer
    esac
    # Any other option whose --help metavariable names a file or directory
    # (options added later need no edit here).
    if [ -z "$words" ] && [[ $opt == --* ]] &&
       "${COMP_WORDS[0]}" --help 2>/dev/null | grep -qE -- "$opt=(FILE|PATH|DIR|DB|MMDB)"; then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$value")
        return 0
    fi
    if [ -n "$words" ]; then
        mapfile -t COMPREPLY < <(compgen -W "$words" -- "$value")
        return 0
    fi
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_leakaudit_options "${COMP_WORDS[0]}")" -- "$cur")
    fi
    return 0
}
complete -F _leakaudit leakaudit
