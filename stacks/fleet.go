package stacks

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/awsbuckets"
	"github.com/privatepatch/privatepatch/constructs/compliance"
	"github.com/privatepatch/privatepatch/constructs/fleet"
	"github.com/privatepatch/privatepatch/constructs/logbucket"
	"github.com/privatepatch/privatepatch/constructs/managedinstance"
	"github.com/privatepatch/privatepatch/constructs/network"
	"github.com/privatepatch/privatepatch/constructs/network/networkspec"
	"github.com/privatepatch/privatepatch/constructs/patching"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/constructs/wsus"
)

// FleetStack holds the command-output bucket, the WSUS server, the Windows fleet and the WSUS
// client configuration. Wsus and WsusClient are nil without WSUS; Fleet is nil without
// instance groups (bring your own fleet).
type FleetStack struct {
	awscdk.Stack
	CommandOutput logbucket.LogBucket
	Wsus          wsus.Server
	WsusClient    wsus.ClientConfiguration
	Fleet         fleet.Fleet
	// ResourceGroups are the asset groups by AWS name, and the group of this stack.
	ResourceGroups compliance.ResourceGroups
	// ConfigurationChecks is nil when the checks are off.
	ConfigurationChecks compliance.ConfigurationChecks
	// ReachabilityPaths by name; empty unless network.reachabilityPaths.
	ReachabilityPaths map[string]awsec2.CfnNetworkInsightsPath
}

// CommandOutputBucketName is the command-output bucket's name. It is derived, not referenced, so
// that the network stack's S3 endpoint policy can name it without depending on this stack.
func CommandOutputBucketName(cfg *config.Config) string {
	account := cfg.Account
	if account == "" {
		account = *awscdk.Aws_ACCOUNT_ID()
	}
	return fmt.Sprintf("%s-ssm-%s-%s", cfg.Project, account, cfg.Region)
}

// NewFleetStack creates <project>-fleet in the network of net.
func NewFleetStack(scope constructs.Construct, cfg *config.Config, net network.Network) FleetStack {
	stack := awscdk.NewStack(scope, jsii.String("Fleet"), &awscdk.StackProps{
		StackName:             jsii.String(cfg.StackName("fleet")),
		Description:           jsii.String("privatepatch: WSUS server, Windows fleet and their Systems Manager configuration"),
		Env:                   environment(cfg),
		TerminationProtection: terminationProtection,
	})
	s := FleetStack{Stack: stack}
	s.CommandOutput = logbucket.NewLogBucket(stack, "CommandOutput", &logbucket.Props{
		BucketName:    CommandOutputBucketName(cfg),
		RetentionDays: cfg.CommandOutput.RetentionDays,
		KMS:           cfg.CommandOutput.Encryption == config.EncryptionKMS,
	})
	bucket := s.CommandOutput.Bucket()

	if len(cfg.Fleet.InstanceGroups) > 0 {
		s.Fleet = fleet.NewFleet(stack, "Fleet", &fleet.Props{
			Vpc:           net.Vpc(),
			SecurityGroup: net.PrivateSecurityGroup(),
			Groups:        cfg.Fleet.InstanceGroups,
			Tags:          map[string]string{cfg.Fleet.Tag.Key: cfg.Fleet.Tag.Value},
		})
		// Each writer only under its own prefixes: fleet instances cannot touch WSUS setup logs
		// or the inventory sync.
		for _, prefix := range fleetOutputPrefixes(cfg, false) {
			logbucket.GrantCommandOutput(bucket, s.Fleet.Role(), prefix)
		}
		// make patch-now KB=...'s install override list, read by s3:// URL with the node's role.
		logbucket.GrantReadPrefix(bucket, s.Fleet.Role(), patchingspec.InstallOverrideListPrefix)
		grantPromotedLists(cfg, bucket, s.Fleet.Role())
	}
	if s.Fleet != nil {
		managedinstance.AllowDeclaredPatchingBuckets(s.Fleet.Role(), declaredPatchingBuckets(cfg))
	}

	if cfg.Wsus.Enabled {
		addWsus(stack, cfg, net, &s)
	}
	addAssetManagement(stack, cfg, &s)
	if cfg.Network.ReachabilityPaths {
		addReachabilityPaths(stack, cfg, net, &s)
	}
	awscdk.NewCfnOutput(stack, jsii.String("CommandOutputBucket"), &awscdk.CfnOutputProps{
		Value: bucket.BucketName(), Description: jsii.String("S3 bucket of Systems Manager command output"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("FleetTag"), &awscdk.CfnOutputProps{
		Value:       jsii.String(cfg.Fleet.Tag.Key + "=" + cfg.Fleet.Tag.Value),
		Description: jsii.String("Tag that brings an instance into the patched fleet"),
	})
	return s
}

// promotingRings are the rings whose windows promote what they installed to the next ring (every
// ring but the last, with patching.rings.promote: exact), in order.
func promotingRings(cfg *config.Config) []string {
	r := cfg.Patching.Rings
	if !r.PromotesExactly() {
		return nil
	}
	var rings []string
	for _, stage := range r.Stages[:len(r.Stages)-1] {
		rings = append(rings, stage.PatchGroup)
	}
	return rings
}

// grantPromotedLists lets role (the fleet's nodes) read the promoted lists, each exactly, and
// nothing else under patchingspec.PromotePrefix: AWS-RunPatchBaseline downloads a later ring's
// list on the node. One role serves every ring, so a node could read another ring's list too
// (docs/patching.md); none can write there.
func grantPromotedLists(cfg *config.Config, bucket awss3.IBucket, role awsiam.IRole) {
	for _, ring := range promotingRings(cfg) {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("s3:GetObject"),
			Resources: jsii.Strings(*bucket.ArnForObjects(jsii.String(patchingspec.PromoteListKey(ring)))),
		}))
		if key := bucket.EncryptionKey(); key != nil {
			key.GrantDecrypt(role)
		}
	}
}

