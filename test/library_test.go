package test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/constructs/alerttopic"
	"github.com/privatepatch/privatepatch/constructs/compliance"
	"github.com/privatepatch/privatepatch/constructs/fleet"
	"github.com/privatepatch/privatepatch/constructs/logbucket"
	"github.com/privatepatch/privatepatch/constructs/managedinstance"
	"github.com/privatepatch/privatepatch/constructs/network"
	"github.com/privatepatch/privatepatch/constructs/patching"
	"github.com/privatepatch/privatepatch/constructs/pipelinealerts"
	"github.com/privatepatch/privatepatch/constructs/wsus"
)

// propsConstructors are the constructors of the construct packages that take props by pointer,
// found in their source: package.NewX.
func propsConstructors(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join("..", "constructs", "*", "*.go"))
	require.NoError(t, err)
	var found []string
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "New") || !fn.Name.IsExported() {
				continue
			}
			for _, param := range fn.Type.Params.List {
				if star, ok := param.Type.(*ast.StarExpr); ok {
					if ident, ok := star.X.(*ast.Ident); ok && strings.HasSuffix(ident.Name, "Props") {
						found = append(found, f.Name.Name+"."+fn.Name.Name)
					}
				}
			}
		}
	}
	slices.Sort(found)
	return found
}

// A library consumer's nil props get the construct's error naming them, never a nil-pointer
// crash, from every constructor that takes props (found in the source, so a new one is covered).
func TestEveryConstructorGivenNilPropsPanicsWithItsErrorNotANilPointer(t *testing.T) {
	calls := map[string]func(awscdk.Stack){
		"compliance.NewResourceGroups":      func(s awscdk.Stack) { compliance.NewResourceGroups(s, "X", nil) },
		"compliance.NewConfigurationChecks": func(s awscdk.Stack) { compliance.NewConfigurationChecks(s, "X", nil) },
		"compliance.NewSecurity":            func(s awscdk.Stack) { compliance.NewSecurity(s, "X", nil) },
		"compliance.NewFindingFilter":       func(s awscdk.Stack) { compliance.NewFindingFilter(s, "X", nil) },
		"network.NewNetwork":                func(s awscdk.Stack) { network.NewNetwork(s, "X", nil) },
		"patching.NewAlerts":                func(s awscdk.Stack) { patching.NewAlerts(s, "X", nil) },
		"patching.NewScanAssociations":      func(s awscdk.Stack) { patching.NewScanAssociations(s, "X", nil) },
		"patching.NewInventory":             func(s awscdk.Stack) { patching.NewInventory(s, "X", nil) },
		"patching.NewMaintenanceWindow":     func(s awscdk.Stack) { patching.NewMaintenanceWindow(s, "X", nil) },
		"patching.NewInventoryQueries":      func(s awscdk.Stack) { patching.NewInventoryQueries(s, "X", nil) },
		"patching.NewMonitoring":            func(s awscdk.Stack) { patching.NewMonitoring(s, "X", nil) },
		"patching.NewBaseline":              func(s awscdk.Stack) { patching.NewBaseline(s, "X", nil) },
		"patching.NewAgentUpdate":           func(s awscdk.Stack) { patching.NewAgentUpdate(s, "X", nil) },
		"patching.NewWsusCleanupAlarm":      func(s awscdk.Stack) { patching.NewWsusCleanupAlarm(s, "X", nil) },
		"patching.NewPromotion":             func(s awscdk.Stack) { patching.NewPromotion(s, "X", nil) },
		"patching.NewStartStop":             func(s awscdk.Stack) { patching.NewStartStop(s, "X", nil) },
		"wsus.NewClientConfiguration":       func(s awscdk.Stack) { wsus.NewClientConfiguration(s, "X", nil) },
		"wsus.NewServer":                    func(s awscdk.Stack) { wsus.NewServer(s, "X", nil) },
		"logbucket.NewLogBucket":            func(s awscdk.Stack) { logbucket.NewLogBucket(s, "X", nil) },
		"fleet.NewFleet":                    func(s awscdk.Stack) { fleet.NewFleet(s, "X", nil) },
		"pipelinealerts.New":                func(s awscdk.Stack) { pipelinealerts.New(s, "X", nil) },
	}
	names := make([]string, 0, len(calls))
	for name := range calls {
		names = append(names, name)
	}
	slices.Sort(names)
	assert.Equal(t, propsConstructors(t), names, "every constructor that takes props is called with nil")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Lib"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-west-2")}})
			got := panicOf(func() { calls[name](stack) })
			if got == nil {
				return // nil means every default: built without complaint
			}
			_, crashed := got.(runtime.Error)
			require.False(t, crashed, "%s(nil) crashed: %v", name, got)
			err, ok := got.(error)
			require.True(t, ok, "%s(nil) panics with an error, not %T: %v", name, got, got)
			assert.Contains(t, err.Error(), strings.Split(name, ".")[1]+`("X")`, "the error names the constructor")
			assert.NotContains(t, err.Error(), "nil pointer")
		})
	}
}

