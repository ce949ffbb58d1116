package stacks

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/kmskey"
	"github.com/privatepatch/privatepatch/constructs/loggroup"
	"github.com/privatepatch/privatepatch/constructs/pipelinealerts"
	"github.com/privatepatch/privatepatch/constructs/stackprotection"
)

// goVersion is the Go the build installs on CodeBuild's standard image, and goSHA256 the SHA-256
// that go.dev/dl publishes for its linux-amd64 archive (the download page's JSON,
// go.dev/dl/?mode=json, as four public repositories that checked the archive against it record
// it, read 2026-12-06: nothing is downloaded here). The build refuses an archive with another
// digest before it unpacks anything: the download is not otherwise authenticated.
const (
	goVersion = "1.26.8"
	goSHA256  = "d0f743b33e8d8945e6b1f432edd15785c70507121d6e2a723b21285eddf8b57b"
)

// PipelineAlertsUnheardWarning is the warning's id when the pipeline's alerts go to no address.
const PipelineAlertsUnheardWarning = "privatepatch:pipelineAlertsUnheard"

// cdkCliVersion is the CDK CLI the self-mutation step installs: package.json's aws-cdk, the one
// make setup installs for the build (a test keeps them equal). Without it CDK Pipelines installs
// whatever aws-cdk@2 is newest when the step runs.
const cdkCliVersion = "2.1148.1"

// cdkAssetsVersion is the cdk-assets CLI the asset steps install: package.json's cdk-assets (a
// test keeps them equal). Without it CDK Pipelines installs "cdk-assets@latest" (aws-cdk-lib
// 2.270's pipelines: cdkAssetsCliVersion defaults to "latest"), in the projects whose role may
// assume each environment's file-publishing role.
const cdkAssetsVersion = "4.7.3"

// synthCompute is the build's CodeBuild compute type. make test and make verify peak at about
// 1.9 GiB (summed resident memory of the build's processes, measured on 2 cores; make test with
// a warm Go cache, less while compiling from nothing; docs/benchmarks.md). SMALL's 3 GB would
// leave about 1 GB and run the CPU-bound suite on 2 vCPUs; MEDIUM has room to grow and twice the
// cores ("BUILD_GENERAL1_MEDIUM: Use up to 7 GB memory and 4 vCPUs for builds", AWS CodeBuild API
// Reference, ProjectEnvironment computeType; read 2026-11-27). The other projects
// (self-mutation, assets) keep CDK Pipelines' SMALL.
const synthCompute = awscodebuild.ComputeType_MEDIUM

// stackPolicyDir is where, in cdk.out, the synth step writes the stages' stack policies.
const stackPolicyDir = "stack-policies"

// PipelineStack is the pipeline of pipeline mode, and the deployments it delivers.
type PipelineStack struct {
	awscdk.Stack
	Pipeline pipelines.CodePipeline
	// Deployments are the environments' stacks, in their stages.
	Deployments []PrivatePatch
	// Alerts tell of a failed run and of an approval that waits.
	Alerts pipelinealerts.PipelineAlerts
}

