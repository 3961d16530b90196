#!/usr/bin/env bash
# timed.sh TIMES "MAKE" TARGET...: run each make target in turn; append "target seconds" to TIMES.
set -euo pipefail
times=$1 make=$2
shift 2
for target in "$@"; do
  start=$(date +%s%N)
  $make "$target"
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  printf '%-22s %4d.%d s\n' "$target" $((ms / 1000)) $(((ms % 1000) / 100)) >> "$times"
done
echo "== time per check"
cat "$times"
