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
// something else, answers every saved query with no rows. Its notes are tables that read the
// JSON with another of Athena's JSON SerDes than the construct's.
func Inventory(patching map[string]any) (problems, notes []string) {
	resources := cfntemplate.Resources(patching)
	bases, problems := syncBases(resources)
	tables := cfntemplate.OfType(resources, "AWS::Glue::Table")
	if len(bases) == 0 {
		if len(tables) > 0 {
			return []string{"the inventory's Glue tables have no resource data sync to S3 to read"}, nil
		}
		return nil, nil
	}
	for _, id := range slices.Sorted(maps.Keys(tables)) {
		p, n := tableProblems(id, tables[id], bases)
		problems, notes = append(problems, p...), append(notes, n...)
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
	return problems, notes
}

// syncBases are where the stack's resource data syncs write, s3://<bucket>/<prefix>/, the prefix
// with no slash at either end, as the construct writes it (patching.InventoryPrefix). A prefix
// written with one is a problem of its own: the sync writes under <Prefix>/AWS:<Type>/ (the
// Walkthrough's LOCATION), and no AWS page read says whether Systems Manager strips the slash
// (ResourceDataSyncS3Destination Prefix is only "An Amazon S3 prefix for the bucket", 1 to 256
// characters), so inventory/ may write under inventory//AWS:<Type>/, which no table reads
// (mutation run 22's A17). The construct writes none: a template with one was changed by hand.
func syncBases(resources map[string]any) (bases, problems []string) {
	syncs := cfntemplate.OfType(resources, "AWS::SSM::ResourceDataSync")
	for _, id := range slices.Sorted(maps.Keys(syncs)) {
		destination, _ := syncs[id]["S3Destination"].(map[string]any)
		if destination == nil {
			continue
		}
		bucket := "s3://" + rendered(destination["BucketName"]) + "/"
		base, prefix := bucket, cfntemplate.Text(destination["BucketPrefix"])
		if trimmed := strings.Trim(prefix, "/"); trimmed != "" {
			base += trimmed + "/"
		}
		if strings.Trim(prefix, "/") != prefix {
			problems = append(problems, fmt.Sprintf("resource data sync %s: BucketPrefix %q begins or ends with /: the sync may write under %s%s/AWS:<Type>/, which no table reads "+
				"(the construct writes no such prefix: the template was changed by hand)", id, prefix, bucket, prefix))
		}
		bases = append(bases, base)
	}
	return bases, problems
}

// tableProblems are a table's location, partitions and projected location against the sync's,
// and its formats; its notes a JSON SerDe other than the construct's.
func tableProblems(id string, table map[string]any, bases []string) (problems, notes []string) {
	input, _ := table["TableInput"].(map[string]any)
	storage, _ := input["StorageDescriptor"].(map[string]any)
	name, location := cfntemplate.Text(input["Name"]), rendered(storage["Location"])
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
			p, n := formatProblems(id, name, storage)
			problems, notes = append(problems, p...), n
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
	return problems, notes
}

// formatProblems are a sync table's SerDe and formats against the JSON the sync writes: a SerDe
// outside Athena's JSON ones (patchingspec.JSONSerDes) reads it into the wrong columns, as do
// formats other than its SerDe's; another JSON SerDe than the construct's TableSerDe is a note.
func formatProblems(id, name string, storage map[string]any) (problems, notes []string) {
	serde, _ := storage["SerdeInfo"].(map[string]any)
	library := cfntemplate.Text(serde["SerializationLibrary"])
	wrong := fmt.Sprintf(": the resource data sync writes one JSON record a line (SyncFormat %s), which the table then reads into the wrong columns, and the saved queries find nothing", patchingspec.SyncFormat)
	formats, isJSON := patchingspec.JSONSerDes[library]
	if !isJSON {
		return []string{fmt.Sprintf("table %s (%s): SerDe %q, none of Athena's JSON SerDes %v%s", id, name, library, slices.Sorted(maps.Keys(patchingspec.JSONSerDes)), wrong)}, nil
	}
	if library != patchingspec.TableSerDe {
		notes = append(notes, fmt.Sprintf("table %s (%s): SerDe %s, one of Athena's JSON SerDes, differs from the construct's %s", id, name, library, patchingspec.TableSerDe))
	}
	for _, f := range []struct{ what, got, want string }{
		{"InputFormat", cfntemplate.Text(storage["InputFormat"]), formats[0]},
		{"OutputFormat", cfntemplate.Text(storage["OutputFormat"]), formats[1]},
	} {
		if f.got != f.want {
			problems = append(problems, fmt.Sprintf("table %s (%s): %s %q, not %s, SerDe %s's%s", id, name, f.what, f.got, f.want, library, wrong))
		}
	}
	if library == patchingspec.TableSerDe {
		problems = append(problems, openXProblems(id, name, serde)...)
	}
	return problems, notes
}

// openXProblems are the OpenX SerDe's properties that point a column at another key than its own
// (patchingspec.OpenXCaseInsensitive, OpenXMappingPrefix): the sync's keys are capitalised
// (ResourceId) and the columns their lowercase (resourceid), so case.insensitive false, or a
// mapping to another key, leaves the column NULL or reading another field.
func openXProblems(id, name string, serde map[string]any) []string {
	var problems []string
	parameters, _ := serde["Parameters"].(map[string]any)
	for _, key := range slices.Sorted(maps.Keys(parameters)) {
		value := fmt.Sprint(parameters[key])
		if text, ok := parameters[key].(string); ok {
			value = text
		}
		if key == patchingspec.OpenXCaseInsensitive && strings.EqualFold(value, "false") {
			problems = append(problems, fmt.Sprintf("table %s (%s): SerDe parameter %s is %s: the OpenX SerDe then matches keys by case, "+
				"and no lowercase column reads the sync's capitalised keys (resourceid, ResourceId): the saved queries find nothing", id, name, key, value))
		}
		if column, ok := strings.CutPrefix(key, patchingspec.OpenXMappingPrefix); ok && !strings.EqualFold(value, column) {
			problems = append(problems, fmt.Sprintf("table %s (%s): SerDe parameter %s reads key %q into column %s, not its own key: the column reads another field, or none", id, name, key, value, column))
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
