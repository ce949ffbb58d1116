// Package wsusspec is the specification of the WSUS area: the server's and the clients'
// settings, their defaults, their rules, and the parameter tables of the SSM documents that
// carry them to the scripts. It imports no CDK: config embeds these settings (its YAML keys)
// and the wsus construct's props embed them too, and both check them with Problems.
package wsusspec

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/nitro"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
	"github.com/privatepatch/privatepatch/constructs/windows/windowsspec"
)

// WSUS's ports.
const (
	HTTPPort  = 8530
	HTTPSPort = 8531
	// portPattern matches HTTPPort and HTTPSPort and nothing else (a test checks it).
	portPattern = `853[01]`
)

// Limits of the update store.
const (
	// MinUpdateStoreGiB is Microsoft's and the architecture's minimum for the update store.
	MinUpdateStoreGiB = 150
	// MaxUpdateStoreGiB is the largest gp3 volume.
	MaxUpdateStoreGiB = 16384
	// MaxSyncsPerDay is WSUS's most synchronisations a day.
	MaxSyncsPerDay = 24
	// syncsPerDayPattern matches 1 to MaxSyncsPerDay and nothing else (a test checks it).
	syncsPerDayPattern = `^([1-9]|1[0-9]|2[0-4])$`
)

// Classifications are the update classifications of the WSUS catalogue (English titles).
var Classifications = []string{"Critical Updates", "Definition Updates", "Driver Sets", "Drivers", "Feature Packs",
	"Security Updates", "Service Packs", "Tools", "Update Rollups", "Updates", "Upgrades"}

// ClassificationTitles are, by Patch Manager's Windows CLASSIFICATION value (PatchFilter,
// Systems Manager API Reference: "CriticalUpdates, DefinitionUpdates, Drivers, FeaturePacks,
// SecurityUpdates, ServicePacks, Tools, UpdateRollups, Updates, Upgrades", read 2026-12-06), the
// WSUS classification (Classifications) whose updates it names. A baseline approving a
// classification the server does not synchronise approves updates its clients never see: the
// Windows Update API they ask is the server's.
var ClassificationTitles = map[string]string{
	"CriticalUpdates": "Critical Updates", "DefinitionUpdates": "Definition Updates", "Drivers": "Drivers",
	"FeaturePacks": "Feature Packs", "SecurityUpdates": "Security Updates", "ServicePacks": "Service Packs",
	"Tools": "Tools", "UpdateRollups": "Update Rollups", "Updates": "Updates", "Upgrades": "Upgrades",
}

// Server is the WSUS server's settings.
type Server struct {
	// Instance is the server's Windows version, AMI and instance type. The instance type must be
	// built on the AWS Nitro System (nitro.Based): the setup finds the update store by its NVMe
	// serial number.
	windowsspec.Instance `yaml:",inline"`
	// UpdateStoreGiB is the size of the separate, encrypted, retained update-store volume, at
	// least MinUpdateStoreGiB. Default: 200.
	UpdateStoreGiB int `yaml:"updateStoreGiB"`
	// Port is HTTPPort (8530) or HTTPSPort (8531, needs CertificateThumbprint). Default: HTTPPort.
	Port int `yaml:"port"`
	// CertificateThumbprint names the certificate in LocalMachine\My that WSUS serves on
	// HTTPSPort. Default: none.
	CertificateThumbprint string `yaml:"certificateThumbprint"`
	// Languages of the updates to synchronise. Default: en.
	Languages []string `yaml:"languages"`
	// Products are WSUS product titles. Default: the WSUS product of WindowsVersion (the
	// configuration: of every Windows version it uses).
	Products []string `yaml:"products"`
	// Classifications to synchronise and auto-approve, of Classifications. Default: Critical
	// Updates and Security Updates, as in AWS-DefaultPatchBaseline.
	Classifications []string `yaml:"classifications"`
	// SyncTimeUtc is the first daily synchronisation, HH:MM UTC. Default: 21:00: after Patch
	// Tuesday's release the same day (the monthly security update release is on the "Second
	// Tuesday of each month, typically published at 10:00 AM Pacific Time (PST/PDT)", "Windows
	// quality updates", Microsoft Learn, read 2026-12-07: 17:00 or 18:00 UTC),
	// outside the server's own Saturday window (configuration refuses one inside it: the
	// window's reboot would cut the synchronisation) and hours from the monthly cleanup.
	SyncTimeUtc string `yaml:"syncTimeUtc"`
	// SyncsPerDay is how many synchronisations run per day, 1 to MaxSyncsPerDay. Default: 1.
	SyncsPerDay int `yaml:"syncsPerDay"`
	// SetupSchedule re-runs the setup document to correct drift. Default: ssmschedule.Daily.
	SetupSchedule string `yaml:"setupSchedule"`
	// Cleanup is the server's monthly maintenance: cleanup and SUSDB re-index (cleanup.go).
	// Default: on, DefaultCleanupSchedule.
	Cleanup Cleanup `yaml:"cleanup"`
}

