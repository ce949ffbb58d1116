package doctor

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every AWS CLI command a test of this package sends (make doctor's calls, make patch-now's) is
// checked, after the tests, against its operation's input shape in the API models the AWS CLI
// uses (testdata/api/shapes.json, botocore's service-2.json): the operation and each parameter
// exist (the CLI's --kebab-case of the member names), required ones are there, and each value
// keeps its shape's type, enum, length, pattern and list size. AWS refuses a call that does not
// (a ValidationException), and a refusal the recordings cannot show would stop a real run.

var (
	requestsMu sync.Mutex
	requests   = map[string][]string{}
)

func recordRequest(args []string) {
	requestsMu.Lock()
	defer requestsMu.Unlock()
	requests[strings.Join(args, "\x00")] = slices.Clone(args)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && len(requests) > 0 {
		data, err := os.ReadFile("testdata/api/shapes.json")
		var models apiModels
		if err == nil {
			err = json.Unmarshal(data, &models)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "requests: testdata/api/shapes.json:", err)
			os.Exit(1)
		}
		var problems []string
		for _, key := range slices.Sorted(func(yield func(string) bool) {
			for k := range requests {
				if !yield(k) {
					return
				}
			}
		}) {
			for _, p := range models.requestProblems(requests[key]) {
				problems = append(problems, "aws "+strings.Join(requests[key], " ")+":\n    "+p)
			}
		}
		if len(problems) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: %d request(s) AWS would refuse (input shapes, botocore %s):\n%s\n", len(problems), models.Botocore, strings.Join(problems, "\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// cliGlobal are the AWS CLI's own options, not parameters of an operation.
var cliGlobal = []string{"query", "output", "region", "profile", "no-paginate"}

// squash is a name without case or hyphens: the CLI's --output-s3-bucket-name is the model's
// OutputS3BucketName, describe-instance-information its DescribeInstanceInformation.
func squash(name string) string { return strings.ToLower(strings.ReplaceAll(name, "-", "")) }

// requestProblems checks one command (the arguments after aws) against its input shape.
func (m apiModels) requestProblems(args []string) []string {
	if len(args) < 2 {
		return []string{"no operation"}
	}
	service := args[0]
	// The CLI's service names that are not the API model's.
	if model, ok := map[string]string{"s3api": "s3", "configservice": "config"}[service]; ok {
		service = model
	}
	var operation, input string
	for op, shape := range m.Services[service].Inputs {
		if squash(op) == squash(args[1]) {
			operation, input = op, shape
		}
	}
	if operation == "" {
		return []string{fmt.Sprintf("%s %s is not an operation testdata/api/extract.py lists (CALLED)", args[0], args[1])}
	}
	top := m.Services[service].Shapes[input]
	given := map[string]any{}
	var problems []string
	for i := 2; i < len(args); i++ {
		if !strings.HasPrefix(args[i], "--") {
			problems = append(problems, fmt.Sprintf("%q is a value without a parameter", args[i]))
			continue
		}
		name := strings.TrimPrefix(args[i], "--")
		var values []string
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			values = append(values, args[i+1])
			i++
		}
		if slices.Contains(cliGlobal, name) {
			continue
		}
		member := ""
		for n := range top.Members {
			if squash(n) == squash(name) {
				member = n
			}
		}
		if member == "" {
			problems = append(problems, fmt.Sprintf("%s has no parameter --%s", operation, name))
			continue
		}
		value, err := m.cliValue(service, top.Members[member], values)
		if err != nil {
			problems = append(problems, fmt.Sprintf("--%s: %v", name, err))
			continue
		}
		given[member] = value
	}
	return append(problems, m.shapeProblems(request, service, input, operation, given)...)
}