// fleetOutputPrefixes are where nodes carrying the fleet tag write command output: the WSUS
// client configuration where there is WSUS, patching (windows and scans) and, when they are on,
// the configuration checks. Hybrid nodes are left out of what targets a resource group of EC2
// instances (AWS::EC2::Instance only): the WSUS client configuration unless on-premises networks
// reach WSUS (network.wsusClientCidrs), and the configuration checks on a resource group. The
// authorisation proof derives who writes where from the associations' targets and fails on a
// grant no node needs.
func fleetOutputPrefixes(cfg *config.Config, hybrid bool) []string {
	var prefixes []string
	if cfg.Wsus.Enabled && (!hybrid || len(cfg.Network.WsusClientCidrs) > 0) {
		prefixes = append(prefixes, wsus.ClientOutputPrefix)
	}
	prefixes = append(prefixes, patching.OutputPrefix)
	if cc := cfg.Assets.ConfigurationChecks; cc.Enabled && (!hybrid || cc.ResourceGroup == "") {
		prefixes = append(prefixes, compliance.OutputPrefix)
	}
	return prefixes
}

// addReachabilityPaths adds Reachability Analyzer paths for the flows the architecture needs
// between resources this stack and the network stack create, and the command that analyses them.
func addReachabilityPaths(stack awscdk.Stack, cfg *config.Config, net network.Network, s *FleetStack) {
	var paths []network.Path
	var instance *string
	if s.Fleet != nil {
		for _, name := range slices.Sorted(maps.Keys(s.Fleet.Instances())) {
			instance = s.Fleet.Instances()[name][0].InstanceId()
			break
		}
	}
	if instance != nil {
		paths = append(paths, network.Path{Name: "instance-to-ssm-endpoint", Source: instance, Destination: net.InterfaceEndpoints()["ssm"].VpcEndpointId(), Port: networkspec.HTTPSPort})
	}
	if s.Wsus != nil {
		wsusInstance := s.Wsus.Instance().InstanceId()
		paths = append(paths, network.Path{Name: "wsus-to-internet-gateway", Source: wsusInstance, Destination: net.InternetGatewayId(), Port: networkspec.HTTPSPort})
		// The analyser shows the shortest path only ("How Reachability Analyzer works"), and the
		// instance's path to the ssm endpoint may stay inside its subnet, which no network ACL
		// judges ("We evaluate the network ACL rules when traffic enters and leaves the subnet",
		// "Network ACL basics"; both read 2026-12-06): the WSUS server's crosses both ACLs.
		if ssm, ok := net.InterfaceEndpoints()["ssm"]; ok && wsusSubnetGroup(cfg) == network.PublicSubnetGroup {
			paths = append(paths, network.Path{Name: "wsus-to-ssm-endpoint", Source: wsusInstance, Destination: ssm.VpcEndpointId(), Port: networkspec.HTTPSPort})
		}
		// An administrator's RDP from the internet, as the page's own example of an internet
		// gateway source, from the first address of the first admin range.
		if admin := cfg.Network.AdminCidrs; len(admin) > 0 && wsusSubnetGroup(cfg) == network.PublicSubnetGroup {
			if prefix, err := netip.ParsePrefix(admin[0]); err == nil {
				paths = append(paths, network.Path{Name: "admin-rdp-to-jump-host", Source: net.InternetGatewayId(), Destination: wsusInstance,
					Port: networkspec.RDPPort, SourceAddress: prefix.Masked().Addr().String()})
			}
		}
		if instance != nil {
			paths = append(paths,
				network.Path{Name: "instance-to-wsus", Source: instance, Destination: wsusInstance, Port: cfg.Wsus.Port},
				network.Path{Name: "jump-host-rdp-to-instance", Source: wsusInstance, Destination: instance, Port: networkspec.RDPPort})
		}
	}
	s.ReachabilityPaths = network.NewReachabilityPaths(stack, "ReachabilityPaths", paths)
	var ids []string
	for _, name := range slices.Sorted(maps.Keys(s.ReachabilityPaths)) {
		ids = append(ids, *s.ReachabilityPaths[name].AttrNetworkInsightsPathId())
	}
	if len(ids) == 0 {
		return
	}
	awscdk.NewCfnOutput(stack, jsii.String("ReachabilityCommand"), &awscdk.CfnOutputProps{
		Description: jsii.String(fmt.Sprintf("Analyse the %d Reachability Analyzer paths (0.10 USD per analysis, 2026-11), then read them with describe-network-insights-analyses", len(ids))),
		Value: awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("for p in "), awscdk.Fn_Join(jsii.String(" "), jsii.Strings(ids...)),
			jsii.String(fmt.Sprintf("; do aws ec2 start-network-insights-analysis --region %s --network-insights-path-id $p; done", cfg.Region))}),
	})
}

