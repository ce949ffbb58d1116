package test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/privatepatch/privatepatch/app/kernel"
	"github.com/privatepatch/privatepatch/proof/cdkbundle"
	"github.com/privatepatch/privatepatch/proof/evalcache"
	"github.com/privatepatch/privatepatch/tools/keptdir"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The binaries, the direct run and the CLI run need no CDK in this process: TestMain starts them
// in the background (startBackground) so that they overlap the in-process synths, and the tests
// wait for their results.
var (
	binariesOnce sync.Once
	binDir       string
	binariesErr  error
)

// binary returns the path of a command of the project ("app", "verify", "doctor"...), compiled
// once a run with every other (commands).
func binary(t *testing.T, name string) string {
	require.NoError(t, buildBinaries())
	return filepath.Join(binDir, name)
}

// commands are the project's commands as go build names them, relative to the repository: the
// app and each tools/*/main.go, so that a new tool cannot be left out.
func commands() ([]string, error) { return commandsIn("..") }

// commandsIn is commands of the repository at root.
func commandsIn(root string) ([]string, error) {
	mains, err := filepath.Glob(filepath.Join(root, "tools", "*", "main.go"))
	found := []string{"./app"}
	for _, m := range mains {
		// go build writes no binary for a package that is not main, and the kept one would run.
		file, err := parser.ParseFile(token.NewFileSet(), m, nil, parser.PackageClauseOnly)
		if err != nil {
			return nil, err
		}
		if file.Name.Name != "main" {
			return nil, fmt.Errorf("%s is package %s, not a command", m, file.Name.Name)
		}
		rel, err := filepath.Rel(root, filepath.Dir(m))
		if err != nil {
			return nil, err
		}
		found = append(found, "./"+filepath.ToSlash(rel))
	}
	return found, err
}

func buildBinaries() error {
	binariesOnce.Do(func() {
		// Every command in one go build, not a go run each (help_test.go), which loaded the
		// module's packages again for each: 4 s of CPU a run. Without DWARF (-w), as make test
		// links its test binaries: a third less link time. Into a directory kept between runs:
		// go build leaves a binary whose build id is current as it is, so an unchanged command is
		// not linked again (2.5 s of CPU a run for the app alone).
		binariesErr = inKeptDir("test-bin", func(dir string) error {
			binDir = dir
			all, err := commands()
			if err != nil {
				return err
			}
			build := exec.Command("go", append([]string{"build", "-ldflags=-w", "-o", dir + string(filepath.Separator)}, all...)...)
			build.Dir = ".."
			if out, err := build.CombinedOutput(); err != nil {
				return fmt.Errorf("go build: %v\n%s", err, out)
			}
			return nil
		})
	})
	return binariesErr
}

func buildApp(t *testing.T) string { return binary(t, "app") }

// inKeptDir runs work in this checkout's directory name, kept between test runs
// (keptdir.Lock) and locked against another run of the same checkout while work runs. Without a
// user cache directory, work runs in a temporary directory, removed at the end of the run.
func inKeptDir(name string, work func(dir string) error) error {
	dir, unlock, err := keptdir.Lock("..", name)
	if err != nil {
		if dir, err = jobDir("privatepatch-" + name); err != nil {
			return err
		}
		return work(dir)
	}
	defer unlock()
	return work(dir)
}

var background sync.WaitGroup

// selectedTests says whether the run selects tests (-run), which then do only what they need.
func selectedTests() bool {
	f := flag.Lookup("test.run")
	return f != nil && f.Value.String() != ""
}

// startBackground builds the binaries and runs the app directly and through the CLI, unless
// the run selects tests (-run), which then do only what they need.
func startBackground() {
	if selectedTests() {
		return
	}
	background.Go(func() {
		behindTheSynths()
		runDirect()
		runCLI()
	})
}

// runApp runs the app as the CDK CLI would (cdk.json's context in CDK_CONTEXT_JSON), with the
// configuration in PRIVATEPATCH_CONFIG, writing to a new directory.
func runApp(t *testing.T, configPath string) (outDir, stderr string, exitCode int) {
	outDir = t.TempDir()
	stderr, exitCode = runAppIn(t, configPath, outDir)
	return outDir, stderr, exitCode
}

