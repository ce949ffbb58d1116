package doctor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// The patching stack's logical id prefixes and types of what these rows read (constructs/patching
// newInventory, constructs/compliance newSecurityHub). A physical id is the type's primary
// identifier (the CloudFormation registry schema, as @aws-cdk/aws-service-spec holds it): the
// sync's SyncName, a standard's StandardsSubscriptionArn.
const (
	resourceDataSyncType   = "AWS::SSM::ResourceDataSync"
	resourceDataSync       = "InventoryResourceDataSync"
	securityHubStandard    = "AWS::SecurityHub::Standard"
	securityHubStandardIds = "SecurityStandard"
)

// checkInventorySync: where the patching stack has a resource data sync
// (patching.inventory.resourceDataSync), has it written the inventory to its bucket?
// CloudFormation created it whatever the bucket's policy or key allow; ListResourceDataSync's
// LastStatus (Successful, Failed, InProgress) and LastSyncStatusMessage say how its last sync went.
func (d *deployment) checkInventorySync() ([]Result, error) {
	names := d.patching.physical(resourceDataSyncType, resourceDataSync)
	if len(names) == 0 {
		return nil, nil
	}
	var out struct {
		ResourceDataSyncItems []struct {
			SyncName               string `json:"SyncName"`
			LastStatus             string `json:"LastStatus"`
			LastSyncStatusMessage  string `json:"LastSyncStatusMessage"`
			LastSyncTime           Time   `json:"LastSyncTime"`
			LastSuccessfulSyncTime Time   `json:"LastSuccessfulSyncTime"`
			S3Destination          struct {
				BucketName string `json:"BucketName"`
				Prefix     string `json:"Prefix"`
			} `json:"S3Destination"`
		} `json:"ResourceDataSyncItems"`
	}
	if err := d.call(&out, "ssm", "list-resource-data-sync", "--sync-type", "SyncToDestination"); err != nil {
		return nil, err
	}
	var results []Result
	for _, name := range names {
		r := Result{Check: "inventory sync " + name, State: Fail,
			Evidence: "not listed by ListResourceDataSync: deleted outside CloudFormation?",
			Action:   "deploy the patching stack again, which creates it (CloudFormation does not see a deletion until it updates the resource)"}
		for _, item := range out.ResourceDataSyncItems {
			if item.SyncName != name {
				continue
			}
			where := "s3://" + item.S3Destination.BucketName + "/" + item.S3Destination.Prefix
			r.Evidence = fmt.Sprintf("%s to %s: last sync %s, last successful %s", cmpStatus(item.LastStatus), where,
				ago(d.now, item.LastSyncTime.Time), ago(d.now, item.LastSuccessfulSyncTime.Time))
			switch item.LastStatus {
			case "Successful":
				r.State, r.Action = OK, ""
			case "InProgress", "":
				r.State, r.Action = Warn, "wait: the sync writes once inventory has been collected (the inventory association's first run); make doctor again"
			default:
				r.Evidence += ": " + item.LastSyncStatusMessage
				r.Action = "the message says what the sync could not do; it writes with Systems Manager's service principal, so the bucket policy's " +
					"statement for ssm.amazonaws.com and, with a KMS key, the key's policy must allow it (\"Configuring resource data sync for Inventory\"); " +
					"make verify checks both as the templates declare them: compare them with what is deployed"
			}
		}
		results = append(results, r)
	}
	return results, nil
}

func cmpStatus(s string) string {
	if s == "" {
		return "no sync yet"
	}
	return s
}

// standardsActions are what to do, by StandardsStatusReason's StatusReasonCode (Security Hub API
// Reference, StandardsStatusReason: NO_AVAILABLE_CONFIGURATION_RECORDER,
// MAXIMUM_NUMBER_OF_CONFIG_RULES_EXCEEDED, INTERNAL_ERROR; read 2026-12-07).
var standardsActions = map[string]string{
	"NO_AVAILABLE_CONFIGURATION_RECORDER": "Security Hub's controls are AWS Config rules: turn on an AWS Config recorder in this account and region " +
		"(aws configservice describe-configuration-recorder-status shows whether one records), then disable and enable the standard again, or deploy",
	"MAXIMUM_NUMBER_OF_CONFIG_RULES_EXCEEDED": "the account has as many AWS Config rules as its quota allows: delete rules it no longer uses, or ask for a higher quota, then enable the standard again",
	"INTERNAL_ERROR": "an error in Security Hub: disable and enable the standard again; if it stays, ask AWS Support",
}

// standardsSubscription is one of GetEnabledStandards' StandardsSubscriptions (Security Hub API
// Reference); a subscription's ARN is arn:PARTITION:securityhub:REGION:ACCOUNT:subscription/
// STANDARD/v/VERSION (the SDKs' example of the call: .../subscription/pci-dss/v/3.2.1).
type standardsSubscription struct {
	StandardsSubscriptionArn string `json:"StandardsSubscriptionArn"`
	StandardsArn             string `json:"StandardsArn"`
	StandardsStatus          string `json:"StandardsStatus"`
	StandardsStatusReason    struct {
		StatusReasonCode string `json:"StatusReasonCode"`
	} `json:"StandardsStatusReason"`
}

