// Command floorapp is the benchmark floor: a CDK app that loads what the real app's default
// configuration loads (the same aws-cdk-lib modules, both cdk-nag packs, the same context and a
// stack in the same region) and makes one resource of each module, run as a process like the
// real app, so `make bench` can compare their time and peak memory: the difference is what
// privatepatch's own constructs cost. make bench fails when the two load different aws-cdk-lib
// modules (loaded-modules.cjs).
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsglue"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsresourcegroups"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/app/cdkcontext"
	"github.com/privatepatch/privatepatch/app/kernel"
	"github.com/privatepatch/privatepatch/config"
)

func main() {
	classes := false
	switch {
	case len(os.Args) == 2 && os.Args[1] == "-classes":
		classes = true
	case len(os.Args) > 1:
		fmt.Fprintln(os.Stderr, `Usage: go run ./tools/floorapp [-classes]    (make bench runs it)

The benchmark floor: a CDK app that loads the aws-cdk-lib modules the real app's default
configuration loads and both cdk-nag packs, with the context the app run directly gets (cdk.json,
read from the process directory: run it from the project root) and a stack in the same region,
and makes one resource of each module, synthesised to CDK_OUTDIR (or a temporary directory), so
make bench can compare the real app's time and peak memory with what loading the same libraries
costs.

  -classes  also make one resource of each construct class the default configuration uses
            beyond the floor's (security group, instance, volume, endpoint, flow log, network
            ACL, Lambda function, policies, dashboard, table, bucket policy, output): make bench
            measures from it what CDK itself costs per construct, to compare with the app's.`)
		jsii.Close() // removes jsii's runtime, unpacked into a temporary directory at start
		if os.Args[1] == "-h" || os.Args[1] == "-help" || os.Args[1] == "--help" {
			os.Exit(0)
		}
		os.Exit(2)
	}
	defer jsii.Close()
	// The app run directly gets the context the CDK CLI would pass (cdk.json's feature flags
	// among it), and its stacks are in the default configuration's region.
	context, err := cdkcontext.Direct(".")
	if err != nil {
		fail(err)
	}
	cfg, err := config.LoadDefault()
	if err != nil {
		fail(err)
	}
	kernel.Prepare() // the kernel runs as the app's does
	app := awscdk.NewApp(&awscdk.AppProps{Context: &context})
	stack := awscdk.NewStack(app, jsii.String("Floor"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String(cfg.Region)}})
	// The app builds its ARNs with the stack's partition, which CDK reads from its region facts.
	stack.Partition()
	vpc := oneOfEach(stack)
	if classes {
		oneOfEachClass(stack, vpc)
	}
	props := &cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(true)}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(props), nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewNIST80053R5Checks(props), nil)
	app.Synth(nil)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "floorapp:", err)
	jsii.Close()
	os.Exit(1)
}

// oneOfEach makes one resource from each service module the default configuration's stacks use
// (the L2 where privatepatch uses one, else the L1), which is what makes Node load the module:
// the VPC is CDK's, the smallest it makes (one public subnet), as it loads the default security
// group's custom resource; the rule and the alarm notify a topic, as the app's do.
func oneOfEach(stack awscdk.Stack) awsec2.Vpc {
	id := func(name string) *string { return jsii.String(name) }
	vpc := awsec2.NewVpc(stack, id("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(1), NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: id("Public"), SubnetType: awsec2.SubnetType_PUBLIC}}})
	awsiam.NewRole(stack, id("Role"), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("ssm.amazonaws.com"), nil)})
	awskms.NewKey(stack, id("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	awss3.NewBucket(stack, id("Bucket"), nil)
	awslogs.NewLogGroup(stack, id("Logs"), nil)
	awsssm.NewCfnDocument(stack, id("Document"), &awsssm.CfnDocumentProps{DocumentType: jsii.String("Command"),
		Content: map[string]any{"schemaVersion": "2.2", "mainSteps": []any{}}})
	topic := awssns.NewTopic(stack, id("Topic"), nil)
	rule := awsevents.NewRule(stack, id("Rule"), &awsevents.RuleProps{EventPattern: &awsevents.EventPattern{Source: jsii.Strings("aws.ssm")}})
	rule.AddTarget(awseventstargets.NewSnsTopic(topic, nil))
	alarm := awscloudwatch.NewAlarm(stack, id("Alarm"), &awscloudwatch.AlarmProps{EvaluationPeriods: jsii.Number(1), Threshold: jsii.Number(0),
		Metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{MetricName: id("M"), Namespace: id("N")})})
	alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(topic))
	awsresourcegroups.NewCfnGroup(stack, id("Group"), &awsresourcegroups.CfnGroupProps{Name: jsii.String("floor")})
	awsglue.NewCfnDatabase(stack, id("Database"), &awsglue.CfnDatabaseProps{CatalogId: jsii.String("111111111111"),
		DatabaseInput: &awsglue.CfnDatabase_DatabaseInputProperty{Name: jsii.String("floor")}})
	return vpc
}

