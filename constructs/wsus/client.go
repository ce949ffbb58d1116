package wsus

import (
	_ "embed"
	"fmt"

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
	// OutputBucket receives the runs' output under ClientOutputPrefix. Default: none.
	OutputBucket awss3.IBucket
}

// problems are the props' problems, after defaults.
func (p *ClientProps) problems() spec.Problems {
	problems := p.Client.Problems()
	if p.WsusURL == nil {
		problems.Add("WsusURL", nil, "is required")
	}
	if p.TargetTagKey == "" {
		problems.Add("TargetTagKey", "", "is required")
	}
	if p.TargetTagValue == "" {
		problems.Add("TargetTagValue", "", "is required")
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
}

type clientConfiguration struct {
	constructs.Construct
	document    awsssm.CfnDocument
	association awsssm.CfnAssociation
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
	c.association = newAssociation(c.Construct, "Association", c.document, []awsssm.CfnAssociation_TargetProperty{{
		Key: jsii.String("tag:" + p.TargetTagKey), Values: jsii.Strings(p.TargetTagValue),
	}}, p.Schedule, p.OutputBucket, ClientOutputPrefix, map[string]*string{
		"WsusUrl":                     p.WsusURL,
		"TargetGroup":                 jsii.String(p.TargetGroup),
		"AcceptTrustedPublisherCerts": jsii.String(wsusspec.Flag(p.AcceptTrustedPublisherCerts)),
		"NoAutoUpdate":                jsii.String(wsusspec.Flag(p.NoAutoUpdate)),
		"AUOptions":                   jsii.String(fmt.Sprint(p.AUOptions)),
		"ScheduledInstallDay":         jsii.String(fmt.Sprint(p.ScheduledInstallDay)),
	})
	// The fleet may be many instances: configure a quarter at a time, stop at a quarter failing.
	c.association.SetMaxConcurrency(jsii.String("25%"))
	c.association.SetMaxErrors(jsii.String("25%"))
	return c
}

func (c *clientConfiguration) Document() awsssm.CfnDocument       { return c.document }
func (c *clientConfiguration) Association() awsssm.CfnAssociation { return c.association }