// DefaultServer is the server's settings when nothing is set (Products: see Server.Products).
func DefaultServer() Server {
	return Server{
		Instance:        windowsspec.Instance{}.WithDefaults(),
		UpdateStoreGiB:  200,
		Port:            HTTPPort,
		Languages:       []string{"en"},
		Classifications: []string{"Critical Updates", "Security Updates"},
		SyncTimeUtc:     "21:00",
		SyncsPerDay:     1,
		SetupSchedule:   ssmschedule.Daily,
		Cleanup:         Cleanup{}.WithDefaults(),
	}
}

// WithDefaults fills what is unset (zero) from DefaultServer, and Products from WindowsVersion
// when it is a supported one.
func (s Server) WithDefaults() Server {
	d := DefaultServer()
	s.Instance = s.Instance.WithDefaults()
	fill(&s.UpdateStoreGiB, d.UpdateStoreGiB)
	fill(&s.Port, d.Port)
	fill(&s.SyncTimeUtc, d.SyncTimeUtc)
	fill(&s.SyncsPerDay, d.SyncsPerDay)
	fill(&s.SetupSchedule, d.SetupSchedule)
	s.Cleanup = s.Cleanup.WithDefaults()
	if len(s.Languages) == 0 {
		s.Languages = d.Languages
	}
	if len(s.Classifications) == 0 {
		s.Classifications = d.Classifications
	}
	if len(s.Products) == 0 && slices.Contains(windowsspec.Versions(), windowsspec.Version(s.WindowsVersion)) {
		s.Products = []string{windowsspec.Version(s.WindowsVersion).WsusProduct()}
	}
	return s
}

func fill[T comparable](field *T, value T) {
	var zero T
	if *field == zero {
		*field = value
	}
}

var (
	// listChars may appear in the values the setup script takes as lists: no quotes, no
	// PowerShell syntax, as they are substituted into the script text.
	listChars          = `[A-Za-z0-9 ,.()_-]`
	listPattern        = `^` + listChars + `*(;` + listChars + `*)*$`
	thumbprintDigits   = `[0-9A-Fa-f]{40}`
	timeOfDayPattern   = `^([01][0-9]|2[0-3]):[0-5][0-9]$`
	targetGroupPattern = `^[A-Za-z0-9 _.-]{0,64}$`
	// languagePattern is a WSUS language code: RFC 1766, "en" or "pt-br", in lower case: "You
	// must specify the language code strings in lowercase", and a code WSUS does not support is an
	// ArgumentException ("IUpdateServerConfiguration.SetEnabledUpdateLanguages", WSUS API, read
	// 2026-12-07). Which codes it supports only the server says (SupportedUpdateLanguages): the
	// setup script checks them there.
	languagePattern = `[a-z]{2,3}(-[a-z]{2,4})?`
	// wsusURLPattern pairs the scheme with its port: "if you use port 8531 for HTTPS, WSUS will
	// use port 8530 for HTTP" ("Step 2: Configure WSUS", Microsoft Learn, read 2026-12-07).
	wsusURLPattern = `^(http://[A-Za-z0-9.-]+:8530|https://[A-Za-z0-9.-]+:8531)$`

	thumbprintRegexp  = regexp.MustCompile(`^` + thumbprintDigits + `$`)
	timeOfDayRegexp   = regexp.MustCompile(timeOfDayPattern)
	productRegexp     = regexp.MustCompile(`^` + listChars + `{1,100}$`)
	languageRegexp    = regexp.MustCompile(`^` + languagePattern + `$`)
	targetGroupRegexp = regexp.MustCompile(targetGroupPattern)
)

