package test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/proof/evalcache"
)

// allScenarios are the scenarios whose templates CloudFormation Validate checks: every
// configuration the tests synthesise as one app, each once.
func allScenarios() []*scenario {
	return []*scenario{
		defaultScenario, exampleScenario, natScenario, natSingle, flowLogsToS3, lookupScenario, natWithoutWsus,
		wsusHTTPS, richPatching, projectAlpha, threeZones, changeBase, largestScenario,
		promoteRings, existingVpc, existingVpcHub, existingVpcManaged, existingVpcLookup,
	}
}

// validationFinding is one line of tools/cfnvalidate/validate.js.
type validationFinding struct {
	Template, Rule, Severity, Resource, Path, Message string
}

// acknowledged says why a finding may stand, or "" when it may not. docs/compliance.md lists the
// same. The app must also acknowledge the rule, as CDK's own run of the engine (cdk synth, make
// verify, make deploy) requires: windows.AcknowledgeImage for E1152 and W9010, CDK itself for
// W3010 where a VPC uses the stack's named zones.
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
	waitsInParallel(t)
	require.NoError(t, validationCheck.prepared())
	validationCheck.ran()
	require.NoError(t, validation.err, "validate.js: %s", validation.stderr)

	findings, acknowledgedCount, brokenFound := 0, 0, false
	lines := bufio.NewScanner(strings.NewReader(validation.out))
	for lines.Scan() {
		var f validationFinding
		require.NoError(t, json.Unmarshal(lines.Bytes(), &f), lines.Text())
		findings++
		if f.Template == validation.brokenFile {
			if f.Resource == validation.brokenVPC && (f.Severity == "ERROR" || f.Severity == "FATAL") {
				brokenFound = true
			}
			continue
		}
		if acknowledged(f, validationCheck.templates[f.Template]) != "" {
			assert.Contains(t, validation.acknowledgements[f.Template], "CloudFormation-Validate::"+f.Rule,
				"%s in %s stands for a reason, but the app does not acknowledge it: cdk deploy would report it", f.Rule, filepath.Base(f.Template))
			acknowledgedCount++
			continue
		}
		assert.Fail(t, "CloudFormation Validate finding", "%s %s in %s, %s %s: %s", f.Severity, f.Rule, filepath.Base(f.Template), f.Resource, f.Path, f.Message)
	}
	assert.True(t, brokenFound, "a misspelt property is an error")
	if validation.kept == len(validation.env) {
		t.Logf("every template's answer was kept from an earlier run of the same engine (PRIVATEPATCH_EVAL_CACHE=off runs it)")
	}
	assert.Positive(t, acknowledgedCount, "the WSUS server's resolve:ssm image id is reported and acknowledged")
	t.Logf("%d templates, %d findings, %d acknowledged", len(validationCheck.templates), findings, acknowledgedCount)
}

var (
	validationCheck = &externalCheck{prepare: prepareValidation, run: runValidation}
	validation      struct {
		brokenFile, brokenVPC string
		env                   map[string]string // by file: region and account, tab-separated
		// acknowledgements are, by file, the rules its app acknowledges (CDK applies an
		// acknowledgement to the whole app).
		acknowledgements map[string]map[string]string
		out, stderr      string
		kept             int // templates whose answer was kept, not the engine's of this run
		err              error
	}
)

// acknowledgedRules are the validation rules an app acknowledges anywhere: the
// aws:cdk:acknowledged-rules metadata in its cloud assembly (nested ones included), by rule.
func acknowledgedRules(dir string) (map[string]string, error) {
	rules := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".metadata.json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var metadata map[string][]struct {
			Type string
			Data any
		}
		if err := json.Unmarshal(data, &metadata); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, entries := range metadata {
			for _, e := range entries {
				if acknowledged, ok := e.Data.(map[string]any); ok && e.Type == "aws:cdk:acknowledged-rules" {
					for id, reason := range acknowledged {
						rules[id] = fmt.Sprint(reason)
					}
				}
			}
		}
		return nil
	})
	return rules, err
}

// stackEnv is the region and account validate.js passes to the engine, as CDK's plugin does;
// unresolved ones (an environment-agnostic stack) are left out.
func stackEnv(region, account string) string {
	known := func(v string) string {
		if strings.Contains(v, "${Token[") || strings.HasPrefix(v, "unknown-") {
			return ""
		}
		return v
	}
	return known(region) + "\t" + known(account)
}

