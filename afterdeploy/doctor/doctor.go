package doctor

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/calendar"
	"github.com/privatepatch/privatepatch/proof/s3drift"
)

// State is a check's verdict.
type State string

const (
	OK   State = "OK"
	Warn State = "WARN" // not broken, but not done yet or needing a look
	Fail State = "FAIL"
	// Unchecked is a check that could not be made: a call it needs failed (denied, throttled).
	// The other checks still run, and the run is incomplete.
	Unchecked State = "COULD NOT CHECK"
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
	// Account is the environment's account id, "" when the configuration names none.
	Account string
	// Windows are the configured maintenance windows, whose runs the patch calendar computes.
	Windows []calendar.Window
	// Hooks: a window task runs AWS-RunPatchBaselineWithHooks, which needs a newer agent.
	Hooks bool
	// Pipeline is the pipeline stack's name, and PipelineName its CodePipeline pipeline's: set
	// only on the target PipelineTargetOf returns, which ExaminePipeline examines.
	Pipeline, PipelineName string
	// Flows are what the needed network flows depend on (netpath.FlowSet), for the ACLs of an
	// existing VPC that privatepatch leaves alone (checkVpcAcls).
	Flows Flows
}

// Flows are the network settings the needed flows depend on.
type Flows struct {
	AdminCidrs, HubCidrs, WsusClientCidrs []string
	PrivateInternetRoute                  bool
	// WsusInPrivateSubnet: the WSUS server sits in a private subnet (existingVpc.wsusSubnet).
	WsusInPrivateSubnet bool
}

// flowsOf are a deployment's Flows.
func flowsOf(d *config.Config) Flows {
	f := Flows{AdminCidrs: d.Network.AdminCidrs, WsusClientCidrs: d.Network.WsusClientCidrs, PrivateInternetRoute: d.Network.PrivateInternetRoute()}
	if e := d.Network.ExistingVpc; e != nil {
		if e.InterfaceEndpoints == config.EndpointsHub {
			f.HubCidrs = e.HubCidrs
		}
		f.WsusInPrivateSubnet = e.WsusSubnet == config.WsusInPrivateSubnet
	}
	return f
}

// PipelineTargetOf is the pipeline of a configuration in pipeline mode, in its account and
// region, and false without one.
func PipelineTargetOf(cfg *config.Config) (Target, bool) {
	if !cfg.Pipeline.Enabled {
		return Target{}, false
	}
	return Target{Environment: "pipeline", Region: cfg.PipelineRegion(), Account: cfg.PipelineAccount(),
		Pipeline: cfg.PipelineStackName(), PipelineName: cfg.PipelineName()}, true
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
			HealthNamespace: wsusspec.HealthNamespaceOf(d.NamePrefix()), Account: d.Account,
			Windows: calendar.Windows(d), Hooks: d.Patching.UsesHooks(), Flows: flowsOf(d),
		})
	}
	return out
}

// CouldNotRun is an error that stops the examination before any verdict: no credentials, no
// stacks, a CLI that fails. make doctor exits 2 on it.
type CouldNotRun struct{ Err error }

func (e CouldNotRun) Error() string { return e.Err.Error() }
func (e CouldNotRun) Unwrap() error { return e.Err }

