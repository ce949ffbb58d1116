package network

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// SystemsManagerEndpoints are the interface endpoints every managed instance in a private subnet
// needs: ssm (the API), ec2messages (Run Command), ec2 (volume enumeration, e.g. VSS snapshots)
// and ssmmessages (Session Manager).
var SystemsManagerEndpoints = []string{"ssm", "ec2messages", "ec2", "ssmmessages"}

// systemsManagerBuckets are the AWS-owned regional buckets that SSM Agent and AWS-RunPatchBaseline
// read ("SSM Agent communications with AWS managed S3 buckets" in the Systems Manager guide).
// aws-patchmanager-macos-REGION is left out: this project patches Windows and Linux only.
var systemsManagerBuckets = []string{
	"patch-baseline-snapshot-%s",
	"aws-ssm-%s",
	"aws-windows-downloads-%s",
	"amazon-ssm-%s",
	"amazon-ssm-packages-%s",
	"%s-birdwatcher-prod",
	"aws-ssm-distributor-file-%s",
	"aws-ssm-document-attachments-%s",
}

func (n *network) addEndpoints(p *Props) {
	scope := constructs.NewConstruct(n.Construct, jsii.String("Endpoints"))
	private := &awsec2.SubnetSelection{SubnetGroupName: jsii.String(PrivateSubnetGroup)}

	n.interfaceEndpoints = map[string]awsec2.InterfaceVpcEndpoint{}
	for _, name := range append(append([]string{}, SystemsManagerEndpoints...), p.ExtraInterfaceEndpoints...) {
		n.interfaceEndpoints[name] = awsec2.NewInterfaceVpcEndpoint(scope, jsii.String(name), &awsec2.InterfaceVpcEndpointProps{
			Vpc:               n.vpc,
			Service:           awsec2.NewInterfaceVpcEndpointAwsService(jsii.String(name), nil, nil, nil),
			PrivateDnsEnabled: jsii.Bool(true),
			Subnets:           private,
			SecurityGroups:    &[]awsec2.ISecurityGroup{n.endpointSG},
			// The endpoint group's ingress is declared once, in addSecurityGroups.
			Open: jsii.Bool(false),
		})
	}

	n.s3Endpoint = awsec2.NewGatewayVpcEndpoint(scope, jsii.String("s3"), &awsec2.GatewayVpcEndpointProps{
		Vpc:     n.vpc,
		Service: awsec2.GatewayVpcEndpointAwsService_S3(),
		Subnets: &[]*awsec2.SubnetSelection{private},
	})
	stack := awscdk.Stack_Of(n.Construct)
	var objects []string
	for _, bucket := range systemsManagerBuckets {
		objects = append(objects, bucketArn(stack, fmt.Sprintf(bucket, *stack.Region()))+"/*")
	}
	for _, bucket := range p.S3ReadBuckets {
		objects = append(objects, bucketArn(stack, bucket)+"/*")
	}
	n.s3Endpoint.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("ReadSystemsManagerAndListedBuckets"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:GetObject"),
		Resources:  jsii.Strings(objects...),
	}))
	for _, bucket := range p.S3ReadWriteBuckets {
		n.AllowS3ReadWrite(jsii.String(bucket))
	}
}

// AllowS3ReadWrite lets the VPC read, write and list bucketName through the S3 endpoint: what
// SSM Agent needs to upload command output and inventory.
func (n *network) AllowS3ReadWrite(bucketName *string) {
	arn := bucketArn(awscdk.Stack_Of(n.Construct), *bucketName)
	n.s3Endpoint.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions: jsii.Strings("s3:GetObject", "s3:PutObject", "s3:PutObjectAcl", "s3:ListBucket",
			"s3:GetBucketLocation", "s3:GetEncryptionConfiguration"),
		Resources: jsii.Strings(arn, arn+"/*"),
	}))
}

func bucketArn(stack awscdk.Stack, bucket string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", *stack.Partition(), bucket)
}
