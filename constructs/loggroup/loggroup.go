// Package loggroup provides the CloudWatch log group privatepatch writes operational output to:
// encrypted with its own customer managed key, kept a year, retained when its stack is deleted.
package loggroup

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/kmskey"
)

// NewEncrypted creates the key (id+"Key", described by keyDescription) and the log group (id)
// directly in scope, where the stacks have always had them: a construct of their own would
// change their logical IDs and replace the retained group. The group's name is generated: it
// is retained, so a fixed name would clash when it is removed and added again.
func NewEncrypted(scope constructs.Construct, id, keyDescription string) (awslogs.LogGroup, awskms.Key) {
	key := kmskey.NewKey(scope, id+"Key", keyDescription)
	kmskey.AllowCloudWatchLogs(key)
	group := awslogs.NewLogGroup(scope, jsii.String(id), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_YEAR,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, // spec.KeptDeletionPolicy
		EncryptionKey: key,
	})
	return group, key
}
