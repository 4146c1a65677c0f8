# bash completion for signetctl. The commands and each command's options come from signetctl's
# own --help, so that completion never lists what signetctl does not take.

_signetctl() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local words=() word
    for word in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
        [[ $word == --json ]] || words+=("$word")
    done
    local help
    if ((${#words[@]} == 0)); then
        # "  signetctl keys generate --purpose ..." -> keys; "  signetctl seal IN.pdf ..." -> seal
        help=$(signetctl --help 2>/dev/null | sed -n 's/^  signetctl \([a-z-]*\).*/\1/p' | sort -u)
        mapfile -t COMPREPLY < <(compgen -W "$help --json --help" -- "$cur")
        return
    fi
    if ((${#words[@]} == 1)); then
        # A group's subcommands, when the first word is a group.
        help=$(signetctl --help 2>/dev/null | sed -n "s/^  signetctl ${words[0]} \([a-z][a-z-]*\)\( .*\)\?$/\1/p")
        if [[ -n $help && $cur != -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "$help" -- "$cur")
            return
        fi
    fi
    if [[ $cur == -* ]]; then
        help=$(signetctl "${words[@]:0:2}" --help 2>/dev/null || signetctl "${words[0]}" --help 2>/dev/null)
        mapfile -t COMPREPLY < <(compgen -W "$(grep -o -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u) --help" -- "$cur")
        return
    fi
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -o filenames -F _signetctl signetctl
