package networkspec

import (
	"fmt"
	"regexp"
)

// Security group and rule descriptions: EC2 refuses a character outside this set when it
// creates the group or authorises the rule, so CloudFormation fails the resource at deploy.
// "A description for the security group rule. Constraints: Up to 255 characters in length.
// Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=;{}!$*" (AWS::EC2::SecurityGroup
// Egress and Ingress, and AWS::EC2::SecurityGroupEgress and Ingress, property Description,
// CloudFormation Template Reference, read 2026-12-06). The group's own description
// (GroupDescription) allows & as well ("Constraints for EC2-VPC: a-z, A-Z, 0-9, spaces, and
// ._-:/()#,@[]+=&;{}!$*", same reference); the stricter set is checked for both. EC2's answer to
// anything else, an apostrophe for one: "Invalid rule description. Valid descriptions are strings
// less than 256 characters from the following set: a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"
// (aws-cloudformation/cfn-lint issue 173, read 2026-12-06).
const (
	SecurityGroupDescriptionChars = `a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=;{}!$*`
	MaxSecurityGroupDescription   = 255
)

var securityGroupDescription = regexp.MustCompile(`^[a-zA-Z0-9 ._\-:/()#,@\[\]+=;{}!$*]*$`)

// SecurityGroupDescriptionProblem says why EC2 would refuse text as a security group's or a
// security group rule's description, or "".
func SecurityGroupDescriptionProblem(text string) string {
	if len(text) > MaxSecurityGroupDescription {
		return fmt.Sprintf("%q is %d characters long: EC2 takes at most %d", text, len(text), MaxSecurityGroupDescription)
	}
	if !securityGroupDescription.MatchString(text) {
		return fmt.Sprintf("%q has a character EC2 refuses in a security group description: use only %s", text, SecurityGroupDescriptionChars)
	}
	return ""
}
