// Command checkupdate compares the templates `cdk synth` wrote with the ones deployed, and
// refuses an update that would replace or delete a resource holding data, or fail half-way on a
// name, rule number, address block or volume that the deployed resources still hold. It names the
// manual step where one is known.
//
//	checkupdate -stacks cdk.out                       print each stack's name, region and account, one a line
//	checkupdate -deployed DIR -synthesised cdk.out    DIR holds STACK.json per deployed stack
//	checkupdate -s3-prefix-lists cdk.out              print each network stack's name and region
//	checkupdate -live-prefix-lists DIR -synthesised cdk.out
//	                                                  DIR holds STACK.id and STACK.entries.json: the
//	                                                  AWS CLI's answers for com.amazonaws.REGION.s3
//	checkupdate -prerequisites -deployed DIR          print "STACK REGION KIND [CONNECTION]" for each state of
//	                                                  an account the update needs (make check-update
//	                                                  asks the AWS CLI whether it holds)
//	checkupdate -stack-policies cdk.out -out DIR      write each stack's stack policy to DIR/STACK.json
//	                                                  and print its name and region (make deploy sets them)
//	checkupdate -stack-policies-of-deployed DIR -synthesised cdk.out -out DIR2
//	                                                  the same for the deployed templates (make stack-policies)
//	checkupdate -cdk-stacks cdk.out                   print the stack selection cdk deploy and cdk diff take
//	checkupdate -existing-vpcs cdk.out                print "STACK REGION VPC" for each network stack in an existing VPC
//	checkupdate -live-vpcs DIR -synthesised cdk.out   DIR holds STACK.endpoints.json, STACK.zones.N.json (a page
//	                                                  each), STACK.dns-support.json, STACK.dns-hostnames.json,
//	                                                  STACK.resources.json, STACK.vpc.json, STACK.dhcp.json: the AWS
//	                                                  CLI's answers for the VPC (package vpcclash); refuses a clash,
//	                                                  notes DNS servers other than the Amazon DNS server
//	checkupdate -acl-subnets cdk.out                  print "STACK REGION SUBNET,..." for each network stack
//	                                                  that associates existing subnets with its network ACLs
//	checkupdate -live-acls DIR -deployed DIR2 -synthesised cdk.out
//	                                                  DIR holds STACK.acls.json (describe-network-acls of those
//	                                                  subnets): refuse taking over an ACL of their own not recorded
//
// -environment NAME limits each to one environment's stacks (make ENVIRONMENT=name), and
// -account ID (the caller's, aws sts get-caller-identity) refuses stacks of another account,
// which the caller's credentials would read as not deployed. With -deployed, DIR may hold
// STACK.policy.json, the stack policy in place (get-stack-policy): an update it denies is refused.
//
// A stack missing from DIR is new. Exit status 1 lists the problems; FORCE=1 in make deploy
// skips the check for an update that is meant to replace something, but not the S3 prefix-list
// drift check (package s3drift), which make deploy always runs.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfnupdate"
	"github.com/privatepatch/privatepatch/proof/s3drift"
	"github.com/privatepatch/privatepatch/proof/vpcclash"
)

