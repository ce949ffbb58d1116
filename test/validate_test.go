package test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allScenarios are the scenarios whose templates CloudFormation Validate checks: every
// configuration the tests synthesise as one app, each once.
func allScenarios() []*scenario {
	return []*scenario{
		defaultScenario, exampleScenario, natScenario, natSingle, flowLogsToS3, lookupScenario, natWithoutWsus,
		wsusHTTPS, richPatching, projectAlpha, threeZones, changeBase,
	}
}

// validationFinding is one line of tools/cfnvalidate/validate.js.
type validationFinding struct {
	Template, Rule, Severity, Resource, Path, Message string
}

// acknowledged says why a finding may stand, or "" when it may not. docs/compliance.md lists the
// same; CDK's own run of the engine (cdk synth, make verify, make deploy) reports the two warnings
// and is told of the error by windows.AcknowledgeResolveAtLaunch.
func acknowledged(f validationFinding, template map[string]any) string {
	resource, _ := template["Resources"].(map[string]any)[f.Resource].(map[string]any)
	value, _ := props(resource)[strings.TrimPrefix(f.Path, "Properties.")].(string)
	switch {
	case f.Rule == "E1152" && f.Path == "Properties.ImageId" && strings.HasPrefix(value, "resolve:ssm:/aws/service/ami-windows-latest/"):
		return "EC2 resolves the public AMI parameter at launch (a cfn-lint false positive)"
	case f.Rule == "W9010" && f.Path == "Properties.ImageId" && strings.HasPrefix(value, "ami-"):
		return "the configuration pins this AMI (amiId), for this region, on purpose"
	case f.Rule == "W3010" && f.Path == "Properties.AvailabilityZone" && value != "":
		return "the zones are configured or looked up, so that each subnet keeps its zone and address block"
	}
	return ""
}

// TestEveryTemplatePassesCloudFormationValidate runs the engine of CDK's built-in CloudFormation
// validation, with the rules and settings CDK uses, over every stack of every scenario and of the
// pipeline app, in one Node process (the synths in this package skip CDK's per-synth run of it).
// Only acknowledged findings may remain.
func TestEveryTemplatePassesCloudFormationValidate(t *testing.T) {
	dir := t.TempDir()
	templates := map[string]map[string]any{}
	write := func(name string, template map[string]any) {
		data, err := json.Marshal(template)
		require.NoError(t, err)
		file := filepath.Join(dir, name+".template.json")
		require.NoError(t, os.WriteFile(file, data, 0o644))
		templates[file] = template
	}
	for _, sc := range allScenarios() {
		s := sc.synth(t)
		write(s.name+".network", s.template)
		write(s.name+".fleet", s.fleetJSON)
		write(s.name+".patching", s.patchJSON)
	}
	synthPipeline(t)
	for _, stack := range *pipelineAssembly.StacksRecursively() {
		write("pipeline."+*stack.Id(), stack.Template().(map[string]any))
	}
	// A copy of the default network with a misspelt VPC property proves the engine reports errors.
	var broken map[string]any
	data, err := json.Marshal(defaultScenario.template)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &broken))
	vpcID, vpc := oneOf(t, broken, "AWS::EC2::VPC", "NetworkVpc")
	props(vpc)["EnableDnsHostname"] = true
	write("broken.network", broken)
	brokenFile := filepath.Join(dir, "broken.network.template.json")

	var files []string
	for file := range templates {
		files = append(files, file)
	}
	list := filepath.Join(dir, "templates.txt")
	require.NoError(t, os.WriteFile(list, []byte(strings.Join(files, "\n")), 0o644))
	t.Parallel() // the synths above ran with the other tests; Node runs alongside the other parallel tests
	cmd := exec.Command("node", filepath.Join("..", "tools", "cfnvalidate", "validate.js"), "@"+list)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "validate.js: %s", stderr.String())

	findings, acknowledgedCount, brokenFound := 0, 0, false
	lines := bufio.NewScanner(strings.NewReader(string(out)))
	for lines.Scan() {
		var f validationFinding
		require.NoError(t, json.Unmarshal(lines.Bytes(), &f), lines.Text())
		findings++
		if f.Template == brokenFile {
			if f.Resource == vpcID && (f.Severity == "ERROR" || f.Severity == "FATAL") {
				brokenFound = true
			}
			continue
		}
		if acknowledged(f, templates[f.Template]) != "" {
			acknowledgedCount++
			continue
		}
		assert.Fail(t, "CloudFormation Validate finding", "%s %s in %s, %s %s: %s", f.Severity, f.Rule, filepath.Base(f.Template), f.Resource, f.Path, f.Message)
	}
	assert.True(t, brokenFound, "a misspelt property is an error")
	assert.Positive(t, acknowledgedCount, "the WSUS server's resolve:ssm image id is reported and acknowledged: the engine ran")
	t.Logf("%d templates, %d findings, %d acknowledged", len(files), findings, acknowledgedCount)
}