// A library consumer's Inspector suppression that CreateFilter would refuse at deploy (a name
// with a space), or that would hide more than it says (two tags, joined by OR), is refused at
// synthesis, naming the prop.
func TestSecurityRefusesSuppressionsInspectorWouldRefuse(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Lib"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-west-2")}})
	tags := map[string]string{"Environment": "Dev", "Team": "web"}
	got := panicOf(func() {
		compliance.NewSecurity(stack, "Security", &compliance.SecurityProps{InspectorSuppressions: []compliance.InspectorSuppression{
			{Name: "dev low", Reason: "r", Severities: []string{"LOW"}},
			{Name: "dev-many", Reason: "r", Tags: tags},
		}})
	})
	require.Implements(t, (*error)(nil), got)
	msg := got.(error).Error()
	assert.Contains(t, msg, `InspectorSuppressions[0].Name "dev low" is not an Inspector suppression rule name (7 characters): Inspector takes 3 to 64 letters, digits and . _ -, no spaces`)
	assert.Contains(t, msg, `InspectorSuppressions[1].Tags 2 tags, and Inspector joins the tag filters of one rule by OR`)
	assert.NotContains(t, msg, "InspectorSuppressions[1].Name")
	// The same with a name Inspector takes and one tag builds.
	delete(tags, "Team")
	assert.Nil(t, panicOf(func() {
		compliance.NewSecurity(stack, "Fine", &compliance.SecurityProps{InspectorSuppressions: []compliance.InspectorSuppression{
			{Name: "dev-many", Reason: "r", Tags: tags},
		}})
	}))
}

// cdk init's app makes environment-agnostic stacks: the network and the instance roles, which
// need the region's buckets and S3 prefix list, say the region is missing and how to give one,
// never a token, and never leave Patch Manager's bucket out silently.
func TestConstructsInAnEnvironmentAgnosticStackNameTheMissingRegion(t *testing.T) {
	props := func() *network.Props {
		return &network.Props{S3PrefixListId: "pl-68a54001", S3PrefixListCidrs: []string{"52.218.128.0/17"}}
	}
	agnostic := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Agnostic"), nil)
	for name, call := range map[string]func(){
		"NewNetwork":           func() { network.NewNetwork(agnostic, "Network", props()) },
		"LookupS3PrefixListId": func() { network.LookupS3PrefixListId(agnostic) },
		// The instance roles of the fleet and WSUS: Patch Manager's bucket is named per region.
		"NewRole":               func() { managedinstance.NewRole(agnostic, "Role", "fleet") },
		"NewInternetFacingRole": func() { managedinstance.NewInternetFacingRole(agnostic, "WsusRole", "wsus") },
	} {
		got := panicOf(call)
		require.Implements(t, (*error)(nil), got, name)
		msg := got.(error).Error()
		assert.Contains(t, msg, "stack Agnostic has no region", name)
		assert.Contains(t, msg, "Env: &awscdk.Environment{Region:", name)
		assert.NotContains(t, msg, "${Token", name)
	}
	// The same props in a stack with a region build.
	regional := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Regional"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-west-2")}})
	assert.Nil(t, panicOf(func() { network.NewNetwork(regional, "Network", props()) }))
}

