package patching

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsathena"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsglue"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/privatepatch/privatepatch/constructs/kmskey"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/spec"
	"github.com/privatepatch/privatepatch/constructs/stackenv"
)

// QueryResultsPrefix is where Athena writes query results in the bucket.
const QueryResultsPrefix = "athena-results/"

// InventoryQueriesProps configures InventoryQueries. Bucket and Name are required.
type InventoryQueriesProps struct {
	// Name prefixes the database (with _), crawler and workgroup, e.g. the project.
	Name string
	// Bucket holds the resource data sync under InventoryPrefix, and the query results.
	Bucket awss3.IBucket
	// Key is Bucket's KMS key, if it has one. Default: none (SSE-S3).
	Key awskms.IKey
	// Schedule of the crawler, a Glue cron. Default: cron(30 4 * * ? *), after the daily sync.
	Schedule string
	// ConfigurationChecks saves the query of the CCE configuration checks' failures (compliance
	// type Custom:CCE, which only those checks report). Default: false, no such query.
	ConfigurationChecks bool
}

// InventoryQueries is a Glue database that a crawler keeps current with the resource data sync,
// an Athena workgroup whose results stay encrypted in the bucket, and saved queries.
type InventoryQueries interface {
	constructs.Construct
	Database() awsglue.CfnDatabase
	Crawler() awsglue.CfnCrawler
	// InstanceInformation is the declared table of AWS:InstanceInformation (SyncPartitionKeys).
	InstanceInformation() awsglue.CfnTable
	// Tables are the declared tables by name (DeclaredTables).
	Tables() map[string]awsglue.CfnTable
	WorkGroup() awsathena.CfnWorkGroup
	// Queries are the saved queries by name.
	Queries() map[string]awsathena.CfnNamedQuery
}

type inventoryQueries struct {
	constructs.Construct
	database            awsglue.CfnDatabase
	crawler             awsglue.CfnCrawler
	instanceInformation awsglue.CfnTable
	tables              map[string]awsglue.CfnTable
	security            awsglue.CfnSecurityConfiguration
	workGroup           awsathena.CfnWorkGroup
	queries             map[string]awsathena.CfnNamedQuery
}

func (q *inventoryQueries) Database() awsglue.CfnDatabase               { return q.database }
func (q *inventoryQueries) Crawler() awsglue.CfnCrawler                 { return q.crawler }
func (q *inventoryQueries) InstanceInformation() awsglue.CfnTable       { return q.instanceInformation }
func (q *inventoryQueries) Tables() map[string]awsglue.CfnTable         { return q.tables }
func (q *inventoryQueries) WorkGroup() awsathena.CfnWorkGroup           { return q.workGroup }
func (q *inventoryQueries) Queries() map[string]awsathena.CfnNamedQuery { return q.queries }

// SyncColumns are the tables the resource data sync's folders become and the columns of each
// that AWS's patch-reporting sample queries (aws-samples/cloud-operations-best-practices,
// cfn-templates/patch-reporting/patch-reporting.yaml, "Centralized patch compliance reporting",
// read 2026-11-27): the saved queries use no other.
var SyncColumns = map[string][]string{
	"aws_complianceitem": {"accountid", "region", "resourceid", "status", "id", "title", "classification", "patchseverity", "severity",
		"executiontype", "patchbaselineid", "capturetime", "compliancetype"},
	"aws_application": {"accountid", "region", "resourceid", "name", "version", "installedtime", "applicationtype", "summary", "architecture",
		"packageid", "publisher", "capturetime"},
	"aws_instanceinformation": {"accountid", "region", "resourceid", "computername", "ipaddress", "instancestatus", "platformtype",
		"platformname", "platformversion", "agenttype", "agentversion", "capturetime"},
}

// SyncPartitionKeys are the partition keys of the sync's folders
// (AWS:Type/accountid=.../region=.../resourcetype=...). The crawler would also give
// aws_instanceinformation a data column resourcetype, which "causes Athena queries to fail"; the
// sample removes it after every crawl (same source). Here that table is declared explicitly,
// without it, and the crawler never changes an existing table's schema (UpdateBehavior LOG: "Add
// new tables and new partitions (including on existing tables)", AWS::Glue::Crawler
// SchemaChangePolicy, read 2026-11-27).
var SyncPartitionKeys = []string{"accountid", "region", "resourcetype"}

