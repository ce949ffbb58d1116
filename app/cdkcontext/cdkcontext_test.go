package cdkcontext

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func project(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	return dir
}

// The CLI looks context up in the command line's, then cdk.json's, then cdk.context.json's
// (Configuration.loadConfigFiles of aws-cdk 2.1148 builds its sources in that order, which its
// contextSourceFiles calls "lookup precedence order"); what the CLI adds itself wins over all.
// Direct leaves out ~/.cdk.json, the last and least of the CLI's sources.
func TestDirectMergesCdkContextJsonCdkJsonAndWhatTheCliAdds(t *testing.T) {
	t.Setenv("CDK_CONTEXT_JSON", "")
	dir := project(t, map[string]string{
		"cdk.context.json": `{"vpc-provider:lookup": "answer", "flag": "from cdk.context.json"}`,
		"cdk.json":         `{"context": {"flag": "from cdk.json", "aws:cdk:version-reporting": false}}`,
	})
	context, err := Direct(dir)
	require.NoError(t, err)
	assert.Equal(t, "answer", context["vpc-provider:lookup"], "a lookup answer the CLI would pass")
	assert.Equal(t, "from cdk.json", context["flag"], "cdk.json wins over cdk.context.json")
	assert.Equal(t, true, context["aws:cdk:version-reporting"], "what the CLI sets wins")
	assert.Equal(t, []any{"**"}, context["aws:cdk:bundling-stacks"])
}

func TestDirectWithoutCdkContextJsonReadsCdkJsonAlone(t *testing.T) {
	t.Setenv("CDK_CONTEXT_JSON", "")
	context, err := Direct(project(t, map[string]string{"cdk.json": `{"context": {"flag": true}}`}))
	require.NoError(t, err)
	assert.Equal(t, true, context["flag"])
}

func TestDirectLeavesTheContextToTheCliWhenTheCliRunsTheApp(t *testing.T) {
	t.Setenv("CDK_CONTEXT_JSON", `{"flag": true}`)
	context, err := Direct(t.TempDir())
	require.NoError(t, err, "no cdk.json needed: the CLI has read it")
	assert.Nil(t, context)
}

func TestDirectNamesTheFileItCannotRead(t *testing.T) {
	t.Setenv("CDK_CONTEXT_JSON", "")
	for name, files := range map[string]map[string]string{
		"cdk.json not found": {},
		"cdk.json:":          {"cdk.json": `{"context": `},
		"cdk.context.json:":  {"cdk.json": `{}`, "cdk.context.json": `[`},
	} {
		_, err := Direct(project(t, files))
		assert.ErrorContains(t, err, name)
	}
}
