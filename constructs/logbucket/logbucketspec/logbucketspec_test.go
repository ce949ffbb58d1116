package logbucketspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDefaultsKeepAYearWithS3ManagedKeysAndBadSettingsAreNamed(t *testing.T) {
	assert.Equal(t, Settings{RetentionDays: 365, Encryption: "s3-managed"}, Settings{}.WithDefaults())
	assert.Empty(t, Defaults().Problems())
	var got []string
	for _, p := range (Settings{RetentionDays: -1, Encryption: "aes"}).Problems() {
		got = append(got, p.String())
	}
	assert.Equal(t, []string{`RetentionDays -1 is not allowed: keep command output for at least 1 day`,
		`Encryption "aes" is not allowed: use s3-managed or kms`}, got)
}
