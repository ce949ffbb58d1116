package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// UnansweredLookups fails when the cloud assembly in dir records context lookups that
// cdk.context.json does not answer. CDK then synthesises placeholders (Vpc.fromLookup's is a
// dummy VPC, vpc-12345) and leaves the lookup to the CDK CLI, which performs it and synthesises
// again; an app run without the CLI (go run ./app) must not pass such a template off as the
// deployment's. The error names the command that caches the answers.
func UnansweredLookups(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return err
	}
	var manifest struct {
		Missing []struct {
			Key   string `json:"key"`
			Props struct {
				Account string `json:"account"`
				Region  string `json:"region"`
			} `json:"props"`
		} `json:"missing"`
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	if len(manifest.Missing) == 0 {
		return nil
	}
	var keys, where []string
	for _, m := range manifest.Missing {
		keys = append(keys, m.Key)
		if w := fmt.Sprintf("account %s in %s", m.Props.Account, m.Props.Region); !contains(where, w) {
			where = append(where, w)
		}
	}
	return fmt.Errorf("%d context lookup(s) have no cached answer in cdk.context.json (%s), so CDK synthesised placeholders, not your VPC: "+
		"run make synth CONFIG=<your file> (npx cdk synth -c config=<your file>) with credentials for %s; the CDK CLI looks them up and caches the answers in cdk.context.json, which you commit",
		len(keys), strings.Join(keys, ", "), strings.Join(where, " and "))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
