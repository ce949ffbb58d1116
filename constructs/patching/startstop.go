package patching

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"go.yaml.in/yaml/v3"

	"github.com/privatepatch/privatepatch/constructs/deputy"
	"github.com/privatepatch/privatepatch/constructs/managedinstance"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// StartStopProps configures the start-stop runbook and its role.
type StartStopProps struct {
	// FleetTagKey and FleetTagValue: the role may start, stop and tag only instances carrying this
	// tag. Required.
	FleetTagKey, FleetTagValue string
	// SchedulerTagKey is an instance scheduler's tag key, suspended while a window runs. Default:
	// none.
	SchedulerTagKey string
}

// StartStop is the runbook that starts a window's stopped targets and stops them again, and the
// role it runs with.
type StartStop interface {
	constructs.Construct
	Document() awsssm.CfnDocument
	Role() awsiam.IRole
	// Props are the props it was made with (the window passes the tags on).
	Props() StartStopProps
}

type startStop struct {
	constructs.Construct
	document awsssm.CfnDocument
	role     awsiam.Role
	props    StartStopProps
}

func (s *startStop) Document() awsssm.CfnDocument { return s.document }
func (s *startStop) Role() awsiam.IRole           { return s.role }
func (s *startStop) Props() StartStopProps        { return s.props }

var startStopParameters = []string{"AutomationAssumeRole", "Action", "FleetTagKey", "FleetTagValue", "PatchGroupTagKey", "PatchGroups",
	"InstanceIds", "WindowExecutionId", "SchedulerTagKey"}

// NewStartStop creates the runbook (one aws:executeScript step running
// patchingspec.StartStopScript) and its role. It panics with every bad prop.
func NewStartStop(scope constructs.Construct, id string, props *StartStopProps) StartStop {
	if props == nil {
		panic(spec.NilProps(fmt.Sprintf("patching.NewStartStop(%q)", id), "StartStopProps"))
	}
	var problems spec.Problems
	if props.FleetTagKey == "" || props.FleetTagValue == "" {
		problems.Add("FleetTagKey", props.FleetTagKey, "and FleetTagValue are required: the role starts and stops only the fleet")
	}
	if err := problems.Err(fmt.Sprintf("patching.NewStartStop(%q)", id), "StartStopProps"); err != nil {
		panic(err)
	}
	s := &startStop{Construct: constructs.NewConstruct(scope, jsii.String(id)), props: *props}
	s.addRunbook(startStopRunbook())
	s.addRole(props)
	return s
}

// startStopRunbook is the runbook's content: one aws:executeScript step, the project's script,
// given every parameter but the role it assumes; the optional ones default to empty.
func startStopRunbook() map[string]any {
	parameters, payload := map[string]any{}, map[string]any{}
	for _, name := range startStopParameters {
		parameters[name] = map[string]any{"type": "String"}
		if name != "AutomationAssumeRole" {
			payload[name] = "{{ " + name + " }}"
		}
	}
	for _, optional := range []string{"PatchGroups", "InstanceIds", "SchedulerTagKey"} {
		parameters[optional] = map[string]any{"type": "String", "default": ""}
	}
	return map[string]any{
		"schemaVersion": patchingspec.PromoteSchemaVersion,
		"description":   "privatepatch startStopped: start a window's stopped targets (tagged), or stop exactly those again",
		"assumeRole":    "{{ AutomationAssumeRole }}",
		"parameters":    parameters,
		"mainSteps": []any{map[string]any{
			"name": "StartOrStop", "action": "aws:executeScript", "timeoutSeconds": patchingspec.PromoteTimeoutSeconds,
			"onFailure": "Abort", "isEnd": true,
			"inputs": map[string]any{"Runtime": patchingspec.PromoteRuntime, "Handler": "handler",
				"Script": patchingspec.StartStopScript, "InputPayload": payload},
			"outputs": []any{map[string]any{"Name": "Message", "Selector": "$.Payload.Message", "Type": "String"}},
		}},
		"outputs": []any{"StartOrStop.Message"},
	}
}

// addRunbook creates the runbook (Runbook), its content as YAML text.
func (s *startStop) addRunbook(runbook map[string]any) {
	s.document = awsssm.NewCfnDocument(s.Construct, jsii.String("Runbook"), &awsssm.CfnDocumentProps{
		DocumentType: jsii.String(patchingspec.PromoteDocumentType), DocumentFormat: jsii.String("YAML"),
		UpdateMethod: jsii.String("NewVersion"), Content: runbook,
	})
	content, err := yaml.Marshal(runbook)
	if err != nil {
		panic(err)
	}
	// YAML text: the embedded Script is not supported in JSON runbooks (see NewPromotion).
	s.document.AddPropertyOverride(jsii.String("Content"), string(content))
}

