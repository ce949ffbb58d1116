package windows

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// AcknowledgeResolveAtLaunch records, on an instance whose image resolves at launch, why CDK's
// CloudFormation validation rule E1152 (ImageId must look like ami-...) does not apply. It is
// cfn-lint's known false positive for resolve:ssm: image ids, which EC2 RunInstances accepts for
// parameters of data type aws:ec2:image, as AWS's public AMI parameters are.
func AcknowledgeResolveAtLaunch(instance constructs.IConstruct, amiID string) {
	if amiID != "" {
		return
	}
	awscdk.Validations_Of(instance).Acknowledge(&awscdk.Acknowledgment{
		Id:     jsii.String("CloudFormation-Validate::E1152"),
		Reason: jsii.String("ImageId resolve:ssm:<public AMI parameter> is resolved by EC2 at launch (cfn-lint false positive)"),
	})
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
