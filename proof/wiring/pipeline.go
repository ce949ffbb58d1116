package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// Pipeline checks the pipeline stack of pipeline mode against the configuration it was
// synthesised from and the assembly it deploys: what the stage stacks' checks never read (mutation
// run 26's A01 to A21, all in the pipeline stack or the manifests). None outside pipeline mode.
func Pipeline(stacks []cfnupdate.Stack, cfg *config.Config) []string {
	if !cfg.Pipeline.Enabled {
		return nil
	}
	var pipeline *cfnupdate.Stack
	for i, s := range stacks {
		if s.Environment == "" && s.Name == cfg.PipelineStackName() {
			pipeline = &stacks[i]
		}
	}
	if pipeline == nil {
		return []string{fmt.Sprintf("the assembly has no stack %s: pipeline mode synthesises the pipeline stack, which deploys the environments", cfg.PipelineStackName())}
	}
	stages := pipelineStages(pipeline.Template)
	problems := pipelineEnvironmentProblems(*pipeline, cfg)
	problems = append(problems, bootstrapVersionProblems(stacks, cfg)...)
	problems = append(problems, sourceActionProblems(stages, cfg)...)
	problems = append(problems, connectionUseProblems(pipeline.Template, stages, cfg)...)
	problems = append(problems, approvalProblems(stages, cfg)...)
	problems = append(problems, deployActionProblems(stages, stacks, cfg)...)
	problems = append(problems, deployRoleProblems(stages, cfg)...)
	problems = append(problems, protectStepProblems(pipeline.Template, stages, cfg)...)
	return append(problems, synthStepProblems(pipeline.Template, stages, cfg)...)
}

// connectionUseProblems: the role of each source action may use the configured connection:
// codeconnections:UseConnection (codestar-connections: for an ARN of that service) on its ARN,
// allowed by a policy attached to the role. "When specifying a resource in the IAM policy, the
// service prefix needs to match that of the resource" ("Identity and access management for AWS
// CodeStar Notifications and AWS CodeConnections", Developer Tools console User Guide; read
// 2026-12-06, as stacks/pipeline.go's grantUseConnection cites it). Without it the source action
// fails every run (mutation run 26's A02: the grant on another connection's ARN).
func connectionUseProblems(template map[string]any, stages []pipelineStage, cfg *config.Config) []string {
	arn := cfg.Pipeline.ConnectionArn
	service := strings.Split(arn+"::", ":")[2] // arn:PARTITION:SERVICE:REGION:ACCOUNT:connection/ID
	resources := cfntemplate.Resources(template)
	var problems []string
	for _, stage := range stages {
		for _, action := range stage.actions {
			if actionProvider(action) != "CodeStarSourceConnection" {
				continue
			}
			role := cfntemplate.GetAtt(action["RoleArn"])
			var statements []any
			for _, policy := range cfntemplate.OfType(resources, "AWS::IAM::Policy") {
				if slices.ContainsFunc(cfntemplate.List(policy["Roles"]), func(r any) bool { return cfntemplate.Ref(r) == role }) {
					document, _ := policy["PolicyDocument"].(map[string]any)
					statements = append(statements, cfntemplate.Values(document["Statement"])...)
				}
			}
			if !slices.ContainsFunc(statements, func(st any) bool { return allowsOn(st, service+":UseConnection", arn) }) {
				problems = append(problems, fmt.Sprintf("pipeline source action %s: its role %s is allowed no %s:UseConnection on the configured connection %s: the source action cannot use it",
					cfntemplate.Text(action["Name"]), role, service, arn))
			}
		}
	}
	return problems
}

// allowsOn says whether statement (of a policy document) allows action on resource, by IAM's
// wildcards, "*" and "?", in Action ("The prefix and the action name are case insensitive") and in
// the segments of a Resource ARN ("IAM JSON policy elements: Action" and "Resource", IAM User
// Guide; read 2026-12-07), as coversAction and glob match them for the other checks (review 18's
// finding 5: "codeconnections:Use*" on "connection/*" was refused).
func allowsOn(statement any, action, resource string) bool {
	st, _ := statement.(map[string]any)
	if st["Effect"] != "Allow" || !coversAction(st, action) {
		return false
	}
	return slices.ContainsFunc(cfntemplate.Values(st["Resource"]), func(r any) bool { return glob(rendered(r), resource) })
}

