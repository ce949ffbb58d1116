package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

const cdkDiff = "\x1b[1mStack privatepatch-network\x1b[22m\n" +
	"Resources\n[~] AWS::EC2::NetworkAclEntry PrivateAcl/Egress100 PrivateAclEgress100\n └─ [~] CidrBlock\n     ├─ [-] 52.92.128.0/17\n     └─ [+] 52.92.128.0/18\n\n" +
	"\u2728  Number of stacks with differences: 1\n"

func TestTheCommentHasTheVerdictsOnlyUnderTheMarker(t *testing.T) {
	check := "make[1]: Entering directory '/home/runner/work/x'\nsetup: node v24.1.0, cdk 2.1148.1, go1.26.0\ngo: downloading github.com/aws/aws-cdk-go v2.270.0\n" +
		"privatepatch-network: not deployed yet\ncheckupdate: the update is refused\n"
	got := Comment(cdkDiff, check, 1, "https://github.com/o/r/actions/runs/1/artifacts/2", Limit)
	assert.True(t, strings.HasPrefix(got, Marker+"\n"), "the marker the workflow finds the comment by")
	assert.Contains(t, got, "**make check-update** **refused** (exit status 1)")
	assert.Contains(t, got, "privatepatch-network: not deployed yet")
	assert.Contains(t, got, "[~] AWS::EC2::NetworkAclEntry PrivateAcl/Egress100")
	assert.Contains(t, got, "is in [this run's artifact](https://github.com/o/r/actions/runs/1/artifacts/2).")
	for _, noise := range []string{"\x1b[", "make[1]", "setup: node", "go: downloading"} {
		assert.NotContains(t, got, noise)
	}
	passed := Comment(cdkDiff, "privatepatch-network: no change that replaces data\n", 0, "", Limit)
	assert.Contains(t, passed, "**make check-update** passed")
	assert.Contains(t, passed, "is in this run's artifact pull-request-diff.")
}

// A diff longer than GitHub takes is cut on a whole line, within the limit, saying how much is
// shown and where the rest is; the verdict is kept whole.
func TestALongDiffIsCutToGitHubsLimitWithALinkToTheRest(t *testing.T) {
	var long strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&long, "[+] AWS::EC2::NetworkAclEntry Rule%d\n", i)
	}
	got := Comment(long.String(), "refused: PrivateAcl would be replaced\n", 1, "https://example.com/artifact", Limit)
	assert.LessOrEqual(t, len(got), Limit)
	assert.Greater(t, len(got), Limit-200, "as much as fits")
	assert.Contains(t, got, "refused: PrivateAcl would be replaced")
	assert.Regexp(t, `\.\.\. cut here to fit GitHub's comment limit \(65536 characters\): \d+ of 20000 lines shown; the rest is in \[this run's artifact\]\(https://example.com/artifact\)`, got)
	assert.True(t, strings.HasSuffix(got, "(https://example.com/artifact).\n"), "the code block is closed")
	assert.Equal(t, 4, strings.Count(got, "```"), "two code blocks, each closed")

	// Planted: a limit the short diff fits in is not cut.
	assert.NotContains(t, Comment(cdkDiff, "ok\n", 0, "", Limit), "cut here")
}

func TestOutputCannotCloseTheCodeBlock(t *testing.T) {
	got := Comment("```\n# injected heading\n", "ok", 0, "", Limit)
	assert.Equal(t, 4, strings.Count(got, "```"))
}
