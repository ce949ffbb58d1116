package doctor

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The recorded answers were written by hand; each is checked here against the output shape of
// its operation in the API models the AWS CLI itself uses (botocore's service-2.json, extracted
// by testdata/api/extract.py into testdata/api/shapes.json): every field exists with that casing
// and type, every enum value is one AWS lists, every timestamp is what CLI v2 prints (ISO 8601).

// fixtureOperations maps each recording to the operation it answers. The doctor's recordings,
// the S3 prefix-list entries it reads too, and the VPC answers make check-update records
// (proof/vpcclash) are all covered: TestEveryFixtureFollowsItsOperationsOutputShape fails on a
// doctor recording no pattern names.
var fixtureOperations = []struct{ pattern, service, operation string }{
	{"testdata/alarms-*.json", "cloudwatch", "DescribeAlarms"},
	{"testdata/inspector-status-*.json", "inspector2", "BatchGetAccountStatus"},
	{"testdata/enabled-standards-*.json", "securityhub", "GetEnabledStandards"},
	{"testdata/config-recorders-*.json", "config", "DescribeConfigurationRecorders"},
	{"testdata/config-recorder-status-*.json", "config", "DescribeConfigurationRecorderStatus"},
	{"testdata/config-rule-evaluation-*.json", "config", "DescribeConfigRuleEvaluationStatus"},
	{"testdata/resource-data-sync-*.json", "ssm", "ListResourceDataSync"},
	{"testdata/association-execution-targets-*.json", "ssm", "DescribeAssociationExecutionTargets"},
	{"testdata/association-executions-*.json", "ssm", "DescribeAssociationExecutions"},
	{"testdata/associations*.json", "ssm", "ListAssociations"},
	{"testdata/caller-identity.json", "sts", "GetCallerIdentity"},
	{"testdata/describe-instance-information-*.json", "ssm", "DescribeInstanceInformation"},
	{"testdata/describe-instances-*.json", "ec2", "DescribeInstances"},
	{"testdata/describe-stacks-*.json", "cloudformation", "DescribeStacks"},
	{"testdata/get-automation-execution-*.json", "ssm", "GetAutomationExecution"},
	{"testdata/get-maintenance-window-*.json", "ssm", "GetMaintenanceWindow"},
	{"testdata/list-command-invocations-*.json", "ssm", "ListCommandInvocations"},
	{"testdata/list-commands-*.json", "ssm", "ListCommands"},
	{"testdata/list-stack-resources-*.json", "cloudformation", "ListStackResources"},
	{"testdata/list-subscriptions-by-topic-*.json", "sns", "ListSubscriptionsByTopic"},
	{"testdata/list-tags-for-resource-*.json", "ssm", "ListTagsForResource"},
	{"testdata/metric-*.json", "cloudwatch", "GetMetricStatistics"},
	{"testdata/patch-states-*.json", "ssm", "DescribeInstancePatchStatesForPatchGroup"},
	{"testdata/describe-instance-patches-*.json", "ssm", "DescribeInstancePatches"},
	{"testdata/patch-baseline-for-group-*.json", "ssm", "GetPatchBaselineForPatchGroup"},
	{"testdata/list-pipeline-executions-*.json", "codepipeline", "ListPipelineExecutions"},
	{"testdata/default-patch-baseline-*.json", "ssm", "GetDefaultPatchBaseline"},
	{"testdata/prefix-lists-*.json", "ec2", "DescribeManagedPrefixLists"},
	{"testdata/network-acls-*.json", "ec2", "DescribeNetworkAcls"},
	{"testdata/route-tables-*.json", "ec2", "DescribeRouteTables"},
	{"testdata/nat-gateways-*.json", "ec2", "DescribeNatGateways"},
	{"testdata/put-object.json", "s3", "PutObject"},
	{"testdata/schedule-*.json", "ssm", "DescribeMaintenanceWindowSchedule"},
	{"testdata/send-command*.json", "ssm", "SendCommand"},
	{"testdata/service-setting-*.json", "ssm", "GetServiceSetting"},
	{"testdata/stack-policy*.json", "cloudformation", "GetStackPolicy"},
	{"testdata/start-automation-execution.json", "ssm", "StartAutomationExecution"},
	{"testdata/window-execution-tasks-*.json", "ssm", "DescribeMaintenanceWindowExecutionTasks"},
	{"testdata/window-task-invocations-*.json", "ssm", "DescribeMaintenanceWindowExecutionTaskInvocations"},
	{"testdata/window-executions-*.json", "ssm", "DescribeMaintenanceWindowExecutions"},
	{"testdata/window-tasks-*.json", "ssm", "DescribeMaintenanceWindowTasks"},
	{"testdata/update-maintenance-window-task.json", "ssm", "UpdateMaintenanceWindowTask"},
	{"testdata/windows-for-target-*.json", "ssm", "DescribeMaintenanceWindowsForTarget"},
	{"../../proof/s3drift/testdata/entries-*.json", "ec2", "GetManagedPrefixListEntries"},
	{"../../proof/vpcclash/testdata/acls-*.json", "ec2", "DescribeNetworkAcls"},
	{"../../proof/vpcclash/testdata/dns-*.json", "ec2", "DescribeVpcAttribute"},
	{"../../proof/vpcclash/testdata/endpoints-*.json", "ec2", "DescribeVpcEndpoints"},
	{"../../proof/vpcclash/testdata/resources-*.json", "cloudformation", "ListStackResources"},
	{"../../proof/vpcclash/testdata/zones-*.json", "route53", "ListHostedZonesByVPC"},
	{"../../proof/vpcclash/testdata/vpc-*.json", "ec2", "DescribeVpcs"},
	{"../../proof/vpcclash/testdata/dhcp-*.json", "ec2", "DescribeDhcpOptions"},
}

