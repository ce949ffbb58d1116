package wsus

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatepatch/privatepatch/constructs/wsus/wsusspec"
)

// newScriptDocument wraps a PowerShell script (with a param() block) in an SSM Command document
// (schemaVersion 2.2, aws:runPowerShellScript). The script runs as a script block so that its
// param() block receives the document's parameters.
func newScriptDocument(scope constructs.Construct, id, description, stepName, script string, timeoutSeconds int, params []wsusspec.DocumentParameter) awsssm.CfnDocument {
	parameters := map[string]any{}
	var arguments []string
	for _, p := range params {
		parameter := map[string]any{
			"type":           "String",
			"description":    p.Description,
			"allowedPattern": p.AllowedPattern,
		}
		// A parameter whose pattern rejects its empty default is required.
		if regexp.MustCompile(p.AllowedPattern).MatchString(p.Default) {
			parameter["default"] = p.Default
		}
		parameters[p.Name] = parameter
		arguments = append(arguments, fmt.Sprintf("-%s '{{ %s }}'", p.Name, p.Name))
	}
	if strings.Contains(script, "{{") {
		panic(fmt.Sprintf("%s: the script contains {{, which SSM would read as a parameter reference", id))
	}
	runCommand := append([]string{"& {"}, strings.Split(strings.TrimRight(script, "\n"), "\n")...)
	runCommand = append(runCommand, "} "+strings.Join(arguments, " "))
	return awsssm.NewCfnDocument(scope, jsii.String(id), &awsssm.CfnDocumentProps{
		DocumentType: jsii.String("Command"),
		// A changed script becomes a new version of the same document, not a replacement.
		UpdateMethod: jsii.String("NewVersion"),
		Content: map[string]any{
			"schemaVersion": "2.2",
			"description":   description,
			"parameters":    parameters,
			"mainSteps": []any{map[string]any{
				"action":       "aws:runPowerShellScript",
				"name":         stepName,
				"precondition": map[string]any{"StringEquals": []any{"platformType", "Windows"}},
				"inputs":       map[string]any{"timeoutSeconds": fmt.Sprint(timeoutSeconds), "runCommand": runCommand},
			}},
		},
	})
}

// associationParameters turns name -> value into the list-valued map AWS::SSM::Association takes,
// leaving out empty values so that the document's defaults apply.
func associationParameters(values map[string]*string) map[string]any {
	out := map[string]any{}
	for name, value := range values {
		if value != nil && *value != "" {
			out[name] = []*string{value}
		}
	}
	return out
}