// stageOf is the pipeline stage that deploys deployment d (CDK Pipelines names it after the
// CDK stage, which the app names after the environment), ok false without one.
func stageOf(stages []pipelineStage, d *config.Config) (pipelineStage, bool) {
	for _, s := range stages {
		if s.name == d.Environment {
			return s, true
		}
	}
	return pipelineStage{}, false
}

// approvalProblems: each environment pipeline.approvalBefore names waits, in its stage, for a
// manual approval before any of its deploy actions, and no other environment waits. Actions in a
// stage run by RunOrder ("RunOrder determines the relative order in which multiple Actions in the
// same Stage execute", CommonActionProps.runOrder, aws-cdk-lib aws_codepipeline; read 2026-12-07):
// an approval with a later RunOrder than a deploy asks after the change is made (mutation run
// 26's A03, the approval removed, and A04, its RunOrder moved after the deploys).
func approvalProblems(stages []pipelineStage, cfg *config.Config) []string {
	var problems []string
	for _, d := range cfg.Deployments() {
		stage, ok := stageOf(stages, d)
		if !ok {
			problems = append(problems, fmt.Sprintf("the pipeline has no stage %s: environment %s is never deployed", d.Environment, d.Environment))
			continue
		}
		firstDeploy, approvals := 0, map[string]int{}
		for _, a := range stage.actions {
			order := cfntemplate.Int(a["RunOrder"])
			switch actionProvider(a) {
			case "Manual":
				approvals[cfntemplate.Text(a["Name"])] = order
			case "CloudFormation":
				if firstDeploy == 0 || order < firstDeploy {
					firstDeploy = order
				}
			}
		}
		if !slices.Contains(cfg.Pipeline.ApprovalBefore, d.Environment) {
			for name := range approvals {
				problems = append(problems, fmt.Sprintf("pipeline stage %s: manual approval %s, but pipeline.approvalBefore does not name %s", d.Environment, name, d.Environment))
			}
			continue
		} else if firstDeploy == 0 {
			continue // no deploy action to come before: deployActionProblems names each missing one
		}
		before := false
		for _, order := range approvals {
			before = before || order < firstDeploy
		}
		if !before {
			problems = append(problems, fmt.Sprintf("pipeline stage %s: no manual approval runs before its first deploy action (RunOrder %d; approvals %v): pipeline.approvalBefore names %s, which would deploy unapproved",
				d.Environment, firstDeploy, approvals, d.Environment))
		}
	}
	return problems
}

// pipelineEnvironmentProblems: the pipeline stack deploys, by its artifact's environment in the
// top-level manifest (aws://ACCOUNT/REGION, "The environment into which this artifact is
// deployed": ArtifactManifest.environment, the cloud-assembly schema, cdklabs/cloud-assembly-
// schema-go, read 2026-12-07), into pipeline.account and pipeline.region as configuration resolves
// them: the environments' bootstrap and protector roles trust that account, and StackEnvironments
// reads only the environments' stacks (mutation run 26's A19).
func pipelineEnvironmentProblems(s cfnupdate.Stack, cfg *config.Config) []string {
	if s.Account == cfg.PipelineAccount() && s.Region == cfg.PipelineRegion() {
		return nil
	}
	return []string{fmt.Sprintf("%s deploys to aws://%s/%s by its manifest environment, the configuration's pipeline is aws://%s/%s (pipeline.account, pipeline.region): the environments' roles trust the pipeline's account",
		s.Name, s.Account, s.Region, cfg.PipelineAccount(), cfg.PipelineRegion())}
}

