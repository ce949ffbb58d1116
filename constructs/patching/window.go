package patching

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/deputy"
	"github.com/privatepatch/privatepatch/constructs/managedinstance"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// PatchGroupTag is the tag key Patch Manager reads an instance's patch group from.
const PatchGroupTag = managedinstance.PatchGroupTag

// OutputPrefix is where every AWS-RunPatchBaseline run (window tasks and scans) writes its output
// in the output bucket: grant it to the role of every instance that is patched or scanned.
const OutputPrefix = "patch/"

// PatchTask runs AWS-RunPatchBaseline in a window (patchingspec.Task: defaults and rules there).
// NotifyOnFailure, true unless set false, needs WindowProps.Topic; CloudWatchOutput needs
// WindowProps.LogGroup.
type PatchTask = patchingspec.Task

// WindowProps configures a maintenance window: its settings (patchingspec.Window), its targets
// (patchingspec.Targets: exactly one kind) and where its tasks write and notify. Name, Schedule
// and the targets are required.
type WindowProps struct {
	patchingspec.Window
	patchingspec.Targets
	// HybridNodes lets the tasks send commands to hybrid (on-premises) managed nodes too, which
	// tag and instance id targets reach: without it they are denied there. AWS-CreateImage
	// images EC2 instances only: keep hybrid nodes out of windows with PrePatchImage.
	// Default: false (EC2 instances only).
	HybridNodes bool
	// OutputBucket receives task output under patch/<window name>/<operation>/. Default: none.
	OutputBucket awss3.IBucket
	// LogGroup receives output of tasks with CloudWatchOutput. Required by such tasks.
	LogGroup awslogs.ILogGroup
	// Topic is notified of failed tasks. Required unless every task sets NotifyOnFailure false.
	Topic awssns.ITopic
	// InstallOverrideList is the S3 URL of the list the Install tasks install instead of what the
	// baseline approves (on Windows, only what the baseline also approves): the earlier ring's
	// promoted list (patchingspec.PromoteListURL). Scan tasks ignore it. Default: none.
	InstallOverrideList string
	// Promote adds the exact-promotion task after every other task: what the window's one patch
	// group installed in the run becomes the next ring's list. Needs an Install task and one patch
	// group target. Default: none.
	Promote *PromoteTask
	// StartStopped starts the stopped instances among the targets first (priority 0; the
	// pre-patch image then runs at 1, so tasks must start at 2) and stops exactly those after every
	// other task. Patch group or instance id targets only. Default: none.
	StartStopped StartStop
	// HookScripts are the content of each hook script file the tasks' Hooks name, by the name
	// the hook gives (a .ps1 or .sh path). Required for each such file. Default: none.
	HookScripts map[string]string
	// AlarmNamePrefix starts the names of the window's failure and stop alarms, e.g. the stack's
	// name and a dash. Required with FailureAlarm, EarlierAlarms or a task's StopOnAlarms.
	AlarmNamePrefix string
	// FailureAlarm adds the window's failure alarm (patchingspec.FailureAlarmName), latched by an
	// execution that failed, timed out, was cancelled or skipped, notifying Topic; the window's
	// Install tasks stop on it. Needs Topic. Default: false.
	FailureAlarm bool
	// EarlierAlarms are the failure alarms (names) of the earlier ring's windows: this window's
	// Install tasks stop on them too. Default: none.
	EarlierAlarms []string
}

func (p *WindowProps) withDefaults() WindowProps {
	d := *p
	d.Window, d.Targets = d.Window.WithDefaults(), d.Targets.WithDefaults()
	return d
}

