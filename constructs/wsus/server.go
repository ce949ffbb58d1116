// Package wsus provides a WSUS server (a Windows Server instance in a public subnet with a
// retained update-store volume, configured by a re-runnable SSM document) and the State Manager
// configuration that points Windows instances' update clients at it.
package wsus

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/tagspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"

	"github.com/privatepatch/privatepatch/constructs/logbucket"
	"github.com/privatepatch/privatepatch/constructs/managedinstance"
	"github.com/privatepatch/privatepatch/constructs/windows"
)

// SetupScript configures WSUS; it is the body of the setup document.
//
//go:embed wsus-setup.ps1
var SetupScript string

// HealthScript publishes the server's health metrics; it is the body of the health document.
//
//go:embed wsus-health.ps1
var HealthScript string

// HealthNamespaceOf is the namespace a deployment's server publishes its health in (wsusspec).
func HealthNamespaceOf(namePrefix string) string { return wsusspec.HealthNamespaceOf(namePrefix) }

// Health metrics the server publishes every 30 minutes, with dimension InstanceId (wsusspec).
const (
	HealthNamespace          = wsusspec.HealthNamespace
	MetricUpdateStoreFree    = wsusspec.MetricUpdateStoreFree
	MetricLastSyncSucceeded  = wsusspec.MetricLastSyncSucceeded
	MetricHoursSinceLastSync = wsusspec.MetricHoursSinceLastSync
	healthSchedule           = "rate(30 minutes)"
)

// HTTPPort and HTTPSPort are WSUS's ports (wsusspec has the server's rules).
const (
	HTTPPort  = wsusspec.HTTPPort
	HTTPSPort = wsusspec.HTTPSPort
	// SetupOutputPrefix is where setup runs write their output in the output bucket.
	SetupOutputPrefix = "wsus-setup/"
)

// ServerProps configures a Server: the server's settings (wsusspec.Server: defaults and rules
// there) and where it goes. Vpc and SecurityGroup are required.
type ServerProps struct {
	wsusspec.Server
	// Vpc holds the server.
	Vpc awsec2.IVpc
	// SecurityGroup is the server's group (WSUS ports from the clients, out 80/443).
	SecurityGroup awsec2.ISecurityGroup
	// SubnetGroupName places the server in the first subnet of this group. Default: "Public".
	SubnetGroupName string
	// WithoutElasticIp leaves out the Elastic IP: for a server in a private subnet whose route to
	// Microsoft Update is a NAT. Default: false, the server (in a public subnet) gets one.
	WithoutElasticIp bool
	// TargetGroups are created for client-side targeting. Default: none (server-side targeting).
	TargetGroups []string
	// OutputBucket receives the setup runs' output under SetupOutputPrefix. Default: none
	// (output stays in Systems Manager, truncated).
	OutputBucket awss3.IBucket
	// PatchGroup is tagged as "Patch Group" and "PatchGroup", so a maintenance window patches
	// the server. Default: none.
	PatchGroup string
	// Tags are added to the server and its volumes (asset tags). Default: none.
	Tags map[string]string
	// HealthNamespace is where the server publishes its health metrics. Default: HealthNamespace.
	HealthNamespace string
	// DetachUpdateStore leaves the update store unattached. A volume is attached to one
	// instance at a time, and CloudFormation attaches a replacement instance's volume before it
	// detaches the old one: deploy once detached, then replace the instance (new AMI or Windows
	// version) with the store attached again. WSUS does not serve in between. Default: false.
	DetachUpdateStore bool
}

// Server is the WSUS server and its parts. Callers connect to it (awsec2.IConnectable: its
// security group) and grant to it (awsiam.IGrantable: its role).
type Server interface {
	constructs.Construct
	awsec2.IConnectable
	awsiam.IGrantable
	// Instance is the server.
	Instance() awsec2.Instance
	// Role is the server's instance role.
	Role() awsiam.IRole
	// UpdateStore is the volume holding the update content.
	UpdateStore() awsec2.IVolume
	// URL is the address clients use, e.g. http://10.0.0.10:8530.
	URL() *string
	// SetupDocument installs and configures WSUS.
	SetupDocument() awsssm.CfnDocument
	// SetupAssociation runs SetupDocument on the server, now and on a schedule.
	SetupAssociation() awsssm.CfnAssociation
	// CleanupAssociation runs the cleanup and SUSDB re-index on Cleanup.Schedule; nil when
	// Cleanup is off.
	CleanupAssociation() awsssm.CfnAssociation
}

