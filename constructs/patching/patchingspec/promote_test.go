package patchingspec

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/privatepatch/privatepatch/test/python"
)

var updatePromote = flag.Bool("update", false, "rewrite testdata/promote/*.golden from the script's output")

// python3 is required, not optional: CI has it (Python 3.11, as the runbook's runtime), and a
// skipped test here would leave the promotion script untested without anyone noticing.
const pythonNeededBy = "the promotion script (patchingspec/promote.py) is tested by running it on recorded " +
	"DescribeInstancePatches pages; install Python 3.11 (the aws:executeScript runtime, " + PromoteRuntime + ")"

// runPromote runs script on fixture through the harness (fake boto3 clients answering with the
// recorded pages) and returns what it wrote, returned and called.
func runPromote(t *testing.T, script, fixture string) (string, error) {
	return runHarness(t, "promote", script, fixture)
}

// runHarness runs script (a copy, so mutations can be planted) with testdata/<dir>/harness.py.
func runHarness(t *testing.T, dir, script, fixture string) (string, error) {
	t.Helper()
	scriptPath := filepath.Join(t.TempDir(), dir+".py")
	require.NoError(t, os.WriteFile(scriptPath, []byte(script), 0o600))
	r := python.Run(t, pythonNeededBy, filepath.Join("testdata", dir, "harness.py"), []string{scriptPath, fixture})
	if r.Code != 0 {
		return r.Stdout + r.Stderr, fmt.Errorf("%s exited %d", dir, r.Code)
	}
	return r.Stdout, nil
}

var promoteFixtures = []struct{ name, proves string }{
	{"rings", "several operating systems and products, several pages of nodes and of patches, a patch installed before the run, a failed node, a patch pending a reboot"},
	{"nothing-installed", "a ring whose nodes installed nothing in the run: no list for the next ring"},
	{"no-nodes", "an empty ring: no list for the next ring"},
	{"windows-days", "the rings' recording with Windows InstalledTime as AWS's example output gives it, the day at 00:00 UTC: the same lists, and a node east of UTC giving the day after the run's, one west of it the day before"},
}

func TestPromotionScriptWritesByteStableListsFromRecordedPages(t *testing.T) {
	for _, f := range promoteFixtures {
		t.Run(f.name, func(t *testing.T) {
			fixture := filepath.Join("testdata", "promote", f.name+".json")
			golden := filepath.Join("testdata", "promote", f.name+".golden")
			got, err := runPromote(t, PromoteScript, fixture)
			require.NoError(t, err, got)
			again, err := runPromote(t, PromoteScript, fixture)
			require.NoError(t, err, again)
			assert.Equal(t, got, again, "the same pages must give the same bytes")
			if *updatePromote {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), got, "%s (%s): go test ./constructs/patching/patchingspec -run Promotion -update, and review", f.name, f.proves)
		})
	}
}

var putObject = regexp.MustCompile(`(?m)^== put s3://[^/]+/(\S+) \(application/yaml\)\n((?:[^=].*\n)*)`)

// The lists are the format "SSM Command document for patching: AWS-RunPatchBaseline" documents:
// a patches list of id and optional title, nothing else; Windows ids are KB numbers.
func TestPromotionListsAreTheDocumentedInstallOverrideListFormat(t *testing.T) {
	got, err := runPromote(t, PromoteScript, filepath.Join("testdata", "promote", "rings.json"))
	require.NoError(t, err, got)
	lists := putObject.FindAllStringSubmatch(got, -1)
	require.Len(t, lists, 4, got)
	var next []string
	for _, l := range lists {
		key, body := l[1], l[2]
		var doc map[string][]map[string]string
		require.NoError(t, yaml.Unmarshal([]byte(body), &doc), key)
		require.Equal(t, []string{"patches"}, mapsKeys(doc), key)
		for _, p := range doc["patches"] {
			for field := range p {
				assert.Contains(t, []string{"id", "title"}, field, key)
			}
			assert.NotEmpty(t, p["id"], key)
			if strings.Contains(key, "/windows/") || strings.HasSuffix(key, PromoteListName) {
				assert.Regexp(t, `^KB[0-9]+$`, p["id"], key)
			}
		}
		if key == PromoteListKey("windows-dev") {
			for _, p := range doc["patches"] {
				next = append(next, p["id"])
			}
		}
	}
	// Installed in the run on some node, failed on none (KB5033371 waits for a reboot: an Install
	// with NoReboot leaves it InstalledPendingReboot); KB5031364 was installed a week before.
	assert.Equal(t, []string{"KB5032005", "KB5032196", "KB5032198", "KB5033371", "KB890830"}, next)
	assert.Contains(t, got, "not promoted: KB5033118 failed on i-0ccccccccccccccc3")
}

func mapsKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Planted failures: each mutation of the script breaks a rule the goldens hold it to.
func TestPromotionScriptMutationsAreCaught(t *testing.T) {
	for _, m := range []struct{ name, from, to, fixture string }{
		{"first page only", "        if not token:\n", "        if True:\n", "rings"},
		{"no install-time window", `_installed_in_run(_time(p["InstalledTime"]), started, finished, product[0])`, "True", "rings"},
		{"Windows days taken as times", `if platform == "Windows":`, "if False:", "windows-days"},
		{"no day after the run's", "<= (finished.astimezone(utc).date() + day)", "<= finished.astimezone(utc).date()", "windows-days"},
		{"no day before the run's", "(started.astimezone(utc).date() - day) <=", "started.astimezone(utc).date() <=", "windows-days"},
		{"failed patches promoted", "if pid not in failed:\n", "if True:\n", "rings"},
		{"unsorted ids", "for pid in sorted(patches):", "for pid in patches:", "rings"},
		{"wrong state filter", `INSTALLED_STATES = ("Installed", "InstalledPendingReboot")`, `INSTALLED_STATES = ("InstalledOther", "InstalledPendingReboot")`, "rings"},
		{"pending reboot left out", `INSTALLED_STATES = ("Installed", "InstalledPendingReboot")`, `INSTALLED_STATES = ("Installed",)`, "rings"},
	} {
		t.Run(m.name, func(t *testing.T) {
			fixture := filepath.Join("testdata", "promote", m.fixture+".json")
			want, err := os.ReadFile(filepath.Join("testdata", "promote", m.fixture+".golden"))
			require.NoError(t, err)
			require.Contains(t, PromoteScript, m.from, "the mutation no longer applies: update it")
			got, _ := runPromote(t, strings.Replace(PromoteScript, m.from, m.to, 1), fixture)
			assert.NotEqual(t, string(want), got, "the golden did not notice: %s", m.name)
		})
	}
}

func TestPromotionNamesAreTheScriptsAndAValidOverrideFileName(t *testing.T) {
	assert.Contains(t, PromoteScript, `NEXT_LIST = "`+PromoteListName+`"`)
	assert.Contains(t, PromoteScript, "def "+PromoteHandler+"(events, context):")
	assert.Equal(t, "s3://b/promote/windows-dev/install-override-list.yaml", PromoteListURL("b", "windows-dev"))
	// "The InstallOverrideList file name can't contain ... backtick, single quote, double quote,
	// and dollar sign" (AWS-RunPatchBaseline page).
	assert.NotRegexp(t, "[`'\"$]", PromoteListKey("windows-dev"))
}

var startStopFixtures = []struct{ name, proves string }{
	{"start", "two pages of stopped targets, one with a scheduler tag: tagged first, the schedule suspended, then started"},
	{"stop", "exactly the instances this execution started are stopped, the schedule restored, the marks removed"},
	{"nothing-stopped", "instance-id targets, none stopped: nothing is tagged or started"},
	{"start-wait", "the wait for the started nodes reads every DescribeInstanceInformation page (10 nodes a page by default): both Online on two pages end the wait at once"},
}

