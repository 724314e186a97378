#!/usr/bin/env bash
# The whole test suite: set-up, the normal build with every test, then an
# ASan+UBSan build running the unit, fuzz-replay and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j2
BUILD_DIR=build-asan bash scripts/build.sh -DNETRIG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
NETRIG_SANITIZED=1 NETRIG_TEST_SLACK=3 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j2 -L 'unit|fuzz|integration'
