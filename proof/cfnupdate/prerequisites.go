package cfnupdate

import "sort"

// Prerequisite is a state of a stack's account and region that its update needs and does not
// create; only the AWS CLI, with credentials, can tell whether it holds (make check-update).
type Prerequisite struct {
	Stack, Kind string
	// Connection is the connection ARN of ConnectionAvailable, else empty.
	Connection string
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
	// ConnectionAvailable: a pipeline's CodeStarSourceConnection source reads the repository only
	// through an AVAILABLE connection. "A connection created through the AWS Command Line
	// Interface (AWS CLI) or AWS CloudFormation is in PENDING status by default" ("Update a
	// pending connection"), and "A pending connection is a connection that must be completed
	// (moved to available) before it can be used" ("Workflow to create or update connections";
	// both Developer Tools console User Guide, read 2026-12-06). GetConnection answers its
	// ConnectionStatus: PENDING, AVAILABLE or ERROR.
	ConnectionAvailable = "connection-available"
)

// Prerequisites lists what the update from before to after needs of each stack's account and
// region, by stack and kind.
func Prerequisites(before, after Deployment) []Prerequisite {
	var out []Prerequisite
	for _, k := range after.keys() {
		r := after.resource(k)
		switch r["Type"] {
		case "AWS::Config::ConfigRule":
			out = append(out, Prerequisite{Stack: k.Stack, Kind: ConfigRecorder})
		case "AWS::SecurityHub::Hub":
			if before.resource(k) == nil {
				out = append(out, Prerequisite{Stack: k.Stack, Kind: NoSecurityHub})
			}
		case "AWS::SecurityHub::Standard":
			if !hasType(after[k.Stack], "AWS::SecurityHub::Hub") {
				out = append(out, Prerequisite{Stack: k.Stack, Kind: SecurityHub})
			}
		case "AWS::CodePipeline::Pipeline":
			for _, arn := range sourceConnections(r) {
				out = append(out, Prerequisite{Stack: k.Stack, Kind: ConnectionAvailable, Connection: arn})
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
		if unique[i].Kind != unique[j].Kind {
			return unique[i].Kind < unique[j].Kind
		}
		return unique[i].Connection < unique[j].Connection
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

// sourceConnections are the connection ARNs of a pipeline's CodeStarSourceConnection actions.
func sourceConnections(pipeline map[string]any) []string {
	var arns []string
	props, _ := pipeline["Properties"].(map[string]any)
	stages, _ := props["Stages"].([]any)
	for _, st := range stages {
		stage, _ := st.(map[string]any)
		actions, _ := stage["Actions"].([]any)
		for _, a := range actions {
			action, _ := a.(map[string]any)
			typeID, _ := action["ActionTypeId"].(map[string]any)
			config, _ := action["Configuration"].(map[string]any)
			if arn, ok := config["ConnectionArn"].(string); ok && typeID["Provider"] == "CodeStarSourceConnection" {
				arns = append(arns, arn)
			}
		}
	}
	return arns
}
