<#
.SYNOPSIS
    Keeps WSUS healthy for years: declines superseded and expired updates, deletes obsolete
    updates, computers and content, compresses revisions, re-indexes SUSDB, and publishes the
    result to CloudWatch.

.DESCRIPTION
    Run by the privatepatch WSUS cleanup document in one of two modes:
    - Cleanup (monthly, outside the synchronisation hours): Invoke-WsusServerCleanup with every
      switch of the Server Cleanup Wizard, then a SUSDB re-index through the Windows Internal
      Database's pipe, then records the result and publishes it. Both steps are idempotent: a
      second run finds less or nothing to do.
    - Report (hourly): publishes the last cleanup's state, so that the alarm (which may read only
      the latest 3 hours of a Metrics Insights query) sees it between the monthly runs.
    CleanupHealthy is 1 while the last cleanup succeeded and the last success (or, before the
    first, the first report) is at most MaxDaysWithoutCleanup days old.
#>
param(
    [ValidateSet('Cleanup', 'Report')] [string] $Mode = 'Report',
    [string] $Namespace = 'privatepatch/WSUS',
    [ValidateRange(1, 9999)] [int] $MaxDaysWithoutCleanup = 62,
    [string] $StatePath = (Join-Path $env:ProgramData 'privatepatch\wsus-cleanup.json')
)

$ErrorActionPreference = 'Stop'

# Windows Internal Database on Windows Server 2012 and later listens on this named pipe only
# ("Reindex the WSUS database", Microsoft Learn, read 2026-12-06: sqlcmd -S
# np:\\.\pipe\MICROSOFT##WID\tsql\query). sqlcmd and Invoke-Sqlcmd are not on a Windows Server AMI;
# System.Data.SqlClient is part of the .NET Framework that Windows PowerShell 5.1 (which
# aws:runPowerShellScript runs) is built on, so the re-index needs nothing installed. The agent
# runs commands as LocalSystem, whom WID admits.
$SusdbConnectionString = 'Data Source=np:\\.\pipe\MICROSOFT##WID\tsql\query;Initial Catalog=SUSDB;Integrated Security=True;Connect Timeout=60'

# The re-index of "Reindex the WSUS database" in short: every index of SUSDB with more than 1000
# pages and more than 10% fragmentation is reorganised, or rebuilt above 30% ("Optimize index
# maintenance", SQL Server documentation: reorganise at low, rebuild at high fragmentation;
# WID, like Express, rebuilds offline), then the statistics are updated. It returns how many
# indexes it treated.
$ReindexSql = @'
SET NOCOUNT ON;
DECLARE @work TABLE (id int IDENTITY(1, 1), command nvarchar(max));
INSERT @work (command)
SELECT N'ALTER INDEX ' + QUOTENAME(i.name) + N' ON ' + QUOTENAME(s.name) + N'.' + QUOTENAME(o.name)
    + CASE WHEN f.avg_fragmentation_in_percent > 30 THEN N' REBUILD' ELSE N' REORGANIZE' END
FROM sys.dm_db_index_physical_stats(DB_ID(), NULL, NULL, NULL, 'LIMITED') AS f
JOIN sys.indexes AS i ON i.object_id = f.object_id AND i.index_id = f.index_id
JOIN sys.objects AS o ON o.object_id = f.object_id
JOIN sys.schemas AS s ON s.schema_id = o.schema_id
WHERE f.index_id > 0 AND f.page_count > 1000 AND f.avg_fragmentation_in_percent > 10 AND o.is_ms_shipped = 0;
DECLARE @id int = 1, @count int = (SELECT COUNT(*) FROM @work), @command nvarchar(max);
WHILE @id <= @count
BEGIN
    SELECT @command = command FROM @work WHERE id = @id;
    EXEC sp_executesql @command;
    SET @id = @id + 1;
END;
EXEC sp_updatestats;
SELECT @count;
'@

# See wsus-health.ps1: the AWS module is imported before any SDK type is used.
function Import-AwsToolsModule([string] $service) {
    foreach ($name in "AWS.Tools.$service", 'AWSPowerShell', 'AWSPowerShell.NetCore') {
        if (Get-Module -ListAvailable -Name $name) {
            Import-Module -Name $name
            return $name
        }
    }
    throw "AWS Tools for PowerShell are not installed (AWS.Tools.$service or AWSPowerShell)"
}

# This instance and its region (see wsus-health.ps1).
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

function Get-UnixNow { [DateTimeOffset]::UtcNow.ToUnixTimeSeconds() }

# The recorded state: FirstSeen, LastRun, LastSucceeded (Unix seconds, 0 for never) and LastResult
# (None, Succeeded or Failed). A missing or unreadable file starts a new record now.
function Read-CleanupState([string] $path) {
    if (Test-Path -LiteralPath $path) {
        try {
            $saved = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json
            if ($null -ne $saved.FirstSeen) { return $saved }
        } catch {
            Write-Warning "the cleanup record $path is unreadable, starting a new one: $_"
        }
    }
    [pscustomobject]@{ FirstSeen = (Get-UnixNow); LastRun = 0; LastSucceeded = 0; LastResult = 'None'; Message = '' }
}

