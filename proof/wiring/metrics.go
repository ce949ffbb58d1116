package wiring

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// metricRef is one metric an alarm or a dashboard line reads: its namespace, its name ("" when a
// query names none) and its dimension names (dimensioned: they are known, as in a MetricStat, a
// dashboard's metric line or a query's SCHEMA; a SEARCH's are not read), and the values an alarm
// or a line gives them (a Ref as bodyToken writes it, ${Id}).
type metricRef struct {
	namespace, name string
	dimensions      []string
	dimensioned     bool
	values          map[string]string
}

// AWSMetrics checks every alarm's and dashboard's metric in an AWS namespace against what AWS
// documents of it (DocumentedMetrics): its namespace, its name and its dimension names. CloudWatch
// accepts any name, so a misspelt one ("Error" for Lambda's "Errors": mutation run 21's B15) or a
// dimension the metric lacks reads a metric no one publishes; the alarm on it never fires, the
// dashboard's line stays empty.
func AWSMetrics(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, kind := range []struct{ what, resourceType string }{{"alarm", "AWS::CloudWatch::Alarm"}, {"dashboard", "AWS::CloudWatch::Dashboard"}} {
			found := cfntemplate.OfType(resources, kind.resourceType)
			for _, id := range slices.Sorted(maps.Keys(found)) {
				refs := alarmMetrics(found[id])
				if kind.what == "dashboard" {
					refs = dashboardMetrics(found[id])
				}
				for _, ref := range refs {
					problems = append(problems, awsMetricProblems(kind.what+" "+id, ref)...)
					problems = append(problems, ruleBusProblems(kind.what+" "+id, ref, resources)...)
				}
			}
		}
	}
	return problems
}

// awsMetricProblems judges one metric in an AWS namespace; one of another namespace, or named by
// an intrinsic (a placeholder), is not judged here. A name or namespace the table lacks stays a
// problem, whether misspelt or not yet listed, so that the table is kept complete.
func awsMetricProblems(what string, ref metricRef) []string {
	if !strings.HasPrefix(ref.namespace, "AWS/") || unresolved(ref.namespace+ref.name) {
		return nil
	}
	const missing = "not in wiring.DocumentedMetrics: add it from its page, with the date read (a name AWS does not publish never has data)"
	documented, ok := DocumentedMetrics[ref.namespace]
	if !ok {
		return []string{fmt.Sprintf("%s: reads %s %s, in namespace %s, %s", what, ref.namespace, ref.name, ref.namespace, missing)}
	}
	if ref.name == "" {
		return nil
	}
	if !slices.Contains(documented.Metrics, ref.name) {
		return []string{fmt.Sprintf("%s: reads %s %s, %s", what, ref.namespace, ref.name, missing)}
	}
	sets, judged := documented.Dimensions[ref.name]
	given := strings.Join(slices.Sorted(slices.Values(ref.dimensions)), ",")
	if ref.dimensioned && judged && !slices.Contains(sets, given) {
		return []string{fmt.Sprintf("%s: gives %s %s the dimensions [%s], a set AWS does not publish it with (%s): it never has data",
			what, ref.namespace, ref.name, given, dimensionSets(sets))}
	}
	return nil
}

