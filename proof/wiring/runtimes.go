package wiring

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// LambdaRuntimeDeprecation is each Lambda runtime identifier's deprecation date: from then Lambda
// applies no security patches to it, and later blocks creating and then updating functions on it,
// so a stack that creates one fails ("Runtime deprecation", AWS Lambda Developer Guide, read
// 2026-12-07). The dates are the "Lambda runtimes" page's tables, as tflint-ruleset-aws's
// aws_lambda_function_deprecated_runtime rule keeps them (commit 010379352dd2, which cites that
// page); the runtimes released after that commit (nodejs24.x, python3.14, java25, dotnet10,
// ruby3.4) from endoflife.date's aws-lambda page, which copies the same tables (read 2026-12-07).
// A date moves when AWS extends a runtime: update it here from the page, with the date read.
var LambdaRuntimeDeprecation = map[string]string{
	"nodejs24.x": "2028-04-30", "nodejs22.x": "2027-04-30", "nodejs20.x": "2026-04-30",
	"nodejs18.x": "2025-09-01", "nodejs16.x": "2024-06-12", "nodejs14.x": "2023-12-04",
	"nodejs12.x": "2023-03-31", "nodejs10.x": "2021-07-30", "nodejs8.10": "2020-03-06",
	"nodejs6.10": "2019-08-12", "nodejs4.3": "2020-03-05", "nodejs4.3-edge": "2020-03-05",
	"nodejs":     "2016-10-31",
	"python3.14": "2029-06-30", "python3.13": "2029-06-30", "python3.12": "2028-10-31",
	"python3.11": "2026-06-30", "python3.10": "2026-06-30", "python3.9": "2025-12-15",
	"python3.8": "2024-10-14", "python3.7": "2023-12-04", "python3.6": "2022-07-18",
	"python2.7": "2021-07-15",
	"java25":    "2029-06-30", "java21": "2029-06-30", "java17": "2026-06-30", "java11": "2026-06-30",
	"java8.al2": "2026-06-30", "java8": "2024-01-08",
	"dotnet10": "2028-11-14", "dotnet8": "2026-11-10", "dotnet7": "2024-05-14", "dotnet6": "2024-11-12",
	"dotnet5.0": "2022-05-10", "dotnetcore3.1": "2023-04-03", "dotnetcore2.1": "2022-01-05",
	"dotnetcore2.0": "2019-05-30", "dotnetcore1.0": "2019-07-27",
	"ruby3.4": "2028-03-31", "ruby3.3": "2027-03-31", "ruby3.2": "2026-03-31", "ruby2.7": "2023-11-27",
	"ruby2.5":         "2021-07-30",
	"provided.al2023": "2029-06-30", "provided.al2": "2026-06-30", "provided": "2024-01-08",
	"go1.x": "2024-01-08",
}

// LambdaRuntimeCreateBlocked is the day Lambda stopped creating functions on a runtime whose
// block is settled: from then a stack that creates one (a new stack, or a provider's function
// replaced) fails. Deprecation alone blocks nothing: "After a runtime is deprecated, we may no
// longer apply security patches" ("Runtime deprecation", AWS Lambda Developer Guide), and
// AWS::Lambda::Runtime's ReleaseLifecycle keeps DeprecationDate and FunctionCreateBlockDate apart.
//
// The block dates AWS has not settled move: cfn-lint, which copies them from the "Lambda runtimes"
// page, has had to follow AWS's extensions again and again (aws-cloudformation/cfn-lint#4249,
// #4334, and PR #4532 of 2026-06-02: "many create-block/update-block dates pushed to
// 2027-02-01/2027-03-03"; nodejs20.x's create block is Feb 1, 2027 per #4531). So this table
// holds only the runtimes whose create block is in the past and identical in both versions of
// cfn-lint's LmbdRuntimeLifecycle.json the corpus holds (commits 136b6840bf09 and 81cb349c37c2,
// read 2026-12-07): blocks that were never moved (an update block that moved does not matter to
// creating). nodejs14.x's day differs between sources (2024-07-09 in cfn-lint, 2024-01-09 in
// aws-cdk discussion #29108 and a re:Post answer), both long past: cfn-lint's is kept. Every other
// deprecated runtime is a note pointing at the page (a review found a stale snapshot failing
// nodejs16.x and python3.8, whose blocks AWS had moved to 2027).
var LambdaRuntimeCreateBlocked = map[string]string{
	"dotnet7": "2024-05-14", "dotnetcore1.0": "2019-07-30", "dotnetcore2.0": "2019-05-30",
	"dotnetcore2.1": "2022-01-05", "dotnetcore3.1": "2023-04-03",
	"nodejs": "2016-10-31", "nodejs4.3": "2020-03-05", "nodejs4.3-edge": "2019-04-30", "nodejs6.10": "2019-08-12",
	"nodejs8.10": "2020-03-06", "nodejs10.x": "2021-07-30", "nodejs12.x": "2023-03-31",
	"nodejs14.x": "2024-07-09", "python2.7": "2021-07-15", "python3.6": "2022-07-18", "python3.7": "2024-01-09",
	"ruby2.5": "2021-07-30", "ruby2.7": "2024-01-09", "go1.x": "2024-02-08", "java8": "2024-02-08", "provided": "2024-02-08",
}

// DeprecatedRuntimes judges each function's runtime (a custom resource's provider as much as the
// project's own) on the given day. A problem: a runtime on which Lambda blocks creating functions
// from that day (LambdaRuntimeCreateBlocked). A note: a runtime deprecated but not known to be
// blocked (Lambda no longer patches it; a deploy still works), and one the table does not list
// (a runtime newer than it, as a later aws-cdk-lib may bring: add it from the page). It depends
// on the day, as a deploy does; tests pass a fixed one. A runtime given by an intrinsic is not
// judged.
func DeprecatedRuntimes(day time.Time, templates ...map[string]any) (problems, notes []string) {
	today := day.Format(time.DateOnly)
	for _, template := range templates {
		functions := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::Lambda::Function")
		for _, id := range slices.Sorted(maps.Keys(functions)) {
			runtime, literal := functions[id]["Runtime"].(string)
			if !literal {
				continue
			}
			deprecated, listed := LambdaRuntimeDeprecation[runtime]
			blocked, known := LambdaRuntimeCreateBlocked[runtime]
			switch {
			case known && today >= blocked:
				problems = append(problems, fmt.Sprintf("function %s: runtime %s: Lambda blocks creating functions on it since %s (deprecated %s; \"Block function create\", Lambda runtimes): "+
					"a deploy that creates or replaces it fails; move to a supported runtime (for a provider of aws-cdk-lib's, a newer aws-cdk-lib)", id, runtime, blocked, deprecated))
			case !listed:
				notes = append(notes, fmt.Sprintf("function %s: runtime %s is not in wiring.LambdaRuntimeDeprecation, so not judged: add it from AWS's \"Lambda runtimes\" page, with the date read", id, runtime))
			case today >= deprecated:
				notes = append(notes, fmt.Sprintf("function %s: runtime %s is deprecated since %s: Lambda no longer patches it, and blocks creating functions on it from the \"Block function create\" date of AWS's \"Lambda runtimes\" page, which AWS has moved more than once (check it before deploying); move to a supported runtime", id, runtime, deprecated))
			}
		}
	}
	// The templates may come from a map: the report must not depend on its order.
	slices.Sort(problems)
	slices.Sort(notes)
	return problems, notes
}
