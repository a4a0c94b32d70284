#!/usr/bin/env bash
# hack/fuzz.sh PKG TARGET FUZZTIME: run one fuzz target for FUZZTIME.
#
# Go 1.26's fuzzing coordinator can fail a target with "context deadline
# exceeded" at the -fuzztime boundary when a worker is still running an
# input as the deadline passes (golang/go#75804, fixed in Go 1.27): no
# input failed and none is written. A run that fails that way is run once
# more; a run that writes a failing input under testdata/fuzz fails at
# once, as does any other failure.
set -uo pipefail
pkg=$1 target=$2 fuzztime=$3
dir="$pkg/testdata/fuzz/$target"
count() { find "$dir" -type f 2>/dev/null | wc -l; }
for attempt in 1 2; do
  before=$(count)
  out=$(${GO:-go} test "./$pkg" -run '^$' -fuzz "^$target\$" -fuzztime "$fuzztime" 2>&1)
  rc=$?
  echo "$out"
  [ $rc -eq 0 ] && exit 0
  if [ "$(count)" -ne "$before" ] || ! grep -q '^    context deadline exceeded$' <<<"$out"; then
    exit $rc
  fi
  echo "fuzz: $target stopped on Go's fuzztime deadline race (golang/go#75804) with no failing input; attempt $attempt" >&2
done
exit 1
