package evalcache

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// evaluator writes an evaluator's files (a program and a package directory) and an interpreter,
// and points the cache at a new directory.
func evaluator(t *testing.T) (program, pkg, interpreter string) {
	t.Setenv(Env, filepath.Join(t.TempDir(), "cache"))
	dir := t.TempDir()
	program, pkg, interpreter = filepath.Join(dir, "check.js"), filepath.Join(dir, "pkg"), filepath.Join(dir, "node")
	require.NoError(t, os.MkdirAll(filepath.Join(pkg, "lib"), 0o755))
	for file, text := range map[string]string{program: "check()", filepath.Join(pkg, "lib", "rules.js"): "rules", interpreter: "#!/bin/sh\necho v1\n"} {
		require.NoError(t, os.WriteFile(file, []byte(text), 0o755))
	}
	return program, pkg, interpreter
}

func open(t *testing.T, name, program, pkg, interpreter string) Cache {
	t.Helper()
	digests.Clear() // a new process would hash the files again
	interpreters.Clear()
	c, err := Open(name, []string{program, pkg}, []string{interpreter}, []string{"CHECK_OPTIONS"})
	require.NoError(t, err)
	require.True(t, c.On())
	return c
}

func TestAnAnswerIsFoundOnlyForTheSameEvaluatorAndTheSameInput(t *testing.T) {
	program, pkg, interpreter := evaluator(t)
	c := open(t, "check", program, pkg, interpreter)
	key := c.Key([]byte("rules"), []byte("template"))
	_, found := c.Get(key)
	require.False(t, found, "an empty cache")
	c.Put(key, []byte("PASS"))
	answer, found := c.Get(key)
	require.True(t, found)
	assert.Equal(t, "PASS", string(answer))
	assert.Equal(t, key, open(t, "check", program, pkg, interpreter).Key([]byte("rules"), []byte("template")), "the same evaluator in another process")

	missed(t, "another input", c, []byte("rules"), []byte("template2"))
	missed(t, "the same bytes cut into other parts", c, []byte("rulest"), []byte("emplate"))
	missed(t, "one part less", c, []byte("rules"))
	missed(t, "another evaluator's name", open(t, "other", program, pkg, interpreter), []byte("rules"), []byte("template"))

	changes := map[string]func(program, pkg, interpreter string){
		"a changed program":             func(program, _, _ string) { os.WriteFile(program, []byte("check2()"), 0o644) },
		"a changed file in its package": func(_, pkg, _ string) { os.WriteFile(filepath.Join(pkg, "lib", "rules.js"), []byte("rules2"), 0o644) },
		"a new file in its package":     func(_, pkg, _ string) { os.WriteFile(filepath.Join(pkg, "lib", "more.js"), nil, 0o644) },
		"an interpreter installed since": func(_, _, interpreter string) {
			os.Chtimes(interpreter, time.Now().Add(time.Hour), time.Now().Add(time.Hour))
		},
		"an interpreter of another version": func(_, _, interpreter string) {
			info, _ := os.Stat(interpreter)
			os.WriteFile(interpreter, []byte("#!/bin/sh\necho v2\n"), 0o755)
			os.Chtimes(interpreter, info.ModTime(), info.ModTime()) // the same size and time
		},
		"an option in the environment": func(_, _, _ string) { os.Setenv("CHECK_OPTIONS", "--strict") },
		"a changed file a package links to": func(_, pkg, _ string) {
			os.WriteFile(filepath.Join(pkg, "..", "linked.js"), []byte("linked2"), 0o644)
		},
	}
	for why, change := range changes {
		t.Run(why, func(t *testing.T) {
			program, pkg, interpreter := evaluator(t)
			t.Setenv("CHECK_OPTIONS", "")
			require.NoError(t, os.WriteFile(filepath.Join(pkg, "..", "linked.js"), []byte("linked"), 0o644))
			require.NoError(t, os.Symlink(filepath.Join(pkg, "..", "linked.js"), filepath.Join(pkg, "lib", "linked.js")))
			before := open(t, "check", program, pkg, interpreter)
			before.Put(before.Key([]byte("input")), []byte("PASS"))
			_, found := before.Get(before.Key([]byte("input")))
			require.True(t, found)
			change(program, pkg, interpreter)
			missed(t, why, open(t, "check", program, pkg, interpreter), []byte("input"))
		})
	}
}

func missed(t *testing.T, why string, c Cache, input ...[]byte) {
	t.Helper()
	_, found := c.Get(c.Key(input...))
	assert.False(t, found, why)
}

