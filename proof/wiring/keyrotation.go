package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// Rotation periods KMS takes, in days: RotationPeriodInDaysType, "min": 90, "max": 2560 (the KMS
// API model, botocore 1.43.11's kms 2014-11-01, read 2026-12-07; EnableKeyRotation: "Specify a
// value between 90 and 2560", and AWS::KMS::Key's RotationPeriodInDays is passed to it). The
// schema check misses it: the CloudFormation resource specification verify reads
// (@aws-cdk/aws-service-spec's db.json.gz) gives the property as an integer, with no bounds.
const (
	minRotationDays = 90
	maxRotationDays = 2560
)

// KeysRotate: each symmetric encryption key of the stacks rotates (EnableKeyRotation true), as
// constructs/kmskey makes every customer managed key ("rotated, retained, grants only to AWS
// services", the README's layout). "Automatic key rotation is supported only on symmetric
// encryption KMS keys. You cannot enable automatic rotation of asymmetric KMS keys, HMAC KMS keys,
// KMS keys with imported key material, or KMS keys in a custom key store" (EnableKeyRotation, AWS
// KMS API Reference, read 2026-12-07), so another KeySpec, or an Origin other than AWS_KMS, is not
// judged. Held-out run 40's B06 (rotation off on one environment's key) was named only by Control
// Tower's CT.KMS.PR.1, by stack.
func KeysRotate(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		keys := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::KMS::Key")
		for _, id := range slices.Sorted(maps.Keys(keys)) {
			spec, origin := cfntemplate.Text(keys[id]["KeySpec"]), cfntemplate.Text(keys[id]["Origin"])
			if (spec != "" && spec != "SYMMETRIC_DEFAULT") || (origin != "" && origin != "AWS_KMS") {
				continue
			}
			if on := keys[id]["EnableKeyRotation"]; on != true && on != "true" {
				problems = append(problems, fmt.Sprintf("key %s: EnableKeyRotation is %v, not true: its key material is never rotated, as every key of the stacks is", id, on))
			}
		}
	}
	return problems
}

// RotationPeriods: each key's RotationPeriodInDays, where set, is one KMS takes. Out of bounds,
// the key's creation or its rotation update fails and the stack rolls back (run 25's B17: 3650 on
// the finding filter's logs key).
func RotationPeriods(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		keys := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::KMS::Key")
		for _, id := range slices.Sorted(maps.Keys(keys)) {
			days, set := keys[id]["RotationPeriodInDays"]
			if !set {
				continue
			}
			n, ok := days.(float64)
			if text, isText := days.(string); isText {
				// CloudFormation takes an integer given as a string too.
				parsed, err := strconv.Atoi(text)
				n, ok = float64(parsed), err == nil
			}
			if !ok || n != float64(int(n)) || n < minRotationDays || n > maxRotationDays {
				problems = append(problems, fmt.Sprintf("key %s: RotationPeriodInDays %v, where KMS takes a whole number of days from %d to %d: its creation fails",
					id, days, minRotationDays, maxRotationDays))
			}
		}
	}
	return problems
}