// problems are the props' problems, after defaults.
func (p *WindowProps) problems() spec.Problems {
	problems := p.Window.Problems()
	problems.Within("Targets", p.Targets.Problems())
	installs := slices.ContainsFunc(p.Tasks, func(t PatchTask) bool { return t.Operation == patchingspec.OperationInstall })
	// The key, not the bucket: the bucket name may be a token (${Token[...]}) until synthesis.
	if _, key, ok := strings.Cut(strings.TrimPrefix(p.InstallOverrideList, "s3://"), "/"); p.InstallOverrideList != "" &&
		(!strings.HasPrefix(p.InstallOverrideList, "s3://") || !ok || key == "" || strings.ContainsAny(key, "`'\"$")) {
		problems.Add("InstallOverrideList", p.InstallOverrideList, "is not an S3 path-style URL (s3://bucket/key, the key without ` ' \" or $): a private bucket's list needs that form")
	}
	if p.InstallOverrideList != "" && !installs {
		problems.Add("InstallOverrideList", p.InstallOverrideList, "needs an Install task: Scan ignores the list")
	}
	if p.Promote != nil {
		if !installs {
			problems.Add("Promote", "", "needs an Install task: it promotes what the window installed")
		}
		if len(p.PatchGroups) != 1 {
			problems.Add("Promote", "", "needs the window to target exactly one patch group, the ring it promotes")
		}
		if p.Promote.Runbook == nil || p.Promote.Role == nil || p.Promote.Bucket == nil {
			problems.Add("Promote", "", "needs Runbook, Role and Bucket (patching.NewPromotion)")
		}
		if last := lastPriority(p.Tasks); last >= patchingspec.MaxPriority {
			problems.Add("Promote", "", "runs after the last task (priority %d), so that task's priority must be below %d", last, patchingspec.MaxPriority)
		}
	}
	if p.StartStopped != nil {
		if p.ResourceGroup != "" {
			problems.Add("StartStopped", "", "needs patch group or instance id targets: the start step finds stopped instances by tag or id")
		}
		first := patchingspec.MaxPriority
		for _, t := range p.Tasks {
			first = min(first, t.Priority)
		}
		if p.PrePatchImage && first <= patchingspec.ImageAfterStartPriority {
			problems.Add("StartStopped", "", "with PrePatchImage runs the image at priority %d: give the tasks priorities from %d",
				patchingspec.ImageAfterStartPriority, patchingspec.ImageAfterStartPriority+1)
		}
		if stop := lastPriority(p.Tasks) + 1 + boolInt(p.Promote != nil); stop > patchingspec.MaxPriority {
			problems.Add("StartStopped", "", "stops the instances after the last task: keep task priorities below %d", patchingspec.MaxPriority-boolInt(p.Promote != nil))
		}
	}
	problems = append(problems, p.hooksProblems()...)
	problems = append(problems, p.alarmProblems()...)
	for i, t := range p.Tasks {
		if t.CloudWatchOutput && p.LogGroup == nil {
			problems.Add(fmt.Sprintf("Tasks[%d].CloudWatchOutput", i), true, "needs LogGroup, where the output goes")
		}
		if t.Notifies() && p.Topic == nil {
			problems.Add(fmt.Sprintf("Tasks[%d].NotifyOnFailure", i), true, "(the default) needs Topic, where failed commands are published; "+
				"set it false to publish nothing")
		}
	}
	return problems
}

// Validate reports every problem of props, each naming its prop, or nil: what
// NewMaintenanceWindow would panic with.
func (p *WindowProps) Validate() error {
	d := p.withDefaults()
	return d.problems().Err("patching.NewMaintenanceWindow", "WindowProps")
}

// MaintenanceWindow is the window, its target, tasks and the service role the tasks run with.
type MaintenanceWindow interface {
	constructs.Construct
	Window() awsssm.CfnMaintenanceWindow
	// Target is the window's one target: each instance it matches runs each task once.
	Target() awsssm.CfnMaintenanceWindowTarget
	Tasks() []awsssm.CfnMaintenanceWindowTask
	// Role is the tasks' service role: it sends the commands and starts the pre-patch image
	// automation.
	Role() awsiam.IRole
	// NotificationRole is the role Run Command publishes the tasks' notifications with, or nil
	// when no task notifies.
	NotificationRole() awsiam.IRole
	// FailureAlarm is the window's failure alarm (WindowProps.FailureAlarm), or nil.
	FailureAlarm() awscloudwatch.Alarm
	// FailureRule is the rule whose matches latch FailureAlarm, or nil. It has no target of its
	// own: send it to the alerts topic (Alerts.Notify), which then reports the window's failures
	// (leave the window out of Alerts.WatchWindows), so that the rule has a target as AWS's
	// examples of alarms on a rule's TriggeredRules do.
	FailureRule() awsevents.Rule
	// StopAlarms are, by task name, the alarm each Install task stops on (to attach after the
	// deploy: CloudFormation cannot).
	StopAlarms() map[string]string
	// StopComposites are those alarms, in task order.
	StopComposites() []awscloudwatch.CfnCompositeAlarm
}

