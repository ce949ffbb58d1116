package authz

import (
	"slices"
	"strings"
)

// Accepted are the mutations no row notices that are known and listed here with the reason, so
// that make verify names them rather than failing on them; any other unnoticed mutation fails it.
// Each is either excess to remove from the constructs or a statement this evaluator cannot judge.
var Accepted = append([]Acceptance{
	{
		Kind: "action", Elements: []string{"kms:Decrypt"}, OriginContains: "Role",
		Reason: "unproven: S3 asks for kms:Decrypt on multipart uploads to an SSE-KMS bucket (\"Uploading and copying objects " +
			"using multipart upload\"); whether SSM Agent's uploads are multipart no AWS page says",
	},
	{
		Kind: "action", Elements: []string{"kms:DescribeKey"}, OriginContains: "CrawlerRole",
		Reason: "unproven: the crawler reads the SSE-KMS objects with kms:Decrypt; no AWS page says it describes the key",
	},
	{
		Sid: "EventBridgeRulesPublish", Kind: "condition",
		Reason: "defence in depth: the statement's aws:SourceArn lists the alert rules' ARNs, which name this account, so no row " +
			"tells aws:SourceAccount apart; it keeps the statement bound to this account whatever the rule list holds " +
			"(\"Using IAM policy conditions in Amazon EventBridge\" names both keys)",
	},
	{
		Sid: "CloudWatchLogsOfThisAccount",
		Reason: "not evaluable: the evaluator (iam-simulate 0.1.173) ignores kms:EncryptionContext:* context keys, so CloudWatch " +
			"Logs' use of a log group's key cannot be evaluated offline (\"Encrypt log data in CloudWatch Logs using AWS KMS\")",
	},
}, overlappingAutomationGrants()...)

// overlappingAutomationGrants accepts the grants each automation task of a window brings for
// itself (start the runbook, follow its execution): where a window runs several (start, image,
// promotion, stop), the others' statements grant the same automation-execution/* and
// ssm:GetAutomationExecution, so none alone is noticed.
func overlappingAutomationGrants() []Acceptance {
	var out []Acceptance
	for _, task := range []string{"StartStop", "Promotion", "CreateImage"} {
		out = append(out,
			Acceptance{Sid: "Follow" + task, Kind: "statement", Reason: "overlapping: another automation task of the window follows automation-execution/* too"},
			Acceptance{Sid: "Start" + task, Kind: "resource", Reason: "overlapping: another automation task of the window starts automation-execution/* too"})
	}
	return out
}

// Acceptance matches mutations by what they remove: every field given must match.
type Acceptance struct {
	OriginContains, Sid, Kind string
	Elements                  []string
	Reason                    string
}

func (a Acceptance) matches(mu Mutation) bool {
	return (a.OriginContains == "" || strings.Contains(mu.Origin, a.OriginContains)) && (a.Sid == "" || a.Sid == mu.Sid) &&
		(a.Kind == "" || a.Kind == mu.Kind) && (a.Elements == nil || slices.Contains(a.Elements, mu.Element))
}

// Acceptance returns the reason a mutation nothing notices is accepted, or "".
func (mu Mutation) Acceptance() string {
	for _, a := range Accepted {
		if a.matches(mu) {
			return a.Reason
		}
	}
	return ""
}