// The network construct builds in a VPC the consumer already built (the existingVpc prop of AWS
// Solutions Constructs): no VPC of its own, its endpoints and groups in the consumer's VPC and
// private subnets.
func TestTheNetworkConstructBuildsInAVpcTheConsumerBuilt(t *testing.T) {
	newStack := func() (awscdk.Stack, awsec2.Vpc) {
		stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Consumer"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-west-2")}})
		vpc := awsec2.NewVpc(stack, jsii.String("Workload"), &awsec2.VpcProps{
			IpAddresses:       awsec2.IpAddresses_Cidr(jsii.String("10.50.0.0/16")),
			AvailabilityZones: jsii.Strings("us-west-2a", "us-west-2b"),
			SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
				{Name: jsii.String("Public"), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(24)},
				{Name: jsii.String("Private"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED, CidrMask: jsii.Number(24)},
			},
		})
		return stack, vpc
	}
	stack, vpc := newStack()
	n := network.NewNetwork(stack, "Network", &network.Props{
		S3PrefixListId: "pl-68a54001", S3PrefixListCidrs: []string{"52.218.128.0/17"},
		Existing: &network.ExistingVpc{Vpc: vpc, Cidr: "10.50.0.0/16"},
	})
	template := assertions.Template_FromStack(stack, nil)
	template.ResourceCountIs(jsii.String("AWS::EC2::VPC"), jsii.Number(1))
	vpcRef := map[string]any{"Ref": *stack.GetLogicalId(vpc.Node().DefaultChild().(awscdk.CfnElement))}
	endpoints := template.FindResources(jsii.String("AWS::EC2::VPCEndpoint"), nil)
	require.NotEmpty(t, *endpoints)
	for id, e := range *endpoints {
		props := (*e)["Properties"].(map[string]any)
		assert.Equal(t, vpcRef, props["VpcId"], "%s is in the consumer's VPC", id)
	}
	var isolated []any
	for _, s := range *vpc.IsolatedSubnets() {
		isolated = append(isolated, map[string]any{"Ref": *stack.GetLogicalId(s.Node().DefaultChild().(awscdk.CfnElement))})
	}
	template.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{"VpcEndpointType": "Interface", "SubnetIds": isolated})
	assert.Len(t, *n.Vpc().PrivateSubnets(), 2)

	// Planted: without its block (a CloudFormation attribute at synth), and beside a lookup.
	stack, vpc = newStack()
	got := panicOf(func() {
		network.NewNetwork(stack, "Network", &network.Props{S3PrefixListId: "pl-68a54001", S3PrefixListCidrs: []string{"52.218.128.0/17"},
			Existing: &network.ExistingVpc{Vpc: vpc, Lookup: &network.VpcLookup{Tags: map[string]string{"Name": "x"}, PrivateSubnetGroup: "Private"}}})
	})
	require.Implements(t, (*error)(nil), got)
	assert.Contains(t, got.(error).Error(), "Props.Existing.Cidr \"\" is needed with this Vpc")
	assert.Contains(t, got.(error).Error(), "Props.Existing.Lookup")
}

// releaseProblems checks a CHANGELOG against the module path: every section is Unreleased (first)
// or a release "X.Y.Z (YYYY-MM-DD)", newest first, and a release of major version 2 or more
// needs the /vN suffix on the module path, or go get cannot fetch its tag (Go Modules Reference,
// "Major version suffixes", read 2026-12-06).
func releaseProblems(changelog, module string) []string {
	heading := regexp.MustCompile(`^## (?:Unreleased|(\d+)\.(\d+)\.(\d+) \((\d{4}-\d{2}-\d{2})\))$`)
	var problems []string
	var last []int
	lastDate := "9999-12-31"
	releases := 0
	for i, line := range strings.Split(changelog, "\n") {
		if !strings.HasPrefix(line, "## ") {
			continue
		}
		m := heading.FindStringSubmatch(line)
		switch {
		case m == nil:
			problems = append(problems, fmt.Sprintf("line %d: %q is neither Unreleased nor X.Y.Z (YYYY-MM-DD)", i+1, line))
			continue
		case m[1] == "":
			if releases > 0 || last != nil {
				problems = append(problems, fmt.Sprintf("line %d: Unreleased belongs above every release", i+1))
			}
			last = []int{1 << 30, 0, 0}
			continue
		}
		releases++
		v := []int{atoi(m[1]), atoi(m[2]), atoi(m[3])}
		if last != nil && slices.Compare(v, last) >= 0 {
			problems = append(problems, fmt.Sprintf("line %d: %s is not older than the section above", i+1, line))
		}
		if m[4] > lastDate {
			problems = append(problems, fmt.Sprintf("line %d: %s is dated after the section above", i+1, line))
		}
		if v[0] >= 2 && !strings.HasSuffix(module, fmt.Sprintf("/v%d", v[0])) && releases == 1 {
			problems = append(problems, fmt.Sprintf("%s: release %d.%d.%d needs the module path %s/v%d", line, v[0], v[1], v[2], module, v[0]))
		}
		last, lastDate = v, m[4]
	}
	if releases == 0 {
		problems = append(problems, "no release")
	}
	return problems
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// Releases are git tags v<version> that go get can pin: the CHANGELOG has one section per release,
// newest first, and the README's go get names the newest.
func TestEachReleaseHasAChangelogSectionAndAModulePathGoGetAccepts(t *testing.T) {
	changelog, err := os.ReadFile(filepath.Join("..", "CHANGELOG.md"))
	require.NoError(t, err)
	gomod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	require.NoError(t, err)
	module := strings.Fields(strings.SplitN(string(gomod), "\n", 2)[0])[1]
	assert.Empty(t, releaseProblems(string(changelog), module))
	newest := regexp.MustCompile(`(?m)^## (\d+\.\d+\.\d+) `).FindStringSubmatch(string(changelog))
	require.NotNil(t, newest)
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), "go get "+module+"@v"+newest[1], "the README pins the newest release")

	// Planted: a v2 without the suffix, releases out of order, an unversioned heading.
	assert.Equal(t, []string{"## 2.0.0 (2026-12-01): release 2.0.0 needs the module path example.com/m/v2"},
		releaseProblems("## 2.0.0 (2026-12-01)\n## 1.0.0 (2026-11-01)\n", "example.com/m"))
	assert.Empty(t, releaseProblems("## Unreleased\n## 2.0.0 (2026-12-01)\n", "example.com/m/v2"))
	assert.Len(t, releaseProblems("## 0.1.0 (2026-11-01)\n## 0.2.0 (2026-12-01)\n", "example.com/m"), 2)
	assert.Len(t, releaseProblems("## 0.2.0 (2026-12-01)\n## Unreleased\n## Next\n", "example.com/m"), 2)
}

