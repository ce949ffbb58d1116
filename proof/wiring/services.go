package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// environRead finds the environment variables inline Python code reads by subscript or get.
var environRead = regexp.MustCompile(`os\.environ(?:\.get)?[\[\(]\s*["']([A-Za-z_][A-Za-z0-9_]*)["']`)

// Services checks settings of the supporting services that a template may state validly and that
// still break the deploy or the function (mutation run 15's misses):
//   - a Lambda function sets every environment variable its inline code reads (A04), and is not
//     held at a reserved concurrency of 0, which throttles every invocation (A05: "If you set
//     reserved concurrency to 0, the function is throttled", "Configuring reserved concurrency",
//     AWS Lambda Developer Guide); a variable naming a resource of the stacks is its Ref or GetAtt
//     (resourceEnvironment), a note when it may name one otherwise, and one named for an ARN is
//     one (isARN);
//   - a DynamoDB table in PROVISIONED mode states its throughput, and one in PAY_PER_REQUEST does
//     not (AWS::DynamoDB::Table BillingMode, CloudFormation Template Reference) (A10);
//   - an Athena workgroup encrypting with SSE_KMS or CSE_KMS names its key (A15), and a named query
//     reads a database the templates declare (A16);
//   - every KMS key is enabled: a disabled key fails every publish and write it encrypts (A17);
//   - a Glue crawler's cron names "?" in one of its two day fields: "You cannot specify the
//     Day-of-month and Day-of-week fields in the same cron expression" ("Time-based schedules for
//     jobs and crawlers", AWS Glue Developer Guide) (A14), and its tables' and crawler's database
//     is one the templates declare (B20);
//   - a dashboard's widgets are of the types its body takes: metric, text, log, alarm, explorer
//     ("Dashboard Body Structure and Syntax", CloudWatch API Reference) (A20);
//   - a log group's retention is one CloudWatch Logs accepts (networkspec.CloudWatchRetentionDays,
//     PutRetentionPolicy's values): 366 is refused.
func Services(templates ...map[string]any) (problems, notes []string) {
	databases := map[string]bool{}
	for _, template := range templates {
		for _, db := range cfntemplate.OfType(cfntemplate.Resources(template), "AWS::Glue::Database") {
			input, _ := db["DatabaseInput"].(map[string]any)
			databases[cfntemplate.Text(input["Name"])] = true
		}
	}
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		functionProblems, functionNotes := functions(template)
		problems, notes = append(problems, functionProblems...), append(notes, functionNotes...)
		problems = append(problems, analytics(resources, databases)...)
		for _, id := range slices.Sorted(maps.Keys(cfntemplate.OfType(resources, "AWS::KMS::Key"))) {
			if enabled, ok := cfntemplate.OfType(resources, "AWS::KMS::Key")[id]["Enabled"].(bool); ok && !enabled {
				problems = append(problems, fmt.Sprintf("key %s: disabled: everything it encrypts fails", id))
			}
		}
		for id, g := range cfntemplate.OfType(resources, "AWS::Logs::LogGroup") {
			if days, given := g["RetentionInDays"]; given && !slices.Contains(networkspec.CloudWatchRetentionDays, cfntemplate.Int(days)) {
				problems = append(problems, fmt.Sprintf("log group %s: retention %d days is not one CloudWatch Logs accepts %v", id, cfntemplate.Int(days), networkspec.CloudWatchRetentionDays))
			}
		}
		for id, d := range cfntemplate.OfType(resources, "AWS::CloudWatch::Dashboard") {
			for _, w := range dashboardWidgets(d) {
				if kind := cfntemplate.Text(w["type"]); !slices.Contains([]string{"metric", "text", "log", "alarm", "explorer"}, kind) {
					problems = append(problems, fmt.Sprintf("dashboard %s: a widget of type %q, which a dashboard body does not take", id, kind))
				}
			}
		}
	}
	slices.Sort(problems)
	return problems, notes
}

