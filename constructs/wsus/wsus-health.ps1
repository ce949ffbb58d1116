<#
.SYNOPSIS
    Publishes the WSUS server's health to CloudWatch: free space of the update store, whether the
    last synchronisation succeeded, and how long ago it started.

.DESCRIPTION
    Run by the privatepatch WSUS health SSM document every 30 minutes. The alarms in the patching
    stack watch these metrics; a server that stops publishing alarms too (missing data breaches).
    While the setup document is still installing WSUS there is nothing to measure: the run says so
    and succeeds, so that the association does not report a failure (the alarms still see no data).
#>
param(
    [string] $Namespace = 'privatepatch/WSUS',
    [ValidatePattern('^[A-Z]$')] [string] $DriveLetter = 'W'
)

$ErrorActionPreference = 'Stop'

# AWS Tools for PowerShell facts (read 2026-11-27):
# - Windows AMIs ship them, as the AWSPowerShell module on many AMIs and as the modular AWS.Tools
#   (AWS.Tools.CloudWatch here) on Windows Server 2025 ("Installing the AWS Tools for PowerShell on
#   Windows", AWS Tools for PowerShell user guide, version 5).
# - PowerShell imports a module automatically the first time one of its commands is used
#   (about_Modules), never for a type name: New-Object Amazon.CloudWatch.Model.MetricDatum before any
#   AWS cmdlet ran finds no such type. So the module is imported first, explicitly.
# - Version 5 builds on the AWS SDK for .NET V4, whose model collections "default to null"
#   (AWSConfigs.InitializeCollections, aws-sdk-net generated Amazon.CloudWatch.Model classes): a new
#   MetricDatum has no Dimensions list to Add to, so the script creates the list itself.
# - Write-CWMetricData -Namespace <String> -MetricData <MetricDatum[]> (cmdlet reference).
function Import-AwsToolsModule([string] $service) {
    foreach ($name in "AWS.Tools.$service", 'AWSPowerShell', 'AWSPowerShell.NetCore') {
        if (Get-Module -ListAvailable -Name $name) {
            Import-Module -Name $name
            return $name
        }
    }
    throw "AWS Tools for PowerShell are not installed (AWS.Tools.$service or AWSPowerShell)"
}

# Returns why there is nothing to measure yet, or nothing when WSUS is installed and configured.
function Get-NotReadyReason([string] $driveLetter) {
    if (-not (Get-Volume -DriveLetter $driveLetter -ErrorAction SilentlyContinue)) { return "the update store ${driveLetter}: is not there yet" }
    if (-not (Get-Command Get-WsusServer -ErrorAction SilentlyContinue)) { return 'the UpdateServices role is not installed yet' }
    $setup = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Update Services\Server\Setup' -ErrorAction SilentlyContinue
    if (-not $setup.ContentDir) { return 'wsusutil postinstall has not run yet' }
}

# The last synchronisation's health. Before the first one the info has Result NeverRun (WSUS API:
# ISubscription.GetLastSynchronizationInfo), whose StartTime is no time: 9999 hours then.
function Get-SynchronizationHealth($last) {
    $succeeded = if ($null -ne $last -and $last.Result -eq 'Succeeded') { 1 } else { 0 }
    $hours = if ($null -eq $last -or $last.Result -eq 'NeverRun') { 9999 } else {
        [math]::Round(((Get-Date).ToUniversalTime() - $last.StartTime.ToUniversalTime()).TotalHours, 1)
    }
    [pscustomobject]@{ Succeeded = $succeeded; Hours = $hours }
}

# MetricDatum objects with dimension InstanceId; the AWS module must be imported before.
function New-HealthMetricData([string] $instance, [double] $freePercent, [int] $succeeded, [double] $hours) {
    foreach ($m in @(
            @{ Name = 'UpdateStoreFreePercent'; Value = $freePercent; Unit = 'Percent' },
            @{ Name = 'LastSyncSucceeded'; Value = $succeeded; Unit = 'Count' },
            @{ Name = 'HoursSinceLastSync'; Value = $hours; Unit = 'None' })) {
        $dimension = New-Object Amazon.CloudWatch.Model.Dimension
        $dimension.Name = 'InstanceId'
        $dimension.Value = $instance
        $datum = New-Object Amazon.CloudWatch.Model.MetricDatum
        $datum.MetricName = $m.Name
        $datum.Value = $m.Value
        $datum.Unit = $m.Unit
        $datum.Dimensions = New-Object 'System.Collections.Generic.List[Amazon.CloudWatch.Model.Dimension]'
        $datum.Dimensions.Add($dimension)
        $datum
    }
}

# This instance and its region: SSM Agent sets AWS_SSM_INSTANCE_ID and AWS_SSM_REGION_NAME for the
# commands it runs (amazon-ssm-agent, agent/executers); by hand, instance metadata (IMDSv2).
function Get-InstanceIdentity {
    if ($env:AWS_SSM_INSTANCE_ID -and $env:AWS_SSM_REGION_NAME) {
        return [pscustomobject]@{ Id = $env:AWS_SSM_INSTANCE_ID; Region = $env:AWS_SSM_REGION_NAME }
    }
    $token = Invoke-RestMethod -Method Put -Uri 'http://169.254.169.254/latest/api/token' -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '60' } -TimeoutSec 5
    $headers = @{ 'X-aws-ec2-metadata-token' = $token }
    [pscustomobject]@{
        Id     = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/instance-id' -Headers $headers -TimeoutSec 5
        Region = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/placement/region' -Headers $headers -TimeoutSec 5
    }
}

function Publish-WsusHealth([string] $namespace, [string] $driveLetter) {
    $reason = Get-NotReadyReason $driveLetter
    if ($reason) {
        Write-Output "WSUS is still being installed ($reason): nothing to publish yet"
        return
    }
    Import-AwsToolsModule 'CloudWatch' | Out-Null
    $identity = Get-InstanceIdentity
    $volume = Get-Volume -DriveLetter $driveLetter
    $freePercent = [math]::Round(100 * $volume.SizeRemaining / $volume.Size, 1)
    $sync = Get-SynchronizationHealth ((Get-WsusServer).GetSubscription().GetLastSynchronizationInfo())
    $data = @(New-HealthMetricData $identity.Id $freePercent $sync.Succeeded $sync.Hours)
    Write-CWMetricData -Region $identity.Region -Namespace $namespace -MetricData $data
    Write-Output "free $freePercent% on ${driveLetter}:, last sync succeeded $($sync.Succeeded), $($sync.Hours) hours ago"
}

# Dot-sourced (by the Pester tests in wsus-health.Tests.ps1): define the functions, run nothing.
if ($MyInvocation.InvocationName -eq '.') { return }

try {
    Publish-WsusHealth $Namespace $DriveLetter
} catch {
    Write-Error "WSUS health could not be published: $_"
    exit 1
}