// CdkBootstrapVersion is the bootstrap stack version aws-cdk-lib's DefaultStackSynthesizer
// requires of every stack it synthesises: "The minimum bootstrap stack version required by this
// app", MIN_BOOTSTRAP_STACK_VERSION = 6 (core/lib/stack-synthesizers/default-synthesizer.js,
// aws-cdk-lib 2.270.0, go.mod's; read 2026-12-07; a test reads it from the module). The CLI
// compares it with the version in the bootstrap stack's SSM parameter.
const CdkBootstrapVersion = 6

// bootstrapVersionProblems: the manifest of the pipeline stack and of each environment's stacks
// requires the bootstrap version the synthesizer requires: a higher one fails every deploy
// against the environments' bootstrap stacks, a lower one lets a deploy start on a bootstrap stack
// without the roles it uses (mutation run 26's A21, the pipeline's 6 turned 99). CodePipeline's
// cross-region support stacks are synthesised by a BootstraplessSynthesizer, which requires no
// version (aws-cdk-lib 2.270.0's aws-codepipeline/lib/pipeline.js, getCrossRegionSupportSynthesizer):
// those are not judged. The field is the CDK CLI's ("Version of bootstrap stack required to deploy
// this stack", cdklabs/cloud-assembly-schema-go; read 2026-12-07), so only `cdk deploy` reads it:
// the pipeline stack's self-mutation runs it, but the pipeline deploys the environments' stacks
// by CloudFormation actions, which read their templates only (review 18's finding 6). For those
// the rule guards a deploy outside the pipeline (cdk deploy of a stage's stack by hand).
func bootstrapVersionProblems(stacks []cfnupdate.Stack, cfg *config.Config) []string {
	names := []string{cfg.PipelineStackName()}
	for _, d := range cfg.Deployments() {
		names = append(names, d.StackName("network"), d.StackName("fleet"), d.StackName("patching"))
	}
	var problems []string
	for _, s := range stacks {
		if slices.Contains(names, s.Name) && s.BootstrapVersion != CdkBootstrapVersion {
			problems = append(problems, fmt.Sprintf("%s: the manifest's requiresBootstrapStackVersion is %d, aws-cdk-lib's DefaultStackSynthesizer requires %d", s.Name, s.BootstrapVersion, CdkBootstrapVersion))
		}
	}
	return problems
}

// pipelineStages are the stages of the stack's CodePipeline pipeline, by name, in order.
func pipelineStages(template map[string]any) []pipelineStage {
	var stages []pipelineStage
	for _, p := range cfntemplate.OfType(cfntemplate.Resources(template), "AWS::CodePipeline::Pipeline") {
		for _, s := range cfntemplate.List(p["Stages"]) {
			stage, _ := s.(map[string]any)
			var actions []map[string]any
			for _, a := range cfntemplate.List(stage["Actions"]) {
				if action, ok := a.(map[string]any); ok {
					actions = append(actions, action)
				}
			}
			stages = append(stages, pipelineStage{name: cfntemplate.Text(stage["Name"]), actions: actions})
		}
	}
	return stages
}

type pipelineStage struct {
	name    string
	actions []map[string]any
}

// actionProvider is an action's ActionTypeId.Provider (CodeStarSourceConnection, Manual,
// CloudFormation, CodeBuild).
func actionProvider(action map[string]any) string {
	id, _ := action["ActionTypeId"].(map[string]any)
	return cfntemplate.Text(id["Provider"])
}

// actionConfiguration is an action's Configuration.
func actionConfiguration(action map[string]any) map[string]any {
	c, _ := action["Configuration"].(map[string]any)
	return c
}

