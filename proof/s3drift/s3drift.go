// Package s3drift compares the S3 prefix list a network stack was synthesised with against the
// one AWS holds now. The private security group references the region's com.amazonaws.REGION.s3
// managed prefix list by id and so follows AWS's changes; network ACL entries cannot reference a
// prefix list (AWS::EC2::NetworkAclEntry has only CidrBlock and Ipv6CidrBlock), so the private
// ACL carries the list's CIDRs as they were at synth time and goes stale silently when AWS
// changes them. make verify (with credentials), make check-update and make deploy read the live
// list with the AWS CLI and refuse on any difference, naming the fix.
package s3drift

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/proof/netpath"
)

// Synthesised is what a network stack's template holds of the S3 prefix list.
type Synthesised struct {
	// PrefixListIds are the prefix lists the security groups' rules reference.
	PrefixListIds []string
	// AclCidrs are the private ACL's S3 ranges, sorted.
	AclCidrs []string
	// NoAcls: the stack sets no network ACLs (an existing VPC whose ACLs are left alone), so no
	// CIDR is carried and only the prefix-list id is compared.
	NoAcls bool
}

// Live is the region's com.amazonaws.REGION.s3 prefix list as AWS returns it.
type Live struct {
	// Id is the list's id, "" when AWS returned none by that name.
	Id string
	// Cidrs are its entries' CIDRs.
	Cidrs []string
}

// IsNetworkStack tells whether a template is a network stack: it has network ACL entries or,
// in an existing VPC whose ACLs are left alone, the private security group's rule to the S3
// prefix list. Only the network stack has either.
func IsNetworkStack(template map[string]any) bool {
	return hasAcls(template) || strings.Contains(fmt.Sprint(template["Resources"]), "DestinationPrefixListId")
}

func hasAcls(template map[string]any) bool {
	for _, r := range resources(template) {
		if r["Type"] == "AWS::EC2::NetworkAclEntry" {
			return true
		}
	}
	return false
}

// FromTemplate reads the prefix lists that the security groups reference (inline rules and
// AWS::EC2::SecurityGroupEgress/Ingress resources) and the private ACL's S3 CIDRs.
func FromTemplate(template map[string]any) (Synthesised, error) {
	ids := map[string]bool{}
	add := func(rule map[string]any) {
		for _, key := range []string{"DestinationPrefixListId", "SourcePrefixListId"} {
			if id, ok := rule[key].(string); ok {
				ids[id] = true
			}
		}
	}
	for _, r := range resources(template) {
		props, _ := r["Properties"].(map[string]any)
		switch r["Type"] {
		case "AWS::EC2::SecurityGroup":
			for _, key := range []string{"SecurityGroupEgress", "SecurityGroupIngress"} {
				rules, _ := props[key].([]any)
				for _, rule := range rules {
					if rule, ok := rule.(map[string]any); ok {
						add(rule)
					}
				}
			}
		case "AWS::EC2::SecurityGroupEgress", "AWS::EC2::SecurityGroupIngress":
			add(props)
		}
	}
	if !hasAcls(template) {
		return Synthesised{PrefixListIds: slices.Sorted(maps.Keys(ids)), NoAcls: true}, nil
	}
	m, err := netpath.FromTemplate(template)
	if err != nil {
		return Synthesised{}, err
	}
	return Synthesised{PrefixListIds: slices.Sorted(maps.Keys(ids)), AclCidrs: AclCidrs(m)}, nil
}

// AclCidrs are the S3 ranges of the private ACL: those it sends HTTPS to outside the VPC's
// subnets (the VPC range overlaps them; 0.0.0.0/0 is NAT's) in the S3 rules' block, sorted.
func AclCidrs(m netpath.Model) []string {
	var cidrs []string
	for _, e := range m.SubnetACL[m.Private[0]] {
		inside := false
		for subnet := range m.SubnetACL {
			inside = inside || e.Cidr.Overlaps(subnet)
		}
		// constructs/network numbers the S3 rules in their block; HTTPS to a hub's endpoints
		// leaves the VPC too, and is not S3's.
		s3Block := e.Number >= networkspec.S3RulesFrom && e.Number <= networkspec.S3RulesTo
		if e.Egress && e.Allow && e.From == 443 && e.To == 443 && !inside && e.Cidr.Bits() > 0 && s3Block {
			cidrs = append(cidrs, e.Cidr.String())
		}
	}
	slices.Sort(cidrs)
	return cidrs
}

