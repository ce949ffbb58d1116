// Package fleet provides groups of Windows instances in private subnets, managed by Systems
// Manager and tagged for Patch Manager's patch groups.
package fleet

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/managedinstance"
	"github.com/privatepatch/privatepatch/constructs/windows"
)

// InstanceGroupTag names the group an instance belongs to.
const InstanceGroupTag = "privatepatch:instance-group"

// InstanceGroup is a set of identical instances. Name and Count are required.
type InstanceGroup struct {
	// Name identifies the group; it is part of the instances' construct IDs, so renaming it
	// replaces them.
	Name string
	// Count is the number of instances, spread over the first Zones subnets in turn.
	Count int
	// Zones is how many subnets (one per availability zone) the instances spread over. An
	// instance's subnet depends only on its number and Zones, so adding zones to the VPC moves
	// none. Default: 2, or the number of subnets if fewer.
	Zones int
	// WindowsVersion of the instances. Default: windows.DefaultVersion.
	WindowsVersion windows.Version
	// AmiID pins the AMI. Default: the version's latest AMI, resolved when each instance
	// launches and kept afterwards, so a newer AMI never replaces an instance.
	AmiID string
	// InstanceType of the instances. Default: m6i.large, a Nitro type that encrypts traffic
	// between instances (AWS Control Tower CT.EC2.PR.19).
	InstanceType string
	// PatchGroup is tagged as "Patch Group" and "PatchGroup". Default: none, so the instances
	// are patched by the default patch baseline of their operating system.
	PatchGroup string
	// Tags are added to the instances and their volumes (asset tags). Default: none.
	Tags map[string]string
}

// Props configures a Fleet. Vpc and SecurityGroup are required.
type Props struct {
	// Vpc holds the instances.
	Vpc awsec2.IVpc
	// SecurityGroup is the instances' group.
	SecurityGroup awsec2.ISecurityGroup
	// SubnetGroupName is where the instances go. Default: "Private".
	SubnetGroupName string
	// Groups are the instance groups. Default: none, a fleet with a role only (bring your own
	// instances and give them Role's permissions).
	Groups []InstanceGroup
	// RootVolumeGiB is each instance's encrypted gp3 root volume. Default: 50.
	RootVolumeGiB int
	// Tags are added to every instance and volume, e.g. the tag that State Manager targets.
	// Default: none.
	Tags map[string]string
}

// Fleet is the instances and the role they share.
type Fleet interface {
	constructs.Construct
	// Role is the instances' role: SSM Agent's permissions and whatever callers grant it.
	Role() awsiam.IRole
	// Instances maps each group name to its instances.
	Instances() map[string][]awsec2.Instance
}

type fleet struct {
	constructs.Construct
	role      awsiam.Role
	instances map[string][]awsec2.Instance
}

