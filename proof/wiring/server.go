package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/windows/windowsspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// Server checks the WSUS server as the fleet template declares it (its instance type, update
// store, setup association's parameters and schedule, cleanup association's schedule, or none)
// with the rules its configuration is validated by
// (wsusspec.Server): a Xen instance type, on which the setup cannot find its update store, or a
// classification list the setup cannot read, would otherwise reach the server.
func Server(fleet map[string]any) []string {
	s, found := templateServer(fleet)
	if !found {
		return nil
	}
	var problems []string
	for _, p := range s.Problems() {
		problems = append(problems, "the WSUS server: "+p.String())
	}
	return problems
}

// templateServer is the WSUS server as the fleet template declares it, and whether it has one.
func templateServer(fleet map[string]any) (wsusspec.Server, bool) {
	resources := cfntemplate.Resources(fleet)
	s := wsusspec.DefaultServer()
	found := false
	for id, i := range cfntemplate.OfType(resources, "AWS::EC2::Instance") {
		if strings.HasPrefix(id, "WsusInstance") {
			s.InstanceType, found = cfntemplate.Text(i["InstanceType"]), true
		}
	}
	if !found {
		return s, false
	}
	for id, v := range cfntemplate.OfType(resources, "AWS::EC2::Volume") {
		if strings.HasPrefix(id, "WsusUpdateStore") {
			s.UpdateStoreGiB = cfntemplate.Int(v["Size"])
		}
	}
	off := false
	s.Cleanup.Enabled = &off // on only where the template has the cleanup association
	for _, a := range cfntemplate.OfType(resources, "AWS::SSM::Association") {
		params, _ := a["Parameters"].(map[string]any)
		if cfntemplate.Text(cfntemplate.First(params["Mode"])) == "Cleanup" {
			on := true
			s.Cleanup.Enabled, s.Cleanup.Schedule = &on, cfntemplate.Text(a["ScheduleExpression"])
		}
		if params["UpdateStoreVolumeId"] == nil {
			continue
		}
		if schedule := cfntemplate.Text(a["ScheduleExpression"]); schedule != "" {
			s.SetupSchedule = schedule
		}
		text := func(name string) string { return cfntemplate.Text(cfntemplate.First(params[name])) }
		split := func(name string) []string {
			if text(name) == "" {
				return nil
			}
			return strings.Split(text(name), ";") // the construct joins them so
		}
		s.Port, s.CertificateThumbprint = cfntemplate.Int(cfntemplate.First(params["Port"])), text("CertificateThumbprint")
		s.Languages, s.Products, s.Classifications = split("Languages"), split("Products"), split("Classifications")
		s.SyncTimeUtc, s.SyncsPerDay = text("SyncTimeUtc"), cfntemplate.Int(cfntemplate.First(params["SyncsPerDay"]))
	}
	return s, true
}

// ServerAsConfigured checks the WSUS server's settings as the fleet template declares them (its
// setup association's parameters, its update store, its cleanup) against the configuration's
// (wsus, defaults applied), each by name: the rules they are validated by hold for many values,
// and the server serves the ones asked for (mutation run 20's A12: Languages en became en-us,
// which the document's pattern takes and WSUS does not).
func ServerAsConfigured(fleet map[string]any, want wsusspec.Server) []string {
	got, found := templateServer(fleet)
	if !found {
		return nil
	}
	want = want.WithDefaults()
	cleanup := func(c wsusspec.Cleanup) string {
		if c.Enabled == nil || !*c.Enabled {
			return "off"
		}
		return c.Schedule
	}
	var problems []string
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"update store (GiB)", got.UpdateStoreGiB, want.UpdateStoreGiB}, {"port", got.Port, want.Port},
		{"certificate thumbprint", got.CertificateThumbprint, want.CertificateThumbprint},
		{"languages", got.Languages, want.Languages}, {"products", got.Products, want.Products},
		{"classifications", got.Classifications, want.Classifications}, {"sync time (UTC)", got.SyncTimeUtc, want.SyncTimeUtc},
		{"syncs a day", got.SyncsPerDay, want.SyncsPerDay}, {"setup schedule", got.SetupSchedule, want.SetupSchedule},
		{"cleanup", cleanup(got.Cleanup), cleanup(want.Cleanup)},
	} {
		if fmt.Sprint(f.got) != fmt.Sprint(f.want) {
			problems = append(problems, fmt.Sprintf("the WSUS server's %s: %v, the configuration's (wsus) %v", f.name, f.got, f.want))
		}
	}
	return problems
}

