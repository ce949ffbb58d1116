package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// The resource data sync's layout, as "Walkthrough: Use resource data sync to aggregate inventory
// data" (Systems Manager User Guide, read 2026-12-07) declares its tables: one folder per type,
// LOCATION 's3://<bucket>/<bucket_prefix>/AWS:Application/', PARTITIONED BY (AccountId, Region,
// ResourceType), its folders accountid=.../region=.../resourcetype=....
var inventoryPartitions = []string{"accountid", "region", "resourcetype"}

// syncResourceType is the resourcetype folder the sync writes managed nodes' data under
// (resourcetype=ManagedInstanceInventory, the Walkthrough's paths).
const syncResourceType = "ManagedInstanceInventory"

// Inventory checks that the inventory's Glue tables and crawler read where the resource data
// sync writes: a table's location is the sync's bucket and prefix and the folder of its type
// (aws_application reads AWS:Application/), its partition keys and projected location template
// are the sync's folders, a table under the sync's prefix reads its JSON (formatProblems), and
// the crawler crawls the sync's prefix. A table that reads elsewhere, or reads the JSON as
// something else, answers every saved query with no rows.
func Inventory(patching map[string]any) []string {
	resources := cfntemplate.Resources(patching)
	syncs := cfntemplate.OfType(resources, "AWS::SSM::ResourceDataSync")
	var bases []string
	for _, id := range slices.Sorted(maps.Keys(syncs)) {
		destination, _ := syncs[id]["S3Destination"].(map[string]any)
		if destination == nil {
			continue
		}
		// The prefix exactly as written: the sync writes under <Prefix>/AWS:<Type>/ (the
		// Walkthrough's LOCATION), and no AWS page read says Systems Manager strips a slash the
		// prefix ends or begins with (ResourceDataSyncS3Destination Prefix is only "An Amazon
		// S3 prefix for the bucket", 1 to 256 characters), so inventory/ writes under
		// inventory//AWS:<Type>/, which no table reads (mutation run 22's A17).
		base := "s3://" + rendered(destination["BucketName"]) + "/"
		if prefix := cfntemplate.Text(destination["BucketPrefix"]); prefix != "" {
			base += prefix + "/"
		}
		bases = append(bases, base)
	}
	tables := cfntemplate.OfType(resources, "AWS::Glue::Table")
	if len(bases) == 0 {
		if len(tables) > 0 {
			return []string{"the inventory's Glue tables have no resource data sync to S3 to read"}
		}
		return nil
	}
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(tables)) {
		problems = append(problems, tableProblems(id, tables[id], bases)...)
	}
	crawlers := cfntemplate.OfType(resources, "AWS::Glue::Crawler")
	for _, id := range slices.Sorted(maps.Keys(crawlers)) {
		targets, _ := crawlers[id]["Targets"].(map[string]any)
		for _, target := range cfntemplate.List(targets["S3Targets"]) {
			target, _ := target.(map[string]any)
			if path := rendered(target["Path"]); !slices.Contains(bases, strings.TrimSuffix(path, "/")+"/") {
				problems = append(problems, fmt.Sprintf("crawler %s: crawls %s, not the resource data sync's %s", id, path, strings.Join(bases, " or ")))
			}
		}
		// Where the stack declares tables, the crawler may add tables and partitions but not
		// change a table's schema (UpdateBehavior LOG: "Add new tables and new partitions
		// (including on existing tables)"; UPDATE_IN_DATABASE updates them, AWS::Glue::Crawler
		// SchemaChangePolicy): it would give aws_instanceinformation back the resourcetype column
		// that "causes Athena queries to fail" (patchingspec.SyncPartitionKeys; mutation run 10's C07).
		policy, _ := crawlers[id]["SchemaChangePolicy"].(map[string]any)
		if got := cfntemplate.Text(policy["UpdateBehavior"]); len(tables) > 0 && got != "LOG" {
			problems = append(problems, fmt.Sprintf("crawler %s: SchemaChangePolicy UpdateBehavior %q, not LOG: the crawler rewrites the declared tables' schemas, and the saved queries fail", id, got))
		}
	}
	return problems
}

