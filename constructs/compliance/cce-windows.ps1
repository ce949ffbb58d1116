<#
.SYNOPSIS
    privatepatch CCE configuration checks for Windows Server. Each check prints one line,
        <id> <PASS|FAIL> <severity> <title>: <detail>
    and the results are reported to Systems Manager compliance as type Custom:CCE.

.DESCRIPTION
    Run by the privatepatch configuration-check SSM document through a State Manager association.
    Failed checks are findings, not errors: the script exits 0 when every check ran, 1 when it
    could not run or report them. -DryRun prints the results without reporting them.
    It reports as the managed node it runs on: an EC2 instance (i-...) or a hybrid node (mi-...).
#>
param(
    [switch] $DryRun
)

$ErrorActionPreference = 'Stop'
$results = New-Object System.Collections.Generic.List[object]

function Add-Check([string] $id, [string] $severity, [string] $title, [bool] $pass, [string] $detail) {
    $status = if ($pass) { 'PASS' } else { 'FAIL' }
    Write-Output ('{0} {1} {2} {3}: {4}' -f $id, $status, $severity, $title, $detail)
    $results.Add([pscustomobject]@{ Id = $id; Severity = $severity; Title = $title; Pass = $pass })
}

# net accounts prints the effective local password policy (English AMIs).
function Get-AccountPolicy([string] $label) {
    $line = net accounts | Where-Object { $_ -like "$label*" } | Select-Object -First 1
    if ($line) { return ($line -split ':\s*', 2)[1].Trim() }
    return $null
}

function Get-SecurityPolicyValue([string] $name) {
    $file = Join-Path $env:TEMP 'privatepatch-secpol.inf'
    secedit /export /cfg $file /areas SECURITYPOLICY | Out-Null
    $line = Get-Content $file | Where-Object { $_ -match "^$name\s*=" } | Select-Object -First 1
    Remove-Item $file -Force
    if ($line) { return ($line -split '=', 2)[1].Trim() }
    return $null
}

