package stacks

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/compliance"
	"github.com/privatepatch/privatepatch/constructs/compliance/compliancespec"
	"github.com/privatepatch/privatepatch/constructs/logbucket"
	"github.com/privatepatch/privatepatch/constructs/managedinstance"
	"github.com/privatepatch/privatepatch/constructs/patching"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/wsus"
)

// PatchingStack holds Patch Manager: baselines, maintenance windows, scan and inventory
// associations, and alerts.
type PatchingStack struct {
	awscdk.Stack
	Baselines          map[string]awsssm.CfnPatchBaseline
	MaintenanceWindows map[string]patching.MaintenanceWindow
	Scans              patching.ScanAssociations
	Inventory          patching.Inventory
	// InventoryQueries is nil without a resource data sync.
	InventoryQueries patching.InventoryQueries
	Alerts           patching.Alerts
	Security         compliance.Security
	Monitoring       patching.Monitoring
	// WsusCompliance alerts when the WSUS server's baseline finds it non-compliant; nil without a
	// patched server.
	WsusCompliance awsevents.Rule
	// Promotion is nil unless patching.rings.promote is exact.
	Promotion patching.Promotion
	// FindingFilter passes each finding of the finding rules to the alerts topic once; nil without
	// finding alerts.
	FindingFilter compliance.FindingFilter
}

// findingFilterAlarmName names the finding filter's errors alarm: the topic's policies admit the
// alarms by name.
func findingFilterAlarmName(cfg *config.Config) string {
	return cfg.StackName("patching") + "-finding-filter-errors"
}

// addSecurity adds Security Hub, Inspector suppressions, Config rules, finding alerts and the
// hybrid activation role as configured, and the outputs hybrid nodes need. Hybrid nodes carry
// the fleet tag (HybridJoinFleet), so the associations and windows on it run there: their role
// may write command output where those write (not where only EC2 instances are targeted).
func addSecurity(stack awscdk.Stack, cfg *config.Config, s *PatchingStack, bucket awss3.IBucket) {
	sec := cfg.Security
	props := &compliance.SecurityProps{NamePrefix: cfg.Project + "-", AlertSeverities: sec.FindingSeveritiesToAlert(), Hybrid: sec.Hybrid,
		EnableInspector: sec.Inspector.Enable, UseExistingHub: sec.SecurityHub.Existing}
	if sec.SecurityHub.Enabled {
		props.SecurityHubStandards = []string{}
		for _, id := range sec.SecurityHub.Standards {
			props.SecurityHubStandards = append(props.SecurityHubStandards, config.SecurityHubStandards[id])
		}
	}
	for _, f := range sec.Inspector.Suppressions {
		props.InspectorSuppressions = append(props.InspectorSuppressions, compliance.InspectorSuppression{
			Name: cfg.InspectorSuppressionName(f.Name), Reason: f.Reason, Tags: f.Tags, Severities: f.Severities})
	}
	props.ConfigRules = sec.ConfigRules
	s.Security = compliance.NewSecurity(stack, "Security", props)
	if rules := s.Security.FindingRules(); len(rules) > 0 {
		// Each finding alerts once, not again with each update (docs/compliance-checks.md).
		s.FindingFilter = compliance.NewFindingFilter(stack, "FindingFilter", &compliance.FindingFilterProps{
			Rules: rules, Topic: s.Alerts.Topic(), Key: s.Alerts.Key(), AlarmName: findingFilterAlarmName(cfg)})
	}
	if role := s.Security.HybridRole(); role != nil {
		managedinstance.AllowDeclaredPatchingBuckets(role, declaredPatchingBuckets(cfg))
		for _, prefix := range fleetOutputPrefixes(cfg, true) {
			logbucket.GrantCommandOutput(bucket, role, prefix)
		}
		logbucket.GrantReadPrefix(bucket, role, patchingspec.InstallOverrideListPrefix)
		grantPromotedLists(cfg, bucket, role)
		output := func(id, description, value string) {
			awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: jsii.String(value), Description: jsii.String(description)})
		}
		output("HybridActivationCommand", fmt.Sprintf("Create an activation for up to %d on-premises servers (note its ActivationId and ActivationCode)", compliancespec.HybridRegistrationLimit),
			fmt.Sprintf("aws ssm create-activation --region %s --default-instance-name %s-hybrid --iam-role %s --registration-limit %d",
				cfg.Region, cfg.Project, *role.RoleName(), compliancespec.HybridRegistrationLimit))
		output("HybridRegisterWindows", "On a Windows server, as Administrator, with SSM Agent installed",
			fmt.Sprintf(`& "$env:ProgramFiles\Amazon\SSM\amazon-ssm-agent.exe" -register -code CODE -id ID -region %s; Restart-Service AmazonSSMAgent`, cfg.Region))
		// The commands of "Install SSM Agent for a hybrid environment (Linux)" (Systems Manager
		// User Guide, awsdocs/aws-systems-manager-user-guide, read 2026-12-07): stop the agent,
		// register, start it; a package's agent is the amazon-ssm-agent unit (the page's systemd
		// form, for Amazon Linux 2, RHEL, CentOS and SLES), a snap's, on Ubuntu, another unit and
		// path.
		output("HybridRegisterLinux", "On a Linux server with systemd whose SSM Agent came from the .rpm or .deb package",
			fmt.Sprintf("sudo systemctl stop amazon-ssm-agent; sudo amazon-ssm-agent -register -code CODE -id ID -region %s; sudo systemctl start amazon-ssm-agent", cfg.Region))
		output("HybridRegisterLinuxSnap", "On an Ubuntu server whose SSM Agent came from the snap",
			fmt.Sprintf("sudo systemctl stop snap.amazon-ssm-agent.amazon-ssm-agent.service; sudo /snap/amazon-ssm-agent/current/amazon-ssm-agent -register -code CODE -id ID -region %s; sudo systemctl start snap.amazon-ssm-agent.amazon-ssm-agent.service", cfg.Region))
		output("HybridJoinFleet", "Then bring the node (mi-...) into the fleet and its patch group by tags (both patch group keys, the same PATCH-GROUP)",
			fmt.Sprintf(`aws ssm add-tags-to-resource --region %s --resource-type ManagedInstance --resource-id MI-ID --tags %s %s %s`,
				cfg.Region, shellQuote("Key="+cfg.Fleet.Tag.Key+",Value="+cfg.Fleet.Tag.Value),
				// Both patch group keys, as the fleet's EC2 instances carry (a window reads the one its
				// targets.patchGroupTagKey names: with one key only, a window on the other missed the node).
				shellQuote("Key="+config.PatchGroupTagKeys[0]+",Value=PATCH-GROUP"), shellQuote("Key="+config.PatchGroupTagKeys[1]+",Value=PATCH-GROUP")))
	}
}

