package windows

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

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