type maintenanceWindow struct {
	constructs.Construct
	window     awsssm.CfnMaintenanceWindow
	target     awsssm.CfnMaintenanceWindowTarget
	tasks      []awsssm.CfnMaintenanceWindowTask
	role       awsiam.Role
	passesSelf bool
	// notificationRole: notificationRoleFor.
	notificationRole awsiam.Role
	// failureAlarm, stopAlarms, composites: rollout.go.
	failureAlarm awscloudwatch.Alarm
	failureRule  awsevents.Rule
	stopAlarms   map[string]string
	composites   []awscloudwatch.CfnCompositeAlarm
}

// allowPassingSelf lets the window pass its own role to Systems Manager, which AWS-CreateImage
// (AutomationAssumeRole) needs: without it the task fails to start. The statement is added once,
// however many tasks need it.
func (w *maintenanceWindow) allowPassingSelf() {
	if w.passesSelf {
		return
	}
	w.passesSelf = true
	w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("PassSelfToSystemsManager"),
		Actions:    jsii.Strings("iam:PassRole"),
		Resources:  jsii.Strings(*w.role.RoleArn()),
		Conditions: &map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ssm.amazonaws.com"}},
	}))
}

// notificationRoleFor is the role Run Command publishes the tasks' notifications to topic with
// (MaintenanceWindowRunCommandParameters.ServiceRoleArn, "to publish Amazon SNS notifications"),
// made on first use; the window's role passes it to Systems Manager. It is a role of its own, as
// "Monitoring Systems Manager status changes using Amazon SNS notifications" (Systems Manager
// User Guide, read 2026-12-07) sets it up: a role for the Systems Manager use case that may
// publish to the topic, which the maintenance window's role may pass. Its trust is that page's,
// without aws:SourceAccount or aws:SourceArn: no page says which source Run Command gives when it
// assumes the role, and a condition it does not meet would lose the notifications or, should Run
// Command check the role when the task sends its command (InvalidRole), the patch task itself.
// The role can only publish to the alerts topic, and only this account can pass it.
func (w *maintenanceWindow) notificationRoleFor(p *WindowProps) awsiam.Role {
	if w.notificationRole != nil {
		return w.notificationRole
	}
	w.notificationRole = awsiam.NewRole(w.Construct, jsii.String("NotificationRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ssm.amazonaws.com"), nil),
		Description: jsii.String("privatepatch maintenance window " + p.Name + ": Run Command publishes the tasks' notifications with it"),
	})
	p.Topic.GrantPublish(w.notificationRole)
	cdknag.NagSuppressions_AddResourceSuppressions(w.notificationRole, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("Publishing to the KMS-encrypted alerts topic needs kms:GenerateDataKey* on its key (the key alone)"),
		AppliesTo: &[]any{"Action::kms:GenerateDataKey*"},
	}}, jsii.Bool(true))
	w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("PassNotificationRoleToSystemsManager"),
		Actions:    jsii.Strings("iam:PassRole"),
		Resources:  jsii.Strings(*w.notificationRole.RoleArn()),
		Conditions: &map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ssm.amazonaws.com"}},
	}))
	return w.notificationRole
}

