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
	for file, text := range map[string]string{program: "check()", filepath.Join(pkg, "lib", "rules.js"): "rules", interpreter: "ELF"} {
		require.NoError(t, os.WriteFile(file, []byte(text), 0o644))
	}
	return program, pkg, interpreter
}

func open(t *testing.T, name, program, pkg, interpreter string) Cache {
	t.Helper()
	digests.Clear() // a new process would hash the files again
	c, err := Open(name, []string{program, pkg}, []string{interpreter})
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
		"an interpreter of another size": func(_, _, interpreter string) { os.WriteFile(interpreter, []byte("ELF2"), 0o644) },
	}
	for why, change := range changes {
		t.Run(why, func(t *testing.T) {
			program, pkg, interpreter := evaluator(t)
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
	c, err := Open("check", []string{program, pkg}, []string{interpreter})
	require.NoError(t, err)
	assert.False(t, c.On())
	c.Put(c.Key([]byte("input")), []byte("PASS"))
	_, found := c.Get(c.Key([]byte("input")))
	assert.False(t, found, "an evaluation with the cache off always runs")
}

func TestAnEvaluatorWithoutItsFilesCannotBeCached(t *testing.T) {
	program, pkg, interpreter := evaluator(t)
	for _, files := range [][]string{{program, filepath.Join(pkg, "missing")}, {program, t.TempDir()}} {
		digests.Clear()
		_, err := Open("check", files, []string{interpreter})
		assert.Error(t, err, "%v", files)
	}
	_, err := Open("check", []string{program}, []string{filepath.Join(pkg, "no-node")})
	assert.Error(t, err, "a missing interpreter")
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
