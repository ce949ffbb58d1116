package wsus

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsresourcegroups"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// ClientScript sets the Windows Update policy values; it is the body of the client document.
//
//go:embed wsus-client.ps1
var ClientScript string

// ClientOutputPrefix is where client configuration runs write their output in the output bucket.
const ClientOutputPrefix = "wsus-client/"

// ClientProps configures a ClientConfiguration: the clients' settings (wsusspec.Client:
// defaults and rules there) and which instances get them. WsusURL and the target tag are required.
type ClientProps struct {
	wsusspec.Client
	// WsusURL is the server clients use, e.g. Server.URL().
	WsusURL *string
	// TargetTagKey and TargetTagValue select the instances to configure, created or brought.
	TargetTagKey, TargetTagValue string
	// Ec2GroupName names the resource group the association targets, created here: the EC2
	// instances with the target tag and no other resource type (ResourceTypeFilters
	// AWS::EC2::Instance), so that hybrid nodes (mi-, AWS::SSM::ManagedInstance) tagged into the
	// fleet are left out: the client settings point at WSUS's private address, which
	// on-premises networks do not reach, and forbid Windows Update. Unique in the account and
	// region. Required unless IncludeHybridNodes.
	Ec2GroupName string
	// IncludeHybridNodes targets the tag itself, hybrid nodes included: only where on-premises
	// networks reach WSUS's private address. Default: false.
	IncludeHybridNodes bool
	// OutputBucket receives the runs' output under ClientOutputPrefix. Default: none.
	OutputBucket awss3.IBucket
}

// problems are the props' problems, after defaults.
func (p *ClientProps) problems() spec.Problems {
	problems := p.Client.Problems()
	if p.WsusURL == nil {
		problems.Add("WsusURL", nil, "is required")
	} else if !*awscdk.Token_IsUnresolved(p.WsusURL) && !wsusspec.WellFormedURL(*p.WsusURL) {
		problems.Add("WsusURL", *p.WsusURL, "is not a WSUS URL: use http://HOST:%d or https://HOST:%d (WSUS serves HTTPS on %d and its content over HTTP on %d)",
			wsusspec.HTTPPort, wsusspec.HTTPSPort, wsusspec.HTTPSPort, wsusspec.HTTPPort)
	}
	if p.TargetTagKey == "" {
		problems.Add("TargetTagKey", "", "is required")
	}
	if p.TargetTagValue == "" {
		problems.Add("TargetTagValue", "", "is required")
	}
	if !p.IncludeHybridNodes && !validGroupName(p.Ec2GroupName) {
		problems.Add("Ec2GroupName", p.Ec2GroupName, "is required unless IncludeHybridNodes: 1-128 letters, digits and _ . -, "+
			"not starting with AWS (the association targets this group of EC2 instances, so that hybrid nodes are left out)")
	}
	return problems
}

// Validate reports every problem of props, each naming its prop, or nil: what
// NewClientConfiguration would panic with.
func (p *ClientProps) Validate() error {
	d := *p
	d.Client = d.Client.WithDefaults()
	return d.problems().Err("wsus.NewClientConfiguration", "ClientProps")
}

// ClientConfiguration is the document and association that point Windows Update at WSUS.
type ClientConfiguration interface {
	constructs.Construct
	// Document sets the policy registry values.
	Document() awsssm.CfnDocument
	// Association applies Document to the target instances, now and on Schedule.
	Association() awsssm.CfnAssociation
	// Ec2Group is the resource group of EC2 instances the association targets, or nil with
	// IncludeHybridNodes.
	Ec2Group() awsresourcegroups.CfnGroup
}

type clientConfiguration struct {
	constructs.Construct
	document    awsssm.CfnDocument
	association awsssm.CfnAssociation
	group       awsresourcegroups.CfnGroup
}

// ec2GroupNamePattern is a resource group name (AWS::ResourceGroups::Group Name: up to 128
// letters, digits and _ . -), which may not start with AWS or aws (validGroupName).
var ec2GroupNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)