// ParseId reads what `aws ec2 describe-managed-prefix-lists --filters
// Name=prefix-list-name,Values=NAME --query 'PrefixLists[0].PrefixListId' --output json` prints:
// the id as a JSON string, or null when no list has that name ("" then). JSON, not text: "If you
// specify --output text, the output is paginated before the --query filter is applied, and the
// AWS CLI runs the query once on each page of the output", so a paged answer printed a line a
// page ("Setting the output format in the AWS CLI", AWS CLI User Guide, read 2026-12-06), and the
// CLI pages DescribeManagedPrefixLists (botocore's ec2 paginators-1.json names it); with json
// the query runs once over the whole answer. Anything else is an error.
func ParseId(data []byte) (string, error) {
	var id *string
	if err := json.Unmarshal(data, &id); err != nil {
		return "", fmt.Errorf("not the JSON of describe-managed-prefix-lists --query 'PrefixLists[0].PrefixListId' --output json (an id or null): %q", strings.TrimSpace(string(data)))
	}
	if id == nil {
		return "", nil
	}
	if !strings.HasPrefix(*id, "pl-") {
		return "", fmt.Errorf("not a prefix-list id: %q", *id)
	}
	return *id, nil
}

// ParseEntries reads the output of `aws ec2 get-managed-prefix-list-entries --output json`:
// {"Entries": [{"Cidr": "...", "Description": "..."}]} (GetManagedPrefixListEntries, Amazon EC2
// API Reference, and boto3's response syntax; read 2026-11-27). The CLI follows NextToken itself
// and prints every page's entries as one list.
func ParseEntries(data []byte) ([]string, error) {
	var out struct {
		Entries *[]struct {
			Cidr string `json:"Cidr"`
		} `json:"Entries"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("not the JSON of get-managed-prefix-list-entries: %w", err)
	}
	if out.Entries == nil {
		return nil, fmt.Errorf("not the JSON of get-managed-prefix-list-entries: no Entries")
	}
	var cidrs []string
	for _, e := range *out.Entries {
		cidrs = append(cidrs, e.Cidr)
	}
	slices.Sort(cidrs)
	return cidrs, nil
}

// Compare returns every difference between a stack's synthesised S3 prefix list and the live
// one, each naming its fix; none when they agree.
func Compare(stack, region string, s Synthesised, l Live) []string {
	name := fmt.Sprintf("com.amazonaws.%s.s3", region)
	where := fmt.Sprintf("%s (%s)", stack, region)
	if l.Id == "" {
		return []string{fmt.Sprintf("%s: AWS returns no prefix list named %s to these credentials, so the security group's and "+
			"ACLs' S3 rules cannot be checked: check the region and that the credentials may call ec2:DescribeManagedPrefixLists", where, name)}
	}
	var problems []string
	resetHint := fmt.Sprintf("or, where synth looked it up (no entry in the configuration), forget the cached lookup with "+
		"npx cdk context --reset KEY (npx cdk context lists the keys; the one for %s names PrefixListName=%s) and synthesise again with credentials", region, name)
	if !slices.Equal(s.PrefixListIds, []string{l.Id}) {
		problems = append(problems, fmt.Sprintf("%s: the security groups reference prefix list(s) %s, but %s is %s in this account: "+
			"the private instances' HTTPS to S3 would be refused. Set network.s3PrefixListIds.%s: %s, %s",
			where, orNone(s.PrefixListIds), name, l.Id, region, l.Id, resetHint))
	}
	missing, extra := difference(l.Cidrs, s.AclCidrs), difference(s.AclCidrs, l.Cidrs)
	if (len(missing) > 0 || len(extra) > 0) && !s.NoAcls {
		var what []string
		if len(missing) > 0 {
			what = append(what, fmt.Sprintf("lack %s, which %s now lists (the ACLs drop traffic to them)", strings.Join(missing, ", "), l.Id))
		}
		if len(extra) > 0 {
			what = append(what, fmt.Sprintf("still allow %s, which %s no longer lists", strings.Join(extra, ", "), l.Id))
		}
		problems = append(problems, fmt.Sprintf("%s: the private network ACL's S3 rules %s. Set network.s3PrefixListCidrs.%s: [%s], %s",
			where, strings.Join(what, " and "), region, strings.Join(l.Cidrs, ", "), strings.ReplaceAll(resetHint, "PrefixListName="+name, "exactIdentifier="+l.Id)))
	}
	return problems
}

// difference is what a holds and b does not.
func difference(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func orNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

func resources(template map[string]any) []map[string]any {
	all, _ := template["Resources"].(map[string]any)
	var out []map[string]any
	for _, r := range all {
		if r, ok := r.(map[string]any); ok {
			out = append(out, r)
		}
	}
	return out
}