// Problems are the server settings' problems (give them after defaults).
func (s Server) Problems() spec.Problems {
	p := s.Instance.Problems()
	if windowsspec.WellFormedInstanceType(s.InstanceType) && !nitro.Based(s.InstanceType) {
		p.Add("InstanceType", s.InstanceType, "is built on the Xen hypervisor, not the AWS Nitro System: the WSUS setup finds its update-store "+
			"volume by the NVMe serial number (the volume id) that only Nitro instances show; use a Nitro type such as %s, "+
			"not one of the Xen families %s", windowsspec.DefaultInstanceType, strings.Join(nitro.XenFamilies(), ", "))
	}
	if s.UpdateStoreGiB < MinUpdateStoreGiB || s.UpdateStoreGiB > MaxUpdateStoreGiB {
		p.Add("UpdateStoreGiB", s.UpdateStoreGiB, "is not allowed: WSUS needs an update store of at least %d GiB (at most %d)", MinUpdateStoreGiB, MaxUpdateStoreGiB)
	}
	switch s.Port {
	case HTTPPort:
	case HTTPSPort:
		if !thumbprintRegexp.MatchString(s.CertificateThumbprint) {
			p.Add("CertificateThumbprint", s.CertificateThumbprint, "is required with port %d: the 40 hexadecimal digits of the certificate in LocalMachine\\My that WSUS serves", HTTPSPort)
		}
	default:
		p.Add("Port", s.Port, "is not a WSUS port: use %d (HTTP) or %d (HTTPS)", HTTPPort, HTTPSPort)
	}
	if s.Port != HTTPSPort && s.CertificateThumbprint != "" {
		p.Add("CertificateThumbprint", s.CertificateThumbprint, "is only used with port %d", HTTPSPort)
	}
	if len(s.Languages) == 0 {
		p.Add("Languages", "", "is empty: list at least one language, e.g. en")
	}
	for i, lang := range s.Languages {
		if !languageRegexp.MatchString(lang) {
			p.Add(fmt.Sprintf("Languages[%d]", i), lang, "is not a WSUS language code: use a lower-case one such as en, ja or zh-tw "+
				"(WSUS takes them in lower case only)")
		}
	}
	for i, product := range s.Products {
		if !productRegexp.MatchString(product) {
			p.Add(fmt.Sprintf("Products[%d]", i), product, "is not a WSUS product title: use letters, digits, spaces and , . ( ) _ - as in Microsoft Server operating system-21H2")
		}
	}
	if len(s.Classifications) == 0 {
		p.Add("Classifications", "", "is empty: list at least one, e.g. Security Updates")
	}
	for i, class := range s.Classifications {
		if !slices.Contains(Classifications, class) {
			p.Add(fmt.Sprintf("Classifications[%d]", i), class, "is not a WSUS classification: use one of %s", strings.Join(Classifications, ", "))
		}
	}
	if !timeOfDayRegexp.MatchString(s.SyncTimeUtc) {
		p.Add("SyncTimeUtc", s.SyncTimeUtc, "is not a time: use HH:MM in UTC, e.g. %s", DefaultServer().SyncTimeUtc)
	}
	if s.SyncsPerDay < 1 || s.SyncsPerDay > MaxSyncsPerDay {
		p.Add("SyncsPerDay", s.SyncsPerDay, "is out of range: use 1 to %d", MaxSyncsPerDay)
	}
	p.Within("Cleanup", s.CleanupProblems())
	return append(p, ssmschedule.AssociationProblems("SetupSchedule", s.SetupSchedule)...)
}

