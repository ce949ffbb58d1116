package wiring

import (
	"fmt"

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
	return sourceActionProblems(stages, cfg)
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
