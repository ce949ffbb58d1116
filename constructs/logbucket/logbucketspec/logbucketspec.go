// Package logbucketspec is the specification of a log bucket (the command-output bucket): how
// long it keeps objects and how it encrypts them, with defaults and rules. It imports no CDK:
// config's commandOutput section is these settings, and the logbucket construct checks its
// props with the same Problems.
package logbucketspec

import "github.com/privatepatch/privatepatch/constructs/spec"

// Encryption choices.
const (
	EncryptionS3Managed = "s3-managed"
	// EncryptionKMS is a customer managed key with rotation.
	EncryptionKMS = "kms"
)

// DefaultRetentionDays is how long a log bucket keeps objects unless told otherwise.
const DefaultRetentionDays = 365

// IncompleteUploadDays is when a log bucket deletes the parts of a multipart upload that never
// completed (SSM Agent uploads large output in parts; a failed upload's parts are billed until
// deleted: "Configuring a bucket lifecycle configuration to delete incomplete multipart uploads",
// Amazon S3 User Guide, read 2026-12-06). The writers are granted no s3:AbortMultipartUpload.
const IncompleteUploadDays = 7

// Settings of a log bucket.
type Settings struct {
	// RetentionDays is how long objects (and their old versions) are kept, at least 1 day.
	// Default: DefaultRetentionDays.
	RetentionDays int `yaml:"retentionDays"`
	// Encryption is s3-managed or kms. Default: s3-managed.
	Encryption string `yaml:"encryption"`
}

// Defaults are the settings when nothing is set.
func Defaults() Settings {
	return Settings{RetentionDays: DefaultRetentionDays, Encryption: EncryptionS3Managed}
}

// WithDefaults fills what is unset (zero).
func (s Settings) WithDefaults() Settings {
	d := Defaults()
	if s.RetentionDays == 0 {
		s.RetentionDays = d.RetentionDays
	}
	if s.Encryption == "" {
		s.Encryption = d.Encryption
	}
	return s
}

// Problems are the settings' problems (give them after defaults).
func (s Settings) Problems() spec.Problems {
	var p spec.Problems
	if s.RetentionDays < 1 {
		p.Add("RetentionDays", s.RetentionDays, "is not allowed: keep command output for at least 1 day")
	}
	if s.Encryption != EncryptionS3Managed && s.Encryption != EncryptionKMS {
		p.Add("Encryption", s.Encryption, "is not allowed: use %s or %s", EncryptionS3Managed, EncryptionKMS)
	}
	return p
}
