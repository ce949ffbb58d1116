// Package tagspec is AWS's rules for tags, which the configuration and the constructs that tag
// check alike. It imports no CDK.
package tagspec

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/privatepatch/privatepatch/constructs/spec"
)

// Tag keys differing only in case are one key to IAM, which keeps the case it was given but does
// not tell such keys apart on users and roles ("Tagging IAM resources", IAM User Guide, its "Case
// sensitivity" section; read 2026-12-06); the configured tags reach roles.
//
// "Tag naming limits and requirements", Tagging AWS Resources and Tag Editor user guide, read
// 2026-11-27: at most 50 user tags per resource; keys of 1-128 and values of 0-256 Unicode
// characters; letters, numbers, spaces and _ . : / = + - @ (the set every service accepts, IAM
// and S3 included); the aws: prefix is reserved.
const (
	MaxPerResource = 50
	MaxKeyLength   = 128
	MaxValueLength = 256
)

var characters = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// ValidKey reports whether AWS accepts key as a user tag key.
func ValidKey(key string) bool {
	return key != "" && utf8.RuneCountInString(key) <= MaxKeyLength && characters.MatchString(key) &&
		!strings.HasPrefix(strings.ToLower(key), "aws:")
}

// ValidValue reports whether AWS accepts value as a tag value.
func ValidValue(value string) bool {
	return utf8.RuneCountInString(value) <= MaxValueLength && characters.MatchString(value) &&
		!strings.HasPrefix(strings.ToLower(value), "aws:")
}

// What a message says is allowed.
const (
	KeyRules        = "use 1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws:"
	ValueRules      = "use up to 256 letters, digits, spaces and _ . : / = + - @, not starting with aws:"
	PatchGroupRules = "has characters a patch group (a tag value) cannot hold: use letters, digits, spaces and _ . : / = + - @"
)

// Problems are the keys and values of tags AWS would refuse: a bad key with Field "" (the tags
// as a whole), a bad value with Field its key.
func Problems(tags map[string]string) spec.Problems {
	var p spec.Problems
	folded := map[string]string{}
	for _, key := range slices.Sorted(maps.Keys(tags)) {
		if other, ok := folded[strings.ToLower(key)]; ok {
			p.Add("", key, "differs from the tag key %q only in case: IAM takes them for one key and refuses both on a role; keep one", other)
		}
		folded[strings.ToLower(key)] = key
		if !ValidKey(key) {
			p.Add("", key, "is not a valid tag key: %s", KeyRules)
		}
		if !ValidValue(tags[key]) {
			p.Add(key, tags[key], "is not a valid tag value: %s", ValueRules)
		}
	}
	return p
}

// stricterTypes are resource types privatepatch creates whose tags AWS limits beyond the rules
// above. The configuration's tags go to every resource of the stacks; a tag one of these refuses
// is left off it (TypesRefusing), so that it does not fail the resource's creation.
var stricterTypes = []struct {
	resourceType string
	allows       func(key, value string) bool
	source       string
}{
	{"AWS::SecurityHub::Hub", func(key, _ string) bool {
		return securityHubKey.MatchString(key) && !strings.HasPrefix(key, "aws:")
	}, "EnableSecurityHub's TagMap, TagKey pattern ^(?!aws:)[a-zA-Z+-=._:/]+$ (botocore 1.43.11's securityhub model; " +
		"AWS::SecurityHub::HubV2's Tags in the CloudFormation Template Reference carry the same pattern), read 2026-12-07"},
	{"AWS::InspectorV2::Filter", func(key, value string) bool {
		n := utf8.RuneCountInString(key)
		return n >= 2 && n <= 127 && utf8.RuneCountInString(value) <= 128 && securityHubKey.MatchString(key)
	}, "AWS::InspectorV2::Filter, CloudFormation Template Reference: Tags \"Pattern: ^.{2,127}$\"; \"Tagging fundamentals\", " +
		"Amazon Inspector User Guide: \"Tag keys and tag values can have a maximum of 128 UTF-8 characters\"; UntagResource's " +
		"TagKey pattern (?!aws:)[a-zA-Z+-=._:/]+, botocore 1.43.11's inspector2 model, so a key outside it could be added " +
		"(CreateFilter's tags have none) and never removed; read 2026-12-07"},
	{"AWS::DynamoDB::Table", func(key, value string) bool {
		return dynamoDBCharacters.MatchString(key) && dynamoDBCharacters.MatchString(value)
	}, "\"Tagging restrictions in DynamoDB\", Amazon DynamoDB Developer Guide: \"The allowed characters are letters, " +
		"white space, and numbers, plus the following special characters: + - = . _ : /\" (no @; its API Reference's Tag " +
		"shows no pattern, and the guide's narrower rule is the one taken), read 2026-12-07"},
}

// dynamoDBCharacters are the characters DynamoDB's tagging restrictions allow.
var dynamoDBCharacters = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}+\-=._:/]*$`)

// securityHubKey is Security Hub's tag key pattern (Inspector's UntagResource has the same) without
// its (?!aws:) lookahead, which Go's regexp lacks: [a-zA-Z+-=._:/] holds the range + to =, which takes in the digits, , - . / : ; <.
var securityHubKey = regexp.MustCompile(`^[a-zA-Z+-=._:/]+$`)

// Refusal is why a resource of resourceType refuses the tag key=value, which ValidKey and
// ValidValue allow: the source of its type's stricter rule, or "" when it takes the tag.
func Refusal(resourceType, key, value string) string {
	for _, t := range stricterTypes {
		if t.resourceType == resourceType && !t.allows(key, value) {
			return t.source
		}
	}
	return ""
}

// TypesRefusing are the resource types privatepatch creates that refuse the tag key=value, which
// ValidKey and ValidValue allow.
func TypesRefusing(key, value string) []string {
	var types []string
	for _, t := range stricterTypes {
		if !t.allows(key, value) {
			types = append(types, t.resourceType)
		}
	}
	return types
}
