package vpcclash

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// A subnet is associated with one network ACL; one not explicitly associated uses the VPC's
// default ACL ("ReplaceNetworkAclAssociation", Amazon EC2 API Reference: "By default when you
// create a subnet, it's automatically associated with the default network ACL"; read 2026-12-06).
// manageNetworkAcls associates the listed subnets with privatepatch's ACLs
// (AWS::EC2::SubnetNetworkAclAssociation); when that association goes (rollback, false, deleting
// the stack) the subnet falls to the VPC's default ACL, not to the ACL it had before. So a subnet
// whose ACL was its own is taken over only when the configuration records that ACL
// (existingVpc.priorNetworkAcls, the stack output PriorNetworkAcls), for the restore.

// NetworkAcl is a NetworkAcl of DescribeNetworkAcls (the members read here).
type NetworkAcl struct {
	NetworkAclID string `json:"NetworkAclId"`
	IsDefault    bool   `json:"IsDefault"`
	Associations []struct {
		NetworkAclAssociationID string `json:"NetworkAclAssociationId"`
		SubnetID                string `json:"SubnetId"`
	} `json:"Associations"`
}

// ParseNetworkAcls reads aws ec2 describe-network-acls --filters
// Name=association.subnet-id,Values=... --output json.
func ParseNetworkAcls(data []byte) ([]NetworkAcl, error) {
	var out struct {
		NetworkAcls *[]NetworkAcl `json:"NetworkAcls"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.NetworkAcls == nil {
		return nil, fmt.Errorf("not the output of aws ec2 describe-network-acls (no NetworkAcls): %v", err)
	}
	return *out.NetworkAcls, nil
}

// AclSubnets are the subnets whose network ACL association a template declares (by literal id:
// an existing VPC's), sorted.
func AclSubnets(template map[string]any) []string {
	var out []string
	resources, _ := template["Resources"].(map[string]any)
	for _, r := range resources {
		r := r.(map[string]any)
		if r["Type"] != "AWS::EC2::SubnetNetworkAclAssociation" {
			continue
		}
		p, _ := r["Properties"].(map[string]any)
		if id, ok := p["SubnetId"].(string); ok {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// PriorNetworkAcls reads the output PriorNetworkAcls (subnet=acl, comma-separated).
func PriorNetworkAcls(template map[string]any) map[string]string {
	out := map[string]string{}
	outputs, _ := template["Outputs"].(map[string]any)
	o, _ := outputs["PriorNetworkAcls"].(map[string]any)
	value, _ := o["Value"].(string)
	for _, pair := range strings.Split(value, ",") {
		if subnet, acl, ok := strings.Cut(pair, "="); ok {
			out[subnet] = acl
		}
	}
	return out
}

// CheckAcls lists the subnets that the synthesised template takes over (the deployed one, nil
// when not deployed, does not yet) whose network ACL is not the VPC's default and is not
// recorded in the template's PriorNetworkAcls, or recorded as another.
func CheckAcls(stack, field string, synthesised, deployed map[string]any, acls []NetworkAcl) []string {
	already := map[string]bool{}
	for _, s := range AclSubnets(deployed) {
		already[s] = true
	}
	prior := PriorNetworkAcls(synthesised)
	var problems []string
	for _, subnet := range AclSubnets(synthesised) {
		if already[subnet] {
			continue // its ACL is privatepatch's already
		}
		for _, acl := range acls {
			for _, a := range acl.Associations {
				if a.SubnetID != subnet || acl.IsDefault {
					continue
				}
				switch recorded := prior[subnet]; recorded {
				case acl.NetworkAclID:
				case "":
					problems = append(problems, fmt.Sprintf("%s: %s uses the network ACL %s, not the VPC's default: manageNetworkAcls takes it over, and rollback, manageNetworkAcls: false or deleting the stack return it to the VPC's default ACL, not to %s. Record it to go on (and restore it by hand then, docs/network.md): %s.priorNetworkAcls: {%s: %s}",
						stack, subnet, acl.NetworkAclID, acl.NetworkAclID, field, subnet, acl.NetworkAclID))
				default:
					problems = append(problems, fmt.Sprintf("%s: %s.priorNetworkAcls records %s for %s, which uses %s: record the ACL it uses, %s",
						stack, field, recorded, subnet, acl.NetworkAclID, acl.NetworkAclID))
				}
			}
		}
	}
	return problems
}
