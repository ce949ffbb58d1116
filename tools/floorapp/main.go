// Command floorapp is the benchmark floor: a CDK app that loads what the real app's default
// configuration loads (the same aws-cdk-lib service modules and both cdk-nag packs) and makes one
// resource of each, run as a process like the real app, so `make bench` can compare their time
// and peak memory: the difference is what privatepatch's own constructs cost.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsathena"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsconfig"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsglue"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsinspectorv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsresourcegroups"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecurityhub"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

func main() {
	if len(os.Args) > 1 {
		fmt.Fprintln(os.Stderr, `Usage: go run ./tools/floorapp    (make bench runs it)

The benchmark floor: a CDK app that loads the aws-cdk-lib service modules the real app's default
configuration uses and both cdk-nag packs, and makes one resource of each module, synthesised to
CDK_OUTDIR (or a temporary directory), so make bench can compare the real app's time and peak
memory with what loading the same libraries costs. It takes no arguments.`)
		jsii.Close() // removes jsii's runtime, unpacked into a temporary directory at start
		if os.Args[1] == "-h" || os.Args[1] == "-help" || os.Args[1] == "--help" {
			os.Exit(0)
		}
		os.Exit(2)
	}
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Floor"), nil)
	oneOfEach(stack)
	props := &cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(true)}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(props), nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewNIST80053R5Checks(props), nil)
	app.Synth(nil)
}

// oneOfEach makes one resource from each service module the default configuration's stacks use
// (the L2 where privatepatch uses one, else the L1), which is what makes Node load the module.
func oneOfEach(stack awscdk.Stack) {
	id := func(name string) *string { return jsii.String(name) }
	awsec2.NewCfnVPC(stack, id("Vpc"), &awsec2.CfnVPCProps{CidrBlock: jsii.String("10.0.0.0/16")})
	awsiam.NewRole(stack, id("Role"), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("ssm.amazonaws.com"), nil)})
	awskms.NewKey(stack, id("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	awss3.NewBucket(stack, id("Bucket"), nil)
	awslogs.NewLogGroup(stack, id("Logs"), nil)
	awsssm.NewCfnDocument(stack, id("Document"), &awsssm.CfnDocumentProps{DocumentType: jsii.String("Command"),
		Content: map[string]any{"schemaVersion": "2.2", "mainSteps": []any{}}})
	awssns.NewTopic(stack, id("Topic"), nil)
	awsevents.NewRule(stack, id("Rule"), &awsevents.RuleProps{EventPattern: &awsevents.EventPattern{Source: jsii.Strings("aws.ssm")}})
	awscloudwatch.NewCfnAlarm(stack, id("Alarm"), &awscloudwatch.CfnAlarmProps{ComparisonOperator: jsii.String("GreaterThanThreshold"),
		EvaluationPeriods: jsii.Number(1), Threshold: jsii.Number(0), MetricName: jsii.String("M"), Namespace: jsii.String("N"),
		Period: jsii.Number(300), Statistic: jsii.String("Sum")})
	awsresourcegroups.NewCfnGroup(stack, id("Group"), &awsresourcegroups.CfnGroupProps{Name: jsii.String("floor")})
	awsconfig.NewCfnConfigRule(stack, id("ConfigRule"), &awsconfig.CfnConfigRuleProps{
		Source: &awsconfig.CfnConfigRule_SourceProperty{Owner: jsii.String("AWS"), SourceIdentifier: jsii.String("EC2_INSTANCE_MANAGED_BY_SSM")}})
	awsglue.NewCfnDatabase(stack, id("Database"), &awsglue.CfnDatabaseProps{CatalogId: jsii.String("111111111111"),
		DatabaseInput: &awsglue.CfnDatabase_DatabaseInputProperty{Name: jsii.String("floor")}})
	awsathena.NewCfnWorkGroup(stack, id("WorkGroup"), &awsathena.CfnWorkGroupProps{Name: jsii.String("floor")})
	awsinspectorv2.NewCfnFilter(stack, id("Filter"), &awsinspectorv2.CfnFilterProps{Name: jsii.String("floor"), FilterAction: jsii.String("NONE"),
		FilterCriteria: &awsinspectorv2.CfnFilter_FilterCriteriaProperty{}})
	awssecurityhub.NewCfnHub(stack, id("Hub"), nil)
}
