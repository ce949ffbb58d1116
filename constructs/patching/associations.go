package patching

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/deputy"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/ssmschedule"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// Target is one tag key and value that State Manager selects instances by.
type Target struct{ Key, Value string }

// ScanProps configures the scan associations.
type ScanProps struct {
	// NamePrefix starts every association name, e.g. the project. Default: none.
	NamePrefix string
	// PatchGroups each get an association targeting tag "Patch Group", or the keys TagKeys gives.
	PatchGroups []string
	// TagKeys are, by patch group, the tag keys its instances carry it in, as the windows that
	// patch it target it (patchingspec.PatchGroupTagKeys): an association each. Default: "Patch
	// Group" for a group not named.
	TagKeys map[string][]string
	// Fleet, when set, gets one more association, so instances in no patch group (patched by
	// their OS's default baseline) are scanned too. Default: none.
	Fleet *Target
	// Schedule of the scans. Default: patchingspec.DefaultScanSchedule.
	Schedule string
	// OutputBucket receives the output under OutputPrefix + "scan/". Default: none.
	OutputBucket awss3.IBucket
}

// NewScanAssociations creates AWS-RunPatchBaseline Scan associations, one per patch group and
// tag key (and the fleet), so that compliance stays current between installs. AWS-RunPatchBaseline picks each
// instance's baseline from its patch group, so a scan and an install always compare against the
// same baseline: the "last scan wins" pitfall arises only when two operations use different
// baselines (e.g. a Scan with a BaselineOverride), which these never do.
func NewScanAssociations(scope constructs.Construct, id string, p *ScanProps) ScanAssociations {
	if p == nil {
		panic(spec.NilProps(fmt.Sprintf("patching.NewScanAssociations(%q)", id), "ScanProps"))
	}
	schedule := orDefault(p.Schedule, patchingspec.DefaultScanSchedule)
	if err := ssmschedule.AssociationProblems("Schedule", schedule).Err(fmt.Sprintf("patching.NewScanAssociations(%q)", id), "ScanProps"); err != nil {
		panic(err)
	}
	group := constructs.NewConstruct(scope, jsii.String(id))
	var out []awsssm.CfnAssociation
	add := func(id, name string, key, value string) {
		props := &awsssm.CfnAssociationProps{
			Name:               jsii.String(RunPatchBaselineDocument),
			AssociationName:    jsii.String(name),
			Targets:            []any{&awsssm.CfnAssociation_TargetProperty{Key: jsii.String("tag:" + key), Values: jsii.Strings(value)}},
			Parameters:         map[string]any{"Operation": []string{"Scan"}},
			ScheduleExpression: jsii.String(schedule),
			MaxConcurrency:     jsii.String(patchingspec.ScanMaxConcurrency),
			MaxErrors:          jsii.String(patchingspec.ScanMaxErrors), // one instance failing to scan must not stop the others
			ComplianceSeverity: jsii.String("MEDIUM"),
			SyncCompliance:     jsii.String("AUTO"),
		}
		if p.OutputBucket != nil {
			props.OutputLocation = s3Output(scope, p.OutputBucket, OutputPrefix+"scan/")
		}
		// A cron scan runs at its times only (patchingspec.DefaultScanSchedule): not when a
		// deploy creates or updates it, which may be inside a window. Only cron takes it:
		// ApplyOnlyAtCronInterval "isn't supported for rate expressions" (CreateAssociation,
		// botocore 1.43.11's ssm model, read 2026-12-06).
		if strings.HasPrefix(schedule, "cron(") {
			props.ApplyOnlyAtCronInterval = jsii.Bool(true)
		}
		out = append(out, awsssm.NewCfnAssociation(group, jsii.String(id), props))
	}
	for _, pg := range p.PatchGroups {
		keys := p.TagKeys[pg]
		if len(keys) == 0 {
			keys = []string{PatchGroupTag}
		}
		// Named, not numbered, so listing patch groups in another order changes nothing; a
		// group's one key (the usual case, whichever it is) keeps the plain id and name.
		for i, key := range keys {
			id, name := "PatchGroup-"+pg, p.NamePrefix+"scan-"+sanitize(pg)
			if i > 0 {
				id, name = id+"-"+sanitize(key), name+"-"+sanitize(key)
			}
			add(id, name, key, pg)
		}
	}
	if p.Fleet != nil {
		add("Fleet", p.NamePrefix+"scan-fleet", p.Fleet.Key, p.Fleet.Value)
	}
	return &scanAssociations{Construct: group, associations: out}
}

