package s3drift

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/config"
)

// defaultTemplate is the golden network template of the embedded default configuration.
func defaultTemplate(t *testing.T) map[string]any {
	data, err := os.ReadFile("../../test/testdata/default.network.template.json")
	require.NoError(t, err)
	var template map[string]any
	require.NoError(t, json.Unmarshal(data, &template))
	return template
}

func live(t *testing.T, idFile, entriesFile string) Live {
	id, err := os.ReadFile(filepath.Join("testdata", idFile))
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join("testdata", entriesFile))
	require.NoError(t, err)
	cidrs, err := ParseEntries(data)
	require.NoError(t, err)
	parsed, err := ParseId(id)
	require.NoError(t, err)
	return Live{Id: parsed, Cidrs: cidrs}
}

func TestTemplateYieldsTheSecurityGroupsPrefixListAndTheAclsS3Cidrs(t *testing.T) {
	cfg, err := config.LoadFile("../../test/testdata/fixtures/default.yaml")
	require.NoError(t, err)
	template := defaultTemplate(t)
	require.True(t, IsNetworkStack(template))
	s, err := FromTemplate(template)
	require.NoError(t, err)
	assert.Equal(t, []string{cfg.S3PrefixListId()}, s.PrefixListIds)
	assert.ElementsMatch(t, cfg.S3Cidrs(), s.AclCidrs)
}

func TestInSyncPrefixListPasses(t *testing.T) {
	s, err := FromTemplate(defaultTemplate(t))
	require.NoError(t, err)
	assert.Empty(t, Compare("privatepatch-network", "us-west-2", s, live(t, "id-us-west-2.json", "entries-in-sync.json")))
}

func TestDriftedCidrsAreRefusedNamingEachRangeAndTheFix(t *testing.T) {
	s, err := FromTemplate(defaultTemplate(t))
	require.NoError(t, err)
	problems := Compare("privatepatch-network", "us-west-2", s, live(t, "id-us-west-2.json", "entries-drifted.json"))
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "privatepatch-network (us-west-2): the private network ACL's S3 rules "+
		"lack 198.51.100.0/24, which pl-68a54001 now lists (the ACLs drop traffic to them) and still allow 52.92.128.0/17, which pl-68a54001 no longer lists")
	assert.Contains(t, problems[0], "Set network.s3PrefixListCidrs.us-west-2: [18.34.244.0/22, 18.34.48.0/20, 198.51.100.0/24, 3.5.76.0/22, 3.5.80.0/21, 52.218.128.0/17]")
	assert.Contains(t, problems[0], "npx cdk context --reset KEY")
	assert.Contains(t, problems[0], "exactIdentifier=pl-68a54001")
}

func TestAnotherPrefixListIdIsRefusedNamingTheOneToSet(t *testing.T) {
	s, err := FromTemplate(defaultTemplate(t))
	require.NoError(t, err)
	problems := Compare("privatepatch-network", "us-west-2", s, live(t, "id-other.json", "entries-in-sync.json"))
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "the security groups reference prefix list(s) pl-68a54001, but com.amazonaws.us-west-2.s3 is pl-0123456789abcdef0 in this account")
	assert.Contains(t, problems[0], "Set network.s3PrefixListIds.us-west-2: pl-0123456789abcdef0")
}

func TestMissingPrefixListIsRefused(t *testing.T) {
	s, err := FromTemplate(defaultTemplate(t))
	require.NoError(t, err)
	none := live(t, "id-none.json", "entries-in-sync.json")
	problems := Compare("privatepatch-network", "us-west-2", s, Live{Id: none.Id})
	require.Len(t, problems, 1)
	assert.Contains(t, problems[0], "AWS returns no prefix list named com.amazonaws.us-west-2.s3")
}

func TestEntriesThatAreNotTheCommandsOutputAreAnError(t *testing.T) {
	for _, data := range []string{`not json`, `{"PrefixLists": []}`} {
		_, err := ParseEntries([]byte(data))
		assert.ErrorContains(t, err, "not the JSON of get-managed-prefix-list-entries", data)
	}
}

func TestAnExistingVpcWithItsAclsLeftAloneComparesOnlyThePrefixListId(t *testing.T) {
	data, err := os.ReadFile("../../test/testdata/existing-vpc.network.template.json")
	require.NoError(t, err)
	var template map[string]any
	require.NoError(t, json.Unmarshal(data, &template))
	require.True(t, IsNetworkStack(template), "make check-update still checks its prefix-list id")
	fleet, err := os.ReadFile("../../test/testdata/existing-vpc-hub.fleet.template.json")
	require.NoError(t, err)
	var fleetTemplate map[string]any
	require.NoError(t, json.Unmarshal(fleet, &fleetTemplate))
	assert.False(t, IsNetworkStack(fleetTemplate), "planted: the fleet stack is not one")
	s, err := FromTemplate(template)
	require.NoError(t, err, "no ACLs, no subnets: nothing carries the CIDRs")
	assert.True(t, s.NoAcls)
	assert.Equal(t, []string{"pl-68a54001"}, s.PrefixListIds)
	assert.Empty(t, Compare("privatepatch-network", "us-west-2", s, live(t, "id-us-west-2.json", "entries-drifted.json")),
		"drifted CIDRs are nobody's: no ACL carries them")
	// Planted: another prefix-list id is still refused.
	assert.Len(t, Compare("privatepatch-network", "us-west-2", s, live(t, "id-other.json", "entries-in-sync.json")), 1)
}

// The text form a page at a time (None for the empty first page, then the id) and other answers
// that are not the command's JSON are errors, never an id.
func TestAnIdThatIsNotTheCommandsJsonIsAnError(t *testing.T) {
	for _, answer := range []string{"None\npl-68a54001\n", "pl-68a54001\n", `["pl-68a54001"]`, `"None"`, ""} {
		_, err := ParseId([]byte(answer))
		assert.Error(t, err, "%q", answer)
	}
	id, err := ParseId([]byte("\"pl-68a54001\"\n"))
	require.NoError(t, err)
	assert.Equal(t, "pl-68a54001", id)
	id, err = ParseId([]byte("null\n"))
	require.NoError(t, err)
	assert.Empty(t, id, "no list of that name")
}
