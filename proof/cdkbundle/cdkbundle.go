// Package cdkbundle reads files of the aws-cdk-lib that go.mod pins, from the jsii bundle in its Go
// module (aws-cdk-go/awscdk/v2's jsii/aws-cdk-lib-<version>.tgz): the tests compare the project's
// facts (endpoint services, feature flags, the bootstrap version, the validation engine's version)
// with CDK's own, so an upgrade that changes one fails a test instead of drifting.
package cdkbundle

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Files returns the named files (paths inside the tarball, "package/..."), decompressing the
// tarball only until all are found (about a second of CPU for all of it). A name not found is an
// error naming it.
func Files(names ...string) (map[string][]byte, error) {
	bundle, err := path()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(bundle)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", bundle, err)
	}
	files := map[string][]byte{}
	archive := tar.NewReader(gz)
	for len(files) < len(names) {
		header, err := archive.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", bundle, err)
		}
		if slices.Contains(names, header.Name) {
			if files[header.Name], err = io.ReadAll(archive); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", bundle, header.Name, err)
			}
		}
	}
	for _, name := range names {
		if _, ok := files[name]; !ok {
			return nil, fmt.Errorf("%s has no %s", bundle, name)
		}
	}
	return files, nil
}

// path is the bundle of the aws-cdk-go module the build uses.
func path() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-cdk-go/awscdk/v2").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m github.com/aws/aws-cdk-go/awscdk/v2: %w", err)
	}
	bundles, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "jsii", "aws-cdk-lib-*.tgz"))
	if err != nil {
		return "", err
	}
	if len(bundles) != 1 {
		return "", fmt.Errorf("want one aws-cdk-lib bundle in %s/jsii, found %d", strings.TrimSpace(string(out)), len(bundles))
	}
	return bundles[0], nil
}