// NewPipeline creates <project>-pipeline: it builds the repository on CodeBuild (make test,
// then make verify of the configuration file), updates itself, and deploys the environments one
// after another in the order they are listed, each after an approval where asked.
func NewPipeline(app awscdk.App, cfg *config.Config) PipelineStack {
	stack := awscdk.NewStack(app, jsii.String("Pipeline"), &awscdk.StackProps{
		StackName:   jsii.String(cfg.PipelineStackName()),
		Description: jsii.String("privatepatch: builds, tests and deploys every environment"),
		Env:         &awscdk.Environment{Account: jsii.String(cfg.PipelineAccount()), Region: jsii.String(cfg.PipelineRegion())},
		// Deployed by make deploy and then by the pipeline's self-mutation (cdk deploy), which
		// both apply it.
		TerminationProtection: terminationProtection,
	})
	pl := cfg.Pipeline
	source := pipelines.CodePipelineSource_Connection(jsii.String(pl.Repository), jsii.String(pl.Branch),
		&pipelines.ConnectionSourceOptions{ConnectionArn: jsii.String(pl.ConnectionArn)})
	// The pipeline's name, which its events carry and its alerts' rules match.
	pipelineName := cfg.PipelineName()
	prot := newStageProtection(cfg)
	stepRole := stackprotection.NewStepRole(stack, "ProtectStepRole", stackprotection.StepRoleProps{RoleName: prot.stepRoleName, ProtectorRoleArns: prot.protectorArns(cfg)})
	synth := newSynthStep(cfg, source)
	s := PipelineStack{Stack: stack}
	s.Pipeline = pipelines.NewCodePipeline(stack, jsii.String("Pipeline"), &pipelines.CodePipelineProps{
		PipelineName:        jsii.String(pipelineName),
		CrossAccountKeys:    jsii.Bool(true), // environments may be in other accounts
		EnableKeyRotation:   jsii.Bool(true),
		Synth:               synth,
		CliVersion:          jsii.String(cdkCliVersion),
		CdkAssetsCliVersion: jsii.String(cdkAssetsVersion),
		CodeBuildDefaults: &pipelines.CodeBuildOptions{
			BuildEnvironment: &awscodebuild.BuildEnvironment{BuildImage: awscodebuild.LinuxBuildImage_STANDARD_7_0()},
			Logging:          &awscodebuild.LoggingOptions{CloudWatch: &awscodebuild.CloudWatchLoggingOptions{LogGroup: buildLogs(stack)}},
		},
	})
	for _, d := range cfg.Deployments() {
		s.addStage(app, cfg, d, synth.PrimaryOutput(), stepRole, prot)
	}
	s.Pipeline.BuildPipeline()
	s.Alerts = pipelinealerts.New(stack, "Alerts", &pipelinealerts.Props{
		PipelineName: pipelineName, UndeliveredAlarmName: cfg.Project + "-pipeline-alerts-undelivered",
		Emails: cfg.PipelineNotificationEmails(), Approvals: len(pl.ApprovalBefore) > 0,
	})
	if len(cfg.PipelineNotificationEmails()) == 0 {
		awscdk.Annotations_Of(stack).AddWarningV2(jsii.String(PipelineAlertsUnheardWarning), jsii.String(
			"no one is told of a failed pipeline run or of an approval that waits: set pipeline.notificationEmails (or patching.notifications.emails), "+
				"or subscribe to the topic in the pipeline stack yourself"))
	}
	grantUseConnection(s.Pipeline, pl.ConnectionArn)
	securePipeline(stack, s.Pipeline, deploymentRegions(cfg))
	return s
}

// stageProtection names the roles of the steps that protect each stage's stacks (stackprotection):
// the step's role here assumes a role in the stage's account that may only set their stack
// policy and termination protection. The names are fixed so that each side can name the other.
type stageProtection struct {
	partition, stepRoleName, stepRoleArn string
}

func newStageProtection(cfg *config.Config) stageProtection {
	partition := *awscdk.Aws_PARTITION() // a pseudo parameter: resolves in each stack that uses it
	stepRoleName := cfg.ProtectStepRoleName()
	return stageProtection{partition: partition, stepRoleName: stepRoleName,
		stepRoleArn: fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, cfg.PipelineAccount(), stepRoleName)}
}

func (p stageProtection) protectorName(d *config.Config) string {
	return d.ProtectorRoleName()
}

func (p stageProtection) protectorArn(d *config.Config) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", p.partition, d.Account, p.protectorName(d))
}

// protectorArns are the roles the step role may assume, one per deployment.
func (p stageProtection) protectorArns(cfg *config.Config) []string {
	var arns []string
	for _, d := range cfg.Deployments() {
		arns = append(arns, p.protectorArn(d))
	}
	return arns
}

