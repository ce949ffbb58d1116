package wsus

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// documentParameter is one parameter of a Command document, passed to the script's param() of
// the same name. allowedPattern keeps quotes and other PowerShell syntax out of the values, as
// they are substituted into the script text.
type documentParameter struct {
	name, description, defaultValue, allowedPattern string
}

// newScriptDocument wraps a PowerShell script (with a param() block) in an SSM Command document
// (schemaVersion 2.2, aws:runPowerShellScript). The script runs as a script block so that its
// param() block receives the document's parameters.
func newScriptDocument(scope constructs.Construct, id, description, stepName, script string, timeoutSeconds int, params []documentParameter) awsssm.CfnDocument {
	parameters := map[string]any{}
	var arguments []string
	for _, p := range params {
		parameters[p.name] = map[string]any{
			"type":           "String",
			"description":    p.description,
			"default":        p.defaultValue,
			"allowedPattern": p.allowedPattern,
		}
		arguments = append(arguments, fmt.Sprintf("-%s '{{ %s }}'", p.name, p.name))
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

// associationParameters turns name -> value into the list-valued map AWS::SSM::Association takes.
func associationParameters(values map[string]*string) map[string]any {
	out := map[string]any{}
	for name, value := range values {
		out[name] = []*string{value}
	}
	return out
}