func functions(template map[string]any) (problems, notes []string) {
	for id, f := range cfntemplate.OfType(cfntemplate.Resources(template), "AWS::Lambda::Function") {
		if reserved, given := f["ReservedConcurrentExecutions"]; given && cfntemplate.Int(reserved) == 0 {
			problems = append(problems, fmt.Sprintf("function %s: reserved concurrency 0: every invocation is throttled", id))
		}
		code, _ := f["Code"].(map[string]any)
		environment, _ := f["Environment"].(map[string]any)
		variables, _ := environment["Variables"].(map[string]any)
		for _, m := range environRead.FindAllStringSubmatch(cfntemplate.Text(code["ZipFile"]), -1) {
			if _, set := variables[m[1]]; !set {
				problems = append(problems, fmt.Sprintf("function %s: its code reads environment variable %s, which the function does not set", id, m[1]))
			}
		}
		for name, v := range variables {
			problem, note := resourceVariable(template, name, v)
			if note != "" {
				notes = append(notes, fmt.Sprintf("function %s: %s", id, note))
			}
			if problem != "" {
				problems = append(problems, fmt.Sprintf("function %s: %s", id, problem))
			} else if strings.HasSuffix(name, "_ARN") && !isARN(cfntemplate.Resources(template), v) {
				given, _ := json.Marshal(v)
				problems = append(problems, fmt.Sprintf("function %s: environment variable %s is %s, which is no ARN", id, name, given))
			}
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(problems))), slices.Sorted(slices.Values(notes))
}

// resourceEnvironment are the environment variables the stacks' functions read that name a
// resource of the stacks (the names compliancespec gives the construct, which sets them from
// the table's TableName() and the topic's TopicArn()), with the resource's type, the property that
// names it, and the forms that give what the code takes: a table's Ref is its name (RefIsNoARN),
// and its Arn does too: PutItem's TableName is the "Name of the table in which to write the item.
// You can also provide the Amazon Resource Name (ARN) of the table in this parameter" ("Put",
// Amazon DynamoDB API Reference, read 2026-12-07); a topic's Ref or TopicArn is its ARN (its
// primaryIdentifier, in the same test). A literal or another resource's value names a table or
// topic that does not exist (mutation run 23's B20: TABLE_NAME the literal logical id
// FindingFilterTable, every PutItem ResourceNotFoundException; run 19's B17: TOPIC_ARN a TopicName).
var resourceEnvironment = map[string]struct {
	typ, nameProperty string
	forms             []string
}{
	compliancespec.FindingTableEnv: {"AWS::DynamoDB::Table", "TableName", []string{"Ref", "Arn"}},
	compliancespec.FindingTopicEnv: {"AWS::SNS::Topic", "TopicName", []string{"Ref", "TopicArn"}},
}

// resourceVariable judges environment variable name's value v, if the name is one of
// resourceEnvironment's: right when the Ref or GetAtt (of the right attribute) of a resource of its
// type in the function's stack; a note when it may name one and is not judged (a Parameter, a
// literal or Fn::Sub/Fn::Join giving such a resource's own name or ARN, or one built from its Ref,
// another intrinsic); a problem otherwise (a literal naming no such resource, the logical id among
// them, or another resource's value). Another stack's output is not judged here.
func resourceVariable(template map[string]any, name string, v any) (problem, note string) {
	want, named := resourceEnvironment[name]
	m, intrinsic := v.(map[string]any)
	if !named || m["Fn::ImportValue"] != nil || m["Fn::GetStackOutput"] != nil {
		return "", ""
	}
	resources := cfntemplate.Resources(template)
	id, form := cfntemplate.Ref(v), "Ref"
	if att := cfntemplate.List(m["Fn::GetAtt"]); len(att) == 2 {
		id, form = fmt.Sprint(att[0]), fmt.Sprint(att[1])
	}
	if target, _ := resources[id].(map[string]any); target != nil && target["Type"] == want.typ && slices.Contains(want.forms, form) {
		return "", ""
	}
	given, _ := json.Marshal(v)
	judged := m["Ref"] != nil || m["Fn::GetAtt"] != nil || m["Fn::Sub"] != nil || m["Fn::Join"] != nil
	if by := mayName(template, want.typ, want.nameProperty, v); by != "" || intrinsic && !judged {
		return "", fmt.Sprintf("environment variable %s is %s%s, not the %s of an %s of its stack: whether it names the resource the function's calls need is not judged",
			name, given, by, strings.Join(want.forms, " or "), want.typ)
	}
	return fmt.Sprintf("environment variable %s is %s, not the %s of an %s of its stack: the function's calls name no such resource",
		name, given, strings.Join(want.forms, " or "), want.typ), ""
}

