package netpath

import (
	"fmt"
	"slices"
	"strings"

	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// RequiredEndpoints are the endpoints a managed instance in a private subnet without an internet
// route needs: ssm, ssmmessages and ec2messages ("Improve the security of EC2 instances by using
// VPC endpoints for Systems Manager", AWS Systems Manager User Guide, as the Systems Manager
// troubleshooting pages cite it), ec2 (volume enumeration, as
// networkspec.SystemsManagerEndpoints says), and s3: patching fails without AWS's
// buckets, which "the node must communicate with ... through the Amazon S3 gateway endpoint, NAT
// gateway, or internet gateway" (Troubleshooting Patch Manager, AWS Systems Manager User Guide;
// read 2026-11-27).
var RequiredEndpoints = []string{"ssm", "ssmmessages", "ec2messages", "ec2", "s3"}

// EndpointPresence is how one required endpoint is provided.
type EndpointPresence struct {
	Service string
	// How is "created" (an AWS::EC2::VPCEndpoint of the template), "declared provided" (the
	// configuration says the network provides it), or "" when neither: a failure.
	How string
}

// Endpoints checks that each required endpoint is created by the template or declared provided
// (interfaceProvided: a hub's interface endpoints; s3Provided: an S3 endpoint the VPC has). A
// centrally provided endpoint counts only when declared.
func Endpoints(template map[string]any, interfaceProvided, s3Provided bool) []EndpointPresence {
	created := map[string]bool{}
	resources, _ := template["Resources"].(map[string]any)
	for _, r := range resources {
		r, _ := r.(map[string]any)
		if r["Type"] != "AWS::EC2::VPCEndpoint" {
			continue
		}
		p, _ := r["Properties"].(map[string]any)
		name := serviceName(p["ServiceName"])
		created[name[strings.LastIndex(name, ".")+1:]] = true
	}
	var out []EndpointPresence
	for _, service := range RequiredEndpoints {
		declared := interfaceProvided
		if service == "s3" {
			declared = s3Provided
		}
		how := ""
		switch {
		case created[service]:
			how = "created"
		case declared:
			how = "declared provided"
		}
		out = append(out, EndpointPresence{service, how})
	}
	return out
}

// serviceName writes a ServiceName as text: a literal, or CDK's Fn::Join of com.amazonaws.,
// {"Ref": "AWS::Region"} and .NAME, with the region as REGION.
func serviceName(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		if join, ok := v["Fn::Join"].([]any); ok && len(join) == 2 {
			parts, _ := join[1].([]any)
			var b strings.Builder
			for _, part := range parts {
				b.WriteString(serviceName(part))
			}
			return b.String()
		}
		if _, ok := v["Ref"]; ok {
			return "REGION"
		}
	}
	return fmt.Sprint(v)
}

// InterfaceServices are the services of the template's interface endpoints, by the name after
// the region (com.amazonaws.<region>.<name>, the region literal or CDK's reference to it: ssm,
// logs, ecr.api), sorted; a service name of another form is kept whole.
func InterfaceServices(template map[string]any, region string) []string {
	var out []string
	for _, p := range cfntemplate.OfType(cfntemplate.Resources(template), "AWS::EC2::VPCEndpoint") {
		if t, given := p["VpcEndpointType"]; !given || t == "Gateway" { // Gateway is CloudFormation's default
			continue
		}
		full := serviceName(p["ServiceName"])
		name := full
		for _, r := range []string{region, "REGION"} {
			if _, after, ok := strings.Cut(full, "."+r+"."); ok && r != "" {
				name = after
				break
			}
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// InterfaceEndpointProblems: the created interface endpoints are the Systems Manager ones and the
// configured extras (network.extraInterfaceEndpoints), each once. One missing leaves its service
// unreachable from subnets without an internet path, where validation counted on it (the logs
// endpoint for a task's CloudWatch output: mutation run 18's B02, the logs endpoint turned
// monitoring); one not configured is an opening nobody asked for.
func InterfaceEndpointProblems(template map[string]any, region string, systemsManager, extras []string) []string {
	want := slices.Sorted(slices.Values(append(slices.Clone(systemsManager), extras...)))
	got := InterfaceServices(template, region)
	if slices.Equal(got, want) {
		return nil
	}
	return []string{fmt.Sprintf("interface endpoints of services %s, where the configuration asks for %s (the Systems Manager ones and network.extraInterfaceEndpoints)",
		strings.Join(got, ", "), strings.Join(want, ", "))}
}