// ValidTargetGroup says whether name can be a WSUS computer group here.
func ValidTargetGroup(name string) bool { return targetGroupRegexp.MatchString(name) }

// AUOptions values of the "Configure Automatic Updates" policy.
const (
	NotifyDownload              = 2
	AutoDownloadNotifyInstall   = 3
	AutoDownloadScheduleInstall = 4
	AllowLocalAdminToChoose     = 5
	AutoDownloadNotifyRestart   = 7
)

// auOption is an AUOptions value and what it does.
type auOption struct {
	value int
	name  string
}

// auOptions are the AUOptions values.
var auOptions = []auOption{{NotifyDownload, "notify"}, {AutoDownloadNotifyInstall, "download, notify"}, {AutoDownloadScheduleInstall, "download, schedule"},
	{AllowLocalAdminToChoose, "local admin"}, {AutoDownloadNotifyRestart, "notify restart"}}

// MaxScheduledInstallDay is Saturday; 0 is every day.
const MaxScheduledInstallDay = 7

// The WSUS client association's rate controls: the fleet may be many instances, so a quarter at
// a time, stopping at a quarter failing ("MaxErrors": the association stops sending to the nodes
// it has not reached once more than this fail; State Manager's rate controls).
const (
	ClientMaxConcurrency = "25%"
	ClientMaxErrors      = "25%"
)

// Client is the Windows Update policy the fleet's clients get.
type Client struct {
	// TargetGroup is the WSUS computer group the clients join (client-side targeting), up to 64
	// letters, digits, spaces and _ . -. Default: none (TargetGroupEnabled 0).
	TargetGroup string `yaml:"targetGroup"`
	// AcceptTrustedPublisherCerts lets clients install updates signed by other trusted
	// publishers from WSUS. Default: false.
	AcceptTrustedPublisherCerts bool `yaml:"acceptTrustedPublisherCerts"`
	// NoAutoUpdate turns automatic updates off entirely. Default: false.
	NoAutoUpdate bool `yaml:"noAutoUpdate"`
	// AUOptions is the automatic update behaviour: 2 notify, 3 download and notify, 4 download
	// and schedule (only with NoAutoUpdate), 7 notify restart; 5 (local admin) is refused, as
	// Windows 10 and later have none. Default: AutoDownloadNotifyInstall: updates download ahead
	// from WSUS, and Patch Manager decides when they install and reboot.
	AUOptions int `yaml:"auOptions"`
	// ScheduledInstallDay is Windows' own install day with AutoDownloadScheduleInstall (0 every
	// day, 1-7 Sunday to Saturday), which is accepted only with NoAutoUpdate: only 0 is, since
	// any other day would be ignored. Default: 0.
	ScheduledInstallDay int `yaml:"scheduledInstallDay"`
	// Schedule re-applies the settings to correct drift. Default: ssmschedule.Daily.
	Schedule string `yaml:"schedule"`
}

// PolicyParameters are the client document's parameters that carry the policy (all but the URL
// and the schedule), as the association passes them: the construct and make verify both use them.
func (c Client) PolicyParameters() map[string]string {
	return map[string]string{
		"TargetGroup":                 c.TargetGroup,
		"AcceptTrustedPublisherCerts": Flag(c.AcceptTrustedPublisherCerts),
		"NoAutoUpdate":                Flag(c.NoAutoUpdate),
		"AUOptions":                   fmt.Sprint(c.AUOptions),
		"ScheduledInstallDay":         fmt.Sprint(c.ScheduledInstallDay),
	}
}

// DefaultClient is the clients' settings when nothing is set.
func DefaultClient() Client {
	return Client{AUOptions: AutoDownloadNotifyInstall, Schedule: ssmschedule.Daily}
}

// WithDefaults fills what is unset (zero) from DefaultClient.
func (c Client) WithDefaults() Client {
	d := DefaultClient()
	fill(&c.AUOptions, d.AUOptions)
	fill(&c.Schedule, d.Schedule)
	return c
}

