// Evaluates IAM requests with @cloud-copilot/iam-simulate (AGPL-3.0: used here as a test and
// verify tool only). Reads batches from stdin, one a line: a JSON array of {simulation, unsafe};
// writes for each a line to stdout: a JSON array of {verdict, deciding, error}, one per request,
// in order. authz starts its processes before its requests are ready (loading the evaluator
// takes a while), asks the table's batch, then the mutations' split over the processes.
//
// verdict is Allowed, ExplicitlyDenied or ImplicitlyDenied. deciding names the statements that
// decided: for Allowed, the granting statements; otherwise the denying (or missing) policies.
//
// group and required (the mutations of authz.Prove): see below.
//
// verdictOnly requests (the mutations of authz.Prove) skip naming the deciding statements.
//
// unsafe requests skip the evaluator's input validation. authz asks for it only where the
// evaluator's resource data disagrees with AWS documentation (AWS-owned documents and runbooks
// have no account in their ARN); the evaluator then gives a verdict without its analysis, so the
// deciding statement is found by evaluating each identity statement on its own.
import { createInterface } from 'node:readline'
import { getDenialReasons, getGrantReasons, runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate'

function describeGrant(g) {
  const where = g.policyType === 'resource' ? 'resource policy'
    : g.policyType === 'vpce' ? `endpoint policy ${g.policyIdentifier}`
    : `${g.policyType} policy ${g.policyIdentifier ?? ''}`.trim()
  return `${where} statement ${g.statementId ?? '#' + g.statementIndex}`
}

function describeDenial(d) {
  const where = d.policyType === 'vpce' ? 'the endpoint policy'
    : d.policyType === 'resource' ? 'the resource policy'
    : d.policyType === 'pb' ? 'the permissions boundary'
    : `the ${d.policyType} policies${d.identifier ? ' ' + d.identifier : ''}`
  if (d.denialType === 'Explicit') {
    return `denied by ${where.replace(/^the /, '')}${d.policyIdentifier ? ' ' + d.policyIdentifier : ''} statement ${d.statementId ?? '#' + d.statementIndex}`
  }
  return `no statement of ${where} allows it`
}

async function evaluate({ simulation, unsafe, verdictOnly }) {
  if (unsafe) {
    const verdict = runUnsafeSimulation(simulation, {})
    const deciding = []
    if (verdictOnly) {
      return { verdict, deciding }
    }
    if (verdict === 'Allowed') {
      for (const policy of simulation.identityPolicies) {
        for (const [i, statement] of (policy.policy.Statement ?? []).entries()) {
          const alone = { ...simulation, identityPolicies: [{ name: policy.name, policy: { Version: '2012-10-17', Statement: [statement] } }] }
          if (runUnsafeSimulation(alone, {}) === 'Allowed') {
            deciding.push(`identity policy ${policy.name} statement ${statement.Sid ?? '#' + (i + 1)}`)
          }
        }
      }
    } else {
      deciding.push('no identity statement allows it')
    }
    return { verdict, deciding }
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') {
    return { error: JSON.stringify(response.errors) }
  }
  if (verdictOnly) {
    return { verdict: response.overallResult, deciding: [] }
  }
  const analysis = response.resultType === 'single' ? response.result?.analysis : response.results?.[0]?.analysis
  const verdict = response.overallResult
  const deciding = !analysis ? [] : verdict === 'Allowed'
    ? getGrantReasons(analysis).map(describeGrant)
    : getDenialReasons(analysis).map(describeDenial)
  return { verdict, deciding }
}

// A request of a group (one mutation, in authz.Prove) that carries required is skipped, with the
// verdict Skipped, once another request of its group (in the same batch) got the verdict its row
// must not get.
async function evaluateBatch(input) {
  const caught = new Set()
  const results = []
  for (const request of input) {
    if (request.group !== undefined && caught.has(request.group)) {
      results.push({ verdict: 'Skipped', deciding: [] })
      continue
    }
    let result
    try {
      result = await evaluate(request)
    } catch (e) {
      result = { error: String(e) }
    }
    if (request.group !== undefined && (result.error || (result.verdict === 'Allowed') !== request.required)) {
      caught.add(request.group)
    }
    results.push(result)
  }
  return results
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() !== '') {
    process.stdout.write(JSON.stringify(await evaluateBatch(JSON.parse(line))) + '\n')
  }
}
