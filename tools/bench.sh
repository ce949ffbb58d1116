#!/usr/bin/env bash
# make bench: synthesis as processes (the app against a one-resource floor app: wall time and peak
# memory, Node start-up included), then the in-process Go benchmarks (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "make bench measures peak memory with GNU time: apt-get install time" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/app" ./app
go build -o "$out/floor" ./tools/floorapp
measure() { # name binary
  local dir="$out/$1.out"
  mkdir -p "$dir"
  for run in 1 2 3; do
    CDK_OUTDIR="$dir" /usr/bin/time -f "%e %M" -o "$out/$1.$run" "$2" >/dev/null 2>&1
  done
  sort -n "$out/$1".[123] | sed -n 2p # the median run: seconds and peak KiB
}
read -r app_s app_kib < <(measure app "$out/app")
read -r floor_s floor_kib < <(measure floor "$out/floor")
printf 'process        wall s  peak MiB\n'
printf 'app (default)  %6.2f  %8.0f\n' "$app_s" "$((app_kib / 1024))"
printf 'floor          %6.2f  %8.0f\n' "$floor_s" "$((floor_kib / 1024))"
awk -v a="$app_s" -v f="$floor_s" -v am="$app_kib" -v fm="$floor_kib" 'BEGIN { printf "ratio          %6.2f  %8.2f\n", a / f, am / fm }'
go test -count=1 -run '^$' -bench . -benchtime "${BENCHTIME:-1x}" -timeout 60m ./test