// ruleBusProblems: a metric of an EventBridge rule of resources (its RuleName a Ref of the
// rule, or the rule's literal Name) gives EventBusName exactly when the rule is on a custom bus
// (its EventBusName set, and not default): "Metrics that specify only the RuleName dimension
// refer to the default event bus. Metrics that specify both the EventBusName and RuleName
// dimensions refer to a custom event bus" ("Monitoring Amazon EventBridge", Amazon EventBridge
// User Guide, read 2026-12-07). The other set reads a metric no one publishes (the second
// review's 15a).
func ruleBusProblems(what string, ref metricRef, resources map[string]any) []string {
	name, named := ref.values["RuleName"]
	if ref.namespace != "AWS/Events" || !named {
		return nil
	}
	rules := cfntemplate.OfType(resources, "AWS::Events::Rule")
	id := ""
	if ref, ok := strings.CutPrefix(name, "${"); ok && rules[strings.TrimSuffix(ref, "}")] != nil {
		id = strings.TrimSuffix(ref, "}")
	}
	for ruleID, r := range rules {
		if id == "" && name != "" && cfntemplate.Text(r["Name"]) == name {
			id = ruleID
		}
	}
	if id == "" {
		return nil
	}
	given, set := rules[id]["EventBusName"]
	bus := cfntemplate.Joined(given, bodyToken)
	custom := set && bus != "default" && !strings.HasSuffix(bus, ":event-bus/default")
	switch _, byBus := ref.values["EventBusName"]; {
	case custom && !byBus:
		return []string{fmt.Sprintf("%s: reads AWS/Events %s of rule %s by RuleName alone, and the rule is on event bus %s: a metric with only RuleName is the default bus's rule's, and never has data", what, ref.name, id, bus)}
	case !custom && byBus:
		return []string{fmt.Sprintf("%s: reads AWS/Events %s of rule %s with EventBusName %s, and the rule is on the default bus: a metric with EventBusName is a custom bus's rule's, and never has data", what, ref.name, id, ref.values["EventBusName"])}
	}
	return nil
}

// dimensionSets are sets as a problem shows them: [] for none.
func dimensionSets(sets []string) string {
	var shown []string
	for _, s := range sets {
		shown = append(shown, "["+s+"]")
	}
	return strings.Join(shown, " ")
}

// alarmMetrics are the metrics an alarm reads: its own (MetricName, Namespace, Dimensions), its
// Metrics' MetricStat ones, and those its Metrics' expressions query.
func alarmMetrics(alarm map[string]any) []metricRef {
	var refs []metricRef
	for _, m := range cfntemplate.List(alarm["Metrics"]) {
		m, _ := m.(map[string]any)
		expression, _ := m["Expression"].(string)
		refs = append(refs, expressionMetrics(expression)...)
	}
	for _, m := range metricsOfAlarm(alarm) {
		namespace, _ := m["Namespace"].(string)
		name, named := m["MetricName"].(string)
		if namespace == "" {
			continue
		}
		if !named {
			name = "PLACEHOLDER"
		}
		ref := metricRef{namespace: namespace, name: name, dimensioned: true, values: map[string]string{}}
		for _, d := range cfntemplate.List(m["Dimensions"]) {
			d, _ := d.(map[string]any)
			ref.dimensions = append(ref.dimensions, cfntemplate.Text(d["Name"]))
			ref.values[cfntemplate.Text(d["Name"])] = cfntemplate.Joined(d["Value"], bodyToken)
		}
		refs = append(refs, ref)
	}
	return refs
}

// A Metrics Insights query (SELECT FN(Name) FROM SCHEMA("ns", keys) or FROM "ns") and a SEARCH
// expression's schema ({ns,dims} and MetricName="name") name the metrics they read ("Metrics
// Insights query components and syntax", "CloudWatch search expression syntax", Amazon
// CloudWatch User Guide).
var (
	insightsQuery  = regexp.MustCompile(`SELECT\s+\w+\(\s*"?([A-Za-z0-9_.-]+)"?\s*\)\s+FROM\s+(?:SCHEMA\(\s*"([^"]+)"([^)]*)\)|"([^"]+)")`)
	searchSchema   = regexp.MustCompile(`SEARCH\(\s*'\{"?([^,}"]+)"?([^}]*)\}([^']*)'`)
	searchedMetric = regexp.MustCompile(`MetricName\s*=\s*"?([A-Za-z0-9_.-]+)`)
)

