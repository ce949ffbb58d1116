package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/privatepatch/privatepatch/afterdeploy/doctor"
)

// Nothing sent, exit 2: no AWS CLI, a bad operation (checked before any call), an unknown environment.
func TestExitsTwoWhenNothingWasSent(t *testing.T) {
	p := doctor.PatchNow{Target: "windows", Operation: "Scan", Poll: time.Second, Wait: time.Second, Sleep: func(time.Duration) {}}
	t.Setenv("PATH", t.TempDir())
	assert.Equal(t, 2, run("", "", "", p))
	assert.Equal(t, 2, run("no-such-config.yaml", "", "", p))
}
