package test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cdkFreePackages are the packages that must import no CDK: the construct areas' specifications
// (every constructs/*/*spec, found, so that a new one cannot be left out), the facts config uses,
// and every package under proof/ and afterdeploy/ (found too), which would otherwise start paying
// for the CDK bindings.
func cdkFreePackages(t *testing.T) []string {
	var found []string
	for _, pattern := range []struct{ glob, mustHold string }{
		{filepath.Join("constructs", "*", "*spec"), filepath.Join("constructs", "network", "networkspec")},
		{filepath.Join("proof", "*"), filepath.Join("proof", "authz")},
		{filepath.Join("afterdeploy", "*"), filepath.Join("afterdeploy", "doctor")},
	} {
		matches, err := filepath.Glob(filepath.Join("..", pattern.glob))
		require.NoError(t, err)
		for _, m := range matches {
			rel, err := filepath.Rel("..", m)
			require.NoError(t, err)
			found = append(found, rel)
		}
		require.Contains(t, found, pattern.mustHold)
	}
	return append(found, "constructs/spec", "constructs/ssmschedule", "constructs/tagspec", "constructs/nitro", "constructs/awsbuckets", "config")
}

// rootGroups are the only folders at the root that hold Go packages: the layers (app -> stacks ->
// constructs, config), what checks a change before it is deployed (proof/), what reads a
// deployment (afterdeploy/), the commands (tools/) and the CDK tests (test/).
var rootGroups = map[string]bool{"app": true, "config": true, "stacks": true, "constructs": true,
	"proof": true, "afterdeploy": true, "tools": true, "test": true}

// rootGroupsOf returns the root folder of each package go list finds under dir.
func rootGroupsOf(t *testing.T, dir string) map[string]bool {
	cmd := exec.Command("go", "list", "-f", "{{.Dir}}", "./...")
	cmd.Dir = dir
	out, err := cmd.Output()
	require.NoError(t, err, "go list in %s", dir)
	abs, err := filepath.Abs(dir)
	require.NoError(t, err)
	found := map[string]bool{}
	for _, pkgDir := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(abs, pkgDir)
		require.NoError(t, err)
		found[strings.Split(filepath.ToSlash(rel), "/")[0]] = true
	}
	return found
}

func TestEveryPackageSitsInOneOfTheRootGroupsTheReadmeNames(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	for group := range rootGroupsOf(t, "..") {
		assert.True(t, rootGroups[group], "package folder %s/ at the root: put it under proof/, afterdeploy/ or tools/", group)
		assert.Regexp(t, "(?m)^"+group+"/", string(readme), "the README's layout names %s/", group)
	}
	// Planted: a package at the root is found.
	planted := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(planted, "go.mod"), []byte("module planted\n\ngo 1.22\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(planted, "netcheck"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(planted, "netcheck", "a.go"), []byte("package netcheck\n"), 0o644))
	assert.Equal(t, map[string]bool{"netcheck": true}, rootGroupsOf(t, planted))
	assert.False(t, rootGroups["netcheck"], "and it is in no root group")
}

// cdkDependencies lists, for each package, the packages of its dependencies that are CDK or jsii,
// from one go list (a package's .Deps are all it imports, directly or not).
func cdkDependencies(t *testing.T, pkgs ...string) map[string][]string {
	// From the project root by the command's directory: the process's own must not change, as the
	// background jobs run relative to it.
	args := []string{"list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}"}
	for _, pkg := range pkgs {
		args = append(args, "./"+pkg)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	out, err := cmd.Output()
	require.NoError(t, err, "go list %s", pkgs)
	found := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], "github.com/privatepatch/privatepatch/")
		found[pkg] = []string{}
		for _, dep := range fields[1:] {
			if strings.Contains(dep, "aws-cdk-go") || strings.Contains(dep, "jsii-runtime-go") || strings.Contains(dep, "constructs-go") {
				found[pkg] = append(found[pkg], dep)
			}
		}
	}
	require.Len(t, found, len(pkgs), "go list answered for each package")
	return found
}

func TestSpecificationsAndConfigImportNoCDK(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	t.Parallel() // no CDK: go list
	free := cdkFreePackages(t)
	deps := cdkDependencies(t, append(free, "constructs/wsus")...)
	for _, pkg := range free {
		assert.Empty(t, deps[pkg], "%s must import no CDK", pkg)
	}
	assert.NotEmpty(t, deps["constructs/wsus"], "the check sees a construct's CDK imports")
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

// directoryChanges are the calls in Go source that change the process's working directory.
func directoryChanges(source string) []string {
	return regexp.MustCompile(`\b(?:t|os)\.Chdir\(`).FindAllString(source, -1)
}

// The background jobs (the app, verify, snapshot, --help runs) run relative to this package's
// directory while the tests run: a test that changes the process's directory (t.Chdir) makes
// them fail now and then, depending on what runs when.
func TestNoTestChangesTheProcessDirectory(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	require.NoError(t, err)
	for _, file := range files {
		source, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Empty(t, directoryChanges(string(source)), file)
	}
	assert.NotEmpty(t, directoryChanges("func TestX(t *testing.T) {\n\tt.Ch"+"dir(\"..\")\n}"), "planted")
}

// maxLongFunctions is how many functions outside tools/ and the tests may exceed
// maxFunctionLines: a function that long usually makes several decisions, each of which reads
// better on its own (issue 30); a table of data may stay whole.
const maxLongFunctions, maxFunctionLines = 6, 60

// longFunctions are the functions of a Go source file longer than maxFunctionLines, with their
// length.
func longFunctions(t *testing.T, name string, source any) []string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, source, 0)
	require.NoError(t, err, name)
	var long []string
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Body != nil {
			if n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1; n > maxFunctionLines {
				long = append(long, name+" "+fn.Name.Name+" "+strconv.Itoa(n))
			}
		}
	}
	return long
}

func TestFewFunctionsOutsideToolsAndTestsAreLongerThanSixtyLines(t *testing.T) {
	t.Parallel() // files only
	var long []string
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && slices.Contains([]string{"node_modules", "cdk.out", ".git", "tools", "test", "testdata"}, d.Name()) {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			long = append(long, longFunctions(t, path, nil)...)
		}
		return nil
	})
	require.NoError(t, err)
	assert.LessOrEqual(t, len(long), maxLongFunctions, "functions over %d lines: split along the decisions they make\n%s", maxFunctionLines, strings.Join(long, "\n"))
	// Planted: a function of 61 lines is counted, one of 60 is not.
	body := func(lines int) string {
		return "package p\n\nfunc f() {\n" + strings.Repeat("\t_ = 0\n", lines-2) + "}\n"
	}
	assert.Len(t, longFunctions(t, "planted.go", body(61)), 1)
	assert.Empty(t, longFunctions(t, "planted.go", body(60)))
}
