'use strict';
// Usage: node tools/cfnvalidate/validate.js TEMPLATE... or @LIST, a file of lines
// "TEMPLATE[<tab>REGION[<tab>ACCOUNT]]": the stack's region and account, as CDK passes them.
// Runs CDK's built-in "CloudFormation Validate" engine (@aws/cloudformation-validate, pinned in
// package.json at the version aws-cdk-lib bundles) with the settings CDK's plugin uses, over each
// template, and prints one JSON line per finding: template, rule, severity, resource, path, message.
// Loading the engine costs about a second; each template then takes tens of milliseconds, which is
// why privatepatch validates every template in one run instead of inside every synthesis.
const fs = require('fs');
const { RegoEngine, TemplateFile } = require('@aws/cloudformation-validate');

// The rules CDK's CloudFormationValidatePlugin leaves out (aws-cdk-lib 2.270.0), and its severity.
const IGNORE_RULES = ['W3005', 'W1020', 'E1018', 'W9002', 'W9013', 'E2001', 'W1103'];

const lines = process.argv.slice(2).flatMap((f) => (f.startsWith('@') ? fs.readFileSync(f.slice(1), 'utf8').split('\n').filter(Boolean) : [f]));
const engine = new RegoEngine({});
try {
  for (const line of lines) {
    const [file, region, accountId] = line.split('\t');
    const report = engine.validateDetailed(new TemplateFile(file), {
      pseudoParameterOverrides: { region: region || undefined, accountId: accountId || undefined },
      exclude: { ids: IGNORE_RULES, services: [{ ruleId: 'W3697', service: 'AWS::AutoScaling' }] },
      severityLevel: 'WARN',
    });
    for (const d of report.diagnostics) {
      const resource = d.entity && d.entity.entityType === 'Resource' ? d.entity.logicalId : '';
      console.log(JSON.stringify({ template: file, rule: d.ruleId, severity: d.severity, resource, path: d.propertyPath || '', message: d.message }));
    }
  }
} finally {
  engine.free();
}