// NewMaintenanceWindow creates the window and its tasks. It panics when props are invalid,
// before creating anything, with an error naming every bad prop (WindowProps.Validate returns it).
func NewMaintenanceWindow(scope constructs.Construct, id string, props *WindowProps) MaintenanceWindow {
	if props == nil {
		panic(spec.NilProps(fmt.Sprintf("patching.NewMaintenanceWindow(%q)", id), "WindowProps"))
	}
	p := props.withDefaults()
	if err := p.problems().Err(fmt.Sprintf("patching.NewMaintenanceWindow(%q)", id), "WindowProps"); err != nil {
		panic(err)
	}
	w := &maintenanceWindow{Construct: constructs.NewConstruct(scope, jsii.String(id)), stopAlarms: map[string]string{}}
	_, env := stackenv.Of(w.Construct)
	w.window = awsssm.NewCfnMaintenanceWindow(w.Construct, jsii.String("Window"), newWindowProps(&p))
	windowTargets := w.addTarget(&p)
	w.addServiceRole(&p, env)
	w.addTasks(&p, env, windowTargets)
	cdknag.NagSuppressions_AddResourceSuppressions(w.role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("The window targets instances by tag, so SendCommand needs instance/* (and managed-instance/* for hybrid " +
			"nodes, when asked for); the command-following actions " +
			"take no resource; AWS-CreateImage creates AMIs and snapshots whose ids are not known in advance"),
		AppliesTo: &[]any{"Resource::*", map[string]any{"regex": "/^Resource::arn:.*:instance\\/\\*$/"},
			map[string]any{"regex": "/^Resource::arn:.*:managed-instance\\/\\*$/"},
			map[string]any{"regex": "/^Resource::arn:.*:(image|snapshot)\\/\\*$/"}, map[string]any{"regex": "/^Resource::arn:.*:automation-execution\\/\\*$/"},
			map[string]any{"regex": "/^Resource::arn:.*:automation-definition\\/AWS-CreateImage:\\*$/"}},
	}}, jsii.Bool(true))
	return w
}

// newWindowProps are the window's schedule and bounds; the optional ones only when set.
func newWindowProps(p *WindowProps) *awsssm.CfnMaintenanceWindowProps {
	windowProps := &awsssm.CfnMaintenanceWindowProps{
		Name:                     jsii.String(p.Name),
		Schedule:                 jsii.String(p.Schedule),
		ScheduleTimezone:         jsii.String(p.Timezone),
		Duration:                 jsii.Number(*p.DurationHours),
		Cutoff:                   jsii.Number(*p.CutoffHours),
		AllowUnassociatedTargets: jsii.Bool(p.AllowUnassociatedTargets),
		Description:              jsii.String("privatepatch: AWS-RunPatchBaseline with rate control"),
	}
	if p.ScheduleOffset > 0 {
		windowProps.ScheduleOffset = jsii.Number(p.ScheduleOffset)
	}
	if p.StartDate != "" {
		windowProps.StartDate = jsii.String(p.StartDate)
	}
	if p.EndDate != "" {
		windowProps.EndDate = jsii.String(p.EndDate)
	}
	return windowProps
}

// addTarget registers the window's one target (Target): the patch groups by tag, else the
// resource group, else the instance ids; it returns the tasks' targets, that target.
func (w *maintenanceWindow) addTarget(p *WindowProps) []any {
	addTarget := func(resourceType string, targets ...*awsssm.CfnMaintenanceWindowTarget_TargetsProperty) {
		var list []any
		for _, t := range targets {
			list = append(list, t)
		}
		w.target = awsssm.NewCfnMaintenanceWindowTarget(w.Construct, jsii.String("Target"), &awsssm.CfnMaintenanceWindowTargetProps{
			WindowId: w.window.Ref(), ResourceType: jsii.String(resourceType), Targets: list, Name: jsii.String(p.TargetName()),
		})
	}
	switch {
	case len(p.PatchGroups) > 0:
		addTarget("INSTANCE", &awsssm.CfnMaintenanceWindowTarget_TargetsProperty{
			Key: jsii.String("tag:" + p.PatchGroupTagKey), Values: jsii.Strings(p.PatchGroups...)})
	case p.ResourceGroup != "":
		addTarget("RESOURCE_GROUP",
			&awsssm.CfnMaintenanceWindowTarget_TargetsProperty{Key: jsii.String("resource-groups:Name"), Values: jsii.Strings(p.ResourceGroup)},
			&awsssm.CfnMaintenanceWindowTarget_TargetsProperty{Key: jsii.String("resource-groups:ResourceTypeFilters"), Values: jsii.Strings("AWS::EC2::Instance")})
	default:
		addTarget("INSTANCE", &awsssm.CfnMaintenanceWindowTarget_TargetsProperty{Key: jsii.String("InstanceIds"), Values: jsii.Strings(p.InstanceIds...)})
	}
	return []any{&awsssm.CfnMaintenanceWindowTask_TargetProperty{Key: jsii.String("WindowTargetIds"), Values: jsii.Strings(*w.target.Ref())}}
}

