package network

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

func (n *network) addEndpoints(p *Props) {
	scope := constructs.NewConstruct(n.Construct, jsii.String("Endpoints"))
	private := &awsec2.SubnetSelection{SubnetGroupName: jsii.String(PrivateSubnetGroup)}
	n.addInterfaceEndpoints(scope, private, p)
	n.addS3Endpoint(scope, private, p)
}

// addInterfaceEndpoints creates the Systems Manager endpoints and the extra ones in the private
// subnets, unless a hub provides them.
func (n *network) addInterfaceEndpoints(scope constructs.Construct, private *awsec2.SubnetSelection, p *Props) {
	n.interfaceEndpoints = map[string]awsec2.InterfaceVpcEndpoint{}
	for _, name := range append(append([]string{}, networkspec.SystemsManagerEndpoints...), p.ExtraInterfaceEndpoints...) {
		if !n.createsInterfaceEndpoints() {
			break // a hub's, through Route 53 (docs/network.md)
		}
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
}

// addS3Endpoint creates the S3 gateway endpoint and its policy, unless the VPC has its own (whose
// policy must then allow the buckets S3EndpointBuckets lists).
func (n *network) addS3Endpoint(scope constructs.Construct, private *awsec2.SubnetSelection, p *Props) {
	_, env := stackenv.Of(n.Construct)
	region := env.Region
	// AWS's own buckets for SSM Agent and Patch Manager, the package repositories of the patched
	// Linux distributions that AWS documents in S3, then the configured buckets.
	buckets := awsbuckets.SystemsManager(region)
	for _, os := range p.PatchedOperatingSystems {
		buckets = append(buckets, awsbuckets.Repositories(os, region)...)
	}
	n.readBuckets = append(buckets, p.S3ReadBuckets...)
	if n.existing != nil && n.existing.S3EndpointProvided {
		// Its policy is the VPC owner's: S3EndpointBuckets says what it must allow.
		n.readWriteBuckets = append(append(n.readWriteBuckets, p.S3ReadWriteBuckets...), p.S3OutputBuckets...)
		return
	}
	n.s3Endpoint = awsec2.NewGatewayVpcEndpoint(scope, jsii.String("s3"), &awsec2.GatewayVpcEndpointProps{
		Vpc:     n.vpc,
		Service: awsec2.GatewayVpcEndpointAwsService_S3(),
		Subnets: &[]*awsec2.SubnetSelection{private},
	})
	var objects []string
	for _, bucket := range n.readBuckets {
		objects = append(objects, bucketArn(env, bucket)+"/*")
	}
	for _, bucket := range p.S3OutputBuckets {
		for _, prefix := range p.S3OutputReadPrefixes {
			objects = append(objects, bucketArn(env, bucket)+"/"+prefix+"*")
		}
	}
	n.s3Endpoint.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(networkspec.S3ReadStatementSid),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:GetObject"),
		Resources:  jsii.Strings(objects...),
	}))
	for _, bucket := range p.S3ReadWriteBuckets {
		n.AllowS3ReadWrite(jsii.String(bucket))
	}
	for _, bucket := range p.S3OutputBuckets {
		n.readWriteBuckets = append(n.readWriteBuckets, bucket)
		arn := bucketArn(env, bucket)
		n.s3Endpoint.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
			Actions:    jsii.Strings(networkspec.S3OutputActions...),
			Resources:  jsii.Strings(arn, arn+"/*"),
		}))
	}
}

// AllowS3ReadWrite lets the VPC read, write and list bucketName through the S3 endpoint: what
// SSM Agent needs to upload command output and inventory.
func (n *network) AllowS3ReadWrite(bucketName *string) {
	n.readWriteBuckets = append(n.readWriteBuckets, *bucketName)
	if n.s3Endpoint == nil {
		return
	}
	_, env := stackenv.Of(n.Construct)
	arn := bucketArn(env, *bucketName)
	n.s3Endpoint.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings(networkspec.S3ReadWriteActions...),
		Resources:  jsii.Strings(arn, arn+"/*"),
	}))
}

func (n *network) S3EndpointBuckets() (read, readWrite []string) {
	return slices.Clone(n.readBuckets), slices.Clone(n.readWriteBuckets)
}

func bucketArn(env stackenv.Env, bucket string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", env.Partition, bucket)
}
