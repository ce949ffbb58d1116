#!/usr/bin/env bash
# make bench: synthesis as processes (the app against a floor app that loads the same modules and
# cdk-nag packs and makes one resource of each: wall time and peak memory, Node start-up
# included; the app's cost per construct beside CDK's own), the test suite against one synth,
# then the in-process Go benchmarks (docs/benchmarks.md).
# BENCHTIME (default 1x) is passed to go test -benchtime.
set -euo pipefail
# same_modules APP FLOOR: the aws-cdk-lib modules each loaded (tools/floorapp/loaded-modules.cjs),
# the same or a failure naming the difference: a floor that loads less than the app is no floor.
same_modules() {
  local list
  for list in "$1" "$2"; do
    [ -s "$list" ] || { echo "make bench: no list of the aws-cdk-lib modules loaded in $list: was tools/floorapp/loaded-modules.cjs preloaded?" >&2; return 1; }
  done
  diff "$1" "$2" >/dev/null && return 0
  echo "make bench: the floor (tools/floorapp) and the app load different aws-cdk-lib modules; make the floor load the same:" >&2
  diff "$1" "$2" | sed -n 's/^< /  only the app: /p; s/^> /  only the floor: /p' >&2 || true # diff's status 1
  return 1
}
# count_constructs DIR: the constructs of the cloud assembly in DIR: the nodes of its construct tree,
# tree.json and the trees-N.json files CDK splits a large one into (where a node of one file stands
# for the root of another, {id, path, fileName}, it is that root, counted once).
count_constructs() {
  node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1];
    const count = (node) => (node.fileName ? 0 : 1) + Object.values(node.children || {}).reduce((n, child) => n + count(child), 0);
    let constructs = count(JSON.parse(fs.readFileSync(path.join(dir, "tree.json"))).tree);
    for (const file of fs.readdirSync(dir).filter((f) => /^trees-[0-9]+\.json$/.test(f))) {
      for (const root of Object.values(JSON.parse(fs.readFileSync(path.join(dir, file))).forest)) constructs += count(root);
    }
    console.log(constructs);' "$1"
}
if [ "${1:-}" = --compare-modules ] && [ $# = 3 ]; then # for the tests
  same_modules "$2" "$3"
  exit
fi
if [ "${1:-}" = --count-constructs ] && [ $# = 2 ]; then # for the tests
  count_constructs "$2"
  exit
fi
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
  cat <<'EOT'
Usage: make bench    (or: tools/bench.sh; BENCHTIME=Nx for go test -benchtime)

Measures synthesis on this machine: the app against a floor app (the same aws-cdk-lib modules,
cdk-nag packs, context and region, one resource of each; it fails when the two load different
aws-cdk-lib modules) as processes (median wall time of three runs and peak memory, Node start-up
included, with and without CDK's validation), the app's cost per construct beyond the floor beside
CDK's own (the floor with one resource of each construct class the app uses: floorapp -classes),
the test suite against one synth, and the in-process Go benchmarks (growth with instance groups and
environments). docs/benchmarks.md records and explains the results. Needs GNU time.
EOT
  exit 0
fi
cd "$(dirname "$0")/.."
unset PRIVATEPATCH_CONFIG # the app synthesises the embedded default, as the floor's region and label say
[ -x /usr/bin/time ] || { echo "make bench measures peak memory with GNU time: apt-get install time" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/app" ./app
go build -o "$out/floor" ./tools/floorapp
printf '#!/bin/sh\nexec "%s" -classes\n' "$out/floor" >"$out/floor-classes" && chmod +x "$out/floor-classes"
for binary in app floor; do
  # NODE_OPTIONS replaces jsii's default heap option in this run, which only records the modules.
  PRIVATEPATCH_MODULES="$out/$binary.modules" NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require \"$PWD/tools/floorapp/loaded-modules.cjs\"" \
    CDK_OUTDIR="$out/$binary.modules.out" CDK_VALIDATION=false "$out/$binary" >/dev/null 2>"$out/$binary.err" ||
    { cat "$out/$binary.err" >&2; exit 1; }
done
same_modules "$out/app.modules" "$out/floor.modules"
measure() { # name binary [VAR=value...]: the median of three runs' seconds and peak KiB
  local name=$1 binary=$2 dir="$out/$1.out"
  shift 2
  mkdir -p "$dir"
  for run in 1 2 3; do
    env "$@" CDK_OUTDIR="$dir" /usr/bin/time -f "%e %M" -o "$out/$name.$run" "$binary" >/dev/null 2>&1
  done
  sort -n "$out/$name".[123] | sed -n 2p
}
# CDK's built-in CloudFormation validation (on in cdk synth, make verify and make deploy; off in
# make synth and the tests, which validate every template in one run) is measured both ways.
printf '%-44s %7s %9s\n' process "wall s" "peak MiB"
for validation in false true; do
  read -r app_s app_kib < <(measure "app-$validation" "$out/app" CDK_VALIDATION=$validation)
  read -r floor_s floor_kib < <(measure "floor-$validation" "$out/floor" CDK_VALIDATION=$validation)
  label=$([ "$validation" = true ] && echo "with CDK's validation" || echo "without CDK's validation")
  printf '%-44s %7.2f %9d\n' "app (default), $label" "$app_s" "$((app_kib / 1024))"
  printf '%-44s %7.2f %9d\n' "floor, $label" "$floor_s" "$((floor_kib / 1024))"
  awk -v a="$app_s" -v f="$floor_s" -v am="$app_kib" -v fm="$floor_kib" 'BEGIN { printf "%-44s %7.2f %9.2f   (goal: 1.3 and 1.3)\n", "  ratio", a / f, am / fm }'
  [ "$validation" = true ] && continue
  synth_s=$app_s
  # What a construct costs: the app's constructs beyond the floor's against those of the floor's
  # -classes variant (one resource of each construct class the app uses beyond the floor's): the
  # app's cost per construct beside what CDK itself costs per construct (docs/benchmarks.md).
  read -r classes_s classes_kib < <(measure floor-classes-false "$out/floor-classes" CDK_VALIDATION=false)
  printf '%-44s %7.2f %9d\n' "floor -classes, $label" "$classes_s" "$((classes_kib / 1024))"
  app_n=$(count_constructs "$out/app-false.out") floor_n=$(count_constructs "$out/floor-false.out")
  classes_n=$(count_constructs "$out/floor-classes-false.out")
  awk -v a="$app_s" -v f="$floor_s" -v c="$classes_s" -v an="$app_n" -v fn="$floor_n" -v cn="$classes_n" 'BEGIN {
    printf "  per construct beyond the floor: the app %.1f ms (%d more), CDK itself (floor -classes) %.1f ms (%d more)\n",
      1000 * (a - f) / (an - fn), an - fn, 1000 * (c - f) / (cn - fn), cn - fn }'
done

# make test (warm build cache) against one synth of the default configuration as make synth runs
# it (the app's median without validation, above): as it runs on a developer's machine, with the
# evaluators' answers kept (proof/evalcache), then with none kept, as on a fresh machine or CI.
for cache in kept off; do
  env $([ "$cache" = off ] && echo PRIVATEPATCH_EVAL_CACHE=off) /usr/bin/time -f "%e %U %S" -o "$out/tests" \
    make -s --no-print-directory test >"$out/tests.log" 2>&1 || { cat "$out/tests.log" >&2; exit 1; }
  read -r tests_s tests_user tests_sys <"$out/tests"
  awk -v t="$tests_s" -v u="$tests_user" -v s="$tests_sys" -v a="$synth_s" -v c="$cache" \
    'BEGIN { printf "%-44s %7.2f  (%.0f s of CPU; %.1fx one synth; goal: 45 s)\n", "make test, evaluations " c, t, u + s, t / a }'
done
go test -count=1 -run '^$' -bench . -benchtime "${BENCHTIME:-1x}" -timeout 60m ./test