// addServiceRole creates the role ServiceRole the tasks run as, allowed to send the tasks'
// documents (AWS-RunPatchBaseline, AWS-RunPatchBaselineWithHooks) to the fleet and to follow
// their commands.
func (w *maintenanceWindow) addServiceRole(p *WindowProps, env stackenv.Env) {
	w.role = awsiam.NewRole(w.Construct, jsii.String("ServiceRole"), &awsiam.RoleProps{
		AssumedBy:   deputy.ServicePrincipal(w.Construct, "ssm.amazonaws.com", deputy.SystemsManager),
		Description: jsii.String("privatepatch maintenance window " + p.Name + ": runs its tasks"),
	})
	// The documents the tasks run, and no other: a window whose tasks all have hooks sends only
	// AWS-RunPatchBaselineWithHooks (the authorisation proof finds any document no task needs).
	var sendTo []string
	for _, t := range p.Tasks {
		if arn := AWSDocumentArn(env.Partition, env.Region, t.Document()); !slices.Contains(sendTo, arn) {
			sendTo = append(sendTo, arn)
		}
	}
	sendTo = append(sendTo, managedinstance.EC2InstancesArn(env.Partition, env.Region, env.Account))
	if p.HybridNodes {
		sendTo = append(sendTo, managedinstance.HybridNodesArn(env.Partition, env.Region, env.Account))
	}
	w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("RunPatchBaseline"),
		Actions:   jsii.Strings("ssm:SendCommand"),
		Resources: jsii.Strings(sendTo...),
	}))
	w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("FollowCommands"),
		Actions:   jsii.Strings("ssm:CancelCommand", "ssm:GetCommandInvocation", "ssm:ListCommandInvocations", "ssm:ListCommands"),
		Resources: jsii.Strings("*"), // these actions take no resource
	}))
	if p.ResourceGroup != "" {
		w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ResolveResourceGroup"),
			Actions:   jsii.Strings("resource-groups:ListGroupResources", "tag:GetResources"),
			Resources: jsii.Strings("*"),
		}))
	}
}

// addTasks adds the tasks in the order they run: start the stopped instances, the pre-patch
// image, the patch tasks, the promotion, stop the started instances again.
func (w *maintenanceWindow) addTasks(p *WindowProps, env stackenv.Env, windowTargets []any) {
	imagePriority := 0
	if p.StartStopped != nil {
		w.allowRunbook("StartStop", p.StartStopped.Document(), p.StartStopped.Role())
		w.addStartStopTask(p, "start", patchingspec.StartPriority)
		imagePriority = patchingspec.ImageAfterStartPriority
	}
	if p.PrePatchImage {
		w.addPrePatchImage(env, windowTargets, imagePriority)
	}
	if p.FailureAlarm {
		w.addFailureAlarm(p)
	}
	for i, t := range p.Tasks {
		w.tasks = append(w.tasks, w.addPatchTask(i, p, t, windowTargets))
		if names := stopAlarmsOf(p, t); len(names) > 0 {
			w.addStopAlarm(p, i, names)
		}
	}
	last := lastPriority(p.Tasks)
	if p.Promote != nil {
		last++
		w.addPromoteTask(p, last)
	}
	if p.StartStopped != nil {
		w.addStartStopTask(p, "stop", last+1)
	}
}