// Examine runs every check on one deployment. Its error is a CouldNotRun: a stack that is not
// deployed, or an AWS CLI that cannot answer at all (no credentials, no network). A call that AWS
// answers with an error (denied, throttled) makes a COULD NOT CHECK row for the check that needs
// it, naming the call and the IAM permission, and every other check still runs.
func Examine(aws AWS, t Target, now time.Time) ([]Result, error) {
	d := &deployment{aws: aws, t: t, now: now}
	who, err := d.identify()
	if err != nil {
		return nil, CouldNotRun{err}
	}
	results, err := d.readStacks()
	if err != nil {
		return nil, CouldNotRun{err}
	}
	results = append([]Result{who}, results...)
	for _, c := range []struct {
		name   string // the row of a check that could not be made at all
		stacks []*stack
		run    func() ([]Result, error)
	}{
		{"node", []*stack{&d.fleet}, d.checkNodes},
		{"WSUS setup", []*stack{&d.fleet}, d.checkWsusSetup},
		{"WSUS synchronisation", []*stack{&d.fleet}, d.checkWsusSync},
		{"WSUS client", []*stack{&d.fleet}, d.checkWsusClient},
		{"patch group", []*stack{&d.fleet, &d.patching}, d.checkScans},
		{"patch baselines", []*stack{&d.patching}, d.checkBaselines},
		{"window", []*stack{&d.fleet, &d.patching}, d.checkWindows},
		{"schedule", []*stack{&d.patching}, d.checkSchedules},
		{"alarm", []*stack{&d.patching}, d.checkAlarms},
		{"stop alarms", []*stack{&d.patching}, d.checkStopAlarms},
		{"alert rules", []*stack{&d.patching}, d.checkAlertRules},
		{"alert subscriptions", []*stack{&d.patching}, d.checkAlertSubscriptions},
		{"Inspector", []*stack{&d.patching}, d.checkInspector},
		{"Security Hub standard", []*stack{&d.patching}, d.checkSecurityHubStandards},
		{"inventory sync", []*stack{&d.patching}, d.checkInventorySync},
		{"Config recorder", []*stack{&d.patching}, d.checkConfigRecorder},
		{"Config rule", []*stack{&d.patching}, d.checkConfigRules},
		{"S3 prefix list", []*stack{&d.network}, d.checkS3Drift},
		{"S3 endpoint policy", []*stack{&d.network, &d.fleet}, d.checkS3Endpoint},
		{"network ACLs", []*stack{&d.network}, d.checkVpcAcls},
		{"other patching", []*stack{&d.fleet, &d.patching}, d.checkCompetingPatching},
		{"other inventory", []*stack{&d.fleet, &d.patching}, d.checkCompetingInventory},
		{"data protection", []*stack{&d.network, &d.fleet, &d.patching}, d.checkProtection},
	} {
		if err := d.unread(c.stacks...); err != nil {
			results = append(results, couldNotCheck(c.name, err))
			continue
		}
		r, err := c.run()
		results = append(results, r...)
		if err != nil {
			results = append(results, couldNotCheck(c.name, err))
		}
	}
	return results, nil
}

// identify is the first row: which account (the caller's, GetCallerIdentity), region and stacks
// are examined. It refuses, with an error, when the configuration names the environment's account
// and the credentials are another's: their answers would be about another deployment.
func (d *deployment) identify() (Result, error) {
	var caller struct {
		Account string `json:"Account"`
		Arn     string `json:"Arn"`
	}
	where := fmt.Sprintf("region %s, stacks %s, %s, %s", orDefault(d.t.Region), d.t.Network, d.t.Fleet, d.t.Patching)
	if d.t.Pipeline != "" {
		where = fmt.Sprintf("region %s, stack %s", orDefault(d.t.Region), d.t.Pipeline)
	} else if d.t.Environment != "" {
		where = "environment " + d.t.Environment + ", " + where
	}
	err := d.call(&caller, "sts", "get-caller-identity")
	if credentialsRefused(err) {
		return Result{}, fmt.Errorf("%w: no credentials, or refused ones: refresh the credentials (aws sso login, new session credentials) "+
			"or give a profile (make doctor PROFILES=<environment>=<profile>, or AWS_PROFILE), then make doctor again", err)
	} else if _, _, answered := APIError(err); answered {
		return couldNotCheck("deployment", err), nil
	} else if err != nil {
		return Result{}, err
	}
	if d.t.Account != "" && caller.Account != d.t.Account {
		name := d.t.Environment
		if name == "" {
			name = "the deployment"
		}
		return Result{}, fmt.Errorf("refused: %s is in account %s, and the credentials (%s) are account %s's: give a profile of account %s (make doctor PROFILES=%s=<profile>, or AWS_PROFILE)",
			name, d.t.Account, caller.Arn, caller.Account, d.t.Account, orName(d.t.Environment))
	}
	return Result{Check: "deployment", State: OK, Evidence: fmt.Sprintf("account %s (as %s), %s", caller.Account, caller.Arn, where)}, nil
}

func orName(environment string) string {
	if environment == "" {
		return "<name>"
	}
	return environment
}

