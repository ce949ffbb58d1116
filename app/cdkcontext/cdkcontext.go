// Package cdkcontext gives a CDK app run without the CDK CLI the context the CLI would pass it,
// so that go run ./app (and the benchmark floor, tools/floorapp) synthesise as cdk synth does. It
// holds no CDK, so its test builds without the CDK bindings.
package cdkcontext

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// cliContext is what the CDK CLI adds to cdk.json's context for every synth (CDK_CONTEXT_JSON
// of aws-cdk 2.1148): metadata and version reporting on, bundling for every stack, and
// validation errors reported by the CLI rather than failing the app.
var cliContext = map[string]any{
	"aws:cdk:enable-path-metadata":              true,
	"aws:cdk:enable-asset-metadata":             true,
	"aws:cdk:version-reporting":                 true,
	"aws:cdk:bundling-stacks":                   []any{"**"},
	"@aws-cdk/core:failSynthOnValidationErrors": false,
}

// Direct is the context the CDK CLI would pass, read from cdk.json and cdk.context.json in root
// (the project root), or nil when the CLI runs the app (CDK_CONTEXT_JSON is set and awscdk reads
// it).
func Direct(root string) (map[string]any, error) {
	if os.Getenv("CDK_CONTEXT_JSON") != "" {
		return nil, nil
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	data, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return nil, fmt.Errorf("cdk.json not found: run the app from the project root, or through the CDK CLI (make synth): %w", err)
	}
	if err := json.Unmarshal(data, &cdkJSON); err != nil {
		return nil, fmt.Errorf("cdk.json: %w", err)
	}
	context := map[string]any{}
	if data, err := os.ReadFile(filepath.Join(root, "cdk.context.json")); err == nil {
		if err := json.Unmarshal(data, &context); err != nil {
			return nil, fmt.Errorf("cdk.context.json: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for k, v := range cdkJSON.Context {
		context[k] = v
	}
	for k, v := range cliContext {
		context[k] = v
	}
	return context, nil
}
