#!/usr/bin/env bash
# The README's second command: install what is missing, build, run the whole test suite, then
# the unit and integration suites again under AddressSanitizer and UndefinedBehaviorSanitizer
# and every fuzz target briefly (.ci/sanitize.sh, a second build folder).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
bash .ci/build.sh
(cd build && ctest --output-on-failure --timeout 900 -j "$(nproc)")
# The Debian package installed, used, removed and purged on this machine, then the machine as
# it was. It skips (77) when not root or when signet or its folders are already there.
bash tests/package/install_test.sh build || [ $? -eq 77 ]
bash .ci/sanitize.sh