// looseEnums are enum shapes whose values AWS's own CLI examples show outside the model's list:
// send-command and list-command-invocations print "NotificationType": "" for a command without
// notifications, and describe-vpc-endpoints prints "State": "available", lower case (AWS CLI
// Command Reference examples, shipped with the AWS CLI as awscli/examples/ssm/send-command.rst,
// ssm/list-command-invocations.rst, ec2/describe-vpc-endpoints.rst; read 2026-12-06).
var looseEnums = map[string]string{"ssm.NotificationType": "empty", "ec2.State": "any case"}

type apiShape struct {
	Type     string            `json:"type"`
	Members  map[string]string `json:"members"`
	Member   string            `json:"member"`
	Value    string            `json:"value"`
	Enum     []string          `json:"enum"`
	Required []string          `json:"required"`
	Min      *float64          `json:"min"`
	Max      *float64          `json:"max"`
	Pattern  string            `json:"pattern"`
}

type apiModels struct {
	Botocore string `json:"botocore"`
	Services map[string]struct {
		Outputs map[string]string   `json:"outputs"`
		Inputs  map[string]string   `json:"inputs"`
		Shapes  map[string]apiShape `json:"shapes"`
	} `json:"services"`
}

func loadAPIModels(t *testing.T) apiModels {
	data, err := os.ReadFile("testdata/api/shapes.json")
	require.NoError(t, err)
	var m apiModels
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

// isoTimestamp is how the AWS CLI v2 prints a timestamp (cli_timestamp_format iso8601).
var isoTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)

// direction says which side of a call a value is on: an answer AWS gave, as the AWS CLI prints
// it (enums AWS itself spells loosely, ISO 8601 timestamps), or a request the doctor sends, which
// AWS checks against the input shape's required members, lengths, ranges and patterns.
type direction int

const (
	answer direction = iota
	request
)

