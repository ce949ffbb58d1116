package config

import (
	"cmp"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
)

// Pipeline is the app's delivery mode: instead of stacks to deploy from a workstation, one
// pipeline stack (CDK Pipelines on AWS CodePipeline) that builds the repository, runs the tests,
// and deploys every environment in waves by region, itself first (self-mutating).
type Pipeline struct {
	// Enabled switches the app to pipeline mode.
	Enabled bool `yaml:"enabled"`
	// ConnectionArn is the CodeConnections (CodeStar) connection to the repository host.
	ConnectionArn string `yaml:"connectionArn"`
	// Repository is owner/name on the connection's host.
	Repository string `yaml:"repository"`
	// Branch the pipeline follows.
	Branch string `yaml:"branch"`
	// ConfigFile is this configuration's path in the repository, which the build synthesises.
	ConfigFile string `yaml:"configFile"`
	// Account and Region hold the pipeline; they default to the first environment's.
	Account string `yaml:"account"`
	Region  string `yaml:"region"`
	// ApprovalBefore names the environments that wait for a person's approval.
	ApprovalBefore []string `yaml:"approvalBefore"`
	// NotificationEmails are told of a failed run and of an approval that waits (each confirms
	// its subscription by mail). Default: patching.notifications.emails.
	NotificationEmails []string `yaml:"notificationEmails"`
}

// PipelineNotificationEmails are the addresses the pipeline's alerts go to.
func (c *Config) PipelineNotificationEmails() []string {
	if c.Pipeline.NotificationEmails != nil {
		return c.Pipeline.NotificationEmails
	}
	return c.Patching.Notifications.Emails
}

