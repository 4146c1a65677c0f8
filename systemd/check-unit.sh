#!/usr/bin/env bash
# Checks a signetd unit file offline, as CI does (CTest: systemd_unit_security):
#   1. `systemd-analyze verify` finds no problem (unknown keys, unparsable values, missing binaries);
#   2. `systemd-analyze security --offline=true` scores its overall exposure at most 2.0.
#
# usage: check-unit.sh UNIT              check UNIT; prints the score
#        check-unit.sh --self-test UNIT  strip the hardening lines from a copy of UNIT and make
#                                        sure the check refuses that copy for its exposure
# exit:  0 the unit passes, 1 its exposure is above 2.0, 2 anything else (usage, a tool missing,
#        verify's complaints, an analysis that did not run)
set -uo pipefail

# The ceiling. systemd-analyze scores 0.0 (best) to 10.0 and its --threshold counts in tenths
# of that scale (checked on systemd 252: a unit scored 9.2 passes --threshold=92 and fails
# --threshold=91): --threshold=20 fails above 2.0.
readonly max_exposure=2.0
readonly threshold_tenths=20

usage() {
    echo "usage: check-unit.sh [--self-test] UNIT" >&2
    exit 2
}

self_test=false
if [ "${1:-}" = "--self-test" ]; then
    self_test=true
    shift
fi
[ $# -eq 1 ] || usage
unit=$1
[ -f "$unit" ] || { echo "check-unit.sh: $unit: no such file" >&2; exit 2; }
command -v systemd-analyze >/dev/null || {
    echo "check-unit.sh: systemd-analyze is missing (package systemd, see .ci/install-deps.sh)" >&2
    exit 2
}
export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name=$(basename "$unit")

if $self_test; then
    # A copy without any hardening directive: the check must refuse it for its exposure (exit 1).
    mkdir "$work/weak"
    grep -Ev '^(CapabilityBoundingSet|AmbientCapabilities|NoNewPrivileges|Protect[A-Za-z]*|Private[A-Za-z]*|DevicePolicy|Restrict[A-Za-z]*|LockPersonality|MemoryDenyWriteExecute|KeyringMode|RemoveIPC|SystemCall[A-Za-z]*|ProcSubset|UMask)=' \
        "$unit" >"$work/weak/$name"
    bash "$0" "$work/weak/$name"
    status=$?
    if [ "$status" -eq 1 ]; then
        echo "check-unit.sh: self-test passed: the unit without its hardening is refused"
        exit 0
    fi
    echo "check-unit.sh: self-test FAILED: the unit without its hardening gave exit $status, not 1" >&2
    exit 2
fi

# 1. verify. It insists that ExecStart's binary exists where the unit says (/usr/bin/signetd),
# which it does not on a build or CI machine where signet is not installed; so it verifies a copy
# whose ExecStart runs /bin/true instead, everything else unchanged. verify exits 0 even when it
# ignores an unknown key or a value it cannot parse (then the setting is silently not applied),
# so any message it prints is a failure.
mkdir "$work/verify"
sed -e 's#^\(ExecStart=\)/usr/bin/signetd\b#\1/bin/true#' "$unit" >"$work/verify/$name"
verify_output=$(cd "$work/verify" && systemd-analyze verify "$work/verify/$name" 2>&1)
verify_status=$?
# The copy's path appears in verify's messages; name the real file instead.
verify_output=${verify_output//"$work/verify/$name"/$unit}
if [ "$verify_status" -ne 0 ] || [ -n "$verify_output" ]; then
    echo "check-unit.sh: systemd-analyze verify complains about $unit:" >&2
    echo "$verify_output" >&2
    exit 2
fi

# 2. the exposure score.
report=$(systemd-analyze security --offline=true --threshold="$threshold_tenths" --no-pager "$unit" 2>&1)
security_status=$?
score=$(printf '%s\n' "$report" | awk '/Overall exposure level for/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+$/) { print $i; exit } }')
if [ -z "$score" ]; then
    echo "check-unit.sh: systemd-analyze security did not score $unit (exit $security_status):" >&2
    printf '%s\n' "$report" >&2
    exit 2
fi
# What still costs exposure, so that a failing run says where to look.
printf '%s\n' "$report" | grep -E '^(✗|→)' || true
if awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s > m) }'; then
    echo "check-unit.sh: FAIL: $unit has an overall exposure of $score, above the ceiling $max_exposure" >&2
    echo "check-unit.sh: restore the hardening directives marked ✗ above (docs/systemd.md explains each)" >&2
    exit 1
fi
if [ "$security_status" -ne 0 ]; then
    # The score is within the ceiling but systemd-analyze failed anyway: show why.
    echo "check-unit.sh: systemd-analyze security failed (exit $security_status) although it scored $score:" >&2
    printf '%s\n' "$report" >&2
    exit 2
fi
echo "check-unit.sh: $unit: overall exposure $score (ceiling $max_exposure): OK"