func (w *maintenanceWindow) addPatchTask(i int, p *WindowProps, t PatchTask, targets []any) awsssm.CfnMaintenanceWindowTask {
	operation := t.Operation
	run := &awsssm.CfnMaintenanceWindowTask_MaintenanceWindowRunCommandParametersProperty{
		Comment: jsii.String(fmt.Sprintf("%s patches approved by each instance's baseline", operation)),
		Parameters: map[string]any{
			"Operation":    []string{operation},
			"RebootOption": []string{t.RebootOption},
		},
		TimeoutSeconds: jsii.Number(patchingspec.PatchTaskTimeoutSeconds(*p.DurationHours, *p.CutoffHours)), // to start: a batch until the cutoff
	}
	if operation == patchingspec.OperationInstall && p.InstallOverrideList != "" {
		run.Parameters.(map[string]any)[patchingspec.InstallOverrideListParameter] = []string{p.InstallOverrideList}
	}
	if t.Hooks != nil {
		maps.Copy(run.Parameters.(map[string]any), w.hookParameters(i, p, t))
	}
	if p.OutputBucket != nil {
		run.OutputS3BucketName = p.OutputBucket.BucketName()
		run.OutputS3KeyPrefix = jsii.String(fmt.Sprintf("%s%s/%s/", OutputPrefix, p.Name, operation))
	}
	if t.CloudWatchOutput {
		run.CloudWatchOutputConfig = &awsssm.CfnMaintenanceWindowTask_CloudWatchOutputConfigProperty{
			CloudWatchOutputEnabled: jsii.Bool(true), CloudWatchLogGroupName: p.LogGroup.LogGroupName(),
		}
	}
	if t.Notifies() {
		run.NotificationConfig = &awsssm.CfnMaintenanceWindowTask_NotificationConfigProperty{
			NotificationArn:    p.Topic.TopicArn(),
			NotificationEvents: jsii.Strings(patchingspec.FailureNotificationEvents...),
			NotificationType:   jsii.String(patchingspec.NotificationType),
		}
		// Run Command publishes with the role the task names; the window passes it on.
		run.ServiceRoleArn = w.notificationRoleFor(p).RoleArn()
	}
	return awsssm.NewCfnMaintenanceWindowTask(w.Construct, jsii.String(patchingspec.TaskID(i)), &awsssm.CfnMaintenanceWindowTaskProps{
		WindowId:       w.window.Ref(),
		Name:           jsii.String(p.TaskName(i)),
		TaskType:       jsii.String("RUN_COMMAND"),
		TaskArn:        jsii.String(t.Document()),
		Targets:        targets,
		Priority:       jsii.Number(t.Priority),
		MaxConcurrency: jsii.String(t.MaxConcurrency),
		MaxErrors:      jsii.String(t.MaxErrors),
		ServiceRoleArn: w.role.RoleArn(),
		TaskInvocationParameters: &awsssm.CfnMaintenanceWindowTask_TaskInvocationParametersProperty{
			MaintenanceWindowRunCommandParameters: run,
		},
	})
}

// addPrePatchImage runs AWS-CreateImage on every target before any patch task (priority 0, or 1 after the startStopped step), so
// a bad patch can be rolled back to the image. It does not make the patch tasks wait for its
// success. NoReboot keeps the instances running; the image is crash-consistent.
func (w *maintenanceWindow) addPrePatchImage(env stackenv.Env, targets []any, priority int) {
	w.allowStartCreateImage(env)
	w.allowCreateImage(env)
	// The window starts AWS-CreateImage with this role as its AutomationAssumeRole.
	w.allowPassingSelf()
	w.tasks = append(w.tasks, awsssm.NewCfnMaintenanceWindowTask(w.Construct, jsii.String("PrePatchImage"), &awsssm.CfnMaintenanceWindowTaskProps{
		WindowId:       w.window.Ref(),
		Name:           jsii.String("pre-patch-image"),
		Description:    jsii.String("An AMI of each target before patching, to roll back to"),
		TaskType:       jsii.String("AUTOMATION"),
		TaskArn:        jsii.String(CreateImageRunbook),
		Targets:        targets,
		Priority:       jsii.Number(priority),
		MaxConcurrency: jsii.String("50%"),
		// The image task stops being scheduled at the first failure. AWS does not document that this
		// keeps the patch tasks from running: docs/patching.md says so, and the alerts report it.
		MaxErrors:      jsii.String("0"),
		ServiceRoleArn: w.role.RoleArn(),
		TaskInvocationParameters: &awsssm.CfnMaintenanceWindowTask_TaskInvocationParametersProperty{
			MaintenanceWindowAutomationParameters: &awsssm.CfnMaintenanceWindowTask_MaintenanceWindowAutomationParametersProperty{
				DocumentVersion: jsii.String("$DEFAULT"),
				Parameters: map[string]any{
					"InstanceId":           []string{"{{RESOURCE_ID}}"},
					"NoReboot":             []string{"true"},
					"AutomationAssumeRole": []*string{w.role.RoleArn()},
				},
			},
		},
	}))
}

