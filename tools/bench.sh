#!/usr/bin/env bash
# make bench: synthesis as processes (the app against a floor app that loads the same modules and
# cdk-nag packs and makes one resource of each: wall time and peak memory, Node start-up
# included; the app's cost per construct beside the floor's for the same construct classes), the
# test suite against one synth, then the in-process Go benchmarks (docs/benchmarks.md).
# BENCHTIME (default 1x) is passed to go test -benchtime.
set -euo pipefail
# One collation for sort and comm, the byte order the tree reader sorts CDK's class names in
# (upper case first: aws-cdk-lib.Stack before aws-cdk-lib.aws_ec2.Vpc), and a point for decimals.
export LC_ALL=C
tree_reader="$(cd "$(dirname "$0")" && pwd)/floorapp/constructs.cjs" # a cloud assembly's constructs
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
# same_classes APP CLASSES: every construct class (fqn) of the app's tree is one the floor's
# -classes variant makes too, or a failure naming those it lacks: the yardstick for what a
# construct costs is made of the app's own classes.
same_classes() {
  local app classes missing
  app=$(node "$tree_reader" classes "$1") || return 1
  classes=$(node "$tree_reader" classes "$2") || return 1
  [ -n "$app" ] || { echo "make bench: no construct classes in $1's tree" >&2; return 1; }
  missing=$(comm -23 <(echo "$app") <(echo "$classes"))
  [ -z "$missing" ] && return 0
  echo "make bench: the floor's -classes variant (tools/floorapp) makes no construct of these classes the app makes; add one of each:" >&2
  sed 's/^/  /' <<<"$missing" >&2
  return 1
}
if [ "${1:-}" = --compare-modules ] && [ $# = 3 ]; then # for the tests
  same_modules "$2" "$3"
  exit
fi
if [ "${1:-}" = --compare-classes ] && [ $# = 3 ]; then # for the tests
  same_classes "$2" "$3"
  exit
fi
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
  cat <<'EOT'
Usage: make bench    (or: tools/bench.sh; BENCHTIME=Nx for go test -benchtime)

Measures synthesis on this machine: the app against a floor app (the same aws-cdk-lib modules,
cdk-nag packs, context and region, one resource of each; it fails when the two load different
aws-cdk-lib modules) as processes (median wall time and peak memory of BENCH_ROUNDS rounds, 5 by
default, each running every program once; Node start-up included; with and without CDK's
validation), the app's cost per construct beyond the floor beside the floor's own with one more
construct of each construct class the app makes (floorapp -classes; it fails when one is missing),
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
for binary in app floor; do
  # NODE_OPTIONS replaces jsii's default heap option in this run, which only records the modules.
  PRIVATEPATCH_MODULES="$out/$binary.modules" NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require \"$PWD/tools/floorapp/loaded-modules.cjs\"" \
    CDK_OUTDIR="$out/$binary.modules.out" CDK_VALIDATION=false "$out/$binary" >/dev/null 2>"$out/$binary.err" ||
    { cat "$out/$binary.err" >&2; exit 1; }
done
same_modules "$out/app.modules" "$out/floor.modules"
rounds=${BENCH_ROUNDS:-5}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "make bench: BENCH_ROUNDS=$rounds is not a number of rounds (1 or more)" >&2; exit 1; }
# run_once NAME VALIDATION COMMAND...: one synthesis into $out/NAME.out, its seconds and peak KiB
# appended to $out/NAME.runs; a failed one ends make bench with its output.
run_once() {
  local name=$1 validation=$2
  shift 2
  mkdir -p "$out/$name.out"
  CDK_VALIDATION=$validation CDK_OUTDIR="$out/$name.out" /usr/bin/time -f "%e %M" -a -o "$out/$name.runs" "$@" \
    >/dev/null 2>"$out/$name.err" || { echo "make bench: $name failed:" >&2; cat "$out/$name.err" >&2; exit 1; }
}
median() { # FILE COLUMN: the median of that column of the file's lines (of an even number, the mean of the middle two)
  awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END { print (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2 }'
}
constructs() { # NAME: the constructs of its cloud assembly, a positive number or a failure
  local n
  n=$(node "$tree_reader" count "$out/$1.out") || exit 1
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "make bench: $1's construct tree holds no constructs ($n)" >&2; exit 1; }
  echo "$n"
}
# CDK's built-in CloudFormation validation (on in cdk synth, make verify and make deploy; off in
# make synth and the tests, which validate every template in one run) is measured both ways. The
# programs run in turn within each round, so a host that slows down slows each of them alike.
printf '%-44s %7s %9s\n' process "wall s" "peak MiB"
for validation in false true; do
  for round in $(seq "$rounds"); do
    run_once "app-$validation" "$validation" "$out/app"
    run_once "floor-$validation" "$validation" "$out/floor"
    # What a construct costs: the floor again with one construct more of each construct class the
    # app makes beyond the floor's, and the app, each over the floor of the same round.
    [ "$validation" = true ] && continue
    run_once "floor-classes-$validation" "$validation" "$out/floor" -classes
    [ "$round" = 1 ] && same_classes "$out/app-false.out" "$out/floor-classes-false.out" # before more rounds
  done
  label=$([ "$validation" = true ] && echo "with CDK's validation" || echo "without CDK's validation")
  app_s=$(median "$out/app-$validation.runs" 1)
  app_kib=$(median "$out/app-$validation.runs" 2)
  floor_s=$(median "$out/floor-$validation.runs" 1)
  floor_kib=$(median "$out/floor-$validation.runs" 2)
  printf '%-44s %7.2f %9d\n' "app (default), $label" "$app_s" "$((${app_kib%.*} / 1024))" # whole KiB: an even count's median may end in .5
  printf '%-44s %7.2f %9d\n' "floor, $label" "$floor_s" "$((${floor_kib%.*} / 1024))"
  awk -v a="$app_s" -v f="$floor_s" -v am="$app_kib" -v fm="$floor_kib" 'BEGIN { printf "%-44s %7.2f %9.2f   (goal: 1.3 and 1.3)\n", "  ratio", a / f, am / fm }'
  [ "$validation" = true ] && continue
  synth_s=$app_s
  classes_kib=$(median "$out/floor-classes-false.runs" 2)
  printf '%-44s %7.2f %9d\n' "floor -classes, $label" "$(median "$out/floor-classes-false.runs" 1)" "$((${classes_kib%.*} / 1024))"
  app_n=$(constructs app-false)
  floor_n=$(constructs floor-false)
  classes_n=$(constructs floor-classes-false)
  (( app_n > floor_n && classes_n > floor_n )) ||
    { echo "make bench: the app ($app_n) and floor -classes ($classes_n) must make more constructs than the floor ($floor_n)" >&2; exit 1; }
  # Each round's cost per construct over that round's floor; the median and the range of rounds.
  paste "$out/app-false.runs" "$out/floor-false.runs" "$out/floor-classes-false.runs" | awk -v an="$((app_n - floor_n))" -v cn="$((classes_n - floor_n))" '
    function median(v, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t } return (v[int((n + 1) / 2)] + v[int(n / 2) + 1]) / 2 }
    { app[NR] = 1000 * ($1 - $3) / an; classes[NR] = 1000 * ($5 - $3) / cn }
    END {
      a = median(app, NR); c = median(classes, NR) # each sorted: [1] the least, [NR] the most
      printf "  per construct over the floor: the app %.1f ms (%d more; rounds %.1f to %.1f), floor -classes %.1f ms (%d more; rounds %.1f to %.1f)\n",
        a, an, app[1], app[NR], c, cn, classes[1], classes[NR] }'
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
