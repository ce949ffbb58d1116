// Package compliance provides asset management for the patched fleet: resource groups built
// from asset tags (and one of a stack's resources), and CCE configuration checks that report to
// Systems Manager compliance.
package compliance

import (
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsresourcegroups"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
)

// WindowsChecks and LinuxChecks are the check scripts the document runs.
var (
	//go:embed cce-windows.ps1
	WindowsChecks string
	//go:embed cce-linux.sh
	LinuxChecks string
)

// ComplianceType is the Systems Manager compliance type the checks report under.
const ComplianceType = "Custom:CCE"

// OutputPrefix is where check runs write their output in the output bucket.
const OutputPrefix = "cce/"

// FailedChecksExitCode ends a run in which a check failed, after the results are reported: the
// run, and the instance's association, then fail, and State Manager's documented "EC2 State
// Manager Instance Association State Change" event with status Failed reaches the alerts. Systems
// Manager documents compliance events only for association and patch compliance, not for a
// Custom: type such as ComplianceType ("Reference: Amazon EventBridge event patterns and types for
// Systems Manager", read 2026-11-27). The scripts themselves exit 1 when they cannot run or report.
const FailedChecksExitCode = 2

// Verdicts are appended to the scripts by the document. They read the results each script
// collects ($results of objects with Pass; results of "id|severity|title|PASS or FAIL"), which
// test/assets_test.go checks the scripts still do; a script that exits early never reaches them.
var (
	WindowsVerdict = fmt.Sprintf(`if (@($results | Where-Object { -not $_.Pass }).Count -gt 0) { Write-Output 'privatepatch: configuration checks failed (see above)'; exit %d }`, FailedChecksExitCode)
	LinuxVerdict   = fmt.Sprintf(`for r in "${results[@]}"; do [ "${r##*|}" = PASS ] || { echo 'privatepatch: configuration checks failed (see above)'; exit %d; }; done`, FailedChecksExitCode)
)

// TagGroup is a resource group of the EC2 instances that carry all of Tags (compliancespec:
// rules there).
type TagGroup = compliancespec.ResourceGroup

// ResourceGroupsProps configures ResourceGroups.
type ResourceGroupsProps struct {
	// Groups are tag-query groups. Default: none.
	Groups []TagGroup
	// StackGroupName, when set, names a group of every resource of the scope's stack.
	// Default: none.
	StackGroupName string
}

// ResourceGroups are AWS::ResourceGroups::Group resources.
type ResourceGroups interface {
	constructs.Construct
	// Groups by name.
	Groups() map[string]awsresourcegroups.CfnGroup
}

type resourceGroups struct {
	constructs.Construct
	groups map[string]awsresourcegroups.CfnGroup
}

func (r *resourceGroups) Groups() map[string]awsresourcegroups.CfnGroup { return r.groups }

// NewResourceGroups creates the groups. It panics when props are invalid, before creating
// anything, with an error naming every bad prop.
func NewResourceGroups(scope constructs.Construct, id string, p *ResourceGroupsProps) ResourceGroups {
	if p == nil {
		panic(spec.NilProps(fmt.Sprintf("compliance.NewResourceGroups(%q)", id), "ResourceGroupsProps"))
	}
	problems := compliancespec.GroupsProblems("Groups", p.Groups)
	if err := problems.Err(fmt.Sprintf("compliance.NewResourceGroups(%q)", id), "ResourceGroupsProps"); err != nil {
		panic(err)
	}
	parent := constructs.NewConstruct(scope, jsii.String(id))
	groups := map[string]awsresourcegroups.CfnGroup{}
	for _, g := range p.Groups {
		keys := slices.Sorted(maps.Keys(g.Tags))
		var filters []any
		for _, k := range keys {
			filters = append(filters, &awsresourcegroups.CfnGroup_TagFilterProperty{Key: jsii.String(k), Values: jsii.Strings(g.Tags[k])})
		}
		groups[g.Name] = awsresourcegroups.NewCfnGroup(parent, jsii.String(g.Name), &awsresourcegroups.CfnGroupProps{
			Name:        jsii.String(g.Name),
			Description: jsii.String(descriptionText("privatepatch EC2 instances tagged " + describe(g.Tags, keys))),
			ResourceQuery: &awsresourcegroups.CfnGroup_ResourceQueryProperty{
				Type: jsii.String("TAG_FILTERS_1_0"),
				Query: &awsresourcegroups.CfnGroup_QueryProperty{
					ResourceTypeFilters: jsii.Strings("AWS::EC2::Instance"),
					TagFilters:          filters,
				},
			},
		})
	}
	if p.StackGroupName != "" {
		stack := awscdk.Stack_Of(scope)
		groups[p.StackGroupName] = awsresourcegroups.NewCfnGroup(parent, jsii.String("Stack"), &awsresourcegroups.CfnGroupProps{
			Name:        jsii.String(p.StackGroupName),
			Description: jsii.String(descriptionText("privatepatch every resource of stack " + *stack.StackName())),
			ResourceQuery: &awsresourcegroups.CfnGroup_ResourceQueryProperty{
				Type: jsii.String("CLOUDFORMATION_STACK_1_0"),
				Query: &awsresourcegroups.CfnGroup_QueryProperty{
					ResourceTypeFilters: jsii.Strings("AWS::AllSupported"),
					StackIdentifier:     stack.StackId(),
				},
			},
		})
	}
	return &resourceGroups{Construct: parent, groups: groups}
}

