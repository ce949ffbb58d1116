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
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/evalcache"
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
	script, node string // node: the interpreter the cache identifies, and the one that runs
	cache        evalcache.Cache
}

// Find locates the evaluator that make setup installs under projectRoot.
func Find(projectRoot string) (Evaluator, error) {
	script := filepath.Join(projectRoot, "tools", "iamsimulate", "simulate.mjs")
	module := filepath.Join(projectRoot, "tools", "iamsimulate", "node_modules", "@cloud-copilot", "iam-simulate")
	if _, err := os.Stat(module); err != nil {
		return Evaluator{}, fmt.Errorf("the IAM policy evaluator is not installed (%s): run make setup", module)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return Evaluator{}, fmt.Errorf("the IAM policy evaluator runs on Node.js: %w", err)
	}
	// Its answers are kept by the request (simulation) and the evaluator's own files.
	cache, err := evalcache.Open("iam-simulate verdict", []string{script, filepath.Join(projectRoot, "tools", "iamsimulate", "node_modules")},
		[]string{node}, []string{"NODE_OPTIONS", "NODE_PATH"})
	return Evaluator{script: script, node: node, cache: cache}, err
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
	// DeclaredReadBuckets are the buckets the configuration lets the private subnets read
	// through the S3 endpoint (network.s3Endpoint.readBuckets): needs the user declares.
	DeclaredReadBuckets []string
	// DeclaredReadWriteBuckets are those it lets them read, write and list
	// (network.s3Endpoint.readWriteBuckets).
	DeclaredReadWriteBuckets []string
	// ProtectStepRoleArn is, in pipeline mode, the role of the pipeline's step that protects the
	// deployment's stacks after each deploy (in the pipeline's account): the only principal the
	// deployment's protector role may trust. Required when the stacks have a protector role.
	ProtectStepRoleArn string
}

// Unproven reports whether a call's verdict rests on an endpoint policy that is not in the
// templates: a forbidden call that only the S3 endpoint's policy denies, through an endpoint the
// VPC provides. Such calls are left out of the evaluation.
func (d Deployment) Unproven(c Call, endpointPolicy any) bool {
	return d.S3EndpointProvided && endpointPolicy == nil && c.EndpointDenies
}

