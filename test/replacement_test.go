package test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/privatepatch/privatepatch/proof/cfnupdate"
)

var (
	specOnce    sync.Once
	serviceSpec cfnupdate.Spec
	specErr     error
)

// replacingProperties is the service spec that package.json pins, loaded once.
func replacingProperties(t testing.TB) cfnupdate.Spec {
	specOnce.Do(func() {
		serviceSpec, specErr = cfnupdate.LoadSpec(cfnupdate.SpecPath(".."))
	})
	require.NoError(t, specErr)
	return serviceSpec
}

func (s *scenario) deployment() cfnupdate.Deployment {
	return cfnupdate.Deployment{
		s.stackName("Network"):  s.template,
		s.stackName("Fleet"):    s.fleetJSON,
		s.stackName("Patching"): s.patchJSON,
	}
}

// updateProblems lists what would go wrong, or lose data, when before is updated to after.
func updateProblems(t testing.TB, before, after cfnupdate.Deployment, opts cfnupdate.Options) ([]string, map[string]string) {
	res := cfnupdate.Check(replacingProperties(t), before, after, opts)
	var out []string
	for _, p := range res.Problems {
		out = append(out, p.String())
	}
	return out, res.Orphans
}