// sourceActionProblems: the pipeline's source action follows the configured repository, branch
// and connection. "BranchName: The name of the branch where source changes are to be detected",
// with FullRepositoryId and ConnectionArn ("CodeStarSourceConnection for Bitbucket Cloud, GitHub,
// GitHub Enterprise Server, GitLab.com, and GitLab self-managed actions", CodePipeline User Guide,
// action reference; read 2026-12-07): another branch deploys what the configuration's branch does
// not hold (mutation run 26's A01, main turned master).
func sourceActionProblems(stages []pipelineStage, cfg *config.Config) []string {
	want := map[string]string{"BranchName": cfg.Pipeline.Branch, "FullRepositoryId": cfg.Pipeline.Repository, "ConnectionArn": cfg.Pipeline.ConnectionArn}
	configured := map[string]string{"BranchName": "pipeline.branch", "FullRepositoryId": "pipeline.repository", "ConnectionArn": "pipeline.connectionArn"}
	var problems []string
	found := false
	for _, stage := range stages {
		for _, action := range stage.actions {
			if actionProvider(action) != "CodeStarSourceConnection" {
				continue
			}
			found = true
			c := actionConfiguration(action)
			for _, key := range []string{"BranchName", "FullRepositoryId", "ConnectionArn"} {
				if got := cfntemplate.Text(c[key]); got != want[key] {
					problems = append(problems, fmt.Sprintf("pipeline source action %s: %s is %q, the configuration's %s is %q: the pipeline would build and deploy another source",
						cfntemplate.Text(action["Name"]), key, got, configured[key], want[key]))
				}
			}
		}
	}
	if !found {
		problems = append(problems, "the pipeline has no CodeStarSourceConnection source action: nothing starts it from the configured repository")
	}
	return problems
}

// deployActionProblems: each environment's stage deploys each of that environment's stacks, from
// its own template in the synth output, after the stacks it depends on. A CloudFormation action
// deploys the TemplatePath ("ArtifactName::TemplateFileName") to StackName ("AWS CloudFormation
// deploy action reference", CodePipeline User Guide; read 2026-12-07): the nested assembly's
// manifest says which template is the stack's, and which stacks it depends on (cdk deploy's
// order; a stack's Fn::GetStackOutput needs the other's outputs). Mutation run 26's A11 (prod's
// patching stack from the stage environment's template) and A13 (prod's fleet before its
// network).
func deployActionProblems(stages []pipelineStage, stacks []cfnupdate.Stack, cfg *config.Config) []string {
	var problems []string
	for _, d := range cfg.Deployments() {
		stage, ok := stageOf(stages, d)
		if !ok {
			continue // approvalProblems says so
		}
		own := map[string]cfnupdate.Stack{}
		for _, s := range stacks {
			if s.Environment == d.Environment {
				own[s.Name] = s
			}
		}
		first, last := map[string]int{}, map[string]int{} // RunOrders of each stack's actions
		for _, a := range stage.actions {
			if actionProvider(a) != "CloudFormation" {
				continue
			}
			c := actionConfiguration(a)
			name, order := cfntemplate.Text(c["StackName"]), cfntemplate.Int(a["RunOrder"])
			s, ok := own[name]
			if !ok {
				problems = append(problems, fmt.Sprintf("pipeline stage %s: action %s deploys stack %s, which is not one of environment %s's stacks", d.Environment, cfntemplate.Text(a["Name"]), name, d.Environment))
				continue
			}
			if first[name] == 0 || order < first[name] {
				first[name] = order
			}
			last[name] = max(last[name], order)
			if path, ok := c["TemplatePath"]; ok {
				_, file, _ := strings.Cut(cfntemplate.Text(path), "::")
				if want := filepath.Base(s.Dir) + "/" + s.TemplateFile; file != want {
					problems = append(problems, fmt.Sprintf("pipeline stage %s: action %s deploys template %s to stack %s, whose template is %s in the synth output", d.Environment, cfntemplate.Text(a["Name"]), file, name, want))
				}
			}
		}
		for _, name := range slices.Sorted(maps.Keys(own)) {
			if first[name] == 0 {
				problems = append(problems, fmt.Sprintf("pipeline stage %s: no action deploys stack %s", d.Environment, name))
			}
			for _, dep := range own[name].DependsOn {
				if first[name] != 0 && first[name] <= last[dep] {
					problems = append(problems, fmt.Sprintf("pipeline stage %s: stack %s deploys from RunOrder %d, before stack %s, which it depends on in the manifest, has finished (RunOrder %d)",
						d.Environment, name, first[name], dep, last[dep]))
				}
			}
		}
	}
	return problems
}

