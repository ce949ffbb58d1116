package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Without the AWS CLI, or with one that has no credentials, doctor could not run: exit 2, not 1.
func TestExitsTwoWhenItCannotRun(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	assert.Equal(t, 2, run(""))

	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "aws"), []byte("#!/bin/sh\n"+
		"echo 'Unable to locate credentials. You can configure credentials by running \"aws configure\".' >&2\nexit 253\n"), 0o755))
	t.Setenv("PATH", bin)
	assert.Equal(t, 2, run(""))
	assert.Equal(t, 2, run("no-such-config.yaml"))
}
