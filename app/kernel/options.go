package kernel

// Node options. jsii-runtime-go starts its kernel with NODE_OPTIONS=--max-old-space-size=4069
// when the environment has none. Node sizes V8's young generation by that limit: "The default
// value depends on the memory limit ... On 64-bit systems with a memory limit of 2 GiB, the max
// size of a semi-space defaults to 16 MiB" (Node.js CLI documentation, --max-semi-space-size, read
// 2026-12-07); at jsii's 4069 MiB the new space grows to 64 MiB (measured: v8's
// getHeapSpaceStatistics). Synthesis allocates short-lived objects fast enough to reach it, so the
// kernel's peak memory follows the young generation, not what synthesis keeps: 276 MiB against
// 213 MiB with a 16 MiB semi-space for the default configuration, 350 against 252 MiB for the
// largest, and no slower (docs/benchmarks.md, nineteenth session).

import "strings"

const (
	// JsiiHeap is the option jsii-runtime-go v1.142.0 gives its kernel when NODE_OPTIONS is unset
	// (internal/kernel/process/process.go); the tests check the pinned version still does.
	JsiiHeap = "--max-old-space-size=4069"
	// SemiSpace caps V8's semi-space at the size Node gives a 2 GiB heap.
	SemiSpace = "--max-semi-space-size=16"
)

// NodeOptions is NODE_OPTIONS for the kernel, given the caller's value: jsii's heap option where the
// caller set none (as jsii does), then the semi-space cap unless the caller chose a semi-space
// size or a heap limit (either spelling V8 accepts), after the caller's own options.
func NodeOptions(current string) string {
	current = strings.TrimSpace(current)
	if current == "" {
		return JsiiHeap + " " + SemiSpace
	}
	for _, option := range strings.Fields(current) {
		// The caller's semi-space size, or a heap limit of theirs, from which Node sizes the
		// semi-space itself (smaller than 16 MiB up to 2 GiB, Node.js CLI documentation): theirs.
		for _, own := range []string{"--max-semi-space-size", "--max_semi_space_size", "--max-old-space-size", "--max_old_space_size"} {
			if strings.HasPrefix(option, own) {
				return current
			}
		}
	}
	return current + " " + SemiSpace // appended, not re-split: the caller's quoting stays as written
}
