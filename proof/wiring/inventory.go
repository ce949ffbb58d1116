package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

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
// are the sync's folders, and the crawler crawls the sync's prefix. A table that reads elsewhere
// answers every saved query with no rows.
func Inventory(patching map[string]any) []string {
	resources := cfntemplate.Resources(patching)
	syncs := cfntemplate.OfType(resources, "AWS::SSM::ResourceDataSync")
	var bases []string
	for _, id := range slices.Sorted(maps.Keys(syncs)) {
		destination, _ := syncs[id]["S3Destination"].(map[string]any)
		if destination == nil {
			continue
		}
		base := "s3://" + rendered(destination["BucketName"]) + "/"
		if prefix := cfntemplate.Text(destination["BucketPrefix"]); prefix != "" {
			base += strings.Trim(prefix, "/") + "/"
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

// rendered is a value as text: an Fn::Join joined, each other intrinsic written as its JSON, so
// that two values naming the same output or resource render alike.
func rendered(v any) string {
	return cfntemplate.Joined(v, func(intrinsic any) string {
		data, _ := json.Marshal(intrinsic)
		return string(data)
	})
}
