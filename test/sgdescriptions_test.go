package test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
)

// securityGroupDescriptions lists every security group's and security group rule's description in
// template, each with where it is: inline rules of AWS::EC2::SecurityGroup and the separate
// AWS::EC2::SecurityGroupIngress and Egress resources.
func securityGroupDescriptions(template map[string]any) map[string]string {
	found := map[string]string{}
	add := func(where string, value any) {
		if text, ok := value.(string); ok {
			found[where] = text
		}
	}
	for id, resource := range resourcesOf(template, "AWS::EC2::SecurityGroup") {
		p := props(resource)
		add(id+".GroupDescription", p["GroupDescription"])
		for _, key := range []string{"SecurityGroupIngress", "SecurityGroupEgress"} {
			rules, _ := p[key].([]any)
			for i, rule := range rules {
				if r, ok := rule.(map[string]any); ok {
					add(fmt.Sprintf("%s.%s.%d.Description", id, key, i), r["Description"])
				}
			}
		}
	}
	for _, resourceType := range []string{"AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"} {
		for id, resource := range resourcesOf(template, resourceType) {
			add(id+".Description", props(resource)["Description"])
		}
	}
	return found
}

// EC2 refuses a security group or rule description with a character outside its set, an
// apostrophe for one, and CloudFormation fails the stack's first deploy on it
// (networkspec.SecurityGroupDescriptionProblem).
func TestSecurityGroupDescriptionsUseOnlyCharactersEc2Accepts(t *testing.T) {
	planted := map[string]any{"Resources": map[string]any{"Group": map[string]any{"Type": "AWS::EC2::SecurityGroup",
		"Properties": map[string]any{"GroupDescription": "ok", "SecurityGroupEgress": []any{map[string]any{"Description": "the region's list"}}}}}}
	assert.NotEmpty(t, networkspec.SecurityGroupDescriptionProblem(securityGroupDescriptions(planted)["Group.SecurityGroupEgress.0.Description"]),
		"planted: an inline rule's apostrophe is found")

	checked := 0
	for _, sc := range allScenarios() {
		s := sc.synth(t)
		for stack, template := range map[string]map[string]any{"network": s.template, "fleet": s.fleetJSON, "patching": s.patchJSON} {
			for where, text := range securityGroupDescriptions(template) {
				checked++
				assert.Empty(t, networkspec.SecurityGroupDescriptionProblem(text), "%s %s %s", sc.name, stack, where)
			}
		}
	}
	assert.Greater(t, checked, 100, "the descriptions of every scenario's groups and rules are read")
}