func TestStartStopScriptStartsAndStopsExactlyTheStoppedTargets(t *testing.T) {
	for _, f := range startStopFixtures {
		t.Run(f.name, func(t *testing.T) {
			fixture := filepath.Join("testdata", "startstop", f.name+".json")
			golden := filepath.Join("testdata", "startstop", f.name+".golden")
			got, err := runHarness(t, "startstop", StartStopScript, fixture)
			require.NoError(t, err, got)
			if *updatePromote {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), got, "%s (%s)", f.name, f.proves)
		})
	}
	assert.Contains(t, StartStopScript, `STARTED = "`+StartedTag+`"`)
	assert.Contains(t, StartStopScript, `SUSPENDED = "`+SuspendedScheduleTag+`"`)
	assert.Contains(t, StartStopScript, fmt.Sprintf("INFORMATION_FILTER_VALUES = %d\n", InformationFilterValues))
	// Planted: stopping every instance any window started, never starting, one page only (of
	// instances, and of node information).
	for _, m := range []struct{ name, from, to string }{
		{"stop any started", `{"Name": "tag:" + STARTED, "Values": [events["WindowExecutionId"]]}`, `{"Name": "tag-key", "Values": [STARTED]}`},
		{"never starting", "    ec2.start_instances(InstanceIds=ids)\n", ""},
		{"first page only", "        if not token:\n", "        if True:\n"},
		{"first information page only", "            if not token:\n                break\n", "            break\n"},
	} {
		t.Run(m.name, func(t *testing.T) {
			require.Contains(t, StartStopScript, m.from)
			for _, f := range []string{"start", "stop", "start-wait"} {
				want, err := os.ReadFile(filepath.Join("testdata", "startstop", f+".golden"))
				require.NoError(t, err)
				got, _ := runHarness(t, "startstop", strings.Replace(StartStopScript, m.from, m.to, 1), filepath.Join("testdata", "startstop", f+".json"))
				if got != string(want) {
					return
				}
			}
			t.Errorf("the goldens did not notice: %s", m.name)
		})
	}
}

// A ring of thousands of nodes, an update failing on every one: the step's output stays within
// what aws:executeScript returns ("Up to 100KB", its Payload), the patches not promoted first,
// each naming ten nodes and a count, the report cut with a count of the rest.
func TestPromotionOutputOfALargeRingFitsTheStepsPayload(t *testing.T) {
	var pages []map[string]any
	const nodes, perPage = 2000, 50
	failing := map[string]any{}
	for start := 0; start < nodes; start += perPage {
		var list []map[string]any
		for i := start; i < start+perPage; i++ {
			id := fmt.Sprintf("i-%017x", i)
			list = append(list, map[string]any{"InstanceId": id, "PlatformType": "Windows", "PlatformName": "Microsoft Windows Server 2022 Datacenter"})
			failing[id] = map[string]any{"Failed": []any{map[string]any{"Patches": []any{map[string]any{"KBId": "KB5033118", "State": "Failed", "Title": "2023-12 Cumulative Update"}}}}}
		}
		page := map[string]any{"InstanceInformationList": list}
		if start+perPage < nodes {
			page["NextToken"] = fmt.Sprintf("page-%d", start+perPage)
		}
		pages = append(pages, page)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "promote", "no-nodes.json"))
	require.NoError(t, err)
	var fixture map[string]any
	require.NoError(t, json.Unmarshal(data, &fixture))
	fixture["DescribeInstanceInformation"] = pages
	fixture["DescribeInstancePatches"] = failing
	path := filepath.Join(t.TempDir(), "large.json")
	data, err = json.Marshal(fixture)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	got, err := runPromote(t, PromoteScript, path)
	require.NoError(t, err, got)
	returned := got[strings.Index(got, "== returned\n")+len("== returned\n") : strings.Index(got, "== calls\n")]
	var result struct {
		Report []string
		Nodes  int
	}
	require.NoError(t, json.Unmarshal([]byte(returned), &result))
	assert.Equal(t, nodes, result.Nodes)
	require.NotEmpty(t, result.Report)
	assert.Equal(t, "not promoted: KB5033118 failed on i-00000000000000000, i-00000000000000001, i-00000000000000002, i-00000000000000003, "+
		"i-00000000000000004, i-00000000000000005, i-00000000000000006, i-00000000000000007, i-00000000000000008, i-00000000000000009 and 1990 more", result.Report[0])
	assert.Regexp(t, `^\.\.\. and [0-9]+ more lines$`, result.Report[len(result.Report)-1])
	payload, err := json.Marshal(json.RawMessage(returned))
	require.NoError(t, err)
	assert.Less(t, len(payload), 100*1024, "within aws:executeScript's 100 KB output")
}