func describe(tags map[string]string, keys []string) string {
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+" "+tags[k])
	}
	return strings.Join(parts, " and ")
}

// descriptionText keeps the characters a resource group description may hold (letters, digits,
// spaces and _ . -), up to its 1024.
func descriptionText(s string) string {
	out := []rune{}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == ' ', r == '_', r == '.', r == '-':
			out = append(out, r)
		default:
			out = append(out, ' ')
		}
	}
	if len(out) > 1024 {
		out = out[:1024]
	}
	return string(out)
}

// ChecksProps configures ConfigurationChecks. A target is required: a tag or a resource group.
type ChecksProps struct {
	// NamePrefix starts the association names, e.g. the project. Default: none.
	NamePrefix string
	// TargetTagKey and TargetTagValue select the instances to check...
	TargetTagKey, TargetTagValue string
	// ...or ResourceGroup does, by name.
	ResourceGroup string
	// InstanceIds are checked too, in an association of their own (e.g. the WSUS server, which
	// is in no fleet group). Default: none.
	InstanceIds []*string
	// Schedule of the checks. Default: ssmschedule.Daily.
	Schedule string
	// OutputBucket receives the output under OutputPrefix. Default: none.
	OutputBucket awss3.IBucket
}

// ConfigurationChecks is the check document and the associations that run it.
type ConfigurationChecks interface {
	constructs.Construct
	Document() awsssm.CfnDocument
	Associations() []awsssm.CfnAssociation
}

type configurationChecks struct {
	constructs.Construct
	document     awsssm.CfnDocument
	associations []awsssm.CfnAssociation
}

func (c *configurationChecks) Document() awsssm.CfnDocument          { return c.document }
func (c *configurationChecks) Associations() []awsssm.CfnAssociation { return c.associations }