// couldNotCheck is the row of a check whose call failed: the command, AWS's answer, and the
// permission it needs.
func couldNotCheck(check string, err error) Result {
	r := Result{Check: check, State: Unchecked, Evidence: err.Error()}
	var cliErr *CLIError
	if !errors.As(err, &cliErr) {
		r.Action = "report it: the answer was not what the AWS API reference describes"
		return r
	}
	r.Evidence = "aws " + strings.Join(cliErr.Args[:min(2, len(cliErr.Args))], " ") + ": " + cliErr.Stderr
	permission := Permission(cliErr.Args, err)
	switch code, _, _ := APIError(err); {
	// Throttled: Amazon SNS's ThrottledException (HTTP 429, botocore's sns model).
	case slices.Contains([]string{"ThrottlingException", "Throttling", "Throttled", "RequestLimitExceeded", "TooManyRequestsException"}, code):
		r.Action = "throttled: run make doctor again later (the AWS CLI already retried)"
	case denied(code):
		r.Action = "allow " + permission + " to the caller, then make doctor again"
	case credentialsRefused(err):
		r.Action = "the credentials were refused (they expired during the run?): refresh the credentials, then make doctor again"
	default:
		// Not a permission: a resource the stack lists that AWS no longer has (DoesNotExistException),
		// a value AWS refuses. More permissions would not help.
		r.Action = fmt.Sprintf("AWS answered %s, not a denial: a resource of the stack changed outside CloudFormation shows in aws cloudformation detect-stack-drift; fix it, then make doctor again", code)
	}
	return r
}

// denied tells whether an error code is IAM's refusal: AccessDeniedException (JSON protocol
// services: Systems Manager; "Common Errors", Systems Manager API Reference), AccessDenied (query
// protocol services: CloudFormation, STS, CloudWatch), UnauthorizedOperation (EC2: "Error codes
// for the Amazon EC2 API"; read 2026-12-06), AuthorizationError (Amazon SNS: "Indicates that the
// user has been denied access to the requested resource", HTTP 403, ListSubscriptionsByTopic's
// errors, Amazon SNS API Reference, read 2026-12-06).
func denied(code string) bool {
	return strings.HasPrefix(code, "AccessDenied") || code == "UnauthorizedOperation" || code == "AuthorizationError"
}

// credentialCodes are the error codes of credentials AWS refuses: expired (ExpiredTokenException,
// "The security token included in the request is expired", STS's spelling ExpiredToken), unknown
// (InvalidClientTokenId, "The X.509 certificate or AWS access key ID provided does not exist in our
// records"; UnrecognizedClientException, the JSON services' spelling), EC2's AuthFailure, and a bad
// secret key (SignatureDoesNotMatch) ("Common Errors", AWS Management Console guide and the service
// API references; "Error codes for the Amazon EC2 API"; read 2026-12-07). Also EC2's expired
// temporary credentials, RequestExpired ("there are actually three different error codes which
// imply expired credentials. ExpiredTokenException, ExpiredToken, RequestExpired", on which the SDK
// refreshes them: aws/aws-sdk-go pull request #253), and the JSON protocol services' bad signature,
// InvalidSignatureException (Systems Manager's {"__type":"InvalidSignatureException","message":"The
// request signature we calculated does not match ..."}: CrowdStrike/falcon-scripts issue #126;
// aws/aws-sdk-js issue #168 alike); both read 2026-12-07.
var credentialCodes = []string{"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId", "UnrecognizedClientException",
	"AuthFailure", "SignatureDoesNotMatch", "InvalidSignatureException"}

// credentialTexts are what the AWS CLI prints, with no API answer, when it has no credentials to
// sign with: none found (botocore's NoCredentialsError, "Unable to locate credentials"), or an IAM
// Identity Center session expired, by botocore's exception formats (botocore/exceptions.py, read
// 2026-12-07): UnauthorizedSSOTokenError "The SSO session associated with this profile has expired
// or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding
// profile.", SSOTokenLoadError "Error loading SSO Token: {error_msg}" and TokenRetrievalError
// "Error when retrieving token from {provider}: {error_msg}" (provider sso, "Token has expired and
// refresh failed").
var credentialTexts = []string{"Unable to locate credentials", "SSO session associated with this profile has expired",
	"Error loading SSO Token", "Error when retrieving token from sso"}

// credentialsRefused tells whether the credentials did not work: a refused code, or a text of the
// AWS CLI having none to sign with.
func credentialsRefused(err error) bool {
	var cliErr *CLIError
	if !errors.As(err, &cliErr) {
		return false
	}
	code, _, _ := APIError(err)
	return slices.Contains(credentialCodes, code) || slices.ContainsFunc(credentialTexts, func(text string) bool { return strings.Contains(cliErr.Stderr, text) })
}