var (
	groupNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	// The characters AWS allows in tag values.
	tagValuePattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$`)
)

// NewFleet creates the instance groups. It panics when props are invalid, before creating anything.
func NewFleet(scope constructs.Construct, id string, props *Props) Fleet {
	p := *props
	if p.SubnetGroupName == "" {
		p.SubnetGroupName = "Private"
	}
	if p.RootVolumeGiB == 0 {
		p.RootVolumeGiB = 50
	}
	if err := validate(&p); err != nil {
		panic(fmt.Sprintf("fleet %s: %v", id, err))
	}
	f := &fleet{Construct: constructs.NewConstruct(scope, jsii.String(id)), instances: map[string][]awsec2.Instance{}}
	f.role = managedinstance.NewRole(f.Construct, "Role", "Patched Windows fleet: Systems Manager and its command output")
	// One instance profile for the whole fleet: CDK's default is one per instance, a third
	// resource per instance that CloudFormation's 500 per stack cannot afford.
	profile := awsiam.NewInstanceProfile(f.Construct, jsii.String("InstanceProfile"), &awsiam.InstanceProfileProps{Role: f.role})

	subnets := *p.Vpc.SelectSubnets(&awsec2.SubnetSelection{SubnetGroupName: jsii.String(p.SubnetGroupName)}).Subnets
	for _, g := range p.Groups {
		group := constructs.NewConstruct(f.Construct, jsii.String(g.Name))
		version := g.WindowsVersion
		if version == "" {
			version = windows.DefaultVersion
		}
		instanceType := g.InstanceType
		if instanceType == "" {
			instanceType = "m6i.large"
		}
		zones := g.Zones
		if zones == 0 {
			zones = 2
		}
		zones = min(zones, len(subnets))
		for i := range g.Count {
			instance := awsec2.NewInstance(group, jsii.String(fmt.Sprintf("Instance%d", i+1)), &awsec2.InstanceProps{
				Vpc:                             p.Vpc,
				VpcSubnets:                      &awsec2.SubnetSelection{Subnets: &[]awsec2.ISubnet{subnets[i%zones]}},
				AssociatePublicIpAddress:        jsii.Bool(false), // explicit, for AWS Control Tower CT.EC2.PR.8
				InstanceType:                    awsec2.NewInstanceType(jsii.String(instanceType)),
				MachineImage:                    windows.MachineImage(group, version, g.AmiID),
				SecurityGroup:                   p.SecurityGroup,
				InstanceProfile:                 profile,
				RequireImdsv2:                   jsii.Bool(true),
				DetailedMonitoring:              jsii.Bool(true),
				PropagateTagsToVolumeOnCreation: jsii.Bool(true),
				InstanceName:                    jsii.String(fmt.Sprintf("%s-%d", g.Name, i+1)),
				BlockDevices:                    windows.RootVolume(p.RootVolumeGiB),
			})
			windows.AcknowledgeImage(instance, g.AmiID)
			managedinstance.MonitorLaunchTemplate(instance)
			tags := awscdk.Tags_Of(instance)
			tags.Add(jsii.String(InstanceGroupTag), jsii.String(g.Name), nil)
			if g.PatchGroup != "" {
				managedinstance.TagPatchGroup(instance, g.PatchGroup)
			}
			for _, t := range []map[string]string{p.Tags, g.Tags} {
				for k, v := range t {
					tags.Add(jsii.String(k), jsii.String(v), nil)
				}
			}
			cdknag.NagSuppressions_AddResourceSuppressions(instance, &[]*cdknag.NagPackSuppression{{
				Id: jsii.String("AwsSolutions-EC29"),
				Reason: jsii.String("Fleet instances are replaceable and kept current by Patch Manager; termination protection " +
					"would turn stack rollbacks and deletions into DELETE_FAILED"),
			}, managedinstance.InVpcThroughItsNetworkInterface}, jsii.Bool(false))
			f.instances[g.Name] = append(f.instances[g.Name], instance)
		}
	}
	return f
}

func validate(p *Props) error {
	if p.Vpc == nil || p.SecurityGroup == nil {
		return fmt.Errorf("Vpc and SecurityGroup are required")
	}
	seen := map[string]bool{}
	for _, g := range p.Groups {
		switch {
		case !groupNamePattern.MatchString(g.Name):
			return fmt.Errorf("group name %q: use 1-31 lowercase letters, digits and hyphens, starting with a letter", g.Name)
		case seen[g.Name]:
			return fmt.Errorf("group name %q is used twice", g.Name)
		case g.Zones < 0:
			return fmt.Errorf("group %q: Zones %d must not be negative", g.Name, g.Zones)
		case g.Count < 1:
			return fmt.Errorf("group %q: Count %d must be at least 1", g.Name, g.Count)
		case g.PatchGroup != "" && !tagValuePattern.MatchString(g.PatchGroup):
			return fmt.Errorf("group %q: patch group %q has characters a tag value cannot hold", g.Name, g.PatchGroup)
		}
		seen[g.Name] = true
	}
	return nil
}

func (f *fleet) Role() awsiam.IRole                      { return f.role }
func (f *fleet) Instances() map[string][]awsec2.Instance { return f.instances }
