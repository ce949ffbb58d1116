package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/privatepatch/privatepatch/calendar"
	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// State is a check's verdict.
type State string

const (
	OK   State = "OK"
	Warn State = "WARN" // not broken, but not done yet or needing a look
	Fail State = "FAIL"
)

// Result is one line of the table: what was checked, the verdict, what AWS said, what to do.
type Result struct {
	Check    string
	State    State
	Evidence string
	Action   string
}

// Target is one deployment to examine: its stacks and what the configuration says about it.
type Target struct {
	// Environment is the environment's name, "" without environments.
	Environment                string
	Region                     string // "" is the CLI's configured region
	Network, Fleet, Patching   string // stack names
	FleetTagKey, FleetTagValue string
	PatchGroups                []string
	PatchGroupTagKeys          []string
	WsusEnabled                bool
	// HealthNamespace is where the deployment's WSUS server publishes its health: one namespace
	// per deployment (constructs/wsus HealthNamespaceOf).
	HealthNamespace string
	// Windows are the configured maintenance windows, whose runs the patch calendar computes.
	Windows []calendar.Window
}

// TargetsOf are the deployments of a configuration: one, or one per environment.
func TargetsOf(cfg *config.Config) []Target {
	var out []Target
	for _, d := range cfg.Deployments() {
		out = append(out, Target{
			Environment: d.Environment, Region: d.Region,
			Network: d.StackName("network"), Fleet: d.StackName("fleet"), Patching: d.StackName("patching"),
			FleetTagKey: d.Fleet.Tag.Key, FleetTagValue: d.Fleet.Tag.Value,
			PatchGroups: d.PatchGroups(), PatchGroupTagKeys: config.PatchGroupTagKeys, WsusEnabled: d.Wsus.Enabled,
			HealthNamespace: wsusspec.HealthNamespaceOf(d.NamePrefix()), Windows: calendar.Windows(d),
		})
	}
	return out
}

// CouldNotRun is an error that stops the examination before any verdict: no credentials, no
// stacks, a CLI that fails. make doctor exits 2 on it.
type CouldNotRun struct{ Err error }

func (e CouldNotRun) Error() string { return e.Err.Error() }
func (e CouldNotRun) Unwrap() error { return e.Err }

// Examine runs every check on one deployment. Its error is a CouldNotRun.
func Examine(aws AWS, t Target, now time.Time) ([]Result, error) {
	d := &deployment{aws: aws, t: t, now: now}
	if err := d.readStacks(); err != nil {
		return nil, CouldNotRun{err}
	}
	var results []Result
	for _, check := range []func() ([]Result, error){
		d.checkNodes, d.checkWsusSetup, d.checkWsusSync, d.checkWsusClient, d.checkScans,
		d.checkWindows, d.checkSchedules, d.checkAlarms, d.checkS3Drift, d.checkS3Endpoint, d.checkCompetingPatching, d.checkProtection,
	} {
		r, err := check()
		if err != nil {
			return nil, CouldNotRun{err}
		}
		results = append(results, r...)
	}
	return results, nil
}

// Failed tells whether any result failed.
func Failed(results []Result) bool {
	return slices.ContainsFunc(results, func(r Result) bool { return r.State == Fail })
}

// Print writes the results as one table.
func Print(out io.Writer, results []Result) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "CHECK\tSTATE\tEVIDENCE\tWHAT TO DO")
	for _, r := range results {
		action := r.Action
		if action == "" {
			action = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.Check, r.State, r.Evidence, action)
	}
	w.Flush()
}

// deployment is what Examine has read of one deployment so far.
type deployment struct {
	aws                      AWS
	t                        Target
	now                      time.Time
	network, fleet, patching stack
	region                   string // from the stacks' ids
	nodes                    map[string]node
}

type stack struct {
	Name                  string
	Id                    string
	TerminationProtection bool
	Outputs               map[string]string
	Resources             []stackResource
}

type stackResource struct {
	LogicalResourceId  string `json:"LogicalResourceId"`
	PhysicalResourceId string `json:"PhysicalResourceId"`
	ResourceType       string `json:"ResourceType"`
}

// physical are the physical ids of a stack's resources of one type whose logical id starts with
// prefix (CDK appends a hash to the construct path).
func (s stack) physical(resourceType, prefix string) []string {
	var out []string
	for _, r := range s.Resources {
		if r.ResourceType == resourceType && strings.HasPrefix(r.LogicalResourceId, prefix) && r.PhysicalResourceId != "" {
			out = append(out, r.PhysicalResourceId)
		}
	}
	slices.Sort(out)
	return out
}

func (d *deployment) call(into any, args ...string) error {
	data, err := d.aws.JSON(args...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("aws %s: not the JSON expected: %w", strings.Join(args, " "), err)
	}
	return nil
}

// readStacks reads the three stacks' outputs and resources (DescribeStacks, ListStackResources).
func (d *deployment) readStacks() error {
	for _, s := range []struct {
		name string
		into *stack
	}{{d.t.Network, &d.network}, {d.t.Fleet, &d.fleet}, {d.t.Patching, &d.patching}} {
		var described struct {
			Stacks []struct {
				StackId                     string `json:"StackId"`
				StackName                   string `json:"StackName"`
				EnableTerminationProtection bool   `json:"EnableTerminationProtection"`
				Outputs                     []struct {
					OutputKey   string `json:"OutputKey"`
					OutputValue string `json:"OutputValue"`
				} `json:"Outputs"`
			} `json:"Stacks"`
		}
		err := d.call(&described, "cloudformation", "describe-stacks", "--stack-name", s.name)
		if notFound(err) || (err == nil && len(described.Stacks) == 0) {
			return fmt.Errorf("stack %s is not deployed in this account and region (%s): run make deploy, or check the credentials and region", s.name, orDefault(d.t.Region))
		} else if err != nil {
			return err
		}
		got := described.Stacks[0]
		*s.into = stack{Name: s.name, Id: got.StackId, TerminationProtection: got.EnableTerminationProtection, Outputs: map[string]string{}}
		for _, o := range got.Outputs {
			s.into.Outputs[o.OutputKey] = o.OutputValue
		}
		var listed struct {
			StackResourceSummaries []stackResource `json:"StackResourceSummaries"`
		}
		if err := d.call(&listed, "cloudformation", "list-stack-resources", "--stack-name", s.name); err != nil {
			return err
		}
		s.into.Resources = listed.StackResourceSummaries
	}
	// arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID
	if parts := strings.Split(d.network.Id, ":"); len(parts) > 3 {
		d.region = parts[3]
	}
	return nil
}

func orDefault(region string) string {
	if region == "" {
		return "the CLI's default region"
	}
	return region
}

// Time is an AWS CLI timestamp: ISO 8601 (CLI v2's default, and CloudFormation's) or epoch
// seconds (CLI v1 prints SSM's JSON-protocol timestamps as numbers).
type Time struct{ time.Time }

func (t *Time) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		parsed, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return err
		}
		t.Time = parsed
		return nil
	}
	var seconds float64
	if err := json.Unmarshal(data, &seconds); err != nil {
		return fmt.Errorf("not a timestamp: %s", data)
	}
	t.Time = time.Unix(0, int64(seconds*1e9)).UTC()
	return nil
}

// ago says how long before now t was, in hours or days.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	h := now.Sub(t).Hours()
	if h < 48 {
		return fmt.Sprintf("%.0f h ago", h)
	}
	return fmt.Sprintf("%.0f days ago", h/24)
}