// Failed tells whether any result failed.
func Failed(results []Result) bool {
	return slices.ContainsFunc(results, func(r Result) bool { return r.State == Fail })
}

// Incomplete tells whether a check could not be made.
func Incomplete(results []Result) bool {
	return slices.ContainsFunc(results, func(r Result) bool { return r.State == Unchecked })
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
	pipeline                 stack                     // the pipeline stack, in ExaminePipeline
	region, account          string                    // from the stacks' ids
	nodes                    map[string]node           // managed nodes with the fleet tag
	instances                map[string]instance       // running EC2 instances with the fleet tag
	dhmc                     *dhmcState                // Default Host Management Configuration, once read
	templates                map[string]map[string]any // deployed templates read so far, by stack name
	s3List                   *s3drift.Live             // the region's S3 prefix list, once read
	// failedStacks are the stacks whose description AWS refused, by name.
	failedStacks map[*stack]error
}

// unread is the error of the first of these stacks that could not be read, or nil.
func (d *deployment) unread(stacks ...*stack) error {
	for _, s := range stacks {
		if err := d.failedStacks[s]; err != nil {
			return fmt.Errorf("needs stack %s, which could not be read: %w", d.stackName(s), err)
		}
	}
	return nil
}

func (d *deployment) stackName(s *stack) string {
	switch s {
	case &d.network:
		return d.t.Network
	case &d.fleet:
		return d.t.Fleet
	case &d.pipeline:
		return d.t.Pipeline
	}
	return d.t.Patching
}

type stack struct {
	Name                  string
	Id                    string
	Created               time.Time
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
	if len(bytes.TrimSpace(data)) == 0 {
		// The AWS CLI prints nothing at all for an empty answer (GetStackPolicy of a stack without
		// a policy, an empty list): every field is absent.
		return nil
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("aws %s: not the JSON expected: %w", strings.Join(args, " "), err)
	}
	return nil
}

// readStacks reads the three stacks' outputs and resources (DescribeStacks, ListStackResources).
// A stack that is not deployed, or a CLI that cannot answer, stops the examination; a stack AWS
// refuses to describe becomes a row, and the checks that need it rows of their own.
func (d *deployment) readStacks(stacks ...*stack) ([]Result, error) {
	if len(stacks) == 0 {
		stacks = []*stack{&d.network, &d.fleet, &d.patching} // a deployment's
	}
	d.failedStacks = map[*stack]error{}
	var results []Result
	for _, s := range stacks {
		name := d.stackName(s)
		var described struct {
			Stacks []struct {
				StackId                     string `json:"StackId"`
				StackName                   string `json:"StackName"`
				StackStatus                 string `json:"StackStatus"`
				StackStatusReason           string `json:"StackStatusReason"`
				CreationTime                Time   `json:"CreationTime"`
				EnableTerminationProtection bool   `json:"EnableTerminationProtection"`
				Outputs                     []struct {
					OutputKey   string `json:"OutputKey"`
					OutputValue string `json:"OutputValue"`
				} `json:"Outputs"`
			} `json:"Stacks"`
		}
		err := d.call(&described, "cloudformation", "describe-stacks", "--stack-name", name)
		if notFound(err) || (err == nil && len(described.Stacks) == 0) {
			return nil, fmt.Errorf("stack %s is not deployed in this account and region (%s): run make deploy, or check the credentials and region", name, orDefault(d.t.Region))
		}
		if err == nil && slices.Contains(neverDeployed, described.Stacks[0].StackStatus) {
			got := described.Stacks[0]
			return nil, fmt.Errorf("stack %s is %s (%s): it never reached a deployed state, so it holds nothing to examine; %s",
				name, got.StackStatus, got.StackStatusReason, d.untilDeployed(name, got.StackStatus))
		}
		var listed struct {
			StackResourceSummaries []stackResource `json:"StackResourceSummaries"`
		}
		if err == nil {
			err = d.call(&listed, "cloudformation", "list-stack-resources", "--stack-name", name)
		}
		if _, _, answered := APIError(err); answered {
			d.failedStacks[s] = err
			results = append(results, couldNotCheck("stack "+name, err))
			continue
		} else if err != nil {
			return nil, err
		}
		got := described.Stacks[0]
		*s = stack{Name: name, Id: got.StackId, Created: got.CreationTime.Time, TerminationProtection: got.EnableTerminationProtection,
			Outputs: map[string]string{}, Resources: listed.StackResourceSummaries}
		for _, o := range got.Outputs {
			s.Outputs[o.OutputKey] = o.OutputValue
		}
		// arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID
		if parts := strings.Split(got.StackId, ":"); len(parts) > 4 && d.region == "" {
			d.region, d.account = parts[3], parts[4]
		}
	}
	if d.region == "" {
		d.region = d.t.Region
	}
	return results, nil
}

