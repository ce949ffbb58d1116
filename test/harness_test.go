// Package test holds privatepatch's CDK tests: assertions, network-path checks, cdk-nag and
// golden templates. They live in one package so Node starts once, and each scenario is
// synthesised once per run.
package test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
	"github.com/privatepatch/privatepatch/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden templates in testdata/")

func TestMain(m *testing.M) {
	flag.Parse()
	// Parallel tests here wait on background jobs and checks, not on a core: let them all wait.
	if f := flag.Lookup("test.parallel"); f != nil && f.Value.String() == strconv.Itoa(runtime.GOMAXPROCS(0)) {
		f.Value.Set("8")
	}
	// CDK's built-in CloudFormation validation costs more than a scenario's synthesis; the tests
	// run the same engine once over every scenario's templates instead (validate_test.go).
	// jsii snapshots the environment for Node when the program starts, so startKernel closes the
	// kernel it set up (not started yet) and starts one that sees the setting.
	os.Setenv("CDK_VALIDATION", "false")
	startKernel()
	startBackground()
	startChecks()
	startJobs()
	code := m.Run()
	jsii.Close()
	background.Wait()
	removeCheckDirs()
	removeJobDirs()
	for _, dir := range []string{directRunner.dir, cliRunner.dir, cliNodeDir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

// scenario is one configuration synthesised as the CDK CLI would: same feature flags, plus any
// cached context lookups.
type scenario struct {
	name    string
	config  func() (*config.Config, error)
	context map[string]any
	// withoutNag leaves out the cdk-nag packs, for scenarios nag_test.go does not check (the
	// templates are the same).
	withoutNag bool

	once      sync.Once
	root      awscdk.App
	app       stacks.PrivatePatch
	dir       string                     // the cloud assembly's directory
	stacks    map[string]cfnupdate.Stack // by construct id: Network, Fleet, Patching
	template  map[string]any             // the network stack's
	network   *lazyTemplate
	fleetJSON map[string]any
	fleet     *lazyTemplate
	patchJSON map[string]any
	patching  *lazyTemplate
	err       any
}

func fromYAML(yaml string) func() (*config.Config, error) {
	return func() (*config.Config, error) { return config.Parse("test configuration", []byte(yaml)) }
}

const (
	lookupAccount = "111111111111"
	lookupRegion  = "eu-west-1"
)

// Context lookups as the CDK CLI caches them in cdk.context.json (":" in values is quoted "$:").
var (
	availabilityZonesKey = "availability-zones:account=" + lookupAccount + ":region=" + lookupRegion
	s3PrefixListIDKey    = "cc-api-provider:account=" + lookupAccount + ":expectedMatchCount=exactly-one:propertiesToReturn.0=PrefixListId:" +
		"propertyMatch.PrefixListName=com.amazonaws." + lookupRegion + ".s3:region=" + lookupRegion + ":typeName=AWS$:$:EC2$:$:PrefixList"
	s3PrefixListEntriesKey = "cc-api-provider:account=" + lookupAccount + ":exactIdentifier=pl-6da54004:propertiesToReturn.0=Entries:" +
		"region=" + lookupRegion + ":typeName=AWS$:$:EC2$:$:PrefixList"
	lookedUpS3Cidrs = []string{"52.218.0.0/17", "3.5.64.0/21"}
)

const lookupYAML = `
account: "` + lookupAccount + `"
region: ` + lookupRegion + `
network:
  availabilityZones: [eu-west-1a, eu-west-1b]
`

var (
	// The tests' own copies of the shipped default and example (testdata/fixtures): a value
	// changed in config/ changes its snapshot (make snapshot), not these tests.
	defaultScenario = &scenario{name: "default", config: func() (*config.Config, error) { return config.LoadFile(defaultFixture) }}
	exampleScenario = &scenario{name: "example", config: func() (*config.Config, error) { return config.LoadFile("testdata/fixtures/example.yaml") }}
	natScenario     = &scenario{name: "nat-per-az", config: fromYAML(defaultWith("  nat: {enabled: true}\n"))}
	natSingle       = &scenario{name: "nat-single", config: fromYAML(defaultWith("  nat: {enabled: true, gateways: single}\n"))}
	flowLogsToS3    = &scenario{name: "flowlogs-s3", config: fromYAML(defaultWith("  flowLogs: {destination: s3, retentionDays: 90}\n"))}
	lookupScenario  = &scenario{name: "lookup", config: fromYAML(lookupYAML), context: map[string]any{
		availabilityZonesKey: []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"},
		s3PrefixListIDKey:    []any{map[string]any{"PrefixListId": "pl-6da54004", "Identifier": "pl-6da54004"}},
		s3PrefixListEntriesKey: []any{map[string]any{"Identifier": "pl-6da54004", "Entries": []any{
			map[string]any{"Cidr": lookedUpS3Cidrs[0]}, map[string]any{"Cidr": lookedUpS3Cidrs[1]},
		}}},
	}}
	lookupMissingScenario = &scenario{name: "lookup-missing", config: fromYAML(lookupYAML), withoutNag: true}
	natWithoutWsus        = &scenario{name: "nat-without-wsus", config: fromYAML(defaultWith("  nat: {enabled: true}\n") + natWithoutWsusYAML)}
	wsusHTTPS             = &scenario{name: "wsus-https", config: fromYAML(defaultWith("") + wsusHTTPSYAML)}
	// wsusExternalAddress: the server's public address is managed outside privatepatch.
	wsusExternalAddress = &scenario{name: "wsus-external-address", config: fromYAML(defaultWith("") + "wsus: {publicAddress: external}\n")}
	richPatching        = &scenario{name: "rich-patching", config: fromYAML(richPatchingYAML)}
	promoteRings        = &scenario{name: "promote-rings", config: fromYAML(promoteRingsYAML)}
	// stricterTags: tags the general rules allow and a Security Hub hub ("Cost Center"), an
	// Inspector suppression rule ("x") or a DynamoDB table (an @ in "Contact") refuses.
	stricterTags = &scenario{name: "stricter-tags", withoutNag: true,
		config: fromYAML(strings.Replace(defaultWith(""), "tags:\n", "tags:\n  Cost Center: \"42\"\n  x: \"1\"\n  Contact: ops@example.com\n", 1) +
			"security: {securityHub: {enabled: true}, inspector: {suppressions: [{name: low, reason: accepted, severities: [LOW]}]}}\n")}
	existingSecurityHub = &scenario{name: "existing-security-hub", withoutNag: true,
		config: fromYAML(defaultWith("") + "security: {securityHub: {enabled: true, existing: true, standards: [nist-800-53-rev5]}}\n")}
)

const (
	// richPatchingYAML uses nearly every patching option: the seed's baseline, a default baseline,
	// a Linux baseline with an alternative source, rings, windows by resource group and instance
	// id with offset and time zone, hooks (PowerShell on Windows, shell on Linux), CloudWatch
	// output, KMS-encrypted output (without a kms endpoint), inventory sync, emails, and hybrid
	// nodes, which write that output too.
	richPatchingYAML = `
region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19, 52.218.128.0/17, 52.92.32.0/22]}
  extraInterfaceEndpoints: [logs]
commandOutput: {encryption: kms}
fleet:
  instanceGroups:
    - {name: app, count: 1, patchGroup: seed-group, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}
patching:
  baselines:
    - {name: seed-windows, preset: seed-example-windows, patchGroups: [seed-group], description: The awstut custom baseline}
    - {name: default-windows, preset: aws-default-windows, default: true}
    - name: al2023
      operatingSystem: AMAZON_LINUX_2023
      patchGroups: [linux]
      approvalRules:
        - {filters: {CLASSIFICATION: [Security], SEVERITY: [Critical, Important]}, approveAfterDays: 3, complianceLevel: HIGH, enableNonSecurity: true}
      rejectedPatches: [kernel*]
      rejectedPatchesAction: BLOCK
      globalFilters: {PRODUCT: [AmazonLinux2023]}
      sources:
        - {name: internal, products: [AmazonLinux2023], configuration: "[internal]\nname=internal\nbaseurl=https://repo.example.com/al2023\nenabled=1"}
  rings:
    preset: aws-default-windows
    stages: [{patchGroup: dev, approveAfterDays: 0}, {patchGroup: test, approveAfterDays: 7}, {patchGroup: prod, approveAfterDays: 14}]
  maintenanceWindows:
    - name: after-patch-tuesday
      schedule: cron(0 3 ? * TUE#2 *)
      scheduleOffset: 3
      timezone: Asia/Seoul
      durationHours: 6
      cutoffHours: 2
      targets: {resourceGroup: windows-servers}
      tasks:
        - {operation: Scan, rebootOption: NoReboot, maxConcurrency: "10", maxErrors: "0", priority: 1, cloudWatchOutput: true, notifyOnFailure: false}
        - {operation: Install, maxConcurrency: 50%, maxErrors: 5%, priority: 2,
           hooks: {preInstall: testdata/hooks/drain.ps1, postInstall: AWS-Noop, onExit: testdata/hooks/health.ps1}}
    - name: pinned-instances
      schedule: cron(0 2 ? * WED *)
      targets: {instanceIds: [i-0123456789abcdef0]}
    - name: metadata-tagged
      schedule: rate(7 days)
      targets: {patchGroups: [linux], patchGroupTagKey: PatchGroup}
      tasks: [{hooks: {onExit: testdata/hooks/health.sh}}]
  scan: {schedule: rate(6 hours)}
  inventory: {resourceDataSync: true, schedule: rate(12 hours)}
  notifications: {emails: [ops@example.com, security@example.com]}
security: {hybrid: true}
`
	// promoteRingsYAML: three rings with exact promotion, each with its own window a week after
	// the one before (so each ring's baseline approves what the ring before installed), the first
	// with a pre-patch image and a Scan, KMS-encrypted output and hybrid nodes; the windows start
	// stopped instances first (suspending a scheduler's tag) and stop them last.
	promoteRingsYAML = `
region: us-west-2
network:
  s3PrefixListIds: {us-west-2: pl-68a54001}
  s3PrefixListCidrs: {us-west-2: [54.231.160.0/19, 52.218.128.0/17, 52.92.32.0/22]}
commandOutput: {encryption: kms}
fleet:
  instanceGroups:
    - {name: dev, count: 1, patchGroup: windows-dev, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}
    - {name: test, count: 1, patchGroup: windows-test, tags: {Environment: Test, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}
    - {name: prod, count: 1, patchGroup: windows-prod, tags: {Environment: Prod, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}
patching:
  rings:
    preset: aws-default-windows
    promote: exact
    stages: [{patchGroup: windows-dev, approveAfterDays: 0}, {patchGroup: windows-test, approveAfterDays: 7}, {patchGroup: windows-prod, approveAfterDays: 14}]
  maintenanceWindows:
    - name: ring-dev
      schedule: cron(0 2 ? * TUE#2 *)
      scheduleOffset: 1
      prePatchImage: true
      targets: {patchGroups: [windows-dev]}
      tasks: [{operation: Scan, priority: 2}, {operation: Install, priority: 3}]
    - {name: ring-test, schedule: "cron(0 2 ? * TUE#3 *)", scheduleOffset: 1, targets: {patchGroups: [windows-test]}}
    # Prod's install also stops while the WSUS server's synchronisation is stale: one of the
    # stack's own alarms, which its stop alarm must be created after.
    - {name: ring-prod, schedule: "cron(0 2 ? * TUE#4 *)", scheduleOffset: 1, targets: {patchGroups: [windows-prod]},
       tasks: [{operation: Install, stopOnAlarms: [privatepatch-patching-wsus-sync-stale]}]}
    # The WSUS server first: Tuesday evenings, after its synchronisation (21:00 UTC,
    # taken as 2 hours) and before ring-dev the next morning (make calendar checks both).
    - {name: privatepatch-wsus, schedule: "cron(0 23 ? * TUE *)", durationHours: 3, targets: {patchGroups: [wsus]}}
  startStopped: true
  instanceSchedulerTagKey: Schedule
security: {hybrid: true}
`
	natWithoutWsusYAML = `
wsus: {enabled: false}
fleet:
  instanceGroups:
    - {name: web, count: 1, patchGroup: windows, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}
`
	wsusHTTPSYAML = `
wsus:
  windowsVersion: "2025"
  updateStoreGiB: 300
  port: 8531
  certificateThumbprint: 0123456789abcdef0123456789abcdef01234567
  client: {targetGroup: Servers, auOptions: 2, schedule: rate(12 hours), acceptTrustedPublisherCerts: true}
fleet:
  tag: {key: Patching, value: wsus-clients}
  instanceGroups:
    - {name: legacy, count: 3, windowsVersion: "2019", instanceType: m6i.xlarge, amiId: ami-0123456789abcdef0, tags: {Environment: Dev, InventoryCategory: App, SeverityLevel: "3", HandlePI: N, IsPublic: N}}
`
)

// defaultFixture is the tests' copy of the embedded default configuration.
const defaultFixture = "testdata/fixtures/default.yaml"

// defaultWith is the tests' default configuration with lines added under network:.
func defaultWith(networkLines string) string {
	data, err := os.ReadFile(defaultFixture)
	if err != nil {
		panic(err)
	}
	return regexp.MustCompile(`(?m)^network:\n`).ReplaceAllString(string(data), "network:\n"+networkLines)
}

// synth builds the scenario's app once and returns it.
func (s *scenario) synth(t testing.TB) *scenario {
	t.Helper()
	s.build()
	require.Nil(t, s.err, "scenario %s did not synthesise", s.name)
	return s
}

// build synthesises the scenario once, keeping any failure in s.err. It calls CDK, so it runs
// only on the tests' goroutines, one at a time, never in the background.
func (s *scenario) build() {
	s.once.Do(func() {
		cfg, err := s.config()
		if err != nil {
			s.err = err
			return
		}
		defer func() {
			if r := recover(); r != nil {
				s.err = r
			}
		}()
		context, err := readCdkJSONContext()
		if err != nil {
			s.err = err
			return
		}
		for k, v := range s.context {
			context[k] = v
		}
		// No tree.json: no test reads it (the app's runs write it, for cdk-dia and the CLI), and
		// writing it is about a tenth of a scenario's synthesis (docs/benchmarks.md).
		app := awscdk.NewApp(&awscdk.AppProps{Context: &context, AnalyticsReporting: jsii.Bool(false), TreeMetadata: jsii.Bool(false)})
		s.root = app
		if s.withoutNag {
			s.app = stacks.NewPrivatePatchWithoutNag(app, cfg)
		} else {
			// The findings nag_test.go reads, without the reports (the app's run checks those).
			s.app = stacks.NewPrivatePatchWithoutNagReports(app, cfg)
		}
		// One synthesis for the three stacks (assertions.Template_FromStack synthesises the whole
		// app again, forced, for each), read from its directory; a stack's assertion template is
		// made from its JSON when a test first asks for one.
		s.err = s.load(*app.Synth(nil).Directory())
	})
}

// load reads the scenario's cloud assembly from its directory, as the CLI reads it
// (cfnupdate.ReadStacks): each stack, by construct id, and the templates of the network, fleet
// and patching stacks.
func (s *scenario) load(dir string) error {
	stacks, err := cfnupdate.ReadStacks(dir)
	if err != nil {
		return err
	}
	s.dir, s.stacks = dir, map[string]cfnupdate.Stack{}
	for _, stack := range stacks {
		s.stacks[stack.ID] = stack
	}
	for _, stack := range []struct {
		id   string
		json *map[string]any
		lazy **lazyTemplate
	}{{"Network", &s.template, &s.network}, {"Fleet", &s.fleetJSON, &s.fleet}, {"Patching", &s.patchJSON, &s.patching}} {
		found, ok := s.stacks[stack.id]
		if !ok {
			return fmt.Errorf("%s/manifest.json has no stack %s", dir, stack.id)
		}
		*stack.json = found.Template
		*stack.lazy = &lazyTemplate{json: found.Template}
	}
	return nil
}

// stackName is the name of the scenario's stack of construct id Network, Fleet or Patching.
func (s *scenario) stackName(id string) string { return s.stacks[id].Name }

var (
	cdkJSONOnce sync.Once
	cdkJSONErr  error
	cdkJSON     struct {
		App     string         `json:"app"`
		Notices *bool          `json:"notices"`
		Context map[string]any `json:"context"`
	}
)

// cdkJSONContext returns a copy of cdk.json's context, so tests synthesise with the CLI's flags.
func cdkJSONContext(t testing.TB) map[string]any {
	context, err := readCdkJSONContext()
	require.NoError(t, err)
	return context
}

func readCdkJSONContext() (map[string]any, error) {
	cdkJSONOnce.Do(func() {
		data, err := os.ReadFile(filepath.Join("..", "cdk.json"))
		if err == nil {
			err = json.Unmarshal(data, &cdkJSON)
		}
		cdkJSONErr = err
	})
	context := map[string]any{}
	for k, v := range cdkJSON.Context {
		context[k] = v
	}
	return context, cdkJSONErr
}

// resources returns the network template's resources of one type, by logical id.
func (s *scenario) resources(resourceType string) map[string]map[string]any {
	return resourcesOf(s.template, resourceType)
}

// fleetResources returns the fleet template's resources of one type, by logical id.
func (s *scenario) fleetResources(resourceType string) map[string]map[string]any {
	return resourcesOf(s.fleetJSON, resourceType)
}

// patchResources returns the patching template's resources of one type, by logical id.
func (s *scenario) patchResources(resourceType string) map[string]map[string]any {
	return resourcesOf(s.patchJSON, resourceType)
}

func resourcesOf(template map[string]any, resourceType string) map[string]map[string]any {
	found := map[string]map[string]any{}
	for id, r := range template["Resources"].(map[string]any) {
		resource := r.(map[string]any)
		if resource["Type"] == resourceType {
			found[id] = resource
		}
	}
	return found
}

func props(resource map[string]any) map[string]any {
	p, _ := resource["Properties"].(map[string]any)
	return p
}

// oneOf returns the single resource of a type whose logical id starts with prefix (a construct
// path), so tests do not hard-code CDK's hash suffixes.
func oneOf(t *testing.T, template map[string]any, resourceType, prefix string) (string, map[string]any) {
	t.Helper()
	var ids []string
	for id := range resourcesOf(template, resourceType) {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	require.Len(t, ids, 1, "one %s named %s*", resourceType, prefix)
	return ids[0], resourcesOf(template, resourceType)[ids[0]]
}

// lazyTemplate is a stack's template for CDK's fine-grained assertions, made from its JSON on
// first use (most tests read the JSON).
type lazyTemplate struct {
	once     sync.Once
	json     map[string]any
	template assertions.Template
}

func (l *lazyTemplate) get() assertions.Template {
	l.once.Do(func() { l.template = assertions.Template_FromJSON(&l.json, nil) })
	return l.template
}

func (l *lazyTemplate) HasResourceProperties(resourceType *string, props any) {
	l.get().HasResourceProperties(resourceType, props)
}

func (l *lazyTemplate) HasResource(resourceType *string, props any) {
	l.get().HasResource(resourceType, props)
}

func (l *lazyTemplate) ResourceCountIs(resourceType *string, count *float64) {
	l.get().ResourceCountIs(resourceType, count)
}

// stackTemplate reads a stack's template from its stage's cloud assembly, synthesising the stage
// only if it has not been (assertions.Template_FromStack synthesises the whole stage again, forced,
// on every call). Add no constructs after the first call: the assembly is not made again.
func stackTemplate(t testing.TB, stack awscdk.Stack) map[string]any {
	t.Helper()
	template, err := readStackTemplate(stack)
	require.NoError(t, err)
	return template
}

func readStackTemplate(stack awscdk.Stack) (map[string]any, error) {
	var template map[string]any
	data, err := os.ReadFile(filepath.Join(*awscdk.Stage_Of(stack).Synth(nil).Directory(), *stack.TemplateFile()))
	if err == nil {
		err = json.Unmarshal(data, &template)
	}
	return template, err
}

// stackAssertions is stackTemplate for CDK's fine-grained assertions.
func stackAssertions(t testing.TB, stack awscdk.Stack) assertions.Template {
	template := stackTemplate(t, stack)
	return assertions.Template_FromJSON(&template, nil)
}

// goldenTemplates are the golden templates of testdata, parsed, by file.
func goldenTemplates(t *testing.T) map[string]map[string]any {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.template.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string]map[string]any{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		var template map[string]any
		require.NoError(t, json.Unmarshal(data, &template))
		out[file] = template
	}
	return out
}