func prepareValidation(c *externalCheck) error {
	validation.env, validation.acknowledgements = map[string]string{}, map[string]map[string]string{}
	seen := map[string]bool{}
	for _, s := range allScenarios() {
		if s.build(); s.err != nil {
			return fmt.Errorf("scenario %s did not synthesise: %v", s.name, s.err)
		}
		acks, err := acknowledgedRules(s.dir)
		if err != nil {
			return err
		}
		for name, id := range map[string]string{"network": "Network", "fleet": "Fleet", "patching": "Patching"} {
			template := map[string]map[string]any{"network": s.template, "fleet": s.fleetJSON, "patching": s.patchJSON}[name]
			env := stackEnv(s.stacks[id].Region, s.stacks[id].Account)
			// Scenarios often differ in one stack only: a template another scenario has, in the
			// same environment and with the same acknowledgements, would get the same findings.
			key, err := json.Marshal([]any{env, acks, template})
			if err != nil {
				return err
			}
			if seen[string(key)] {
				continue
			}
			seen[string(key)] = true
			file, err := c.write(s.name+"."+name, template)
			if err != nil {
				return err
			}
			validation.env[file] = env
			validation.acknowledgements[file] = acks
		}
	}
	if buildPipeline(); pipelineErr != nil {
		return fmt.Errorf("the pipeline app did not synthesise: %v", pipelineErr)
	}
	acks, err := acknowledgedRules(*pipelineAssembly.Directory())
	if err != nil {
		return err
	}
	for _, stack := range *pipelineAssembly.StacksRecursively() {
		file, err := c.write("pipeline."+*stack.Id(), stack.Template().(map[string]any))
		if err != nil {
			return err
		}
		validation.env[file] = stackEnv(*stack.Environment().Region, *stack.Environment().Account)
		validation.acknowledgements[file] = acks
	}
	// A copy of the default network with a misspelt VPC property proves the engine reports errors.
	var broken map[string]any
	data, err := json.Marshal(defaultScenario.template)
	if err == nil {
		err = json.Unmarshal(data, &broken)
	}
	if err != nil {
		return err
	}
	for id, r := range resourcesOf(broken, "AWS::EC2::VPC") {
		validation.brokenVPC = id
		props(r)["EnableDnsHostname"] = true
	}
	validation.brokenFile, err = c.write("broken.network", broken)
	return err
}

// runValidation runs validate.js over the templates the evaluations' cache has no answer for
// (proof/evalcache: the same template, region and account, engine and script answered before),
// in one Node process, and keeps each template's findings.
func runValidation(c *externalCheck) {
	cache, err := openValidationCache(evalcache.Open)
	if err == nil {
		env := map[string]string{} // every template written, the broken copy too (no region or account)
		for file := range c.templates {
			env[file] = validation.env[file]
		}
		var node string
		if node, err = exec.LookPath("node"); err == nil {
			// The node the cache identified (openValidationCache), by its path.
			validation.out, validation.stderr, validation.kept, err = validateTemplates(cache, c.dir, env, []string{node, validateScript})
		}
	}
	validation.err = err
}

const validateScript = "../tools/cfnvalidate/validate.js"

// validate.js (CloudFormation Validate, run by node) reads "@list", a file of templates, one
// "path<TAB>region<TAB>account" a line (either may be empty), and prints one JSON finding a line.

func openValidationCache(open func(name string, files, interpreters, env []string) (evalcache.Cache, error)) (evalcache.Cache, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return evalcache.Cache{}, err
	}
	return open("cloudformation-validate output", []string{validateScript, filepath.Join("..", "node_modules", "@aws", "cloudformation-validate")},
		[]string{node}, []string{"NODE_OPTIONS", "NODE_PATH"})
}

// validationKey is the key of a template's answer: its stack's region and account, and its bytes.
func validationKey(cache evalcache.Cache, env string, data []byte) string {
	return cache.Key([]byte(env), data)
}

// A kept answer is validate.js's lines for one template as it printed them, with the template's
// path (a new temporary file each run) replaced: parsed again on every use.
const templatePath = "\x00TEMPLATE\x00"

// validateTemplates validates each template of env (its region and account, by file) without a
// kept answer with the engine, in dir's list, and returns the engine's lines for all of them, by
// file, and its errors.
func validateTemplates(cache evalcache.Cache, dir string, env map[string]string, engine []string) (out, stderr string, kept int, err error) {
	files := slices.Sorted(maps.Keys(env))
	keys, printed := map[string]string{}, map[string]string{} // by file
	var lines []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return "", "", 0, err
		}
		keys[file] = validationKey(cache, env[file], data)
		if answer, ok := cache.Get(keys[file]); ok {
			kept++
			printed[file] = strings.ReplaceAll(string(answer), templatePath, file)
		} else {
			lines = append(lines, file+"\t"+env[file])
		}
	}
	if len(lines) > 0 {
		list := filepath.Join(dir, "templates.txt")
		if err := os.WriteFile(list, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			return "", "", 0, err
		}
		cmd := exec.Command(engine[0], append(engine[1:], "@"+list)...)
		var stdout, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &errOut
		if err := cmd.Run(); err != nil {
			return "", errOut.String(), 0, err
		}
		stderr = errOut.String()
		ran := map[string]string{}
		for line := range strings.Lines(stdout.String()) {
			var f validationFinding
			if err := json.Unmarshal([]byte(line), &f); err != nil {
				return "", stderr, 0, fmt.Errorf("validate.js: %v: %s", err, line)
			}
			ran[f.Template] += line
		}
		for _, line := range lines {
			file, _, _ := strings.Cut(line, "\t")
			printed[file] = ran[file]
			cache.Put(keys[file], []byte(strings.ReplaceAll(ran[file], file, templatePath)))
		}
	}
	var all strings.Builder
	for _, file := range files {
		all.WriteString(printed[file])
	}
	return all.String(), stderr, kept, nil
}