// windowReachesHybridNodes reports whether window w can target hybrid (on-premises) nodes: by
// patch group tag when hybrid activations are on (the nodes join by tags), or by an mi- id.
// Resource groups here hold EC2 instances only.
func windowReachesHybridNodes(cfg *config.Config, w config.MaintenanceWindow) bool {
	if cfg.Security.Hybrid && len(w.Targets.PatchGroups) > 0 {
		return true
	}
	return slices.ContainsFunc(w.Targets.InstanceIds, func(id string) bool { return strings.HasPrefix(id, "mi-") })
}

// usesCloudWatchOutput reports whether any maintenance window task sends output to CloudWatch.
func usesCloudWatchOutput(cfg *config.Config) bool {
	for _, w := range cfg.Patching.MaintenanceWindows {
		for _, t := range w.Tasks {
			if t.CloudWatchOutput {
				return true
			}
		}
	}
	return false
}

// NewPatchingStack creates <project>-patching; command output goes to the fleet stack's bucket.
func NewPatchingStack(scope constructs.Construct, cfg *config.Config, fleet FleetStack) PatchingStack {
	stack := awscdk.NewStack(scope, jsii.String("Patching"), &awscdk.StackProps{
		StackName:             jsii.String(cfg.StackName("patching")),
		Description:           jsii.String("privatepatch: Patch Manager baselines, maintenance windows, scans, inventory and alerts"),
		Env:                   environment(cfg),
		TerminationProtection: terminationProtection,
	})
	s := PatchingStack{Stack: stack, Baselines: map[string]awsssm.CfnPatchBaseline{}, MaintenanceWindows: map[string]patching.MaintenanceWindow{}}
	bucket := fleet.CommandOutput.Bucket()
	s.Alerts = patching.NewAlerts(stack, "Alerts", &patching.AlertsProps{Emails: cfg.Patching.Notifications.Emails})
	addBaselines(stack, cfg, &s)
	addWsusCompliance(cfg, &s)
	logs := addRunCommandLogs(stack, cfg, fleet)
	addMaintenanceWindows(stack, cfg, &s, bucket, logs)
	addAssociations(stack, cfg, &s, fleet)
	addSecurity(stack, cfg, &s, bucket)
	if enabler := s.Security.InspectorEnabler(); enabler != nil && s.Inventory != nil && cfg.InventoryAllNodes() {
		// Inspector makes its own all-nodes inventory association when switched on unless one
		// exists (compliancespec.InspectorInventoryAssociation): this one first.
		enabler.Node().AddDependency(s.Inventory.Association())
	}
	if hybrid := s.Security.HybridRole(); hybrid != nil && logs != nil {
		logs.AllowWriters(hybrid) // tasks with CloudWatch output run on hybrid nodes too
	}
	addMonitoring(stack, cfg, &s, fleet)
	waitForNamedAlarms(cfg, &s)
	watchAssociations(&s, fleet)
	awscdk.NewCfnOutput(stack, jsii.String("AlertsTopicArn"), &awscdk.CfnOutputProps{
		Value: s.Alerts.Topic().TopicArn(), Description: jsii.String("SNS topic of patching alerts; subscribe more endpoints here"),
	})
	return s
}

