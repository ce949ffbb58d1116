package netpath

import (
	"fmt"
	"strings"
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