func runAppIn(t *testing.T, configPath, outDir string) (stderr string, exitCode int) {
	context, err := json.Marshal(cdkJSONContext(t))
	require.NoError(t, err)
	cmd := exec.Command(buildApp(t))
	tmp := t.TempDir()
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+outDir, "PRIVATEPATCH_CONFIG="+configPath, "CDK_CONTEXT_JSON="+string(context), "TMPDIR="+tmp)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	err = cmd.Run()
	if exitErr, ok := err.(*exec.ExitError); ok {
		exitCode = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left, "the app leaves nothing in TMPDIR (jsii's runtime is unpacked there)")
	return errOut.String(), exitCode
}

func templates(t *testing.T, dir string) []string {
	found, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
	require.NoError(t, err)
	return found
}

// outputRun is one run of the app, into a directory of its own, done once for all tests.
type outputRun struct {
	once sync.Once
	dir  string
	out  []byte
	err  error
}

// do runs the command cmd returns for the directory, once: after binaries are built, from the
// project root.
func (r *outputRun) do(prefix string, cmd func(dir string) (*exec.Cmd, error)) {
	r.once.Do(func() {
		if r.err = buildBinaries(); r.err != nil {
			return
		}
		if r.dir, r.err = os.MkdirTemp("", prefix); r.err != nil {
			return
		}
		c, err := cmd(r.dir)
		if r.err = err; err != nil {
			return
		}
		c.Dir = ".."
		r.out, r.err = c.CombinedOutput()
	})
}

var directRunner, cliRunner outputRun

// directRun runs the app once as `go run ./app` does, from the project root without the CLI's
// environment, into a directory of its own, and returns that directory.
func directRun(t *testing.T) string {
	runDirect()
	require.NoError(t, directRunner.err, "the app run directly: %s", directRunner.out)
	return directRunner.dir
}

var (
	directOnce sync.Once
	// directValidationKept says the direct run's validation report is the one kept from an
	// earlier run of the same app binary, not this run's.
	directValidationKept bool
)

func runDirect() {
	directOnce.Do(func() {
		var cache evalcache.Cache
		var key string
		var kept []byte
		directRunner.do("privatepatch-direct", func(dir string) (*exec.Cmd, error) {
			app := exec.Command(filepath.Join(binDir, "app"))
			// Without the CLI's variables (CDK_VALIDATION among them), so with CDK's validation on,
			// as a plain `go run ./app` or `cdk deploy` runs it; and without a configuration of
			// the caller's (PRIVATEPATCH_CONFIG): the run is of the embedded default, whose
			// snapshot the snapshot check reads from it.
			app.Env = append(withoutEnv(withoutEnv(os.Environ(), "CDK_"), "PRIVATEPATCH_CONFIG="), "CDK_OUTDIR="+dir)
			var err error
			if cache, err = directValidationCache(evalcache.Open, binDir); err != nil {
				return nil, err
			}
			var keep bool
			if key, keep, err = directValidationKey(cache, ".."); err != nil {
				return nil, err
			}
			if !keep {
				cache = evalcache.Cache{} // keeps nothing
			}
			if report, ok := cache.Get(key); ok {
				kept = report
				app.Env = append(app.Env, "CDK_VALIDATION=false")
			}
			return app, nil
		})
		if directRunner.err != nil {
			return
		}
		report := filepath.Join(directRunner.dir, "validation-report.json")
		if kept != nil {
			directValidationKept = true
			directRunner.err = os.WriteFile(report, kept, 0o644)
		} else if data, err := os.ReadFile(report); err == nil {
			cache.Put(key, data)
		}
	})
}

// directValidationCache keeps the report of CDK's built-in validation of the direct run (about
// 6 s of CPU, loading the engine) by what decides it: the app binary, whose every byte is hashed
// (it embeds the default configuration, the constructs, aws-cdk-lib and its validation engine),
// Node, the variables the app or jsii read, and (directValidationKey) the files the app reads from
// the project root. The default configuration's report says only what passed and what was
// acknowledged, by construct path and template file name, nothing of the run's directory. A
// changed app validates again; so does every run with PRIVATEPATCH_EVAL_CACHE=off.
func directValidationCache(open func(name string, files, interpreters, env []string) (evalcache.Cache, error), binDir string) (evalcache.Cache, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return evalcache.Cache{}, err
	}
	return open("CDK's validation of the app run directly", []string{filepath.Join(binDir, "app")}, []string{node},
		[]string{"NODE_OPTIONS", "NODE_PATH", "JSII_RUNTIME", "JSII_NODE", "JSII_DEPRECATED", "AWS_REGION", "AWS_DEFAULT_REGION"})
}

