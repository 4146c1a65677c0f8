#!/usr/bin/env bash
# The signetctl commands the guides show must exist and take the options they use.
#
#   SIGNETCTL=build/daemon/signetctl bash tests/docs/check_guide_commands.sh [DOCS_DIR]
#
# The guides are docs/*-guide.md and every document docs/README.md links to. In their ```sh
# blocks, each command line (a trailing `\` joins the next line to it) whose first word is
# signetctl (after `VAR=value` words and `sudo`) is read as
#
#   signetctl [GLOBAL OPTIONS] COMMAND [SUBCOMMAND] [ARGUMENTS AND OPTIONS]
#
# (keys, approvals and audit take a subcommand), and the test runs `$SIGNETCTL COMMAND
# [SUBCOMMAND] --help`. It fails, naming the guide and the line, when that exits non-zero (an
# unknown command, or one that does not answer --help), or when an option the line uses
# (`--name` or `--name=value`) is not in that help text; an option before COMMAND is looked for
# in `signetctl --help`. Short options (`-o`) are not checked. Lines of other programs are
# ignored, and so are `$VARIABLES`, whose options the test cannot see.
set -u

docs=${1:-$(cd "$(dirname "$0")/../../docs" && pwd)}
if [[ -z ${SIGNETCTL:-} || ! -x $SIGNETCTL ]]; then
    echo "check_guide_commands: set SIGNETCTL to the signetctl executable" >&2
    exit 2
fi

# The commands whose next word is a subcommand (DESIGN.md and the lead's CLI spec).
declare -A takes_subcommand=([keys]=1 [approvals]=1 [audit]=1)

# The guides: docs/*-guide.md, then the documents docs/README.md links to, each once.
guides=()
declare -A listed=()
add_guide() {
    local file=$1
    [[ -f $file && -z ${listed[$file]:-} ]] || return 0
    listed[$file]=1
    guides+=("$file")
}
for file in "$docs"/*-guide.md; do add_guide "$file"; done
if [[ -f $docs/README.md ]]; then
    add_guide "$docs/README.md"
    while read -r link; do
        add_guide "$docs/$link"
    done < <(grep -oE '\]\([A-Za-z0-9._/-]+\.md(#[^)]*)?\)' "$docs/README.md" | sed -E 's/^\]\(//; s/(#[^)]*)?\)$//')
fi
if ((${#guides[@]} == 0)); then
    echo "check_guide_commands: no guide found in $docs" >&2
    exit 1
fi

# Prints FILE<TAB>LINE<TAB>COMMAND for every command line of a ```sh block, continuations joined.
command_lines() {
    awk '
        function emit() { if (pending != "") print file "\t" start "\t" pending; pending = "" }
        FNR == 1 { emit(); state = 0; file = FILENAME }
        /^[ \t]*```/ {
            if (state == 0) state = ($0 ~ /^[ \t]*```sh[ \t]*$/) ? 1 : 2
            else { emit(); state = 0 }
            next
        }
        state != 1 { next }
        {
            line = $0
            if (pending == "") start = FNR
            if (line ~ /\\[ \t]*$/) { sub(/\\[ \t]*$/, " ", line); pending = pending line; next }
            pending = pending line
            emit()
        }
        END { emit() }
    ' "$@"
}

# Splits one command line into WORDS as the shell would, without expanding anything: quotes
# are removed, a backslash escapes the next character, and the command ends at an unquoted
# | ; & < > or at a # that starts a word (a comment).
split_words() {
    local line=$1 word="" in_word=0 quote="" c i
    WORDS=()
    for ((i = 0; i < ${#line}; i++)); do
        c=${line:i:1}
        if [[ -n $quote ]]; then
            if [[ $c == "$quote" ]]; then quote=""; else word+=$c; fi
            continue
        fi
        case $c in
            \' | \") quote=$c; in_word=1 ;;
            \\) i=$((i + 1)); word+=${line:i:1}; in_word=1 ;;
            ' ' | $'\t') if ((in_word)); then WORDS+=("$word"); word=""; in_word=0; fi ;;
            '|' | ';' | '&' | '<' | '>') break ;;
            '#') if ((in_word)); then word+=$c; else break; fi ;;
            *) word+=$c; in_word=1 ;;
        esac
    done
    if ((in_word)); then WORDS+=("$word"); fi
}

# The help text of `signetctl ARGS... --help`, cached; HELP_EXIT is its exit status.
declare -A help_text=() help_exit=()
help_of() {
    local key="signetctl $*"
    if [[ -z ${help_exit[$key]+set} ]]; then
        help_text[$key]=$(timeout 20 "$SIGNETCTL" "$@" --help 2>&1 </dev/null)
        help_exit[$key]=$?
    fi
    HELP=${help_text[$key]}
    HELP_EXIT=${help_exit[$key]}
}

# Whether the help text HELP names the option $1 as a whole word.
names_option() {
    grep -qE -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|\$)" <<<"$HELP"
}

failures=0
checked=0
fail() {
    echo "FAIL $1"
    failures=$((failures + 1))
}

while IFS=$'\t' read -r file line text; do
    split_words "$text"
    i=0
    while ((i < ${#WORDS[@]})) && [[ ${WORDS[i]} =~ ^[A-Za-z_][A-Za-z0-9_]*= || ${WORDS[i]} == sudo ]]; do
        i=$((i + 1))
    done
    ((i < ${#WORDS[@]})) || continue
    [[ ${WORDS[i]} == signetctl || ${WORDS[i]} == */signetctl ]] || continue
    where="${file#"$docs"/}:$line"
    checked=$((checked + 1))
    i=$((i + 1))

    # Global options, before the command.
    globals=()
    while ((i < ${#WORDS[@]})) && [[ ${WORDS[i]} == -* ]]; do
        globals+=("${WORDS[i]}")
        i=$((i + 1))
    done
    help_of
    for option in "${globals[@]}"; do
        name=${option%%=*}
        [[ $name == --?* ]] || continue
        if ! names_option "$name"; then
            fail "$where: option $name before the command is not in \`signetctl --help\`"
        fi
    done
    if ((i >= ${#WORDS[@]})); then
        continue  # `signetctl` or `signetctl --help` alone
    fi

    command=("${WORDS[i]}")
    i=$((i + 1))
    if [[ -n ${takes_subcommand[${command[0]}]:-} ]] && ((i < ${#WORDS[@]})) && [[ ${WORDS[i]} != -* ]]; then
        command+=("${WORDS[i]}")
        i=$((i + 1))
    fi
    help_of "${command[@]}"
    if ((HELP_EXIT != 0)); then
        fail "$where: \`signetctl ${command[*]} --help\` exits $HELP_EXIT (unknown command, or no --help): ${HELP%%$'\n'*}"
        continue
    fi
    for ((; i < ${#WORDS[@]}; i++)); do
        option=${WORDS[i]}
        [[ $option == --?* ]] || continue
        name=${option%%=*}
        if [[ ! $name =~ ^--[A-Za-z0-9][A-Za-z0-9-]*$ ]]; then
            fail "$where: malformed option $name"
        elif ! names_option "$name"; then
            fail "$where: option $name is not in \`signetctl ${command[*]} --help\`"
        fi
    done
done < <(command_lines "${guides[@]}")

echo "check_guide_commands: $checked signetctl command lines in ${#guides[@]} documents, $failures failures"
if ((checked == 0)); then
    echo "check_guide_commands: no signetctl command found; the extraction is broken" >&2
    exit 1
fi
((failures == 0))