// bootstrapRole is a role of the CDK bootstrap stack, as aws-cdk-lib's DefaultStackSynthesizer
// names them: "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-${Qualifier}-deploy-role-
// ${AWS::AccountId}-${AWS::Region}", and cfn-exec-role for the execution role
// (DEFAULT_DEPLOY_ROLE_ARN, DEFAULT_CLOUDFORMATION_ROLE_ARN, core/lib/stack-synthesizers/
// default-synthesizer.js, aws-cdk-lib 2.270.0; read 2026-12-07).
var bootstrapRole = regexp.MustCompile(`^arn:(?:\$\{AWS::Partition\}|aws[a-z-]*):iam::([0-9]{12}):role/cdk-[A-Za-z0-9_-]+-(deploy-role|cfn-exec-role)-([0-9]{12})-([a-z0-9-]+)$`)

// deployRoleProblems: each environment's CloudFormation actions act as that environment's
// bootstrap roles: the action as its deploy role, CloudFormation as its execution role (the
// action's Configuration.RoleArn; "AWS CloudFormation deploy action reference", CodePipeline User
// Guide; read 2026-12-07). Another account's role would deploy the stack into that account
// (mutation run 26's A12: prod's network prepared with the stage account's execution role).
func deployRoleProblems(stages []pipelineStage, cfg *config.Config) []string {
	var problems []string
	partition := func(v any) string { return "${" + cfntemplate.Ref(v) + "}" }
	for _, d := range cfg.Deployments() {
		stage, _ := stageOf(stages, d)
		for _, a := range stage.actions {
			if actionProvider(a) != "CloudFormation" {
				continue
			}
			roles := map[string]any{"deploy-role": a["RoleArn"]}
			if execution, ok := actionConfiguration(a)["RoleArn"]; ok {
				roles["cfn-exec-role"] = execution
			}
			for _, kind := range slices.Sorted(maps.Keys(roles)) {
				arn := cfntemplate.Joined(roles[kind], partition)
				m := bootstrapRole.FindStringSubmatch(arn)
				if m == nil || m[1] != d.Account || m[2] != kind || m[3] != d.Account || m[4] != d.Region {
					problems = append(problems, fmt.Sprintf("pipeline stage %s: action %s's %s is %s, not the CDK bootstrap %s of environment %s (account %s, region %s)",
						d.Environment, cfntemplate.Text(a["Name"]), kind, arn, kind, d.Environment, d.Account, d.Region))
				}
			}
		}
	}
	return problems
}

var (
	protectRole   = regexp.MustCompile(`:iam::([0-9]{12}):role/([A-Za-z0-9+=,.@_-]+)`)
	protectRegion = regexp.MustCompile(`--region ([a-z0-9-]+)`)
	protectStack  = regexp.MustCompile(`--stack-name ([A-Za-z0-9-]+)`)
)