// tableProblems are a table's location, partitions and projected location against the sync's.
func tableProblems(id string, table map[string]any, bases []string) []string {
	input, _ := table["TableInput"].(map[string]any)
	storage, _ := input["StorageDescriptor"].(map[string]any)
	name, location := cfntemplate.Text(input["Name"]), rendered(storage["Location"])
	var problems []string
	folder := ""
	for _, base := range bases {
		if rest, ok := strings.CutPrefix(location, base+"AWS:"); ok && strings.HasSuffix(rest, "/") {
			folder = strings.TrimSuffix(rest, "/")
		}
	}
	if folder == "" || "aws_"+strings.ToLower(folder) != name {
		problems = append(problems, fmt.Sprintf("table %s (%s): reads %s, not its type's folder of the resource data sync (%sAWS:<Type>/, the type named as the table)",
			id, name, location, bases[0]))
	}
	for _, base := range bases {
		if strings.HasPrefix(location, base) {
			problems = append(problems, formatProblems(id, name, storage)...)
			break
		}
	}
	var keys []string
	for _, k := range cfntemplate.List(input["PartitionKeys"]) {
		k, _ := k.(map[string]any)
		keys = append(keys, cfntemplate.Text(k["Name"]))
	}
	if !slices.Equal(keys, inventoryPartitions) {
		problems = append(problems, fmt.Sprintf("table %s (%s): partitioned by %v, not the sync's folders %v", id, name, keys, inventoryPartitions))
	}
	parameters, _ := input["Parameters"].(map[string]any)
	if cfntemplate.Text(parameters["projection.enabled"]) == "true" {
		want := location
		for _, k := range inventoryPartitions {
			want += k + "=${" + k + "}/"
		}
		if got := rendered(parameters["storage.location.template"]); got != want {
			problems = append(problems, fmt.Sprintf("table %s (%s): projects partitions at %s, not the sync's %s", id, name, got, want))
		}
		if got := cfntemplate.Text(parameters["projection.resourcetype.values"]); got != syncResourceType {
			problems = append(problems, fmt.Sprintf("table %s (%s): projects resourcetype %q, and the sync writes resourcetype=%s", id, name, got, syncResourceType))
		}
	}
	return problems
}

// formatProblems are a sync table's SerDe and formats against the JSON the sync writes
// (patchingspec.TableSerDe, TableInputFormat, TableOutputFormat, which the construct emits).
func formatProblems(id, name string, storage map[string]any) []string {
	serde, _ := storage["SerdeInfo"].(map[string]any)
	var problems []string
	for _, f := range []struct{ what, got, want string }{
		{"SerDe", cfntemplate.Text(serde["SerializationLibrary"]), patchingspec.TableSerDe},
		{"InputFormat", cfntemplate.Text(storage["InputFormat"]), patchingspec.TableInputFormat},
		{"OutputFormat", cfntemplate.Text(storage["OutputFormat"]), patchingspec.TableOutputFormat},
	} {
		if f.got != f.want {
			problems = append(problems, fmt.Sprintf("table %s (%s): %s %q, not %s: the resource data sync writes one JSON record a line (SyncFormat %s), "+
				"which the table then reads into the wrong columns, and the saved queries find nothing", id, name, f.what, f.got, f.want, patchingspec.SyncFormat))
		}
	}
	return problems
}

// rendered is a value as text: an Fn::Join joined, each other intrinsic written as its JSON, so
// that two values naming the same output or resource render alike.
func rendered(v any) string {
	return cfntemplate.Joined(v, func(intrinsic any) string {
		data, _ := json.Marshal(intrinsic)
		return string(data)
	})
}