// allowStartCreateImage lets the role start AWS-CreateImage and follow its executions.
func (w *maintenanceWindow) allowStartCreateImage(env stackenv.Env) {
	region, account, partition := env.Region, env.Account, env.Partition
	// EC2 instances only: AWS-CreateImage calls ec2:CreateImage, which hybrid nodes are not.
	// StartAutomationExecution is authorised on the runbook's document and on the execution it
	// creates (the Service Authorization Reference's required resource types, document* and
	// automation-execution*), and on its automation definition, the form AWS's denials name
	// ("...::automation-definition/AWS-...:1"): all three, each AWS-owned one without an account.
	w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("StartCreateImage"),
		Actions: jsii.Strings("ssm:StartAutomationExecution"),
		Resources: jsii.Strings(
			AWSRunbookArn(partition, region, CreateImageRunbook, "*"),
			AWSDocumentArn(partition, region, CreateImageRunbook),
			fmt.Sprintf("arn:%s:ssm:%s:%s:automation-execution/*", partition, region, account),
		),
	}))
	w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("FollowCreateImage"),
		Actions:   jsii.Strings("ssm:GetAutomationExecution"),
		Resources: jsii.Strings(fmt.Sprintf("arn:%s:ssm:%s:%s:automation-execution/*", partition, region, account)),
	}))
}

// allowCreateImage lets the role, as AWS-CreateImage's AutomationAssumeRole, create the image
// and tag only what it creates.
func (w *maintenanceWindow) allowCreateImage(env stackenv.Env) {
	region, account, partition := env.Region, env.Account, env.Partition
	// AWS-CreateImage runs as this role (AutomationAssumeRole).
	w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("CreateImage"),
		Actions: jsii.Strings("ec2:CreateImage"),
		Resources: jsii.Strings(
			managedinstance.EC2InstancesArn(partition, region, account),
			fmt.Sprintf("arn:%s:ec2:%s::image/*", partition, region),
			fmt.Sprintf("arn:%s:ec2:%s::snapshot/*", partition, region),
		),
	}))
	// Tags only on the images and snapshots it creates, as it creates them: never on instances
	// or on anything that exists already (tags drive patch groups and access).
	w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("TagWhatItCreates"),
		Actions: jsii.Strings("ec2:CreateTags"),
		Resources: jsii.Strings(
			fmt.Sprintf("arn:%s:ec2:%s::image/*", partition, region),
			fmt.Sprintf("arn:%s:ec2:%s::snapshot/*", partition, region),
		),
		Conditions: &map[string]any{"StringEquals": map[string]any{"ec2:CreateAction": "CreateImage"}},
	}))
	w.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("DescribeImages"),
		Actions:   jsii.Strings("ec2:DescribeImages", "ec2:DescribeInstances"),
		Resources: jsii.Strings("*"), // Describe actions take no resource
	}))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lastPriority is the highest priority of tasks (they run lowest first).
func lastPriority(tasks []PatchTask) int {
	last := 0
	for _, t := range tasks {
		last = max(last, t.Priority)
	}
	return last
}

func (w *maintenanceWindow) Window() awsssm.CfnMaintenanceWindow       { return w.window }
func (w *maintenanceWindow) Target() awsssm.CfnMaintenanceWindowTarget { return w.target }
func (w *maintenanceWindow) Tasks() []awsssm.CfnMaintenanceWindowTask  { return w.tasks }
func (w *maintenanceWindow) Role() awsiam.IRole                        { return w.role }
func (w *maintenanceWindow) NotificationRole() awsiam.IRole {
	if w.notificationRole == nil {
		return nil
	}
	return w.notificationRole
}

// The AWS-owned documents and runbooks the windows run, and their ARN forms (patchingspec).
const (
	RunPatchBaselineDocument = patchingspec.RunPatchBaselineDocument
	CreateImageRunbook       = patchingspec.CreateImageRunbook
)

// AWSDocumentArn is the ARN of the AWS-owned document name (patchingspec).
func AWSDocumentArn(partition, region, name string) string {
	return patchingspec.AWSDocumentArn(partition, region, name)
}

// AWSRunbookArn is the ARN of a version of the AWS-owned runbook name (patchingspec).
func AWSRunbookArn(partition, region, name, version string) string {
	return patchingspec.AWSRunbookArn(partition, region, name, version)
}