// windowsAmiParameters is where AWS publishes the latest Windows AMIs' ids, one parameter per
// release and edition (windowsspec.Version.AmiParameter); an instance on one of no supported
// release is one the WSUS server synchronises nothing for (mutation run 19's B11: 2016).
const windowsAmiParameters = "/aws/service/ami-windows-latest/"

// Published checks that each metric an alarm of the patching stack watches in a custom namespace
// is one a script of the stacks' documents publishes (its name in the script's text): an alarm on
// a name nothing publishes has no data, and breaches on missing data, or never.
func Published(patching, fleet map[string]any) []string {
	scripts := documentScripts(patching, fleet)
	var problems []string
	alarms := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::CloudWatch::Alarm")
	for _, id := range slices.Sorted(maps.Keys(alarms)) {
		for _, name := range customMetrics(alarms[id]) {
			if !quotedName(name).MatchString(scripts) { // as a string literal: a bare word (Healthy in CleanupHealthy) is no metric
				problems = append(problems, fmt.Sprintf("alarm %s watches metric %s, which no script of the stacks' documents publishes", id, name))
			}
		}
	}
	return problems
}

// customMetrics are the metric names an alarm watches outside AWS's namespaces: its own, its
// metrics', and those a Metrics Insights query selects (SELECT FN(Name) FROM ...).
func customMetrics(alarm map[string]any) []string {
	var names []string
	if ns, _ := alarm["Namespace"].(string); ns != "" && !strings.HasPrefix(ns, "AWS/") {
		names = append(names, cfntemplate.Text(alarm["MetricName"]))
	}
	for _, m := range cfntemplate.List(alarm["Metrics"]) {
		m, _ := m.(map[string]any)
		stat, _ := m["MetricStat"].(map[string]any)
		metric, _ := stat["Metric"].(map[string]any)
		if ns, _ := metric["Namespace"].(string); ns != "" && !strings.HasPrefix(ns, "AWS/") {
			names = append(names, cfntemplate.Text(metric["MetricName"]))
		}
		expression, _ := m["Expression"].(string)
		if match := insightsMetric.FindStringSubmatch(expression); match != nil && !strings.Contains(expression, `"AWS/`) {
			names = append(names, match[1])
		}
	}
	return names
}

// Products checks that the WSUS server synchronises the product of every Windows release the
// fleet's instances run (windowsspec's AMI parameter and WSUS product title of each release):
// WSUS approves only the products it synchronises, so a client of another release finds nothing
// to install. An instance on a pinned AMI is not judged (its release is not in the template).
func Products(fleet map[string]any) []string {
	resources := cfntemplate.Resources(fleet)
	var setup map[string]any
	for id, a := range cfntemplate.OfType(resources, "AWS::SSM::Association") {
		if strings.HasPrefix(id, "WsusSetupAssociation") {
			setup = a
		}
	}
	if setup == nil {
		return nil
	}
	products := strings.Split(cfntemplate.AssociationParameter(resources, setup, "Products"), ";")
	// The setup selects titles with PowerShell's -in, which ignores case; a title that is no
	// release's (a product family such as Windows, whose products ISubscription.SetUpdateCategories
	// synchronises all of) cannot be judged here.
	for _, p := range products {
		if !slices.ContainsFunc(windowsspec.Versions(), func(v windowsspec.Version) bool { return strings.EqualFold(v.WsusProduct(), p) }) {
			return nil
		}
	}
	instances := cfntemplate.OfType(resources, "AWS::EC2::Instance")
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(instances)) {
		if strings.HasPrefix(id, "WsusInstance") {
			continue // the server updates from Microsoft Update
		}
		parameter := strings.TrimPrefix(cfntemplate.Text(instances[id]["ImageId"]), "resolve:ssm:")
		if strings.HasPrefix(parameter, windowsAmiParameters) && !slices.ContainsFunc(windowsspec.Versions(), func(v windowsspec.Version) bool { return v.AmiParameter() == parameter }) {
			problems = append(problems, fmt.Sprintf("instance %s: runs the AMI of %s, a Windows release privatepatch does not support (%v): the server synchronises no product of it, so it finds nothing to install",
				id, parameter, windowsspec.Versions()))
		}
		for _, v := range windowsspec.Versions() {
			if v.AmiParameter() == parameter && !slices.ContainsFunc(products, func(p string) bool { return strings.EqualFold(p, v.WsusProduct()) }) {
				problems = append(problems, fmt.Sprintf("instance %s: runs Windows Server %s, whose WSUS product %q the server does not synchronise (Products %v): it finds nothing to install",
					id, v, v.WsusProduct(), products))
			}
		}
	}
	return problems
}