type server struct {
	constructs.Construct
	instance    awsec2.Instance
	role        awsiam.Role
	updateStore awsec2.Volume
	url         *string
	document    awsssm.CfnDocument
	association awsssm.CfnAssociation
	cleanup     awsssm.CfnAssociation
}

func (p *ServerProps) withDefaults() ServerProps {
	d := *p
	d.Server = d.Server.WithDefaults()
	if d.SubnetGroupName == "" {
		d.SubnetGroupName = "Public"
	}
	return d
}

// problems are the props' problems, after defaults.
func (p *ServerProps) problems() spec.Problems {
	problems := p.Server.Problems()
	if p.Vpc == nil {
		problems.Add("Vpc", nil, "is required")
	}
	if p.SecurityGroup == nil {
		problems.Add("SecurityGroup", nil, "is required")
	}
	if p.PatchGroup != "" && !tagspec.ValidValue(p.PatchGroup) {
		problems.Add("PatchGroup", p.PatchGroup, "%s", tagspec.PatchGroupRules)
	}
	problems.Within("Tags", tagspec.Problems(p.Tags))
	for i, group := range p.TargetGroups {
		if !wsusspec.ValidTargetGroup(group) {
			problems.Add(fmt.Sprintf("TargetGroups[%d]", i), group, "is not allowed: use up to 64 letters, digits, spaces and _ . -")
		}
	}
	return problems
}

// Validate reports every problem of props, each naming its prop, or nil: what NewServer would
// panic with, for a caller that would rather have an error.
func (p *ServerProps) Validate() error {
	d := p.withDefaults()
	return d.problems().Err("wsus.NewServer", "ServerProps")
}

// NewServer creates the WSUS server, its update store, and the association that configures it.
// It panics when props are invalid, before creating anything, with an error naming every bad
// prop (ServerProps.Validate returns it).
func NewServer(scope constructs.Construct, id string, props *ServerProps) Server {
	if props == nil {
		panic(spec.NilProps(fmt.Sprintf("wsus.NewServer(%q)", id), "ServerProps"))
	}
	p := props.withDefaults()
	if err := p.problems().Err(fmt.Sprintf("wsus.NewServer(%q)", id), "ServerProps"); err != nil {
		panic(err)
	}
	s := &server{Construct: constructs.NewConstruct(scope, jsii.String(id))}
	s.role = managedinstance.NewInternetFacingRole(s.Construct, "Role", "WSUS server: Systems Manager and its command output")

	// The first subnet of the group, named explicitly: the update-store volume is pinned to its
	// zone, so a replaced instance lands where its data is.
	subnet := (*p.Vpc.SelectSubnets(&awsec2.SubnetSelection{SubnetGroupName: jsii.String(p.SubnetGroupName)}).Subnets)[0]
	s.addInstance(scope, &p, subnet)
	attachment := s.addUpdateStore(&p, subnet)
	s.addSetup(&p, attachment)
	s.addHealthMetrics(p.HealthNamespace)
	if p.Cleanup.On() {
		s.addCleanup(p.Cleanup, p.HealthNamespace, p.OutputBucket)
	}
	suppressInstanceFindings(s.instance)
	return s
}

// addInstance launches the server (Instance) in subnet, with its fixed public address
// (ElasticIp) unless WithoutElasticIp. The image is looked up in scope, as it always was.
func (s *server) addInstance(scope constructs.Construct, p *ServerProps, subnet awsec2.ISubnet) {
	s.instance = awsec2.NewInstance(s.Construct, jsii.String("Instance"), &awsec2.InstanceProps{
		Vpc:                             p.Vpc,
		VpcSubnets:                      &awsec2.SubnetSelection{Subnets: &[]awsec2.ISubnet{subnet}},
		InstanceType:                    awsec2.NewInstanceType(jsii.String(p.InstanceType)),
		MachineImage:                    windows.MachineImage(scope, windows.Version(p.WindowsVersion), p.AmiID),
		SecurityGroup:                   p.SecurityGroup,
		Role:                            s.role,
		DetailedMonitoring:              jsii.Bool(true),
		AssociatePublicIpAddress:        jsii.Bool(false),
		PropagateTagsToVolumeOnCreation: jsii.Bool(true),
		BlockDevices:                    windows.RootVolume(wsusspec.RootVolumeGiB),
	})
	windows.AcknowledgeImage(s.instance, p.AmiID)
	if p.PatchGroup != "" {
		managedinstance.TagPatchGroup(s.instance, p.PatchGroup)
	}
	for k, v := range p.Tags {
		awscdk.Tags_Of(s.instance).Add(jsii.String(k), jsii.String(v), nil)
	}
	managedinstance.RequireImdsv2(s.instance)
	if !p.WithoutElasticIp {
		// Microsoft Update is reached from a fixed address, not an auto-assigned one (CT.EC2.PR.11).
		eip := awsec2.NewCfnEIP(s.Construct, jsii.String("ElasticIp"), &awsec2.CfnEIPProps{
			Domain:     jsii.String("vpc"),
			InstanceId: s.instance.InstanceId(),
		})
		// Firewalls allow-list this address: removing the resource (wsus.publicAddress: external,
		// WSUS off) or deleting the stack keeps it allocated and associated instead of releasing it.
		eip.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, nil) // spec.KeptDeletionPolicy
	}
}

