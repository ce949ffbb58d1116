package config

import (
	"slices"

	"github.com/privatepatch/privatepatch/constructs/fleet/fleetspec"
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/tagspec"
	"github.com/privatepatch/privatepatch/constructs/windows/windowsspec"
	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// ValueRule is what the configuration's JSON Schema (tools/configschema, make schema) says of
// one value, from the same facts validation judges it by: a value the rule refuses, validation
// refuses too. Rules that need another field (a retention period that depends on the
// destination, a zone of the region) are validation's alone; the README lists them.
type ValueRule struct {
	Enum             []any
	Pattern          string
	Minimum, Maximum *int
	MaxLength        int // of a string
	MaxItems         int // of a list
	UniqueItems      bool
	KeyMaxLength     int  // of a mapping's keys
	ZeroMeansDefault bool // "" or 0 is allowed too: the loader fills in the default
}

func between(minimum, maximum int) ValueRule {
	return ValueRule{Minimum: &minimum, Maximum: &maximum}
}

func oneOf[T any](values ...T) ValueRule {
	var enum []any
	for _, v := range values {
		enum = append(enum, v)
	}
	return ValueRule{Enum: enum}
}

func zeroDefault(r ValueRule) ValueRule {
	r.ZeroMeansDefault = true
	return r
}

// ValueRules are the schema's value rules by YAML path: "network.azCount"; a list's items are
// path[], a mapping's values path{}.
func ValueRules() map[string]ValueRule {
	var endpoints []string
	for _, s := range networkspec.InterfaceEndpointServices {
		if s != "s3" && !slices.Contains(networkspec.SystemsManagerEndpoints, s) { // always created: refused in the list
			endpoints = append(endpoints, s)
		}
	}
	var versions []string
	for _, v := range windowsspec.Versions() {
		versions = append(versions, string(v))
	}
	adminCidrs := ValueRule{MaxItems: networkspec.MaxListedCidrs}
	extraEndpoints := oneOf(endpoints...)
	tags := ValueRule{KeyMaxLength: tagspec.MaxKeyLength}
	tagValue := ValueRule{MaxLength: tagspec.MaxValueLength}
	return map[string]ValueRule{
		"project":                               {Pattern: projectPattern.String()},
		"account":                               zeroDefault(ValueRule{Pattern: accountPattern.String()}),
		"region":                                zeroDefault(oneOf(knownRegions...)),
		"environments[].region":                 oneOf(knownRegions...),
		"environments[].account":                zeroDefault(ValueRule{Pattern: accountPattern.String()}),
		"tags":                                  tags,
		"tags{}":                                tagValue,
		"network.azCount":                       between(1, networkspec.MaxAzs),
		"network.subnetCidrMask":                between(networkspec.MinPrefixLength, networkspec.MaxPrefixLength),
		"network.adminCidrs":                    adminCidrs,
		"network.nat.gateways":                  oneOf(networkspec.NatPerAz, networkspec.NatSingle),
		"network.flowLogs.destination":          oneOf(networkspec.FlowLogsToCloudWatchLogs, networkspec.FlowLogsToS3),
		"network.extraInterfaceEndpoints":       {UniqueItems: true},
		"network.extraInterfaceEndpoints[]":     extraEndpoints,
		"wsus.port":                             oneOf(wsusspec.HTTPPort, wsusspec.HTTPSPort),
		"wsus.windowsVersion":                   oneOf(versions...),
		"wsus.updateStoreGiB":                   between(wsusspec.MinUpdateStoreGiB, wsusspec.MaxUpdateStoreGiB),
		"wsus.syncsPerDay":                      between(1, wsusspec.MaxSyncsPerDay),
		"wsus.classifications[]":                oneOf(wsusspec.Classifications...),
		"wsus.publicAddress":                    oneOf(PublicAddressElasticIp, PublicAddressExternal),
		"fleet.instanceGroups[].count":          between(1, fleetspec.MaxInstanceCount),
		"fleet.instanceGroups[].windowsVersion": zeroDefault(oneOf(versions...)),
		"fleet.instanceGroups[].tags":           tags,
		"fleet.instanceGroups[].tags{}":         tagValue,
		"patching.baselines[].operatingSystem":  zeroDefault(oneOf(patchingspec.OperatingSystems...)),
		"patching.baselines[].approvalRules[].approveAfterDays": between(0, patchingspec.MaxApproveAfterDays),
		"patching.maintenanceWindows[].durationHours":           between(1, patchingspec.MaxDurationHours),
		"patching.maintenanceWindows[].tasks[].priority":        zeroDefault(between(1, patchingspec.MaxPriority)),
	}
}
