// Package fleet provides groups of Windows instances in private subnets, managed by Systems
// Manager and tagged for Patch Manager's patch groups.
package fleet

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/fleet/fleetspec"
	"github.com/privatepatch/privatepatch/constructs/managedinstance"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/tagspec"
	"github.com/privatepatch/privatepatch/constructs/windows"
)

// InstanceGroupTag names the group an instance belongs to.
const InstanceGroupTag = fleetspec.InstanceGroupTag

// InstanceGroup is a set of identical instances (fleetspec: defaults and rules there). Name and
// Count are required.
type InstanceGroup = fleetspec.InstanceGroup

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
	// RootVolumeGiB is each instance's encrypted gp3 root volume. Default: fleetspec.DefaultRootVolumeGiB.
	RootVolumeGiB int
	// Tags are added to every instance and volume, e.g. the tag that State Manager targets.
	// Default: none.
	Tags map[string]string
}

// Fleet is the instances and the role they share. Callers grant to it (awsiam.IGrantable: the
// role).
type Fleet interface {
	constructs.Construct
	awsiam.IGrantable
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

func (p *Props) withDefaults() Props {
	d := *p
	if d.SubnetGroupName == "" {
		d.SubnetGroupName = "Private"
	}
	if d.RootVolumeGiB == 0 {
		d.RootVolumeGiB = fleetspec.DefaultRootVolumeGiB
	}
	d.Groups = make([]InstanceGroup, len(p.Groups))
	for i, g := range p.Groups {
		// At most as many zones as subnets: NewFleet spreads over those there are.
		d.Groups[i] = g.WithDefaults(fleetspec.DefaultZones)
	}
	return d
}

// problems are the props' problems, after defaults.
func (p *Props) problems() spec.Problems {
	problems := fleetspec.GroupsProblems("Groups", p.Groups)
	if p.Vpc == nil {
		problems.Add("Vpc", nil, "is required")
	}
	if p.SecurityGroup == nil {
		problems.Add("SecurityGroup", nil, "is required")
	}
	problems.Within("Tags", tagspec.Problems(p.Tags))
	return problems
}

// Validate reports every problem of props, each naming its prop, or nil: what NewFleet would
// panic with.
func (p *Props) Validate() error {
	d := p.withDefaults()
	return d.problems().Err("fleet.NewFleet", "Props")
}

// NewFleet creates the instance groups. It panics when props are invalid, before creating
// anything, with an error naming every bad prop (Props.Validate returns it).
func NewFleet(scope constructs.Construct, id string, props *Props) Fleet {
	if props == nil {
		panic(spec.NilProps(fmt.Sprintf("fleet.NewFleet(%q)", id), "Props"))
	}
	p := props.withDefaults()
	if err := p.problems().Err(fmt.Sprintf("fleet.NewFleet(%q)", id), "Props"); err != nil {
		panic(err)
	}
	f := &fleet{Construct: constructs.NewConstruct(scope, jsii.String(id)), instances: map[string][]awsec2.Instance{}}
	f.role = managedinstance.NewRole(f.Construct, "Role", "Patched Windows fleet: Systems Manager and its command output")
	// One instance profile for the whole fleet: CDK's default is one per instance, a third
	// resource per instance that CloudFormation's 500 per stack cannot afford.
	profile := awsiam.NewInstanceProfile(f.Construct, jsii.String("InstanceProfile"), &awsiam.InstanceProfileProps{Role: f.role})

	subnets := *p.Vpc.SelectSubnets(&awsec2.SubnetSelection{SubnetGroupName: jsii.String(p.SubnetGroupName)}).Subnets
	for _, g := range p.Groups {
		group := constructs.NewConstruct(f.Construct, jsii.String(g.Name))
		zones := min(g.Zones, len(subnets))
		for i := range g.Count {
			instance := awsec2.NewInstance(group, jsii.String(fmt.Sprintf("Instance%d", i+1)), &awsec2.InstanceProps{
				Vpc:                             p.Vpc,
				VpcSubnets:                      &awsec2.SubnetSelection{Subnets: &[]awsec2.ISubnet{subnets[i%zones]}},
				AssociatePublicIpAddress:        jsii.Bool(false), // explicit, for AWS Control Tower CT.EC2.PR.8
				InstanceType:                    awsec2.NewInstanceType(jsii.String(g.InstanceType)),
				MachineImage:                    windows.MachineImage(group, windows.Version(g.WindowsVersion), g.AmiID),
				SecurityGroup:                   p.SecurityGroup,
				InstanceProfile:                 profile,
				DetailedMonitoring:              jsii.Bool(true),
				PropagateTagsToVolumeOnCreation: jsii.Bool(true),
				InstanceName:                    jsii.String(fmt.Sprintf("%s-%d", g.Name, i+1)),
				BlockDevices:                    windows.RootVolume(p.RootVolumeGiB),
			})
			windows.AcknowledgeImage(instance, g.AmiID)
			managedinstance.RequireImdsv2(instance)
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

func (f *fleet) Role() awsiam.IRole                      { return f.role }
func (f *fleet) GrantPrincipal() awsiam.IPrincipal       { return f.role }
func (f *fleet) Instances() map[string][]awsec2.Instance { return f.instances }
