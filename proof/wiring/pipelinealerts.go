package wiring

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// PipelineAlerts checks the pipeline stack's alerts and keys (held-out run 26's A10, A14-A18):
// the patching stacks' alert checks that take any template (a rule the topic admits delivers to
// it, alarms the topic admits notify it, rules enabled and given the whole event, the
// undelivered alarm counting every rule), the documented event patterns (Rules, with
// CodePipeline's enumerations in eventEnums), and what only the pipeline has: each rule
// delivering to a topic is admitted by its policy and can use its key, the rules name the
// template's pipeline, and the artifact key lets each account's action role read the artifacts.
func PipelineAlerts(pipeline map[string]any) []string {
	resources := cfntemplate.Resources(pipeline)
	problems := append(alertRules(resources), alarmActions(resources)...)
	problems = append(problems, RulesEnabled(pipeline)...)
	problems = append(problems, WholeEvents(pipeline)...)
	problems = append(problems, RuleTargets(pipeline)...)
	problems = append(problems, UndeliveredAlerts(pipeline)...)
	problems = append(problems, Rules(pipeline)...)
	problems = append(problems, TopicsAdmitRules(pipeline)...)
	problems = append(problems, TopicKeysAdmitRules(pipeline)...)
	problems = append(problems, PipelineNames(pipeline)...)
	return append(problems, ArtifactKeyReaders(pipeline)...)
}

// TopicsAdmitRules: every EventBridge rule that targets a topic of the template is admitted by
// the topic's policy: an Allow of sns:Publish to events.amazonaws.com whose aws:SourceArn (when it
// has one) names the rule. "Amazon SNS topics ... need a resource-based policy that grants
// EventBridge permission to publish" ("Permissions for Amazon EventBridge targets", read
// 2026-12-07); the stacks' topic policies list their rules' ARNs (alerttopic's admitNotified), so a
// rule left out is denied and its alert lost (run 26's A17: the approval rule left out). alertRules
// is the other direction. An aws:SourceArn that is no rule's GetAtt (a literal, a pattern) is not
// judged.
func TopicsAdmitRules(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		topics := cfntemplate.OfType(resources, "AWS::SNS::Topic")
		admitted := eventsAdmitted(resources)
		for _, rt := range ruleTargets(resources) {
			topic := cfntemplate.Ref(rt.target["Arn"])
			if _, ok := topics[topic]; !ok {
				continue
			}
			if a := admitted[topic]; a == nil || !a.any && !a.rules[rt.rule] {
				problems = append(problems, fmt.Sprintf("rule %s: targets topic %s, whose policy does not admit it (sns:Publish to events.amazonaws.com, aws:SourceArn naming the rule): EventBridge's publish is denied and the alert lost", rt.rule, topic))
			}
		}
	}
	return problems
}

// admission is what a topic's policies let EventBridge publish for: any rule, or these rules.
type admission struct {
	any   bool
	rules map[string]bool
}

// eventsAdmitted are, by topic, the rules the topics' policies let EventBridge publish for: any
// rule where a statement has no aws:SourceArn, or one that is not a rule's GetAtt.
func eventsAdmitted(resources map[string]any) map[string]*admission {
	admitted := map[string]*admission{}
	for _, policy := range cfntemplate.OfType(resources, "AWS::SNS::TopicPolicy") {
		doc, _ := policy["PolicyDocument"].(map[string]any)
		for _, st := range cfntemplate.List(doc["Statement"]) {
			st, _ := st.(map[string]any)
			if st["Effect"] != "Allow" || !servicePrincipal(st, "events.amazonaws.com") || !coversAction(st, "sns:Publish") {
				continue
			}
			this, named := admission{rules: map[string]bool{}}, false
			condition, _ := st["Condition"].(map[string]any)
			for _, operator := range condition {
				operator, _ := operator.(map[string]any)
				for _, source := range cfntemplate.Values(operator["aws:SourceArn"]) {
					id := cfntemplate.GetAtt(source)
					named, this.any = true, this.any || id == ""
					this.rules[id] = true
				}
			}
			this.any = this.any || !named
			for _, r := range cfntemplate.Values(st["Resource"]) {
				topic := cfntemplate.Ref(r)
				if admitted[topic] == nil {
					admitted[topic] = &admission{rules: map[string]bool{}}
				}
				admitted[topic].any = admitted[topic].any || this.any
				maps.Copy(admitted[topic].rules, this.rules)
			}
		}
	}
	return admitted
}

// servicePrincipal: the statement's Principal names the service (Service, text or list).
func servicePrincipal(st map[string]any, service string) bool {
	principal, _ := st["Principal"].(map[string]any)
	return slices.ContainsFunc(cfntemplate.Values(principal["Service"]), func(s any) bool { return s == service })
}