// newSynthStep tests, synthesises and checks the configuration, and writes each stage's stack
// policy for its protection step.
func newSynthStep(cfg *config.Config, source pipelines.IFileSetProducer) pipelines.CodeBuildStep {
	synthCommands := []string{"export PATH=/usr/local/go/bin:$PATH", "make test", cfg.PipelineVerifyCommand()}
	for _, d := range cfg.Deployments() {
		// The stack policy of each stage's stacks (cfnupdate.StackPolicy), for its protection step.
		synthCommands = append(synthCommands, "go run ./tools/checkupdate -stack-policies cdk.out -environment "+d.Environment+" -out cdk.out/"+stackPolicyDir)
	}
	return pipelines.NewCodeBuildStep(jsii.String("Synth"), &pipelines.CodeBuildStepProps{
		Input: source,
		InstallCommands: jsii.Strings(
			fmt.Sprintf(`curl -fsSL -o "${TMPDIR:-/tmp}/go.tar.gz" https://go.dev/dl/go%s.linux-amd64.tar.gz`, goVersion),
			// One command: tar runs only after the check passed, however the phase treats a failure.
			fmt.Sprintf(`echo "%s  ${TMPDIR:-/tmp}/go.tar.gz" | sha256sum -c - && tar -C /usr/local -xzf "${TMPDIR:-/tmp}/go.tar.gz"`, goSHA256),
			"export PATH=/usr/local/go/bin:$PATH",
		),
		// Every test, then the synth of this configuration with every offline check (CDK's
		// validation, the flow table, the schema, Control Tower): the pipeline deploys what
		// this writes to cdk.out without synthesising again.
		Commands:               jsii.Strings(synthCommands...),
		PrimaryOutputDirectory: jsii.String("cdk.out"),
		// make verify's S3 prefix-list drift check (s3drift) reads each region's list with the
		// build's credentials; the pipeline deploys without make deploy, so this is its only one.
		RolePolicyStatements: &[]awsiam.PolicyStatement{prefixListReader()},
		BuildEnvironment:     &awscodebuild.BuildEnvironment{ComputeType: synthCompute},
	})
}

// addStage deploys deployment d after the environments listed before it, protects its stacks
// after it, and asks for an approval before it when the pipeline's approvalBefore names it. Each
// environment is a wave of its own: the stages of one wave "will be deployed in parallel"
// (Wave.addStage, aws-cdk-lib pipelines), so a wave per region deployed a production listed after
// its staging in the same region beside it, before the environments listed between them, and
// asked for production's approval while staging was still deploying (a review's find).
func (s *PipelineStack) addStage(app awscdk.App, cfg *config.Config, d *config.Config,
	synthOutput pipelines.FileSet, stepRole awsiam.IRole, prot stageProtection) {
	wave := s.Pipeline.AddWave(jsii.String(d.Environment), nil)
	stage := awscdk.NewStage(app, jsii.String(d.Environment), &awscdk.StageProps{Env: environment(d)})
	p := NewPrivatePatch(stage, d)
	s.Deployments = append(s.Deployments, p)
	names := []string{*p.Network.StackName(), *p.Fleet.StackName(), *p.Patching.StackName()}
	protector := stackprotection.NewProtector(p.Patching.Stack, "PipelineProtector", stackprotection.ProtectorProps{
		RoleName: prot.protectorName(d), StepRoleArn: prot.stepRoleArn, Stacks: names, StopAlarms: stopAlarmTasks(d, p.Patching)})
	opts := &pipelines.AddStageOpts{Post: &[]pipelines.Step{pipelines.NewCodeBuildStep(jsii.String("Protect-"+d.Environment), &pipelines.CodeBuildStepProps{
		Input:    synthOutput,
		Commands: jsii.Strings(stackprotection.Commands(prot.protectorArn(d), d.Region, stackPolicyDir, names, protector.Attachments())...),
		Role:     stepRole,
	})}}
	for _, name := range cfg.Pipeline.ApprovalBefore {
		if name == d.Environment {
			opts.Pre = &[]pipelines.Step{pipelines.NewManualApprovalStep(jsii.String("Approve-"+d.Environment), &pipelines.ManualApprovalStepProps{
				Comment: jsii.String("Deploy privatepatch to " + d.Environment + " (" + d.Region + ")?"),
			})}
		}
	}
	wave.AddStage(stage, opts)
}

// stopAlarmTasks are the deployment's Install tasks with a stop alarm, in the configuration's
// window order: the pipeline attaches them after each deploy, as make deploy does.
func stopAlarmTasks(d *config.Config, p PatchingStack) []stackprotection.StopAlarmTask {
	var tasks []stackprotection.StopAlarmTask
	for _, w := range d.Patching.MaintenanceWindows {
		window := p.MaintenanceWindows[w.Name]
		for _, task := range window.Tasks() {
			if alarm, ok := window.StopAlarms()[*task.Name()]; ok {
				tasks = append(tasks, stackprotection.StopAlarmTask{WindowID: *window.Window().Ref(), WindowTaskID: *task.AttrWindowTaskId(), AlarmName: alarm,
					MaxConcurrency: *task.MaxConcurrency(), MaxErrors: *task.MaxErrors()})
			}
		}
	}
	return tasks
}

