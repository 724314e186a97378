#!/usr/bin/env bash
# Configures and builds netrig into build/ (or $BUILD_DIR) with warnings as
# errors. Extra arguments go to cmake, for example -DNETRIG_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BUILD_DIR:-build}
cmake -S . -B "$dir" -DNETRIG_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