// InventoryProps configures software inventory. An instance can have only one inventory
// association (besides one on all nodes; "Configuring inventory collection", Systems Manager User
// Guide, read 2026-12-07): leave this out where Quick Setup or another association already
// gathers it.
type InventoryProps struct {
	// NamePrefix starts the association name, e.g. the project. Default: none.
	NamePrefix string
	// Target selects the instances.
	Target Target
	// AllNodes targets every managed node of the account and region (InstanceIds *) instead of
	// Target: the one all-nodes inventory association, which Amazon Inspector uses rather than
	// making its own. Default: false.
	AllNodes bool
	// Schedule of the inventory. Default: ssmschedule.Daily.
	Schedule string
	// SyncBucket, when set, receives a resource data sync of the inventory under inventory/.
	// Default: none.
	SyncBucket awss3.IBucket
	// SyncKey is SyncBucket's KMS key, when it has one. Default: none (SSE-S3).
	SyncKey awskms.IKey
}

// Inventory is the inventory association and its optional resource data sync.
type Inventory interface {
	constructs.Construct
	Association() awsssm.CfnAssociation
	// Sync is nil without a SyncBucket.
	Sync() awsssm.CfnResourceDataSync
}

type inventory struct {
	constructs.Construct
	association awsssm.CfnAssociation
	sync        awsssm.CfnResourceDataSync
}

func (i *inventory) Association() awsssm.CfnAssociation { return i.association }
func (i *inventory) Sync() awsssm.CfnResourceDataSync   { return i.sync }

// ScanAssociations are the scan associations: one per patch group, and the fleet's.
type ScanAssociations interface {
	constructs.Construct
	Associations() []awsssm.CfnAssociation
}

type scanAssociations struct {
	constructs.Construct
	associations []awsssm.CfnAssociation
}

func (s *scanAssociations) Associations() []awsssm.CfnAssociation { return s.associations }

// InventoryPrefix is where the resource data sync writes in its bucket.
const InventoryPrefix = "inventory"

// NewInventory creates the AWS-GatherSoftwareInventory association and, with a SyncBucket, a
// resource data sync to it for fleet-wide queries (e.g. Athena).
func NewInventory(scope constructs.Construct, id string, p *InventoryProps) Inventory {
	if p == nil {
		panic(spec.NilProps(fmt.Sprintf("patching.NewInventory(%q)", id), "InventoryProps"))
	}
	if err := ssmschedule.AssociationProblems("Schedule", orDefault(p.Schedule, ssmschedule.Daily)).Err(fmt.Sprintf("patching.NewInventory(%q)", id), "InventoryProps"); err != nil {
		panic(err)
	}
	group := constructs.NewConstruct(scope, jsii.String(id))
	target := &awsssm.CfnAssociation_TargetProperty{Key: jsii.String("tag:" + p.Target.Key), Values: jsii.Strings(p.Target.Value)}
	if p.AllNodes {
		// "You can target all managed nodes in an Amazon Web Services account by specifying the
		// InstanceIds key with a value of *" (Target, Systems Manager API Reference).
		target = &awsssm.CfnAssociation_TargetProperty{Key: jsii.String("InstanceIds"), Values: jsii.Strings("*")}
	}
	inv := &inventory{Construct: group, association: awsssm.NewCfnAssociation(group, jsii.String("Association"), &awsssm.CfnAssociationProps{
		Name:               jsii.String(patchingspec.InventoryDocument),
		AssociationName:    jsii.String(p.NamePrefix + "software-inventory"),
		Targets:            []any{target},
		ScheduleExpression: jsii.String(orDefault(p.Schedule, ssmschedule.Daily)),
	})}
	if p.SyncBucket != nil {
		stack, env := stackenv.Of(group)
		// A sync cannot change its key in place, and CloudFormation cannot replace a resource of
		// the same fixed name: the name follows the encryption, so switching it is one deploy.
		name := fmt.Sprintf("%s-inventory", *stack.StackName())
		if p.SyncKey != nil {
			name += "-kms"
		}
		inv.sync = awsssm.NewCfnResourceDataSync(group, jsii.String("ResourceDataSync"), &awsssm.CfnResourceDataSyncProps{
			SyncName: jsii.String(name),
			S3Destination: &awsssm.CfnResourceDataSync_S3DestinationProperty{
				BucketName:   p.SyncBucket.BucketName(),
				BucketRegion: jsii.String(env.Region),
				BucketPrefix: jsii.String(InventoryPrefix),
				SyncFormat:   jsii.String(patchingspec.SyncFormat),
				KmsKeyArn:    keyArn(p.SyncKey),
			},
		})
		allowSync(group, p.SyncBucket, p.SyncKey, env)
	}
	return inv
}