// shapeProblems are where value departs from the shape: a member the shape lacks (with the
// member of another casing, if any), a wrong JSON type, a value outside the enum; for a request,
// also a required member missing, a length or number outside its bounds, a string its pattern
// refuses.
func (m apiModels) shapeProblems(d direction, service, shapeName, path string, value any) []string {
	s, ok := m.Services[service].Shapes[shapeName]
	if !ok {
		return []string{fmt.Sprintf("%s: shape %s.%s is not in testdata/api/shapes.json", path, service, shapeName)}
	}
	wrong := func(want string) []string {
		return []string{fmt.Sprintf("%s: want %s (%s), got %s", path, want, shapeName, strings.TrimSpace(fmt.Sprintf("%.60v", value)))}
	}
	size := func(n int, what string) []string {
		switch {
		case d != request:
		case s.Min != nil && float64(n) < *s.Min:
			return []string{fmt.Sprintf("%s: %d %s, %s's minimum is %.0f", path, n, what, shapeName, *s.Min)}
		case s.Max != nil && float64(n) > *s.Max:
			return []string{fmt.Sprintf("%s: %d %s, %s's maximum is %.0f", path, n, what, shapeName, *s.Max)}
		}
		return nil
	}
	switch s.Type {
	case "structure":
		object, ok := value.(map[string]any)
		if !ok {
			return wrong("an object")
		}
		return m.memberProblems(d, service, shapeName, path, s, object)
	case "list":
		list, ok := value.([]any)
		if !ok {
			return wrong("a list")
		}
		out := size(len(list), "items")
		for i, v := range list {
			out = append(out, m.shapeProblems(d, service, s.Member, fmt.Sprintf("%s[%d]", path, i), v)...)
		}
		return out
	case "map":
		object, ok := value.(map[string]any)
		if !ok {
			return wrong("a map")
		}
		out := size(len(object), "entries")
		for _, key := range sortedKeys(object) {
			out = append(out, m.shapeProblems(d, service, s.Value, path+"["+key+"]", object[key])...)
		}
		return out
	case "string":
		text, ok := value.(string)
		if !ok {
			return wrong("a string")
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, text) && !(d == answer && looselyInEnum(service+"."+shapeName, s.Enum, text)) {
			return []string{fmt.Sprintf("%s: %q is not one of %s's values %s", path, text, shapeName, strings.Join(s.Enum, " | "))}
		}
		if out := size(len([]rune(text)), "characters"); out != nil {
			return out
		}
		// The models' patterns are Java regular expressions; those RE2 cannot read are not checked.
		if re, err := regexp.Compile(s.Pattern); d == request && err == nil && s.Pattern != "" && !re.MatchString(text) {
			return []string{fmt.Sprintf("%s: %q does not match %s's pattern %s", path, text, shapeName, s.Pattern)}
		}
	case "integer", "long", "double", "float":
		n, ok := value.(float64)
		switch {
		case !ok:
			return wrong("a number")
		case d == answer && (s.Type == "integer" || s.Type == "long") && n != float64(int64(n)):
			return wrong("an integer")
		case d == request && (s.Min != nil && n < *s.Min || s.Max != nil && n > *s.Max):
			return []string{fmt.Sprintf("%s: %v is outside %s's range", path, n, shapeName)}
		}
	case "boolean":
		if _, ok := value.(bool); !ok {
			return wrong("true or false")
		}
	case "timestamp":
		text, ok := value.(string)
		if d == answer && (!ok || !isoTimestamp.MatchString(text)) {
			return wrong("an ISO 8601 timestamp, as AWS CLI v2 prints it")
		}
		if _, err := time.Parse(time.RFC3339, text); d == request && (!ok || err != nil) {
			return wrong("an ISO 8601 timestamp")
		}
	case "blob":
		if _, ok := value.(string); !ok && d == answer {
			return wrong("a base64 string")
		}
	default:
		if d == answer {
			return []string{fmt.Sprintf("%s: %s has type %s, which this check does not know", path, shapeName, s.Type)}
		}
	}
	return nil
}

// memberProblems are a structure's members the shape lacks, and for a request its required
// members missing, then each member's own problems.
func (m apiModels) memberProblems(d direction, service, shapeName, path string, s apiShape, object map[string]any) []string {
	var out []string
	for _, r := range s.Required {
		if _, ok := object[r]; !ok && d == request {
			out = append(out, fmt.Sprintf("%s: %s is required", path, r))
		}
	}
	for _, key := range sortedKeys(object) {
		member, ok := s.Members[key]
		if !ok {
			problem := fmt.Sprintf("%s.%s: %s has no member %s", path, key, shapeName, key)
			if d == request {
				problem = fmt.Sprintf("%s: %s has no member %s", path, shapeName, key)
			}
			for name := range s.Members {
				if strings.EqualFold(name, key) {
					problem += " (it has " + name + ")"
				}
			}
			out = append(out, problem)
			continue
		}
		out = append(out, m.shapeProblems(d, service, member, path+"."+key, object[key])...)
	}
	return out
}

