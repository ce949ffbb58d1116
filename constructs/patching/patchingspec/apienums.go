package patchingspec

// Values the Systems Manager API takes, from botocore 1.43.11's ssm model (service-2.json, read
// 2026-12-07), where CloudFormation's resource specification lists none, so CDK's validation
// cannot refuse another (mutation run 19's A11, A16):
//   - NotificationEvent: the events a command's notification is sent for;
//   - NotificationType: Command (the command's status) or Invocation (each node's);
//   - ResourceDataSyncS3Format: the one format a resource data sync writes;
//   - AssociationComplianceSeverity: an association's compliance severity (run 20's B08).
var (
	NotificationEvents   = []string{"All", "InProgress", "Success", "TimedOut", "Cancelled", "Failed"}
	NotificationTypes    = []string{"Command", "Invocation"}
	SyncFormats          = []string{SyncFormat}
	ComplianceSeverities = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNSPECIFIED"}
)

// SyncFormat is the resource data sync's format (ResourceDataSyncS3Format).
const SyncFormat = "JsonSerDe"

// FailureNotificationEvents are what a window task notifies of: a command that failed, timed out
// or was cancelled (NotificationEvents' spelling).
var FailureNotificationEvents = []string{"Failed", "TimedOut", "Cancelled"}

// NotificationType is a window task's: the command's status, not each node's (NotificationTypes).
const NotificationType = "Command"

// The storage format of the Glue tables that read what a resource data sync writes (SyncFormat
// JsonSerDe, one JSON record a line): the OpenX JSON SerDe, one of the library names Athena's
// "JSON SerDe libraries" page gives ("The Hive and OpenX libraries expect JSON data to be on a
// single line (not formatted), with records separated by a new line character", Amazon Athena
// User Guide, read 2026-12-07), over text read line by line: TextInputFormat and
// HiveIgnoreKeyTextOutputFormat, the pair aws-cdk's Glue DataFormat.JSON gives the OpenX SerDe.
// Another SerDe (LazySimpleSerDe splits a line on its delimiter) reads the JSON into the wrong
// columns, and the saved queries find nothing (mutation run 22's A16).
const (
	TableSerDe        = "org.openx.data.jsonserde.JsonSerDe"
	TableInputFormat  = "org.apache.hadoop.mapred.TextInputFormat"
	TableOutputFormat = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
)

// JSONSerDes are the library names Athena's "JSON SerDe libraries" page gives ("Use one of the
// following", Amazon Athena User Guide, read 2026-12-07), each with the input and output formats
// a table of it is stored as: the Hive and OpenX SerDes over text (Hive's default TEXTFILE, the
// formats above), the Ion SerDe over its own ("Using CREATE TABLE to Create Amazon Ion Tables":
// IonInputFormat, IonOutputFormat). Each reads the sync's JSON; the construct emits TableSerDe.
var JSONSerDes = map[string][2]string{
	"org.apache.hive.hcatalog.data.JsonSerDe": {TableInputFormat, TableOutputFormat},
	TableSerDe:                             {TableInputFormat, TableOutputFormat},
	"com.amazon.ionhiveserde.IonHiveSerDe": {"com.amazon.ionhiveserde.formats.IonInputFormat", "com.amazon.ionhiveserde.formats.IonOutputFormat"},
}

// The OpenX SerDe's properties that change which JSON key a column reads ("OpenX JSON SerDe",
// Amazon Athena User Guide, read 2026-12-07): "case.insensitive — Optional. The default is TRUE.
// When set to TRUE, the SerDe converts all uppercase columns to lowercase", so the lowercase
// column resourceid reads the sync's key ResourceId; with FALSE, "for every key that is not
// already all lowercase, provide a mapping". "mapping — Optional. Maps column names to JSON keys
// that aren't identical to the column names" ("mapping.ts" = "timestamp").
const (
	OpenXCaseInsensitive = "case.insensitive"
	OpenXMappingPrefix   = "mapping."
)