// grantUseConnection lets the source action's role use the connection under the service prefix
// its ARN names. CDK Pipelines grants codestar-connections:UseConnection whatever the ARN, and
// connections created since July 2024 are arn:...:codeconnections:...: "When specifying a
// resource in the IAM policy, the service prefix needs to match that of the resource"
// ("Identity and access management for AWS CodeStar Notifications and AWS CodeConnections",
// Developer Tools console User Guide; read 2026-12-06).
func grantUseConnection(pipeline pipelines.CodePipeline, connectionArn string) {
	// arn:PARTITION:SERVICE:REGION:ACCOUNT:connection/ID
	service := strings.Split(connectionArn, ":")[2]
	// The source stage's scope holds its action's role.
	source := pipeline.Pipeline().Node().FindChild(jsii.String("Source"))
	for _, c := range *source.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if role, ok := c.(awsiam.Role); ok {
			role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings(service + ":UseConnection"),
				Resources: jsii.Strings(connectionArn),
			}))
		}
	}
}

// securePipeline secures and checks the pipeline stack and the support stacks CodePipeline adds.
func securePipeline(stack awscdk.Stack, pipeline pipelines.CodePipeline, regions []string) {
	secureArtifactBucket(pipeline.Pipeline().ArtifactBucket())
	applyNagPacks(stack, true)
	suppressPipelineFindings(stack)
	suppressPipelineWildcards(stack, pipeline, regions)
	// CodePipeline adds a support stack (a replication bucket and its key) in each other region it
	// deploys to; it is secured and checked like the pipeline stack.
	for _, support := range *pipeline.Pipeline().CrossRegionSupport() {
		secureArtifactBucket(support.ReplicationBucket)
		applyNagPacks(support.Stack, true)
		suppressSupportStackFindings(support.Stack)
	}
}

// prefixListReader lets the synth step read managed prefix lists and their entries. The Amazon
// VPC User Guide's example policy ("Identity and access management for prefix lists"; read
// 2026-11-27) grants DescribeManagedPrefixLists on "*" and GetManagedPrefixListEntries on the
// account's own prefix-list ARN; AWS-managed lists are not the account's, so "*" for both.
func prefixListReader() awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadS3PrefixListsForTheDriftCheck"),
		Actions:   jsii.Strings("ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries"),
		Resources: jsii.Strings("*"),
	})
}

// buildLogs is the CodeBuild projects' log group: KMS-encrypted, kept a year, retained.
func buildLogs(stack awscdk.Stack) awslogs.LogGroup {
	group, _ := loggroup.NewEncrypted(stack, "BuildLogs", "Encrypts the pipeline's build logs")
	return group
}

// secureArtifactBucket versions an artifact bucket CodePipeline creates, lets old versions and
// failed uploads expire, and denies grants on its key except to AWS services (Control Tower
// CT.S3.PR.11, CT.S3.PR.6, CT.KMS.PR.3). A run's artifacts stay current until the next run.
func secureArtifactBucket(bucket awss3.IBucket) {
	cfn := bucket.Node().DefaultChild().(awss3.CfnBucket)
	cfn.SetVersioningConfiguration(&awss3.CfnBucket_VersioningConfigurationProperty{Status: jsii.String("Enabled")})
	cfn.SetLifecycleConfiguration(&awss3.CfnBucket_LifecycleConfigurationProperty{Rules: &[]any{
		&awss3.CfnBucket_RuleProperty{
			Id:                             jsii.String("ExpireOldArtifacts"),
			Status:                         jsii.String("Enabled"),
			NoncurrentVersionExpiration:    &awss3.CfnBucket_NoncurrentVersionExpirationProperty{NoncurrentDays: jsii.Number(30)},
			AbortIncompleteMultipartUpload: &awss3.CfnBucket_AbortIncompleteMultipartUploadProperty{DaysAfterInitiation: jsii.Number(7)},
		},
	}})
	if key := bucket.EncryptionKey(); key != nil { // with CrossAccountKeys, always
		kmskey.DenyGrantsExceptForAwsServices(key)
	}
}