func validGroupName(name string) bool {
	return ec2GroupNamePattern.MatchString(name) && !strings.HasPrefix(strings.ToLower(name), "aws")
}

// NewClientConfiguration creates the WSUS client document and its State Manager association.
// It panics when props are invalid, before creating anything, with an error naming every bad
// prop (ClientProps.Validate returns it).
func NewClientConfiguration(scope constructs.Construct, id string, props *ClientProps) ClientConfiguration {
	if props == nil {
		panic(spec.NilProps(fmt.Sprintf("wsus.NewClientConfiguration(%q)", id), "ClientProps"))
	}
	p := *props
	p.Client = p.Client.WithDefaults()
	if err := p.problems().Err(fmt.Sprintf("wsus.NewClientConfiguration(%q)", id), "ClientProps"); err != nil {
		panic(err)
	}
	c := &clientConfiguration{Construct: constructs.NewConstruct(scope, jsii.String(id))}
	c.document = newScriptDocument(c.Construct, "Document",
		"privatepatch: points the Windows Update client at WSUS (idempotent; reports what it changed)", "ConfigureWindowsUpdateClient",
		ClientScript, 600, wsusspec.ClientParameters())
	target := awsssm.CfnAssociation_TargetProperty{Key: jsii.String("tag:" + p.TargetTagKey), Values: jsii.Strings(p.TargetTagValue)}
	if !p.IncludeHybridNodes {
		target = awsssm.CfnAssociation_TargetProperty{Key: jsii.String("resource-groups:Name"), Values: jsii.Strings(p.Ec2GroupName)}
	}
	parameters := map[string]*string{"WsusUrl": p.WsusURL}
	for name, value := range p.Client.PolicyParameters() {
		parameters[name] = jsii.String(value)
	}
	c.association = newAssociation(c.Construct, "Association", c.document, []awsssm.CfnAssociation_TargetProperty{target}, p.Schedule, p.OutputBucket, ClientOutputPrefix, parameters)
	if !p.IncludeHybridNodes {
		// A State Manager association may target a resource group by name ("Creating
		// associations", AWS Systems Manager User Guide, read 2026-12-06: --targets
		// Key=resource-groups:Name,Values=WindowsInstancesGroup); resource-groups:ResourceTypeFilters
		// is documented for maintenance window targets only, so the type filter is the group's
		// own ("AWS::ResourceGroups::Group Query": with ResourceTypeFilters [AWS::EC2::Instance]
		// "only EC2 instances ... can be members").
		c.group = awsresourcegroups.NewCfnGroup(c.Construct, jsii.String("Ec2Instances"), &awsresourcegroups.CfnGroupProps{
			Name: jsii.String(p.Ec2GroupName),
			// The Description takes letters, digits, spaces and _ . - only (^[\sa-zA-Z0-9_\.-]*$).
			Description: jsii.String("privatepatch - the EC2 instances the WSUS client configuration applies to - hybrid nodes cannot reach WSUS"),
			ResourceQuery: &awsresourcegroups.CfnGroup_ResourceQueryProperty{
				Type: jsii.String("TAG_FILTERS_1_0"),
				Query: &awsresourcegroups.CfnGroup_QueryProperty{
					ResourceTypeFilters: jsii.Strings("AWS::EC2::Instance"),
					TagFilters:          &[]*awsresourcegroups.CfnGroup_TagFilterProperty{{Key: jsii.String(p.TargetTagKey), Values: jsii.Strings(p.TargetTagValue)}},
				},
			},
		})
		c.association.AddResourceDependency(c.group, jsii.String("the association targets the group: it must exist first"))
	}
	c.association.SetMaxConcurrency(jsii.String(wsusspec.ClientMaxConcurrency))
	c.association.SetMaxErrors(jsii.String(wsusspec.ClientMaxErrors))
	return c
}

func (c *clientConfiguration) Document() awsssm.CfnDocument         { return c.document }
func (c *clientConfiguration) Association() awsssm.CfnAssociation   { return c.association }
func (c *clientConfiguration) Ec2Group() awsresourcegroups.CfnGroup { return c.group }