// expressionMetrics are the metrics an expression queries (none for plain metric math).
func expressionMetrics(expression string) []metricRef {
	var refs []metricRef
	for _, m := range insightsQuery.FindAllStringSubmatch(expression, -1) {
		ref := metricRef{namespace: m[2] + m[4], name: m[1], dimensioned: m[2] != ""}
		for _, key := range strings.Split(m[3], ",") {
			if key = strings.Trim(strings.TrimSpace(key), `"`); key != "" {
				ref.dimensions = append(ref.dimensions, key)
			}
		}
		refs = append(refs, ref)
	}
	for _, m := range searchSchema.FindAllStringSubmatch(expression, -1) {
		// The schema names the namespace and then every dimension name the metrics have.
		ref := metricRef{namespace: m[1], dimensioned: true}
		for _, key := range strings.Split(m[2], ",") {
			if key = strings.Trim(strings.TrimSpace(key), `"`); key != "" {
				ref.dimensions = append(ref.dimensions, key)
			}
		}
		if name := searchedMetric.FindStringSubmatch(m[3]); name != nil {
			ref.name = name[1]
		}
		refs = append(refs, ref)
	}
	return refs
}

// dashboardMetrics are the metrics a dashboard's widgets graph: each line of their metrics array
// (["Namespace", "MetricName", "Dimension", "value", ..., {options}], "." repeating the line
// above's value at that place), or the query of a line that is an expression ("Dashboard body
// structure and syntax", Amazon CloudWatch API Reference).
func dashboardMetrics(dashboard map[string]any) []metricRef {
	var refs []metricRef
	for _, widget := range dashboardWidgets(dashboard) {
		properties, _ := widget["properties"].(map[string]any)
		var previous []any
		for _, line := range cfntemplate.List(properties["metrics"]) {
			line := slices.Clone(cfntemplate.List(line))
			var texts []string
			for i, v := range line {
				if v == "." && i < len(previous) {
					v, line[i] = previous[i], previous[i]
				}
				if text, ok := v.(string); ok {
					texts = append(texts, text)
				} else if options, ok := v.(map[string]any); ok {
					expression, _ := options["expression"].(string)
					refs = append(refs, expressionMetrics(expression)...)
				}
			}
			previous = line
			if len(texts) < 2 {
				continue
			}
			ref := metricRef{namespace: texts[0], name: texts[1], dimensioned: true, values: map[string]string{}}
			for i := 2; i < len(texts); i += 2 {
				ref.dimensions = append(ref.dimensions, texts[i])
				if i+1 < len(texts) {
					ref.values[texts[i]] = texts[i+1]
				}
			}
			refs = append(refs, ref)
		}
	}
	return refs
}

// DashboardsPublished checks the dashboards as Namespaces, Published and the authorisation table
// check the alarms (mutation run 21's B16: the WSUS widgets' namespace cut to privatepatch/WSUS):
// every metric a dashboard graphs outside AWS's namespaces is published by an association of the
// stacks, one that gives its document's script that namespace (its Namespace parameter, or the
// document's default), whose target instances' role may publish there (the instances' instance
// profile's role, its cloudwatch:PutMetricData statements' cloudwatch:namespace condition), and
// whose document's script names the metric as a whole string literal. A line on anything else
// stays empty, and hides the state the operators watch it for.
func DashboardsPublished(patching, fleet map[string]any) []string {
	publishers := metricPublishers(patching, fleet)
	var problems []string
	for _, template := range []map[string]any{fleet, patching} {
		dashboards := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::CloudWatch::Dashboard")
		for _, id := range slices.Sorted(maps.Keys(dashboards)) {
			for _, ref := range dashboardMetrics(dashboards[id]) {
				if strings.HasPrefix(ref.namespace, "AWS/") || unresolved(ref.namespace+ref.name) {
					continue
				}
				if problem := publishedProblem(publishers, ref); problem != "" {
					problems = append(problems, fmt.Sprintf("dashboard %s: graphs %s", id, problem))
				}
			}
		}
	}
	return problems
}

