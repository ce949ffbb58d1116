package test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// TestCdkNagFindsNoUnsuppressedErrorsOrWarnings runs both packs the app applies: AwsSolutions
// and NIST 800-53 rev 5. It reads each stack's messages from the synthesised assembly once.
func TestCdkNagFindsNoUnsuppressedErrorsOrWarnings(t *testing.T) {
	pack := regexp.MustCompile(`^(AwsSolutions|NIST\.800\.53\.R5)-`)
	for _, sc := range []*scenario{defaultScenario, exampleScenario, natScenario, natSingle, flowLogsToS3, lookupScenario, natWithoutWsus, wsusHTTPS, richPatching,
		promoteRings, existingVpc, existingVpcHub, existingVpcManaged, existingVpcLookup} {
		t.Run(sc.name, func(t *testing.T) {
			require.False(t, sc.withoutNag, "a scenario this test checks is built with the nag packs")
			s := sc.synth(t)
			for _, id := range []string{"Network", "Fleet", "Patching"} {
				var found []string
				for _, m := range s.messages(t, id) {
					if pack.MatchString(m.text) {
						found = append(found, fmt.Sprintf("%s: %s", m.path, m.text))
					}
				}
				assert.Empty(t, found, s.stackName(id))
			}
		})
	}
}

// message is an error or warning the synthesis left on a construct.
type message struct{ path, text string }

// messages are the errors and warnings of a stack of the scenario's assembly (construct id
// Network, Fleet or Patching), as the CDK CLI reads them: the aws:cdk:error and aws:cdk:warning
// entries of the stack's metadata, inline in the manifest and in its metadata file (cxapi's
// readMetadata merges both; aws-cdk-lib 2.270 writes only the file), by construct path.
func (s *scenario) messages(t *testing.T, id string) []message {
	t.Helper()
	stack := s.stacks[id]
	metadata := map[string][]cfnupdate.MetadataEntry{}
	for path, entries := range stack.Metadata {
		metadata[path] = append(metadata[path], entries...)
	}
	if stack.MetadataFile != "" {
		data, err := os.ReadFile(stack.MetadataFile)
		require.NoError(t, err)
		var inFile map[string][]cfnupdate.MetadataEntry
		require.NoError(t, json.Unmarshal(data, &inFile))
		for path, entries := range inFile {
			metadata[path] = append(metadata[path], entries...)
		}
	}
	require.NotEmpty(t, metadata, "stack %s has metadata (each resource's logical id at least)", id)
	var found []message
	for path, entries := range metadata {
		for _, e := range entries {
			if e.Type == "aws:cdk:error" || e.Type == "aws:cdk:warning" {
				found = append(found, message{path, fmt.Sprint(e.Data)})
			}
		}
	}
	return found
}

// The tests read a stack's errors and warnings as the CDK CLI does: the same as the cloud
// assembly API's (cxapi) messages of the stack, on a scenario that has a warning.
func TestStackMessagesAreReadAsTheCloudAssemblyApiReadsThem(t *testing.T) {
	s := lookupMissingScenario.synth(t)
	assembly := cxapi.NewCloudAssembly(jsii.String(s.dir), nil)
	for _, id := range []string{"Network", "Fleet", "Patching"} {
		var want []message
		for _, m := range *assembly.GetStackArtifact(jsii.String(id)).Messages() {
			if m.Level == cxapi.SynthesisMessageLevel_ERROR || m.Level == cxapi.SynthesisMessageLevel_WARNING {
				want = append(want, message{*m.Id, fmt.Sprint(m.Entry.Data)})
			}
		}
		if id == "Network" {
			require.NotEmpty(t, want, "the pending lookup's warning")
		}
		assert.ElementsMatch(t, want, s.messages(t, id), id)
	}
}

func TestCdkNagSuppressionsCarryTheirReason(t *testing.T) {
	s := exampleScenario.synth(t)
	resources := map[string]any{}
	for _, template := range []map[string]any{s.template, s.fleetJSON, s.patchJSON} {
		for id, r := range template["Resources"].(map[string]any) {
			resources[id] = r
		}
	}
	for id, r := range resources {
		metadata, _ := r.(map[string]any)["Metadata"].(map[string]any)
		nag, _ := metadata["cdk_nag"].(map[string]any)
		rules, _ := nag["rules_to_suppress"].([]any)
		for _, rule := range rules {
			reason, _ := rule.(map[string]any)["reason"].(string)
			assert.Greater(t, len(reason), 40, "%s suppresses %v without a real reason", id, rule)
		}
	}
	// The NACLs and each of their entries carry the VPC3 suppression, whose reason names the WSUS
	// ports only where the ACLs carry them.
	entries := s.resources("AWS::EC2::NetworkAclEntry")
	for id, e := range entries {
		assert.Contains(t, fmt.Sprint(e["Metadata"]), "AwsSolutions-VPC3", id)
		assert.Contains(t, fmt.Sprint(e["Metadata"]), "the WSUS server only on 8530/8531", id)
	}
	for id, e := range natWithoutWsus.synth(t).resources("AWS::EC2::NetworkAclEntry") {
		assert.Contains(t, fmt.Sprint(e["Metadata"]), "AwsSolutions-VPC3", id)
		assert.NotContains(t, fmt.Sprint(e["Metadata"]), "WSUS", "%s: no WSUS server, no WSUS port in the ACLs", id)
	}
}
