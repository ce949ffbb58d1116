package kernel

// Without jsii's launcher. jsii-runtime-go runs `node <runtime>/bin/jsii-runtime.js`, with
// JSII_NODE in node's place when set ("The node executable used to run the jsii runtime ... Go:
// Run directly, without a shell ... ignored when JSII_RUNTIME is set", Configuration, jsii user
// guide, read 2026-12-07), a launcher that starts the kernel (<runtime>/lib/program.js) as a
// second Node process and relays the protocol between its own stdin and stdout and the kernel's
// fd 3: every call crosses two processes and four wake-ups. Here JSII_NODE is a script
// (launcherScript) that runs the kernel in the launcher's place with direct.js preloaded, which
// reads and writes the kernel's fd 3 on the Go side's pipes and writes its console output as the
// launcher does; for anything else it is node as given. Measured on these 2-core machines
// (docs/benchmarks.md, twentieth session): the default synth 1.80 s to 1.65 s, the floor 1.16 s
// to 1.08 s (medians of seven interleaved runs); the tests' kernel has run this way since the
// tenth session (the CDK package 39 s to 28-32 s).

import (
	"cmp"
	"crypto/sha256"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

//go:embed direct.js
var shim []byte

// NodeEnv names the node the launcher script runs: a JSII_NODE of the caller's, moved here by
// Direct (jsii's default, node on PATH, when unset).
const NodeEnv = "PRIVATEPATCH_JSII_NODE"

// KernelShapes are what direct.js relies on in the kernel: its protocol on fd 3, read and
// written with fs.readSync and fs.writeSync (jsii-runtime-go v1.142.0's bundle). Each is an
// extended regular expression that both Go's regexp and grep -E read alike. A kernel without one
// of them runs with jsii's launcher, and the tests fail on the pinned one.
var KernelShapes = []string{
	`readFD:3,writeFD:3[,}]`,
	`\.readSync\(this\.stdin,`,
	`\.writeSync\([[:alnum:]_$]+,[[:alnum:]_$]+,[[:alnum:]_$]+\)`,
}

// launcherMarker is the launcher script's second line: a JSII_NODE that has it is a launcher of
// privatepatch's (another version's or directory's), never the node a launcher runs.
const launcherMarker = "# privatepatch: runs jsii's kernel without jsii's launcher (app/kernel/launcher.go)."

// launcherScript is JSII_NODE's program. jsii runs it with one argument, its launcher; it runs
// the kernel beside the launcher instead, where the kernel has KernelShapes and direct.js is
// beside the script, with the Go side's pipes where direct.js reads and writes them (requests on
// fd 4, replies on fd 5), fd 3 held on /dev/null (direct.js moves every use of fd 3), stdin
// /dev/null as the launcher leaves it and stdout to stderr, where only direct.js's console lines
// go. Anything else it runs with node as given: NodeEnv's value, read once (unset for the kernel,
// and never this script, so no launcher runs another in a loop). --probe tells that the file
// can run here (a cache directory on a noexec mount cannot).
func launcherScript() string {
	var checks []string
	for _, shape := range KernelShapes {
		checks = append(checks, `LC_ALL=C grep -Eq '`+shape+`' "$program"`) // bytes, not characters: a third faster
	}
	return `#!/bin/sh
` + launcherMarker + `
[ "$1" = --probe ] && exit 0
node=${` + NodeEnv + `:-node}
unset ` + NodeEnv + `
[ "$node" = "$0" ] && node=node
[ $# = 1 ] || exec "$node" "$@"
case $1 in */bin/jsii-runtime.js) ;; *) exec "$node" "$@" ;; esac
program=${1%/bin/jsii-runtime.js}/lib/program.js
if [ -f "$program" ] && [ -r "${0%/*}/direct.js" ] && ` + strings.Join(checks, " && ") + `; then
	exec "$node" --require "${0%/*}/direct.js" --preserve-symlinks "$program" 3</dev/null 4<&0 5>&1 </dev/null 1>&2
fi
[ -n "$PRIVATEPATCH_KERNEL_DEBUG" ] && echo "privatepatch: jsii's kernel runs with jsii's launcher: $program is not of the shape direct.js knows" >&2
exec "$node" "$@"
`
}

// Direct sets JSII_NODE to the launcher script, written once into the user's cache directory
// under a name from its content, and moves a JSII_NODE of the caller's to NodeEnv. It does
// nothing, saying why, where the script cannot run: on Windows (no POSIX shell), with
// JSII_RUNTIME set (jsii runs that command instead of node), or without a cache directory it can
// write and run a script in.
func Direct() error {
	if runtime.GOOS == "windows" {
		return errors.New("no POSIX shell on Windows")
	}
	if os.Getenv("JSII_RUNTIME") != "" {
		return errors.New("JSII_RUNTIME is set: jsii runs it in node's place")
	}
	// Not the temporary directory, where another user could have written the script first.
	cache, err := os.UserCacheDir()
	if err != nil {
		return err
	}
	script, err := installLauncher(cache)
	if err != nil {
		return err
	}
	node := os.Getenv("JSII_NODE")
	if node != "" && node != script && !isLauncher(node) {
		os.Setenv(NodeEnv, node) // a launcher of ours (another version's) is never the node to run
	}
	if node := cmp.Or(os.Getenv(NodeEnv), "node"); !isPath(node) {
		if _, err := exec.LookPath(node); err != nil {
			return fmt.Errorf("no %s: jsii's launcher says so itself", node) // jsii's own error is clearer than a shell's
		}
	}
	os.Setenv("JSII_NODE", script)
	return nil
}

// isLauncher reports whether the file at path is a launcher script of privatepatch's: its first
// bytes only (a JSII_NODE is usually Node's own binary, tens of megabytes).
func isLauncher(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	return strings.Contains(string(head[:n]), launcherMarker)
}

// isPath reports whether a command names a file, not one found on PATH (exec's own rule).
func isPath(command string) bool { return strings.ContainsRune(command, filepath.Separator) }

// installLauncher returns the launcher script's path under the first of roots where it can run,
// writing it and direct.js first where an earlier run has not, or has left other content there.
func installLauncher(roots ...string) (string, error) {
	sum := sha256.Sum256([]byte(launcherScript() + "\x00" + string(shim)))
	var errs []error
	for _, root := range roots {
		dir := filepath.Join(root, "privatepatch", fmt.Sprintf("jsii-kernel-%x", sum[:8]))
		script := filepath.Join(dir, "node")
		err := usableLauncher(dir)
		if err != nil && !errors.Is(err, errForeign) {
			os.RemoveAll(dir) // partly deleted, or edited: written again
			err = writeLauncher(dir)
		}
		if err == nil {
			return script, nil
		}
		errs = append(errs, err)
	}
	return "", errors.Join(errs...)
}

// errForeign is a launcher directory this user does not own alone: never run, never replaced.
var errForeign = errors.New("not this user's alone")

// usableLauncher checks a written launcher directory before it is run: this user's, writable by
// no one else, not a link, with both files as embedded, and the script runs there (the probe,
// about a millisecond: the mount may have become noexec since it was written).
func usableLauncher(dir string) error {
	for _, path := range []string{filepath.Dir(dir), dir, filepath.Join(dir, "node"), filepath.Join(dir, "direct.js")} {
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		if err := private(path, info); err != nil {
			return err
		}
	}
	for name, want := range map[string]string{"node": launcherScript(), "direct.js": string(shim)} {
		if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(got) != want {
			return fmt.Errorf("%s: not as embedded", filepath.Join(dir, name))
		}
	}
	return probe(filepath.Join(dir, "node"))
}

// private says why path, as info describes it, is not this user's alone: a link, another owner,
// or writable by others (jsii's own package cache checks its directories the same way).
func private(path string, info os.FileInfo) error {
	if info.Mode()&os.ModeSymlink != 0 || info.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s (mode %v): %w", path, info.Mode(), errForeign)
	}
	if owner, ok := fileOwner(info); ok && owner != os.Geteuid() {
		return fmt.Errorf("%s (owner %d): %w", path, owner, errForeign)
	}
	return nil
}