// validationKeeping is what TestCloudFormationValidateAnswersAreKeptByTemplateAndStackEnvironment
// asserts on: the runs of a stand-in engine over a planted cache. The stand-in answers each
// template it is given with a finding naming its stack environment, so the test sees which
// templates the engine ran on. The real engine's start takes about 4 s of CPU; that it reports a
// misspelt property is proven on the broken copy in TestEveryTemplatePassesCloudFormationValidate.
type validationKeeping struct {
	file                  string
	planted               string
	otherTemplateOtherKey bool
	oregon, ireland       string
	irelandStderr         string
	irelandErr            error
	kept                  string
	keptFound             bool
}

// standInEngine reads validate.js's list and prints, for each template, a finding whose message is
// the template's stack environment: its region and account.
const standInEngine = `awk -F '\t' '{ printf "{\"template\":\"%s\",\"rule\":\"STAND-IN\",\"severity\":\"ERROR\",\"resource\":\"Vpc\",\"path\":\"\",\"message\":\"%s %s\"}\n", $1, $2, $3 }' "${1#@}"`

var validationKeepingRun = &job[validationKeeping]{run: func() (validationKeeping, error) {
	var r validationKeeping
	dir, err := jobDir("privatepatch-validation-keeping")
	if err != nil {
		return r, err
	}
	cache, err := openValidationCache(func(name string, files, interpreters, env []string) (evalcache.Cache, error) {
		return evalcache.OpenIn(filepath.Join(dir, "cache"), name, files, interpreters, env)
	})
	if err != nil {
		return r, err
	}
	standIn := []string{"sh", "-c", standInEngine, "stand-in"}
	r.file = filepath.Join(dir, "broken.template.json")
	data := []byte(`{"Resources":{"Vpc":{"Type":"AWS::EC2::VPC","Properties":{"CidrBlock":"10.0.0.0/16","EnableDnsHostname":true}}}}`)
	if err := os.WriteFile(r.file, data, 0o644); err != nil {
		return r, err
	}
	inOregon, inIreland := stackEnv("us-west-2", "111111111111"), stackEnv("eu-west-1", "111111111111")
	r.planted = `{"template":"` + templatePath + `","rule":"PLANTED","severity":"ERROR","resource":"Vpc","path":"","message":"kept"}` + "\n"
	cache.Put(validationKey(cache, inOregon, data), []byte(r.planted))
	r.otherTemplateOtherKey = validationKey(cache, inOregon, data) != validationKey(cache, inOregon, append([]byte(" "), data...))
	if r.oregon, _, _, err = validateTemplates(cache, dir, map[string]string{r.file: inOregon}, standIn); err != nil {
		return r, err
	}
	r.ireland, r.irelandStderr, _, r.irelandErr = validateTemplates(cache, dir, map[string]string{r.file: inIreland}, standIn)
	kept, found := cache.Get(validationKey(cache, inIreland, data))
	r.kept, r.keptFound = string(kept), found
	return r, nil
}}

// TestCloudFormationValidateAnswersAreKeptByTemplateAndStackEnvironment: a kept answer is what
// the same template in the same region and account gets (a planted one shows it, and the engine
// does not run), and a template in another region is given to the engine, with its region, and its
// answer kept without this run's path.
func TestCloudFormationValidateAnswersAreKeptByTemplateAndStackEnvironment(t *testing.T) {
	t.Parallel()
	r := validationKeepingRun.wait(t)
	assert.True(t, r.otherTemplateOtherKey, "another template in the same region and account has another key")
	assert.Equal(t, strings.ReplaceAll(r.planted, templatePath, r.file), r.oregon, "the kept answer, with this run's path")

	require.NoError(t, r.irelandErr, r.irelandStderr)
	want := `{"template":"` + r.file + `","rule":"STAND-IN","severity":"ERROR","resource":"Vpc","path":"","message":"eu-west-1 111111111111"}` + "\n"
	assert.Equal(t, want, r.ireland, "another region: the engine ran on the template in its region")
	require.True(t, r.keptFound)
	assert.Equal(t, strings.ReplaceAll(want, r.file, templatePath), r.kept, "kept without this run's path")
}