// addUpdateStore creates the retained update-store volume (UpdateStore) in subnet's zone and
// attaches it (UpdateStoreAttachment) unless DetachUpdateStore; it returns the attachment, or nil.
func (s *server) addUpdateStore(p *ServerProps, subnet awsec2.ISubnet) awsec2.CfnVolumeAttachment {
	// A separate volume outlives the instance and the stack; the setup script formats it once.
	s.updateStore = awsec2.NewVolume(s.Construct, jsii.String("UpdateStore"), &awsec2.VolumeProps{
		AvailabilityZone: subnet.AvailabilityZone(),
		Size:             awscdk.Size_Gibibytes(jsii.Number(p.UpdateStoreGiB)),
		VolumeType:       awsec2.EbsDeviceVolumeType_GP3,
		Encrypted:        jsii.Bool(true),
		RemovalPolicy:    awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, // spec.KeptDeletionPolicy
	})
	cdknag.NagSuppressions_AddResourceSuppressions(s.updateStore, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("NIST.800.53.R5-EC2EBSInBackupPlan"),
		Reason: jsii.String("The update store is a cache of Microsoft Update content that WSUS synchronises again; it is retained " +
			"on deletion, and a backup plan would store hundreds of GiB weekly for nothing that cannot be downloaded again"),
	}}, jsii.Bool(false))
	var attachment awsec2.CfnVolumeAttachment
	if !p.DetachUpdateStore {
		attachment = awsec2.NewCfnVolumeAttachment(s.Construct, jsii.String("UpdateStoreAttachment"), &awsec2.CfnVolumeAttachmentProps{
			InstanceId: s.instance.InstanceId(),
			VolumeId:   s.updateStore.VolumeId(),
			Device:     jsii.String("xvdf"),
		})
	}
	return attachment
}

// addSetup adds the setup document (SetupDocument) and its association (SetupAssociation),
// which runs after the update store is attached, and lets the role write its output.
func (s *server) addSetup(p *ServerProps, attachment awsec2.CfnVolumeAttachment) {
	// Over HTTPS clients use the private DNS name, which the certificate can name; over HTTP the IP.
	scheme, host, serverName := "http", s.instance.InstancePrivateIp(), ""
	if p.Port == HTTPSPort {
		scheme, host = "https", s.instance.InstancePrivateDnsName()
		serverName = *host
	}
	s.url = jsii.String(fmt.Sprintf("%s://%s:%d", scheme, *host, p.Port))

	s.document = newScriptDocument(s.Construct, "SetupDocument",
		"privatepatch: installs and configures WSUS (idempotent; re-run to correct drift)", "ConfigureWsus", SetupScript, 7200,
		wsusspec.SetupParameters())
	s.association = newAssociation(s.Construct, "SetupAssociation", s.document, []awsssm.CfnAssociation_TargetProperty{{
		Key: jsii.String("InstanceIds"), Values: jsii.Strings(*s.instance.InstanceId()),
	}}, p.SetupSchedule, p.OutputBucket, SetupOutputPrefix, map[string]*string{
		"Languages":             jsii.String(strings.Join(p.Languages, ";")),
		"Products":              jsii.String(strings.Join(p.Products, ";")),
		"Classifications":       jsii.String(strings.Join(p.Classifications, ";")),
		"TargetGroups":          jsii.String(strings.Join(p.TargetGroups, ";")),
		"Port":                  jsii.String(fmt.Sprint(p.Port)),
		"CertificateThumbprint": jsii.String(p.CertificateThumbprint),
		"ServerName":            jsii.String(serverName),
		"SyncTimeUtc":           jsii.String(p.SyncTimeUtc),
		"SyncsPerDay":           jsii.String(fmt.Sprint(p.SyncsPerDay)),
		"UpdateStoreVolumeId":   s.updateStore.VolumeId(),
	})
	// The script formats the update store: it must be attached before the first run.
	if attachment != nil {
		s.association.Node().AddDependency(attachment)
	}
	if p.OutputBucket != nil {
		logbucket.GrantCommandOutput(p.OutputBucket, s.role, SetupOutputPrefix)
	}
}