// SyncResourceTypes are the values the sync writes in the resourcetype folder:
// resourcetype=ManagedInstanceInventory for managed nodes, EC2 and hybrid
// (AWS:Type/accountid=.../region=.../resourcetype=ManagedInstanceInventory/<node>.json, "Configuring
// resource data sync for Inventory", AWS Systems Manager User Guide, read 2026-11-27; kept with its
// sources in test/testdata/resource-data-sync-layout.json).
var SyncResourceTypes = []string{"ManagedInstanceInventory"}

// InstanceInformationTable is the table whose data column resourcetype is also a partition key.
const InstanceInformationTable = "aws_instanceinformation"

// DeclaredTables are the tables the saved queries read, declared here with their partitions
// projected rather than left to the crawler, by name: the sync's folder and the construct id. A
// crawled table keeps the columns of its first crawl (SchemaChangePolicy LOG), so a first crawl
// before any patch compliance item existed left aws_complianceitem without the columns the
// missing-patches query names, for good; a declared one answers from the first sync.
var DeclaredTables = map[string]struct{ Folder, ID string }{
	InstanceInformationTable: {"AWS:InstanceInformation", "InstanceInformationTable"},
	"aws_complianceitem":     {"AWS:ComplianceItem", "ComplianceItemTable"},
	"aws_application":        {"AWS:Application", "ApplicationTable"},
}

// syncProbeExclusion is the object the sync writes to test its access, which the sample keeps
// out of the crawl; relative to the crawler's path.
const syncProbeExclusion = "AWS:InstanceInformation/accountid=*/test.json"

// ComplianceSeverities are a compliance item's severities, most severe first: "CRITICAL | HIGH
// | MEDIUM | LOW | INFORMATIONAL | UNSPECIFIED" (ComplianceItemEntry, Severity, AWS Systems Manager
// API Reference, read 2026-12-06).
var ComplianceSeverities = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"}

// severityRank is an SQL expression ranking a compliance item's severity, most severe first:
// ordering by the name would put HIGH before CRITICAL, and INFORMATIONAL before LOW. Values it
// does not know come last.
func severityRank(column string) string {
	var b strings.Builder
	b.WriteString("CASE upper(" + column + ")")
	for i, s := range ComplianceSeverities {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", s, i)
	}
	fmt.Fprintf(&b, " ELSE %d END", len(ComplianceSeverities))
	return b.String()
}

// notTerminated keeps the rows of nodes that still exist, of a table read AS alias: "If you
// delete a managed node, resource data sync preserves the inventory file for the deleted node"
// ("Creating a resource data sync for Inventory"), and the inventory's node status is one "such
// as Stopped or Terminated" (GetInventory, AWS Systems Manager API Reference; both read
// 2026-12-06). AWS's central reporting recipe keeps instancestatus = 'Active' only; a stopped node
// is kept here, since it still misses its patches, and so is a node without an
// AWS:InstanceInformation file or with no status: only a node known terminated is left out. NOT
// EXISTS, not NOT IN: one NULL resourceid among the terminated rows would make NOT IN keep
// nothing. The literal 'Terminated' is what only a deployment shows.
func notTerminated(alias string) string {
	return "NOT EXISTS (SELECT 1 FROM aws_instanceinformation AS terminated WHERE terminated.resourceid = " + alias +
		".resourceid AND terminated.instancestatus = 'Terminated')"
}

// savedQueries are the fleet-wide questions the inventory answers. The crawler names tables
// after the sync's folders: AWS:ComplianceItem becomes aws_complianceitem. A query of the CCE
// checks' failures is saved only where the checks run (InventoryQueriesProps.ConfigurationChecks).
var savedQueries = []struct {
	id, name, description, sql string
	needsChecks                bool
}{
	{"MissingPatches", "missing-patches", "Instances and the approved patches they are missing",
		"SELECT resourceid, id, title, severity, patchseverity, classification FROM aws_complianceitem AS item " +
			"WHERE compliancetype = 'Patch' AND status = 'NON_COMPLIANT' AND " + notTerminated("item") + " ORDER BY " + severityRank("severity") + ", resourceid", false},
	{"FailedChecks", "failed-configuration-checks", "Instances failing CCE configuration checks",
		"SELECT resourceid, id AS check_id, title, severity FROM aws_complianceitem AS item " +
			"WHERE compliancetype = 'Custom:CCE' AND status = 'NON_COMPLIANT' AND " + notTerminated("item") + " ORDER BY " + severityRank("severity") + ", check_id, resourceid", true},
	{"Software", "installed-software", "Installed applications and on how many instances each version runs",
		"SELECT name, version, count(DISTINCT resourceid) AS instances FROM aws_application AS app WHERE " + notTerminated("app") + " GROUP BY name, version ORDER BY name, version", false},
	{"Instances", "instances", "Status, platform, agent version and address of every managed instance not terminated",
		"SELECT resourceid, instancestatus, computername, platformname, platformversion, agentversion, ipaddress FROM aws_instanceinformation " +
			"WHERE instancestatus IS DISTINCT FROM 'Terminated' ORDER BY resourceid", false},
}