function Write-CleanupState([string] $path, $state) {
    New-Item -ItemType Directory -Force -Path (Split-Path -Parent $path) | Out-Null
    $state | ConvertTo-Json | Set-Content -LiteralPath $path -Encoding UTF8
}

# Healthy unless the last cleanup failed or the last success (before any, the first record) is
# older than maxDays.
function Get-CleanupHealth($state, [long] $now, [int] $maxDays) {
    $since = if ([long] $state.LastSucceeded -gt 0) { [long] $state.LastSucceeded } else { [long] $state.FirstSeen }
    $days = [math]::Round(($now - $since) / 86400.0, 1)
    $healthy = if ($state.LastResult -eq 'Failed' -or $days -gt $maxDays) { 0 } else { 1 }
    [pscustomobject]@{ Healthy = $healthy; Days = $days }
}

# MetricDatum objects with dimension InstanceId; the AWS module must be imported before.
function New-CleanupMetricData([string] $instance, [int] $healthy, [double] $days) {
    foreach ($m in @(
            @{ Name = 'CleanupHealthy'; Value = $healthy; Unit = 'Count' },
            @{ Name = 'DaysSinceCleanup'; Value = $days; Unit = 'None' })) {
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

function Publish-CleanupHealth([string] $namespace, $state, [int] $maxDays) {
    $health = Get-CleanupHealth $state (Get-UnixNow) $maxDays
    Import-AwsToolsModule 'CloudWatch' | Out-Null
    $identity = Get-InstanceIdentity
    $data = @(New-CleanupMetricData $identity.Id $health.Healthy $health.Days)
    Write-CWMetricData -Region $identity.Region -Namespace $namespace -MetricData $data
    Write-Output "cleanup healthy $($health.Healthy): last result $($state.LastResult), $($health.Days) days since the last success (at most $maxDays)"
}

# Runs the SUSDB re-index and returns how many indexes it treated.
function Invoke-SusdbReindex([string] $connectionString, [string] $sql) {
    $connection = New-Object System.Data.SqlClient.SqlConnection $connectionString
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = $sql
        $command.CommandTimeout = 0 # the document's timeout bounds the run
        [int] $command.ExecuteScalar()
    } finally {
        $connection.Dispose()
    }
}

# The maintenance: re-index SUSDB, clean up, re-index again, each step in its own try. On a
# fragmented SUSDB it is the cleanup that times out, so the first re-index must not wait for it
# to succeed; the second treats what the cleanup's deletions left. Throws naming every step that
# failed, after running the others.
function Invoke-WsusMaintenance {
    $failures = @()
    try {
        $indexes = Invoke-SusdbReindex $SusdbConnectionString $ReindexSql
        Write-Output "SUSDB before the cleanup: $indexes fragmented indexes reorganised or rebuilt, statistics updated"
    } catch {
        $failures += "re-index before the cleanup: $_"
    }
    try {
        $results = Get-WsusServer | Invoke-WsusServerCleanup -DeclineSupersededUpdates -DeclineExpiredUpdates -CleanupObsoleteUpdates `
            -CleanupObsoleteComputers -CleanupUnneededContentFiles -CompressUpdates
        foreach ($line in @($results)) { Write-Output "$line" }
    } catch {
        $failures += "cleanup: $_"
    }
    try {
        $indexes = Invoke-SusdbReindex $SusdbConnectionString $ReindexSql
        Write-Output "SUSDB after the cleanup: $indexes fragmented indexes reorganised or rebuilt, statistics updated"
    } catch {
        $failures += "re-index after the cleanup: $_"
    }
    if ($failures.Count -gt 0) { throw ($failures -join '; ') }
}

function Invoke-WsusCleanup([string] $mode, [string] $namespace, [int] $maxDays, [string] $statePath) {
    $state = Read-CleanupState $statePath
    $failure = $null
    if ($mode -eq 'Cleanup') {
        if (-not (Get-Command Get-WsusServer -ErrorAction SilentlyContinue)) {
            Write-Output 'WSUS is still being installed (the UpdateServices role is not there yet): nothing to clean'
        } else {
            $state.LastRun = Get-UnixNow
            try {
                Invoke-WsusMaintenance
                $state.LastResult, $state.LastSucceeded, $state.Message = 'Succeeded', (Get-UnixNow), ''
            } catch {
                $failure = "$_"
                $state.LastResult, $state.Message = 'Failed', $failure
            }
        }
    }
    Write-CleanupState $statePath $state
    Publish-CleanupHealth $namespace $state $maxDays
    if ($failure) { throw "WSUS cleanup failed: $failure" }
}

# Dot-sourced (by the Pester tests in wsus-cleanup.Tests.ps1): define the functions, run nothing.
if ($MyInvocation.InvocationName -eq '.') { return }

try {
    Invoke-WsusCleanup $Mode $Namespace $MaxDaysWithoutCleanup $StatePath
} catch {
    Write-Error "$_"
    exit 1
}
