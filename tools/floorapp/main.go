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

  -classes  also make one construct more of each construct class the default configuration
            makes beyond the floor's (subnet, security groups and rules, endpoints, flow log,
            network ACL, instance, volume, patch baseline, maintenance window, association,
            function, policy, alarms, dashboard, table, bucket policy, output): make bench sets
            what those cost per construct beside what the app's constructs cost.`)
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

// oneOfEachClass makes one construct more of each construct class the default configuration's
// stacks make beyond oneOfEach's (make bench fails, naming it, when the app makes a class this
// does not; the app makes no managed policy, and imports one as here), so that make bench can set
// what these cost the floor per construct beside what the app's own constructs cost it. One of
// each is not the app's mix: its L2s are the heavy ones, its L1s each one resource.
func oneOfEachClass(stack awscdk.Stack, vpc awsec2.Vpc) {
	id := func(name string) *string { return jsii.String(name) }
	get := func() awsiam.PolicyStatement {
		return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings("s3:GetObject"), Resources: jsii.Strings("*")})
	}
	zone := (*vpc.AvailabilityZones())[0]
	// The network: a private subnet, security groups with rules between them, endpoints, a flow
	// log, a network ACL with an entry and a subnet association.
	private := awsec2.NewPrivateSubnet(stack, id("PrivateSubnet"), &awsec2.PrivateSubnetProps{VpcId: vpc.VpcId(),
		AvailabilityZone: zone, CidrBlock: id("10.0.128.0/24")})
	group := awsec2.NewSecurityGroup(stack, id("SecurityGroup"), &awsec2.SecurityGroupProps{Vpc: vpc, AllowAllOutbound: jsii.Bool(false)})
	peer := awsec2.NewSecurityGroup(stack, id("PeerSecurityGroup"), &awsec2.SecurityGroupProps{Vpc: vpc, AllowAllOutbound: jsii.Bool(false)})
	group.AddIngressRule(awsec2.Peer_Ipv4(id("10.0.0.0/16")), awsec2.Port_Tcp(jsii.Number(443)), nil, nil)
	group.AddEgressRule(peer, awsec2.Port_Tcp(jsii.Number(443)), nil, nil)  // a CfnSecurityGroupEgress
	peer.AddIngressRule(group, awsec2.Port_Tcp(jsii.Number(443)), nil, nil) // a CfnSecurityGroupIngress
	awsec2.NewInterfaceVpcEndpoint(stack, id("Endpoint"), &awsec2.InterfaceVpcEndpointProps{Vpc: vpc,
		Service: awsec2.NewInterfaceVpcEndpointAwsService(id("ssm"), nil, nil, nil)})
	vpc.AddGatewayEndpoint(id("S3Endpoint"), &awsec2.GatewayVpcEndpointOptions{Service: awsec2.GatewayVpcEndpointAwsService_S3()})
	vpc.AddFlowLog(id("FlowLog"), &awsec2.FlowLogOptions{Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(awslogs.NewLogGroup(stack, id("FlowLogs"), nil), nil)})
	acl := awsec2.NewNetworkAcl(stack, id("Acl"), &awsec2.NetworkAclProps{Vpc: vpc,
		SubnetSelection: &awsec2.SubnetSelection{Subnets: &[]awsec2.ISubnet{private}}})
	acl.AddEntry(id("Https"), &awsec2.CommonNetworkAclEntryOptions{Cidr: awsec2.AclCidr_Ipv4(id("10.0.0.0/16")), RuleNumber: jsii.Number(100),
		Traffic: awsec2.AclTraffic_TcpPortRange(jsii.Number(443), jsii.Number(443))})
	// The WSUS server: an instance with IMDSv2 (its launch template), an Elastic IP, a volume
	// attached to it.
	instance := awsec2.NewInstance(stack, id("Instance"), &awsec2.InstanceProps{Vpc: vpc, SecurityGroup: group, RequireImdsv2: jsii.Bool(true),
		InstanceType: awsec2.NewInstanceType(id("t3.medium")),
		MachineImage: awsec2.MachineImage_ResolveSsmParameterAtLaunch(id("/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base"),
			&awsec2.SsmParameterImageOptions{Os: awsec2.OperatingSystemType_WINDOWS}),
		BlockDevices: &[]*awsec2.BlockDevice{{DeviceName: id("/dev/sda1"),
			Volume: awsec2.BlockDeviceVolume_Ebs(jsii.Number(50), &awsec2.EbsDeviceOptions{Encrypted: jsii.Bool(true)})}}})
	awsec2.NewCfnEIP(stack, id("Eip"), &awsec2.CfnEIPProps{InstanceId: instance.InstanceId()})
	volume := awsec2.NewVolume(stack, id("Volume"), &awsec2.VolumeProps{AvailabilityZone: zone,
		Size: awscdk.Size_Gibibytes(jsii.Number(150)), Encrypted: jsii.Bool(true)})
	awsec2.NewCfnVolumeAttachment(stack, id("VolumeAttachment"), &awsec2.CfnVolumeAttachmentProps{InstanceId: instance.InstanceId(),
		VolumeId: volume.VolumeId(), Device: id("xvdf")})
	// Patching: a baseline, a window with a target and a task, an association.
	awsssm.NewCfnPatchBaseline(stack, id("Baseline"), &awsssm.CfnPatchBaselineProps{Name: id("floor"), OperatingSystem: id("WINDOWS")})
	window := awsssm.NewCfnMaintenanceWindow(stack, id("Window"), &awsssm.CfnMaintenanceWindowProps{Name: id("floor"),
		Schedule: id("cron(0 2 ? * SAT *)"), Duration: jsii.Number(3), Cutoff: jsii.Number(1), AllowUnassociatedTargets: jsii.Bool(false)})
	awsssm.NewCfnMaintenanceWindowTarget(stack, id("WindowTarget"), &awsssm.CfnMaintenanceWindowTargetProps{WindowId: window.Ref(),
		ResourceType: id("INSTANCE"), Targets: &[]*awsssm.CfnMaintenanceWindowTarget_TargetsProperty{{Key: id("tag:PatchGroup"), Values: jsii.Strings("floor")}}})
	awsssm.NewCfnMaintenanceWindowTask(stack, id("WindowTask"), &awsssm.CfnMaintenanceWindowTaskProps{WindowId: window.Ref(),
		TaskArn: id("AWS-RunPatchBaseline"), TaskType: id("RUN_COMMAND"), Priority: jsii.Number(1),
		MaxConcurrency: id("1"), MaxErrors: id("1"), Targets: &[]*awsssm.CfnMaintenanceWindowTask_TargetProperty{{Key: id("WindowTargetIds"), Values: jsii.Strings("floor")}}})
	awsssm.NewCfnAssociation(stack, id("Association"), &awsssm.CfnAssociationProps{Name: id("AWS-GatherSoftwareInventory"),
		Targets: &[]*awsssm.CfnAssociation_TargetProperty{{Key: id("InstanceIds"), Values: jsii.Strings("*")}}})
	// Compliance and alerts: a function with its rule, its role's policies, a dashboard with both
	// widget kinds over an alarm and a composite alarm, a table, a bucket policy, a key grant.
	function := awslambda.NewFunction(stack, id("Function"), &awslambda.FunctionProps{Runtime: awslambda.Runtime_PYTHON_3_14(),
		Handler: id("index.handler"), Code: awslambda.Code_FromInline(id("def handler(event, context):\n    return None\n"))})
	awsevents.NewRule(stack, id("FunctionRule"), &awsevents.RuleProps{EventPattern: &awsevents.EventPattern{Source: jsii.Strings("aws.ssm")}}).
		AddTarget(awseventstargets.NewLambdaFunction(function, nil))
	function.Role().AddManagedPolicy(awsiam.ManagedPolicy_FromAwsManagedPolicyName(id("AmazonSSMReadOnlyAccess")))
	awsiam.NewPolicy(stack, id("Policy"), &awsiam.PolicyProps{Statements: &[]awsiam.PolicyStatement{get()}}).AttachToRole(function.Role())
	awsiam.Role_FromRoleArn(stack, id("ImportedRole"), jsii.String("arn:aws:iam::111111111111:role/floor"), nil)
	metric := awscloudwatch.NewMetric(&awscloudwatch.MetricProps{MetricName: id("M"), Namespace: id("N")})
	alarm := metric.CreateAlarm(stack, id("MetricAlarm"), &awscloudwatch.CreateAlarmOptions{EvaluationPeriods: jsii.Number(1), Threshold: jsii.Number(0)})
	awscloudwatch.NewCfnCompositeAlarm(stack, id("CompositeAlarm"), &awscloudwatch.CfnCompositeAlarmProps{
		AlarmRule: jsii.String(fmt.Sprintf("ALARM(%s)", *alarm.AlarmArn()))})
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
