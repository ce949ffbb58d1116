package wsusspec

// The health metrics the server publishes every 30 minutes (wsus-health.ps1), with dimension
// InstanceId, in the namespace of its deployment: the WSUS construct publishes them, the alarms
// and the dashboard read them, and make doctor judges them as the sync alarm does.
const (
	HealthNamespace          = "privatepatch/WSUS"
	MetricUpdateStoreFree    = "UpdateStoreFreePercent"
	MetricLastSyncSucceeded  = "LastSyncSucceeded"
	MetricHoursSinceLastSync = "HoursSinceLastSync"
	// NeverSynchronisedHours is what wsus-health.ps1 reports as HoursSinceLastSync while the last
	// synchronisation's Result is NeverRun.
	NeverSynchronisedHours = 9999
	// StaleSyncHours is how old the last synchronisation may be before the sync alarm fires: a
	// daily synchronisation, with two hours to run.
	StaleSyncHours = 26
	// MinUpdateStoreFreePercent is the update store's free space under which the disk alarm
	// fires: room for a month's updates before the store fills and synchronisation fails.
	MinUpdateStoreFreePercent = 15
)

// HealthNamespaceOf is the namespace a deployment's server publishes its health in, under
// HealthNamespace: one per deployment (name prefix), so that the alarms, which query a namespace
// and name no instance, watch their own server only. A namespace is 1 to 255 characters and must
// not start with "AWS/" ("Metric" and PutMetricData, Amazon CloudWatch API Reference, read
// 2026-11-27).
func HealthNamespaceOf(namePrefix string) string {
	return HealthNamespace + "/" + namePrefix
}

// MetricRange is the least and greatest value a script publishes for a metric, and which end is
// the trouble an alarm on it watches for: LowIsBad for a share of free space or a health flag,
// not for hours since something last happened.
type MetricRange struct {
	Min, Max float64
	LowIsBad bool
}

// MetricRanges are the values wsus-health.ps1 and wsus-cleanup.ps1 publish for the metrics the
// alarms read: a percentage, 0 or 1 for the flags, hours from 0 to NeverSynchronisedHours. An
// alarm whose threshold no value in its range crosses can never fire; one every value crosses
// never stops.
var MetricRanges = map[string]MetricRange{
	MetricUpdateStoreFree:    {0, 100, true},
	MetricLastSyncSucceeded:  {0, 1, true},
	MetricHoursSinceLastSync: {0, NeverSynchronisedHours, false},
	MetricCleanupHealthy:     {0, 1, true},
}

// RootVolumeGiB is the WSUS server's root volume (the update store is a volume of its own):
// verify names a template that sets another.
const RootVolumeGiB = 60
