package network

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Path is a flow for VPC Reachability Analyzer to check after deployment, between two resources
// (instance, network interface, VPC endpoint or internet gateway ids).
type Path struct {
	// Name identifies the path (its construct id and Name tag).
	Name string
	// Source and Destination are resource ids.
	Source, Destination *string
	// Port is the destination TCP port.
	Port int
	// SourceAddress is the address the flow comes from where the source is an internet gateway
	// (FilterAtSource). Default: none, any address.
	SourceAddress string
}

// NewReachabilityPaths creates an AWS::EC2::NetworkInsightsPath per path. A path costs nothing;
// each analysis of one is charged (start-network-insights-analysis), so none runs by itself.
func NewReachabilityPaths(scope constructs.Construct, id string, paths []Path) map[string]awsec2.CfnNetworkInsightsPath {
	parent := constructs.NewConstruct(scope, jsii.String(id))
	out := map[string]awsec2.CfnNetworkInsightsPath{}
	for _, p := range paths {
		props := &awsec2.CfnNetworkInsightsPathProps{
			Protocol:    jsii.String("tcp"),
			Source:      p.Source,
			Destination: p.Destination,
			Tags:        &[]*awscdk.CfnTag{{Key: jsii.String("Name"), Value: jsii.String("privatepatch-" + p.Name)}},
		}
		if p.SourceAddress == "" {
			props.DestinationPort = jsii.Number(p.Port)
		} else {
			// FilterAtSource: "If you specify this parameter, you can't specify the parameters for
			// the source IP address or the destination port" (AWS::EC2::NetworkInsightsPath): the
			// port goes in the filter, as "Getting started with Reachability Analyzer using the AWS
			// CLI" does for its internet gateway source (both read 2026-12-06).
			props.FilterAtSource = &awsec2.CfnNetworkInsightsPath_PathFilterProperty{
				SourceAddress:        jsii.String(p.SourceAddress),
				DestinationPortRange: &awsec2.CfnNetworkInsightsPath_FilterPortRangeProperty{FromPort: jsii.Number(p.Port), ToPort: jsii.Number(p.Port)},
			}
		}
		out[p.Name] = awsec2.NewCfnNetworkInsightsPath(parent, jsii.String(p.Name), props)
	}
	return out
}
