#!/usr/bin/env bash
# Configures and builds signet in ./build (warnings are errors).
#   bash .ci/build.sh [TARGET...] [-DNAME=VALUE...]
# Without a target, everything (the programs, the tests, the man pages); with targets, only
# those and what they need (the quick start: signetd signetctl signet-pdf-worker). Arguments
# starting with -D go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake_args=()
targets=()
for argument in "$@"; do
  case "$argument" in
    -D*) cmake_args+=("$argument") ;;
    *) targets+=(--target "$argument") ;;
  esac
done
# Ninja schedules every compilation of the tree on both cores at once, where Make waits for each
# library to be linked before it compiles what depends on it. A build folder made before keeps
# the generator it was made with (CMake refuses to change it).
generator=(-G Ninja)
[ -f build/CMakeCache.txt ] && generator=()
# Line tables only (-g1): a backtrace still names each frame's file and line, and Beast's
# templates compile a quarter faster than with full debug information (-g: 44 s against 35 s for
# server/http_session.cpp). A developer's own build folder keeps CMake's -g.
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
  "${cmake_args[@]}" >/dev/null
cmake --build build -j"$(nproc)" "${targets[@]}"