// suppressSupportStackFindings answers cdk-nag for a cross-region support stack's replication
// bucket, which CodePipeline fills with each run's artifacts for the actions in that region.
func suppressSupportStackFindings(stack awscdk.Stack) {
	suppressInStack(stack, map[string]string{
		"AwsSolutions-S1":                           "the replication bucket holds copies of build artifacts for the actions in this region, which the next run recreates",
		"NIST.800.53.R5-S3BucketLoggingEnabled":     "the replication bucket holds copies of build artifacts, which the next run recreates",
		"NIST.800.53.R5-S3BucketReplicationEnabled": "it is itself the replica of the pipeline's artifacts in this region",
	})
}

// suppressPipelineFindings answers cdk-nag for what CDK Pipelines generates in this stack: its
// artifact bucket, key, CodeBuild projects and their roles.
func suppressPipelineFindings(stack awscdk.Stack) {
	suppressInStack(stack, map[string]string{
		"AwsSolutions-S1":                           "the pipeline's artifact bucket holds build artifacts only, which the next run recreates; CodePipeline's history records every run",
		"NIST.800.53.R5-IAMNoInlinePolicy":          "CDK Pipelines builds each role's policy from its grants",
		"NIST.800.53.R5-S3BucketLoggingEnabled":     "the artifact bucket holds build artifacts only, which the next run recreates",
		"NIST.800.53.R5-S3BucketReplicationEnabled": "build artifacts are recreated by the next run",
	})
}

// pipelineGrantWildcards are the wildcard findings (AwsSolutions-IAM5) of the grants CDK Pipelines
// gives every role it makes, and the protection steps' role: the artifact buckets and their keys
// (CDK's grantReadWrite action groups), and CodeBuild's log groups and report groups, named after
// projects CodeBuild creates. Suppressed in the whole stack by these patterns only, so that a
// wildcard of another kind (an action group of another service, Resource::*, a role) fails cdk-nag.
var pipelineGrantWildcards = []string{
	`^Action::s3:(Abort|DeleteObject|GetBucket|GetObject|List)\*$`,
	`^Action::kms:(GenerateDataKey|ReEncrypt)\*$`,
	`^Resource::<PipelineArtifactsBucket[0-9A-F]{8}\.Arn>/\*$`,
	`^Resource::arn:[a-z-]+:logs:[a-z0-9-]+:[0-9]{12}:log-group:/aws/codebuild/(\*|<[A-Za-z0-9]+>:\*)$`,
	`^Resource::arn:[a-z-]+:codebuild:[a-z0-9-]+:[0-9]{12}:report-group/(\*|<[A-Za-z0-9]+>-\*)$`,
}

// pipelineStarResources are the policies in which a statement names every resource, by path under
// the CodePipeline construct, each with its reason: their Resource::* finding is suppressed there
// and nowhere else (a policy a configuration does not make, the asset role without file assets,
// is skipped).
var pipelineStarResources = []struct {
	path, reason string
	roles        string // a pattern of role ARN findings suppressed there too, or none
}{
	{"Pipeline/Build/Synth/CdkBuildProject/Role/DefaultPolicy/Resource",
		"the synth step reads the AWS-managed S3 prefix lists of every region (ec2:DescribeManagedPrefixLists and ec2:GetManagedPrefixListEntries, read-only), which take no resource for a list it does not know the id of", ""},
	{"Pipeline/Role/DefaultPolicy/Resource",
		"CDK Pipelines: the pipeline role uses the cross-region replication buckets' keys, which live in the support stacks of other regions", ""},
	{"UpdatePipeline/SelfMutation/Role/DefaultPolicy/Resource",
		"CDK Pipelines: the self-mutation reads stacks (cloudformation:DescribeStacks) and lists buckets (s3:ListBucket) to run cdk deploy, and assumes the environments' CDK bootstrap roles (role/*, conditioned on their bootstrap-role tag)",
		`^Resource::arn:\*:iam::[0-9]{12}:role\/\*$`},
	{"Assets/FileRole/DefaultPolicy/Resource",
		"CDK Pipelines: the asset step starts and watches its CodeBuild builds (codebuild:StartBuild, StopBuild, BatchGetBuilds)", ""},
}