// addBaselines maps the configured and ring baselines to patch baselines, named by their name.
func addBaselines(stack awscdk.Stack, cfg *config.Config, s *PatchingStack) {
	baselines := constructs.NewConstruct(stack, jsii.String("Baselines"))
	for _, b := range cfg.PatchBaselines() {
		// The baseline's name is its construct ID: renaming a baseline replaces it.
		s.Baselines[b.Name] = patching.NewBaseline(baselines, b.Name, &patching.BaselineProps{Baseline: b.Baseline})
	}
}

// addWsusCompliance alerts, apart from the fleet, when the WSUS server is not compliant with its
// own baseline (the one serving wsus.patchGroup, which serves no other group: config refuses it).
func addWsusCompliance(cfg *config.Config, s *PatchingStack) {
	if !cfg.Wsus.Enabled || cfg.Wsus.PatchGroup == "" {
		return
	}
	for _, b := range cfg.PatchBaselines() {
		if slices.Contains(b.PatchGroups, cfg.Wsus.PatchGroup) {
			// In the alerts construct, beside its rules (its Go value is not a scope jsii takes).
			alerts := s.Alerts.Topic().Node().Scope().(constructs.Construct)
			s.WsusCompliance = patching.NewBaselineComplianceRule(alerts, "WsusComplianceRule",
				"The WSUS server's patch compliance turned NON_COMPLIANT: patch it before the fleet's next window", s.Baselines[b.Name])
			s.Alerts.Notify(s.WsusCompliance)
			// The fleet's compliance rule would match the server's events too: one alert each.
			s.Alerts.LeaveBaselines(s.Baselines[b.Name].Ref())
			return
		}
	}
}

// addRunCommandLogs adds the run-command log group when a task sends output to CloudWatch, and
// lets the fleet and a patched WSUS server write to it; nil otherwise.
func addRunCommandLogs(stack awscdk.Stack, cfg *config.Config, fleet FleetStack) patching.RunCommandLogs {
	if !usesCloudWatchOutput(cfg) {
		return nil
	}
	logs := patching.NewRunCommandLogs(stack, "RunCommandLogs")
	var writers []awsiam.IRole
	if fleet.Fleet != nil {
		writers = append(writers, fleet.Fleet.Role())
	}
	if fleet.Wsus != nil && cfg.Wsus.PatchGroup != "" {
		writers = append(writers, fleet.Wsus.Role())
	}
	logs.AllowWriters(writers...)
	awscdk.NewCfnOutput(stack, jsii.String("RunCommandLogGroup"), &awscdk.CfnOutputProps{
		Value: logs.LogGroup().LogGroupName(), Description: jsii.String("CloudWatch log group of maintenance window tasks with cloudWatchOutput; give the roles of instances you bring its writer policy"),
	})
	return logs
}