// checkSecurityHubStandards: are the standards the patching stack enabled (security.securityHub)
// READY? CloudFormation records a standard once it is subscribed, and the subscription may still
// fail: without an AWS Config recorder, a standard's controls (Config rules) cannot run.
func (d *deployment) checkSecurityHubStandards() ([]Result, error) {
	arns := d.patching.physical(securityHubStandard, securityHubStandardIds)
	if len(arns) == 0 {
		return nil, nil
	}
	var out struct {
		StandardsSubscriptions []standardsSubscription `json:"StandardsSubscriptions"`
	}
	args := append([]string{"securityhub", "get-enabled-standards", "--standards-subscription-arns"}, arns...)
	if err := d.call(&out, args...); err != nil {
		return nil, err
	}
	var results []Result
	for _, arn := range arns {
		r := Result{Check: "Security Hub standard " + standardName(arn), State: Fail,
			Evidence: "not enabled: GetEnabledStandards does not list " + arn,
			Action:   "deploy the patching stack again, which enables it"}
		i := slices.IndexFunc(out.StandardsSubscriptions, func(s standardsSubscription) bool { return s.StandardsSubscriptionArn == arn })
		if i >= 0 {
			s := out.StandardsSubscriptions[i]
			r.Evidence = s.StandardsStatus
			if code := s.StandardsStatusReason.StatusReasonCode; code != "" {
				r.Evidence += " (" + code + ")"
			}
			switch s.StandardsStatus {
			case "READY":
				r.State, r.Action = OK, ""
			case "PENDING":
				r.State, r.Action = Warn, "wait: Security Hub is enabling the standard; make doctor again"
			default: // INCOMPLETE, FAILED, DELETING
				r.Action = standardsActions[s.StandardsStatusReason.StatusReasonCode]
				if r.Action == "" {
					r.Action = "see the standard in the Security Hub console; deploy the patching stack again to enable it"
				}
			}
		}
		results = append(results, r)
	}
	return results, nil
}

// standardName is a subscription ARN's standard and version (arn:aws:securityhub:REGION:ACCOUNT:
// subscription/aws-foundational-security-best-practices/v/1.0.0 ->
// aws-foundational-security-best-practices/v/1.0.0).
func standardName(arn string) string {
	if _, after, ok := strings.Cut(arn, ":subscription/"); ok {
		return after
	}
	return arn
}

// configRule is the type of the patching stack's AWS Config rules (security.configRules); a
// rule's physical id is its ConfigRuleName (the type's primary identifier).
const configRule = "AWS::Config::ConfigRule"

// checkConfigRecorder: where the patching stack has Config rules or Security Hub standards, does
// a configuration recorder record what they evaluate? Rules evaluate only what a recorder records,
// and standards' controls are Config rules ("Enabling and configuring AWS Config for Security Hub
// CSPM"); make check-update asks the same before a deploy (cfnupdate.UnrecordedTypes), and anyone
// may stop the recorder since.
func (d *deployment) checkConfigRecorder() ([]Result, error) {
	template, err := d.deployedTemplate(d.t.Patching)
	if err != nil {
		return nil, err
	}
	types, needed := cfnupdate.RecordedTypesNeeded(template)
	if !needed {
		return nil, nil
	}
	statuses, err := d.aws.JSON("configservice", "describe-configuration-recorder-status")
	if err != nil {
		return nil, err
	}
	r := Result{Check: "Config recorder", State: OK, Evidence: "a recording configuration recorder records " + strings.Join(types, ", ")}
	var missing []string
	if len(types) == 0 {
		// Standards alone name no type: a recording recorder is what they ask, as make
		// check-update counts it.
		recording, err := cfnupdate.RecordingRecorders(statuses)
		if err != nil {
			return nil, err
		}
		r.Evidence = "recording: " + strings.Join(recording, ", ")
		if len(recording) == 0 {
			missing = []string{"anything"}
		}
	} else {
		recorders, err := d.aws.JSON("configservice", "describe-configuration-recorders")
		if err != nil {
			return nil, err
		}
		if missing, err = cfnupdate.UnrecordedTypes(recorders, statuses, types); err != nil {
			return nil, err
		}
	}
	if len(missing) > 0 {
		r.State = Fail
		r.Evidence = "no recording configuration recorder of this account and region records " + strings.Join(missing, ", ") +
			": the stack's Config rules evaluate nothing, and Security Hub's controls report no findings"
		r.Action = "start the account's recorder (" + d.inRegion("aws configservice start-configuration-recorder --configuration-recorder-name <name>") +
			"), or set one up to record these types (AWS Config console, \"Set up\"); " + d.inRegion("aws configservice describe-configuration-recorders") + " shows them"
	}
	return []Result{r}, nil
}