// NewInventoryQueries creates the database, crawler, workgroup and saved queries.
func NewInventoryQueries(scope constructs.Construct, id string, p *InventoryQueriesProps) InventoryQueries {
	if p == nil {
		panic(spec.NilProps(fmt.Sprintf("patching.NewInventoryQueries(%q)", id), "InventoryQueriesProps"))
	}
	if p.Bucket == nil || p.Name == "" {
		panic(fmt.Sprintf("inventory queries %s: Bucket and Name are required", id))
	}
	parent := constructs.NewConstruct(scope, jsii.String(id))
	_, env := stackenv.Of(parent)
	database := strings.ReplaceAll(p.Name, "-", "_") + "_inventory"
	q := &inventoryQueries{Construct: parent, queries: map[string]awsathena.CfnNamedQuery{}}
	q.database = awsglue.NewCfnDatabase(parent, jsii.String("Database"), &awsglue.CfnDatabaseProps{
		CatalogId:     jsii.String(env.Account),
		DatabaseInput: &awsglue.CfnDatabase_DatabaseInputProperty{Name: jsii.String(database), Description: jsii.String("privatepatch: Systems Manager inventory and compliance")},
	})
	role := newCrawlerRole(parent, p.Bucket, database)
	q.crawler, q.security = newCrawler(parent, p, role, database)
	q.crawler.AddResourceDependency(q.database, jsii.String("the crawler writes its tables into the database"))
	q.tables = map[string]awsglue.CfnTable{}
	for _, name := range slices.Sorted(maps.Keys(DeclaredTables)) {
		table := newDeclaredTable(parent, p.Bucket, database, name)
		table.AddResourceDependency(q.database, jsii.String("the table is in the database"))
		q.crawler.AddResourceDependency(table, jsii.String("the crawler finds the table declared, and only adds its partitions"))
		q.tables[name] = table
	}
	q.instanceInformation = q.tables[InstanceInformationTable]
	// The crawler names its security configuration by name, not by Ref: without the dependency
	// CloudFormation may create the crawler first, and delete the configuration before it.
	q.crawler.AddResourceDependency(q.security, jsii.String("the crawler writes its logs with the security configuration"))
	q.workGroup = newQueryWorkGroup(parent, p)
	for _, sq := range savedQueries {
		if sq.needsChecks && !p.ConfigurationChecks {
			continue
		}
		query := awsathena.NewCfnNamedQuery(parent, jsii.String(sq.id), &awsathena.CfnNamedQueryProps{
			Name: jsii.String(sq.name), Description: jsii.String(sq.description), Database: jsii.String(database),
			QueryString: jsii.String(sq.sql), WorkGroup: q.workGroup.Ref(),
		})
		query.AddResourceDependency(q.workGroup, jsii.String("a saved query belongs to its workgroup"))
		q.queries[sq.name] = query
	}
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("The crawler reads every object of the sync's prefix and creates a table per inventory type in its own " +
			"database; Glue writes its logs to log groups under /aws-glue/crawlers"),
	}}, jsii.Bool(true))
	return q
}

// newCrawlerRole is the role CrawlerRole of the crawler: it reads the sync's prefix and writes
// the tables of its own database only.
func newCrawlerRole(parent constructs.Construct, bucket awss3.IBucket, database string) awsiam.Role {
	_, env := stackenv.Of(parent)
	role := awsiam.NewRole(parent, jsii.String("CrawlerRole"), &awsiam.RoleProps{
		// Glue documents no aws:SourceAccount for crawler roles; only this account's principals
		// can pass the role to a crawler (iam:PassRole does not cross accounts).
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("glue.amazonaws.com"), nil),
		Description: jsii.String("privatepatch: the inventory crawler reads the resource data sync"),
	})
	bucket.GrantRead(role, jsii.String(InventoryPrefix+"/*"))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("CatalogTables"),
		Actions: jsii.Strings("glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable", "glue:BatchGetPartition", "glue:BatchCreatePartition", "glue:GetPartition", "glue:GetPartitions", "glue:CreatePartition", "glue:UpdatePartition"),
		Resources: jsii.Strings(
			fmt.Sprintf("arn:%s:glue:%s:%s:catalog", env.Partition, env.Region, env.Account),
			fmt.Sprintf("arn:%s:glue:%s:%s:database/%s", env.Partition, env.Region, env.Account, database),
			fmt.Sprintf("arn:%s:glue:%s:%s:table/%s/*", env.Partition, env.Region, env.Account, database),
		),
	}))
	return role
}