// protectStepProblems: each environment's Protect step, after its deploys, assumes that
// environment's protector role, in its account, and protects that environment's stacks in its
// region. STS AssumeRole gives the credentials of the role the ARN names ("AssumeRole", AWS STS
// API Reference; read 2026-12-07): another account's protector would protect, or fail to find,
// other stacks, and this environment's would stay unprotected (mutation run 26's A05, prod's step
// assuming the stage account's role). The role's name is config's, which the stack uses too. An
// environment without a stage is approvalProblems' to name.
func protectStepProblems(template map[string]any, stages []pipelineStage, cfg *config.Config) []string {
	var problems []string
	projects := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::CodeBuild::Project")
	for _, d := range cfg.Deployments() {
		stage, ok := stageOf(stages, d)
		if !ok {
			continue
		}
		var buildspec string
		for _, a := range stage.actions {
			if cfntemplate.Text(a["Name"]) == "Protect-"+d.Environment {
				source, _ := projects[cfntemplate.Ref(actionConfiguration(a)["ProjectName"])]["Source"].(map[string]any)
				buildspec = cfntemplate.Joined(source["BuildSpec"], func(v any) string { return "${" + cfntemplate.Ref(v) + "}" })
			}
		}
		if buildspec == "" {
			problems = append(problems, fmt.Sprintf("pipeline stage %s: no Protect-%s step (a CodeBuild project with a build spec): its stacks stay without termination protection and stack policy", d.Environment, d.Environment))
			continue
		}
		for _, m := range protectRole.FindAllStringSubmatch(buildspec, -1) {
			if m[1] != d.Account || m[2] != d.ProtectorRoleName() {
				problems = append(problems, fmt.Sprintf("pipeline stage %s: Protect-%s assumes role %s in account %s, not environment %s's protector %s in account %s", d.Environment, d.Environment, m[2], m[1], d.Environment, d.ProtectorRoleName(), d.Account))
			}
		}
		for _, m := range protectRegion.FindAllStringSubmatch(buildspec, -1) {
			if m[1] != d.Region {
				problems = append(problems, fmt.Sprintf("pipeline stage %s: Protect-%s protects stacks in region %s, environment %s's are in %s", d.Environment, d.Environment, m[1], d.Environment, d.Region))
			}
		}
		for _, m := range protectStack.FindAllStringSubmatch(buildspec, -1) {
			if !slices.Contains([]string{d.StackName("network"), d.StackName("fleet"), d.StackName("patching")}, m[1]) {
				problems = append(problems, fmt.Sprintf("pipeline stage %s: Protect-%s protects stack %s, not one of environment %s's", d.Environment, d.Environment, m[1], d.Environment))
			}
		}
		problems = append(problems, protectCommandProblems(awsCommands(buildspec), d)...)
	}
	return problems
}

// protectCommandProblems: the checks above judge the arguments a Protect step has; these, that it
// has them, as stackprotection.Commands writes them. It assumes a role (aws sts assume-role
// --role-arn): without, it acts in the pipeline's account as the step's own role. Every aws
// cloudformation command names its region (--region): without, the AWS CLI takes
// AWS_DEFAULT_REGION, which CodeBuild sets to "The AWS Region where the build is running ... used
// primarily by the AWS CLI" ("Environment variables in build environments", AWS CodeBuild User
// Guide; read 2026-12-07): the pipeline's, not the environment's. And each of
// the environment's stacks gets both update-termination-protection --enable-termination-protection
// and set-stack-policy by --stack-name (review 18's finding 2: each removal passed).
func protectCommandProblems(commands []awsCLICommand, d *config.Config) []string {
	var problems []string
	assumes, done := false, map[string]bool{}
	for _, c := range commands {
		assumes = assumes || c.service == "sts" && c.operation == "assume-role" && c.options["--role-arn"] != ""
		if c.service != "cloudformation" {
			continue
		}
		if _, ok := c.options["--region"]; !ok {
			problems = append(problems, fmt.Sprintf("pipeline stage %s: Protect-%s runs aws cloudformation %s (stack %s) without --region: the AWS CLI would use the build's region, not environment %s's %s",
				d.Environment, d.Environment, c.operation, c.options["--stack-name"], d.Environment, d.Region))
		}
		if _, enables := c.options["--enable-termination-protection"]; c.operation != "update-termination-protection" || enables {
			done[c.operation+" "+c.options["--stack-name"]] = true
		}
	}
	if !assumes {
		problems = append(problems, fmt.Sprintf("pipeline stage %s: Protect-%s assumes no role (aws sts assume-role --role-arn): it would act in the pipeline's account, not as environment %s's protector %s in account %s",
			d.Environment, d.Environment, d.Environment, d.ProtectorRoleName(), d.Account))
	}
	for _, stack := range []string{d.StackName("network"), d.StackName("fleet"), d.StackName("patching")} {
		for _, operation := range []string{"update-termination-protection", "set-stack-policy"} {
			if !done[operation+" "+stack] {
				problems = append(problems, fmt.Sprintf("pipeline stage %s: Protect-%s runs no aws cloudformation %s --stack-name %s: the stack stays without its %s",
					d.Environment, d.Environment, operation, stack, map[string]string{"update-termination-protection": "termination protection", "set-stack-policy": "stack policy"}[operation]))
			}
		}
	}
	return problems
}

