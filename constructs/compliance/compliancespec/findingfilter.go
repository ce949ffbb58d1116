package compliancespec

import (
	_ "embed"
	"fmt"
)

// The finding filter (compliance.NewFindingFilter) stands between the two finding rules and the
// alerts topic, so that a finding alerts once, not again with each update. The facts it rests on,
// read 2026-12-06:
//   - An event pattern cannot tell a new finding from an update: "Amazon Inspector creates an event
//     in Amazon EventBridge for newly generated findings and aggregated findings ... also ... for
//     any changes to the state of a finding ... When Amazon Inspector creates a new event for an
//     updated finding, the finding id stays the same" ("Creating custom responses to Amazon
//     Inspector findings with Amazon EventBridge", Amazon Inspector User Guide); "When Security Hub
//     CSPM receives a BatchImportFindings request to create or update a finding, it automatically
//     generates a Security Hub Findings - Imported event" ("BatchImportFindings for finding
//     providers", AWS Security Hub User Guide).
//   - The finding's id: Inspector's detail.findingArn ("Amazon EventBridge event schema for Amazon
//     Inspector events", its Amazon EC2 network reachability finding example); Security Hub's
//     detail.findings[0].Id, one finding per event ("EventBridge event formats for Security Hub
//     CSPM"; the finding "Samples of control findings", AWS Security Hub User Guide). Both
//     examples are the fixtures in testdata/findingfilter.
//   - The table remembers an id with a conditional PutItem: attribute_not_exists on the partition
//     key "will only succeed if no matching item exists" (PutItem, Amazon DynamoDB API Reference);
//     otherwise ConditionalCheckFailedException.
//   - TTL: "DynamoDB typically deletes expired items within two days of expiration ... Items that
//     have expired and not been deleted will still show up in reads" (UpdateTimeToLive, Amazon
//     DynamoDB API Reference; a Number of epoch seconds): so the put's condition also replaces an
//     expired item, and FindingMemoryDays is exact.
//   - EventBridge invokes the function asynchronously: "If the function returns an error, by default
//     Lambda attempts to run it two more times, with a one-minute wait between the first two
//     attempts, and two minutes between the second and third attempts. Function errors include
//     errors returned by the function's code and errors returned by the function's runtime, such
//     as timeouts", and "it's possible for it to receive the same event from Lambda multiple
//     times" ("How Lambda handles errors and retries with asynchronous invocation", AWS Lambda
//     Developer Guide). The conditional put makes a repeated event harmless; an error raises, for
//     the retries and then the function's Errors alarm. The conditional put only holds the id for
//     the invocation (FindingFilterTimeoutSeconds); a second, plain put remembers it for
//     FindingMemoryDays once the publish succeeded. So an invocation that fails or is stopped at
//     its timeout anywhere before that leaves a hold that has lapsed when Lambda retries: the
//     retry publishes (a finding may alert twice, never not at all).
const (
	// FindingMemoryDays is how long the filter remembers a finding: an update after that, of a
	// finding still open, alerts again (a reminder).
	FindingMemoryDays = 30
	// FindingIDAttribute is the table's partition key (String); FindingExpiryAttribute its TTL
	// attribute (Number, epoch seconds). The script's ID and EXPIRES.
	FindingIDAttribute     = "id"
	FindingExpiryAttribute = "expiresAt"
	// The function's environment: the table's name, the topic's ARN, the memory and the hold in
	// seconds.
	FindingTableEnv  = "TABLE_NAME"
	FindingTopicEnv  = "TOPIC_ARN"
	FindingMemoryEnv = "MEMORY_SECONDS"
	FindingHoldEnv   = "HOLD_SECONDS"
	// FindingFilterTimeoutSeconds is the function's timeout, and its hold on a new finding
	// (CheckFindingHold). A put, a publish and a put take well under a second.
	FindingFilterTimeoutSeconds = 30
	// LambdaFirstRetryWaitSeconds: "a one-minute wait between the first two attempts" (above).
	LambdaFirstRetryWaitSeconds = 60
	// FindingFilterHandler: inline code is "the index file that CloudFormation creates"
	// ("AWS::Lambda::Function Code", CloudFormation Template Reference), here index.py, whose
	// handler function is handler.
	FindingFilterHandler = "index.handler"
	// FunctionRuntime is the runtime of the stacks' own functions, the finding filter and the
	// Inspector enabler (compliance.FindingFilterRuntime is CDK's for it): their scripts are
	// written for it. The newest Python runtime the pinned CDK offers that "Lambda runtimes" (AWS
	// Lambda Developer Guide, read 2026-12-06) lists.
	FunctionRuntime = "python3.14"
)

// CheckFindingHold tells whether a hold of hold seconds on a new finding outlasts an invocation
// (timeout: a duplicate event meanwhile is dropped, not alerted twice) and lapses before Lambda's
// first retry (which then alerts, when the invocation failed or was stopped).
func CheckFindingHold(hold, timeout int) error {
	switch {
	case hold < timeout:
		return fmt.Errorf("the finding filter's hold (%d s) is shorter than its timeout (%d s): a duplicate event could alert while the first invocation runs", hold, timeout)
	case hold >= LambdaFirstRetryWaitSeconds:
		return fmt.Errorf("the finding filter's hold (%d s) is not shorter than Lambda's first retry wait (%d s): the retry of a failed invocation would drop the finding", hold, LambdaFirstRetryWaitSeconds)
	}
	return nil
}

// FindingFilterScript is findingfilter.py, the function's inline code.
//
//go:embed findingfilter.py
var FindingFilterScript string