var (
	connectionArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:[0-9]{12}:connection/[0-9a-f-]{36}$`)
	repositoryPattern    = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	repoPathPattern      = regexp.MustCompile(`^[A-Za-z0-9_./-]+\.ya?ml$`)
)

// PipelineAccount and PipelineRegion are where the pipeline lives.
func (c *Config) PipelineAccount() string {
	if c.Pipeline.Account != "" || len(c.Environments) == 0 {
		return c.Pipeline.Account
	}
	return c.Environments[0].Account
}

// ProtectStepRoleName is the fixed name of the role of the pipeline's step that protects each
// environment's stacks after its deploy, in the pipeline's account: each environment's protector
// role trusts it (stacks/pipeline.go), and make verify's authorisation rows name it.
func (c *Config) ProtectStepRoleName() string { return c.Project + "-pipeline-protect" }

// ProtectorRoleName is the fixed name of deployment c's protector role, in its own account, which
// the pipeline's Protect step assumes (stacks/pipeline.go makes both; make verify checks the step).
func (c *Config) ProtectorRoleName() string { return c.Project + "-" + c.Environment + "-protect" }

// PipelineVerifyCommand is the command of the pipeline's build that runs make verify on this
// configuration's file in the repository (stacks/pipeline.go runs it; make verify checks it is run).
func (c *Config) PipelineVerifyCommand() string { return "make verify CONFIG=" + c.Pipeline.ConfigFile }

// PipelineStackName is the pipeline stack's name, and PipelineName the CodePipeline pipeline's,
// which its events carry (stacks/pipeline.go names both; make doctor reads them).
func (c *Config) PipelineStackName() string { return c.Project + "-pipeline" }
func (c *Config) PipelineName() string      { return c.Project }

// PipelineRegion is where the pipeline lives.
func (c *Config) PipelineRegion() string {
	if c.Pipeline.Region != "" || len(c.Environments) == 0 {
		return c.Pipeline.Region
	}
	return c.Environments[0].Region
}

func (c *Config) validatePipeline(p *problems) {
	pl := c.Pipeline
	if !pl.Enabled {
		return
	}
	if !connectionArnPattern.MatchString(pl.ConnectionArn) {
		p.add("pipeline.connectionArn", pl.ConnectionArn, "is not a CodeConnections connection ARN: create one (console: Developer Tools > Connections) and give its ARN")
	}
	if !repositoryPattern.MatchString(pl.Repository) {
		p.add("pipeline.repository", pl.Repository, "is not a repository: use owner/name")
	}
	if !repoPathPattern.MatchString(pl.ConfigFile) || pl.ConfigFile[0] == '/' || path.Clean(pl.ConfigFile) != pl.ConfigFile ||
		strings.HasPrefix(pl.ConfigFile, "../") {
		p.add("pipeline.configFile", pl.ConfigFile, "is not a path in the repository to this YAML file, e.g. configs/prod.yaml: "+
			"relative to the repository root, with no . or .. parts (the build reads it inside its checkout)")
	}
	if problem := branchNameProblem(pl.Branch); problem != "" {
		p.add("pipeline.branch", pl.Branch, "is not a git branch name: %s", problem)
	}
	if len(c.Environments) == 0 {
		p.add("pipeline.enabled", true, "needs environments: the pipeline deploys each of them")
	}
	for i, e := range c.Environments {
		// An environment named pipeline would give its protector role the pipeline's step role's
		// name (ProtectorRoleName, ProtectStepRoleName): IAM names are the account's, and in the
		// pipeline's account the second role's creation fails (the review of session 19's checks).
		if e.Name == "pipeline" {
			p.add(fmt.Sprintf("environments[%d].name", i), e.Name, "is reserved with a pipeline: its protector role would take the name of the pipeline's step role, %s", c.ProtectStepRoleName())
		}
		if e.Account == "" {
			p.add(fmt.Sprintf("environments[%d].account", i), "", "is required with a pipeline: it deploys to explicit accounts")
		}
	}
	if !accountPattern.MatchString(c.PipelineAccount()) {
		p.add("pipeline.account", c.PipelineAccount(), "is not an AWS account id: set it, or the first environment's account")
	}
	for i, email := range c.Pipeline.NotificationEmails {
		if !validEmail(email) {
			p.add(fmt.Sprintf("pipeline.notificationEmails[%d]", i), email, emailAdvice)
		}
	}
	if !knownRegion(c.PipelineRegion()) {
		p.add("pipeline.region", c.PipelineRegion(), "is not an AWS region")
	}
	// The pipeline assumes each environment's bootstrap and protector roles, which trust its
	// roles by ARN: an account of one partition cannot assume a role of another.
	for i, e := range c.Environments {
		if region := cmp.Or(e.Region, c.Region); region != "" && networkspec.Partition(region) != networkspec.Partition(c.PipelineRegion()) {
			p.add(fmt.Sprintf("environments[%d].region", i), region, "is in partition %s, the pipeline's region %s in %s: a pipeline deploys within its own partition",
				networkspec.Partition(region), c.PipelineRegion(), networkspec.Partition(c.PipelineRegion()))
		}
	}
	for i, name := range pl.ApprovalBefore {
		if !slices.ContainsFunc(c.Environments, func(e Environment) bool { return e.Name == name }) {
			p.add(fmt.Sprintf("pipeline.approvalBefore[%d]", i), name, "is not one of the environments")
		}
	}
}

// branchNameProblem says why git would refuse name as a branch, or "": the rules of
// git-check-ref-format(1) (git 2.39 manual, read 2026-11-27) for refs/heads/<name>, with --branch
// refusing a leading "-". A test runs git itself on the same names where git is installed.
func branchNameProblem(name string) string {
	switch {
	case name == "":
		return "it is empty"
	case name == "@":
		return "@ alone is not allowed"
	case strings.HasPrefix(name, "-"):
		return "it starts with -"
	case strings.HasSuffix(name, "/") || strings.HasSuffix(name, "."):
		return "it ends with / or ."
	case strings.Contains(name, "..") || strings.Contains(name, "@{") || strings.Contains(name, "//"):
		return "it holds .., @{ or //"
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f || strings.ContainsRune(" ~^:?*[\\", r) }):
		return "it holds a space, a control character or one of ~ ^ : ? * [ \\"
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return "a part between slashes starts with . or ends with .lock"
		}
	}
	return ""
}