// The pipeline's alerts, and the topic they stand on, refuse what would build a rule matching
// nothing or an alarm without a name, naming each prop.
func TestPipelineAlertsGivenBadPropsPanicWithAnErrorNamingEachProp(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Lib"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-west-2")}})
	got := panicOf(func() { pipelinealerts.New(stack, "Alerts", &pipelinealerts.Props{PipelineName: "my pipeline"}) })
	require.Implements(t, (*error)(nil), got)
	assert.Contains(t, got.(error).Error(), `Props.PipelineName "my pipeline" is not a pipeline name`)
	assert.Contains(t, got.(error).Error(), `Props.UndeliveredAlarmName "" is required`)
	got = panicOf(func() { alerttopic.New(stack, alerttopic.Props{}) })
	require.Implements(t, (*error)(nil), got)
	assert.Contains(t, got.(error).Error(), `Props.DisplayName "" is required`)
	assert.Contains(t, got.(error).Error(), `Props.KeyDescription "" is required`)
	assert.Empty(t, stack.Node().Children(), "nothing built")
}

// An Inspector finding the vendor has not scored yet is UNTRIAGED: an alert on every severity
// (from LOW) takes it in; one from HIGH does not, and Security Hub's labels have no such value.
func TestInspectorAlertsOnUntriagedFindingsOnlyWhenEverySeverityIsAlerted(t *testing.T) {
	for _, tc := range []struct {
		severities []string
		inspector  []any
	}{
		{[]string{"LOW", "MEDIUM", "HIGH", "CRITICAL"}, []any{"LOW", "MEDIUM", "HIGH", "CRITICAL", "UNTRIAGED"}},
		{[]string{"HIGH", "CRITICAL"}, []any{"HIGH", "CRITICAL"}},
	} {
		stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Lib"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-west-2")}})
		compliance.NewSecurity(stack, "Security", &compliance.SecurityProps{AlertSeverities: tc.severities})
		rules := *assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::Events::Rule"), nil)
		for id, rule := range rules {
			pattern := (*rule)["Properties"].(map[string]any)["EventPattern"].(map[string]any)
			detail := pattern["detail"].(map[string]any)
			if strings.HasPrefix(id, "SecurityInspectorFindingsRule") {
				assert.Equal(t, tc.inspector, detail["severity"], id)
			} else {
				assert.Equal(t, toAny(tc.severities), detail["findings"].(map[string]any)["Severity"].(map[string]any)["Label"], id)
			}
		}
		assert.Len(t, rules, 2)
	}
}

func toAny(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// The CCE checks' failures have a saved query only where the checks run: their compliance type
// (Custom:CCE) is reported by nothing else, and make verify names a query on a type no document
// reports (a review found it failing a configuration with the checks off).
func TestTheFailedChecksQueryIsSavedOnlyWithTheChecks(t *testing.T) {
	for _, checks := range []bool{false, true} {
		stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Lib"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-west-2")}})
		bucket := awss3.NewBucket(stack, jsii.String("Bucket"), nil)
		patching.NewInventoryQueries(stack, "Queries", &patching.InventoryQueriesProps{Name: "lib", Bucket: bucket, ConfigurationChecks: checks})
		queries := *assertions.Template_FromStack(stack, nil).FindResources(jsii.String("AWS::Athena::NamedQuery"), nil)
		var names []string
		for _, q := range queries {
			names = append(names, (*q)["Properties"].(map[string]any)["Name"].(string))
		}
		assert.Equal(t, checks, slices.Contains(names, "failed-configuration-checks"), "%v: %v", checks, names)
		assert.Contains(t, names, "missing-patches")
	}
}
