#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each (make fuzz).
#
# Go 1.26's fuzz coordinator can end a duration-bounded run with a bare
# "context deadline exceeded" at the -fuzztime boundary, with no failing
# input (go.dev/issue/75804, fixed in Go 1.27). A real failure always writes
# its input to testdata/fuzz/<target>/. So a run that fails with that message
# and wrote no new input is run once more; any other failure, a new input,
# or the same failure twice fails.
set -euo pipefail
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-15s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# run_target PKG DIR TARGET: 0 passed, 1 failed, 2 the coordinator's deadline race.
run_target() {
  local pkg=$1 dir=$2 f=$3 before after rc=0
  before=$(ls "$dir/testdata/fuzz/$f" 2>/dev/null | sort || true)
  "$GO" test -run '^$' -fuzz "^$f\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 1s "$pkg" 2>&1 | tee "$out" || rc=$?
  [ "$rc" -eq 0 ] && return 0
  after=$(ls "$dir/testdata/fuzz/$f" 2>/dev/null | sort || true)
  if [ "$before" = "$after" ] && grep -q '^    context deadline exceeded$' "$out" &&
    [ "$(grep -c -- '--- FAIL' "$out")" -eq 1 ]; then
    return 2
  fi
  return 1
}

for pkg in $("$GO" list ./...); do
  dir=$("$GO" list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "fuzz $pkg $f"
    rc=0; run_target "$pkg" "$dir" "$f" || rc=$?
    if [ "$rc" -eq 2 ]; then
      echo "fuzz: $f ended with the coordinator's deadline race (go.dev/issue/75804) and no failing input; running it again"
      rc=0; run_target "$pkg" "$dir" "$f" || rc=$?
    fi
    if [ "$rc" -ne 0 ]; then
      echo "fuzz: $pkg $f FAILED" >&2
      exit 1
    fi
  done
done
