package wsusspec

import (
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// matching lists the numbers from..to that pattern accepts.
func matching(t *testing.T, pattern string, from, to int) []int {
	re := regexp.MustCompile(pattern)
	var got []int
	for n := from; n <= to; n++ {
		if re.MatchString(strconv.Itoa(n)) {
			got = append(got, n)
		}
	}
	return got
}

func TestDocumentPatternsAcceptExactlyWhatTheRulesAllow(t *testing.T) {
	parameters := map[string]DocumentParameter{}
	for _, p := range append(SetupParameters(), ClientParameters()...) {
		parameters[p.Name] = p
	}
	assert.Equal(t, []int{HTTPPort, HTTPSPort}, matching(t, parameters["Port"].AllowedPattern, 0, 65535))
	var syncs []int
	for n := 1; n <= MaxSyncsPerDay; n++ {
		syncs = append(syncs, n)
	}
	assert.Equal(t, syncs, matching(t, parameters["SyncsPerDay"].AllowedPattern, -100, 1000))
	var options []int
	for _, o := range auOptions {
		options = append(options, o.value)
	}
	assert.Equal(t, options, matching(t, parameters["AUOptions"].AllowedPattern, -100, 100))
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7}, matching(t, parameters["ScheduledInstallDay"].AllowedPattern, -100, 100))
	url := regexp.MustCompile(parameters["WsusUrl"].AllowedPattern)
	assert.True(t, url.MatchString("http://10.0.0.10:8530") && url.MatchString("https://ip-10-0-0-10.us-west-2.compute.internal:8531"))
	assert.False(t, url.MatchString("http://10.0.0.10:8532"), "a port WSUS does not serve on")
	assert.False(t, url.MatchString("http://10.0.0.10:8531") || url.MatchString("https://10.0.0.10:8530"), "a scheme on the other's port")
	languages := regexp.MustCompile(parameters["Languages"].AllowedPattern)
	assert.True(t, languages.MatchString("en") && languages.MatchString("en;ja;zh-tw;pt-br"))
	assert.False(t, languages.MatchString("zh-TW") || languages.MatchString("EN") || languages.MatchString("en;") || languages.MatchString("en,ja"),
		"WSUS takes lower-case codes only")
}

func TestDocumentDefaultsAreTheSettingsDefaultsAndPassTheirPatterns(t *testing.T) {
	want := map[string]string{"Languages": "en", "Classifications": "Critical Updates;Security Updates", "Port": "8530",
		"SyncTimeUtc": "21:00", "SyncsPerDay": "1", "AUOptions": "3", "ScheduledInstallDay": "0", "NoAutoUpdate": "0",
		"AcceptTrustedPublisherCerts": "0"}
	for _, p := range append(SetupParameters(), ClientParameters()...) {
		if value, ok := want[p.Name]; ok {
			assert.Equal(t, value, p.Default, p.Name)
			assert.Regexp(t, p.AllowedPattern, p.Default, "%s: a default its pattern refuses would make the parameter required", p.Name)
			delete(want, p.Name)
		}
	}
	assert.Empty(t, want, "every parameter with a default is in the tables")
}

func TestDefaultSettingsHaveNoProblemsAndZeroSettingsGetTheDefaults(t *testing.T) {
	assert.Empty(t, DefaultServer().Problems())
	assert.Empty(t, DefaultClient().Problems())
	server := Server{}.WithDefaults()
	assert.Equal(t, []string{"Microsoft Server operating system-21H2"}, server.Products, "the product of the default version")
	server.Products = nil
	assert.Equal(t, DefaultServer(), server)
	assert.Equal(t, DefaultClient(), Client{}.WithDefaults())
}

func TestEveryRuleNamesItsFieldAndValue(t *testing.T) {
	server := DefaultServer()
	server.InstanceType, server.UpdateStoreGiB, server.Port, server.CertificateThumbprint = "t2.large", 149, 8531, "xyz"
	server.Languages, server.Classifications, server.SyncTimeUtc, server.SyncsPerDay = []string{"english"}, []string{"Hotfixes"}, "3am", 25
	server.SetupSchedule, server.WindowsVersion, server.Products = "hourly", "2016", []string{"a;b"}
	server.Cleanup.Schedule = "monthly"
	var fields []string
	for _, p := range server.Problems() {
		fields = append(fields, p.Field)
	}
	slices.Sort(fields)
	assert.Equal(t, []string{"CertificateThumbprint", "Classifications[0]", "Cleanup.Schedule", "InstanceType", "Languages[0]", "Products[0]", "SetupSchedule",
		"SyncTimeUtc", "SyncsPerDay", "UpdateStoreGiB", "WindowsVersion"}, fields)

	client := Client{TargetGroup: "it's", AUOptions: 1, ScheduledInstallDay: 8, Schedule: "rate(1 minute)"}
	problems := client.Problems()
	require.Len(t, problems, 4)
	assert.Equal(t, `TargetGroup "it's" is not allowed: use up to 64 letters, digits, spaces and _ . -`, problems[0].String())
	assert.Equal(t, "AUOptions 1 is not an AUOptions value: use 2 (notify), 3 (download, notify), 4 (download, schedule, with noAutoUpdate only) or 7 (notify restart)",
		problems[1].String())
}
