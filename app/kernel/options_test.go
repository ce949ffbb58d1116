package kernel

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestNodeOptionsAddJsiisHeapOptionAndTheSemiSpaceCapKeepingTheCallersOwn(t *testing.T) {
	for _, tc := range []struct{ name, current, want string }{
		{"unset: jsii's heap option, then the cap", "", "--max-old-space-size=4069 --max-semi-space-size=16"},
		{"blank counts as unset", "  ", "--max-old-space-size=4069 --max-semi-space-size=16"},
		{"the caller's options stay, jsii's heap option is not added (jsii adds none then)", "--enable-source-maps", "--enable-source-maps --max-semi-space-size=16"},
		{"a heap limit of the caller's: Node sizes the semi-space from it", "--max-old-space-size=1536", "--max-old-space-size=1536"},
		{"quoting stays as written", `--require "/a dir/x.cjs"`, `--require "/a dir/x.cjs" --max-semi-space-size=16`},
		{"the caller's semi-space size wins", "--max-semi-space-size=64", "--max-semi-space-size=64"},
		{"in V8's other spelling too", "--enable-source-maps --max_semi_space_size=8", "--enable-source-maps --max_semi_space_size=8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NodeOptions(tc.current); got != tc.want {
				t.Errorf("NodeOptions(%q) = %q, want %q", tc.current, got, tc.want)
			}
		})
	}
}

// JsiiHeap must be what the pinned jsii-runtime-go gives its kernel when NODE_OPTIONS is unset:
// NodeOptions adds it only where jsii would have, since setting NODE_OPTIONS turns jsii's off.
func TestJsiiHeapIsThePinnedJsiiRuntimesDefault(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/jsii-runtime-go").Output()
	if err != nil {
		t.Fatalf("go list jsii-runtime-go: %v", err)
	}
	source := filepath.Join(strings.TrimSpace(string(out)), "internal", "kernel", "process", "process.go")
	data, err := os.ReadFile(source)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"NODE_OPTIONS=` + JsiiHeap + `"`; !strings.Contains(string(data), want) {
		t.Errorf("%s no longer sets %s when NODE_OPTIONS is unset: update JsiiHeap to what it sets", source, want)
	}
}