// directValidationKey is the key of the direct run's report: the bytes of cdk.json and
// cdk.context.json in root, which the app run directly reads (feature flags, and the validation's
// own switches such as @aws-cdk/core:validateAgainstDefaultRules). keep is false when their
// context names a configuration file (config), whose run is not kept: the file and those it names
// (hook scripts) would all decide the report.
func directValidationKey(cache evalcache.Cache, root string) (key string, keep bool, err error) {
	keep = true
	var parts [][]byte
	for _, name := range []string{"cdk.json", "cdk.context.json"} {
		data, err := os.ReadFile(filepath.Join(root, name))
		switch {
		case errors.Is(err, os.ErrNotExist):
			parts = append(parts, []byte(name+" absent"), nil)
			continue
		case err != nil:
			return "", false, err
		}
		parts = append(parts, []byte(name), data)
		var context map[string]any
		if name == "cdk.json" {
			var cdkJSON struct{ Context map[string]any }
			if err := json.Unmarshal(data, &cdkJSON); err != nil {
				return "", false, fmt.Errorf("%s: %w", name, err)
			}
			context = cdkJSON.Context
		} else if err := json.Unmarshal(data, &context); err != nil {
			return "", false, fmt.Errorf("%s: %w", name, err)
		}
		if _, named := context["config"]; named {
			keep = false
		}
	}
	return cache.Key(parts...), keep, nil
}

// cliRun synthesises the default configuration once with the real CDK CLI, as make synth does
// (without CDK's validation, which the direct run has), and returns the output directory.
func cliRun(t *testing.T) string {
	runCLI()
	require.NoError(t, cliRunner.err, "cdk synth: %s", cliRunner.out)
	return cliRunner.dir
}

func runCLI() {
	cliRunner.do("privatepatch-cli", func(dir string) (*exec.Cmd, error) {
		cdk, err := filepath.Abs(filepath.Join("..", "node_modules", ".bin", "cdk"))
		if err == nil {
			_, err = os.Stat(cdk)
		}
		if err != nil {
			return nil, fmt.Errorf("the CDK CLI is not installed: run make setup (%v)", err)
		}
		// The app's kernel runs on this JSII_NODE (kernel.Prepare moves it to the node its
		// launcher script runs): a shell script that records the kernel's NODE_OPTIONS and
		// arguments, then runs Node as given.
		if cliNodeDir, err = os.MkdirTemp("", "privatepatch-cli-node"); err != nil {
			return nil, err
		}
		node := os.Getenv("JSII_NODE")
		if node == "" {
			node = "node"
		}
		wrapper := filepath.Join(cliNodeDir, "node")
		script := "#!/bin/sh\nprintf '%s\\n' \"$NODE_OPTIONS\" >>'" + filepath.Join(cliNodeDir, "node-options") + "'\n" +
			"printf '%s\\n' \"$@\" >>'" + filepath.Join(cliNodeDir, "node-arguments") + "'\nexec '" + node + "' \"$@\"\n"
		if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
			return nil, err
		}
		cmd := exec.Command(cdk, "synth", "--quiet", "--no-validation", "--app", filepath.Join(binDir, "app"), "--output", dir)
		cmd.Env = append(os.Environ(), "JSII_NODE="+wrapper)
		return cmd, nil
	})
}

// cliNodeDir holds the CLI run's JSII_NODE script and what it recorded (node-options,
// node-arguments).
var cliNodeDir string

// The kernel the CDK CLI's run of the app starts gets the app's Node options and runs without
// jsii's launcher (app/kernel): without the options V8's young generation grows to 64 MiB and the
// default synth's peak memory by about 60 MiB; with the launcher each call crosses two processes.
func TestTheAppsKernelRunsWithTheAppsNodeOptionsWithoutJsiisLauncher(t *testing.T) {
	t.Parallel()
	cliRun(t)
	recorded, err := os.ReadFile(filepath.Join(cliNodeDir, "node-options"))
	require.NoError(t, err, "JSII_NODE's script never ran: jsii started Node some other way")
	want := kernel.NodeOptions(os.Getenv("NODE_OPTIONS"))
	assert.Equal(t, want+"\n", string(recorded), "one kernel, started with NODE_OPTIONS %q", want)
	arguments, err := os.ReadFile(filepath.Join(cliNodeDir, "node-arguments"))
	require.NoError(t, err)
	assert.Regexp(t, `^--require\n/.*/direct\.js\n--preserve-symlinks\n/.*/lib/program\.js\n$`, string(arguments),
		"the kernel itself, with direct.js preloaded, not jsii's launcher (bin/jsii-runtime.js)")
}