// addMaintenanceWindows maps the configured windows (and the WSUS server's) to windows named by
// their name.
func addMaintenanceWindows(stack awscdk.Stack, cfg *config.Config, s *PatchingStack, bucket awss3.IBucket, logs patching.RunCommandLogs) {
	var logGroup awslogs.ILogGroup
	if logs != nil {
		logGroup = logs.LogGroup()
	}
	windows := constructs.NewConstruct(stack, jsii.String("MaintenanceWindows"))
	// With exact promotion, ring i's own window promotes (all but the last ring) and installs the
	// list of ring i-1 (all but the first).
	ringOf := map[int]int{}
	if rings := promotingRings(cfg); len(rings) > 0 {
		s.Promotion = patching.NewPromotion(stack, "Promotion", &patching.PromotionProps{Rings: rings, Bucket: bucket, HybridNodes: cfg.Security.Hybrid})
		for i, own := range cfg.RingWindows() {
			ringOf[own[0]] = i // validation: exactly one
		}
	}
	var startStop patching.StartStop
	if cfg.Patching.StartStopped {
		startStop = patching.NewStartStop(stack, "StartStopped", &patching.StartStopProps{
			FleetTagKey: cfg.Fleet.Tag.Key, FleetTagValue: cfg.Fleet.Tag.Value, SchedulerTagKey: cfg.Patching.InstanceSchedulerTagKey})
	}
	stages := []config.RingStage{}
	if cfg.Patching.Rings != nil {
		stages = cfg.Patching.Rings.Stages
	}
	earlier := earlierRingAlarms(cfg)
	for j, w := range cfg.Patching.MaintenanceWindows {
		targets := w.Targets.Spec()
		targets.ResourceGroup = cfg.ResourceGroupName(targets.ResourceGroup)
		props := &patching.WindowProps{
			Window: w.Window, Targets: targets, HybridNodes: windowReachesHybridNodes(cfg, w),
			OutputBucket: bucket, LogGroup: logGroup, Topic: s.Alerts.Topic(), StartStopped: startStop,
			HookScripts: cfg.Patching.HookScripts(),
		}
		if i, ok := ringOf[j]; ok {
			if i < len(stages)-1 {
				props.Promote = &patching.PromoteTask{Runbook: s.Promotion.Document(), Role: s.Promotion.Role(stages[i].PatchGroup), Bucket: bucket}
			}
			if i > 0 {
				props.InstallOverrideList = patchingspec.PromoteListURL(*bucket.BucketName(), stages[i-1].PatchGroup)
			}
		}
		props.AlarmNamePrefix, props.FailureAlarm = cfg.StackName("patching")+"-", cfg.Patching.StopsOnFailure()
		props.EarlierAlarms = earlier[j]
		s.MaintenanceWindows[w.Name] = patching.NewMaintenanceWindow(windows, w.Name, props)
	}
	waitForEarlierRings(cfg, s)
	// A window with a failure rule reports its failures through it (the alerts' rule matches the
	// same statuses): watching it in the alerts' rule too would report each failure twice.
	var ids []*string
	for _, name := range slices.Sorted(maps.Keys(s.MaintenanceWindows)) {
		if rule := s.MaintenanceWindows[name].FailureRule(); rule != nil {
			s.Alerts.Notify(rule)
			continue
		}
		ids = append(ids, s.MaintenanceWindows[name].Window().Ref())
	}
	s.Alerts.WatchWindows(ids...)
}

// earlierRingAlarms are, by window index, the failure alarms of the ring before the window's: a
// ring's windows (those targeting its patch group only, Config.RingWindows) wait while any window
// of the ring before it has failed. None with stopOnFailure off.
func earlierRingAlarms(cfg *config.Config) map[int][]string {
	out := map[int][]string{}
	if !cfg.Patching.StopsOnFailure() {
		return out
	}
	rings := cfg.RingWindows()
	for i := 1; i < len(rings); i++ {
		var names []string
		for _, j := range rings[i-1] {
			names = append(names, patchingspec.FailureAlarmName(cfg.StackName("patching")+"-", cfg.Patching.MaintenanceWindows[j].Name))
		}
		for _, j := range rings[i] {
			out[j] = names
		}
	}
	return out
}

