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
	{"testdata/list-tags-for-resource-*.json", "ssm", "ListTagsForResource"},
	{"testdata/metric-*.json", "cloudwatch", "GetMetricStatistics"},
	{"testdata/patch-states-*.json", "ssm", "DescribeInstancePatchStatesForPatchGroup"},
	{"testdata/prefix-lists-*.json", "ec2", "DescribeManagedPrefixLists"},
	{"testdata/put-object.json", "s3", "PutObject"},
	{"testdata/schedule-*.json", "ssm", "DescribeMaintenanceWindowSchedule"},
	{"testdata/send-command*.json", "ssm", "SendCommand"},
	{"testdata/service-setting-*.json", "ssm", "GetServiceSetting"},
	{"testdata/stack-policy*.json", "cloudformation", "GetStackPolicy"},
	{"testdata/start-automation-execution.json", "ssm", "StartAutomationExecution"},
	{"testdata/window-execution-tasks-*.json", "ssm", "DescribeMaintenanceWindowExecutionTasks"},
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

// shapeProblems are where value departs from the shape: a member the shape lacks (with the
// member of another casing, if any), a wrong JSON type, a value outside the enum.
func (m apiModels) shapeProblems(service, shapeName, path string, value any) []string {
	s, ok := m.Services[service].Shapes[shapeName]
	if !ok {
		return []string{fmt.Sprintf("%s: shape %s.%s is not in testdata/api/shapes.json", path, service, shapeName)}
	}
	wrong := func(want string) []string {
		return []string{fmt.Sprintf("%s: want %s (%s), got %s", path, want, shapeName, strings.TrimSpace(fmt.Sprintf("%.60v", value)))}
	}
	switch s.Type {
	case "structure":
		object, ok := value.(map[string]any)
		if !ok {
			return wrong("an object")
		}
		var out []string
		for _, key := range sortedKeys(object) {
			member, ok := s.Members[key]
			if !ok {
				problem := fmt.Sprintf("%s.%s: %s has no member %s", path, key, shapeName, key)
				for name := range s.Members {
					if strings.EqualFold(name, key) {
						problem += " (it has " + name + ")"
					}
				}
				out = append(out, problem)
				continue
			}
			out = append(out, m.shapeProblems(service, member, path+"."+key, object[key])...)
		}
		return out
	case "list":
		list, ok := value.([]any)
		if !ok {
			return wrong("a list")
		}
		var out []string
		for i, v := range list {
			out = append(out, m.shapeProblems(service, s.Member, fmt.Sprintf("%s[%d]", path, i), v)...)
		}
		return out
	case "map":
		object, ok := value.(map[string]any)
		if !ok {
			return wrong("a map")
		}
		var out []string
		for _, key := range sortedKeys(object) {
			out = append(out, m.shapeProblems(service, s.Value, path+"["+key+"]", object[key])...)
		}
		return out
	case "string":
		text, ok := value.(string)
		if !ok {
			return wrong("a string")
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, text) {
			switch looseEnums[service+"."+shapeName] {
			case "empty":
				if text == "" {
					return nil
				}
			case "any case":
				if slices.ContainsFunc(s.Enum, func(e string) bool { return strings.EqualFold(e, text) }) {
					return nil
				}
			}
			return []string{fmt.Sprintf("%s: %q is not one of %s's values %s", path, text, shapeName, strings.Join(s.Enum, " | "))}
		}
	case "integer", "long":
		if n, ok := value.(float64); !ok || n != float64(int64(n)) {
			return wrong("an integer")
		}
	case "double", "float":
		if _, ok := value.(float64); !ok {
			return wrong("a number")
		}
	case "boolean":
		if _, ok := value.(bool); !ok {
			return wrong("true or false")
		}
	case "timestamp":
		if text, ok := value.(string); !ok || !isoTimestamp.MatchString(text) {
			return wrong("an ISO 8601 timestamp, as AWS CLI v2 prints it")
		}
	case "blob":
		if _, ok := value.(string); !ok {
			return wrong("a base64 string")
		}
	default:
		return []string{fmt.Sprintf("%s: %s has type %s, which this check does not know", path, shapeName, s.Type)}
	}
	return nil
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
	return m.shapeProblems(service, output, operation, value)
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