// neverDeployed are the StackStatus values (DescribeStacks, StackStatus in the CloudFormation
// API model) of a stack that has not reached "a last known stable state", any *_COMPLETE of
// CREATE, UPDATE, UPDATE_ROLLBACK, IMPORT and IMPORT_ROLLBACK ("RollbackStack", AWS
// CloudFormation API Reference, read 2026-12-06): a change set not executed yet
// (REVIEW_IN_PROGRESS), a first deploy running, failed or rolled back (whose resources are
// deleted, though ListStackResources still lists them), a stack being deleted. Its resources'
// ids name nothing that can be examined.
var neverDeployed = []string{"REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_FAILED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED",
	"ROLLBACK_COMPLETE", "DELETE_IN_PROGRESS", "DELETE_FAILED", "DELETE_COMPLETE"}

// untilDeployed says what to do about a stack in a status of neverDeployed.
// The commands name the stack, its region and the profile: stack names repeat across
// environments, and a delete in the shell's default account or region would remove another one.
func (d *deployment) untilDeployed(name, status string) string {
	del := d.inRegion("aws cloudformation delete-stack --stack-name " + name)
	switch {
	case status == "REVIEW_IN_PROGRESS":
		return "a change set was made for it and never executed: make deploy (or delete the empty stack: " + del + ")"
	case strings.HasSuffix(status, "_IN_PROGRESS"):
		return "wait for the deploy or deletion to end, then run make doctor again"
	case status == "ROLLBACK_FAILED" || status == "DELETE_FAILED":
		// "For Amazon S3 buckets, you must delete all objects in the bucket for deletion to
		// succeed" ("DeletionPolicy attribute", CloudFormation): the command-output bucket a first
		// deploy's associations already wrote to, deleted by its rollback (RetainExceptOnCreate).
		// RetainResources applies "for stacks in the DELETE_FAILED state" only (DeleteStack, AWS
		// CloudFormation API Reference): a ROLLBACK_FAILED stack is deleted first, and fails so.
		return "CloudFormation could not delete one of its resources, most likely a bucket that holds objects: read its events (" +
			d.inRegion("aws cloudformation describe-stack-events --stack-name "+name) + "), turn the stack's termination protection off (" +
			d.inRegion("aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name "+name) +
			"), empty that bucket (every object version) and delete the stack (" + del + "); or delete it, and once it is DELETE_FAILED on the bucket, " +
			"delete it again keeping the bucket (" + del + " --retain-resources <the bucket's logical id>); then make deploy"
	case strings.HasPrefix(status, "DELETE"):
		return "delete it (" + del + "), then make deploy"
	}
	// The CDK CLI turns termination protection on before it executes the first change set, so a
	// stack whose creation rolled back has it, and the CLI's own delete of such a stack fails on it.
	unprotect := d.inRegion("aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name " + name)
	return "its first deploy failed: read its events (" + d.inRegion("aws cloudformation describe-stack-events --stack-name "+name) +
		"), turn its termination protection off (" + unprotect + "), delete it (" + del + "; a rolled-back stack cannot be updated), then make deploy"
}

// inRegion is an AWS CLI command the doctor prints for the user to run, with the deployment's
// region (from its stacks' ids) and the profile the doctor read it with: the user's shell may have
// another default region and profile (make doctor PROFILES=test=dev,prod=live), or none.
func (d *deployment) inRegion(command string) string {
	if region := cmp.Or(d.region, d.t.Region); region != "" {
		command += " --region " + shellWord(region)
	}
	if cli, ok := d.aws.(CLI); ok && cli.Profile != "" {
		command += " --profile " + shellWord(cli.Profile)
	}
	return command
}

// plainWord is what a POSIX shell reads as one word, as it is.
var plainWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellWord makes s one word of a command people paste into a POSIX shell: as it is when nothing
// in it is special, else in single quotes, inside which nothing is expanded (a quote in s ends
// them, is escaped and opens them again).
func shellWord(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
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