// addAssetManagement adds the resource groups (the configured tag groups and one of this stack)
// and the configuration checks, which run on the fleet (or one group) and the WSUS server.
func addAssetManagement(stack awscdk.Stack, cfg *config.Config, s *FleetStack) {
	var groups []compliance.TagGroup
	for _, g := range cfg.Assets.ResourceGroups {
		groups = append(groups, compliance.TagGroup{Name: cfg.ResourceGroupName(g.Name), Tags: g.Tags})
	}
	s.ResourceGroups = compliance.NewResourceGroups(stack, "ResourceGroups", &compliance.ResourceGroupsProps{
		Groups: groups, StackGroupName: cfg.StackName("fleet"),
	})
	cc := cfg.Assets.ConfigurationChecks
	if !cc.Enabled {
		return
	}
	props := &compliance.ChecksProps{NamePrefix: cfg.Project + "-", Schedule: cc.Schedule, OutputBucket: s.CommandOutput.Bucket()}
	if cc.ResourceGroup != "" {
		props.ResourceGroup = cfg.ResourceGroupName(cc.ResourceGroup)
	} else {
		props.TargetTagKey, props.TargetTagValue = cfg.Fleet.Tag.Key, cfg.Fleet.Tag.Value
	}
	if s.Wsus != nil {
		props.InstanceIds = []*string{s.Wsus.Instance().InstanceId()}
		logbucket.GrantCommandOutput(s.CommandOutput.Bucket(), s.Wsus.Role(), compliance.OutputPrefix)
	}
	checks := compliance.NewConfigurationChecks(stack, "ConfigurationChecks", props)
	for _, g := range s.ResourceGroups.Groups() {
		// A group must exist before an association targets it by name.
		for _, a := range checks.Associations() {
			a.Node().AddDependency(g)
		}
	}
	s.ConfigurationChecks = checks
}

