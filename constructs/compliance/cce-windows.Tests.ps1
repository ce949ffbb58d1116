# Pester 5 tests of how cce-windows.ps1 reports its results, with the documented shapes: the AWS SDK
# types are not loaded until an AWS module is imported (PowerShell loads modules for commands, not
# for type names), and a hybrid node has no instance metadata but SSM Agent's registration.
# `make test-ps` (needs pwsh; not part of `make test`).

BeforeAll {
    function global:Write-SSMComplianceItem {
        [CmdletBinding()]
        param([string] $Region, [string] $ResourceId, [string] $ResourceType, [string] $ComplianceType,
            [datetime] $ExecutionSummary_ExecutionTime, [object[]] $Item)
    }
    . (Join-Path $PSScriptRoot 'cce-windows.ps1')

    function Clear-AgentEnvironment { Remove-Item -Path 'Env:AWS_SSM_INSTANCE_ID', 'Env:AWS_SSM_REGION_NAME' -ErrorAction SilentlyContinue }
}

Describe 'Get-NodeIdentity' {
    BeforeEach { Clear-AgentEnvironment }
    AfterAll { Clear-AgentEnvironment }
    It 'takes the node SSM Agent names for the command, a hybrid node included' {
        $env:AWS_SSM_INSTANCE_ID = 'mi-0123456789abcdef0'
        $env:AWS_SSM_REGION_NAME = 'eu-west-1'
        Mock Invoke-RestMethod { throw 'no instance metadata on premises' }
        $node = Get-NodeIdentity (Join-Path $TestDrive 'none')
        $node.Id | Should -Be 'mi-0123456789abcdef0'
        $node.Region | Should -Be 'eu-west-1'
        Should -Invoke Invoke-RestMethod -Times 0
    }
    It 'reads the agent registration of a hybrid node when run by hand' {
        $file = Join-Path $TestDrive 'registration'
        Set-Content -LiteralPath $file -Value '{"ManagedInstanceID":"mi-008d36be46EXAMPLE","Region":"us-east-2"}'
        Mock Invoke-RestMethod { throw 'no instance metadata on premises' }
        $node = Get-NodeIdentity $file
        $node.Id | Should -Be 'mi-008d36be46EXAMPLE'
        $node.Region | Should -Be 'us-east-2'
        Should -Invoke Invoke-RestMethod -Times 0
    }
    It 'asks instance metadata (IMDSv2) on EC2 when run by hand' {
        Mock Invoke-RestMethod { 'token' } -ParameterFilter { $Method -eq 'Put' }
        Mock Invoke-RestMethod { 'i-0123456789abcdef0' } -ParameterFilter { "$Uri" -like '*/instance-id' }
        Mock Invoke-RestMethod { 'ap-northeast-2' } -ParameterFilter { "$Uri" -like '*/placement/region' }
        $node = Get-NodeIdentity (Join-Path $TestDrive 'none')
        $node.Id | Should -Be 'i-0123456789abcdef0'
        $node.Region | Should -Be 'ap-northeast-2'
    }
}

Describe 'Send-ComplianceResult' {
    BeforeAll {
        Mock Get-Module { [pscustomobject]@{ Name = 'AWS.Tools.SimpleSystemsManagement' } } -ParameterFilter { $ListAvailable -and $Name -contains 'AWS.Tools.SimpleSystemsManagement' }
        Mock Get-Module { @() }
        # Importing the module is what loads the SDK's types: here, a stand-in shaped like V5's.
        Mock Import-Module {
            if (-not ('Amazon.SimpleSystemsManagement.Model.ComplianceItemEntry' -as [type])) {
                Add-Type -TypeDefinition @'
namespace Amazon.SimpleSystemsManagement.Model {
    public class ComplianceItemEntry {
        public string Id { get; set; }
        public string Title { get; set; }
        public string Severity { get; set; }
        public string Status { get; set; }
        public System.Collections.Generic.Dictionary<string, string> Details { get; set; }
    }
}
'@
            }
        }
        Mock Write-SSMComplianceItem { @() }
        $checks = @(
            [pscustomobject]@{ Id = 'CCE-W-01'; Severity = 'HIGH'; Title = 'Guest account disabled'; Pass = $true }
            [pscustomobject]@{ Id = 'CCE-W-06'; Severity = 'HIGH'; Title = 'SMBv1 disabled'; Pass = $false })
    }
    BeforeEach {
        $env:AWS_SSM_INSTANCE_ID = 'mi-0123456789abcdef0'
        $env:AWS_SSM_REGION_NAME = 'eu-west-1'
    }
    AfterAll { Clear-AgentEnvironment }

    It 'imports the Systems Manager module before it creates SDK objects, and reports as the hybrid node' {
        if ('Amazon.SimpleSystemsManagement.Model.ComplianceItemEntry' -as [type]) { Set-ItResult -Inconclusive -Because 'the SDK types are already loaded in this session' }
        Send-ComplianceResult $checks (Join-Path $TestDrive 'none') | Should -BeLike '*reported 2 checks*mi-0123456789abcdef0*'
        Should -Invoke Import-Module -Times 1 -Exactly -ParameterFilter { $Name -contains 'AWS.Tools.SimpleSystemsManagement' }
        Should -Invoke Write-SSMComplianceItem -Times 1 -Exactly -ParameterFilter {
            $Region -eq 'eu-west-1' -and $ResourceId -eq 'mi-0123456789abcdef0' -and $ResourceType -eq 'ManagedInstance' -and
            $ComplianceType -eq 'Custom:CCE' -and $Item.Count -eq 2 -and
            ($Item | Where-Object Id -EQ 'CCE-W-01').Status -eq 'COMPLIANT' -and ($Item | Where-Object Id -EQ 'CCE-W-06').Status -eq 'NON_COMPLIANT'
        }
    }
    It 'fails when no AWS Tools for PowerShell module is installed' {
        Mock Get-Module { @() } -ParameterFilter { $ListAvailable -and $Name -contains 'AWS.Tools.SimpleSystemsManagement' }
        { Send-ComplianceResult $checks (Join-Path $TestDrive 'none') } | Should -Throw '*AWS Tools for PowerShell are not installed*'
    }
}