// newCrawler is the scheduled crawler (Crawler) with its KMS-encrypted logs (LogsKey,
// SecurityConfiguration).
func newCrawler(parent constructs.Construct, p *InventoryQueriesProps, role awsiam.Role, database string) (awsglue.CfnCrawler, awsglue.CfnSecurityConfiguration) {
	_, env := stackenv.Of(parent)
	schedule := p.Schedule
	if schedule == "" {
		schedule = "cron(30 4 * * ? *)"
	}
	logsKey := kmskey.NewKey(parent, "LogsKey", "Encrypts the inventory crawler's logs")
	kmskey.AllowCloudWatchLogs(logsKey)
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("CrawlerLogs"),
		Actions:   jsii.Strings("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"),
		Resources: jsii.Strings(fmt.Sprintf("arn:%s:logs:%s:%s:log-group:/aws-glue/crawlers*", env.Partition, env.Region, env.Account)),
	}))
	// "Create or update your AWS KMS keys to grant AWS KMS permissions to the IAM roles that are
	// passed to AWS Glue crawlers and jobs to encrypt CloudWatch Logs" ("Encrypting data written by
	// AWS Glue", Setting up AWS Glue to use security configurations, step 1, read 2026-12-06); the
	// actions are those "Setting up encryption in AWS Glue" gives a crawler of an encrypted
	// catalog. The key's policy lets IAM grant them.
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("CrawlerLogsKey"),
		Actions:   jsii.Strings("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"),
		Resources: jsii.Strings(*logsKey.KeyArn()),
	}))
	security := awsglue.NewCfnSecurityConfiguration(parent, jsii.String("SecurityConfiguration"), &awsglue.CfnSecurityConfigurationProps{
		Name: jsii.String(p.Name + "-inventory"),
		EncryptionConfiguration: &awsglue.CfnSecurityConfiguration_EncryptionConfigurationProperty{
			CloudWatchEncryption: &awsglue.CfnSecurityConfiguration_CloudWatchEncryptionProperty{
				CloudWatchEncryptionMode: jsii.String("SSE-KMS"), KmsKeyArn: logsKey.KeyArn(),
			},
			JobBookmarksEncryption: &awsglue.CfnSecurityConfiguration_JobBookmarksEncryptionProperty{JobBookmarksEncryptionMode: jsii.String("DISABLED")},
			S3Encryptions:          []any{&awsglue.CfnSecurityConfiguration_S3EncryptionProperty{S3EncryptionMode: jsii.String("SSE-S3")}},
		},
	})
	crawler := awsglue.NewCfnCrawler(parent, jsii.String("Crawler"), &awsglue.CfnCrawlerProps{
		Name:                         jsii.String(p.Name + "-inventory"),
		Description:                  jsii.String("privatepatch: tables for each inventory and compliance type of the resource data sync"),
		Role:                         role.RoleArn(),
		DatabaseName:                 jsii.String(database),
		CrawlerSecurityConfiguration: security.Name(),
		Schedule:                     &awsglue.CfnCrawler_ScheduleProperty{ScheduleExpression: jsii.String(schedule)},
		Targets: &awsglue.CfnCrawler_TargetsProperty{S3Targets: []any{&awsglue.CfnCrawler_S3TargetProperty{
			Path:       jsii.String(fmt.Sprintf("s3://%s/%s/", *p.Bucket.BucketName(), InventoryPrefix)),
			Exclusions: jsii.Strings(syncProbeExclusion),
		}}},
		// Never change an existing table's schema (aws_instanceinformation above all); new tables
		// and partitions are still added (see SyncPartitionKeys).
		SchemaChangePolicy: &awsglue.CfnCrawler_SchemaChangePolicyProperty{UpdateBehavior: jsii.String("LOG"), DeleteBehavior: jsii.String("LOG")},
		// One table per inventory type (the sync's top folders), not one per instance.
		Configuration: jsii.String(`{"Version":1.0,"Grouping":{"TableLevelConfiguration":3}}`),
	})
	return crawler, security
}