func main() {
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: make check-update [CONFIG=file]    (or: go run ./tools/checkupdate -deployed DIR -synthesised cdk.out)

Compares the templates cdk synth wrote with the deployed ones (read with the AWS CLI into DIR,
STACK.json each) and refuses an update that would replace or delete a resource holding data, or
fail half-way on a name, rule number, address block or volume that deployed resources still
hold, naming the manual step where one is known. With -live-prefix-lists it compares the network
ACLs' S3 CIDRs and the security group's prefix-list id with AWS's list instead. Exit status 1
lists the problems. make check-update and make deploy run it with the AWS CLI's answers.

`)
		flag.PrintDefaults()
	}
	stacks := flag.String("stacks", "", "print the name and region of each stack of this cloud assembly (cdk.out) and exit")
	deployed := flag.String("deployed", "", "directory of the deployed templates, STACK.json each")
	synthesised := flag.String("synthesised", "cdk.out", "the cloud assembly to deploy")
	spec := flag.String("spec", cfnupdate.SpecPath("."), "the CloudFormation service spec")
	networkStacks := flag.String("s3-prefix-lists", "", "print the name and region of each network stack of this cloud assembly and exit")
	livePrefixLists := flag.String("live-prefix-lists", "", "directory of the live S3 prefix lists (STACK.id, STACK.entries.json): compare them with -synthesised")
	needs := flag.Bool("prerequisites", false, "print what the update needs of each stack's account and region, and exit")
	stackPolicies := flag.String("stack-policies", "", "write the stack policy of each stack of this cloud assembly to -out and print each stack's name and region")
	out := flag.String("out", "", "the directory -stack-policies writes to")
	ofDeployed := flag.String("stack-policies-of-deployed", "", "write the stack policy of each deployed template in this directory (STACK.json) to -out, and print each stack's name and region")
	cdkStacks := flag.String("cdk-stacks", "", "print the stack selection of cdk deploy and cdk diff for this cloud assembly (and -environment) and exit")
	existingVpcs := flag.String("existing-vpcs", "", "print the name, region and VPC of each network stack in an existing VPC of this cloud assembly and exit")
	liveVpcs := flag.String("live-vpcs", "", "directory of the AWS CLI's answers for each existing VPC: refuse what the network stack cannot create in it")
	nextToken := flag.String("zones-next-token", "", "print the NextToken of this page of aws route53 list-hosted-zones-by-vpc (nothing on the last page) and exit")
	aclSubnets := flag.String("acl-subnets", "", "print the name, region and subnets (comma-separated) of each network stack that takes over existing subnets' network ACLs, and exit")
	liveAcls := flag.String("live-acls", "", "directory of the subnets' network ACLs (STACK.acls.json): refuse taking over a subnet's own ACL not recorded in existingVpc.priorNetworkAcls")
	unrecorded := flag.String("unrecorded-types", "", "the AWS CLI's describe-configuration-recorders answer (JSON): print the types of -resource-types that no recorder -recorder-status lists as recording records, one per line, and exit")
	recorderStatus := flag.String("recorder-status", "", "the AWS CLI's describe-configuration-recorder-status answer (JSON), with -unrecorded-types")
	resourceTypes := flag.String("resource-types", "", "comma-separated resource types, with -unrecorded-types")
	environment := flag.String("environment", "", "only the stacks of this environment (a CDK stage)")
	account := flag.String("account", "", "the caller's account: refuse stacks of another account")
	flag.Parse()
	sel := selection{environment: *environment, account: *account}
	var err error
	switch {
	case *cdkStacks != "":
		err = printCdkSelection(os.Stdout, *cdkStacks, *environment)
	case *stackPolicies != "":
		err = writeStackPolicies(os.Stdout, *stackPolicies, *out, sel)
	case *ofDeployed != "":
		err = writeDeployedStackPolicies(os.Stdout, *ofDeployed, *synthesised, *out, sel)
	case *networkStacks != "":
		// AWS's prefix lists are read in the stack's region, by name: no account of the stack's.
		err = listNetworkStacks(os.Stdout, *networkStacks, selection{environment: *environment, all: true})
	case *livePrefixLists != "":
		err = checkPrefixLists(os.Stdout, *livePrefixLists, *synthesised, selection{environment: *environment, all: true})
	case *needs:
		err = prerequisites(os.Stdout, *deployed, *synthesised, sel)
	case *stacks != "":
		err = listStacks(os.Stdout, *stacks, sel)
	case *aclSubnets != "":
		err = listAclSubnets(os.Stdout, *aclSubnets, sel)
	case *liveAcls != "":
		err = checkAcls(os.Stdout, *liveAcls, *deployed, *synthesised, sel)
	case *existingVpcs != "":
		err = listExistingVpcs(os.Stdout, *existingVpcs, sel)
	case *liveVpcs != "":
		err = checkExistingVpcs(os.Stdout, *liveVpcs, *synthesised, sel)
	case *nextToken != "":
		err = printZonesNextToken(os.Stdout, *nextToken)
	case *unrecorded != "":
		err = printUnrecordedTypes(os.Stdout, *unrecorded, *recorderStatus, *resourceTypes)
	default:
		err = run(os.Stdout, *deployed, *synthesised, *spec, sel)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "checkupdate:", err)
		os.Exit(1)
	}
}

var errProblems = errors.New("the update is refused")

// selection picks the stacks a command works on: one environment's, or every one the app
// deploys itself; and refuses those of an account other than the caller's.
type selection struct {
	environment, account string
	// all picks a pipeline's stages too (the S3 prefix-list drift check of the pipeline's build).
	all bool
}

// stacks reads the assembly's stacks that sel picks. Without an environment, an app with stacks
// of its own and stages is a pipeline (pipeline.enabled): its stages deploy through the pipeline,
// so only its own stacks are picked.
func (sel selection) stacks(assembly string) ([]cfnupdate.Stack, error) {
	all, err := cfnupdate.ReadStacks(assembly)
	if err != nil {
		return nil, err
	}
	environments, topLevel := map[string]bool{}, false
	for _, s := range all {
		if s.Environment != "" {
			environments[s.Environment] = true
		} else {
			topLevel = true
		}
	}
	var picked []cfnupdate.Stack
	for _, s := range all {
		if s.Environment == sel.environment || (sel.environment == "" && (!topLevel || sel.all)) {
			picked = append(picked, s)
		}
	}
	if sel.environment != "" && len(picked) == 0 {
		names := slices.Sorted(maps.Keys(environments))
		if len(names) == 0 {
			return nil, fmt.Errorf("ENVIRONMENT=%s: the configuration has no environments; leave ENVIRONMENT out", sel.environment)
		}
		return nil, fmt.Errorf("ENVIRONMENT=%s: no such environment; the configuration's are %s", sel.environment, strings.Join(names, ", "))
	}
	if sel.account == "" {
		return picked, nil
	}
	var others []string
	for _, s := range picked {
		if s.Account != cfnupdate.UnknownAccount && s.Account != sel.account {
			env := ""
			if s.Environment != "" {
				env = " (environment " + s.Environment + ")"
			}
			others = append(others, fmt.Sprintf("%s%s is in account %s", s.Name, env, s.Account))
		}
	}
	if len(others) > 0 {
		// Read with these credentials, another account's stacks would look not deployed: the
		// update check would pass them as new and no stack policy would be set.
		return nil, fmt.Errorf("the AWS credentials are of account %s, and %s: run each environment with credentials of its own account, "+
			"one at a time: AWS_PROFILE=<a profile of that account> make deploy ENVIRONMENT=<name> (or make check-update ENVIRONMENT=<name>)",
			sel.account, strings.Join(others, "; "))
	}
	return picked, nil
}

// deployment is the picked stacks' templates by name, with their regions.
func (sel selection) deployment(assembly string) (cfnupdate.Deployment, map[string]string, error) {
	stacks, err := sel.stacks(assembly)
	if err != nil {
		return nil, nil, err
	}
	out, regions := cfnupdate.Deployment{}, map[string]string{}
	for _, s := range stacks {
		out[s.Name], regions[s.Name] = s.Template, s.Region
	}
	return out, regions, nil
}

// listStacks prints "STACK REGION ACCOUNT" for each picked stack.
func listStacks(out io.Writer, assembly string, sel selection) error {
	stacks, err := sel.stacks(assembly)
	if err != nil {
		return err
	}
	for _, s := range stacks {
		fmt.Fprintln(out, s.Name, s.Region, s.Account)
	}
	return nil
}

// printCdkSelection prints the stack pattern cdk deploy and cdk diff take: the environment's
// stage ('NAME/*'), a pipeline app's own stacks ('*': the top level, without the stages the
// pipeline deploys), or every stack ('**').
func printCdkSelection(out io.Writer, assembly, environment string) error {
	stacks, err := selection{environment: environment}.stacks(assembly)
	if err != nil {
		return err
	}
	switch {
	case environment != "":
		fmt.Fprintf(out, "%s/*\n", environment)
	case len(stacks) > 0 && stacks[0].Environment == "":
		all, err := cfnupdate.ReadStacks(assembly)
		if err != nil {
			return err
		}
		if len(all) > len(stacks) {
			fmt.Fprintln(out, "*")
			return nil
		}
		fmt.Fprintln(out, "**")
	default:
		fmt.Fprintln(out, "**")
	}
	return nil
}

func run(out io.Writer, deployedDir, assembly, specPath string, sel selection) error {
	before, after, _, err := deployments(deployedDir, assembly, sel)
	if err != nil {
		return err
	}
	spec, err := cfnupdate.LoadSpec(specPath)
	if err != nil {
		return err
	}
	policies, err := stackPolicies(deployedDir, before)
	if err != nil {
		return err
	}
	result := cfnupdate.Check(spec, before, after, cfnupdate.Options{StackPolicies: policies})
	for _, n := range result.Notes {
		fmt.Fprintln(out, "  note:", n)
	}
	if len(result.Problems) == 0 {
		fmt.Fprintf(out, "checkupdate: %d deployed stack(s) of %d update without replacing data or clashing\n", len(before), len(after))
		return nil
	}
	for _, p := range result.Problems {
		fmt.Fprintln(out, "  -", p)
	}
	return fmt.Errorf("%w: %d problem(s) above", errProblems, len(result.Problems))
}

// stackPolicies reads the stack policy in place on each deployed stack (STACK.policy.json, the
// AWS CLI's StackPolicyBody; absent, empty or "None" where the stack has none).
func stackPolicies(deployedDir string, before cfnupdate.Deployment) (map[string][]cfnupdate.PolicyStatement, error) {
	out := map[string][]cfnupdate.PolicyStatement{}
	for name := range before {
		data, err := os.ReadFile(filepath.Join(deployedDir, name+".policy.json"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		if body := strings.TrimSpace(string(data)); body == "" || body == "None" || body == "null" {
			continue
		}
		policy, err := cfnupdate.ParseStackPolicy(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = policy
	}
	return out, nil
}

// deployments reads the deployed templates (STACK.json in deployedDir; a stack missing there is
// new) and the synthesised ones, with each stack's region.
func deployments(deployedDir, assembly string, sel selection) (before, after cfnupdate.Deployment, regions map[string]string, err error) {
	if deployedDir == "" {
		return nil, nil, nil, fmt.Errorf("give -deployed DIR (or -stacks cdk.out)")
	}
	after, regions, err = sel.deployment(assembly)
	if err != nil {
		return nil, nil, nil, err
	}
	before = cfnupdate.Deployment{}
	for name := range after {
		template, err := cfnupdate.ReadTemplate(filepath.Join(deployedDir, name+".json"))
		if errors.Is(err, os.ErrNotExist) {
			continue // not deployed yet
		} else if err != nil {
			return nil, nil, nil, err
		}
		before[name] = template
	}
	return before, after, regions, nil
}

// prerequisites prints "STACK REGION KIND" for each cfnupdate.Prerequisite of the update.
func prerequisites(out io.Writer, deployedDir, assembly string, sel selection) error {
	before, after, regions, err := deployments(deployedDir, assembly, sel)
	if err != nil {
		return err
	}
	for _, p := range cfnupdate.Prerequisites(before, after) {
		if detail := p.Connection + p.Standard + p.ResourceTypes + p.Table; detail != "" {
			fmt.Fprintln(out, p.Stack, regions[p.Stack], p.Kind, detail)
		} else {
			fmt.Fprintln(out, p.Stack, regions[p.Stack], p.Kind)
		}
	}
	return nil
}

func sortedKeys(d cfnupdate.Deployment) []string {
	var names []string
	for name := range d {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// listNetworkStacks prints the name and region of each stack whose S3 prefix list the drift
// check reads.
func listNetworkStacks(out io.Writer, assembly string, sel selection) error {
	templates, regions, err := sel.deployment(assembly)
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(templates) {
		if s3drift.IsNetworkStack(templates[name]) {
			fmt.Fprintln(out, name, regions[name])
		}
	}
	return nil
}

// checkPrefixLists compares each network stack's S3 prefix-list id (security group) and CIDRs
// (network ACL) with the live list the AWS CLI wrote into dir, and refuses on any difference.
func checkPrefixLists(out io.Writer, dir, assembly string, sel selection) error {
	templates, regions, err := sel.deployment(assembly)
	if err != nil {
		return err
	}
	var problems []string
	checked := 0
	for _, name := range sortedKeys(templates) {
		if !s3drift.IsNetworkStack(templates[name]) {
			continue
		}
		synthesised, err := s3drift.FromTemplate(templates[name])
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		id, err := os.ReadFile(filepath.Join(dir, name+".id"))
		if err != nil {
			return fmt.Errorf("the live S3 prefix list of %s was not read: %w", name, err)
		}
		parsed, err := s3drift.ParseId(id)
		if err != nil {
			return fmt.Errorf("the live S3 prefix list of %s: %w", name, err)
		}
		live := s3drift.Live{Id: parsed}
		if live.Id != "" {
			data, err := os.ReadFile(filepath.Join(dir, name+".entries.json"))
			if err != nil {
				return fmt.Errorf("the live S3 prefix list of %s was not read: %w", name, err)
			}
			if live.Cidrs, err = s3drift.ParseEntries(data); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		problems = append(problems, s3drift.Compare(name, regions[name], synthesised, live)...)
		checked++
	}
	if len(problems) == 0 {
		fmt.Fprintf(out, "checkupdate: the S3 prefix list of %d network stack(s) matches AWS's (security group id and network ACL CIDRs)\n", checked)
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(out, "  -", p)
	}
	return fmt.Errorf("%w: the S3 prefix list has drifted, %d problem(s) above", errProblems, len(problems))
}

// writeStackPolicies writes, for each stack, the policy that denies replacing or deleting its
// data in an update (cfnupdate.StackPolicy) to dir/STACK.json, and prints the stack's name and
// region.
func writeStackPolicies(out io.Writer, assembly, dir string, sel selection) error {
	templates, regions, err := sel.deployment(assembly)
	if err != nil {
		return err
	}
	return writePolicies(out, templates, regions, dir)
}

// writeStackPolicies writes this version's stack policy of each deployed template (deployedDir,
// STACK.json, as check-update reads them) of the picked stacks: make stack-policies sets them,
// so that an earlier version's policy stops denying what this one allows.
func writeDeployedStackPolicies(out io.Writer, deployedDir, assembly, dir string, sel selection) error {
	before, _, regions, err := deployments(deployedDir, assembly, sel)
	if err != nil {
		return err
	}
	return writePolicies(out, before, regions, dir)
}

func writePolicies(out io.Writer, templates cfnupdate.Deployment, regions map[string]string, dir string) error {
	if dir == "" {
		return fmt.Errorf("give -out DIR with -stack-policies")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range sortedKeys(templates) {
		body, err := cfnupdate.StackPolicyJSON(templates[name])
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), body, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(out, name, regions[name])
	}
	return nil
}

// listExistingVpcs prints "STACK REGION VPC" for each picked network stack in an existing VPC.
func listExistingVpcs(out io.Writer, assembly string, sel selection) error {
	stacks, err := sel.stacks(assembly)
	if err != nil {
		return err
	}
	for _, s := range stacks {
		if plan, ok := vpcclash.FromTemplate(s.Template, s.Region); ok {
			fmt.Fprintln(out, s.Name, s.Region, plan.VpcID)
		}
	}
	return nil
}

// checkExistingVpcs judges what each network stack would create in its existing VPC against the
// AWS CLI's answers for the VPC in dir (vpcclash), and refuses a clash naming the setting.
func checkExistingVpcs(out io.Writer, dir, assembly string, sel selection) error {
	stacks, err := sel.stacks(assembly)
	if err != nil {
		return err
	}
	var problems, notes []string
	checked := 0
	for _, s := range stacks {
		plan, ok := vpcclash.FromTemplate(s.Template, s.Region)
		if !ok {
			continue
		}
		live, err := readLiveVpc(dir, s.Name)
		if err != nil {
			return fmt.Errorf("%s: the existing VPC %s was not read: %w", s.Name, plan.VpcID, err)
		}
		field := "network.existingVpc"
		if s.Environment != "" {
			field = "the existingVpc of environment " + s.Environment + " (environments[].existingVpc or network.existingVpc)"
		}
		problems = append(problems, vpcclash.Check(s.Name, field, plan, live)...)
		notes = append(notes, vpcclash.Notes(s.Name, plan, live)...)
		checked++
	}
	for _, n := range notes {
		fmt.Fprintln(out, "  note:", n)
	}
	if len(problems) == 0 {
		fmt.Fprintf(out, "checkupdate: the network stack(s) in %d existing VPC(s) create no endpoint the VPC has, and private DNS can be on\n", checked)
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(out, "  -", p)
	}
	return fmt.Errorf("%w: the existing VPC has what the network stack would create, %d problem(s) above", errProblems, len(problems))
}

// listAclSubnets prints "STACK REGION SUBNET,..." for each picked stack that associates existing
// subnets with its network ACLs (manageNetworkAcls).
func listAclSubnets(out io.Writer, assembly string, sel selection) error {
	stacks, err := sel.stacks(assembly)
	if err != nil {
		return err
	}
	for _, s := range stacks {
		if _, existing := vpcclash.FromTemplate(s.Template, s.Region); existing {
			if subnets := vpcclash.AclSubnets(s.Template); len(subnets) > 0 {
				fmt.Fprintln(out, s.Name, s.Region, strings.Join(subnets, ","))
			}
		}
	}
	return nil
}

// checkAcls refuses taking over a subnet's own network ACL (not the VPC's default) that the
// configuration does not record (existingVpc.priorNetworkAcls): without it, rollback,
// manageNetworkAcls: false or deleting the stack leave the subnet on the VPC's default ACL and
// nothing says which ACL it had.
func checkAcls(out io.Writer, dir, deployedDir, assembly string, sel selection) error {
	before, _, _, err := deployments(deployedDir, assembly, sel)
	if err != nil {
		return err
	}
	stacks, err := sel.stacks(assembly)
	if err != nil {
		return err
	}
	var problems []string
	checked := 0
	for _, s := range stacks {
		if _, existing := vpcclash.FromTemplate(s.Template, s.Region); !existing || len(vpcclash.AclSubnets(s.Template)) == 0 {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, s.Name+".acls.json"))
		if err != nil {
			return fmt.Errorf("the network ACLs of the subnets of %s were not read: %w", s.Name, err)
		}
		acls, err := vpcclash.ParseNetworkAcls(data)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		field := "network.existingVpc"
		if s.Environment != "" {
			field = "the existingVpc of environment " + s.Environment
		}
		problems = append(problems, vpcclash.CheckAcls(s.Name, field, s.Template, before[s.Name], acls)...)
		checked++
	}
	if len(problems) == 0 {
		fmt.Fprintf(out, "checkupdate: %d network stack(s) take over no subnet's own network ACL unrecorded\n", checked)
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(out, "  -", p)
	}
	return fmt.Errorf("%w: %d problem(s) above", errProblems, len(problems))
}

// readLiveVpc reads the AWS CLI's answers for a stack's existing VPC from dir.
// printZonesNextToken prints the NextToken of a page of list-hosted-zones-by-vpc: the Makefile
// asks for the next page while there is one.
func printZonesNextToken(out io.Writer, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	_, next, err := vpcclash.ParseZonesPage(data)
	if err != nil {
		return err
	}
	if next != "" {
		fmt.Fprintln(out, next)
	}
	return nil
}

func readLiveVpc(dir, stack string) (vpcclash.Live, error) {
	var live vpcclash.Live
	data := map[string][]byte{}
	for _, suffix := range []string{".endpoints.json", ".dns-support.json", ".dns-hostnames.json", ".resources.json", ".vpc.json", ".dhcp.json"} {
		d, err := os.ReadFile(filepath.Join(dir, stack+suffix))
		if err != nil {
			return live, err
		}
		data[suffix] = d
	}
	var err error
	if live.Endpoints, err = vpcclash.ParseEndpoints(data[".endpoints.json"]); err != nil {
		return live, err
	}
	if live.OwnEndpointIDs, err = vpcclash.ParseStackEndpoints(data[".resources.json"]); err != nil {
		return live, err
	}
	// The Makefile writes list-hosted-zones-by-vpc's pages as STACK.zones.1.json, .2, ...
	var pages [][]byte
	for n := 1; ; n++ {
		d, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%s.zones.%d.json", stack, n)))
		if errors.Is(err, fs.ErrNotExist) && n > 1 {
			break
		} else if err != nil {
			return live, err
		}
		pages = append(pages, d)
	}
	if live.Zones, err = vpcclash.ParseZones(pages...); err != nil {
		return live, err
	}
	if live.DNSSupport, err = vpcclash.ParseAttribute(data[".dns-support.json"], "EnableDnsSupport"); err != nil {
		return live, err
	}
	if live.DNSHostnames, err = vpcclash.ParseAttribute(data[".dns-hostnames.json"], "EnableDnsHostnames"); err != nil {
		return live, err
	}
	if live.DHCPOptionsID, live.VpcCidr, err = vpcclash.ParseVpc(data[".vpc.json"]); err != nil {
		return live, err
	}
	live.DomainNameServers, err = vpcclash.ParseDomainNameServers(data[".dhcp.json"])
	return live, err
}

// printUnrecordedTypes prints, one per line, the resource types no recording configuration
// recorder records (cfnupdate.UnrecordedTypes): the Config rules scoped to them evaluate nothing.
func printUnrecordedTypes(out io.Writer, recordersFile, statusFile, types string) error {
	recorders, err := os.ReadFile(recordersFile)
	if err != nil {
		return err
	}
	statuses, err := os.ReadFile(statusFile)
	if err != nil {
		return err
	}
	missing, err := cfnupdate.UnrecordedTypes(recorders, statuses, strings.Split(types, ","))
	for _, t := range missing {
		fmt.Fprintln(out, t)
	}
	return err
}
