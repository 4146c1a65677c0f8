#!/usr/bin/env bash
# cli/signetctl.bash against the signetctl it completes: commands, a group's subcommands and a
# command's options come from signetctl's own --help.
#   bash completion_test.sh SIGNETCTL COMPLETION_SCRIPT
set -euo pipefail
signetctl=$1
PATH="$(cd "$(dirname "$signetctl")" && pwd):$PATH"
# shellcheck source=/dev/null
source "$2"

failures=0
# completions "WORDS BEFORE" CURRENT: what completing CURRENT after the words offers, one a line.
completions() {
  local before
  read -r -a before <<<"$1"
  COMP_WORDS=(signetctl "${before[@]}" "$2")
  COMP_CWORD=$((${#before[@]} + 1))
  COMPREPLY=()
  _signetctl
  printf '%s\n' "${COMPREPLY[@]}"
}
# Captured first: grep -q stops reading at its match, and under pipefail the writer's SIGPIPE
# would fail the pipeline.
expect() {  # expect "WORDS BEFORE" CURRENT WANTED
  local offered
  offered=$(completions "$1" "$2")
  if ! grep -qx -- "$3" <<<"$offered"; then
    echo "FAILED: completing '$2' after 'signetctl $1' does not offer $3 (got: $(tr '\n' ' ' <<<"$offered"))"
    failures=$((failures + 1))
  fi
}
refuse() {  # refuse "WORDS BEFORE" CURRENT UNWANTED
  local offered
  offered=$(completions "$1" "$2")
  if grep -qx -- "$3" <<<"$offered"; then
    echo "FAILED: completing '$2' after 'signetctl $1' offers $3"
    failures=$((failures + 1))
  fi
}

expect "" ke keys
expect "" se seal
expect "" "" health
expect "" "" dev-init
refuse "" "" generate
expect "keys" ge generate
expect "keys" "" import-cert
expect "approvals" a approve
expect "seal" --te --tenant
expect "seal in.pdf out.pdf" --vi --visible
expect "--json keys generate" --pur --purpose
expect "keys generate" -- --url
refuse "keys list" -- --purpose
expect "audit verify" --tr --trust
expect "--json" he health

if [ "$failures" -ne 0 ]; then
  echo "$failures completion(s) wrong"
  exit 1
fi
echo "completion: every case as expected"