// eventBridgeKeyActions are what EventBridge needs of an encrypted topic's key: "kms:Decrypt" and
// "kms:GenerateDataKey*" for events.amazonaws.com, without the source conditions, "not supported
// for EventBridge-to-encrypted topics" ("Enable compatibility between event sources from AWS
// services and encrypted topics", Amazon SNS Developer Guide, read 2026-12-07). alerttopic writes
// them as its statement EventBridgeRulesUseKey (alerttopic.EventBridgeKeySid).
var eventBridgeKeyActions = []string{"kms:Decrypt", "kms:GenerateDataKey"}

// TopicKeysAdmitRules: each topic a rule targets whose key is the template's has a key policy
// letting EventBridge use the key (eventBridgeKeyActions, unconditioned): without it every
// publish of the rules fails (run 26's A18 removed the pipeline alerts key's statement).
func TopicKeysAdmitRules(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		topics := cfntemplate.OfType(resources, "AWS::SNS::Topic")
		keys := cfntemplate.OfType(resources, "AWS::KMS::Key")
		judged := map[string]bool{}
		for _, rt := range ruleTargets(resources) {
			topic := cfntemplate.Ref(rt.target["Arn"])
			t, ok := topics[topic]
			keyName := keyID(t["KmsMasterKeyId"])
			key, ours := keys[keyName]
			if !ok || !ours || judged[topic] {
				continue
			}
			judged[topic] = true
			doc, _ := key["KeyPolicy"].(map[string]any)
			for _, action := range eventBridgeKeyActions {
				if !slices.ContainsFunc(cfntemplate.List(doc["Statement"]), func(st any) bool {
					st2, _ := st.(map[string]any)
					return st2["Effect"] == "Allow" && st2["Condition"] == nil && servicePrincipal(st2, "events.amazonaws.com") && coversAction(st2, action)
				}) {
					problems = append(problems, fmt.Sprintf("topic %s: rules deliver to it (%s among them), and its key %s's policy does not let events.amazonaws.com call %s without conditions: every publish of its rules fails", topic, rt.rule, keyName, action))
				}
			}
		}
	}
	return problems
}