// waitForEarlierRings creates each stop alarm after the failure alarms it names: the windows are
// created in the configuration's order, not the rings'.
func waitForEarlierRings(cfg *config.Config, s *PatchingStack) {
	rings := cfg.RingWindows()
	for i := 1; i < len(rings) && cfg.Patching.StopsOnFailure(); i++ {
		for _, j := range rings[i] {
			for _, composite := range s.MaintenanceWindows[cfg.Patching.MaintenanceWindows[j].Name].StopComposites() {
				for _, e := range rings[i-1] {
					composite.Node().AddDependency(s.MaintenanceWindows[cfg.Patching.MaintenanceWindows[e].Name].FailureAlarm())
				}
			}
		}
	}
}

// waitForNamedAlarms creates each stop alarm after the stack's own alarms a task names among its
// stopOnAlarms (the WSUS server's, another window's failure alarm): a composite alarm naming an
// alarm CloudFormation has not created yet fails.
func waitForNamedAlarms(cfg *config.Config, s *PatchingStack) {
	own := map[string]constructs.IDependable{}
	if s.Monitoring != nil {
		for key, alarm := range s.Monitoring.Alarms() {
			own[cfg.StackName("patching")+"-"+key] = alarm
		}
	}
	for _, w := range cfg.Patching.MaintenanceWindows {
		if alarm := s.MaintenanceWindows[w.Name].FailureAlarm(); alarm != nil {
			own[patchingspec.FailureAlarmName(cfg.StackName("patching")+"-", w.Name)] = alarm
		}
	}
	for _, w := range cfg.Patching.MaintenanceWindows {
		for _, t := range w.Tasks {
			for _, name := range t.StopOnAlarms {
				if alarm, ok := own[name]; ok {
					for _, composite := range s.MaintenanceWindows[w.Name].StopComposites() {
						composite.Node().AddDependency(alarm)
					}
				}
			}
		}
	}
}

// addAssociations adds the scan and inventory associations (and the inventory's queries).
func addAssociations(stack awscdk.Stack, cfg *config.Config, s *PatchingStack, fleet FleetStack) {
	bucket := fleet.CommandOutput.Bucket()
	fleetTarget := &patching.Target{Key: cfg.Fleet.Tag.Key, Value: cfg.Fleet.Tag.Value}
	if cfg.Patching.Scan.Enabled {
		s.Scans = patching.NewScanAssociations(stack, "Scan", &patching.ScanProps{
			NamePrefix:  cfg.Project + "-",
			PatchGroups: cfg.PatchGroups(), TagKeys: cfg.PatchGroupScanKeys(), Fleet: fleetTarget, Schedule: cfg.Patching.Scan.Schedule, OutputBucket: bucket,
		})
	}
	patching.NewAgentUpdate(stack, "AgentUpdate", &patching.AgentUpdateProps{NamePrefix: cfg.Project + "-fleet-", Target: *fleetTarget,
		AgentUpdate: cfg.Patching.AgentUpdate})
	inv := cfg.Patching.Inventory
	if !inv.Enabled {
		return
	}
	props := &patching.InventoryProps{NamePrefix: cfg.Project + "-", Target: *fleetTarget, AllNodes: cfg.InventoryAllNodes(), Schedule: inv.Schedule}
	if inv.ResourceDataSync {
		props.SyncBucket, props.SyncKey = bucket, fleet.CommandOutput.Key()
	}
	s.Inventory = patching.NewInventory(stack, "Inventory", props)
	if inv.ResourceDataSync {
		s.InventoryQueries = patching.NewInventoryQueries(stack, "InventoryQueries", &patching.InventoryQueriesProps{
			Name: cfg.NamePrefix(), Bucket: bucket, Key: fleet.CommandOutput.Key(),
			ConfigurationChecks: fleet.ConfigurationChecks != nil,
		})
	}
}

