package test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cdkFreePackages are the packages that must import no CDK: the construct areas' specifications
// (every constructs/*/*spec, found, so that a new one cannot be left out), the facts config uses,
// and the offline tools' packages, which would otherwise start paying for the CDK bindings.
func cdkFreePackages(t *testing.T) []string {
	specs, err := filepath.Glob(filepath.Join("constructs", "*", "*spec"))
	require.NoError(t, err)
	require.Contains(t, specs, filepath.Join("constructs", "network", "networkspec"))
	return append(specs, "constructs/spec", "constructs/ssmschedule", "constructs/tagspec", "constructs/nitro", "constructs/awsbuckets",
		"config", "authz", "doctor", "s3drift", "netpath", "cfnupdate", "calendar")
}

// cdkDependencies lists the packages of pkg's dependencies (itself included) that are CDK or jsii.
func cdkDependencies(t *testing.T, pkg string) []string {
	out, err := exec.Command("go", "list", "-deps", "./"+pkg).Output()
	require.NoError(t, err, "go list %s", pkg)
	var cdk []string
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "aws-cdk-go") || strings.Contains(dep, "jsii-runtime-go") || strings.Contains(dep, "constructs-go") {
			cdk = append(cdk, dep)
		}
	}
	return cdk
}

func TestSpecificationsAndConfigImportNoCDK(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	t.Chdir("..")
	for _, pkg := range cdkFreePackages(t) {
		assert.Empty(t, cdkDependencies(t, pkg), "%s must import no CDK", pkg)
	}
	assert.NotEmpty(t, cdkDependencies(t, "constructs/wsus"), "the check sees a construct's CDK imports")
}

// resourceCalls are the calls in stacks/*.go that create a resource: New... of an AWS CDK
// service package, but for the stack, its outputs and values that are no resource.
func resourceCalls(t *testing.T, dir string) []string {
	notResources := map[string]bool{"awscdk.NewStack": true, "awscdk.NewCfnOutput": true, "awscdk.NewStage": true,
		"awsiam.NewPolicyStatement": true, "awsec2.NewInstanceType": true}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var found []string
	for _, file := range files {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		require.NoError(t, err)
		cdk := map[string]bool{}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/aws/aws-cdk-go/awscdk/v2") {
				cdk[filepath.Base(path)] = true
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if ok && cdk[pkg.Name] && strings.HasPrefix(sel.Sel.Name, "New") && !notResources[pkg.Name+"."+sel.Sel.Name] &&
				pkg.Name != "pipelines" {
				found = append(found, filepath.Base(file)+": "+pkg.Name+"."+sel.Sel.Name)
			}
			return true
		})
	}
	return found
}

func TestStacksOnlyWireConstructsAndCreateNoResourceOfTheirOwn(t *testing.T) {
	assert.Empty(t, resourceCalls(t, "../stacks"), "a stack function creates resources only through constructs")
	assert.Contains(t, resourceCalls(t, "../constructs/loggroup"), "loggroup.go: awslogs.NewLogGroup", "the check sees a resource")
}