// PipelineNames: a rule on CodePipeline's events (source aws.codepipeline) names in
// detail.pipeline a pipeline of the template by its Name, as the events carry it ("pipeline":
// "myPipeline", "Monitoring CodePipeline events", AWS CodePipeline User Guide, read 2026-12-07):
// another name matches no event of the stack's pipeline (run 26's A16: the stack's name). Not
// judged where a pipeline's Name is not literal, or the template has no pipeline.
func PipelineNames(template map[string]any) []string {
	resources := cfntemplate.Resources(template)
	var names []string
	for _, p := range cfntemplate.OfType(resources, "AWS::CodePipeline::Pipeline") {
		name, ok := p["Name"].(string)
		if !ok {
			return nil
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	var problems []string
	rules := cfntemplate.OfType(resources, "AWS::Events::Rule")
	for _, id := range slices.Sorted(maps.Keys(rules)) {
		pattern, _ := rules[id]["EventPattern"].(map[string]any)
		if !slices.Contains(cfntemplate.Values(pattern["source"]), any("aws.codepipeline")) {
			continue
		}
		detail, _ := pattern["detail"].(map[string]any)
		for _, v := range cfntemplate.Values(detail["pipeline"]) {
			if text, ok := v.(string); ok && !slices.Contains(names, text) {
				problems = append(problems, fmt.Sprintf("rule %s: detail.pipeline %q is not the name of the template's pipeline (%s): the rule matches none of its events", id, text, strings.Join(names, ", ")))
			}
		}
	}
	return problems
}

// accountOf finds the account in an IAM ARN's text.
var accountOf = regexp.MustCompile(`:iam::([0-9]{12}):`)

// artifactKeyActions are what a role of another account needs of the artifact bucket's key to
// read the artifacts: "kms:Decrypt" and "kms:DescribeKey", as "Create a pipeline in CodePipeline
// that uses resources from another AWS account" (AWS CodePipeline User Guide, read 2026-12-07)
// has the key policy grant the other account, and as CDK's pipeline grants each deploy role.
var artifactKeyActions = []string{"kms:Decrypt", "kms:DescribeKey"}

// ArtifactKeyReaders: each pipeline action that reads input artifacts as a role of no stack here
// (RoleArn not a Ref or GetAtt: another account's CDK deploy role) is let use the artifact store's
// key by its policy (artifactKeyActions), naming the role or its account's root; a role of the
// template gets the key through its own policy, in the key's account. Without it the
// environment's CloudFormation actions cannot read Synth_Output (run 26's A10: prod's deploy role
// dropped). A store key that is not the template's (another region's support stack) is not judged.
func ArtifactKeyReaders(template map[string]any) []string {
	resources := cfntemplate.Resources(template)
	keys := cfntemplate.OfType(resources, "AWS::KMS::Key")
	pipelines := cfntemplate.OfType(resources, "AWS::CodePipeline::Pipeline")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(pipelines)) {
		p := pipelines[id]
		stores := map[string]any{} // by region, "" the pipeline's
		if store, ok := p["ArtifactStore"].(map[string]any); ok {
			stores[""] = store
		}
		for _, s := range cfntemplate.List(p["ArtifactStores"]) {
			s, _ := s.(map[string]any)
			stores[cfntemplate.Text(s["Region"])] = s["ArtifactStore"]
		}
		judged := map[string]bool{}
		for _, stage := range cfntemplate.List(p["Stages"]) {
			stage, _ := stage.(map[string]any)
			for _, action := range cfntemplate.List(stage["Actions"]) {
				action, _ := action.(map[string]any)
				role := action["RoleArn"]
				if len(cfntemplate.List(action["InputArtifacts"])) == 0 || role == nil || keyID(role) != "" || judged[rendered(role)] {
					continue
				}
				store, _ := stores[cfntemplate.Text(action["Region"])].(map[string]any)
				if store == nil {
					store, _ = stores[""].(map[string]any)
				}
				encryption, _ := store["EncryptionKey"].(map[string]any)
				keyName := keyID(encryption["Id"])
				key, ok := keys[keyName]
				if !ok {
					continue
				}
				judged[rendered(role)] = true
				for _, a := range artifactKeyActions {
					if !keyLetsRole(key, role, a) {
						problems = append(problems, fmt.Sprintf("pipeline %s: action %v of stage %v reads artifacts as %s, and the artifact key %s's policy does not let it call %s: it cannot read them", id, action["Name"], stage["Name"], rendered(role), keyName, a))
					}
				}
			}
		}
	}
	return problems
}

// keyLetsRole: an Allow statement of the key's policy covers the action for the role (its ARN as
// written, or its account's root).
func keyLetsRole(key map[string]any, role any, action string) bool {
	doc, _ := key["KeyPolicy"].(map[string]any)
	text := rendered(role)
	root := ""
	if m := accountOf.FindStringSubmatch(text); m != nil {
		root = ":iam::" + m[1] + ":root"
	}
	for _, st := range cfntemplate.List(doc["Statement"]) {
		st, _ := st.(map[string]any)
		principal, _ := st["Principal"].(map[string]any)
		if st["Effect"] != "Allow" || !coversAction(st, action) {
			continue
		}
		for _, p := range cfntemplate.Values(principal["AWS"]) {
			if p := rendered(p); p == text || root != "" && strings.HasSuffix(p, root) {
				return true
			}
		}
	}
	return false
}

// deputyKeys are the condition keys AWS recommends in a service role's trust against the
// confused deputy: "We recommend using the aws:SourceArn and aws:SourceAccount global condition
// context keys" ("Cross-service confused deputy prevention", AWS CodeBuild User Guide; "The
// confused deputy problem", IAM User Guide, read 2026-12-07), as constructs/deputy writes them.
var deputyKeys = []string{"aws:SourceAccount", "aws:SourceArn"}

// ReachingServiceRoles: a role of the template that a service assumes and that roles of the
// other stacks trust by name (the protect step role, which each environment's protector role
// trusts) keeps deputyKeys in its service trust, so only this account's projects act as it in
// every environment (run 26's A06, which removed them: defence in depth, as a CodeBuild project
// cannot be given another account's role). CDK's own service roles, which no stack here trusts,
// are not judged.
func ReachingServiceRoles(template map[string]any, others ...map[string]any) []string {
	trusted := map[string]string{} // role name: a role trusting it
	for _, other := range others {
		roles := cfntemplate.OfType(cfntemplate.Resources(other), "AWS::IAM::Role")
		for _, id := range slices.Sorted(maps.Keys(roles)) {
			doc, _ := roles[id]["AssumeRolePolicyDocument"].(map[string]any)
			for _, st := range cfntemplate.List(doc["Statement"]) {
				st, _ := st.(map[string]any)
				principal, _ := st["Principal"].(map[string]any)
				for _, p := range cfntemplate.Values(principal["AWS"]) {
					if _, name, ok := strings.Cut(rendered(p), ":role/"); ok && st["Effect"] == "Allow" {
						trusted[name[strings.LastIndex(name, "/")+1:]] = id
					}
				}
			}
		}
	}
	var problems []string
	roles := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::IAM::Role")
	for _, id := range slices.Sorted(maps.Keys(roles)) {
		name, _ := roles[id]["RoleName"].(string)
		truster, ok := trusted[name]
		if !ok {
			continue
		}
		doc, _ := roles[id]["AssumeRolePolicyDocument"].(map[string]any)
		for _, st := range cfntemplate.List(doc["Statement"]) {
			st, _ := st.(map[string]any)
			principal, _ := st["Principal"].(map[string]any)
			condition, _ := st["Condition"].(map[string]any)
			for _, key := range deputyKeys {
				if st["Effect"] == "Allow" && principal["Service"] != nil && !slices.ContainsFunc(slices.Collect(maps.Values(condition)), func(op any) bool { m, _ := op.(map[string]any); return m[key] != nil }) {
					problems = append(problems, fmt.Sprintf("role %s (%s): other stacks' roles trust it (%s), and its trust lets %v assume it without %s: the confused-deputy condition AWS recommends on a service role", id, name, truster, principal["Service"], key))
				}
			}
		}
	}
	return problems
}