// EndpointBuckets are the buckets the private subnets' calls reach through the S3 endpoint,
// sorted: what the policy of an S3 endpoint the VPC provides must allow. Systems Manager's own
// buckets (as the pages in testdata name them) are always among them.
func EndpointBuckets(d Deployment) ([]string, error) {
	calls, err := d.Calls()
	if err != nil {
		return nil, err
	}
	buckets := map[string]bool{}
	patchManager, snapshot, _ := pagePatchingBuckets(d.Env.Region)
	for _, b := range append(append(pageAgentBuckets(d.Env.Region), pageInspectorBuckets(d.Env.Region)...), patchManager, snapshot) {
		if b != "" {
			buckets[b] = true
		}
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
	proof, err := e.prove(deployments, false)
	return proof.Results, err
}

// Proof is the verdict on each call of each deployment and, for Prove, on each mutation of the
// templates' policies.
type Proof struct {
	Results   map[string][]Result
	Mutations map[string][]MutationResult
}

// Prove evaluates the calls of each deployment in one run of the evaluator and then, for every
// mutation of the policies the templates write (see Mutations), the calls that policy takes part
// in, the rows it decided first, in one more run split over the CPUs (whole mutations to each): a
// mutation nothing notices is a statement, entry or condition no row needs.
func (e Evaluator) Prove(deployments []Deployment) (Proof, error) {
	return e.prove(deployments, true)
}

// evaluatorRequest is one simulation for simulate.mjs.
type evaluatorRequest struct {
	Simulation map[string]any `json:"simulation"`
	Unsafe     bool           `json:"unsafe"`
	// VerdictOnly skips finding the deciding statements (mutations need only the verdict).
	VerdictOnly bool `json:"verdictOnly,omitempty"`
	// Group is the mutation a request belongs to; the evaluator skips the rest of a group once
	// one of its requests gets the verdict its row must not get (Required says which).
	Group    *int `json:"group,omitempty"`
	Required bool `json:"required"`
}

type evaluatorVerdict struct {
	Verdict  string   `json:"verdict"`
	Deciding []string `json:"deciding"`
	Error    string   `json:"error"`
	// printed is the verdict as simulate.mjs printed it: what the evaluations' cache keeps, read
	// again on every use.
	printed json.RawMessage
}

func (e Evaluator) prove(deployments []Deployment, mutate bool) (proof Proof, err error) {
	proof = Proof{Results: map[string][]Result{}, Mutations: map[string][]MutationResult{}}
	workers := &lazyPool{e: e, n: map[bool]int{true: runtime.NumCPU(), false: 1}[mutate]}
	if !e.cache.On() {
		// Every request goes to the evaluator: start it now, so that loading it overlaps planning.
		if _, err := workers.get(); err != nil {
			return proof, err
		}
	}
	defer func() {
		if stopErr := workers.stop(); err == nil {
			err = stopErr
		}
	}()
	var base batch
	var work []pending
	for _, d := range deployments {
		p, err := base.plan(d, &proof)
		if err != nil {
			return proof, err
		}
		work = append(work, p)
	}
	verdicts, err := e.answer(workers, base.requests, false)
	if err != nil {
		return proof, err
	}
	for _, p := range work {
		p.judge(&proof, verdicts)
	}
	if !mutate {
		return proof, nil
	}
	var mutated batch
	for i := range work {
		work[i].planMutations(&mutated, proof.Results[work[i].deployment.Name])
	}
	if verdicts, err = e.answer(workers, mutated.requests, true); err != nil {
		return proof, err
	}
	for _, p := range work {
		p.judgeMutations(&proof, verdicts)
	}
	return proof, nil
}

// batch is the evaluator's requests of one run: each base request asked once, and the mutated
// ones in their groups (one per mutation).
type batch struct {
	requests []evaluatorRequest
	seen     map[string]int
	groups   int
}

// ask adds a request, or finds the same one asked before, and returns its index.
func (b *batch) ask(r evaluatorRequest) (int, error) {
	key, err := json.Marshal(r)
	if err != nil {
		return 0, err
	}
	if i, ok := b.seen[string(key)]; ok {
		return i, nil
	}
	if b.seen == nil {
		b.seen = map[string]int{}
	}
	b.seen[string(key)] = len(b.requests)
	b.requests = append(b.requests, r)
	return len(b.requests) - 1, nil
}

// pending is what a deployment asked: the request of each of its calls and, per mutation, the
// request of each call it touches.
type pending struct {
	deployment Deployment
	sims       []simulated
	base       []int   // request index of each call
	mutated    [][]int // per mutation: request index per call, -1 where the mutation does not touch it
	mutations  []Mutation
}

// plan asks the evaluator about each call of d that rests on the templates (its result added to
// proof).
func (b *batch) plan(d Deployment, proof *Proof) (pending, error) {
	p := pending{deployment: d}
	calls, err := d.Calls()
	if err != nil {
		return p, fmt.Errorf("%s: %w", d.Name, err)
	}
	m := model{resolver{env: d.Env, stacks: d.Stacks}}
	endpoint := m.s3EndpointPolicy()
	for _, c := range calls {
		if d.Unproven(c, endpoint.Policy) {
			continue
		}
		sim, err := simulation(m, c, endpoint)
		if err != nil {
			return p, fmt.Errorf("%s: %w", d.Name, err)
		}
		i, err := b.ask(evaluatorRequest{Simulation: sim.render(nil), Unsafe: c.AwsOwnedArn})
		if err != nil {
			return p, err
		}
		p.base = append(p.base, i)
		p.sims = append(p.sims, sim)
		proof.Results[d.Name] = append(proof.Results[d.Name], Result{Call: sim.call}) // with the boundary's NotJudged
	}
	return p, nil
}

// planMutations asks, for each mutation of the templates, about each call it could catch.
func (p *pending) planMutations(b *batch, results []Result) {
	p.mutations = Mutations(p.deployment.Stacks, p.deployment.Env)
	for _, mu := range p.mutations {
		p.mutated = append(p.mutated, b.askMutated(mu, p.sims, results))
	}
}

// askMutated asks, in a group of its own, about each simulation the mutation touches and could
// catch (a row already wrong cannot: it is left out), and returns the request index per
// simulation (-1 for the others). The rows whose verdict the statement decided go first: the
// evaluator stops a group at its first catch, so most groups take one request.
func (b *batch) askMutated(mu Mutation, sims []simulated, results []Result) []int {
	indexes := make([]int, len(sims))
	var first, then []int
	for j, sim := range sims {
		indexes[j] = -1
		if !results[j].OK() || !sim.uses(mu.Origin) || !mu.canCatch(sim.call) {
			continue
		}
		if sim.decidedBy(mu, results[j].Deciding) {
			first = append(first, j)
		} else {
			then = append(then, j)
		}
	}
	group := b.groups
	for _, j := range append(first, then...) {
		b.requests = append(b.requests, evaluatorRequest{Simulation: sims[j].render(&mu), Unsafe: sims[j].call.AwsOwnedArn, VerdictOnly: true,
			Group: &group, Required: sims[j].call.Required})
		indexes[j] = len(b.requests) - 1
	}
	b.groups++
	return indexes
}

// decidedBy tells whether the evaluator named the mutated statement among those that decided the
// simulation's verdict (simulate.mjs: "identity policy NAME statement SID", "resource policy
// statement #N", "endpoint policy NAME statement ...", "denied by ...").
func (s simulated) decidedBy(mu Mutation, deciding []string) bool {
	label := "statement " + mu.Sid
	if mu.Sid == "" {
		label = fmt.Sprintf("statement #%d", mu.Statement+1)
	}
	kind := "resource policy"
	switch {
	case s.endpoint.Origin == mu.Origin:
		kind = "endpoint policy"
	case s.resource.Origin != mu.Origin:
		for _, p := range s.identity {
			if p.Origin == mu.Origin {
				kind = "identity policy " + p.Name
			}
		}
	}
	return slices.ContainsFunc(deciding, func(d string) bool { return strings.Contains(d, kind) && strings.HasSuffix(d, label) })
}

// judge records the verdicts of p's calls.
func (p pending) judge(proof *Proof, verdicts []evaluatorVerdict) {
	results := proof.Results[p.deployment.Name]
	for j, i := range p.base {
		results[j].Verdict, results[j].Deciding, results[j].Err = verdicts[i].Verdict, verdicts[i].Deciding, verdicts[i].Error
	}
}

// judgeMutations records, for each mutation, the rows it turned wrong.
func (p pending) judgeMutations(proof *Proof, verdicts []evaluatorVerdict) {
	results := proof.Results[p.deployment.Name]
	for k, mu := range p.mutations {
		mr := MutationResult{Mutation: mu}
		for j, i := range p.mutated[k] {
			if i < 0 || verdicts[i].Verdict == "Skipped" {
				continue
			}
			after := results[j]
			after.Verdict, after.Err = verdicts[i].Verdict, verdicts[i].Error
			if !after.OK() {
				mr.Caught = append(mr.Caught, after)
			}
		}
		proof.Mutations[p.deployment.Name] = append(proof.Mutations[p.deployment.Name], mr)
	}
}

// simulated is one call's simulation, with the policies on its way kept apart so that a mutation
// of one of them can be applied.
type simulated struct {
	call               Call
	principal          string
	identity           []namedPolicy
	boundary           []namedPolicy // the caller role's permissions boundary: never mutated
	resource, endpoint Doc
	context            map[string]any
	resourceAccount    string
}

// uses tells whether the policy written at origin takes part in the call.
func (s simulated) uses(origin string) bool {
	if origin == "" {
		return false
	}
	if s.resource.Origin == origin || s.endpoint.Origin == origin {
		return true
	}
	return slices.ContainsFunc(s.identity, func(p namedPolicy) bool { return p.Origin == origin })
}

// render is the simulation request for the evaluator, with mu applied where given.
func (s simulated) render(mu *Mutation) map[string]any {
	apply := func(origin string, p any) any {
		if mu == nil || origin != mu.Origin {
			return p
		}
		return mu.apply(p)
	}
	identity := make([]namedPolicy, len(s.identity))
	for i, p := range s.identity {
		identity[i] = namedPolicy{p.Name, apply(p.Origin, p.Policy), p.Origin}
	}
	sim := map[string]any{
		"request": map[string]any{
			"principal":        s.principal,
			"action":           s.call.Action,
			"resource":         map[string]any{"resource": s.call.Resource, "accountId": s.resourceAccount},
			"contextVariables": s.context,
		},
		"identityPolicies":        identity,
		"serviceControlPolicies":  []any{},
		"resourceControlPolicies": []any{},
	}
	if len(s.boundary) > 0 {
		sim["permissionBoundaryPolicies"] = s.boundary
	}
	if s.resource.Policy != nil {
		sim["resourcePolicy"] = apply(s.resource.Origin, s.resource.Policy)
	}
	if s.endpoint.Policy != nil {
		sim["vpcEndpointPolicies"] = []namedPolicy{{"S3GatewayEndpoint", apply(s.endpoint.Origin, s.endpoint.Policy), s.endpoint.Origin}}
	}
	return sim
}

func simulation(m model, c Call, endpoint Doc) (simulated, error) {
	account := m.env.Account
	resourceAccount := c.ResourceAccount
	if resourceAccount == "" {
		resourceAccount = account
	}
	var principal string
	identity := []namedPolicy{}
	var boundary []namedPolicy
	switch {
	case c.Service != "":
		principal = c.Service
	case c.Arn != "":
		// A role outside the templates, whose own policy (the pipeline stack's) allows the call.
		principal = c.Arn
		identity = append(identity, namedPolicy{Name: "ItsOwnPolicyAllowsIt", Policy: policy(map[string]any{"Effect": "Allow", "Action": c.Action, "Resource": c.Resource})})
	case c.Outsider:
		principal = fmt.Sprintf("arn:%s:iam::%s:role/outsider", m.env.Partition, outsiderAccount)
		identity = append(identity, namedPolicy{Name: "OutsiderMayDoAnything", Policy: policy(map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"})})
	case c.Administrator:
		principal = fmt.Sprintf("arn:%s:iam::%s:role/administrator", m.env.Partition, account)
		if c.Instance {
			principal = fmt.Sprintf("arn:%s:iam::%s:role/your-instance-role", m.env.Partition, account)
		}
		identity = append(identity, namedPolicy{Name: "AdministratorAccess", Policy: policy(map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"})})
	default:
		principal = m.getAtt(c.Role.Stack, c.Role.LogicalID, "Arn")
		policies, err := m.identityPolicies(c.Role)
		if err != nil {
			return simulated{}, err
		}
		identity = policies
		var notJudged string
		if boundary, notJudged, err = m.boundary(c.Role); err != nil {
			return simulated{}, err
		}
		if c.NotJudged == "" {
			c.NotJudged = notJudged
		}
	}
	context := map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(c.Context)) {
		context[k] = c.Context[k]
	}
	// An IAM principal's request carries its account: "aws:PrincipalAccount ... the account to
	// which the requesting principal belongs" (AWS global condition context keys, IAM User Guide);
	// a service principal's carries none. Without it a bucket policy denying every other account
	// (StringNotEquals aws:PrincipalAccount) looked like it denied the stacks' own roles (mutation
	// run 16's B11).
	if parts := strings.Split(principal, ":"); c.Service == "" && len(parts) > 4 && parts[4] != "" {
		if _, given := context["aws:PrincipalAccount"]; !given {
			context["aws:PrincipalAccount"] = parts[4]
		}
	}
	s := simulated{call: c, principal: principal, identity: identity, boundary: boundary, resource: c.ResourcePolicy, context: context, resourceAccount: resourceAccount}
	if c.ThroughS3Endpoint {
		s.endpoint = endpoint
	}
	return s, nil
}
