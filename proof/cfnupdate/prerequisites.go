package cfnupdate

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Prerequisite is a state of a stack's account and region that its update needs and does not
// create; only the AWS CLI, with credentials, can tell whether it holds (make check-update).
type Prerequisite struct {
	Stack, Kind string
	// Connection is the connection ARN of ConnectionAvailable, else empty.
	Connection string
	// Standard is the ARN path (standards/...) of StandardNotEnabled, else empty.
	Standard string
	// Table is, for NoGlueTable, DATABASE/TABLE; else empty.
	Table string
	// ResourceTypes are, for ConfigRecorder, the resource types the stack's rules evaluate
	// (their Scope's ComplianceResourceTypes), comma-separated and sorted; else empty.
	ResourceTypes string
}

// Kinds of prerequisites.
const (
	// ConfigRecorder: AWS Config rules evaluate only what a configuration recorder records
	// (DescribeConfigurationRecorderStatus lists the recorders, each with recording true or false),
	// and Security Hub's standards report control findings only on it too: "To receive control
	// findings in Security Hub CSPM, you must enable AWS Config for your account" ("Enabling and
	// configuring AWS Config for Security Hub CSPM", read 2026-12-07).
	ConfigRecorder = "config-recorder"
	// NoSecurityHub: a new AWS::SecurityHub::Hub fails where the account has one already
	// (EnableSecurityHub answers ResourceConflictException): use the existing one instead.
	NoSecurityHub = "no-security-hub"
	// SecurityHub: standards without a hub of their own need the account's (DescribeHub answers
	// it, or InvalidAccessException where Security Hub is not enabled).
	SecurityHub = "security-hub"
	// StandardNotEnabled: a new AWS::SecurityHub::Standard in a hub the update does not create
	// enables a standard that hub must not have enabled already: "ResourceConflictException:
	// Standards is already enabled" rolls the stack back (the failure reported, with the stack
	// event, in RoboFinSystems/robosystems#813, a hub's default standards against an explicit
	// one; read 2026-12-06). The Standard resource's identifier is the subscription ARN AWS
	// returns, so CloudFormation cannot adopt the enabled one. GetEnabledStandards lists the
	// enabled ones (StandardsSubscriptions[].StandardsArn).
	StandardNotEnabled = "standard-not-enabled"
	// ConnectionAvailable: a pipeline's CodeStarSourceConnection source reads the repository only
	// through an AVAILABLE connection. "A connection created through the AWS Command Line
	// Interface (AWS CLI) or AWS CloudFormation is in PENDING status by default" ("Update a
	// pending connection"), and "A pending connection is a connection that must be completed
	// (moved to available) before it can be used" ("Workflow to create or update connections";
	// both Developer Tools console User Guide, read 2026-12-06). GetConnection answers its
	// ConnectionStatus: PENDING, AVAILABLE or ERROR.
	ConnectionAvailable = "connection-available"
	// NoGlueTable: a new AWS::Glue::Table fails where the database has a table of its name
	// already (CreateTable answers AlreadyExistsException), such as one a crawler made before
	// the stack declared it. GetTable answers EntityNotFoundException where there is none (both
	// among the operations' errors in botocore 1.43.11's glue model, read 2026-12-06).
	NoGlueTable = "no-glue-table"
)

