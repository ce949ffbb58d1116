package authz

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plantedAssociation is an association writing its output under prefix into the example's
// command-output bucket, on the targets given.
func plantedAssociation(prefix string, targets ...any) map[string]any {
	return map[string]any{"Type": "AWS::SSM::Association", "Properties": map[string]any{
		"Name": "AWS-RunPowerShellScript", "Targets": targets,
		"OutputLocation": map[string]any{"S3Location": map[string]any{
			"OutputS3BucketName": map[string]any{"Ref": "CommandOutputBucket0DD4DD73"}, "OutputS3KeyPrefix": prefix}},
	}}
}

func target(key string, values ...any) map[string]any {
	return map[string]any{"Key": key, "Values": values}
}

// newOutputPrefix is a copy of the example with an association writing under a prefix no role
// may write (audit/) on the fleet tag, for results' run.
func newOutputPrefix(t *testing.T) Deployment {
	newPrefix := exampleDeployment(t, "new-output-prefix")
	resources := newPrefix.Stacks["privatepatch-fleet"]["Resources"].(map[string]any)
	resources["PlantedAuditAssociation"] = plantedAssociation("audit/", target("tag:privatepatch:fleet", "privatepatch"))
	return newPrefix
}

// noCleanupAssociation is a copy of the example without the WSUS cleanup association, so that
// nothing writes wsus-cleanup/ any more, for proofOf's run.
func noCleanupAssociation(t *testing.T, example func(string) Deployment) Deployment {
	noCleanup := example("no-cleanup-association")
	resources := noCleanup.Stacks["privatepatch-fleet"]["Resources"].(map[string]any)
	require.Contains(t, resources, "WsusCleanupAssociation398E721C")
	delete(resources, "WsusCleanupAssociation398E721C")
	return noCleanup
}

// wrongRows are the callers and resources of the deployment's rows that got the wrong verdict.
func wrongRows(rows []Result) []string {
	var wrong []string
	for _, r := range rows {
		if !r.OK() {
			wrong = append(wrong, r.Caller+" "+r.Action+" "+r.Resource)
		}
	}
	return wrong
}

// Planted: an association with a new output prefix on the fleet tag makes the fleet's and the
// hybrid nodes' writes there needed rows, which their roles cannot make: the proof fails on them.
// An instance of yours (its own profile) may write there through the endpoint.
func TestANewAssociationsOutputPrefixIsANeededRowOfEveryNodeItTargets(t *testing.T) {
	wrong := strings.Join(wrongRows(results(t)["new-output-prefix"]), "\n")
	assert.Contains(t, wrong, "fleet instance (FleetRole), output of association PlantedAuditAssociation s3:PutObject arn:aws:s3:::privatepatch-ssm-111111111111-us-west-2/audit/")
	assert.Contains(t, wrong, "hybrid node (SecurityHybridRole), output of association PlantedAuditAssociation s3:PutObject arn:aws:s3:::privatepatch-ssm-111111111111-us-west-2/audit/")
	assert.NotContains(t, wrong, "WSUS server", "the WSUS server does not carry the fleet tag")
	assert.NotContains(t, wrong, "an instance of yours")
	assert.Len(t, wrongRows(proofOf(t).Results["example"]), 0)
}

// Planted: no prefix is listed by hand. Without the WSUS cleanup association the WSUS server no
// longer writes wsus-cleanup/, so its role's grant there is excess, which the mutation test names.
func TestAPrefixNoAssociationWritesIsNoLongerNeeded(t *testing.T) {
	for _, r := range proofOf(t).Results["no-cleanup-association"] {
		assert.NotContains(t, r.Resource, "/wsus-cleanup/"+"0123abcd", "no row writes wsus-cleanup/: %s", r.Caller)
	}
	assert.Empty(t, wrongRows(proofOf(t).Results["no-cleanup-association"]))
	var unjustified []string
	for _, m := range Unjustified(proofOf(t).Mutations["no-cleanup-association"]) {
		unjustified = append(unjustified, m.Mutation.String())
	}
	assert.Equal(t, []string{"privatepatch-fleet/WsusRoleDefaultPolicyEFC92C90/PolicyDocument: remove resource " +
		"arn:aws:s3:::privatepatch-ssm-111111111111-us-west-2/wsus-cleanup/* from the Allow statement #3"}, unjustified)
}

// writesOfExample returns the output prefixes each kind of node writes in a copy of the example
// changed by plant, by caller.
func writesOfExample(t *testing.T, plant func(resources map[string]any)) map[string][]string {
	stacks := golden(t, "example")
	plant(stacks["privatepatch-fleet"]["Resources"].(map[string]any))
	m := model{resolver{env: env, stacks: stacks}}
	out := map[string][]string{}
	for _, ir := range instanceRoles(m) {
		for _, w := range ir.writes {
			out[ir.caller] = append(out[ir.caller], w.prefix+" "+w.note)
		}
	}
	return out
}

// The targets each output is matched by: an instance id of the templates (the WSUS server's), a
// resource group of EC2 instances (no hybrid node), an id the templates do not create (an instance
// of yours, said so), a resource group they do not create (an instance of yours, said so), and
// the prefix as the templates write it.
func TestOutputTargetsAreResolvedToTheNodesTheTemplatesSayOrSaySoInTheRow(t *testing.T) {
	writes := writesOfExample(t, func(resources map[string]any) {
		resources["ByWsusId"] = plantedAssociation("by-id", target("InstanceIds", map[string]any{"Ref": "WsusInstance902E8651"}))
		resources["ByEc2Group"] = plantedAssociation("by-group/", target("resource-groups:Name", "privatepatch-wsus-clients"))
		resources["ByOtherId"] = plantedAssociation("by-other-id/", target("InstanceIds", "i-0aaaaaaaaaaaaaaaa"))
		resources["ByOtherGroup"] = plantedAssociation("by-other-group/", target("resource-groups:Name", "not-ours"))
		resources["ByHybridId"] = plantedAssociation("by-mi/", target("InstanceIds", "mi-0aaaaaaaaaaaaaaaa"))
	})
	fleet, wsus := writes["fleet instance (FleetRole)"], writes["WSUS server (WsusRole)"]
	hybrid, yours := writes["hybrid node (SecurityHybridRole)"], writes["an instance of yours in the private subnets (its own instance profile)"]
	assert.Contains(t, wsus, "by-id/ ")
	assert.NotContains(t, fleet, "by-id/ ")
	assert.Contains(t, fleet, "by-group/ ")
	assert.NotContains(t, hybrid, "by-group/ ", "an EC2-only resource group holds no hybrid node")
	assert.Contains(t, yours, "by-other-id/ the target names i-0aaaaaaaaaaaaaaaa, which the templates do not create: taken as an instance of yours")
	assert.Contains(t, yours, "by-other-group/ the resource group [not-ours] is not the templates': taken as holding an instance of yours")
	assert.Contains(t, hybrid, "by-mi/ the target names mi-0aaaaaaaaaaaaaaaa, a hybrid node")
	for _, node := range [][]string{fleet, wsus, hybrid} {
		assert.NotContains(t, strings.Join(node, ","), "by-other", "not guessed for a role of the templates")
	}
	assert.NotContains(t, strings.Join(yours, ","), "by-id/", "the WSUS server's id is not an instance of yours")
}
