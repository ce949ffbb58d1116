package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"

	"github.com/privatepatch/privatepatch/constructs/logbucket"
)

func TestLogBucketKeepsObjectsAYearByDefaultAndNamesABadRetention(t *testing.T) {
	stack, _, _ := wsusStack()
	logbucket.NewLogBucket(stack, "Logs", nil)
	assertions.Template_FromStack(stack, nil).HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
		"LifecycleConfiguration": map[string]any{"Rules": []any{assertions.Match_ObjectLike(&map[string]any{"ExpirationInDays": 365,
			// The parts of a failed multipart upload go too: the writers may not abort one.
			"AbortIncompleteMultipartUpload": map[string]any{"DaysAfterInitiation": 7}})}},
	})
	got := panicOf(func() { logbucket.NewLogBucket(stack, "Short", &logbucket.Props{RetentionDays: -1}) })
	assert.EqualError(t, got.(error), "logbucket.NewLogBucket(\"Short\"): 1 invalid prop(s):\n  - Props.RetentionDays -1 is not allowed: keep command output for at least 1 day")
	assert.Nil(t, stack.Node().TryFindChild(jsii.String("Short")), "nothing is created before the check")
}