func TestAppWritesTemplatesAndBothNagReportsForTheDefaultConfiguration(t *testing.T) {
	t.Parallel()
	outDir := directRun(t)
	var want []string
	for _, stack := range []string{"Network", "Fleet", "Patching"} {
		want = append(want, filepath.Join(outDir, stack+".template.json"))
	}
	assert.ElementsMatch(t, want, templates(t, outDir))
	for _, pack := range []string{"AwsSolutions", "NIST.800.53.R5"} {
		reports, _ := filepath.Glob(filepath.Join(outDir, pack+"-*NagReport.csv"))
		assert.Len(t, reports, 3, "cdk-nag writes a %s report next to each template", pack)
	}
}

// The direct run's validation report is kept by every byte of the app binary: the same binary
// finds it, one byte changed validates again. (Each binary is written to a directory of its own:
// evalcache hashes a file once a process, and the app is built before the direct run.)
func TestTheDirectRunsValidationReportIsKeptByEveryByteOfTheApp(t *testing.T) {
	t.Parallel()
	cacheDir := t.TempDir()
	open := func(name string, files, interpreters, env []string) (evalcache.Cache, error) {
		return evalcache.OpenIn(cacheDir, name, files, interpreters, env)
	}
	cacheOf := func(binary string) evalcache.Cache {
		bin := filepath.Join(t.TempDir(), "bin")
		require.NoError(t, os.MkdirAll(bin, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(bin, "app"), []byte(binary), 0o755))
		cache, err := directValidationCache(open, bin)
		require.NoError(t, err)
		return cache
	}
	first := cacheOf("the app, built once")
	first.Put(first.Key(), []byte(`{"kept":true}`))
	same := cacheOf("the app, built once")
	kept, found := same.Get(same.Key())
	assert.True(t, found, "the same binary")
	assert.Equal(t, `{"kept":true}`, string(kept))
	changed := cacheOf("the app, built twice")
	_, found = changed.Get(changed.Key())
	assert.False(t, found, "one byte changed: the app validates again")

	// The files the app reads from the project root: each byte of cdk.json and cdk.context.json
	// is in the key, and a context that names a configuration file is not kept.
	root := t.TempDir()
	keyOf := func(cdkJSON, cdkContext string) (string, bool) {
		for name, data := range map[string]string{"cdk.json": cdkJSON, "cdk.context.json": cdkContext} {
			os.Remove(filepath.Join(root, name))
			if data != "" {
				require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(data), 0o644))
			}
		}
		key, keep, err := directValidationKey(first, root)
		require.NoError(t, err)
		return key, keep
	}
	base, keep := keyOf(`{"context":{"@aws-cdk/core:validateAgainstDefaultRules":true}}`, "")
	assert.True(t, keep, "the embedded default")
	flagOff, _ := keyOf(`{"context":{"@aws-cdk/core:validateAgainstDefaultRules":false}}`, "")
	assert.NotEqual(t, base, flagOff, "a flag in cdk.json")
	looked, _ := keyOf(`{"context":{"@aws-cdk/core:validateAgainstDefaultRules":true}}`, `{"availability-zones:account=1:region=r":["a"]}`)
	assert.NotEqual(t, base, looked, "a cached lookup in cdk.context.json")
	_, keep = keyOf(`{"context":{"config":"mine.yaml"}}`, "")
	assert.False(t, keep, "a configuration file named in cdk.json")
	_, keep = keyOf(`{"context":{}}`, `{"config":"mine.yaml"}`)
	assert.False(t, keep, "a configuration file named in cdk.context.json")
}

