package main

// prices are on-demand list prices in US dollars for us-west-2 (Oregon), as AWS's public price
// pages showed them when this table was written. They change: check the AWS Pricing Calculator
// before you rely on a figure, and update this table (and its date) when they do.
const pricesAsOf = "2026-11 (us-west-2, on-demand, without data transfer or free tiers)"

const hoursPerMonth = 730

var prices = struct {
	windowsInstanceHour          map[string]float64 // license included
	gp3GBMonth                   float64
	publicIPv4Hour               float64
	interfaceEndpointHourPerAZ   float64
	natGatewayHour               float64
	kmsKeyMonth                  float64
	cloudWatchAlarmMonth         float64
	cloudWatchDashboardMonth     float64
	cloudWatchMetricMonth        float64
	inspectorEC2InstanceMonth    float64
	configRuleEvaluationPerMonth float64 // per rule, for a small fleet's evaluations
}{
	windowsInstanceHour: map[string]float64{
		"t3.medium": 0.0600, "t3.large": 0.1108, "m5.large": 0.1880, "m6i.large": 0.1880, "m6i.xlarge": 0.3760,
		"m7i.large": 0.1928, "c6i.large": 0.1770, "r6i.large": 0.2180,
	},
	gp3GBMonth:                   0.08,
	publicIPv4Hour:               0.005,
	interfaceEndpointHourPerAZ:   0.01,
	natGatewayHour:               0.045,
	kmsKeyMonth:                  1.00,
	cloudWatchAlarmMonth:         0.10,
	cloudWatchDashboardMonth:     3.00,
	cloudWatchMetricMonth:        0.30,
	inspectorEC2InstanceMonth:    1.258,
	configRuleEvaluationPerMonth: 1.00,
}
