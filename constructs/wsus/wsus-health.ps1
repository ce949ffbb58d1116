<#
.SYNOPSIS
    Publishes the WSUS server's health to CloudWatch: free space of the update store, whether the
    last synchronisation succeeded, and how long ago it started.

.DESCRIPTION
    Run by the privatepatch WSUS health SSM document every 30 minutes. The alarms in the patching
    stack watch these metrics; a server that stops publishing alarms too (missing data breaches).
#>
param(
    [string] $Namespace = 'privatepatch/WSUS',
    [ValidatePattern('^[A-Z]$')] [string] $DriveLetter = 'W'
)

$ErrorActionPreference = 'Stop'
try {
    $token = Invoke-RestMethod -Method Put -Uri 'http://169.254.169.254/latest/api/token' -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '60' }
    $headers = @{ 'X-aws-ec2-metadata-token' = $token }
    $instance = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/instance-id' -Headers $headers
    $region = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/placement/region' -Headers $headers

    $volume = Get-Volume -DriveLetter $DriveLetter
    $freePercent = [math]::Round(100 * $volume.SizeRemaining / $volume.Size, 1)
    $last = (Get-WsusServer).GetSubscription().GetLastSynchronizationInfo()
    $succeeded = if ($null -ne $last -and $last.Result -eq 'Succeeded') { 1 } else { 0 }
    $hours = if ($null -ne $last) { [math]::Round(((Get-Date).ToUniversalTime() - $last.StartTime.ToUniversalTime()).TotalHours, 1) } else { 9999 }

    $dimension = New-Object Amazon.CloudWatch.Model.Dimension
    $dimension.Name = 'InstanceId'
    $dimension.Value = $instance
    $data = foreach ($m in @(
            @{ Name = 'UpdateStoreFreePercent'; Value = $freePercent; Unit = 'Percent' },
            @{ Name = 'LastSyncSucceeded'; Value = $succeeded; Unit = 'Count' },
            @{ Name = 'HoursSinceLastSync'; Value = $hours; Unit = 'None' })) {
        $datum = New-Object Amazon.CloudWatch.Model.MetricDatum
        $datum.MetricName = $m.Name
        $datum.Value = $m.Value
        $datum.Unit = $m.Unit
        $datum.Dimensions.Add($dimension)
        $datum
    }
    Write-CWMetricData -Region $region -Namespace $Namespace -MetricData $data
    Write-Output "free $freePercent% on ${DriveLetter}:, last sync succeeded $succeeded, $hours hours ago"
} catch {
    Write-Error "WSUS health could not be published: $_"
    exit 1
}