// Problems are the client settings' problems (give them after defaults).
func (c Client) Problems() spec.Problems {
	var p spec.Problems
	if !ValidTargetGroup(c.TargetGroup) {
		p.Add("TargetGroup", c.TargetGroup, "is not allowed: use up to 64 letters, digits, spaces and _ . -")
	}
	if !slices.ContainsFunc(auOptions, func(o auOption) bool { return o.value == c.AUOptions }) {
		var choices []string
		for _, o := range auOptions {
			switch o.value {
			case AllowLocalAdminToChoose: // refused, below
			case AutoDownloadScheduleInstall:
				choices = append(choices, fmt.Sprintf("%d (%s, with noAutoUpdate only)", o.value, o.name))
			default:
				choices = append(choices, fmt.Sprintf("%d (%s)", o.value, o.name))
			}
		}
		p.Add("AUOptions", c.AUOptions, "is not an AUOptions value: use %s or %s", strings.Join(choices[:len(choices)-1], ", "), choices[len(choices)-1])
	}
	// 5 "isn't available in any Windows 10 or later versions" ("Manage additional Windows Update
	// settings", Microsoft Learn, dated 2024-09-03, for Windows 10 and 11; "Windows unexpectedly
	// installs updates when automatic updates are disabled by Group Policy", for Windows Server
	// 2016 and 2019, says "isn't available in any Windows 10 versions"; both read 2026-12-07).
	// The Windows Server versions privatepatch runs (windowsspec) are built on Windows 10 (2019:
	// build 17763, Windows 10 1809's) or later builds; where 5 still exists (an older server of
	// your own), it lets a local administrator install outside the windows. Refused either way,
	// with or without NoAutoUpdate.
	if c.AUOptions == AllowLocalAdminToChoose {
		p.Add("AUOptions", c.AUOptions, "is not available on Windows 10 and later, on whose builds Windows Server %s are made, and elsewhere lets a local administrator install outside the windows: use 3 (download, notify), and Patch Manager installs in the windows",
			serverVersions())
		return append(p, c.scheduleProblems()...)
	}
	// The server approves the configured classifications as they synchronise, for all
	// computers: with 4 ("Automatic Updates automatically installs updates according to the
	// schedule", AutomaticUpdatesNotificationLevel, Windows Update Agent API), Windows would
	// install them itself, outside the maintenance windows, the baselines' approval delays, the
	// rings and their stop alarms.
	// With NoAutoUpdate ("1 = Disable Automatic Updates", "Configure Automatic Updates using
	// Registry Editor", Microsoft Learn) AUOptions has no effect.
	if !c.NoAutoUpdate && c.AUOptions == AutoDownloadScheduleInstall {
		p.Add("AUOptions", c.AUOptions, "lets Windows install what WSUS approves on its own schedule, outside the maintenance windows, "+
			"the approval delays and the rings: use 3 (download, notify), and Patch Manager installs in the windows")
	}
	return append(p, c.scheduleProblems()...)
}

