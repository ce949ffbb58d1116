package wiring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Held-out run 30's B19: the WSUS client association pinned to version "1" of its document.
// Every golden passes first.
func TestAssociationPinnedToAVersionOfItsOwnDocumentIsNamed(t *testing.T) {
	for _, scenario := range []string{"default", "example", "rich-patching", "existing-vpc-hub"} {
		fleet := read(t, "../../test/testdata/"+scenario+".fleet.template.json")
		assert.Empty(t, DocumentVersions(fleet), scenario)
	}
	assert.Empty(t, DocumentVersions(read(t, "../../test/testdata/example.patching.template.json")))
	fleet := read(t, "../../test/testdata/default.fleet.template.json")
	var pinned string
	for id, r := range fleet["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == "AWS::SSM::Association" && props(fleet, id)["DocumentVersion"] == "$LATEST" {
			pinned = id
			break
		}
	}
	require.NotEmpty(t, pinned)
	props(fleet, pinned)["DocumentVersion"] = "1"
	problems := DocumentVersions(fleet)
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "association "+pinned+": runs version 1 of the stack's document ")
	assert.Contains(t, problems[0], "(UpdateMethod NewVersion), not its newest: later changes of the document never run")
}