// awsCLICommand is one AWS CLI command of a build spec: aws SERVICE OPERATION, and each option
// with the word after it ("" for a flag).
type awsCLICommand struct {
	service, operation string
	options            map[string]string
}

var (
	awsCLIStart     = regexp.MustCompile(`(?:^|[\s(])aws ([a-z0-9-]+) ([a-z0-9-]+)`)
	shellSeparators = regexp.MustCompile(`&&|\|\||;|\n`)
)

// awsCommands are the AWS CLI commands of a CodeBuild build spec (its JSON: every phase's
// commands; the whole text if it is not JSON), each shell line cut at &&, ||, ; and line ends:
// stackprotection.Commands joins its commands with " && ", the assume-role in a for loop's $(...).
func awsCommands(buildspec string) []awsCLICommand {
	var spec struct {
		Phases map[string]struct {
			Commands []string `json:"commands"`
		} `json:"phases"`
	}
	lines := []string{buildspec}
	if json.Unmarshal([]byte(buildspec), &spec) == nil {
		lines = nil
		for _, phase := range slices.Sorted(maps.Keys(spec.Phases)) {
			lines = append(lines, spec.Phases[phase].Commands...)
		}
	}
	var commands []awsCLICommand
	for _, line := range lines {
		for _, part := range shellSeparators.Split(line, -1) {
			at := awsCLIStart.FindStringSubmatchIndex(part)
			if at == nil {
				continue
			}
			c := awsCLICommand{service: part[at[2]:at[3]], operation: part[at[4]:at[5]], options: map[string]string{}}
			words := strings.Fields(part[at[5]:])
			for i, w := range words {
				if strings.HasPrefix(w, "--") {
					c.options[w] = ""
					if i+1 < len(words) && !strings.HasPrefix(words[i+1], "--") {
						c.options[w] = strings.Trim(words[i+1], `"'`)
					}
				}
			}
			commands = append(commands, c)
		}
	}
	return commands
}

// synthStepProblems: the build that writes the artifact the environments deploy from (the
// artifact their TemplatePaths name) runs make verify on the configuration's file, the command
// config.PipelineVerifyCommand spells for the stack too: the project's design, so that no
// environment deploys an assembly these checks have not passed (mutation run 26's A20, the
// command removed). The build spec is CodeBuild's JSON (phases.build.commands), read through
// substituted: CDK writes it as an Fn::Join where a command holds a token.
func synthStepProblems(template map[string]any, stages []pipelineStage, cfg *config.Config) []string {
	var artifact string
	for _, stage := range stages {
		for _, a := range stage.actions {
			if path, ok := actionConfiguration(a)["TemplatePath"]; ok && artifact == "" {
				artifact, _, _ = strings.Cut(cfntemplate.Text(path), "::")
			}
		}
	}
	projects := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::CodeBuild::Project")
	for _, stage := range stages {
		for _, a := range stage.actions {
			if !slices.ContainsFunc(cfntemplate.List(a["OutputArtifacts"]), func(o any) bool { return artifact != "" && cfntemplate.Text(o.(map[string]any)["Name"]) == artifact }) {
				continue
			}
			source, _ := projects[cfntemplate.Ref(actionConfiguration(a)["ProjectName"])]["Source"].(map[string]any)
			var spec struct {
				Phases map[string]struct {
					Commands []string `json:"commands"`
				} `json:"phases"`
			}
			buildspec, _ := substituted(source["BuildSpec"]) // a string, or an Fn::Join or Fn::Sub around a token
			if err := json.Unmarshal([]byte(buildspec), &spec); err != nil || !slices.Contains(spec.Phases["build"].Commands, cfg.PipelineVerifyCommand()) {
				return []string{fmt.Sprintf("pipeline build %s, which writes %s, does not run %q: the environments would deploy an assembly make verify never passed", cfntemplate.Text(a["Name"]), artifact, cfg.PipelineVerifyCommand())}
			}
			return nil
		}
	}
	return []string{fmt.Sprintf("the pipeline has no build that writes the artifact %q its deploy actions read: no step runs %q", artifact, cfg.PipelineVerifyCommand())}
}