// TestAppPassesCdksOwnCloudFormationValidation reads the report of CDK's built-in validation,
// which a plain `go run ./app`, cdk synth, make verify and cdk deploy run: the default
// configuration passes, with its one finding acknowledged in the construct. The report is this
// run's, or the one kept from a run of the same app binary (directValidationCache).
func TestAppPassesCdksOwnCloudFormationValidation(t *testing.T) {
	t.Parallel()
	var report struct {
		PluginReports []struct {
			PluginName, Conclusion string
			Violations             []any
			SuppressedViolations   []struct{ RuleName string }
		}
	}
	data, err := os.ReadFile(filepath.Join(directRun(t), "validation-report.json"))
	require.NoError(t, err, "the app ran CDK's CloudFormation validation")
	if directValidationKept {
		t.Log("the report kept from an earlier run of the same app binary")
	}
	require.NoError(t, json.Unmarshal(data, &report))
	require.Len(t, report.PluginReports, 1)
	validation := report.PluginReports[0]
	assert.Equal(t, "CloudFormation Validate", validation.PluginName)
	assert.Equal(t, "success", validation.Conclusion)
	assert.Empty(t, validation.Violations)
	require.Len(t, validation.SuppressedViolations, 1)
	assert.Equal(t, "E1152", validation.SuppressedViolations[0].RuleName, "acknowledged by windows.AcknowledgeImage")
}

func TestAppRejectsBadConfigurationWithoutWritingATemplate(t *testing.T) {
	t.Parallel() // the app runs in its own processes
	dir := t.TempDir()
	file := func(name, yaml string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(yaml), 0o644))
		return path
	}
	const s3 = "  s3PrefixListIds: {us-west-2: pl-68a54001}\n  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19]}\n"
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"every_invalid_value_reported", file("bad.yaml", "region: us-west-2\nnetwork:\n  adminCidrs: [0.0.0.0/0]\n  vpcCidr: 10.0.0.0/8\n"),
			[]string{"4 configuration problem(s)", `network.adminCidrs[0]: "0.0.0.0/0"`, `network.vpcCidr: "10.0.0.0/8"`,
				`network.s3PrefixListCidrs: "us-west-2" has no S3 prefix-list CIDRs`, `network.s3PrefixListIds: "us-west-2" has no S3 prefix-list id`}},
		{"missing_file", filepath.Join(dir, "absent.yaml"), []string{"absent.yaml does not exist"}},
		{"null_section", file("null.yaml", "region: us-west-2\nwsus: ~\nnetwork:\n"+s3), []string{`wsus: "~" is empty`}},
		{"not_yaml", file("tabs.yaml", "region: us-west-2\n\tnetwork: {}\n"), []string{"tabs.yaml: line 2"}},
		{"acl_quota", file("quota.yaml", "region: us-west-2\naccount: \"111122223333\"\nnetwork:\n  azCount: 6\n  nat: {enabled: true}\n"+s3),
			[]string{"public inbound rules in one network ACL"}},
		{"garbage_schedule", file("rate.yaml", "region: us-west-2\npatching: {scan: {schedule: rate(1 days)}}\nnetwork:\n"+s3),
			[]string{`patching.scan.schedule: "rate(1 days)"`}},
		{"type_error_beside_value_problems", file("types.yaml", "region: us-west-2\nwsus: {port: 8530.5, syncsPerDay: 99}\nnetwork:\n"+s3),
			[]string{`wsus.port: "8530.5" is not a whole number (line 2)`, `wsus.syncsPerDay: 99 is out of range`}},
		{"token_in_text", file("token.yaml", "region: us-west-2\ntags: {Owner: \"${Token[X.1]}\"}\nnetwork:\n"+s3), []string{"holds ${Token["}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outDir := t.TempDir()
			// A cloud assembly from an earlier synth: a failed one must not leave it to be deployed.
			require.NoError(t, os.WriteFile(filepath.Join(outDir, "manifest.json"), []byte("{}"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(outDir, "Network.template.json"), []byte("{}"), 0o644))
			stderr, code := runAppIn(t, tc.path, outDir)
			assert.Equal(t, 1, code)
			for _, want := range tc.want {
				assert.Contains(t, stderr, want)
			}
			for _, trace := range []string{"goroutine ", "panic", "\n    at ", ".go:"} {
				assert.NotContains(t, stderr, trace, "a message, not a stack trace")
			}
			entries, err := os.ReadDir(outDir)
			require.NoError(t, err)
			assert.Empty(t, entries, "nothing is left in the output directory")
		})
	}
}

