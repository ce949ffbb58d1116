package config

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hugeExistingVpc is an existing VPC listing n private and n public subnets (some overlapping, as
// a generated file might), n hub blocks and n admin blocks: every list validation walks.
func hugeExistingVpc(n int) string {
	var b strings.Builder
	b.WriteString("region: eu-west-2\nnetwork:\n  s3PrefixListIds: {eu-west-2: pl-7ca54015}\n  adminCidrs:\n")
	for i := range n {
		fmt.Fprintf(&b, "    - 192.%d.%d.0/24\n", 168+i/256%50, i%256)
	}
	b.WriteString("  existingVpc:\n    vpcId: vpc-0a1b2c3d4e5f60718\n    cidr: 10.20.0.0/16\n    interfaceEndpoints: hub\n    hubCidrs:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - 172.%d.%d.0/24\n", 16+i/256%16, i%256)
	}
	for _, group := range []string{"privateSubnets", "publicSubnets"} {
		fmt.Fprintf(&b, "    %s:\n", group)
		for i := range n {
			block := i % 2048 // past 2048 each block is listed again: overlaps
			if group == "publicSubnets" {
				block += 2048
			}
			fmt.Fprintf(&b, "      - {id: subnet-%017x, cidr: 10.20.%d.%d/28, zone: eu-west-2%c, routeTableId: rtb-0aaaaaaaaaaaaaaa1}\n",
				i+len(group)*1_000_000, block/16, block%16*16, 'a'+rune(i%3))
		}
	}
	return b.String()
}

// TestValidationStaysLinearInTheSizeOfTheInput validates thousands of subnets and blocks within
// bounds generous for linear work and far below what comparing them pairwise would take (5,000
// subnets are 12.5 million pairs, each overlap a message).
func TestValidationStaysLinearInTheSizeOfTheInput(t *testing.T) {
	if testing.Short() {
		t.Skip("validates 20,000 list items")
	}
	data := []byte(hugeExistingVpc(5000))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Parse("huge.yaml", data)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	require.Error(t, err, "5,000 subnets are too many, and some overlap")
	assert.Contains(t, err.Error(), "network.existingVpc.privateSubnets: 5000 subnets is not allowed: list 1 to 6")
	assert.Contains(t, err.Error(), `network.existingVpc: "10.20.0.0/28" overlaps the listed subnet 10.20.0.0/28`)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d bytes of YAML validated in %v, %d MB allocated, %d bytes of problems", len(data), elapsed, allocated>>20, len(err.Error()))
	assert.Less(t, elapsed, time.Minute, "validation took %v", elapsed)
	assert.Less(t, allocated, uint64(1<<30), "validation allocated %d MB", allocated>>20)
}
