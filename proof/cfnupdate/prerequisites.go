package cfnupdate

import "sort"

// Prerequisite is a state of a stack's account and region that its update needs and does not
// create; only the AWS CLI, with credentials, can tell whether it holds (make check-update).
type Prerequisite struct {
	Stack, Kind string
}

// Kinds of prerequisites.
const (
	// ConfigRecorder: AWS Config rules evaluate only what a configuration recorder records
	// (DescribeConfigurationRecorderStatus lists the recorders, each with recording true or false).
	ConfigRecorder = "config-recorder"
	// NoSecurityHub: a new AWS::SecurityHub::Hub fails where the account has one already
	// (EnableSecurityHub answers ResourceConflictException): use the existing one instead.
	NoSecurityHub = "no-security-hub"
	// SecurityHub: standards without a hub of their own need the account's (DescribeHub answers
	// it, or InvalidAccessException where Security Hub is not enabled).
	SecurityHub = "security-hub"
)

// Prerequisites lists what the update from before to after needs of each stack's account and
// region, by stack and kind.
func Prerequisites(before, after Deployment) []Prerequisite {
	var out []Prerequisite
	for _, k := range after.keys() {
		r := after.resource(k)
		switch r["Type"] {
		case "AWS::Config::ConfigRule":
			out = append(out, Prerequisite{k.Stack, ConfigRecorder})
		case "AWS::SecurityHub::Hub":
			if before.resource(k) == nil {
				out = append(out, Prerequisite{k.Stack, NoSecurityHub})
			}
		case "AWS::SecurityHub::Standard":
			if !hasType(after[k.Stack], "AWS::SecurityHub::Hub") {
				out = append(out, Prerequisite{k.Stack, SecurityHub})
			}
		}
	}
	seen := map[Prerequisite]bool{}
	var unique []Prerequisite
	for _, p := range out {
		if !seen[p] {
			seen[p] = true
			unique = append(unique, p)
		}
	}
	sort.Slice(unique, func(i, j int) bool {
		if unique[i].Stack != unique[j].Stack {
			return unique[i].Stack < unique[j].Stack
		}
		return unique[i].Kind < unique[j].Kind
	})
	return unique
}

func hasType(template map[string]any, resourceType string) bool {
	resources, _ := template["Resources"].(map[string]any)
	for _, r := range resources {
		if r.(map[string]any)["Type"] == resourceType {
			return true
		}
	}
	return false
}