// cliValue reads a parameter's values as the AWS CLI does: JSON or shorthand (Name=X,Value=Y)
// for a structure or a list of them, space-separated values for a list of scalars, a number for
// a number. A blob (s3api put-object --body) is a file name and is not read.
func (m apiModels) cliValue(service, shapeName string, values []string) (any, error) {
	s := m.Services[service].Shapes[shapeName]
	one := func() (string, error) {
		if len(values) != 1 {
			return "", fmt.Errorf("%d values for a %s", len(values), s.Type)
		}
		return values[0], nil
	}
	switch s.Type {
	case "boolean":
		if len(values) == 0 {
			return true, nil
		}
		return nil, fmt.Errorf("a boolean is a flag")
	case "blob":
		return nil, nil
	case "integer", "long", "double", "float":
		v, err := one()
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", v)
		}
		return n, nil
	case "string", "timestamp":
		return one()
	case "list":
		if len(values) == 1 && strings.HasPrefix(values[0], "[") {
			var v any
			return v, json.Unmarshal([]byte(values[0]), &v)
		}
		var out []any
		for _, v := range values {
			item, err := m.cliValue(service, s.Member, []string{v})
			if err != nil {
				return nil, err
			}
			out = append(out, item)
		}
		return out, nil
	}
	v, err := one()
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(v, "{") {
		var out any
		return out, json.Unmarshal([]byte(v), &out)
	}
	out := map[string]any{} // shorthand: Key=Value,Key=Value
	for _, pair := range strings.Split(v, ",") {
		key, value, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("%q is neither JSON nor shorthand", v)
		}
		out[key] = value
	}
	return out, nil
}

// Planted failures: each kind of request AWS refuses is caught; the calls make doctor makes pass.
func TestTheRequestCheckCatchesWhatAWSRefuses(t *testing.T) {
	m := loadAPIModels(t)
	for _, ok := range [][]string{
		{"ssm", "get-maintenance-window", "--window-id", "mw-0123456789abcdef0"},
		{"cloudwatch", "get-metric-statistics", "--namespace", "AWS/Events", "--metric-name", "FailedInvocations", "--dimensions", "Name=RuleName,Value=r",
			"--start-time", "2026-11-26T12:00:00Z", "--end-time", "2026-11-27T12:00:00Z", "--period", "86400", "--statistics", "Sum"},
		{"cloudformation", "get-template", "--stack-name", "privatepatch-fleet", "--query", "TemplateBody"},
	} {
		assert.Empty(t, m.requestProblems(ok), ok)
	}
	var names []string
	for i := range 101 {
		names = append(names, fmt.Sprintf("alarm-%d", i))
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ssm", "get-maintenance-windows", "--window-id", "mw-0123456789abcdef0"}, "is not an operation"},
		{[]string{"ssm", "get-maintenance-window", "--window-ids", "mw-0123456789abcdef0"}, "has no parameter --window-ids"},
		{[]string{"ssm", "get-maintenance-window"}, "WindowId is required"},
		{[]string{"ssm", "get-maintenance-window", "--window-id", "mw-0123"}, "minimum is 20"},
		{[]string{"ssm", "describe-maintenance-windows-for-target", "--resource-type", "Instance", "--targets", `[{"Key":"InstanceIds","Values":["i-0a1b2c3d4e5f60001"]}]`},
			`"Instance" is not one of MaintenanceWindowResourceType's values`},
		{[]string{"ssm", "send-command", "--document-name", "AWS-RunPatchBaseline", "--comment", strings.Repeat("x", 101)}, "101 characters, Comment's maximum is 100"},
		{[]string{"ssm", "send-command", "--document-name", "AWS-RunPatchBaseline", "--max-concurrency", "0"}, "does not match MaxConcurrency's pattern"},
		{[]string{"ssm", "send-command", "--document-name", "AWS-RunPatchBaseline", "--timeout-seconds", "2.592e+06x"}, "is not a number"},
		{[]string{"ssm", "send-command", "--document-name", "AWS-RunPatchBaseline", "--notification-config", `{"NotificationType":"Commands"}`}, `"Commands" is not one of NotificationType's values`},
		{append([]string{"cloudwatch", "describe-alarms", "--alarm-names"}, names...), "101 items, AlarmNames's maximum is 100"},
		{[]string{"cloudwatch", "get-metric-statistics", "--namespace", "N", "--metric-name", "M", "--start-time", "yesterday", "--end-time", "2026-11-27T12:00:00Z", "--period", "60"},
			"want an ISO 8601 timestamp"},
	} {
		problems := m.requestProblems(tc.args)
		require.NotEmpty(t, problems, tc.args)
		assert.True(t, slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }), "%v: %v", tc.args[:2], problems)
	}
}
