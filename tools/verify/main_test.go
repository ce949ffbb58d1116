package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/authz"
	"github.com/privatepatch/privatepatch/cfnupdate"
)

// goldenDefault reads the default configuration's golden templates, which fail only controls
// privatepatch does not adopt.
func goldenDefault(t *testing.T) cfnupdate.Deployment {
	templates := cfnupdate.Deployment{}
	for _, stack := range []string{"network", "fleet", "patching"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "test", "testdata", "default."+stack+".template.json"))
		require.NoError(t, err)
		var template map[string]any
		require.NoError(t, json.Unmarshal(data, &template))
		templates[stack] = template
	}
	return templates
}

func TestControlTowerReportsNotAdoptedControlsWithoutFailing(t *testing.T) {
	var out bytes.Buffer
	problems, err := controlTower(&out, filepath.Join("..", ".."), goldenDefault(t))
	require.NoError(t, err)
	assert.Zero(t, problems, out.String())
	assert.Contains(t, out.String(), "fleet: not adopted (docs/compliance.md says why): ct-s3-pr-10, ct-s3-pr-2, ct-s3-pr-4, ct-s3-pr-9")
	assert.NotContains(t, out.String(), "WRONG")
}

// A planted failure: a bucket without public access block, encryption or versioning fails
// adopted controls, so make verify must exit 1.
func TestControlTowerFailsOnAControlThatIsAdopted(t *testing.T) {
	templates := goldenDefault(t)
	templates["planted"] = map[string]any{"Resources": map[string]any{"Bucket": map[string]any{"Type": "AWS::S3::Bucket"}}}
	var out bytes.Buffer
	problems, err := controlTower(&out, filepath.Join("..", ".."), templates)
	require.NoError(t, err)
	assert.Positive(t, problems)
	assert.Regexp(t, `planted: FAILING .*ct-s3-pr-1.*<-- WRONG`, out.String())
	assert.Contains(t, out.String(), "fleet: every adopted control passes")
}

func TestControlTowerWithoutCfnGuardIsAnErrorNotASkip(t *testing.T) {
	_, err := controlTower(&bytes.Buffer{}, t.TempDir(), goldenDefault(t))
	assert.ErrorContains(t, err, "make setup")
}

// The mutation summary counts the statements each needed by a row, names the accepted ones with
// their reason, and fails on an unjustified one (planted).
func TestMutationSummaryFailsOnAStatementNothingNeeds(t *testing.T) {
	needed := authz.MutationResult{Mutation: authz.Mutation{Origin: "s/Policy/PolicyDocument", Sid: "Needed", Effect: "Allow", Kind: "statement"},
		Caught: []authz.Result{{}}}
	accepted := authz.MutationResult{Mutation: authz.Mutation{Origin: "s/RoleDefaultPolicy/PolicyDocument", Effect: "Allow", Kind: "action", Element: "kms:Decrypt"}}
	var out bytes.Buffer
	assert.Zero(t, mutationSummary(&out, "d", []authz.MutationResult{needed, accepted}))
	assert.Contains(t, out.String(), "1 statements and 0 of their actions, resources and conditions, each needed by a row; 1 accepted, 0 unjustified")
	assert.Contains(t, out.String(), "accepted: s/RoleDefaultPolicy/PolicyDocument: remove action kms:Decrypt from the Allow statement #1\n    (unproven: S3 asks for kms:Decrypt")

	planted := authz.MutationResult{Mutation: authz.Mutation{Origin: "s/Policy/PolicyDocument", Sid: "Planted", Effect: "Allow", Kind: "statement"}}
	out.Reset()
	assert.Equal(t, 1, mutationSummary(&out, "d", []authz.MutationResult{needed, planted}))
	assert.Contains(t, out.String(), "UNJUSTIFIED: s/Policy/PolicyDocument: remove the Allow statement Planted: no row needs it")
	assert.Contains(t, out.String(), "<-- WRONG")
}
