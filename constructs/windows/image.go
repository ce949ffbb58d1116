package windows

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// AcknowledgeImage records, on an instance, why CDK's CloudFormation validation finding about
// its image does not apply: for an image that resolves at launch, E1152 (ImageId must look like
// ami-...), cfn-lint's known false positive for resolve:ssm: image ids, which EC2 RunInstances
// accepts for parameters of data type aws:ec2:image, as AWS's public AMI parameters are; for a
// pinned AMI, W9010 (hard-coded AMI id), which the configuration asks for. CDK applies an
// acknowledgement to the whole app.
func AcknowledgeImage(instance constructs.IConstruct, amiID string) {
	ack := &awscdk.Acknowledgment{
		Id:     jsii.String("CloudFormation-Validate::E1152"),
		Reason: jsii.String("ImageId resolve:ssm:<public AMI parameter> is resolved by EC2 at launch (cfn-lint false positive)"),
	}
	if amiID != "" {
		ack = &awscdk.Acknowledgment{
			Id:     jsii.String("CloudFormation-Validate::W9010"),
			Reason: jsii.String("the configuration pins this AMI (amiId) for its region, on purpose"),
		}
	}
	awscdk.Validations_Of(instance).Acknowledge(ack)
}

// MachineImage is the pinned AMI, or the version's latest AMI resolved when an instance launches
// (EC2's resolve:ssm image id). CloudFormation then sees a constant image id, so a newer AMI never
// replaces a running instance; Patch Manager keeps it current instead. Pinning or unpinning does.
func MachineImage(scope constructs.Construct, version Version, amiID string) awsec2.IMachineImage {
	if amiID != "" {
		return awsec2.MachineImage_GenericWindows(&map[string]*string{*awscdk.Stack_Of(scope).Region(): jsii.String(amiID)}, nil)
	}
	return awsec2.MachineImage_ResolveSsmParameterAtLaunch(jsii.String(version.AmiParameter()), &awsec2.SsmParameterImageOptions{
		Os: awsec2.OperatingSystemType_WINDOWS,
	})
}

// RootVolume is an encrypted gp3 root volume of the given size on /dev/sda1, the root device of
// Windows AMIs.
func RootVolume(gib int) *[]*awsec2.BlockDevice {
	return &[]*awsec2.BlockDevice{{
		DeviceName: jsii.String("/dev/sda1"),
		Volume: awsec2.BlockDeviceVolume_Ebs(jsii.Number(gib), &awsec2.EbsDeviceOptions{
			VolumeType: awsec2.EbsDeviceVolumeType_GP3,
			Encrypted:  jsii.Bool(true),
		}),
	}}
}