// NewConfigurationChecks creates a Command document that runs the Windows or the Linux checks,
// by platform, and the State Manager associations that run it on a schedule. Each run reports
// its results as compliance type ComplianceType; failed checks make the instance NON_COMPLIANT
// and the run fail (FailedChecksExitCode).
func NewConfigurationChecks(scope constructs.Construct, id string, p *ChecksProps) ConfigurationChecks {
	if p == nil {
		panic(spec.NilProps(fmt.Sprintf("compliance.NewConfigurationChecks(%q)", id), "ChecksProps"))
	}
	schedule := p.Schedule
	if schedule == "" {
		schedule = ssmschedule.Daily
	}
	problems := ssmschedule.AssociationProblems("Schedule", schedule)
	if (p.TargetTagKey == "") == (p.ResourceGroup == "") {
		problems.Add("TargetTagKey", p.TargetTagKey, "or ResourceGroup (%q) is required, not both: the instances to check", p.ResourceGroup)
	}
	if err := problems.Err(fmt.Sprintf("compliance.NewConfigurationChecks(%q)", id), "ChecksProps"); err != nil {
		panic(err)
	}
	for name, script := range map[string]string{"windows": WindowsChecks, "linux": LinuxChecks} {
		if strings.Contains(script, "{{") {
			panic(fmt.Sprintf("configuration checks %s: the %s script contains {{, which SSM would read as a parameter", id, name))
		}
	}
	parent := constructs.NewConstruct(scope, jsii.String(id))
	checks := &configurationChecks{Construct: parent, document: awsssm.NewCfnDocument(parent, jsii.String("Document"), &awsssm.CfnDocumentProps{
		DocumentType: jsii.String("Command"),
		UpdateMethod: jsii.String("NewVersion"),
		Content:      checksDocumentContent(),
	})}
	// The fleet by resource group or by tag, and the listed instances besides.
	if p.ResourceGroup != "" {
		checks.addAssociation(parent, p, schedule, "Association", "configuration-checks", &awsssm.CfnAssociation_TargetProperty{
			Key: jsii.String("resource-groups:Name"), Values: jsii.Strings(p.ResourceGroup)})
	} else {
		checks.addAssociation(parent, p, schedule, "Association", "configuration-checks", &awsssm.CfnAssociation_TargetProperty{
			Key: jsii.String("tag:" + p.TargetTagKey), Values: jsii.Strings(p.TargetTagValue)})
	}
	if len(p.InstanceIds) > 0 {
		checks.addAssociation(parent, p, schedule, "InstancesAssociation", "configuration-checks-instances", &awsssm.CfnAssociation_TargetProperty{
			Key: jsii.String("InstanceIds"), Values: &p.InstanceIds})
	}
	return checks
}

// checksDocumentContent is the Command document: the Windows checks in PowerShell, the Linux
// checks in bash, each step on its platform only.
func checksDocumentContent() map[string]any {
	return map[string]any{
		"schemaVersion": "2.2",
		"description":   "privatepatch: CCE configuration checks, reported to Systems Manager compliance as " + ComplianceType,
		"mainSteps": []any{
			map[string]any{
				"action": "aws:runPowerShellScript", "name": "WindowsChecks",
				"precondition": map[string]any{"StringEquals": []any{"platformType", "Windows"}},
				"inputs":       map[string]any{"timeoutSeconds": "600", "runCommand": append(lines(WindowsChecks), WindowsVerdict)},
			},
			map[string]any{
				"action": "aws:runShellScript", "name": "LinuxChecks",
				"precondition": map[string]any{"StringEquals": []any{"platformType", "Linux"}},
				// Through bash whatever /bin/sh is: the script uses arrays.
				"inputs": map[string]any{"timeoutSeconds": "600", "runCommand": append(append([]string{"bash <<'PRIVATEPATCH_CCE'"},
					lines(LinuxChecks)...), LinuxVerdict, "PRIVATEPATCH_CCE")},
			},
		},
	}
}

// addAssociation runs the checks on target on the schedule (association id, named the prefix
// and name), writing the output to the bucket when there is one.
func (checks *configurationChecks) addAssociation(parent constructs.Construct, p *ChecksProps, schedule string,
	id, name string, target *awsssm.CfnAssociation_TargetProperty) {
	props := &awsssm.CfnAssociationProps{
		Name:               checks.document.Ref(),
		AssociationName:    jsii.String(p.NamePrefix + name),
		DocumentVersion:    jsii.String("$LATEST"),
		Targets:            []any{target},
		ScheduleExpression: jsii.String(schedule),
		MaxConcurrency:     jsii.String(compliancespec.ChecksMaxConcurrency),
		MaxErrors:          jsii.String(compliancespec.ChecksMaxErrors),
		ComplianceSeverity: jsii.String("HIGH"),
	}
	if p.OutputBucket != nil {
		props.OutputLocation = &awsssm.CfnAssociation_InstanceAssociationOutputLocationProperty{
			S3Location: &awsssm.CfnAssociation_S3OutputLocationProperty{
				OutputS3BucketName: p.OutputBucket.BucketName(),
				OutputS3KeyPrefix:  jsii.String(OutputPrefix),
				OutputS3Region:     awscdk.Stack_Of(parent).Region(),
			},
		}
	}
	checks.associations = append(checks.associations, awsssm.NewCfnAssociation(parent, jsii.String(id), props))
}

func lines(script string) []string {
	return strings.Split(strings.TrimRight(script, "\n"), "\n")
}
