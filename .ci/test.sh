#!/usr/bin/env bash
# The README's second command: install what is missing, build, run the whole test suite, then
# the unit and integration suites again under AddressSanitizer and UndefinedBehaviorSanitizer
# and every fuzz target briefly (.ci/sanitize.sh, a second build folder).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
bash .ci/build.sh
(cd build && ctest --output-on-failure --timeout 900 -j "$(nproc)")
bash .ci/sanitize.sh