func TestCdkJsonEnablesEveryRecommendedFeatureFlagAndWorksOffline(t *testing.T) {
	t.Parallel() // no CDK in this process: another program, or files
	cdkJSONContext(t)
	assert.Equal(t, "go run ./app", cdkJSON.App)
	require.NotNil(t, cdkJSON.Notices)
	assert.False(t, *cdkJSON.Notices, "notices need the internet")
	assert.Equal(t, false, cdkJSON.Context["cli-telemetry"])

	recommended := recommendedFeatureFlags(t)
	require.NotEmpty(t, recommended)
	for flag, value := range recommended {
		assert.Equal(t, value, cdkJSON.Context[flag], "cdk.json sets %s as recommended by the pinned aws-cdk-lib", flag)
	}
}

// recommendedFeatureFlags reads recommended-feature-flags.json from the aws-cdk-lib bundled in
// the Go module that go.mod pins.
func recommendedFeatureFlags(t *testing.T) map[string]any {
	var flags map[string]any
	require.NoError(t, json.Unmarshal(awsCdkLibFiles(t)["package/recommended-feature-flags.json"], &flags))
	return flags
}

// awsCdkLibFiles returns, from the aws-cdk-lib tarball bundled in the Go module that go.mod pins,
// the files the tests compare the project with (read by a job: decompressing the tarball takes
// about a second of CPU).
func awsCdkLibFiles(t *testing.T) map[string][]byte {
	return awsCdkLibRead.wait(t)
}

var awsCdkLibRead = &job[map[string][]byte]{run: func() (map[string][]byte, error) {
	return cdkbundle.Files("package/recommended-feature-flags.json", bundledValidatePackage, vpcEndpointSource)
}}

// bundledValidatePackage is the package.json of the CloudFormation Validate engine in aws-cdk-lib.
const bundledValidatePackage = "package/node_modules/@aws/cloudformation-validate/package.json"

func TestTestsValidateWithTheEngineVersionCdkBundles(t *testing.T) {
	t.Parallel() // no CDK: files
	var bundled struct{ Version string }
	require.NoError(t, json.Unmarshal(awsCdkLibFiles(t)[bundledValidatePackage], &bundled))
	data, err := os.ReadFile("../package.json")
	require.NoError(t, err)
	var pkg struct{ DevDependencies map[string]string }
	require.NoError(t, json.Unmarshal(data, &pkg))
	assert.Equal(t, bundled.Version, pkg.DevDependencies["@aws/cloudformation-validate"],
		"package.json pins the @aws/cloudformation-validate that aws-cdk-lib bundles, so validate_test.go checks what cdk synth does")
}

func TestStacksDeployInDependencyOrder(t *testing.T) {
	s := defaultScenario.synth(t)
	names := func(stacks *[]awscdk.Stack) []string {
		var out []string
		for _, st := range *stacks {
			out = append(out, *st.StackName())
		}
		return out
	}
	assert.Empty(t, names(s.app.Network.Dependencies()))
	assert.Equal(t, []string{"privatepatch-network"}, names(s.app.Fleet.Dependencies()), "the fleet reads the VPC and its security groups")
	assert.Equal(t, []string{"privatepatch-fleet"}, names(s.app.Patching.Dependencies()), "patching writes to the fleet stack's bucket")
}

// TestGoRunAndCdkSynthWriteTheSameTemplates runs the real CDK CLI once: the app run directly
// (go run ./app) must apply cdk.json's feature flags and the CLI's own context as the CLI does.
func TestGoRunAndCdkSynthWriteTheSameTemplates(t *testing.T) {
	t.Parallel()
	viaCLI, direct := cliRun(t), directRun(t)
	for _, stack := range []string{"Network", "Fleet", "Patching"} {
		want, err := os.ReadFile(filepath.Join(viaCLI, stack+".template.json"))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(direct, stack+".template.json"))
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(got), "%s: go run ./app and cdk synth differ", stack)
	}
}

