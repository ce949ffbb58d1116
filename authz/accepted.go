package authz

import (
	"slices"
	"strings"
)

// Accepted are the mutations no row notices that are known and listed here with the reason, so
// that make verify names them rather than failing on them; any other unnoticed mutation fails it.
// Each is either excess to remove from the constructs or a statement this evaluator cannot judge.
var Accepted = []Acceptance{
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
		Sid: "FollowStartStop", Kind: "statement",
		Reason: "overlapping: each automation task of a window brings its own ssm:GetAutomationExecution on automation-execution/*; " +
			"where a window runs several (start, image, promotion, stop), the others' statements grant the same, so none alone is noticed",
	},
	{
		Sid: "FollowPromotion", Kind: "statement",
		Reason: "overlapping: each automation task of a window brings its own ssm:GetAutomationExecution on automation-execution/*; " +
			"where a window runs several (start, image, promotion, stop), the others' statements grant the same, so none alone is noticed",
	},
	{
		Sid: "FollowCreateImage", Kind: "statement",
		Reason: "overlapping: each automation task of a window brings its own ssm:GetAutomationExecution on automation-execution/*; " +
			"where a window runs several (start, image, promotion, stop), the others' statements grant the same, so none alone is noticed",
	},
	{
		Sid: "StartStartStop", Kind: "resource",
		Reason: "overlapping: each automation task's ssm:StartAutomationExecution statement names automation-execution/*; where a " +
			"window runs several, the others' statements grant the same, so none alone is noticed",
	},
	{
		Sid: "StartPromotion", Kind: "resource",
		Reason: "overlapping: each automation task's ssm:StartAutomationExecution statement names automation-execution/*; where a " +
			"window runs several, the others' statements grant the same, so none alone is noticed",
	},
	{
		Sid: "StartCreateImage", Kind: "resource",
		Reason: "overlapping: each automation task's ssm:StartAutomationExecution statement names automation-execution/*; where a " +
			"window runs several, the others' statements grant the same, so none alone is noticed",
	},
	{
		Sid: "CloudWatchLogsOfThisAccount",
		Reason: "not evaluable: the evaluator (iam-simulate 0.1.173) ignores kms:EncryptionContext:* context keys, so CloudWatch " +
			"Logs' use of a log group's key cannot be evaluated offline (\"Encrypt log data in CloudWatch Logs using AWS KMS\")",
	},
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