// mayName says how v may name a resource of type typ in template, "" when it cannot: a Parameter
// it reads (given at deploy time), a resource of the type an Fn::Sub or Fn::Join is built from
// (${Id}, a Ref or GetAtt inside), or a resource whose own name (property nameProperty) its text is
// or ends an ARN with. A Ref or GetAtt of a resource is judged by its form alone, and a logical id
// is no name: the name CloudFormation gives is the stack's, the id's and a suffix.
func mayName(template map[string]any, typ, nameProperty string, v any) string {
	parameters, _ := template["Parameters"].(map[string]any)
	resources := cfntemplate.Resources(template)
	direct := cfntemplate.Ref(v) != "" || cfntemplate.GetAtt(v) != ""
	for _, id := range mentioned(v) {
		if _, parameter := parameters[id]; parameter {
			return fmt.Sprintf(" (Parameter %s, given at deploy time)", id)
		}
		if r, _ := resources[id].(map[string]any); r["Type"] == typ && !direct {
			return fmt.Sprintf(" (built from %s)", id)
		}
	}
	text := keyText(v)
	for _, id := range slices.Sorted(maps.Keys(cfntemplate.OfType(resources, typ))) {
		own, literal := cfntemplate.OfType(resources, typ)[id][nameProperty].(string)
		if literal && own != "" && (text == own || strings.HasSuffix(text, ":"+own) || strings.HasSuffix(text, "/"+own)) {
			return fmt.Sprintf(" (%s's %s)", id, nameProperty)
		}
	}
	return ""
}

// mentioned are the logical ids v reads: its Refs, its GetAtts' resources and its Fn::Subs'
// ${Id} and ${Id.Attribute} variables, at any depth.
func mentioned(v any) []string {
	var ids []string
	switch v := v.(type) {
	case map[string]any:
		if ref := cfntemplate.Ref(v); ref != "" {
			ids = append(ids, ref)
		}
		if att := cfntemplate.GetAtt(v); att != "" {
			ids = append(ids, att)
		}
		sub := v["Fn::Sub"]
		if form := cfntemplate.List(sub); len(form) > 0 {
			sub = form[0] // [text, variables]
		}
		if sub, ok := sub.(string); ok {
			for _, m := range subVariable.FindAllStringSubmatch(sub, -1) {
				ids = append(ids, strings.SplitN(m[1], ".", 2)[0])
			}
		}
		for _, key := range slices.Sorted(maps.Keys(v)) {
			ids = append(ids, mentioned(v[key])...)
		}
	case []any:
		for _, e := range v {
			ids = append(ids, mentioned(e)...)
		}
	}
	return ids
}

// isARN tells whether a value gives an ARN: a literal ARN, a GetAtt of an Arn attribute, or the
// Ref of a type whose Ref is one (not RefIsNoARN's). A variable named for an ARN given a name
// makes the code's call fail (mutation run 19's B17: the topic's TopicName as TOPIC_ARN).
func isARN(resources map[string]any, v any) bool {
	if text, literal := v.(string); literal {
		return strings.HasPrefix(text, "arn:")
	}
	m, _ := v.(map[string]any)
	if att := cfntemplate.List(m["Fn::GetAtt"]); len(att) == 2 {
		return strings.HasSuffix(fmt.Sprint(att[1]), "Arn")
	}
	if ref, _ := m["Ref"].(string); ref != "" {
		target, _ := resources[ref].(map[string]any)
		_, notARN := RefIsNoARN[fmt.Sprint(target["Type"])]
		return target == nil || !notARN // a parameter's Ref is not judged
	}
	return true // another intrinsic (Fn::Join, Fn::Sub): not judged
}