// allowSync lets Systems Manager's resource data sync of this account write into bucket under
// InventoryPrefix, encrypted with key where it has one.
func allowSync(group constructs.Construct, bucket awss3.IBucket, key awskms.IKey, env stackenv.Env) {
	if key != nil {
		// What AWS's walkthrough grants an encrypted sync: GenerateDataKey, for resource data syncs.
		key.Grant(deputy.ServicePrincipal(group, "ssm.amazonaws.com", deputy.ResourceDataSyncs), jsii.String("kms:GenerateDataKey*"))
	}
	// Systems Manager writes the sync as the bucket owner's, for this account only.
	sameAccount := &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": env.Account}}
	ssm := awsiam.NewServicePrincipal(jsii.String("ssm.amazonaws.com"), nil)
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ResourceDataSyncAcl"), Principals: &[]awsiam.IPrincipal{ssm},
		Actions: jsii.Strings("s3:GetBucketAcl"), Resources: jsii.Strings(*bucket.BucketArn()), Conditions: sameAccount,
	}))
	// Written by a resource data sync of this account only, not by any Systems Manager feature
	// acting for it: the aws:SourceArn of AWS's example policy ("Configuring resource data sync
	// for Inventory", SSMBucketDelivery, read 2026-12-07). Its aws:SourceAccount adds nothing
	// once the ARN names the account ("the aws:SourceAccount value and the account in the
	// aws:SourceArn value must use the same account ID", "The confused deputy problem", IAM
	// User Guide), and its s3:x-amz-acl is moot where ACLs are disabled, as on this bucket.
	syncWrites := &map[string]any{"ArnLike": map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:ssm:*:%s:resource-data-sync/*", env.Partition, env.Account)}}
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ResourceDataSyncWrite"), Principals: &[]awsiam.IPrincipal{ssm}, Actions: jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings(fmt.Sprintf("%s/%s/*/accountid=%s/*", *bucket.BucketArn(), InventoryPrefix, env.Account)),
		Conditions: syncWrites,
	}))
}

func keyArn(key awskms.IKey) *string {
	if key == nil {
		return nil
	}
	return key.KeyArn()
}

func s3Output(scope constructs.Construct, bucket awss3.IBucket, prefix string) *awsssm.CfnAssociation_InstanceAssociationOutputLocationProperty {
	return &awsssm.CfnAssociation_InstanceAssociationOutputLocationProperty{
		S3Location: &awsssm.CfnAssociation_S3OutputLocationProperty{
			OutputS3BucketName: bucket.BucketName(),
			OutputS3KeyPrefix:  jsii.String(prefix),
			OutputS3Region:     awscdk.Stack_Of(scope).Region(),
		},
	}
}

// sanitize keeps the characters association names allow.
func sanitize(s string) string {
	out := []rune{}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			out = append(out, r)
		default:
			out = append(out, '-')
		}
	}
	return string(out)
}
