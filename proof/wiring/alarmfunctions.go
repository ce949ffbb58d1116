package wiring

import (
	"fmt"
	"maps"
	"slices"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// AlarmFunctions checks that each alarm metric in AWS/Lambda names, by its FunctionName dimension,
// a function of the template: by Ref (AWS::Lambda::Function's primary identifier is its
// FunctionName, and "If you don't specify a name, CloudFormation generates one", its resource
// schema as @aws-cdk/aws-service-spec carries it, read 2026-12-07), or by the literal name a
// function of the template is given. Another name is another function's metrics, or none: the
// alarm never sees this function's errors (held-out run 36's B09: the finding filter's errors
// alarm given the literal FindingFilterFunction, where the function's name is generated).
func AlarmFunctions(templates ...map[string]any) []string {
	var problems []string
	for _, template := range templates {
		resources := cfntemplate.Resources(template)
		functions := cfntemplate.OfType(resources, "AWS::Lambda::Function")
		names := map[string]bool{}
		for _, f := range functions {
			if name, literal := f["FunctionName"].(string); literal {
				names[name] = true
			}
		}
		alarms := cfntemplate.OfType(resources, "AWS::CloudWatch::Alarm")
		for _, id := range slices.Sorted(maps.Keys(alarms)) {
			for _, metric := range metricsOfAlarm(alarms[id]) {
				if cfntemplate.Text(metric["Namespace"]) != "AWS/Lambda" {
					continue
				}
				for _, d := range cfntemplate.List(metric["Dimensions"]) {
					d, _ := d.(map[string]any)
					if cfntemplate.Text(d["Name"]) != "FunctionName" {
						continue
					}
					_, byRef := functions[cfntemplate.Ref(d["Value"])]
					literal, isLiteral := d["Value"].(string)
					if !byRef && !(isLiteral && names[literal]) {
						problems = append(problems, fmt.Sprintf("alarm %s: reads %s of AWS/Lambda for FunctionName %s, no function of the stack: it never sees the stack's functions' %s",
							id, cfntemplate.Text(metric["MetricName"]), rendered(d["Value"]), cfntemplate.Text(metric["MetricName"])))
					}
				}
			}
		}
	}
	return problems
}

// metricsOfAlarm are an alarm's metrics: its own (Namespace, MetricName, Dimensions), or each of
// its Metrics' MetricStat.Metric.
func metricsOfAlarm(alarm map[string]any) []map[string]any {
	if alarm["Namespace"] != nil {
		return []map[string]any{alarm}
	}
	var metrics []map[string]any
	for _, m := range cfntemplate.List(alarm["Metrics"]) {
		m, _ := m.(map[string]any)
		stat, _ := m["MetricStat"].(map[string]any)
		if metric, ok := stat["Metric"].(map[string]any); ok {
			metrics = append(metrics, metric)
		}
	}
	return metrics
}
