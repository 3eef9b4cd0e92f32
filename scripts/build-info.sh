#!/usr/bin/env bash
# Writes Sources/CBuildInfo/generated_commit.h: the git commit this checkout is at ("-dirty" when tracked
# files have uncommitted changes), which summary.json records as provenance.git_commit. Run by `make build`
# and `make test`; the file changes only when the commit does, so only then is the C file rebuilt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/Sources/CBuildInfo/generated_commit.h"
commit=$(git -C "$root" describe --always --dirty --abbrev=40 --match 'NONE' 2>/dev/null || echo unknown)
line="#define NC_GIT_COMMIT \"$commit\""
if [ ! -f "$out" ] || [ "$(cat "$out")" != "$line" ]; then
    printf '%s\n' "$line" > "$out"
fi