// Prerequisites lists what the update from before to after needs of each stack's account and
// region, by stack and kind.
func Prerequisites(before, after Deployment) []Prerequisite {
	out := configRecorders(after)
	for _, k := range after.keys() {
		r := after.resource(k)
		switch r["Type"] {
		case "AWS::SecurityHub::Hub":
			if before.resource(k) == nil {
				out = append(out, Prerequisite{Stack: k.Stack, Kind: NoSecurityHub})
			}
		case "AWS::SecurityHub::Standard":
			if !hasType(after[k.Stack], "AWS::SecurityHub::Hub") {
				out = append(out, Prerequisite{Stack: k.Stack, Kind: SecurityHub})
			}
			// A hub this update creates has no standard enabled (EnableDefaultStandards false),
			// and before it exists there is none to ask.
			newHub := hasType(after[k.Stack], "AWS::SecurityHub::Hub") && !hasType(before[k.Stack], "AWS::SecurityHub::Hub")
			if path := standardPath(r); before.resource(k) == nil && !newHub && path != "" {
				out = append(out, Prerequisite{Stack: k.Stack, Kind: StandardNotEnabled, Standard: path})
			}
		case "AWS::Glue::Table":
			if before.resource(k) == nil {
				if table := glueTable(r); table != "" {
					out = append(out, Prerequisite{Stack: k.Stack, Kind: NoGlueTable, Table: table})
				}
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
		if unique[i].Standard != unique[j].Standard {
			return unique[i].Standard < unique[j].Standard
		}
		if unique[i].Table != unique[j].Table {
			return unique[i].Table < unique[j].Table
		}
		return unique[i].Connection < unique[j].Connection
	})
	return unique
}

// configRecorders are the ConfigRecorder prerequisites: one per stack with Config rules or
// Security Hub standards, naming the resource types its rules are scoped to (the standards' many
// controls name none: a recording recorder is what they ask).
func configRecorders(after Deployment) []Prerequisite {
	types := map[string]map[string]bool{} // by stack
	for _, k := range after.keys() {
		r := after.resource(k)
		if r["Type"] != "AWS::Config::ConfigRule" && r["Type"] != "AWS::SecurityHub::Standard" {
			continue
		}
		if types[k.Stack] == nil {
			types[k.Stack] = map[string]bool{}
		}
		for _, t := range scopeTypes(r) {
			types[k.Stack][t] = true
		}
	}
	var out []Prerequisite
	for stack, set := range types {
		var sorted []string
		for t := range set {
			sorted = append(sorted, t)
		}
		sort.Strings(sorted)
		out = append(out, Prerequisite{Stack: stack, Kind: ConfigRecorder, ResourceTypes: strings.Join(sorted, ",")})
	}
	return out
}

// RecordedTypesNeeded says whether a template's Config rules or Security Hub standards need a
// recording configuration recorder, and the resource types its rules are scoped to (the
// ConfigRecorder prerequisite of one stack; make doctor asks it of a deployed template).
func RecordedTypesNeeded(template map[string]any) (types []string, needed bool) {
	for _, p := range configRecorders(Deployment{"": template}) {
		if p.ResourceTypes != "" {
			types = strings.Split(p.ResourceTypes, ",")
		}
		return types, true
	}
	return nil, false
}

// glueTable is a table's DATABASE/NAME, where both are literal; else "".
func glueTable(table map[string]any) string {
	props, _ := table["Properties"].(map[string]any)
	database, _ := props["DatabaseName"].(string)
	input, _ := props["TableInput"].(map[string]any)
	name, _ := input["Name"].(string)
	if database == "" || name == "" {
		return ""
	}
	return database + "/" + name
}

// scopeTypes are a Config rule's Scope.ComplianceResourceTypes, the literal ones.
func scopeTypes(rule map[string]any) []string {
	props, _ := rule["Properties"].(map[string]any)
	scope, _ := props["Scope"].(map[string]any)
	list, _ := scope["ComplianceResourceTypes"].([]any)
	var types []string
	for _, t := range list {
		if s, ok := t.(string); ok {
			types = append(types, s)
		}
	}
	return types
}

// RecordingRecorders are the names of the recorders DescribeConfigurationRecorderStatus'
// answer (statuses, as the AWS CLI prints it) says are recording, in its order: what standards
// without Config rules of their own ask, as make check-update counts them
// (ConfigurationRecordersStatus[?recording]).
func RecordingRecorders(statuses []byte) ([]string, error) {
	var status struct {
		ConfigurationRecordersStatus []struct {
			Name      string `json:"name"`
			Recording bool   `json:"recording"`
		} `json:"ConfigurationRecordersStatus"`
	}
	if err := json.Unmarshal(statuses, &status); err != nil {
		return nil, fmt.Errorf("describe-configuration-recorder-status: %w", err)
	}
	var names []string
	for _, s := range status.ConfigurationRecordersStatus {
		if s.Recording {
			names = append(names, s.Name)
		}
	}
	return names, nil
}

// UnrecordedTypes are the resource types of types that no configuration recorder records while
// recording: recorders is DescribeConfigurationRecorders' answer and statuses
// DescribeConfigurationRecorderStatus', as the AWS CLI prints them (JSON). A recorder records a
// type when its RecordingGroup has allSupported, not excluded (useOnly
// EXCLUSION_BY_RESOURCE_TYPES with the type in exclusionByResourceTypes), or lists it in
// resourceTypes ("RecordingGroup", AWS Config API Reference, as botocore 1.43.11's model carries
// it, read 2026-12-06). A service-linked recorder (servicePrincipal set) records for its linked
// service and is not counted: whether a customer's rule evaluates what it records, no page read
// says, and only a deployment shows.
func UnrecordedTypes(recorders, statuses []byte, types []string) ([]string, error) {
	var described struct {
		ConfigurationRecorders []struct {
			Name             string `json:"name"`
			ServicePrincipal string `json:"servicePrincipal"`
			RecordingGroup   struct {
				AllSupported             bool     `json:"allSupported"`
				ResourceTypes            []string `json:"resourceTypes"`
				ExclusionByResourceTypes struct {
					ResourceTypes []string `json:"resourceTypes"`
				} `json:"exclusionByResourceTypes"`
				RecordingStrategy struct {
					UseOnly string `json:"useOnly"`
				} `json:"recordingStrategy"`
			} `json:"recordingGroup"`
		} `json:"ConfigurationRecorders"`
	}
	if err := json.Unmarshal(recorders, &described); err != nil {
		return nil, fmt.Errorf("describe-configuration-recorders: %w", err)
	}
	names, err := RecordingRecorders(statuses)
	if err != nil {
		return nil, err
	}
	recording := map[string]bool{}
	for _, name := range names {
		recording[name] = true
	}
	records := func(t string) bool {
		for _, r := range described.ConfigurationRecorders {
			g := r.RecordingGroup
			if !recording[r.Name] || r.ServicePrincipal != "" {
				continue
			}
			switch {
			case g.RecordingStrategy.UseOnly == "EXCLUSION_BY_RESOURCE_TYPES":
				if !slices.Contains(g.ExclusionByResourceTypes.ResourceTypes, t) {
					return true
				}
			case g.AllSupported || slices.Contains(g.ResourceTypes, t):
				return true
			}
		}
		return false
	}
	var missing []string
	for _, t := range types {
		if t != "" && !records(t) {
			missing = append(missing, t)
		}
	}
	return missing, nil
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

// standardPath is the part of a Standard's StandardsArn after its "::" (standards/... or
// ruleset/...), the same in every region and partition; of an Fn::Join, its literal parts'.
func standardPath(standard map[string]any) string {
	props, _ := standard["Properties"].(map[string]any)
	var arn string
	switch v := props["StandardsArn"].(type) {
	case string:
		arn = v
	case map[string]any:
		join, _ := v["Fn::Join"].([]any)
		if len(join) == 2 {
			parts, _ := join[1].([]any)
			for _, part := range parts {
				if s, ok := part.(string); ok {
					arn += s
				}
			}
		}
	}
	if i := strings.LastIndex(arn, "::"); i >= 0 {
		return arn[i+2:]
	}
	return ""
}