function Invoke-Check {
    # CCE-W-01: the Guest account is disabled.
    $guest = Get-LocalUser | Where-Object { $_.SID -like '*-501' }
    Add-Check 'CCE-W-01' 'HIGH' 'Guest account disabled' (-not $guest.Enabled) "Enabled=$($guest.Enabled)"

    # CCE-W-02: passwords have at least 8 characters.
    $minLength = [int] (Get-AccountPolicy 'Minimum password length')
    Add-Check 'CCE-W-02' 'MEDIUM' 'Password minimum length 8 or more' ($minLength -ge 8) "minimum length $minLength"

    # CCE-W-03: passwords expire within 90 days.
    $maxAge = Get-AccountPolicy 'Maximum password age (days)'
    $maxAgeOk = $maxAge -match '^\d+$' -and [int] $maxAge -gt 0 -and [int] $maxAge -le 90
    Add-Check 'CCE-W-03' 'MEDIUM' 'Password maximum age 90 days or less' $maxAgeOk "maximum age $maxAge"

    # CCE-W-04: password complexity is required.
    $complexity = Get-SecurityPolicyValue 'PasswordComplexity'
    Add-Check 'CCE-W-04' 'MEDIUM' 'Password complexity required' ($complexity -eq '1') "PasswordComplexity=$complexity"

    # CCE-W-05: Remote Desktop requires Network Level Authentication.
    $nla = (Get-ItemProperty 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp' -Name UserAuthentication -ErrorAction SilentlyContinue).UserAuthentication
    Add-Check 'CCE-W-05' 'HIGH' 'RDP requires Network Level Authentication' ($nla -eq 1) "UserAuthentication=$nla"

    # CCE-W-06: SMBv1 is off.
    $smb1 = (Get-SmbServerConfiguration).EnableSMB1Protocol
    Add-Check 'CCE-W-06' 'HIGH' 'SMBv1 disabled' (-not $smb1) "EnableSMB1Protocol=$smb1"

    # CCE-W-07: Windows Defender Firewall is on for every profile.
    $off = @(Get-NetFirewallProfile | Where-Object { -not $_.Enabled } | ForEach-Object { $_.Name })
    Add-Check 'CCE-W-07' 'HIGH' 'Firewall enabled on every profile' ($off.Count -eq 0) ("disabled: " + ($off -join ', '))

    # CCE-W-08: logon events are audited, success and failure (subcategory Logon by its GUID).
    $audit = auditpol /get '/subcategory:{0CCE9215-69AE-11D9-BED3-505054503030}' /r | ConvertFrom-Csv
    $setting = $audit.'Inclusion Setting'
    Add-Check 'CCE-W-08' 'MEDIUM' 'Logon events audited (success and failure)' ($setting -eq 'Success and Failure') "Logon: $setting"
}

# AWS Tools for PowerShell facts (read 2026-11-27):
# - Windows AMIs ship them, as the AWSPowerShell module on many AMIs and as the modular AWS.Tools
#   (AWS.Tools.SimpleSystemsManagement here) on Windows Server 2025 ("Installing the AWS Tools for
#   PowerShell on Windows", AWS Tools for PowerShell user guide, version 5); a hybrid node has
#   whichever its owner installed.
# - PowerShell imports a module automatically the first time one of its commands is used
#   (about_Modules), never for a type name: New-Object Amazon.SimpleSystemsManagement.Model.
#   ComplianceItemEntry before any AWS cmdlet ran finds no such type. So the module is imported first.
# - Write-SSMComplianceItem -ResourceId -ResourceType ManagedInstance -ComplianceType Custom:...
#   -ExecutionSummary_ExecutionTime -Item <ComplianceItemEntry[]> (cmdlet reference, V4 and V5
#   examples). The items' only collection (Details) is left unset, which V5 leaves null.
function Import-AwsToolsModule([string] $service) {
    foreach ($name in "AWS.Tools.$service", 'AWSPowerShell', 'AWSPowerShell.NetCore') {
        if (Get-Module -ListAvailable -Name $name) {
            Import-Module -Name $name
            return $name
        }
    }
    throw "AWS Tools for PowerShell are not installed (AWS.Tools.$service or AWSPowerShell)"
}

# The managed node this runs on and its region, first found of:
# 1. AWS_SSM_INSTANCE_ID and AWS_SSM_REGION_NAME, which SSM Agent sets for every command it runs, on
#    EC2 instances (i-...) and hybrid nodes (mi-...) alike (amazon-ssm-agent, agent/executers);
# 2. by hand on a hybrid node, the agent's registration file, JSON such as
#    {"ManagedInstanceID":"mi-008d36be46EXAMPLE","Region":"us-east-2"} in
#    %ProgramData%\Amazon\SSM\InstanceData\registration ("Install SSM Agent on servers and VMs in a
#    Windows hybrid environment", Systems Manager user guide);
# 3. by hand on EC2, instance metadata (IMDSv2), which on-premises nodes do not have.
function Get-NodeIdentity([string] $registrationFile) {
    if ($env:AWS_SSM_INSTANCE_ID -and $env:AWS_SSM_REGION_NAME) {
        return [pscustomobject]@{ Id = $env:AWS_SSM_INSTANCE_ID; Region = $env:AWS_SSM_REGION_NAME }
    }
    if ($registrationFile -and (Test-Path -LiteralPath $registrationFile)) {
        $registration = Get-Content -LiteralPath $registrationFile -Raw | ConvertFrom-Json
        if ($registration.ManagedInstanceID -and $registration.Region) {
            return [pscustomobject]@{ Id = $registration.ManagedInstanceID; Region = $registration.Region }
        }
    }
    $token = Invoke-RestMethod -Method Put -Uri 'http://169.254.169.254/latest/api/token' -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '60' } -TimeoutSec 5
    $headers = @{ 'X-aws-ec2-metadata-token' = $token }
    [pscustomobject]@{
        Id     = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/instance-id' -Headers $headers -TimeoutSec 5
        Region = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/placement/region' -Headers $headers -TimeoutSec 5
    }
}

function Send-ComplianceResult($checkResults, [string] $registrationFile) {
    Import-AwsToolsModule 'SimpleSystemsManagement' | Out-Null
    $node = Get-NodeIdentity $registrationFile
    $items = foreach ($r in $checkResults) {
        $item = New-Object Amazon.SimpleSystemsManagement.Model.ComplianceItemEntry
        $item.Id = $r.Id
        $item.Title = $r.Title
        $item.Severity = $r.Severity
        $item.Status = if ($r.Pass) { 'COMPLIANT' } else { 'NON_COMPLIANT' }
        $item
    }
    Write-SSMComplianceItem -Region $node.Region -ResourceId $node.Id -ResourceType ManagedInstance -ComplianceType 'Custom:CCE' `
        -ExecutionSummary_ExecutionTime (Get-Date).ToUniversalTime() -Item @($items)
    Write-Output "reported $(@($checkResults).Count) checks to Systems Manager compliance (Custom:CCE) as $($node.Id)"
}

# Dot-sourced (by the Pester tests in cce-windows.Tests.ps1): define the functions, run nothing.
if ($MyInvocation.InvocationName -eq '.') { return }

try {
    Invoke-Check
} catch {
    Write-Error "configuration checks could not run: $_"
    exit 1
}

if ($DryRun) { exit 0 }

try {
    Send-ComplianceResult $results (Join-Path $env:ProgramData 'Amazon\SSM\InstanceData\registration')
} catch {
    Write-Error "the results could not be reported to Systems Manager compliance: $_"
    exit 1
}
