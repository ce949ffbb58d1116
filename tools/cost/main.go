// Command cost estimates the monthly cost of a configuration (make cost CONFIG=...) from the
// dated price table in prices.go, as configured and in the two other variants of the
// architecture: WSUS with endpoints and no NAT, and NAT without WSUS. It counts what the
// configuration creates; data transfer, requests and log volume are left out, and said so. In an
// existing VPC (network.existingVpc) it prices only what privatepatch adds there: no NAT, no
// interface endpoints a hub provides, no flow logs unless asked, and it lists what it left out.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
)

func main() {
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: make cost [CONFIG=file]    (or: go run ./tools/cost [-config file])

Estimates the monthly cost of a configuration from the dated us-west-2 price table in
tools/cost/prices.go, as configured and in the architecture's two other variants (WSUS with
endpoints and no NAT; NAT without WSUS). It counts what the configuration creates; data transfer,
requests and log volume are left out, and the output says so. In an existing VPC
(network.existingVpc) the VPC's own parts (NAT path, a hub's endpoints, flow logs unless asked)
are not priced, and the output lists them.

`)
		flag.PrintDefaults()
	}
	configPath := flag.String("config", "", "the configuration (default: the file PRIVATEPATCH_CONFIG names, else the embedded default)")
	flag.Parse()
	cfg, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
	if err := report(os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
}

// line is one priced item of an estimate.
type line struct {
	item    string
	monthly float64
}

// estimate prices one deployment.
func estimate(c *config.Config) ([]line, error) {
	var lines []line
	add := func(item string, monthly float64) {
		if monthly > 0 {
			lines = append(lines, line{item, monthly})
		}
	}
	instanceHour := func(t string) (float64, error) {
		p, ok := prices.windowsInstanceHour[t]
		if !ok {
			return 0, fmt.Errorf("no price for instance type %s in tools/cost/prices.go: add it", t)
		}
		return p, nil
	}
	if c.Wsus.Enabled {
		p, err := instanceHour(c.Wsus.InstanceType)
		if err != nil {
			return nil, err
		}
		add(fmt.Sprintf("WSUS server, %s Windows", c.Wsus.InstanceType), p*hoursPerMonth)
		add(fmt.Sprintf("WSUS volumes, %d GiB gp3", 60+c.Wsus.UpdateStoreGiB), float64(60+c.Wsus.UpdateStoreGiB)*prices.gp3GBMonth)
		if c.WsusIsPublic() {
			add("WSUS Elastic IP (public IPv4)", prices.publicIPv4Hour*hoursPerMonth)
		}
		add("WSUS health: 3 metrics, 2 alarms", 3*prices.cloudWatchMetricMonth+2*prices.cloudWatchAlarmMonth)
	}
	instances, rootGiB := 0, 0
	for _, g := range c.Fleet.InstanceGroups {
		p, err := instanceHour(g.InstanceType)
		if err != nil {
			return nil, err
		}
		add(fmt.Sprintf("instance group %s: %d x %s Windows", g.Name, g.Count, g.InstanceType), float64(g.Count)*p*hoursPerMonth)
		instances += g.Count
		rootGiB += 50 * g.Count
	}
	add(fmt.Sprintf("fleet root volumes, %d GiB gp3", rootGiB), float64(rootGiB)*prices.gp3GBMonth)
	if c.Network.CreatesInterfaceEndpoints() {
		// One endpoint network interface per private subnet: per zone.
		endpoints, zones := len(networkspec.SystemsManagerEndpoints)+len(c.Network.ExtraInterfaceEndpoints), c.Network.Zones()
		item := fmt.Sprintf("interface endpoints: %d x %d AZs", endpoints, zones)
		if e := c.Network.ExistingVpc; e != nil && e.Lookup != nil {
			item = fmt.Sprintf("interface endpoints: %d x up to %d AZs (looked up)", endpoints, zones)
		}
		add(item, float64(endpoints*zones)*prices.interfaceEndpointHourPerAZ*hoursPerMonth)
	}
	if n := c.NatGatewayCount(); n > 0 {
		add(fmt.Sprintf("NAT gateways: %d (+ their public IPv4)", n), float64(n)*(prices.natGatewayHour+prices.publicIPv4Hour)*hoursPerMonth)
	}
	keys := 2 // alerts, and the finding filter's log group (its function and table cost per finding: cents)
	if c.Network.CreatesFlowLogs() && c.Network.FlowLogs.Destination == config.FlowLogsToCloudWatch {
		keys++ // the flow logs' group
	}
	if c.CommandOutput.Encryption == config.EncryptionKMS {
		keys++
	}
	if c.Patching.Inventory.ResourceDataSync {
		keys++ // crawler logs
	}
	if c.Security.Inspector.Enable {
		keys++ // the enabling function's logs
	}
	for _, w := range c.Patching.MaintenanceWindows {
		if slices.ContainsFunc(w.Tasks, func(t config.PatchTask) bool { return t.CloudWatchOutput }) {
			keys++
			break
		}
	}
	add(fmt.Sprintf("KMS keys: %d", keys), float64(keys)*prices.kmsKeyMonth)
	add("fleet dashboard", prices.cloudWatchDashboardMonth)
	if c.Security.Inspector.Enable {
		add(fmt.Sprintf("Inspector EC2 scanning: %d instances", instances+1), float64(instances+1)*prices.inspectorEC2InstanceMonth)
	}
	if c.Security.ConfigRules {
		add("AWS Config rules: 3 (evaluations)", 3*prices.configRuleEvaluationPerMonth)
	}
	return lines, nil
}

func total(lines []line) float64 {
	sum := 0.0
	for _, l := range lines {
		sum += l.monthly
	}
	return sum
}

type environmentTotal struct {
	name    string
	monthly float64
}

// environmentTotals are the estimates' totals of each environment.
func environmentTotals(cfg *config.Config) ([]environmentTotal, error) {
	var totals []environmentTotal
	for _, d := range cfg.Deployments() {
		lines, err := estimate(d)
		if err != nil {
			return nil, err
		}
		totals = append(totals, environmentTotal{d.Environment, total(lines)})
	}
	return totals, nil
}

// report prints the configuration's estimate and the variants' totals.
func report(out io.Writer, cfg *config.Config) error {
	d := cfg.Deployments()[0]
	lines, err := estimate(d)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Estimated monthly cost, prices of %s\n\n", pricesAsOf)
	for _, l := range lines {
		fmt.Fprintf(out, "  %-52s %10.2f USD\n", l.item, l.monthly)
	}
	fmt.Fprintf(out, "  %-52s %10.2f USD", "total per environment", total(lines))
	totals, err := environmentTotals(cfg)
	if err != nil {
		return err
	}
	if n := len(totals); n > 1 && slices.IndexFunc(totals, func(t environmentTotal) bool { return t.monthly != totals[0].monthly }) < 0 {
		fmt.Fprintf(out, " (x %d environments = %.2f USD)", n, float64(n)*total(lines))
	}
	fmt.Fprintln(out)
	if n := len(totals); n > 1 && slices.IndexFunc(totals, func(t environmentTotal) bool { return t.monthly != totals[0].monthly }) >= 0 {
		// Environments in existing VPCs of their own differ (environments[].existingVpc).
		fmt.Fprintf(out, "\nThe environments differ (the above is %s's):\n", d.Environment)
		sum := 0.0
		for _, t := range totals {
			fmt.Fprintf(out, "  %-52s %10.2f USD\n", t.name, t.monthly)
			sum += t.monthly
		}
		fmt.Fprintf(out, "  %-52s %10.2f USD\n", "all environments", sum)
	}

	wsus, nat := *d, *d
	wsus.Wsus.Enabled, wsus.Network.Nat.Enabled = true, false
	nat.Wsus.Enabled, nat.Network.Nat.Enabled = false, true
	variants := []struct {
		name string
		cfg  *config.Config
	}{{"WSUS in the public subnet, endpoints, no NAT", &wsus}, {"NAT gateways to Microsoft Update, no WSUS", &nat}}
	if d.Network.ExistingVpc != nil {
		// privatepatch creates no NAT there: without WSUS, the VPC's own path carries the updates.
		nat.Network.Nat.Enabled = false
		variants[0].name = "WSUS in the " + d.Network.ExistingVpc.WsusSubnet + " subnet"
		variants[1].name = "no WSUS, the VPC's own NAT path (not priced)"
	}
	fmt.Fprintf(out, "\nThe same fleet in each variant of the architecture:\n")
	for _, v := range variants {
		l, err := estimate(v.cfg)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  %-52s %10.2f USD\n", v.name, total(l))
	}
	if e := d.Network.ExistingVpc; e != nil {
		notCreated := []string{"the VPC, its subnets, routes and gateways, and its NAT or firewall path"}
		if !d.Network.CreatesInterfaceEndpoints() {
			notCreated = append(notCreated, "the hub's interface endpoints")
		}
		if e.S3Endpoint == config.S3EndpointExisting {
			notCreated = append(notCreated, "the VPC's S3 endpoint")
		}
		if !d.Network.CreatesFlowLogs() {
			notCreated = append(notCreated, "flow logs (existingVpc.flowLogs is false)")
		}
		fmt.Fprintf(out, "\nWith network.existingVpc, not priced (privatepatch does not create them):\n  %s\n", strings.Join(notCreated, "\n  "))
	}
	fmt.Fprintf(out, "\nLeft out: data transfer (NAT processes updates at 0.045 USD/GB; WSUS downloads them once),\n"+
		"interface endpoint data, S3 storage and requests, CloudWatch Logs volume, Security Hub checks.\n")
	return nil
}
