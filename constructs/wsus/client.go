package wsus

import (
	_ "embed"
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// ClientScript sets the Windows Update policy values; it is the body of the client document.
//
//go:embed wsus-client.ps1
var ClientScript string

// ClientOutputPrefix is where client configuration runs write their output in the output bucket.
const ClientOutputPrefix = "wsus-client/"

// AUOptions values of the "Configure Automatic Updates" policy.
const (
	NotifyDownload              = 2
	AutoDownloadNotifyInstall   = 3
	AutoDownloadScheduleInstall = 4
	AllowLocalAdminToChoose     = 5
	AutoDownloadNotifyRestart   = 7
)

// ClientProps configures a ClientConfiguration. WsusURL and the target tag are required.
type ClientProps struct {
	// WsusURL is the server clients use, e.g. Server.URL().
	WsusURL *string
	// TargetTagKey and TargetTagValue select the instances to configure, created or brought.
	TargetTagKey, TargetTagValue string
	// TargetGroup is the WSUS computer group the clients join (client-side targeting).
	// Default: none (TargetGroupEnabled 0).
	TargetGroup string
	// AcceptTrustedPublisherCerts lets clients install updates signed by other trusted
	// publishers from WSUS. Default: false.
	AcceptTrustedPublisherCerts bool
	// NoAutoUpdate turns automatic updates off entirely. Default: false.
	NoAutoUpdate bool
	// AUOptions is the automatic update behaviour. Default: AutoDownloadNotifyInstall: updates
	// download ahead from WSUS, and Patch Manager decides when they install and reboot.
	AUOptions int
	// ScheduledInstallDay applies with AutoDownloadScheduleInstall: 0 every day, 1-7 Sunday to
	// Saturday. Default: 0.
	ScheduledInstallDay int
	// Schedule re-applies the settings to correct drift. Default: rate(1 day).
	Schedule string
	// OutputBucket receives the runs' output under ClientOutputPrefix. Default: none.
	OutputBucket awss3.IBucket
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
// It panics when props are invalid, before creating anything.
func NewClientConfiguration(scope constructs.Construct, id string, props *ClientProps) ClientConfiguration {
	p := *props
	if p.AUOptions == 0 {
		p.AUOptions = AutoDownloadNotifyInstall
	}
	if p.Schedule == "" {
		p.Schedule = "rate(1 day)"
	}
	switch {
	case p.WsusURL == nil || p.TargetTagKey == "" || p.TargetTagValue == "":
		panic(fmt.Sprintf("wsus client %s: WsusURL, TargetTagKey and TargetTagValue are required", id))
	case !slices.Contains([]int{NotifyDownload, AutoDownloadNotifyInstall, AutoDownloadScheduleInstall, AllowLocalAdminToChoose, AutoDownloadNotifyRestart}, p.AUOptions):
		panic(fmt.Sprintf("wsus client %s: AUOptions %d is not 2, 3, 4, 5 or 7", id, p.AUOptions))
	case p.ScheduledInstallDay < 0 || p.ScheduledInstallDay > 7:
		panic(fmt.Sprintf("wsus client %s: ScheduledInstallDay %d is not 0-7", id, p.ScheduledInstallDay))
	}
	c := &clientConfiguration{Construct: constructs.NewConstruct(scope, jsii.String(id))}
	c.document = newScriptDocument(c.Construct, "Document",
		"privatepatch: points the Windows Update client at WSUS (idempotent; reports what it changed)", "ConfigureWindowsUpdateClient",
		ClientScript, 600, []documentParameter{
			{"WsusUrl", "WSUS server URL, http://HOST:8530 or https://HOST:8531", "", `^https?://[A-Za-z0-9.-]+:853[01]$`},
			{"TargetGroup", "WSUS computer group (client-side targeting); empty for none", "", `^[A-Za-z0-9 _.-]{0,64}$`},
			{"AcceptTrustedPublisherCerts", "1 to accept updates signed by other trusted publishers", "0", "^[01]$"},
			{"NoAutoUpdate", "1 to turn automatic updates off", "0", "^[01]$"},
			{"AUOptions", "2 notify, 3 download and notify, 4 download and schedule, 5 local admin, 7 notify restart", "3", "^[23457]$"},
			{"ScheduledInstallDay", "0 every day, 1-7 Sunday to Saturday (with AUOptions 4)", "0", "^[0-7]$"},
		})
	c.association = newAssociation(c.Construct, "Association", c.document, []awsssm.CfnAssociation_TargetProperty{{
		Key: jsii.String("tag:" + p.TargetTagKey), Values: jsii.Strings(p.TargetTagValue),
	}}, p.Schedule, p.OutputBucket, ClientOutputPrefix, map[string]*string{
		"WsusUrl":                     p.WsusURL,
		"TargetGroup":                 jsii.String(p.TargetGroup),
		"AcceptTrustedPublisherCerts": jsii.String(flag(p.AcceptTrustedPublisherCerts)),
		"NoAutoUpdate":                jsii.String(flag(p.NoAutoUpdate)),
		"AUOptions":                   jsii.String(fmt.Sprint(p.AUOptions)),
		"ScheduledInstallDay":         jsii.String(fmt.Sprint(p.ScheduledInstallDay)),
	})
	// The fleet may be many instances: configure a quarter at a time, stop at a quarter failing.
	c.association.SetMaxConcurrency(jsii.String("25%"))
	c.association.SetMaxErrors(jsii.String("25%"))
	return c
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (c *clientConfiguration) Document() awsssm.CfnDocument       { return c.document }
func (c *clientConfiguration) Association() awsssm.CfnAssociation { return c.association }