// newDeclaredTable declares the table name of DeclaredTables, with the columns the saved queries
// read (SyncColumns) and its partitions projected.
func newDeclaredTable(parent constructs.Construct, bucket awss3.IBucket, database, name string) awsglue.CfnTable {
	_, env := stackenv.Of(parent)
	declared := DeclaredTables[name]
	var columns, partitions []any
	for _, c := range SyncColumns[name] {
		if !slices.Contains(SyncPartitionKeys, c) {
			columns = append(columns, &awsglue.CfnTable_ColumnProperty{Name: jsii.String(c), Type: jsii.String("string")})
		}
	}
	for _, k := range SyncPartitionKeys {
		partitions = append(partitions, &awsglue.CfnTable_ColumnProperty{Name: jsii.String(k), Type: jsii.String("string")})
	}
	// Athena projects the table's partitions from these properties rather than reading them from
	// the catalog ("Partition projection with Amazon Athena", "Supported types for partition
	// projection": enum, projection.<column>.values; "Specify custom S3 storage locations":
	// storage.location.template, read 2026-12-06), so the table has its one partition per
	// deployment from the first sync on, whatever a crawl adds or not: the crawler adds partitions
	// to tables it finds, and a declared table may get none. A SyncToDestination sync writes
	// this account's and this region's inventory only.
	location := fmt.Sprintf("s3://%s/%s/%s/", *bucket.BucketName(), InventoryPrefix, declared.Folder)
	parameters := map[string]any{"classification": "json", "projection.enabled": "true",
		"storage.location.template": location + "accountid=${accountid}/region=${region}/resourcetype=${resourcetype}/"}
	for key, values := range map[string][]string{"accountid": {env.Account}, "region": {env.Region}, "resourcetype": SyncResourceTypes} {
		parameters["projection."+key+".type"] = "enum"
		parameters["projection."+key+".values"] = strings.Join(values, ",")
	}
	return awsglue.NewCfnTable(parent, jsii.String(declared.ID), &awsglue.CfnTableProps{
		CatalogId: jsii.String(env.Account), DatabaseName: jsii.String(database),
		TableInput: &awsglue.CfnTable_TableInputProperty{
			Name:          jsii.String(name),
			Description:   jsii.String("privatepatch: " + declared.Folder + " of the resource data sync, declared without the data column resourcetype, which is a partition key"),
			TableType:     jsii.String("EXTERNAL_TABLE"),
			Parameters:    parameters,
			PartitionKeys: partitions,
			StorageDescriptor: &awsglue.CfnTable_StorageDescriptorProperty{
				Location:     jsii.String(location),
				Columns:      columns,
				InputFormat:  jsii.String(patchingspec.TableInputFormat),
				OutputFormat: jsii.String(patchingspec.TableOutputFormat),
				// The OpenX JSON SerDe, case-insensitive by default, so resourceid reads ResourceId
				// ("OpenX JSON SerDe", Amazon Athena User Guide, read 2026-11-27).
				SerdeInfo: &awsglue.CfnTable_SerdeInfoProperty{SerializationLibrary: jsii.String(patchingspec.TableSerDe)},
			},
		},
	})
}

// newQueryWorkGroup is the workgroup WorkGroup whose results go to the bucket, encrypted with
// the key if there is one.
func newQueryWorkGroup(parent constructs.Construct, p *InventoryQueriesProps) awsathena.CfnWorkGroup {
	encryption := &awsathena.CfnWorkGroup_EncryptionConfigurationProperty{EncryptionOption: jsii.String("SSE_S3")}
	if p.Key != nil {
		encryption = &awsathena.CfnWorkGroup_EncryptionConfigurationProperty{EncryptionOption: jsii.String("SSE_KMS"), KmsKey: p.Key.KeyArn()}
	}
	return awsathena.NewCfnWorkGroup(parent, jsii.String("WorkGroup"), &awsathena.CfnWorkGroupProps{
		Name: jsii.String(p.Name + "-inventory"),
		// A workgroup that has run a query is not empty, and DeleteWorkGroup refuses it without
		// "RecursiveDeleteOption - The option to delete the workgroup and its contents even if the
		// workgroup contains any named queries, query executions, or notebooks" (Amazon Athena API
		// Reference, read 2026-12-06): deleting the stack failed. Its results stay in the retained
		// bucket.
		RecursiveDeleteOption: jsii.Bool(true),
		Description:           jsii.String("privatepatch: queries over the fleet's inventory and compliance"),
		WorkGroupConfiguration: &awsathena.CfnWorkGroup_WorkGroupConfigurationProperty{
			EnforceWorkGroupConfiguration: jsii.Bool(true),
			ResultConfiguration: &awsathena.CfnWorkGroup_ResultConfigurationProperty{
				OutputLocation:          jsii.String(fmt.Sprintf("s3://%s/%s", *p.Bucket.BucketName(), QueryResultsPrefix)),
				EncryptionConfiguration: encryption,
			},
		},
	})
}
