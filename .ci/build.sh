#!/usr/bin/env bash
# Configures and builds signet in ./build (warnings are errors). Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
# Ninja schedules every compilation of the tree on both cores at once, where Make waits for each
# library to be linked before it compiles what depends on it. A build folder made before keeps
# the generator it was made with (CMake refuses to change it).
generator=(-G Ninja)
[ -f build/CMakeCache.txt ] && generator=()
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build -j"$(nproc)"