func TestTheCacheIsOffWhenTheEnvironmentSaysOff(t *testing.T) {
	program, pkg, interpreter := evaluator(t)
	t.Setenv(Env, "off")
	c, err := Open("check", []string{program, pkg}, []string{interpreter}, nil)
	require.NoError(t, err)
	assert.False(t, c.On())
	c.Put(c.Key([]byte("input")), []byte("PASS"))
	_, found := c.Get(c.Key([]byte("input")))
	assert.False(t, found, "an evaluation with the cache off always runs")
}

func TestAnEvaluatorWithoutItsFilesCannotBeCached(t *testing.T) {
	program, pkg, interpreter := evaluator(t)
	linkedDir := filepath.Join(t.TempDir(), "linked")
	require.NoError(t, os.Symlink(t.TempDir(), linkedDir))
	withLinkedDir := filepath.Join(t.TempDir(), "pkg")
	require.NoError(t, os.MkdirAll(withLinkedDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(withLinkedDir, "index.js"), nil, 0o644))
	require.NoError(t, os.Symlink(t.TempDir(), filepath.Join(withLinkedDir, "dependency")))
	for _, files := range [][]string{{program, filepath.Join(pkg, "missing")}, {program, t.TempDir()}, {program, withLinkedDir}} {
		digests.Clear()
		_, err := Open("check", files, []string{interpreter}, nil)
		assert.Error(t, err, "%v", files)
	}
	_, err := Open("check", []string{program}, []string{filepath.Join(pkg, "no-node")}, nil)
	assert.Error(t, err, "a missing interpreter")
	_, err = Open("check", []string{program}, []string{program}, nil)
	assert.Error(t, err, "an interpreter that cannot say its version")
}

func TestADamagedEntryIsAMissNeverAnEmptyAnswer(t *testing.T) {
	program, pkg, interpreter := evaluator(t)
	c := open(t, "check", program, pkg, interpreter)
	for name, damage := range map[string]func(file string){
		"emptied":   func(file string) { os.WriteFile(file, nil, 0o644) },
		"truncated": func(file string) { data, _ := os.ReadFile(file); os.WriteFile(file, data[:len(data)-1], 0o644) },
		"changed": func(file string) {
			data, _ := os.ReadFile(file)
			data[len(data)-1] ^= 1
			os.WriteFile(file, data, 0o644)
		},
	} {
		key := c.Key([]byte(name))
		c.Put(key, []byte("ct-s3-pr-3 FAIL"))
		_, found := c.Get(key)
		require.True(t, found)
		damage(c.file(key))
		_, found = c.Get(key)
		assert.False(t, found, name)
	}
	key := c.Key([]byte("an empty answer"))
	c.Put(key, nil)
	answer, found := c.Get(key)
	assert.True(t, found, "an empty answer is an answer")
	assert.Empty(t, answer)
}

func TestTrimRemovesEntriesUnusedForFiveDaysAndAReadKeepsOne(t *testing.T) {
	program, pkg, interpreter := evaluator(t)
	c := open(t, "check", program, pkg, interpreter)
	old, used, recent := c.Key([]byte("old")), c.Key([]byte("used")), c.Key([]byte("recent"))
	sixDaysAgo := time.Now().Add(-6 * 24 * time.Hour)
	for _, key := range []string{old, used, recent} {
		c.Put(key, []byte("PASS"))
	}
	for _, key := range []string{old, used} {
		require.NoError(t, os.Chtimes(c.file(key), sixDaysAgo, sixDaysAgo))
	}
	_, found := c.Get(used)
	require.True(t, found)

	os.Remove(filepath.Join(c.dir, "trimmed"))
	trim(c.dir, time.Now())
	_, found = c.Get(old)
	assert.False(t, found, "unused for six days")
	for _, key := range []string{used, recent} {
		_, found := c.Get(key)
		assert.True(t, found, "used within five days")
	}

	c.Put(old, []byte("PASS"))
	require.NoError(t, os.Chtimes(c.file(old), sixDaysAgo, sixDaysAgo))
	trim(c.dir, time.Now())
	_, found = c.Get(old)
	assert.True(t, found, "a trim a day at most: the last was just now")
}

func TestARelativeCacheDirectoryIsRefused(t *testing.T) {
	program, pkg, interpreter := evaluator(t)
	t.Setenv(Env, "evaluations")
	_, err := Open("check", []string{program, pkg}, []string{interpreter}, nil)
	assert.ErrorContains(t, err, "give an absolute directory")
}