// oneOfEachClass makes one resource of each construct class the default configuration's stacks
// use beyond oneOfEach's, so that the floor loads the same aws-cdk-lib files as the app and makes
// about 55 more constructs: make bench divides what they cost by how many they are, which is what
// CDK itself costs per construct, the yardstick for the app's own cost per construct.
func oneOfEachClass(stack awscdk.Stack, vpc awsec2.Vpc) {
	id := func(name string) *string { return jsii.String(name) }
	statement := func() awsiam.PolicyStatement {
		return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings("s3:GetObject"), Resources: jsii.Strings("*")})
	}
	group := awsec2.NewSecurityGroup(stack, id("SecurityGroup"), &awsec2.SecurityGroupProps{Vpc: vpc, AllowAllOutbound: jsii.Bool(false)})
	group.AddIngressRule(awsec2.Peer_Ipv4(id("10.0.0.0/16")), awsec2.Port_Tcp(jsii.Number(443)), nil, nil)
	awsec2.NewInstance(stack, id("Instance"), &awsec2.InstanceProps{Vpc: vpc, SecurityGroup: group,
		InstanceType: awsec2.NewInstanceType(id("t3.medium")),
		MachineImage: awsec2.MachineImage_ResolveSsmParameterAtLaunch(id("/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base"),
			&awsec2.SsmParameterImageOptions{Os: awsec2.OperatingSystemType_WINDOWS}),
		BlockDevices: &[]*awsec2.BlockDevice{{DeviceName: id("/dev/sda1"),
			Volume: awsec2.BlockDeviceVolume_Ebs(jsii.Number(50), &awsec2.EbsDeviceOptions{Encrypted: jsii.Bool(true)})}}})
	awsec2.NewVolume(stack, id("Volume"), &awsec2.VolumeProps{AvailabilityZone: (*vpc.AvailabilityZones())[0],
		Size: awscdk.Size_Gibibytes(jsii.Number(150)), Encrypted: jsii.Bool(true)})
	awsec2.NewInterfaceVpcEndpoint(stack, id("Endpoint"), &awsec2.InterfaceVpcEndpointProps{Vpc: vpc,
		Service: awsec2.NewInterfaceVpcEndpointAwsService(id("ssm"), nil, nil, nil)})
	vpc.AddFlowLog(id("FlowLog"), &awsec2.FlowLogOptions{Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(awslogs.NewLogGroup(stack, id("FlowLogs"), nil), nil)})
	acl := awsec2.NewNetworkAcl(stack, id("Acl"), &awsec2.NetworkAclProps{Vpc: vpc})
	acl.AddEntry(id("Https"), &awsec2.CommonNetworkAclEntryOptions{Cidr: awsec2.AclCidr_Ipv4(id("10.0.0.0/16")), RuleNumber: jsii.Number(100),
		Traffic: awsec2.AclTraffic_TcpPortRange(jsii.Number(443), jsii.Number(443))})
	function := awslambda.NewFunction(stack, id("Function"), &awslambda.FunctionProps{Runtime: awslambda.Runtime_PYTHON_3_14(),
		Handler: id("index.handler"), Code: awslambda.Code_FromInline(id("def handler(event, context):\n    return None\n"))})
	awsevents.NewRule(stack, id("FunctionRule"), &awsevents.RuleProps{EventPattern: &awsevents.EventPattern{Source: jsii.Strings("aws.ssm")}}).
		AddTarget(awseventstargets.NewLambdaFunction(function, nil))
	awsiam.NewManagedPolicy(stack, id("ManagedPolicy"), &awsiam.ManagedPolicyProps{Statements: &[]awsiam.PolicyStatement{statement()}})
	awsiam.NewPolicy(stack, id("Policy"), &awsiam.PolicyProps{Statements: &[]awsiam.PolicyStatement{statement()}})
	awsiam.Role_FromRoleArn(stack, id("ImportedRole"), jsii.String("arn:aws:iam::111111111111:role/floor"), nil)
	metric := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{MetricName: id("M"), Namespace: id("N")})
	alarm := metric.CreateAlarm(stack, id("MetricAlarm"), &awscloudwatch.CreateAlarmOptions{EvaluationPeriods: jsii.Number(1), Threshold: jsii.Number(0)})
	awscloudwatch.NewDashboard(stack, id("Dashboard"), nil).AddWidgets(
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Left: &[]awscloudwatch.IMetric{metric}}),
		awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{Alarms: &[]interfacesawscloudwatch.IAlarmRef{alarm}}))
	awsdynamodb.NewTable(stack, id("Table"), &awsdynamodb.TableProps{BillingMode: awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PartitionKey: &awsdynamodb.Attribute{Name: id("key"), Type: awsdynamodb.AttributeType_STRING}})
	bucket := awss3.NewBucket(stack, id("PolicyBucket"), nil)
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings("s3:GetObject"),
		Resources: jsii.Strings("*"), Principals: &[]awsiam.IPrincipal{awsiam.NewAccountRootPrincipal()}}))
	awskms.NewKey(stack, id("GrantKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)}).GrantEncrypt(function)
	awscdk.NewCfnOutput(stack, id("Output"), &awscdk.CfnOutputProps{Value: bucket.BucketName()})
}
