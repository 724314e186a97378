#!/usr/bin/env bash
# Checks that every C file under src/ and tests/ is as clang-format writes
# it (.clang-format at the top): names the files that are not. Fix with
#   clang-format -i FILE...
# usage: format.sh SOURCE_DIR
set -u
cd "${1:?usage: format.sh SOURCE_DIR}" || exit 1
command -v clang-format >/dev/null || { echo "clang-format missing (scripts/setup.sh installs it)"; exit 1; }
bad=0
while IFS= read -r f; do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f"
        bad=$((bad + 1))
    fi
done < <(find src tests -name '*.[ch]' | sort)
[ "$bad" = 0 ] || { echo "$bad file(s) differ from clang-format"; exit 1; }
