//go:build !linux

package test

// behindTheSynths: see priority_linux_test.go; elsewhere the background runs at the tests'
// priority.
func behindTheSynths() {}