// publishedProblem is why no publisher publishes ref, or "" when one does.
func publishedProblem(publishers []metricPublisher, ref metricRef) string {
	var namespaces []string
	var allowed []metricPublisher
	for _, p := range publishers {
		namespaces = append(namespaces, p.namespace)
		if p.namespace == ref.namespace && slices.ContainsFunc(p.allowed, func(pattern *regexp.Regexp) bool { return pattern.MatchString(ref.namespace) }) {
			allowed = append(allowed, p)
		}
	}
	slices.Sort(namespaces)
	switch {
	case !slices.Contains(namespaces, ref.namespace):
		return fmt.Sprintf("%s in namespace %q, which no association's script publishes to (%v): its line stays empty", ref.name, ref.namespace, slices.Compact(namespaces))
	case len(allowed) == 0:
		return fmt.Sprintf("namespace %q, which the role of no publishing association's target instances may publish to (cloudwatch:PutMetricData, cloudwatch:namespace): its line stays empty", ref.namespace)
	case ref.name != "" && !slices.ContainsFunc(allowed, func(p metricPublisher) bool { return quotedName(ref.name).MatchString(p.script) }):
		return fmt.Sprintf("metric %s, which the script of no association publishing to %q names: its line stays empty", ref.name, ref.namespace)
	}
	return ""
}

// quotedName matches name as a whole string literal of a script ('Name' or "Name"), as the
// scripts name the metrics they publish: not within a longer name, nor a bare word (Healthy, a
// property of the cleanup script, is not its metric CleanupHealthy).
func quotedName(name string) *regexp.Regexp {
	return regexp.MustCompile(`['"]` + regexp.QuoteMeta(name) + `['"]`)
}

// metricPublisher is an association that gives its document's script a metric namespace: the
// namespace, the document's content, and the namespaces its target instances' roles may publish
// to.
type metricPublisher struct {
	namespace, script string
	allowed           []*regexp.Regexp
}

// metricPublishers are the associations of the templates that give their scripts a Namespace.
// An association targeting other than instance ids of its template (a tag, a resource group)
// has roles the templates do not tie to it: any role of the stacks is taken for them.
func metricPublishers(templates ...map[string]any) []metricPublisher {
	var publishers []metricPublisher
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		associations := cfntemplate.OfType(resources, "AWS::SSM::Association")
		for _, id := range slices.Sorted(maps.Keys(associations)) {
			a := associations[id]
			ns := cfntemplate.AssociationParameter(resources, a, "Namespace")
			if ns == "" {
				continue
			}
			document := cfntemplate.OfType(resources, "AWS::SSM::Document")[cfntemplate.Ref(a["Name"])]
			p := metricPublisher{namespace: ns, script: fmt.Sprint(document["Content"])}
			if roles, ok := targetRoles(resources, a); ok {
				p.allowed = metricNamespacesAllowed(resources, roles)
			} else {
				for _, t := range templates {
					p.allowed = append(p.allowed, metricNamespacesAllowed(cfntemplate.Resources(t), nil)...)
				}
			}
			publishers = append(publishers, p)
		}
	}
	return publishers
}

// targetRoles are the roles of the instances an association targets by id (Targets key
// InstanceIds, each a Ref of an instance of resources): each instance's IamInstanceProfile, a Ref
// of a profile, whose Roles are Refs of roles. ok is false when a target is no such instance.
func targetRoles(resources, association map[string]any) (roles []string, ok bool) {
	instances := cfntemplate.OfType(resources, "AWS::EC2::Instance")
	profiles := cfntemplate.OfType(resources, "AWS::IAM::InstanceProfile")
	targets := cfntemplate.List(association["Targets"])
	for _, t := range targets {
		t, _ := t.(map[string]any)
		if t["Key"] != "InstanceIds" {
			return nil, false
		}
		for _, v := range cfntemplate.List(t["Values"]) {
			instance, found := instances[cfntemplate.Ref(v)]
			if !found {
				return nil, false
			}
			for _, r := range cfntemplate.List(profiles[cfntemplate.Ref(instance["IamInstanceProfile"])]["Roles"]) {
				roles = append(roles, cfntemplate.Ref(r))
			}
		}
	}
	return roles, len(targets) > 0
}