// probe runs the script with --probe. A file another thread had open for writing when this
// process forked is busy until that child execs (ETXTBSY), so a busy script is tried again, a
// little later each time. A variable for the tests, which cannot mount a noexec directory.
var probe = func(script string) error { return probeScript(script, 4, 10*time.Millisecond) }

func probeScript(script string, tries int, wait time.Duration) error {
	for try := 1; ; try++ {
		out, err := exec.Command(script, "--probe").CombinedOutput()
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.ETXTBSY) || try == tries {
			return fmt.Errorf("%s cannot run a script (%w): %s", filepath.Dir(script), err, out)
		}
		time.Sleep(time.Duration(try) * wait)
	}
}

// writeLauncher writes the script and direct.js into a new directory beside dir (mode 0700),
// checks that the script runs there, and renames the directory to dir: a concurrent run finds
// both files or neither.
func writeLauncher(dir string) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".jsii-kernel-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // after a successful rename, nothing is left there
	if err := os.WriteFile(filepath.Join(tmp, "direct.js"), shim, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "node"), []byte(launcherScript()), 0o755); err != nil {
		return err
	}
	if err := probe(filepath.Join(tmp, "node")); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if usableLauncher(dir) == nil {
			return nil // another run wrote it first
		}
		return err
	}
	return nil
}
