package netpath

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// AssociationProblems checks the network ACL associations of a network stack that manages its
// subnets' ACLs (one with any AWS::EC2::SubnetNetworkAclAssociation): each subnet the template
// knows (created, or named by its outputs) has exactly one, and the subnets of one kind (public
// or private) share their kind's ACL, not the other's. A subnet is associated with one ACL at a
// time: ReplaceNetworkAclAssociation "changes which network ACL a subnet is associated with. By
// default when you create a subnet, it's automatically associated with the default network ACL"
// (Amazon EC2 API Reference, read 2026-12-07). So a second association replaces the first, and a
// subnet without one keeps the default ACL, through which no flow of the flow table is proven.
// FromTemplate refuses such a template; this names why (held-out run 33's B01: the private ACL's
// association for a private subnet pointed at a public one).
func AssociationProblems(template map[string]any) []string {
	resources, _ := template["Resources"].(map[string]any)
	associations := cfntemplate.OfType(resources, "AWS::EC2::SubnetNetworkAclAssociation")
	if len(associations) == 0 {
		return nil // the VPC's own ACLs (FromSecurityGroups)
	}
	var m Model
	cidrs, err := m.addSubnets(template, resources)
	if err != nil {
		return []string{err.Error()}
	}
	kind := map[string]string{}
	for id, cidr := range cidrs {
		kind[id] = map[bool]string{true: "public", false: "private"}[slices.Contains(m.Public, cidr)]
	}
	aclsOf := map[string][]string{}
	for _, id := range slices.Sorted(maps.Keys(associations)) {
		subnet := cfntemplate.Ref(associations[id]["SubnetId"])
		if literal, ok := associations[id]["SubnetId"].(string); ok {
			subnet = literal
		}
		aclsOf[subnet] = append(aclsOf[subnet], cfntemplate.Ref(associations[id]["NetworkAclId"]))
	}
	var problems []string
	kindACLs := map[string]map[string][]string{"public": {}, "private": {}}
	for _, subnet := range slices.Sorted(maps.Keys(kind)) {
		acls := aclsOf[subnet]
		switch {
		case len(acls) == 0:
			problems = append(problems, fmt.Sprintf("%s subnet %s: no network ACL association: it keeps the VPC's default ACL, through which no flow here is proven", kind[subnet], subnet))
		case len(acls) > 1:
			problems = append(problems, fmt.Sprintf("%s subnet %s: associated with network ACLs %s: a subnet has one at a time, so one association replaces the other", kind[subnet], subnet, strings.Join(acls, " and ")))
		}
		for _, acl := range acls {
			kindACLs[kind[subnet]][acl] = append(kindACLs[kind[subnet]][acl], subnet)
		}
	}
	for acl, publics := range kindACLs["public"] {
		if privates, shared := kindACLs["private"][acl]; shared {
			problems = append(problems, fmt.Sprintf("network ACL %s: serves public subnets %s and private subnets %s: the private rules (HTTPS to the region's S3 ranges, WSUS from inside) and the public ones (RDP, Microsoft Update) are one list",
				acl, strings.Join(publics, ", "), strings.Join(privates, ", ")))
		}
	}
	slices.Sort(problems)
	return problems
}