// looselyInEnum tells whether an answer's value is one of the enum's as looseEnums lets the AWS
// CLI print it for that shape.
func looselyInEnum(shape string, enum []string, text string) bool {
	switch looseEnums[shape] {
	case "empty":
		return text == ""
	case "any case":
		return slices.ContainsFunc(enum, func(e string) bool { return strings.EqualFold(e, text) })
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// recordingProblems checks one recorded answer against its operation's output shape. An empty
// recording is the CLI's answer without a body (it prints nothing for {}).
func (m apiModels) recordingProblems(service, operation string, data []byte) []string {
	if strings.TrimSpace(string(data)) == "" {
		return nil
	}
	var value any
	if err := json.Unmarshal(data, &value); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	output, ok := m.Services[service].Outputs[operation]
	if !ok {
		return []string{fmt.Sprintf("%s %s is not in testdata/api/shapes.json: add it to extract.py", service, operation)}
	}
	return m.shapeProblems(answer, service, output, operation, value)
}

func TestEveryFixtureFollowsItsOperationsOutputShape(t *testing.T) {
	m := loadAPIModels(t)
	covered := map[string]bool{}
	for _, f := range fixtureOperations {
		files, err := filepath.Glob(f.pattern)
		require.NoError(t, err)
		require.NotEmpty(t, files, "no recording matches %s", f.pattern)
		for _, file := range files {
			covered[file] = true
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Empty(t, m.recordingProblems(f.service, f.operation, data), "%s is not what %s %s answers (botocore %s)", file, f.service, f.operation, m.Botocore)
		}
	}
	recordings, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	for _, file := range recordings {
		assert.True(t, covered[file], "%s: name the operation it answers in fixtureOperations", file)
	}
}

// Planted failures: each drift the check exists for is caught, on a copy of a real recording.
func TestTheShapeCheckCatchesADriftedRecording(t *testing.T) {
	m := loadAPIModels(t)
	good, err := os.ReadFile("testdata/describe-instance-information-fleet.json")
	require.NoError(t, err)
	require.Empty(t, m.recordingProblems("ssm", "DescribeInstanceInformation", good))
	for _, tc := range []struct{ name, from, to, want string }{
		{"a member in another casing", `"PingStatus"`, `"Pingstatus"`, "has no member Pingstatus (it has PingStatus)"},
		{"an invented member", `"ComputerName"`, `"Hostname"`, "has no member Hostname"},
		{"an enum value AWS does not use", `"Online"`, `"ONLINE"`, `"ONLINE" is not one of PingStatus's values Online | ConnectionLost | Inactive`},
		{"a timestamp as CLI v1 prints SSM's", `"2026-11-27T11:58:12.404000+00:00"`, `1796731092.404`, "want an ISO 8601 timestamp"},
		{"a boolean as a string", `"IsLatestVersion": false`, `"IsLatestVersion": "false"`, "want true or false"},
		{"a single value for a list", `"InstanceInformationList": [`, `"InstanceInformationList": [[`, "want an object"},
	} {
		drifted := strings.Replace(string(good), tc.from, tc.to, 1)
		if tc.name == "a single value for a list" {
			drifted = strings.Replace(drifted, "\n    ]\n}", "\n    ]]\n}", 1)
		}
		require.NotEqual(t, string(good), drifted, tc.name)
		problems := m.recordingProblems("ssm", "DescribeInstanceInformation", []byte(drifted))
		assert.True(t, slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }), "%s: %v", tc.name, problems)
	}
	assert.Contains(t, m.recordingProblems("ssm", "ListAssociations", []byte(`{"Associations": {"AssociationId": "x"}}`)),
		"ListAssociations.Associations: want a list (AssociationList), got map[AssociationId:x]")
	assert.NotEmpty(t, m.recordingProblems("cloudwatch", "GetMetricStatistics", []byte(`{"Datapoints": [{"Timestamp": "2026-11-27T11:30:00Z", "Minimum": "1"}]}`)),
		"a number as a string")
}