// watchAssociations limits the association alert to this deployment's associations: every
// AWS::SSM::Association of the fleet and patching stacks, found in the construct tree rather than
// listed, so that a new one is watched without being named here. The rule stays beside the topic
// in this stack: a rule in the fleet stack would need the topic, a reference from the fleet stack
// to this one, which reads the fleet stack already (a cycle). The fleet stack's ids come as weak
// references (Fn::GetStackOutput), which keep the value read at this stack's last update; an
// association keeps its id through every update these templates make (AWS::SSM::Association is
// replaced only when InstanceId changes, which privatepatch never sets: the resource spec, tested
// in test/patching_test.go), and one the fleet stack deletes leaves an id that matches nothing
// until this stack is updated with it.
func watchAssociations(s *PatchingStack, fleet FleetStack) {
	var ids []*string
	for _, stack := range []awscdk.Stack{fleet.Stack, s.Stack} {
		// By the Go type jsii gives each construct (its class's proxy, or the value made here),
		// not CfnAssociation_IsCfnAssociation: that is a call into Node for every construct of
		// both stacks, about a tenth of a test scenario's construction.
		for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
			if association, ok := c.(awsssm.CfnAssociation); ok {
				ids = append(ids, association.Ref())
			}
		}
	}
	s.Alerts.WatchAssociations(ids...)
}

// addMonitoring adds the dashboard and alarms, watching the alert and finding rules.
func addMonitoring(stack awscdk.Stack, cfg *config.Config, s *PatchingStack, fleet FleetStack) {
	rules := map[string]awsevents.IRule{}
	for id, rule := range s.Alerts.Rules() {
		rules[id] = rule
	}
	for _, rule := range s.Security.FindingRules() {
		rules[*rule.Node().Id()] = rule
	}
	for name, w := range s.MaintenanceWindows {
		if rule := w.FailureRule(); rule != nil {
			rules[patchingspec.FailureLineLabel(name)] = rule // it alerts instead of the MaintenanceWindow rule
		}
	}
	if s.WsusCompliance != nil {
		rules["WsusCompliance"] = s.WsusCompliance
	}
	monitoring := &patching.MonitoringProps{
		// Dashboards are global in an account: the region keeps environments apart.
		DashboardName: fmt.Sprintf("%s-%s", cfg.StackName("fleet"), cfg.Region),
		Topic:         s.Alerts.Topic(), AlertRules: rules,
		DeliveringRules: deliveringRules(s),
		AlarmNamePrefix: cfg.StackName("patching") + "-",
	}
	if fleet.Wsus != nil {
		monitoring.Wsus, monitoring.WsusHealthNamespace = true, wsus.HealthNamespaceOf(cfg.NamePrefix())
	}
	s.Monitoring = patching.NewMonitoring(stack, "Monitoring", monitoring)
	alarmNames := s.Monitoring.AlarmNames()
	if fleet.Wsus != nil && cfg.Wsus.Cleanup.On() {
		name := cfg.StackName("patching") + "-wsus-cleanup"
		patching.NewWsusCleanupAlarm(stack, "WsusCleanupAlarm", &patching.WsusCleanupAlarmProps{
			AlarmName: name, Namespace: monitoring.WsusHealthNamespace, Topic: s.Alerts.Topic()})
		alarmNames = append(alarmNames, name)
	}
	if s.FindingFilter != nil {
		alarmNames = append(alarmNames, findingFilterAlarmName(cfg))
	}
	for _, name := range slices.Sorted(maps.Keys(s.MaintenanceWindows)) {
		if a := s.MaintenanceWindows[name].FailureAlarm(); a != nil {
			alarmNames = append(alarmNames, patchingspec.FailureAlarmName(cfg.StackName("patching")+"-", name))
		}
	}
	s.Alerts.AllowAlarms(alarmNames...)
}

// deliveringRules are the rules whose targets deliver alerts: those that publish to the alerts
// topic, and the finding rules, whose target is the finding filter. EventBridge counts a failed
// invocation of either in FailedInvocations.
func deliveringRules(s *PatchingStack) []awsevents.IRule {
	var rules []awsevents.IRule
	for _, r := range s.Alerts.Notified() {
		rules = append(rules, r)
	}
	if s.FindingFilter != nil {
		for _, r := range s.Security.FindingRules() {
			rules = append(rules, r)
		}
	}
	return rules
}

// shellQuote makes s one word of a POSIX shell command that people paste from a stack output:
// single quotes, inside which nothing is expanded. Validation already keeps quotes, $ and
// backticks out of the values that reach such commands; this holds even if it did not.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