// serverVersions lists windowsspec's versions as a sentence does: "2019, 2022 and 2025".
func serverVersions() string {
	var names []string
	for _, v := range windowsspec.Versions() {
		names = append(names, string(v))
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// scheduleProblems are the problems of the install day and of the association's schedule.
func (c Client) scheduleProblems() spec.Problems {
	var p spec.Problems
	switch {
	case c.ScheduledInstallDay < 0 || c.ScheduledInstallDay > MaxScheduledInstallDay:
		p.Add("ScheduledInstallDay", c.ScheduledInstallDay, "is out of range: use 0 (every day) or 1-%d (Sunday to Saturday)", MaxScheduledInstallDay)
	case c.ScheduledInstallDay != 0:
		// Windows reads the day with AUOptions 4 only ("Configure Automatic Updates"), which is
		// accepted only with NoAutoUpdate, automatic updates off: a day set is a day ignored.
		p.Add("ScheduledInstallDay", c.ScheduledInstallDay, "has no effect: Windows reads it with auOptions 4 only, which is accepted only with noAutoUpdate "+
			"(automatic updates off); the maintenance windows decide when updates install: leave it out")
	}
	return append(p, ssmschedule.AssociationProblems("Schedule", c.Schedule)...)
}

// DocumentParameter is one parameter of a Command document, passed to the script's param() of
// the same name. AllowedPattern keeps quotes and other PowerShell syntax out of the values, as
// they are substituted into the script text; a parameter whose pattern refuses its Default is
// required.
type DocumentParameter struct {
	Name, Description, Default, AllowedPattern string
}

// SetupParameters are the setup document's parameters, the server's settings as the setup
// script takes them: lists joined with semicolons, defaults those of DefaultServer.
func SetupParameters() []DocumentParameter {
	d := DefaultServer()
	return []DocumentParameter{
		{"Languages", "Update languages, lower case, separated by semicolons", strings.Join(d.Languages, ";"), `^` + languagePattern + `(;` + languagePattern + `)*$`},
		{"Products", "WSUS product titles, separated by semicolons", "", listPattern},
		{"Classifications", "Update classifications to synchronise and approve, separated by semicolons", strings.Join(d.Classifications, ";"), listPattern},
		{"TargetGroups", "Computer groups for client-side targeting, separated by semicolons", "", listPattern},
		{"Port", fmt.Sprintf("%d (HTTP) or %d (HTTPS)", HTTPPort, HTTPSPort), strconv.Itoa(d.Port), `^` + portPattern + `$`},
		{"CertificateThumbprint", fmt.Sprintf("Certificate in LocalMachine\\My for port %d", HTTPSPort), "", `^(` + thumbprintDigits + `)?$`},
		{"ServerName", "Name clients use over HTTPS, for wsusutil configuressl", "", "^[A-Za-z0-9.-]{0,253}$"},
		{"SyncTimeUtc", "First daily synchronisation, HH:MM UTC", d.SyncTimeUtc, timeOfDayPattern},
		{"SyncsPerDay", "Synchronisations per day", strconv.Itoa(d.SyncsPerDay), syncsPerDayPattern},
		{"UpdateStoreVolumeId", "EBS volume id of the update store, the disk the script formats or reuses", "", "^vol-[0-9a-f]{8,17}$"},
	}
}

var wsusURLRegexp = regexp.MustCompile(wsusURLPattern)

// WellFormedURL says whether url is one the client document takes: http on HTTPPort or https on
// HTTPSPort, with a host name or address.
func WellFormedURL(url string) bool { return wsusURLRegexp.MatchString(url) }

// ClientParameters are the client document's parameters, the client settings as the client
// script takes them: flags as 0 or 1, defaults those of DefaultClient.
func ClientParameters() []DocumentParameter {
	d := DefaultClient()
	var values, names []string
	for _, o := range auOptions {
		values = append(values, strconv.Itoa(o.value))
		names = append(names, fmt.Sprintf("%d %s", o.value, strings.ReplaceAll(o.name, ",", " and")))
	}
	return []DocumentParameter{
		{"WsusUrl", fmt.Sprintf("WSUS server URL, http://HOST:%d or https://HOST:%d", HTTPPort, HTTPSPort), "", wsusURLPattern},
		{"TargetGroup", "WSUS computer group (client-side targeting); empty for none", "", targetGroupPattern},
		{"AcceptTrustedPublisherCerts", "1 to accept updates signed by other trusted publishers", Flag(d.AcceptTrustedPublisherCerts), "^[01]$"},
		{"NoAutoUpdate", "1 to turn automatic updates off", Flag(d.NoAutoUpdate), "^[01]$"},
		{"AUOptions", strings.Join(names, ", "), strconv.Itoa(d.AUOptions), "^[" + strings.Join(values, "") + "]$"},
		{"ScheduledInstallDay", fmt.Sprintf("0 every day, 1-%d Sunday to Saturday (with AUOptions %d)", MaxScheduledInstallDay, AutoDownloadScheduleInstall),
			strconv.Itoa(d.ScheduledInstallDay), fmt.Sprintf("^[0-%d]$", MaxScheduledInstallDay)},
	}
}

// Flag is a setting as the client script takes it: 1 or 0.
func Flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
