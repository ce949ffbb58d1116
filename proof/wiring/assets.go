package wiring

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

// assetFile is a file asset of an asset manifest (cloud-assembly-schema FileAsset: source.path
// relative to the manifest's directory, and each destination's bucketName and objectKey, where
// cdk-assets publishes it).
type assetFile struct {
	Source struct {
		Path string `json:"path"`
	} `json:"source"`
	Destinations map[string]struct {
		BucketName string `json:"bucketName"`
		ObjectKey  string `json:"objectKey"`
	} `json:"destinations"`
}

// StackAssets checks that each stack deploys its own template and that its functions' code is
// where its assets are published (run 25's A20 and B20):
//   - its templateFile is <artifact id>.template.json, the file CDK writes for the stack
//     (aws-cdk-lib Stack.templateFile);
//   - its stackTemplateAssetObjectUrl, "the S3 URL of the template asset" cdk deploy deploys
//     (cloud-assembly-schema AwsCloudFormationStackProperties, read 2026-12-07), is
//     s3://bucketName/objectKey of a destination of the asset whose source.path is that
//     templateFile: another key deploys another stack's template under this stack's name;
//   - each Lambda function's Code in the bootstrap bucket an asset is published to names an
//     objectKey published there, of an asset whose source is in the assembly: another key is
//     not uploaded, and on a fresh account the function's creation fails.
func StackAssets(stacks []cfnupdate.Stack) []string {
	var problems []string
	for _, s := range stacks {
		files := map[string]assetFile{}
		for _, name := range s.AssetManifests {
			var m struct {
				Files map[string]assetFile `json:"files"`
			}
			data, err := os.ReadFile(filepath.Join(s.Dir, name))
			if err == nil {
				err = json.Unmarshal(data, &m)
			}
			if err != nil {
				problems = append(problems, fmt.Sprintf("stack %s: asset manifest %s: %v", s.Name, name, err))
			}
			maps.Copy(files, m.Files)
		}
		if want := s.ID + ".template.json"; s.TemplateFile != "" && path.Base(s.TemplateFile) != want {
			problems = append(problems, fmt.Sprintf("stack %s: templateFile %s, not %s, the file CDK writes for the stack", s.Name, s.TemplateFile, want))
		}
		if s.TemplateURL != "" && !published(files, s.TemplateURL, func(f assetFile) bool { return f.Source.Path == s.TemplateFile }) {
			problems = append(problems, fmt.Sprintf("stack %s: stackTemplateAssetObjectUrl %s is not where its asset manifests publish its template %s: cdk deploy would deploy another object under the stack's name", s.Name, s.TemplateURL, s.TemplateFile))
		}
		problems = append(problems, functionCode(s, files)...)
		problems = append(problems, bootstrapVersion(s)...)
	}
	return problems
}

// bootstrapQualifier is the qualifier of a bootstrap bucket's name (cdk-<qualifier>-assets-...).
var bootstrapQualifier = regexp.MustCompile(`^s3://cdk-([a-z0-9]+)-assets-`)

// bootstrapVersion checks the template's BootstrapVersion parameter (run 25's A07), an
// AWS::SSM::Parameter::Value<String> CloudFormation resolves at each create and update, failing
// where the parameter does not exist. It must name the parameter the manifest gives the CLI,
// "SSM parameter where the bootstrap stack version number can be found"
// (cloud-assembly-schema bootstrapStackVersionSsmParameter, read 2026-12-07), and that is
// /cdk-bootstrap/<qualifier>/version, of the qualifier whose bucket the stack's template is
// published to (the CLI's "SSM parameter /cdk-bootstrap/hnb659fds/version not found. Has the
// environment been bootstrapped?" for the default qualifier hnb659fds, "Bootstrapping your
// environment", AWS CDK v2 Developer Guide, read 2026-12-07).
func bootstrapVersion(s cfnupdate.Stack) []string {
	parameters, _ := s.Template["Parameters"].(map[string]any)
	parameter, ok := parameters["BootstrapVersion"].(map[string]any)
	if !ok {
		return nil
	}
	got := cfntemplate.Text(parameter["Default"])
	var problems []string
	if s.BootstrapParameter != "" && got != s.BootstrapParameter {
		problems = append(problems, fmt.Sprintf("stack %s: parameter BootstrapVersion names %s, and the manifest's bootstrapStackVersionSsmParameter is %s: CloudFormation fails to resolve a parameter that does not exist", s.Name, got, s.BootstrapParameter))
	}
	if q := bootstrapQualifier.FindStringSubmatch(s.TemplateURL); q != nil && got != "/cdk-bootstrap/"+q[1]+"/version" {
		problems = append(problems, fmt.Sprintf("stack %s: parameter BootstrapVersion names %s, not /cdk-bootstrap/%s/version, the version parameter of the bootstrap its template is published to", s.Name, got, q[1]))
	}
	return problems
}

// functionCode checks each function's S3 code in a bucket the stack's assets publish to.
func functionCode(s cfnupdate.Stack, files map[string]assetFile) []string {
	buckets := map[string]bool{}
	for _, f := range files {
		for _, d := range f.Destinations {
			buckets[d.BucketName] = true
		}
	}
	var problems []string
	functions := cfntemplate.OfType(cfntemplate.Resources(s.Template), "AWS::Lambda::Function")
	for _, id := range slices.Sorted(maps.Keys(functions)) {
		code, _ := functions[id]["Code"].(map[string]any)
		bucket, key := assetBucket(code["S3Bucket"]), cfntemplate.Text(code["S3Key"])
		if key == "" || !buckets[bucket] {
			continue // inline code, or a bucket of the user's own
		}
		exists := func(f assetFile) bool {
			_, err := os.Stat(filepath.Join(s.Dir, f.Source.Path))
			return f.Source.Path != "" && err == nil
		}
		if !published(files, "s3://"+bucket+"/"+key, exists) {
			problems = append(problems, fmt.Sprintf("stack %s: function %s: code s3://%s/%s is no object its asset manifests publish (from a source in the assembly): on a fresh account the function cannot be created", s.Name, id, bucket, key))
		}
	}
	return problems
}

// assetBucket is a Code.S3Bucket as an asset manifest writes bucketName: a literal, or an Fn::Sub
// string with its ${AWS::AccountId} left as it is.
func assetBucket(v any) string {
	if m, ok := v.(map[string]any); ok {
		sub, _ := m["Fn::Sub"].(string)
		return sub
	}
	s, _ := v.(string)
	return s
}

// published reports whether url (s3://bucket/key) is a destination of an asset for which
// source holds.
func published(files map[string]assetFile, url string, source func(assetFile) bool) bool {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(url, "s3://"), "/")
	for _, f := range files {
		for _, d := range f.Destinations {
			if source(f) && d.BucketName == bucket && d.ObjectKey == key {
				return true
			}
		}
	}
	return false
}