// addRole creates the role (Role) the runbook assumes: it starts, stops and marks only the
// fleet's instances, and tags them with the steps' own keys only.
func (s *startStop) addRole(props *StartStopProps) {
	_, env := stackenv.Of(s.Construct)
	instances := managedinstance.EC2InstancesArn(env.Partition, env.Region, env.Account)
	fleetOnly := map[string]any{"aws:ResourceTag/" + props.FleetTagKey: props.FleetTagValue}
	tagKeys := []string{patchingspec.StartedTag, patchingspec.SuspendedScheduleTag}
	if props.SchedulerTagKey != "" {
		tagKeys = append(tagKeys, props.SchedulerTagKey)
	}
	s.role = awsiam.NewRole(s.Construct, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   deputy.ServicePrincipal(s.Construct, "ssm.amazonaws.com", deputy.SystemsManager),
		Description: jsii.String("privatepatch startStopped: starts and stops the fleet's instances a window patches"),
	})
	s.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("FindTargets"), Actions: jsii.Strings("ec2:DescribeInstances", "ssm:DescribeInstanceInformation"),
		Resources: jsii.Strings("*"), // these actions take no resource
	}))
	s.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("StartStopTheFleet"), Actions: jsii.Strings("ec2:StartInstances", "ec2:StopInstances"),
		Resources: jsii.Strings(instances), Conditions: &map[string]any{"StringEquals": fleetOnly},
	}))
	s.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("MarkWhatItStarts"), Actions: jsii.Strings("ec2:CreateTags", "ec2:DeleteTags"),
		Resources:  jsii.Strings(instances),
		Conditions: &map[string]any{"StringEquals": fleetOnly, "ForAllValues:StringEquals": map[string]any{"aws:TagKeys": tagKeys}},
	}))
	cdknag.NagSuppressions_AddResourceSuppressions(s.role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("Stopped targets are found by tag at run time: Start/Stop/CreateTags/DeleteTags need instance/*, limited by " +
			"condition to instances with the fleet tag (and the tags to the steps' own keys); the Describe actions take no resource"),
		AppliesTo: &[]any{"Resource::*", map[string]any{"regex": "/^Resource::arn:.*:instance\\/\\*$/"}},
	}}, jsii.Bool(true))
}

// allowRunbook lets the window start runbook (a document of this account) with role as its
// AutomationAssumeRole, and follow it. sid names the statements.
func (w *maintenanceWindow) allowRunbook(sid string, runbook awsssm.CfnDocument, role awsiam.IRole) {
	_, env := stackenv.Of(w.Construct)
	region, account, partition := env.Region, env.Account, env.Partition
	w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("Start" + sid),
		Actions: jsii.Strings("ssm:StartAutomationExecution"),
		Resources: jsii.Strings(
			fmt.Sprintf("arn:%s:ssm:%s:%s:automation-definition/%s:*", partition, region, account, *runbook.Ref()),
			fmt.Sprintf("arn:%s:ssm:%s:%s:document/%s", partition, region, account, *runbook.Ref()),
			fmt.Sprintf("arn:%s:ssm:%s:%s:automation-execution/*", partition, region, account),
		),
	}))
	w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("Follow" + sid),
		Actions:   jsii.Strings("ssm:GetAutomationExecution"),
		Resources: jsii.Strings(fmt.Sprintf("arn:%s:ssm:%s:%s:automation-execution/*", partition, region, account)),
	}))
	w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("Pass" + sid + "Role"),
		Actions:    jsii.Strings("iam:PassRole"),
		Resources:  jsii.Strings(*role.RoleArn()),
		Conditions: &map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ssm.amazonaws.com"}},
	}))
	cdknag.NagSuppressions_AddResourceSuppressions(w.role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("StartAutomationExecution authorises the project's runbook's automation definition in any of its versions " +
			"(each deploy of the document adds one), and the executions it starts, whose ids are not known in advance"),
		AppliesTo: &[]any{map[string]any{"regex": "/^Resource::arn:.*:automation-definition\\/<[A-Za-z0-9]*>:\\*$/"}},
	}}, jsii.Bool(true))
}

// addStartStopTask registers the start (action start) or stop step, without targets: once per
// window run.
func (w *maintenanceWindow) addStartStopTask(p *WindowProps, action string, priority int) {
	s := p.StartStopped
	props := s.Props()
	params := map[string]any{
		"AutomationAssumeRole": []*string{s.Role().RoleArn()},
		"Action":               []string{action},
		"FleetTagKey":          []string{props.FleetTagKey},
		"FleetTagValue":        []string{props.FleetTagValue},
		"PatchGroupTagKey":     []string{p.PatchGroupTagKey},
		"WindowExecutionId":    []string{"{{WINDOW_EXECUTION_ID}}"},
	}
	if len(p.PatchGroups) > 0 {
		params["PatchGroups"] = []string{strings.Join(p.PatchGroups, ",")}
	} else {
		params["InstanceIds"] = []string{strings.Join(p.InstanceIds, ",")}
	}
	if props.SchedulerTagKey != "" {
		params["SchedulerTagKey"] = []string{props.SchedulerTagKey}
	}
	id, description := "StartStopped", "Start the stopped targets (tagged with this window execution) before patching"
	if action == "stop" {
		id, description = "StopStarted", "Stop exactly the instances this window execution started"
	}
	w.tasks = append(w.tasks, awsssm.NewCfnMaintenanceWindowTask(w.Construct, jsii.String(id), &awsssm.CfnMaintenanceWindowTaskProps{
		WindowId: w.window.Ref(), Name: jsii.String(p.Name + "-" + action), Description: jsii.String(description),
		TaskType: jsii.String("AUTOMATION"), TaskArn: s.Document().Ref(), Priority: jsii.Number(priority), ServiceRoleArn: w.role.RoleArn(),
		TaskInvocationParameters: &awsssm.CfnMaintenanceWindowTask_TaskInvocationParametersProperty{
			MaintenanceWindowAutomationParameters: &awsssm.CfnMaintenanceWindowTask_MaintenanceWindowAutomationParametersProperty{
				DocumentVersion: jsii.String("$DEFAULT"), Parameters: params,
			},
		},
	}))
}