// addHealthMetrics publishes the update store's free space and the synchronisation's result to
// CloudWatch every 30 minutes (HealthNamespace), for alarms and the dashboard. Its runs write no
// output to S3 (48 a day would bury the rest); their status is in State Manager.
func (s *server) addHealthMetrics(namespace string) {
	if namespace == "" {
		namespace = HealthNamespace
	}
	document := newScriptDocument(s.Construct, "HealthDocument", "privatepatch: publishes WSUS health metrics to CloudWatch",
		"PublishWsusHealth", HealthScript, 300, []wsusspec.DocumentParameter{
			{Name: "Namespace", Description: "CloudWatch namespace of the health metrics", Default: HealthNamespace,
				AllowedPattern: `^[A-Za-z0-9][A-Za-z0-9/_.-]{0,254}$`},
		})
	association := newAssociation(s.Construct, "HealthAssociation", document, []awsssm.CfnAssociation_TargetProperty{{
		Key: jsii.String("InstanceIds"), Values: jsii.Strings(*s.instance.InstanceId()),
	}}, healthSchedule, nil, "", map[string]*string{"Namespace": jsii.String(namespace)})
	association.Node().AddDependency(s.association)
	s.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("PublishWsusHealth"),
		Actions:    jsii.Strings("cloudwatch:PutMetricData"),
		Resources:  jsii.Strings("*"), // PutMetricData takes no resource; the namespace is the scope
		Conditions: &map[string]any{"StringEquals": map[string]any{"cloudwatch:namespace": namespace}},
	}))
}

func suppressInstanceFindings(instance awsec2.Instance) {
	cdknag.NagSuppressions_AddResourceSuppressions(instance, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-EC29"),
		Reason: jsii.String("Termination protection would turn any stack rollback or deletion into DELETE_FAILED; the data " +
			"that matters (the WSUS update store) is on a separate volume retained on deletion"),
	}, managedinstance.InVpcThroughItsNetworkInterface}, jsii.Bool(false))
}

func newAssociation(scope constructs.Construct, id string, document awsssm.CfnDocument, targets []awsssm.CfnAssociation_TargetProperty,
	schedule string, bucket awss3.IBucket, prefix string, parameters map[string]*string) awsssm.CfnAssociation {
	var targetList []any
	for _, t := range targets {
		targetList = append(targetList, t)
	}
	props := &awsssm.CfnAssociationProps{
		Name:               document.Ref(),
		DocumentVersion:    jsii.String("$LATEST"),
		Targets:            targetList,
		ScheduleExpression: jsii.String(schedule),
		Parameters:         associationParameters(parameters),
		ComplianceSeverity: jsii.String("HIGH"),
		SyncCompliance:     jsii.String("AUTO"),
	}
	if bucket != nil {
		props.OutputLocation = &awsssm.CfnAssociation_InstanceAssociationOutputLocationProperty{
			S3Location: &awsssm.CfnAssociation_S3OutputLocationProperty{
				OutputS3BucketName: bucket.BucketName(),
				OutputS3KeyPrefix:  jsii.String(prefix),
				OutputS3Region:     awscdk.Stack_Of(scope).Region(),
			},
		}
	}
	return awsssm.NewCfnAssociation(scope, jsii.String(id), props)
}

func (s *server) Instance() awsec2.Instance               { return s.instance }
func (s *server) Role() awsiam.IRole                      { return s.role }
func (s *server) UpdateStore() awsec2.IVolume             { return s.updateStore }
func (s *server) URL() *string                            { return s.url }
func (s *server) SetupDocument() awsssm.CfnDocument       { return s.document }
func (s *server) SetupAssociation() awsssm.CfnAssociation { return s.association }
func (s *server) Connections() awsec2.Connections         { return s.instance.Connections() }
func (s *server) GrantPrincipal() awsiam.IPrincipal       { return s.role }
