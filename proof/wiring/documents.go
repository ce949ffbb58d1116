package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// platformTypes are the values a step's platformType precondition may name (PlatformType,
// botocore 1.43.11's ssm model): a step whose precondition names another never runs, and its
// document reports success.
var platformTypes = []string{"Windows", "Linux", "MacOS"}

// reservedDocumentPrefixes start only AWS's documents: "You can't use the following strings as
// document name prefixes. These are reserved by Amazon Web Services" (CreateDocument Name, the
// same model).
var reservedDocumentPrefixes = []string{"aws", "amazon", "amzn"}

// documentReference matches {{ Name }} in a document's content: a parameter Systems Manager
// substitutes. {{ssm:...}} and the like (a colon) are other sources.
var documentReference = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}`)

// Documents checks the stacks' Command documents and the associations that run them: each step's
// platformType precondition is one Systems Manager knows; each {{ Name }} the content uses is a
// declared parameter; an association of a template document gives only declared parameters, every
// one without a default, and values its allowedPattern and allowedValues take; an association
// naming a document by a literal name names an AWS-owned one (the stacks' own are Refs). Each
// document's DocumentType agrees with its schemaVersion and its steps' actions, and each caller
// runs a document of the type it runs (documentTypeProblems, callerTypeProblems).
func Documents(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources, _ := template["Resources"].(map[string]any)
		documents := cfntemplate.OfType(resources, "AWS::SSM::Document")
		for _, id := range slices.Sorted(maps.Keys(documents)) {
			problems = append(problems, documentProblems(id, documents[id])...)
			problems = append(problems, documentTypeProblems(id, documents[id])...)
		}
		problems = append(problems, callerTypeProblems(resources, documents)...)
		associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
		for _, id := range slices.Sorted(maps.Keys(associations)) {
			a := associations[id]
			if doc, ok := documents[cfntemplate.Ref(a["Name"])]; ok {
				problems = append(problems, parameterProblems("association "+id, doc, a["Parameters"], resources)...)
				continue
			}
			if name, literal := a["Name"].(string); literal && !strings.HasPrefix(name, "arn:") &&
				!slices.ContainsFunc(reservedDocumentPrefixes, func(p string) bool { return strings.HasPrefix(strings.ToLower(name), p) }) {
				problems = append(problems, fmt.Sprintf("association %s: runs document %q, neither the stacks' (a Ref) nor AWS's (aws, amazon or amzn names)", id, name))
			}
		}
	}
	return problems
}

// A Command document's schema: "Documents of type Command can use schema version 1.2, 2.0, and
// 2.2", and among the 2.2 features "Cross-platform support uses the precondition parameter"
// ("Schemas, features, and examples", Systems Manager User Guide, read 2026-12-07); the plugin
// reference gives each plugin's schema 1.2 syntax as runtimeConfig and its 2.x syntax as mainSteps
// ("Systems Manager Command document plugin reference", awsdocs/aws-systems-manager-user-guide).
const preconditionSchema = "2.2"

// documentProblems are a document's schema, preconditions and references.
func documentProblems(id string, doc map[string]any) []string {
	var problems []string
	content, _ := doc["Content"].(map[string]any)
	declared, _ := content["parameters"].(map[string]any)
	schema := cfntemplate.Text(content["schemaVersion"])
	if steps := cfntemplate.List(content["mainSteps"]); len(steps) > 0 && cfntemplate.Text(doc["DocumentType"]) == "Command" && !strings.HasPrefix(schema, "2.") {
		problems = append(problems, fmt.Sprintf("document %s: has mainSteps under schemaVersion %q: a Command document's steps are schema 2.x's (1.2 has runtimeConfig)", id, schema))
	}
	for i, step := range cfntemplate.List(content["mainSteps"]) {
		step, _ := step.(map[string]any)
		precondition, _ := step["precondition"].(map[string]any)
		equals := cfntemplate.List(precondition["StringEquals"])
		if len(equals) == 2 && equals[0] == "platformType" && !slices.Contains(platformTypes, fmt.Sprint(equals[1])) {
			problems = append(problems, fmt.Sprintf("document %s: step %d's precondition names platformType %q, not one of %s: the step never runs", id, i, equals[1], strings.Join(platformTypes, ", ")))
		}
		if precondition != nil && schema != preconditionSchema {
			problems = append(problems, fmt.Sprintf("document %s: step %d has a precondition under schemaVersion %q: preconditions are schema %s's", id, i, schema, preconditionSchema))
		}
		// aws:runShellScript: "Run Linux shell scripts or specify the path to a script to run.
		// This plugin only runs on Linux operating systems" (the plugin reference above; macOS
		// instances take it too): a Windows step with it never runs the script.
		if len(equals) == 2 && equals[1] == "Windows" && cfntemplate.Text(step["action"]) == "aws:runShellScript" {
			problems = append(problems, fmt.Sprintf("document %s: step %d runs aws:runShellScript on Windows, where PowerShell scripts run with aws:runPowerShellScript", id, i))
		}
	}
	problems = append(problems, policyValueProblems(id, content)...)
	data, _ := json.Marshal(content["mainSteps"])
	seen := map[string]bool{}
	for _, m := range documentReference.FindAllStringSubmatch(string(data), -1) {
		if _, ok := declared[m[1]]; !ok && !seen[m[1]] {
			seen[m[1]] = true
			problems = append(problems, fmt.Sprintf("document %s: uses {{ %s }}, which it does not declare", id, m[1]))
		}
	}
	return problems
}

// policyValueProblems are those of a step whose script writes the Windows Update policy values
// (the WSUS client's): each value under Microsoft's key, with its type and spelling
// (wsusspec.PolicyValues), none left out.
func policyValueProblems(id string, content map[string]any) []string {
	var problems []string
	for i, step := range cfntemplate.List(content["mainSteps"]) {
		step, _ := step.(map[string]any)
		inputs, _ := step["inputs"].(map[string]any)
		var lines []string
		for _, line := range cfntemplate.List(inputs["runCommand"]) {
			if text, ok := line.(string); ok {
				lines = append(lines, text)
			}
		}
		if script := strings.Join(lines, "\n"); strings.Contains(script, `HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate`) {
			for _, p := range wsusspec.PolicyValueProblems(script) {
				problems = append(problems, fmt.Sprintf("document %s: step %d: %s", id, i, p))
			}
		}
	}
	return problems
}

// refReturns is a sample of what Ref returns for the resource types whose ids documents take
// ("Return values", Ref, of AWS::EC2::Volume, "Ref returns the ID of the volume", and
// AWS::EC2::Instance, "Ref returns the instance ID": CloudFormation User Guide, read 2026-12-07).
var refReturns = map[string]string{
	"AWS::EC2::Volume":   "vol-0123456789abcdef0",
	"AWS::EC2::Instance": "i-0123456789abcdef0",
}

// resourceIDPattern is an allowedPattern that takes an EC2 resource id only (^vol-, ^i-, ...).
var resourceIDPattern = regexp.MustCompile(`^\^\(?(vol|i|sg|subnet|vpc|ami|snap)-`)

// refProblem is a parameter given as a Ref, against its allowedPattern: a Ref of a type in
// refReturns by its sample; one of another type, where the pattern takes an EC2 id only, by its
// type (a held-out planting: the volume attachment's Ref for the update store's volume id).
func refProblem(what, name string, declaration map[string]any, ref string, resources map[string]any) string {
	target, _ := resources[ref].(map[string]any)
	pattern, _ := declaration["allowedPattern"].(string)
	if target == nil || pattern == "" {
		return ""
	}
	kind := cfntemplate.Text(target["Type"])
	sample, known := refReturns[kind]
	re, err := regexp.Compile(pattern)
	switch {
	case err != nil:
	case known && !re.MatchString(sample):
		return fmt.Sprintf("%s: parameter %s is a Ref of %s (%s), whose id (%s) its allowedPattern %s refuses", what, name, ref, kind, sample, pattern)
	case !known && resourceIDPattern.MatchString(pattern):
		return fmt.Sprintf("%s: parameter %s is a Ref of %s (%s), not of a resource whose Ref is the id its allowedPattern %s takes", what, name, ref, kind, pattern)
	}
	return ""
}

// parameterProblems are an association's parameters against its document's declarations.
func parameterProblems(what string, doc map[string]any, given any, resources map[string]any) []string {
	var problems []string
	content, _ := doc["Content"].(map[string]any)
	declared, _ := content["parameters"].(map[string]any)
	params, _ := given.(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(params)) {
		declaration, ok := declared[name].(map[string]any)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: gives parameter %s, which its document does not declare", what, name))
			continue
		}
		value, literal := cfntemplate.First(params[name]).(string)
		if sample, ok := joinSample(cfntemplate.First(params[name])); ok {
			// An Fn::Join of literals and attributes with a known form (an instance's private
			// address or name) is judged by a sample of it: mutation run 13's B06, a WSUS URL of
			// http://<address>:8530 against an https-only pattern.
			value, literal = sample, true
		}
		if !literal {
			// A Ref is judged by what it returns for its resource's type; other intrinsics are
			// resolved at deploy.
			if problem := refProblem(what, name, declaration, cfntemplate.Ref(cfntemplate.First(params[name])), resources); problem != "" {
				problems = append(problems, problem)
			}
			continue
		}
		if pattern, ok := declaration["allowedPattern"].(string); ok {
			if re, err := regexp.Compile(pattern); err == nil && !re.MatchString(value) {
				problems = append(problems, fmt.Sprintf("%s: parameter %s %q does not match its allowedPattern %s", what, name, value, pattern))
			}
		}
		if allowed := cfntemplate.List(declaration["allowedValues"]); len(allowed) > 0 && !slices.ContainsFunc(allowed, func(v any) bool { return fmt.Sprint(v) == value }) {
			problems = append(problems, fmt.Sprintf("%s: parameter %s %q is not one of its allowedValues", what, name, value))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(declared)) {
		declaration, _ := declared[name].(map[string]any)
		if _, hasDefault := declaration["default"]; !hasDefault && params[name] == nil {
			problems = append(problems, fmt.Sprintf("%s: leaves out parameter %s, which has no default", what, name))
		}
	}
	return problems
}

// attributeSamples are values of the form an attribute returns, for joinSample: an instance's
// private and public addresses and DNS names (AWS::EC2::Instance return values).
var attributeSamples = map[string]string{
	"PrivateIp": "10.0.0.10", "PublicIp": "203.0.113.10",
	"PrivateDnsName": "ip-10-0-0-10.us-west-2.compute.internal", "PublicDnsName": "ec2-203-0-113-10.us-west-2.compute.amazonaws.com",
}

// joinSample is a sample of an Fn::Join with an empty separator whose parts are literals and
// attributes of attributeSamples; ok false for anything else.
func joinSample(v any) (string, bool) {
	m, _ := v.(map[string]any)
	join, _ := m["Fn::Join"].([]any)
	if len(join) != 2 || join[0] != "" {
		return "", false
	}
	var b strings.Builder
	for _, part := range cfntemplate.List(join[1]) {
		switch part := part.(type) {
		case string:
			b.WriteString(part)
		case map[string]any:
			getAtt, _ := part["Fn::GetAtt"].([]any)
			if len(getAtt) != 2 {
				return "", false
			}
			sample, ok := attributeSamples[cfntemplate.Text(getAtt[1])]
			if !ok {
				return "", false
			}
			b.WriteString(sample)
		default:
			return "", false
		}
	}
	return b.String(), true
}

// schemaVersions are the schema versions each document type takes: "Documents of type Command can
// use schema version 1.2, 2.0, and 2.2"; "Documents of type Policy must use schema version 2.0 or
// later"; "Documents of type Automation must use schema version 0.3"; "Documents of type Session
// must use schema version 1.0" ("Schemas, features, and examples", Systems Manager User Guide,
// read 2026-12-07). Policy's "or later" is read as the 2.x versions. Other types are not judged.
var schemaVersions = map[string][]string{
	"Command": {"1.2", "2.0", "2.2"}, "Policy": {"2.0", "2.2"}, "Automation": {"0.3"}, "Session": {"1.0"},
}

// commandPlugins are the plugins of Command (and Policy) documents: "These plugins can't be used
// in SSM Automation runbooks, which use Automation actions"; and of the Automation actions, "These
// actions can't be used in other types of Systems Manager (SSM) documents" ("Command document
// plugin reference" and "Systems Manager Automation actions reference", Systems Manager User
// Guide, awsdocs/aws-systems-manager-user-guide, read 2026-12-07). The plugins are a closed list;
// the Automation actions grow, so a runbook's step is judged only by not being a plugin.
var commandPlugins = []string{"aws:applications", "aws:cloudWatch", "aws:configureDocker", "aws:configurePackage", "aws:domainJoin",
	"aws:downloadContent", "aws:psModule", "aws:refreshAssociation", "aws:runDockerAction", "aws:runDocument",
	"aws:runPowerShellScript", "aws:runShellScript", "aws:softwareInventory", "aws:updateAgent", "aws:updateSsmAgent"}

// documentTypeProblems: a document's DocumentType takes its schemaVersion, and each step's action
// is one of that type (mutation run 22's B11: a Command document of schema 2.2 with
// aws:runPowerShellScript steps made an Automation one, which CreateDocument refuses). A document
// without a DocumentType is not judged.
func documentTypeProblems(id string, doc map[string]any) []string {
	content := documentContent(doc)
	kind := cfntemplate.Text(doc["DocumentType"])
	versions, judged := schemaVersions[kind]
	if content == nil || !judged {
		return nil
	}
	var problems []string
	if schema := cfntemplate.Text(content["schemaVersion"]); !slices.Contains(versions, schema) {
		problems = append(problems, fmt.Sprintf("document %s: is of type %s with schemaVersion %q: %s documents take schema %s", id, kind, schema, kind, strings.Join(versions, ", ")))
	}
	for i, step := range cfntemplate.List(content["mainSteps"]) {
		step, _ := step.(map[string]any)
		action := cfntemplate.Text(step["action"])
		plugin := slices.Contains(commandPlugins, action)
		switch {
		case kind == "Automation" && plugin:
			problems = append(problems, fmt.Sprintf("document %s: step %d's action %s is a Command document plugin, which an Automation runbook cannot use", id, i, action))
		case (kind == "Command" || kind == "Policy") && !plugin:
			problems = append(problems, fmt.Sprintf("document %s: step %d's action %q is no Command document plugin, which a %s document's steps are", id, i, action, kind))
		}
	}
	return problems
}

// callerTypeProblems: each caller runs a template document of the type it runs. A window's
// RUN_COMMAND task sends a Command document, its AUTOMATION task starts an Automation runbook
// (TaskType and TaskArn, AWS::SSM::MaintenanceWindowTask). An association may run a runbook, but
// one that targets nodes at a rate without AutomationTargetParameterName runs a Command or Policy
// document on them: the name "is required for associations that use an Automation runbook and
// target resources by using rate controls" (CreateAssociation, read 2026-12-07). A document
// without a DocumentType is not judged.
func callerTypeProblems(resources map[string]any, documents map[string]map[string]any) []string {
	var problems []string
	kinds := map[string]string{"RUN_COMMAND": "Command", "AUTOMATION": "Automation"}
	tasks := cfntemplate.OfType(resources, "AWS::SSM::MaintenanceWindowTask")
	for _, id := range slices.Sorted(maps.Keys(tasks)) {
		runbook := cfntemplate.Ref(tasks[id]["TaskArn"])
		want, runs := kinds[cfntemplate.Text(tasks[id]["TaskType"])]
		if kind := cfntemplate.Text(documents[runbook]["DocumentType"]); kind != "" && runs && kind != want {
			problems = append(problems, fmt.Sprintf("window task %s (%s): runs document %s, of type %s, not %s", id, tasks[id]["TaskType"], runbook, kind, want))
		}
	}
	associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		a := associations[id]
		document := cfntemplate.Ref(a["Name"])
		kind := cfntemplate.Text(documents[document]["DocumentType"])
		_, named := a["AutomationTargetParameterName"]
		rated := a["Targets"] != nil && (a["MaxConcurrency"] != nil || a["MaxErrors"] != nil)
		if kind != "" && kind != "Command" && kind != "Policy" && rated && !named {
			problems = append(problems, fmt.Sprintf("association %s: runs document %s, of type %s, on its targets at a rate without AutomationTargetParameterName: "+
				"it runs a Command or Policy document so", id, document, kind))
		}
	}
	return problems
}