// associationNamespaces are the namespaces the associations of the stacks give their documents'
// scripts to publish in: the Namespace parameter, or the document's default where it is left out.
func associationNamespaces(templates ...map[string]any) map[string]bool {
	published := map[string]bool{}
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		for _, a := range cfntemplate.OfType(resources, "AWS::SSM::Association") {
			if ns := cfntemplate.AssociationParameter(resources, a, "Namespace"); ns != "" {
				published[ns] = true
			}
		}
	}
	return published
}

// documentScripts is the text of every document of the stacks, where a published metric is named.
func documentScripts(templates ...map[string]any) string {
	var scripts strings.Builder
	for _, template := range templates {
		documents := cfntemplate.OfType(cfntemplate.Resources(template), "AWS::SSM::Document")
		for _, id := range slices.Sorted(maps.Keys(documents)) {
			scripts.WriteString(fmt.Sprint(documents[id]["Content"]))
		}
	}
	return scripts.String()
}

// metricNamespacesAllowed are the namespaces roles of resources may publish metrics to (all its
// roles when roles is nil): of each statement of theirs allowing cloudwatch:PutMetricData, its
// cloudwatch:namespace condition's values (StringEquals or StringLike), or any namespace without
// one ("Actions, resources, and condition keys for Amazon CloudWatch": PutMetricData's condition
// key cloudwatch:namespace).
func metricNamespacesAllowed(resources map[string]any, roles []string) []*regexp.Regexp {
	var allowed []*regexp.Regexp
	for _, statement := range policyStatements(resources, roles) {
		actions := cfntemplate.Texts(statement["Action"])
		if statement["Effect"] != "Allow" || !slices.ContainsFunc(actions, func(a string) bool {
			return slices.Contains([]string{"cloudwatch:putmetricdata", "cloudwatch:*", "*"}, strings.ToLower(a))
		}) {
			continue
		}
		condition, _ := statement["Condition"].(map[string]any)
		var values []string
		for _, operator := range []string{"StringEquals", "StringLike"} {
			keys, _ := condition[operator].(map[string]any)
			values = append(values, cfntemplate.Texts(keys["cloudwatch:namespace"])...)
		}
		if len(values) == 0 {
			values = []string{"*"}
		}
		for _, v := range values {
			glob := strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(v))
			allowed = append(allowed, regexp.MustCompile("^"+glob+"$"))
		}
	}
	return allowed
}

// policyStatements are the statements of the identity policies of roles of resources (all, when
// roles is nil): IAM policies' and managed policies' attached to them (Roles, Refs), and their
// inline ones.
func policyStatements(resources map[string]any, roles []string) []map[string]any {
	attached := func(r any) bool { return roles == nil || slices.Contains(roles, cfntemplate.Ref(r)) }
	var documents []any
	for _, t := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
		for _, p := range cfntemplate.OfType(resources, t) {
			if roles == nil || slices.ContainsFunc(cfntemplate.List(p["Roles"]), attached) {
				documents = append(documents, p["PolicyDocument"])
			}
		}
	}
	for id, r := range cfntemplate.OfType(resources, "AWS::IAM::Role") {
		if roles != nil && !slices.Contains(roles, id) {
			continue
		}
		for _, p := range cfntemplate.List(r["Policies"]) {
			p, _ := p.(map[string]any)
			documents = append(documents, p["PolicyDocument"])
		}
	}
	var statements []map[string]any
	for _, d := range documents {
		d, _ := d.(map[string]any)
		for _, s := range cfntemplate.Values(d["Statement"]) {
			if s, ok := s.(map[string]any); ok {
				statements = append(statements, s)
			}
		}
	}
	return statements
}