func analytics(resources map[string]any, databases map[string]bool) []string {
	var problems []string
	for id, table := range cfntemplate.OfType(resources, "AWS::DynamoDB::Table") {
		_, throughput := table["ProvisionedThroughput"]
		switch mode := cmpText(table["BillingMode"], "PROVISIONED"); {
		case mode == "PROVISIONED" && !throughput:
			problems = append(problems, fmt.Sprintf("table %s: PROVISIONED without ProvisionedThroughput", id))
		case mode == "PAY_PER_REQUEST" && throughput:
			problems = append(problems, fmt.Sprintf("table %s: PAY_PER_REQUEST with ProvisionedThroughput", id))
		}
	}
	for id, w := range cfntemplate.OfType(resources, "AWS::Athena::WorkGroup") {
		configuration, _ := w["WorkGroupConfiguration"].(map[string]any)
		result, _ := configuration["ResultConfiguration"].(map[string]any)
		encryption, _ := result["EncryptionConfiguration"].(map[string]any)
		if option := cfntemplate.Text(encryption["EncryptionOption"]); strings.HasSuffix(option, "_KMS") && encryption["KmsKey"] == nil {
			problems = append(problems, fmt.Sprintf("workgroup %s: %s without a KmsKey", id, option))
		}
	}
	for id, q := range cfntemplate.OfType(resources, "AWS::Athena::NamedQuery") {
		if db, literal := q["Database"].(string); literal && !databases[db] {
			problems = append(problems, fmt.Sprintf("named query %s: database %q is none the templates declare", id, db))
		}
	}
	for id, c := range cfntemplate.OfType(resources, "AWS::Glue::Crawler") {
		if db, literal := c["DatabaseName"].(string); literal && !databases[db] {
			problems = append(problems, fmt.Sprintf("crawler %s: database %q is none the templates declare", id, db))
		}
		schedule, _ := c["Schedule"].(map[string]any)
		if expr := cfntemplate.Text(schedule["ScheduleExpression"]); strings.HasPrefix(expr, "cron(") {
			fields := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(expr, "cron("), ")"))
			if len(fields) != 6 || (fields[2] == "?") == (fields[4] == "?") {
				problems = append(problems, fmt.Sprintf("crawler %s: schedule %s: six fields, with ? in exactly one of day-of-month and day-of-week", id, expr))
			}
		}
	}
	for id, t := range cfntemplate.OfType(resources, "AWS::Glue::Table") {
		if db, literal := t["DatabaseName"].(string); literal && !databases[db] {
			problems = append(problems, fmt.Sprintf("table %s: database %q is none the templates declare", id, db))
		}
	}
	return problems
}

