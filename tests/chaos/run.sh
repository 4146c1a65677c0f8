#!/bin/bash
# The long chaos run (issue 20; docs/reliability.md): 1000 jobs, 20 kills with SIGKILL (one during
# a seal key rotation, one during a personal signature per round), then the figures.
#   SIGNET_BUILD=build bash tests/chaos/run.sh      # about 3 minutes on 2 cores
# SIGNET_CHAOS_JOBS, SIGNET_CHAOS_KILLS and SIGNET_CHAOS_SEED change the run. CTest's
# chaos_short is the same with 100 jobs and 5 kills.
set -euo pipefail
build=${SIGNET_BUILD:-build}
export SIGNET_CHAOS_JOBS=${SIGNET_CHAOS_JOBS:-1000}
export SIGNET_CHAOS_KILLS=${SIGNET_CHAOS_KILLS:-20}
"$build/tests/chaos/chaos_run" --log_level=message