// cdk.json turns CDK's creation stack traces off (cx-api's DISABLE_CREATION_STACK_TRACES, read by
// aws-cdk-lib 2.270.0's CfnElement and Stack): in a Go app each is "...jsii runtime, node
// internals..." with no frame of the app's, and recording them cost about 0.09 s of the default's
// 1.8 s synth (docs/benchmarks.md). cdk synth --debug records them, with the Go host's frames.
func TestAUsersSynthRecordsNoCreationStackTraces(t *testing.T) {
	t.Parallel()
	for name, dir := range map[string]string{"cdk synth": cliRun(t), "go run ./app": directRun(t)} {
		metadata, err := filepath.Glob(filepath.Join(dir, "*.metadata.json"))
		require.NoError(t, err)
		require.Len(t, metadata, 3, "%s: one metadata file a stack", name)
		for _, path := range metadata {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Contains(t, string(data), `"aws:cdk:logicalId"`, "%s: %s is construct metadata", name, path)
			assert.Zero(t, strings.Count(string(data), `"aws:cdk:creationStack"`), "%s: creation stack traces in %s", name, path)
		}
	}
}

// withoutEnv drops the variables whose names start with prefix.
func withoutEnv(env []string, prefix string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, prefix) {
			out = append(out, e)
		}
	}
	return out
}

// runVerify runs make verify's command on a cloud assembly, from the project root.
func runVerify(t *testing.T, assembly string, args ...string) (string, int) {
	run, err := verifyCommand(assembly, args...)
	require.NoError(t, err)
	return run.out, run.code
}

// verifyRun is one run of make verify's command.
type verifyRun struct {
	out  string
	code int
}

// verifyDirectRuns are make verify on the direct run's assembly, then on a broken copy of it.
type verifyDirectRuns struct{ good, broken verifyRun }

var verifyDirect = &job[verifyDirectRuns]{after: runDirect, run: func() (verifyDirectRuns, error) {
	if directRunner.err != nil {
		return verifyDirectRuns{}, fmt.Errorf("the app run directly: %v: %s", directRunner.err, directRunner.out)
	}
	good, err := verifyCommand(directRunner.dir)
	if err != nil {
		return verifyDirectRuns{}, err
	}
	broken, err := jobDir("privatepatch-broken")
	if err == nil {
		err = breakAssembly(directRunner.dir, broken)
	}
	if err != nil {
		return verifyDirectRuns{}, err
	}
	bad, err := verifyCommand(broken, "-control-tower=false")
	return verifyDirectRuns{good, bad}, err
}}

