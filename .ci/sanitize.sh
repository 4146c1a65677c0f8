#!/usr/bin/env bash
# Issue 20: the unit and integration suites again under AddressSanitizer and
# UndefinedBehaviorSanitizer, then every libFuzzer target briefly, from one second build folder
# (./build-sanitize). clang 16 builds it: libFuzzer needs clang, and one build serving both is
# what keeps CI within its time. .ci/test.sh runs it after the suites of ./build. The tests
# left out run in ./build: the TLS scan and slow clients (timing, no sanitizer finding), the
# chaos runs, the benchmarks, the integration suites' second runs on PostgreSQL and the cluster
# run (the same code above store/; the PostgreSQL backend itself runs here in unit_store) are
# not even built here (tests/CMakeLists.txt, under SIGNET_FUZZ), and the checks of the
# build's own files (architecture_*, systemd_*) are not run again.
#
# -O0: compiling Beast's templates with ASan at -O1 costs three times as long (80 s against
# 29 s for server/http_session.cpp), and the suites find the same errors; -g1 keeps the file
# and line of each frame in a report. The long fuzz runs use their own optimised build
# (tests/fuzz/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
generator=(-G Ninja)
[ -f build-sanitize/CMakeCache.txt ] && generator=()
CC=clang-16 CXX=clang++-16 cmake -S . -B build-sanitize "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1" "-DCMAKE_C_FLAGS_DEBUG=-O0 -g1" -DSIGNET_FUZZ=ON >/dev/null
cmake --build build-sanitize -j"$(nproc)"
# Leak checking waits until the leaks of the libraries signet does not own (PoDoFo's on a
# refused encrypted document, tests/fuzz/lsan_podofo.supp) are named for the suites too.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build-sanitize --output-on-failure --timeout 900 -j"$(nproc)" -E '^(architecture_.*|systemd_.*)$'
bash tests/fuzz/run.sh --build build-sanitize --seconds "${SIGNET_FUZZ_SECONDS:-10}"
