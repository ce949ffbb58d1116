package config

import (
	"fmt"
	"slices"
)

// AWS quotas that a configuration could exceed, checked before anything is built.
const (
	// aclRuleQuota is the default quota of rules per direction in one network ACL (adjustable
	// to 40 on request; privatepatch stays within the default).
	aclRuleQuota = 20
	// MaxFleetInstances keeps the fleet stack within CloudFormation's 500 resources per stack:
	// each instance takes two (the instance and its launch template), and the stack's own
	// resources (WSUS server, bucket, roles, associations) need the rest. A test checks it.
	MaxFleetInstances = 200
)

// NetworkAclRuleCounts is how many rules each network ACL needs per direction, as
// constructs/network builds them (a test checks that the two agree): "public inbound",
// "public outbound", "private inbound", "private outbound". The S3 CIDRs count only when
// configured; looked-up ones are checked when they are known, at synth.
func (c *Config) NetworkAclRuleCounts() map[string]int {
	az, s3, admin := c.Network.AzCount, len(c.S3Cidrs()), len(c.Network.AdminCidrs)
	nat := 0
	if c.Network.Nat.Enabled {
		nat = 1
	}
	const denials = 3 // RDP, WinRM and WSUS ports, ahead of the reply rules
	return map[string]int{
		"private outbound": 2 + az + s3 + 2*nat,
		"private inbound":  2 + az + denials + s3 + 2*nat,
		"public outbound":  2 + 2*az + admin,
		"public inbound":   2 + denials + az + admin + 2*az*nat,
	}
}

func (c *Config) validateLimits(p *problems) {
	counts := c.NetworkAclRuleCounts()
	for _, acl := range []string{"private inbound", "private outbound", "public inbound", "public outbound"} {
		if n := counts[acl]; n > aclRuleQuota {
			p.add("network", fmt.Sprintf("azCount %d, %d adminCidrs, %d S3 CIDRs, nat %v", c.Network.AzCount, len(c.Network.AdminCidrs),
				len(c.S3Cidrs()), c.Network.Nat.Enabled),
				"needs %d %s rules in one network ACL, more than the %d AWS allows by default: use fewer zones, admin CIDRs or S3 CIDRs (or NAT off)",
				n, acl, aclRuleQuota)
		}
	}
	total := 0
	for _, g := range c.Fleet.InstanceGroups {
		total += g.Count
	}
	if total > MaxFleetInstances {
		p.add("fleet.instanceGroups", total, "instances are more than the %d one fleet stack holds (CloudFormation allows 500 resources per stack): bring the rest of the fleet by tagging it (fleet.tag)",
			MaxFleetInstances)
	}
}

// knownRegions are the AWS regions (commercial, GovCloud, China and the European Sovereign
// Cloud) as of late 2026. A new region is one line here.
var knownRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
	"eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "eusc-de-east-1", "il-central-1", "me-central-1", "me-south-1",
	"mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
}

func knownRegion(region string) bool { return slices.Contains(knownRegions, region) }
