package networkspec

// FlowLogFields are the fields a flow log record's custom format may name (${field}): "The
// following table describes all of the available fields for a flow log record" (aws-cdk-lib
// 2.270.0's aws_ec2.LogFormat, whose statics are the fields of "Flow log records", Amazon VPC User
// Guide, read 2026-12-07). CreateFlowLogs refuses a format with another; the tests keep the list
// the pinned aws-cdk-lib's. What it leaves out: a field AWS added after that aws-cdk-lib. The
// constructs set no custom format; a hand-written one with a newer field is named wrongly until
// aws-cdk-lib is upgraded and the list with it.
var FlowLogFields = []string{
	"account-id", "action", "az-id", "bytes", "dstaddr", "dstport", "ecs-cluster-arn", "ecs-cluster-name",
	"ecs-container-id", "ecs-container-instance-arn", "ecs-container-instance-id", "ecs-second-container-id",
	"ecs-service-name", "ecs-task-arn", "ecs-task-definition-arn", "ecs-task-id", "end", "flow-direction",
	"instance-id", "interface-id", "log-status", "packets", "pkt-dst-aws-service", "pkt-dstaddr",
	"pkt-src-aws-service", "pkt-srcaddr", "protocol", "region", "srcaddr", "srcport", "start",
	"sublocation-id", "sublocation-type", "subnet-id", "tcp-flags", "traffic-path", "type", "version", "vpc-id",
}
