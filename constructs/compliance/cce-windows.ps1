<#
.SYNOPSIS
    privatepatch CCE configuration checks for Windows Server. Each check prints one line,
        <id> <PASS|FAIL> <severity> <title>: <detail>
    and the results are reported to Systems Manager compliance as type Custom:CCE.

.DESCRIPTION
    Run by the privatepatch configuration-check SSM document through a State Manager association.
    Failed checks are findings, not errors: the script exits 0 when every check ran, 1 when it
    could not run or report them. -DryRun prints the results without reporting them.
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

try {
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
} catch {
    Write-Error "configuration checks could not run: $_"
    exit 1
}

if ($DryRun) { exit 0 }

try {
    # Report as this instance (IMDSv2), with AWS Tools for PowerShell as Windows AMIs ship them.
    $token = Invoke-RestMethod -Method Put -Uri 'http://169.254.169.254/latest/api/token' -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '60' }
    $headers = @{ 'X-aws-ec2-metadata-token' = $token }
    $instance = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/instance-id' -Headers $headers
    $region = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/placement/region' -Headers $headers
    $items = foreach ($r in $results) {
        $item = New-Object Amazon.SimpleSystemsManagement.Model.ComplianceItemEntry
        $item.Id = $r.Id
        $item.Title = $r.Title
        $item.Severity = $r.Severity
        $item.Status = if ($r.Pass) { 'COMPLIANT' } else { 'NON_COMPLIANT' }
        $item
    }
    Write-SSMComplianceItem -Region $region -ResourceId $instance -ResourceType ManagedInstance -ComplianceType 'Custom:CCE' `
        -ExecutionSummary_ExecutionTime (Get-Date).ToUniversalTime() -Item $items
    Write-Output "reported $($results.Count) checks to Systems Manager compliance (Custom:CCE)"
} catch {
    Write-Error "the results could not be reported to Systems Manager compliance: $_"
    exit 1
}