// ReplicationBucketWildcards are the cross-region replication buckets' wildcard findings: CDK
// Pipelines puts one in a support stack "<pipeline stack>-support-<region>" of each other region,
// and CDK names it by generatePhysicalName: the stack name's first 25 characters, the construct's
// unique id's last 24 ("eplicationBucket" and its 8-hex hash), a 12-hex hash, lower-cased
// (aws-cdk-lib 2.270's core/lib/private/physical-name-generator.js). A fixed "-sup" in the pattern
// held only for stack names whose 25th character fell there: pipeline mode failed cdk-nag for
// most projects (a review's find: "stark", "stark-industries-patching").
func ReplicationBucketWildcards(pipelineStack string, regions []string) []string {
	var out []string
	for _, region := range regions {
		prefix := strings.ToLower(pipelineStack + "-support-" + region)
		prefix = prefix[:min(25, len(prefix))]
		// The id part is the last 24 characters of CrossRegionCodePipelineReplicationBucket<hash>:
		// "eplicationbucket" and the 8-hex hash, then the 12-hex name hash.
		pattern := `^Resource::arn:[a-z-]+:s3:::` + regexp.QuoteMeta(prefix) + `eplicationbucket[0-9a-f]{20}/\*$`
		if !slices.Contains(out, pattern) {
			out = append(out, pattern)
		}
	}
	return out
}

// suppressPipelineWildcards suppresses AwsSolutions-IAM5 for pipelineGrantWildcards in the stack,
// and Resource::* (and the self-mutation's bootstrap roles) only on pipelineStarResources.
func suppressPipelineWildcards(stack awscdk.Stack, pipeline pipelines.CodePipeline, regions []string) {
	var grants []any
	for _, pattern := range append(slices.Clone(pipelineGrantWildcards), ReplicationBucketWildcards(*stack.StackName(), regions)...) {
		grants = append(grants, &cdknag.RegexAppliesTo{Regex: jsii.String("/" + pattern + "/")})
	}
	cdknag.NagSuppressions_AddStackSuppressions(stack, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("CDK Pipelines' grants to its roles and the protection steps' role: the artifact buckets with their keys, and the log groups and report groups of the CodeBuild projects it creates"),
		AppliesTo: &grants,
	}}, jsii.Bool(true))
	for _, r := range pipelineStarResources {
		appliesTo := []any{"Resource::*"}
		if r.roles != "" {
			appliesTo = append(appliesTo, &cdknag.RegexAppliesTo{Regex: jsii.String("/" + r.roles + "/")})
		}
		policy := childAt(pipeline, r.path)
		if policy == nil {
			continue
		}
		cdknag.NagSuppressions_AddResourceSuppressions(policy,
			&[]*cdknag.NagPackSuppression{{Id: jsii.String("AwsSolutions-IAM5"), Reason: jsii.String(r.reason), AppliesTo: &appliesTo}}, jsii.Bool(false))
	}
}

// childAt is the construct at path (ids joined by "/") under scope, or nil.
func childAt(scope constructs.IConstruct, path string) constructs.IConstruct {
	for _, id := range strings.Split(path, "/") {
		if scope = scope.Node().TryFindChild(jsii.String(id)); scope == nil {
			return nil
		}
	}
	return scope
}

// suppressInStack suppresses each cdk-nag rule, by id, in everything in stack, with its reason
// (in id order, so that the template does not change from run to run).
func suppressInStack(stack awscdk.Stack, reasons map[string]string) {
	var suppressions []*cdknag.NagPackSuppression
	for _, id := range slices.Sorted(maps.Keys(reasons)) {
		suppressions = append(suppressions, &cdknag.NagPackSuppression{Id: jsii.String(id), Reason: jsii.String(reasons[id])})
	}
	cdknag.NagSuppressions_AddStackSuppressions(stack, &suppressions, jsii.Bool(true))
}

// deploymentRegions are the regions the pipeline deploys to, each once.
func deploymentRegions(cfg *config.Config) []string {
	var regions []string
	for _, d := range cfg.Deployments() {
		if !slices.Contains(regions, d.Region) {
			regions = append(regions, d.Region)
		}
	}
	return regions
}