// dashboardWidgets are a dashboard body's widgets; none when the body is not JSON (Bodies names
// that).
func dashboardWidgets(dashboard map[string]any) []map[string]any {
	var body struct {
		Widgets []map[string]any `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(joinedText(dashboard["DashboardBody"])), &body); err != nil {
		return nil
	}
	return body.Widgets
}

// Consistency checks what the stacks state twice and must state alike (mutation run 15's misses):
//   - the Inspector enabler's and the finding filter's timeouts are the ones their code is
//     written for (compliancespec): a shorter one answers CloudFormation FAILED while Inspector is
//     still enabling, or drops a finding mid-hold (A06);
//   - the inventory association gathers applications where a table reads them (aws_application):
//     Disabled empties the table and its query (B11);
//   - the Athena workgroup writes its results to the bucket the sync writes to, the stacks'
//     command-output bucket, which its role may write (B19);
//   - a patch baseline source's configuration is in its operating system's format: apt's "deb"
//     lines on Ubuntu and Debian, a yum/dnf repository section ([name] with baseurl or
//     mirrorlist) on the others (PatchSource Configuration, Systems Manager API Reference) (B06).
func Consistency(d timeouts, templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for id, f := range cfntemplate.OfType(resources, "AWS::Lambda::Function") {
			for prefix, want := range d {
				if got := cfntemplate.Int(f["Timeout"]); strings.HasPrefix(id, prefix) && got != want {
					problems = append(problems, fmt.Sprintf("function %s: timeout %d s, not the %d its code is written for", id, got, want))
				}
			}
		}
		applicationsRead := false
		for _, t := range cfntemplate.OfType(resources, "AWS::Glue::Table") {
			input, _ := t["TableInput"].(map[string]any)
			applicationsRead = applicationsRead || cfntemplate.Text(input["Name"]) == "aws_application"
		}
		for id, a := range cfntemplate.OfType(resources, "AWS::SSM::Association") {
			parameters, _ := a["Parameters"].(map[string]any)
			if applicationsRead && cfntemplate.Text(a["Name"]) == "AWS-GatherSoftwareInventory" && cfntemplate.Text(cfntemplate.First(parameters["applications"])) == "Disabled" {
				problems = append(problems, fmt.Sprintf("association %s: gathers no applications, which table aws_application and its query read", id))
			}
		}
		var syncBucket string
		for _, s := range cfntemplate.OfType(resources, "AWS::SSM::ResourceDataSync") {
			destination, _ := s["S3Destination"].(map[string]any)
			syncBucket = rendered(destination["BucketName"])
		}
		for id, w := range cfntemplate.OfType(resources, "AWS::Athena::WorkGroup") {
			configuration, _ := w["WorkGroupConfiguration"].(map[string]any)
			result, _ := configuration["ResultConfiguration"].(map[string]any)
			if location := rendered(result["OutputLocation"]); syncBucket != "" && !strings.Contains(location, syncBucket) {
				problems = append(problems, fmt.Sprintf("workgroup %s: writes results to %s, not to the sync's bucket %s, which the stacks create and its queries' role may write", id, location, syncBucket))
			}
		}
		for id, b := range cfntemplate.OfType(resources, "AWS::SSM::PatchBaseline") {
			apt := patchingspec.UsesApt(cfntemplate.Text(b["OperatingSystem"]))
			for _, source := range cfntemplate.List(b["Sources"]) {
				source, _ := source.(map[string]any)
				configuration := cfntemplate.Text(source["Configuration"])
				yum := strings.Contains(configuration, "[") && repositoryLocation.MatchString(configuration)
				if apt && !strings.HasPrefix(strings.TrimSpace(configuration), "deb ") || !apt && !yum {
					problems = append(problems, fmt.Sprintf("baseline %s: source %s is not in %s's repository format", id, cfntemplate.Text(source["Name"]), cfntemplate.Text(b["OperatingSystem"])))
				}
			}
		}
	}
	slices.Sort(problems)
	return problems
}

// repositoryLocation finds where a yum/dnf or zypper repository section points: baseurl,
// mirrorlist or metalink, with optional spaces around the = (dnf.conf(5), which the PatchSource
// Configuration page points to; EPEL's own repository file uses metalink, RHEL's redhat.repo
// writes "baseurl = ..."): a false-alarm hunt's three finds.
var repositoryLocation = regexp.MustCompile(`(?m)^\s*(baseurl|mirrorlist|metalink)\s*=`)

// timeouts are functions' timeouts in seconds by their logical id prefix.
type timeouts map[string]int

// WrittenFor checks what the stacks' own code is written for, where a valid template may say
// otherwise (mutation run 20's misses):
//   - the Inspector enabler's ServiceTimeout: it waits for ENABLED up to it
//     (compliancespec.InspectorEnablerServiceTimeoutSeconds); 30 s cuts the wait short and fails
//     a deploy that would pass (A15);
//   - the finding filter's table expires items by the attribute its function writes
//     (compliancespec.FindingExpiryAttribute): by another, nothing expires (A17);
//   - the WSUS alarms judge their metrics by wsusspec's thresholds: the disk alarm at 85 % free
//     is in alarm for ever (B18);
//   - a runbook's aws:executeScript steps run on patchingspec.PromoteRuntime, which the scripts
//     are tested with; Python 3.6 no longer runs there (B12);
//   - the stacks' own functions run on compliancespec.FunctionRuntime (ownFunctionRuntimes; run
//     27's B16: python3.8, which Lambda no longer patches, passed with a note).
func WrittenFor(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		problems = append(problems, ownFunctionRuntimes(resources)...)
		for id, r := range cfntemplate.OfType(resources, "Custom::InspectorEnabler") {
			if got := cfntemplate.Int(r["ServiceTimeout"]); got != compliancespec.InspectorEnablerServiceTimeoutSeconds {
				problems = append(problems, fmt.Sprintf("custom resource %s: ServiceTimeout %d s, not the %d its function waits for Inspector within", id, got, compliancespec.InspectorEnablerServiceTimeoutSeconds))
			}
		}
		for id, a := range cfntemplate.OfType(resources, "AWS::CloudWatch::Alarm") {
			for prefix, want := range map[string]float64{"MonitoringWsusDiskAlarm": wsusspec.MinUpdateStoreFreePercent, "MonitoringWsusSyncStaleAlarm": wsusspec.StaleSyncHours} {
				if got, _ := a["Threshold"].(float64); strings.HasPrefix(id, prefix) && got != want {
					problems = append(problems, fmt.Sprintf("alarm %s: threshold %v, not the %v the WSUS health script's metric is judged by (wsusspec)", id, a["Threshold"], want))
				}
			}
		}
		for id, d := range cfntemplate.OfType(resources, "AWS::SSM::Document") {
			for i, st := range cfntemplate.List(documentContent(d)["mainSteps"]) {
				step, _ := st.(map[string]any)
				inputs, _ := step["inputs"].(map[string]any)
				if runtime, given := inputs["Runtime"]; step["action"] == "aws:executeScript" && given && cfntemplate.Text(runtime) != patchingspec.PromoteRuntime {
					problems = append(problems, fmt.Sprintf("document %s: step %d runs its script on %v, not %s, which the script is written and tested for", id, i, runtime, patchingspec.PromoteRuntime))
				}
			}
		}
		for id, t := range cfntemplate.OfType(resources, "AWS::DynamoDB::Table") {
			if !strings.HasPrefix(id, "FindingFilterTable") {
				continue
			}
			ttl, _ := t["TimeToLiveSpecification"].(map[string]any)
			if cfntemplate.Text(ttl["AttributeName"]) != compliancespec.FindingExpiryAttribute || ttl["Enabled"] != true {
				problems = append(problems, fmt.Sprintf("table %s: expires items by %v (enabled: %v), not by %s, the attribute its function writes", id, ttl["AttributeName"], ttl["Enabled"], compliancespec.FindingExpiryAttribute))
			}
		}
	}
	return problems
}

// ownFunctionRuntimes: each of the stacks' own functions runs on compliancespec.FunctionRuntime,
// which its script is written for. Theirs are the functions whose Description starts
// "privatepatch:", or whose code is inline (the spec's scripts) with no description; CDK's have an
// S3 asset or, inline, CDK's description (the S3 notifications handler, python3.13 in
// aws-cdk-lib 2.270: the second review of session 18's finding 3), and DeprecatedRuntimes judges
// their runtimes.
func ownFunctionRuntimes(resources map[string]any) []string {
	var problems []string
	functions := cfntemplate.OfType(resources, "AWS::Lambda::Function")
	for _, id := range slices.Sorted(maps.Keys(functions)) {
		f := functions[id]
		code, _ := f["Code"].(map[string]any)
		_, inline := code["ZipFile"]
		described := cfntemplate.Text(f["Description"])
		if !strings.HasPrefix(described, "privatepatch:") && (!inline || described != "") {
			continue // CDK's: an asset, or inline with CDK's description (S3's notifications handler)
		}
		if runtime := cfntemplate.Text(f["Runtime"]); runtime != compliancespec.FunctionRuntime {
			problems = append(problems, fmt.Sprintf("function %s: runs on %v, not %s, which the stacks' own functions are written and tested for (compliancespec.FunctionRuntime)", id, f["Runtime"], compliancespec.FunctionRuntime))
		}
	}
	return problems
}

// documentContent is a document's content: a map, or the YAML or JSON text the stacks' runbooks
// are written in (DocumentFormat YAML), read as one.
func documentContent(d map[string]any) map[string]any {
	switch c := d["Content"].(type) {
	case map[string]any:
		return c
	case string:
		var content map[string]any
		if yaml.Unmarshal([]byte(c), &content) == nil {
			return content
		}
	}
	return nil
}