// ruleEvaluation is one rule of DescribeConfigRuleEvaluationStatus's answer.
type ruleEvaluation struct {
	ConfigRuleName               string `json:"ConfigRuleName"`
	LastSuccessfulEvaluationTime Time   `json:"LastSuccessfulEvaluationTime"`
	LastFailedEvaluationTime     Time   `json:"LastFailedEvaluationTime"`
	LastErrorCode                string `json:"LastErrorCode"`
	LastErrorMessage             string `json:"LastErrorMessage"`
	FirstEvaluationStarted       bool   `json:"FirstEvaluationStarted"`
}

// checkConfigRules: has each of the patching stack's Config rules evaluated, and did its last
// evaluation succeed? DescribeConfigRuleEvaluationStatus (AWS Config API Reference): a rule
// whose last failed evaluation is newer than its last successful one is failing now.
func (d *deployment) checkConfigRules() ([]Result, error) {
	names := d.patching.physical(configRule, "Security")
	if len(names) == 0 {
		return nil, nil
	}
	statuses, err := d.ruleEvaluations(names)
	if err != nil {
		return nil, err
	}
	var results []Result
	for _, name := range names {
		r := Result{Check: "Config rule " + name, State: Fail, Evidence: "not listed: deleted outside CloudFormation?",
			Action: "deploy the patching stack again, which creates it"}
		s, listed := statuses[name]
		switch {
		case !listed:
		case s == nil:
			r.Evidence = "AWS Config has no rule of this name (NoSuchConfigRuleException): deleted outside CloudFormation"
			r.Action = "deploy the patching stack again, which creates it; aws cloudformation detect-stack-drift shows what else changed"
		default:
			r = d.judgeRule(r, *s)
		}
		results = append(results, r)
	}
	return results, nil
}

// ruleEvaluations asks for the rules' evaluation status, nil for a rule AWS Config does not have.
// A name it does not have fails the whole call with NoSuchConfigRuleException ("One or more AWS
// Config rules in the request are invalid", the operation's errors, AWS Config API Reference, read
// 2026-12-07), so the rules are then asked one by one: the others are still judged. Asked for one,
// that refusal already names it.
func (d *deployment) ruleEvaluations(names []string) (map[string]*ruleEvaluation, error) {
	var out struct {
		ConfigRulesEvaluationStatus []ruleEvaluation `json:"ConfigRulesEvaluationStatus"`
	}
	ask := func(names ...string) error {
		return d.call(&out, append([]string{"configservice", "describe-config-rule-evaluation-status", "--config-rule-names"}, names...)...)
	}
	statuses := map[string]*ruleEvaluation{}
	keep := func() {
		for i := range out.ConfigRulesEvaluationStatus {
			statuses[out.ConfigRulesEvaluationStatus[i].ConfigRuleName] = &out.ConfigRulesEvaluationStatus[i]
		}
	}
	err := ask(names...)
	if code, _, _ := APIError(err); code == "NoSuchConfigRuleException" && len(names) == 1 {
		// The one rule asked for is the one AWS Config does not have.
		return map[string]*ruleEvaluation{names[0]: nil}, nil
	} else if code != "NoSuchConfigRuleException" {
		keep()
		return statuses, err
	}
	for _, name := range names {
		out.ConfigRulesEvaluationStatus = nil
		err := ask(name)
		if code, _, _ := APIError(err); code == "NoSuchConfigRuleException" {
			statuses[name] = nil
			continue
		} else if err != nil {
			return nil, err
		}
		keep()
	}
	return statuses, nil
}

// judgeRule is the row of a rule AWS Config lists.
func (d *deployment) judgeRule(r Result, s ruleEvaluation) Result {
	r.Evidence = fmt.Sprintf("last successful evaluation %s, last failed %s", ago(d.now, s.LastSuccessfulEvaluationTime.Time), ago(d.now, s.LastFailedEvaluationTime.Time))
	switch {
	case !s.LastFailedEvaluationTime.IsZero() && s.LastFailedEvaluationTime.After(s.LastSuccessfulEvaluationTime.Time):
		r.Evidence += fmt.Sprintf(": %s: %s", s.LastErrorCode, s.LastErrorMessage)
		r.Action = "the error says why; the Config recorder row says whether what it evaluates is recorded; " +
			d.inRegion("aws configservice start-config-rules-evaluation --config-rule-names "+s.ConfigRuleName) + " evaluates it again"
	case !s.FirstEvaluationStarted || s.LastSuccessfulEvaluationTime.IsZero():
		r.State, r.Action = Warn, "wait: AWS Config evaluates a new rule once the recorder has recorded what it evaluates; make doctor again"
	default:
		r.State, r.Action = OK, ""
	}
	return r
}
