package netpath

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func endpoint(service any, typ string) map[string]any {
	return map[string]any{"Type": "AWS::EC2::VPCEndpoint", "Properties": map[string]any{"ServiceName": service, "VpcEndpointType": typ}}
}

func TestEndpointsCountCreatedOnesAndDeclaredOnesOnly(t *testing.T) {
	joined := func(name string) any {
		return map[string]any{"Fn::Join": []any{"", []any{"com.amazonaws.", map[string]any{"Ref": "AWS::Region"}, "." + name}}}
	}
	template := map[string]any{"Resources": map[string]any{
		"Ssm": endpoint(joined("ssm"), "Interface"), "Messages": endpoint("com.amazonaws.eu-west-2.ssmmessages", "Interface"),
		"Ec2": endpoint(joined("ec2"), "Interface"), "Ec2Messages": endpoint(joined("ec2messages"), "Interface"),
		"S3": endpoint(joined("s3"), "Gateway"),
	}}
	for _, e := range Endpoints(template, false, false) {
		assert.Equal(t, "created", e.How, e.Service)
	}

	// Planted: without the ec2messages and s3 endpoints, and nothing declared, both are missing.
	delete(template["Resources"].(map[string]any), "Ec2Messages")
	delete(template["Resources"].(map[string]any), "S3")
	assert.Equal(t, []EndpointPresence{{"ssm", "created"}, {"ssmmessages", "created"}, {"ec2messages", ""}, {"ec2", "created"}, {"s3", ""}},
		Endpoints(template, false, false))
	assert.Equal(t, []EndpointPresence{{"ssm", "created"}, {"ssmmessages", "created"}, {"ec2messages", "declared provided"}, {"ec2", "created"}, {"s3", ""}},
		Endpoints(template, true, false), "a hub's interface endpoints count when declared; the S3 endpoint is declared apart")
	assert.Equal(t, "", Endpoints(map[string]any{}, false, true)[0].How, "nothing created or declared: ssm missing")
	assert.Equal(t, "declared provided", Endpoints(map[string]any{}, false, true)[4].How)
}

// The example creates the Systems Manager endpoints and its extras, logs and kms, each once; one
// turned into another service (mutation run 18's B02: logs became monitoring) is named, and so is
// an extra the configuration does not ask for.
func TestTheInterfaceEndpointsAreTheConfigurations(t *testing.T) {
	template := goldenTemplate(t, "example")
	systemsManager := []string{"ssm", "ssmmessages", "ec2messages", "ec2"}
	assert.Equal(t, []string{"ec2", "ec2messages", "kms", "logs", "ssm", "ssmmessages"}, InterfaceServices(template, "us-west-2"))
	assert.Empty(t, InterfaceEndpointProblems(template, "us-west-2", systemsManager, []string{"logs", "kms"}))
	assert.Equal(t, []string{"interface endpoints of services ec2, ec2messages, kms, logs, ssm, ssmmessages, where the configuration asks for ec2, ec2messages, logs, ssm, ssmmessages " +
		"(the Systems Manager ones and network.extraInterfaceEndpoints)"}, InterfaceEndpointProblems(template, "us-west-2", systemsManager, []string{"logs"}))
	for _, r := range template["Resources"].(map[string]any) {
		if p, _ := r.(map[string]any)["Properties"].(map[string]any); p["ServiceName"] == "com.amazonaws.us-west-2.logs" {
			p["ServiceName"] = "com.amazonaws.us-west-2.monitoring"
		}
	}
	assert.Len(t, InterfaceEndpointProblems(template, "us-west-2", systemsManager, []string{"logs", "kms"}), 1)
}
