package patching

import (
	"fmt"
	"github.com/privatepatch/privatepatch/constructs/spec"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// AgentUpdateProps configures the agent update associations.
type AgentUpdateProps struct {
	// NamePrefix starts every association name, e.g. the project and the target. Default: none.
	NamePrefix string
	// Target selects the nodes: a tag key and value (Key "InstanceIds": Value is one id).
	Target Target
	// Settings: schedules and rate control (patchingspec.AgentUpdate: defaults and rules there).
	patchingspec.AgentUpdate
}

// NewAgentUpdate creates one AWS-UpdateSSMAgent association per schedule on Target, rate
// controlled, run only at their cron times (not at creation, which may fall in a window). It
// panics when props are invalid, naming the prop. Nothing is created when the update is off.
func NewAgentUpdate(scope constructs.Construct, id string, p *AgentUpdateProps) []awsssm.CfnAssociation {
	if p == nil {
		panic(spec.NilProps(fmt.Sprintf("patching.NewAgentUpdate(%q)", id), "AgentUpdateProps"))
	}
	settings := p.AgentUpdate.WithDefaults()
	if err := settings.Problems().Err(fmt.Sprintf("patching.NewAgentUpdate(%q)", id), "AgentUpdateProps"); err != nil {
		panic(err)
	}
	if !settings.On() {
		return nil
	}
	key := "tag:" + p.Target.Key
	if p.Target.Key == "InstanceIds" {
		key = p.Target.Key
	}
	group := constructs.NewConstruct(scope, jsii.String(id))
	var out []awsssm.CfnAssociation
	for i, schedule := range settings.Schedules {
		props := &awsssm.CfnAssociationProps{
			Name:               jsii.String(patchingspec.UpdateSSMAgentDocument),
			AssociationName:    jsii.String(fmt.Sprintf("%sagent-update-%d", p.NamePrefix, i+1)),
			Targets:            []any{&awsssm.CfnAssociation_TargetProperty{Key: jsii.String(key), Values: jsii.Strings(p.Target.Value)}},
			ScheduleExpression: jsii.String(schedule),
			MaxConcurrency:     jsii.String(settings.MaxConcurrency),
			MaxErrors:          jsii.String(settings.MaxErrors),
			ComplianceSeverity: jsii.String("MEDIUM"),
			SyncCompliance:     jsii.String("AUTO"),
		}
		// Only cron takes ApplyOnlyAtCronInterval (AWS::SSM::Association).
		if len(schedule) > 5 && schedule[:5] == "cron(" {
			props.ApplyOnlyAtCronInterval = jsii.Bool(true)
		}
		out = append(out, awsssm.NewCfnAssociation(group, jsii.String(fmt.Sprintf("Schedule%d", i+1)), props))
	}
	return out
}