// breakAssembly copies the assembly in good to broken: without the public ACL's WSUS rule for
// the first private subnet, with a typo in the VPC, and with the window role naming
// AWS-CreateImage with an account, which AWS never matches.
func breakAssembly(good, broken string) error {
	if err := os.CopyFS(broken, os.DirFS(good)); err != nil {
		return err
	}
	path := filepath.Join(broken, "Network.template.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var template map[string]any
	if err := json.Unmarshal(data, &template); err != nil {
		return err
	}
	resources := template["Resources"].(map[string]any)
	for id, r := range resources {
		if strings.HasPrefix(id, "NetworkPublicAclInWsusFromPrivate1") {
			delete(resources, id)
		}
		if strings.HasPrefix(id, "NetworkVpc7FB7348F") {
			props(r.(map[string]any))["EnableDnsHostname"] = true
		}
		if strings.HasPrefix(id, "NetworkEndpointsssm96AED6CF") {
			props(r.(map[string]any))["PrivateDnsEnabled"] = false
		}
	}
	if data, err = json.Marshal(template); err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	patching := filepath.Join(broken, "Patching.template.json")
	if data, err = os.ReadFile(patching); err != nil {
		return err
	}
	data = []byte(strings.Replace(string(data), `"arn:aws:ssm:us-west-2::automation-definition/AWS-CreateImage:*"`,
		`{"Fn::Join":["",["arn:aws:ssm:us-west-2:",{"Ref":"AWS::AccountId"},":automation-definition/AWS-CreateImage:*"]]}`, 1))
	// Every rule the alerts topic admits disabled (proof/wiring).
	data = regexp.MustCompile(`"State":\s*"ENABLED"`).ReplaceAll(data, []byte(`"State": "DISABLED"`))
	return os.WriteFile(patching, data, 0o644)
}

// verifyCommand runs make verify's command on a cloud assembly, from the project root.
func verifyCommand(assembly string, args ...string) (verifyRun, error) {
	if err := buildBinaries(); err != nil {
		return verifyRun{}, err
	}
	cmd := exec.Command(filepath.Join(binDir, "verify"), append([]string{"-assembly", assembly}, args...)...)
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if exitErr, ok := err.(*exec.ExitError); ok {
		return verifyRun{string(out), exitErr.ExitCode()}, nil
	}
	if err != nil {
		return verifyRun{}, fmt.Errorf("verify: %v\n%s", err, out)
	}
	return verifyRun{string(out), 0}, nil
}

func TestVerifyPrintsTheFlowTableAndSchemaCheckAndFailsOnABrokenTemplate(t *testing.T) {
	t.Parallel()
	runs := verifyDirect.wait(t)
	out, code := runs.good.out, runs.good.code
	require.Equal(t, 0, code, out)
	assert.Regexp(t, `yes\s+instance to WSUS over HTTP\s+8530\s+passes\s+passes\s+rule 200 in allow 10\.0\.2\.0/24 8530-8531; .*NetworkPublicSecurityGroup`, out)
	assert.Regexp(t, `removing each network ACL entry and security group rule, one at a time: \d+ rules, each needed by a flow; \d+ accepted, 0 unjustified`, out)
	assert.Regexp(t, `removing each policy statement, action, resource and condition .*: \d+ statements and \d+ of their actions, resources and conditions, each needed by a row; \d+ accepted, 0 unjustified`, out)
	assert.Regexp(t, `no\s+internet RDP to the jump host\s+3389\s+denied\s+denied\s+request entering the destination subnet: no rule matches \(implicit deny\); entering NetworkPublicSecurityGroup`, out)
	assert.Regexp(t, `schema: \d+ resources in 3 templates .*: 0 problem\(s\)`, out)
	assert.Contains(t, out, "wiring: ACL rule numbers unique, interface endpoints with private DNS in the endpoints' group, the configured interface endpoints, the S3 endpoint on every private route table")
	assert.Contains(t, out, "placement: the WSUS server in the public security group (and a created VPC's public subnet), the fleet's instances in the private ones")
	assert.Regexp(t, `privatepatch: wiring \(.*\)\n  every connection holds`, out)
	assert.Contains(t, out, "privatepatch-patching: every adopted control passes", "the Control Tower controls, as docs/compliance.md lists them")
	assert.Contains(t, out, "privatepatch-network: not adopted (docs/compliance.md says why): ct-lambda-pr-3", "listed, not failed")
	assert.Regexp(t, `yes\s+allowed\s+CloudWatch alarm \w+ sns:Publish arn:aws:sns:us-west-2:111111111111:\S+\s+decided by resource policy statement`, out,
		"the authorisation table: the alarms may publish to the encrypted topic")

	// The broken copy (breakAssembly).
	out, code = runs.broken.out, runs.broken.code
	assert.Equal(t, 1, code, out)
	assert.Regexp(t, `yes\s+instance to WSUS over HTTP\s+8530\s+denied\s+passes\s+request entering the destination subnet: no rule matches \(implicit deny\); .*<-- WRONG`, out,
		"without its allow rule, nothing admits WSUS's port")
	assert.Contains(t, out, "(AWS::EC2::VPC): unknown property EnableDnsHostname")
	assert.Contains(t, out, "endpoint NetworkEndpointsssm96AED6CF (ssm): PrivateDnsEnabled is not true (default false)", "the wiring the flow table takes for granted")
	assert.Regexp(t, `rule AlertsComplianceRule\w+: State DISABLED, not enabled: .*delivers no alert\s+<-- WRONG`, out)
	assert.Regexp(t, `yes\s+denied\s+maintenance window service role \(\w+\) ssm:StartAutomationExecution `+
		`arn:aws:ssm:us-west-2::automation-definition/AWS-CreateImage:\$DEFAULT\s+<-- WRONG\s+decided by no identity statement allows it`, out)
}

// deprecatedCalls are the deprecated CDK APIs a run's output names: jsii prints one warning per
// call ("[WARNING] aws-cdk-lib.CfnResource#addDependency is deprecated."), into every synth's
// output, for the user to read.
func deprecatedCalls(output string) []string {
	return regexp.MustCompile(`\[WARNING\] (\S+) is deprecated`).FindAllString(output, -1)
}

func TestTheAppCallsNoDeprecatedCdkApi(t *testing.T) {
	t.Parallel()
	directRun(t)
	assert.Empty(t, deprecatedCalls(string(directRunner.out)), "use the API the warning names instead")
	assert.Len(t, deprecatedCalls("[WARNING] aws-cdk-lib.CfnResource#addDependency is deprecated.\n  Use `addResourceDependency` instead."), 1, "planted")
}