// addWsus adds the WSUS server (patched and writing its output where configured), the client
// configuration that points the fleet at it, and the outputs admins use to reach it.
func addWsus(stack awscdk.Stack, cfg *config.Config, net network.Network, s *FleetStack) {
	bucket := s.CommandOutput.Bucket()
	server := cfg.Wsus.Server
	server.Products = cfg.WsusProducts()
	s.Wsus = wsus.NewServer(stack, "Wsus", &wsus.ServerProps{
		Server:            server,
		Vpc:               net.Vpc(),
		HealthNamespace:   wsus.HealthNamespaceOf(cfg.NamePrefix()),
		SecurityGroup:     net.PublicSecurityGroup(),
		SubnetGroupName:   wsusSubnetGroup(cfg),
		WithoutElasticIp:  wsusSubnetGroup(cfg) == network.PrivateSubnetGroup || cfg.Wsus.PublicAddress == config.PublicAddressExternal,
		TargetGroups:      nonEmpty(cfg.Wsus.Client.TargetGroup),
		OutputBucket:      bucket,
		PatchGroup:        cfg.Wsus.PatchGroup,
		DetachUpdateStore: !cfg.Wsus.AttachUpdateStore,
		Tags:              cfg.WsusAssetTags(),
	})
	managedinstance.AllowDeclaredPatchingBuckets(s.Wsus.Role(), declaredPatchingBuckets(cfg))
	if cfg.Wsus.PatchGroup != "" {
		// Scans and windows of its patch group run on the server and write their output.
		logbucket.GrantCommandOutput(bucket, s.Wsus.Role(), patching.OutputPrefix)
		logbucket.GrantReadPrefix(bucket, s.Wsus.Role(), patchingspec.InstallOverrideListPrefix)
	}
	// The server's agent, by instance id here (the fleet's association is on the fleet tag, which
	// the server does not carry), on the same schedules: before its window.
	patching.NewAgentUpdate(stack, "WsusAgentUpdate", &patching.AgentUpdateProps{NamePrefix: cfg.Project + "-wsus-",
		Target: patching.Target{Key: "InstanceIds", Value: *s.Wsus.Instance().InstanceId()}, AgentUpdate: cfg.Patching.AgentUpdate})
	s.WsusClient = wsus.NewClientConfiguration(stack, "WsusClient", &wsus.ClientProps{
		Client:         cfg.Wsus.Client,
		WsusURL:        s.Wsus.URL(),
		TargetTagKey:   cfg.Fleet.Tag.Key,
		TargetTagValue: cfg.Fleet.Tag.Value,
		Ec2GroupName:   cfg.NamePrefix() + "-" + config.WsusClientsGroup,
		// Hybrid nodes only where the network admits their on-premises networks to WSUS.
		IncludeHybridNodes: len(cfg.Network.WsusClientCidrs) > 0,
		OutputBucket:       bucket,
	})
	addWsusOutputs(stack, cfg, s.Wsus)
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func addWsusOutputs(stack awscdk.Stack, cfg *config.Config, server wsus.Server) {
	output := func(id, description string, value *string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(description)})
	}
	instanceID := server.Instance().InstanceId()
	output("WsusInstanceId", "WSUS server instance id", instanceID)
	output("WsusPrivateIp", "WSUS server private IP", server.Instance().InstancePrivateIp())
	output("WsusUrl", "WSUS URL the fleet's Windows Update clients use", server.URL())
	output("WsusRdpCommand", "RDP to the WSUS server / jump host through Session Manager, without opening 3389: run this, then connect to localhost:13389 with an account docs/wsus.md says how to get (no key pair)",
		jsii.String(fmt.Sprintf("aws ssm start-session --region %s --target %s --document-name AWS-StartPortForwardingSession --parameters portNumber=3389,localPortNumber=13389",
			cfg.Region, *instanceID)))
}

// wsusSubnetGroup is where the WSUS server goes: a public subnet, or in an existing VPC a
// private one whose path to Microsoft Update is declared.
func wsusSubnetGroup(cfg *config.Config) string {
	if e := cfg.Network.ExistingVpc; e != nil && e.WsusSubnet == config.WsusInPrivateSubnet {
		return network.PrivateSubnetGroup
	}
	return network.PublicSubnetGroup
}

// declaredPatchingBuckets are the Patch Manager buckets the configuration declares for a region
// AWS's patching page does not list: the nodes' roles read them as they read a listed region's.
func declaredPatchingBuckets(cfg *config.Config) []string {
	return awsbuckets.DeclaredPatchingBuckets(cfg.Region, cfg.Network.S3Endpoint.ReadBuckets)
}
