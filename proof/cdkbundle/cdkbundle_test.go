package cdkbundle

import (
	"strings"
	"testing"
)

func TestFilesReadsTheNamedFilesOfThePinnedAwsCdkLib(t *testing.T) {
	files, err := Files("package/package.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(files["package/package.json"]), `"name": "aws-cdk-lib"`) {
		t.Errorf("package/package.json is not aws-cdk-lib's: %.200s", files["package/package.json"])
	}
}

func TestFilesNamesAFileTheBundleLacks(t *testing.T) {
	_, err := Files("package/package.json", "package/no-such-file.js")
	if err == nil || !strings.Contains(err.Error(), "has no package/no-such-file.js") {
		t.Errorf("want an error naming the missing file, got %v", err)
	}
}
