package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// defaultYAML is the configuration synthesised when no file is given.
//
//go:embed default.yaml
var defaultYAML []byte

// DefaultName is how the embedded default configuration is named in messages.
const DefaultName = "embedded default configuration"

// LoadDefault returns the embedded default configuration, validated.
func LoadDefault() (*Config, error) { return Fallback{}.LoadDefault() }

// LoadFile reads, decodes and validates the configuration file at path.
func LoadFile(path string) (*Config, error) { return Fallback{}.LoadFile(path) }

// ConfigEnv names the configuration file where no path is given: the app (go run ./app, or cdk
// without -c config=) and every tool read it, so that one setting picks one configuration.
const ConfigEnv = "PRIVATEPATCH_CONFIG"

// Load loads the file at path, else the file PRIVATEPATCH_CONFIG names, else the embedded
// default: the -config flag of the tools, with the app's rule.
func Load(path string) (*Config, error) {
	if path == "" {
		path = os.Getenv(ConfigEnv)
	}
	if path == "" {
		return LoadDefault()
	}
	return LoadFile(path)
}

// Parse decodes data over Defaults and validates the result. Unknown keys are errors; name is
// used in messages.
func Parse(name string, data []byte) (*Config, error) { return Fallback{}.Parse(name, data) }

// LoadDefault returns the embedded default configuration, validated, with f's fallbacks.
func (f Fallback) LoadDefault() (*Config, error) {
	return f.Parse(DefaultName, defaultYAML)
}

// LoadFile reads, decodes and validates the configuration file at path, with f's fallbacks.
func (f Fallback) LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("configuration file %s does not exist: pass an existing file with -c config=PATH (copy config/example.yaml to start)", path)
		}
		return nil, fmt.Errorf("configuration file %s cannot be read: %w", path, err)
	}
	return f.Parse(path, data)
}

// Parse decodes data over Defaults, applies f where the configuration names no region (the
// account and region the caller's credentials point at), and validates the result.
func (f Fallback) Parse(name string, data []byte) (*Config, error) {
	cfg := Defaults()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p, undescribed problems
	if err := dec.Decode(&cfg); err != nil {
		var typeErr *yaml.TypeError
		switch {
		case errors.Is(err, io.EOF):
			return nil, fmt.Errorf("%s is empty: it needs at least a region", name)
		case !errors.As(err, &typeErr):
			return nil, fmt.Errorf("%s: %s", name, explainDecodeError(err))
		}
		// The decoder went on past values it could not set: report them with every other
		// problem. typeProblems names their fields; the decoder's own words stay for the rest.
		for _, line := range typeErr.Errors {
			if unknownFieldPattern.MatchString(line) || !strings.Contains(line, "cannot unmarshal") {
				p = append(p, explainDecodeError(errors.New(line)))
			} else {
				undescribed = append(undescribed, explainDecodeError(errors.New(line)))
			}
		}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: holds more than one YAML document; put the whole configuration in one", name)
	}
	var document yaml.Node
	if err := yaml.Unmarshal(data, &document); err == nil {
		expandMerges(&document)
		var sections problems
		nullSections(&document, reflect.TypeFor[Config](), "", &sections)
		if len(sections) > 0 {
			// Validating a reset section would only add confusing problems: report these first.
			return nil, fmt.Errorf("%s: %w", name, &ValidationError{Problems: sections})
		}
		var typed problems
		typeProblems(&document, reflect.TypeFor[Config](), "", &typed)
		if len(typed) == 0 {
			typed = undescribed // a value the decoder refused that the walk does not know: its own words
		}
		p = append(p, typed...)
	}
	if cfg.Region == "" && len(cfg.Environments) == 0 && f.Region != "" {
		// Wherever the credentials point, as `cdk init` apps do; a configured region keeps the
		// stacks account-agnostic unless the configuration names the account too.
		cfg.Account, cfg.Region = f.Account, f.Region
	}
	cfg.applyDefaults()
	cfg.Patching.readHookScripts(filepath.Dir(name))
	if err := cfg.Validate(); err != nil {
		var invalid *ValidationError
		if errors.As(err, &invalid) {
			p = append(p, invalid.Problems...)
		} else {
			p = append(p, err.Error())
		}
	}
	if len(p) > 0 {
		slices.Sort(p)
		return nil, fmt.Errorf("%s: %w", name, &ValidationError{Problems: slices.Compact(p)})
	}
	return &cfg, nil
}

var unknownFieldPattern = regexp.MustCompile(`line (\d+): field (\S+) not found in type (\S+)`)

// explainDecodeError rewrites yaml's messages ("field x not found in type config.Network") into
// ones naming the key, its line and the keys allowed there.
func explainDecodeError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	var lines []string
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if m := unknownFieldPattern.FindStringSubmatch(line); m != nil {
			line = fmt.Sprintf("line %s: unknown key %q; allowed keys here: %s", m[1], m[2],
				strings.Join(yamlKeys[strings.TrimPrefix(m[3], "config.")], ", "))
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "; ")
}

// yamlKeys maps each configuration struct's type name to its YAML keys.
var yamlKeys = collectYAMLKeys(reflect.TypeFor[Config](), map[string][]string{})

func collectYAMLKeys(t reflect.Type, into map[string][]string) map[string][]string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		key := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if key == "-" || !f.IsExported() {
			continue // set by the program, not read from YAML
		}
		if inline(f) {
			keys = append(keys, collectYAMLKeys(f.Type, map[string][]string{})[f.Type.Name()]...)
			collectYAMLKeys(f.Type, into)
			continue
		}
		keys = append(keys, key)
		switch {
		case f.Type.Kind() == reflect.Struct:
			collectYAMLKeys(f.Type, into)
		case (f.Type.Kind() == reflect.Slice || f.Type.Kind() == reflect.Pointer) && f.Type.Elem().Kind() == reflect.Struct:
			collectYAMLKeys(f.Type.Elem(), into)
		}
	}
	sort.Strings(keys)
	into[t.Name()] = keys
	return into
}
