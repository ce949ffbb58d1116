package patchingspec

import _ "embed"

// startStopped (patching.startStopped): a window's first task starts the stopped instances among
// its targets and its last stops exactly those again, both steps of the project's Automation
// runbook running StartStopScript (aws:executeScript, PromoteRuntime). The facts they rest on,
// read 2026-12-06:
//   - DescribeInstances filters "tag:<key>", "tag-key", "instance-id" and "instance-state-name"
//     (stopped), Reservations[].Instances[] with NextToken ("DescribeInstances", Amazon EC2 API
//     Reference);
//   - ec2:StartInstances, ec2:StopInstances, ec2:CreateTags and ec2:DeleteTags on instance take
//     aws:ResourceTag/${TagKey}; CreateTags and DeleteTags take aws:TagKeys ("Actions,
//     resources, and condition keys for Amazon EC2", Service Authorization Reference), so the
//     role is limited to the fleet's tag and to the tags the steps write;
//   - DescribeInstanceInformation (the start step's wait for Online nodes) is paginated:
//     MaxResults "The default value is 10 items", NextToken while more follow, and a filter's
//     Values hold 1 to 100 items (InstanceInformationFilterValueSet max 100) (the SDK's API model,
//     botocore data/ssm/2014-11-06/service-2.json, and "DescribeInstanceInformation", AWS Systems
//     Manager API Reference, read 2026-12-06). The wait reads every page of every chunk of
//     InformationFilterValues ids: one page counted at most 10 nodes Online, so a window that
//     started more always waited out its 240 seconds, and more than 100 failed the step.
const (
	// InformationFilterValues is the most values a DescribeInstanceInformation filter takes: the
	// script's INFORMATION_FILTER_VALUES.
	InformationFilterValues = 100

	// StartedTag marks an instance a window execution started (value: its id); the stop step stops
	// exactly the instances carrying this execution's id. The script's STARTED.
	StartedTag = "privatepatch:started-by"
	// SuspendedScheduleTag keeps an instance scheduler's tag value while the window runs (the
	// scheduler's tag is removed, so it does not stop the instance mid-patch). The script's SUSPENDED.
	SuspendedScheduleTag = "privatepatch:suspended-schedule"
	// StartPriority is the start step's priority: before everything, the pre-patch image included,
	// which then runs at ImageAfterStartPriority.
	StartPriority           = 0
	ImageAfterStartPriority = 1
)

// StartStopScript is startstop.py: handler(events, context) with events["Action"] start or stop.
//
//go:embed startstop.py
var StartStopScript string
