// Package authz proves offline that the calls the architecture makes at run time are authorised,
// and that the calls it must never allow are denied: each row of Calls (who, action, resource, the
// AWS page it rests on) is evaluated against the synthesised policies on its way (the caller's
// identity policies, the S3 gateway endpoint's policy for calls from the private subnets, and the
// bucket, topic or key policy of the resource) by an IAM policy evaluator this project did not
// write: @cloud-copilot/iam-simulate (AGPL-3.0, installed by make setup into tools/iamsimulate, a
// test and verify tool only: nothing of it is deployed).
//
// What it leaves out: service control and resource control policies and permission boundaries of
// the accounts (none are in the templates), session policies, the ACLs of AWS's own buckets (taken
// to be public, as AWS says), and whether AWS's services behave as their pages say. The network
// path of each call is netpath's proof.
package authz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
)

// Partition is the partition of an AWS region.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

// Result is the verdict on one call, and the statements that decided it.
type Result struct {
	Call
	// Verdict is Allowed, ExplicitlyDenied or ImplicitlyDenied.
	Verdict  string
	Deciding []string
	// Err is set when the evaluator refused the request (e.g. an unknown action).
	Err string
}

// OK tells whether the verdict is what the call needs: allowed when required, denied otherwise.
func (r Result) OK() bool {
	return r.Err == "" && (r.Verdict == "Allowed") == r.Required
}

func (r Result) String() string {
	want := "must be denied"
	if r.Required {
		want = "needed"
	}
	verdict := r.Verdict
	if r.Err != "" {
		verdict = "error: " + r.Err
	}
	return fmt.Sprintf("%s %s %s (%s): %s by %s", r.Caller, r.Action, r.Resource, want, verdict, strings.Join(r.Deciding, "; "))
}

// Evaluator runs the IAM policy evaluator installed under a project root.
type Evaluator struct {
	script string
}

// Find locates the evaluator that make setup installs under projectRoot.
func Find(projectRoot string) (Evaluator, error) {
	script := filepath.Join(projectRoot, "tools", "iamsimulate", "simulate.mjs")
	module := filepath.Join(projectRoot, "tools", "iamsimulate", "node_modules", "@cloud-copilot", "iam-simulate")
	if _, err := os.Stat(module); err != nil {
		return Evaluator{}, fmt.Errorf("the IAM policy evaluator is not installed (%s): run make setup", module)
	}
	return Evaluator{script: script}, nil
}

// Deployment is one set of stacks deployed together in one account and region.
type Deployment struct {
	Name   string
	Stacks Stacks
	Env    Env
	// S3EndpointProvided declares that the VPC has an S3 endpoint of its own (an existing VPC):
	// its policy is its owner's and not in the templates, so nothing can be proven of what it
	// denies; Unproven and EndpointBuckets say what it must allow.
	S3EndpointProvided bool
}

// Unproven reports whether a call's verdict rests on an endpoint policy that is not in the
// templates: a forbidden call that only the S3 endpoint's policy denies, through an endpoint the
// VPC provides. Such calls are left out of the evaluation.
func (d Deployment) Unproven(c Call, endpointPolicy any) bool {
	return d.S3EndpointProvided && endpointPolicy == nil && c.EndpointDenies
}

// EndpointBuckets are the buckets the private subnets' calls reach through the S3 endpoint,
// sorted: what the policy of an S3 endpoint the VPC provides must allow. Systems Manager's own
// buckets (awsbuckets.SystemsManager) are always among them.
func EndpointBuckets(d Deployment) ([]string, error) {
	calls, err := Calls(d.Stacks, d.Env)
	if err != nil {
		return nil, err
	}
	buckets := map[string]bool{}
	for _, b := range awsbuckets.SystemsManager(d.Env.Region) {
		buckets[b] = true
	}
	for _, c := range calls {
		if c.ThroughS3Endpoint && c.Required {
			bucket := strings.TrimPrefix(c.Resource, "arn:"+d.Env.Partition+":s3:::")
			buckets[strings.SplitN(bucket, "/", 2)[0]] = true
		}
	}
	return slices.Sorted(maps.Keys(buckets)), nil
}

// Evaluate evaluates the calls of each deployment in one run of the evaluator.
func (e Evaluator) Evaluate(deployments []Deployment) (map[string][]Result, error) {
	type request struct {
		Simulation map[string]any `json:"simulation"`
		Unsafe     bool           `json:"unsafe"`
	}
	var requests []request
	results := map[string][]Result{}
	for _, d := range deployments {
		calls, err := Calls(d.Stacks, d.Env)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Name, err)
		}
		m := model{resolver{env: d.Env, stacks: d.Stacks}}
		endpoint := m.s3EndpointPolicy()
		for _, c := range calls {
			if d.Unproven(c, endpoint) {
				continue
			}
			sim, err := simulation(m, c, endpoint)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", d.Name, err)
			}
			requests = append(requests, request{sim, c.AwsOwnedArn})
			results[d.Name] = append(results[d.Name], Result{Call: c})
		}
	}
	input, err := json.Marshal(requests)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", e.script)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	output, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("iam-simulate: %v: %s", err, stderr.String())
	}
	var verdicts []struct {
		Verdict  string   `json:"verdict"`
		Deciding []string `json:"deciding"`
		Error    string   `json:"error"`
	}
	if err := json.Unmarshal(output, &verdicts); err != nil {
		return nil, fmt.Errorf("iam-simulate: %v", err)
	}
	if len(verdicts) != len(requests) {
		return nil, fmt.Errorf("iam-simulate answered %d of %d requests", len(verdicts), len(requests))
	}
	i := 0
	for _, d := range deployments {
		for j := range results[d.Name] {
			r := &results[d.Name][j]
			r.Verdict, r.Deciding, r.Err = verdicts[i].Verdict, verdicts[i].Deciding, verdicts[i].Error
			i++
		}
	}
	return results, nil
}

func simulation(m model, c Call, endpoint any) (map[string]any, error) {
	account := m.env.Account
	resourceAccount := c.ResourceAccount
	if resourceAccount == "" {
		resourceAccount = account
	}
	var principal string
	identity := []namedPolicy{}
	switch {
	case c.Service != "":
		principal = c.Service
	case c.Outsider:
		principal = fmt.Sprintf("arn:%s:iam::%s:role/outsider", m.env.Partition, outsiderAccount)
		identity = append(identity, namedPolicy{"OutsiderMayDoAnything", policy(map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"})})
	default:
		principal = m.getAtt(c.Role.Stack, c.Role.LogicalID, "Arn")
		policies, err := m.identityPolicies(c.Role)
		if err != nil {
			return nil, err
		}
		identity = policies
	}
	context := map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(c.Context)) {
		context[k] = c.Context[k]
	}
	sim := map[string]any{
		"request": map[string]any{
			"principal":        principal,
			"action":           c.Action,
			"resource":         map[string]any{"resource": c.Resource, "accountId": resourceAccount},
			"contextVariables": context,
		},
		"identityPolicies":        identity,
		"serviceControlPolicies":  []any{},
		"resourceControlPolicies": []any{},
	}
	if c.ResourcePolicy != nil {
		sim["resourcePolicy"] = c.ResourcePolicy
	}
	if c.ThroughS3Endpoint && endpoint != nil {
		sim["vpcEndpointPolicies"] = []namedPolicy{{"S3GatewayEndpoint", endpoint}}
	}
	return sim, nil
}
