#!/usr/bin/env bash
# The cost of the key-usage log per seal: median of the in-process seal pipeline without and
# with its two audit entries, on a fresh dev-init installation. Run after a build:
#   bash tests/bench/audit_cost.sh [ROUNDS] [PAGES]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/bench/letter.sh
rounds=${1:-100}
pages=${2:-40}
build=${SIGNET_BUILD:-build}
work=$(mktemp -d /tmp/signet-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$build/daemon/signetctl" dev-init "$work/install" --port 1 >/dev/null
letter_ps "$pages" >"$work/doc.ps"
ps2pdf "$work/doc.ps" "$work/doc.pdf"
"$build/tests/bench/audit_cost" "$work/install/signetd.toml" "$work/doc.pdf" "$rounds"
