// Package kmskey provides the customer managed KMS key every privatepatch resource encrypts with:
// rotated yearly, retained when its stack is deleted (data encrypted with it may outlive the
// stack), and unable to grant itself to anything but AWS services (AWS Control Tower
// CT.KMS.PR.3).
package kmskey

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// NewKey creates the key.
func NewKey(scope constructs.Construct, id, description string) awskms.Key {
	key := awskms.NewKey(scope, jsii.String(id), &awskms.KeyProps{
		Description:       jsii.String(description),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, // spec.KeptDeletionPolicy
	})
	DenyGrantsExceptForAwsServices(key)
	return key
}

// DenyGrantsExceptForAwsServices adds to key's policy the statement AWS Control Tower's
// CT.KMS.PR.3 asks for: no one may create a grant on it except for an AWS service or resource.
// For keys privatepatch does not create itself, such as CDK Pipelines' artifact keys.
func DenyGrantsExceptForAwsServices(key awskms.IKey) {
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("DenyGrantsExceptForAwsServices"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"BoolIfExists": map[string]any{
			"kms:GrantIsForAWSResource": "false",
			"aws:PrincipalIsAWSService": "false",
		}},
	}), nil)
}

// AllowCloudWatchLogs lets CloudWatch Logs use key for this account's log groups in this region,
// as the regional principal logs.<region>.amazonaws.com (the key policy of "Setting Up Encryption
// in AWS Glue", after "Encrypt Log Data in CloudWatch Logs Using AWS KMS"; make verify checks it,
// proof/wiring Keys).
func AllowCloudWatchLogs(key awskms.Key) {
	_, env := stackenv.Of(key)
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchLogsOfThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(fmt.Sprintf("logs.%s.amazonaws.com", env.Region)), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnLike": map[string]any{
			"kms:EncryptionContext:aws:logs:arn": fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", env.Partition, env.Region, env.Account),
		}},
	}), nil)
}
