# Pester 5 tests of wsus-cleanup.ps1: the six cleanup switches, the re-index through WID's pipe,
# what is recorded and published on success, failure and before the first run, and the two-period
# rule. `make test-ps` (needs pwsh; not part of `make test`).

BeforeAll {
    # Stubs for the Windows-only and AWS commands, with the parameters the script passes, which Mock then replaces.
    function global:Get-WsusServer { [CmdletBinding()] param() }
    function global:Invoke-WsusServerCleanup {
        [CmdletBinding()] param([Parameter(ValueFromPipeline = $true)] $UpdateServer, [switch] $DeclineSupersededUpdates,
            [switch] $DeclineExpiredUpdates, [switch] $CleanupObsoleteUpdates, [switch] $CleanupObsoleteComputers,
            [switch] $CleanupUnneededContentFiles, [switch] $CompressUpdates)
    }
    function global:Write-CWMetricData { [CmdletBinding()] param([string] $Region, [string] $Namespace, [object[]] $MetricData) }
    . (Join-Path $PSScriptRoot 'wsus-cleanup.ps1')
}

Describe 'Get-CleanupHealth' {
    It 'is healthy after a recent success' {
        $health = Get-CleanupHealth ([pscustomobject]@{ FirstSeen = 0; LastSucceeded = 1000; LastResult = 'Succeeded' }) (1000 + 86400 * 10) 62
        $health.Healthy | Should -Be 1
        $health.Days | Should -Be 10
    }
    It 'is unhealthy after a failure, however recent the last success' {
        (Get-CleanupHealth ([pscustomobject]@{ FirstSeen = 0; LastSucceeded = 1000; LastResult = 'Failed' }) 2000 62).Healthy | Should -Be 0
    }
    It 'is unhealthy when the last success is older than two periods' {
        (Get-CleanupHealth ([pscustomobject]@{ FirstSeen = 0; LastSucceeded = 1000; LastResult = 'Succeeded' }) (1000 + 86400 * 63) 62).Healthy | Should -Be 0
    }
    It 'counts from the first record before the first cleanup' {
        (Get-CleanupHealth ([pscustomobject]@{ FirstSeen = 5000; LastSucceeded = 0; LastResult = 'None' }) (5000 + 86400) 62).Healthy | Should -Be 1
        (Get-CleanupHealth ([pscustomobject]@{ FirstSeen = 5000; LastSucceeded = 0; LastResult = 'None' }) (5000 + 86400 * 70) 62).Healthy | Should -Be 0
    }
}

Describe 'Invoke-WsusCleanup' {
    BeforeAll {
        $env:AWS_SSM_INSTANCE_ID = 'i-0123456789abcdef0'
        $env:AWS_SSM_REGION_NAME = 'eu-west-1'
        Mock Get-Module { [pscustomobject]@{ Name = 'AWS.Tools.CloudWatch' } } -ParameterFilter { $ListAvailable -and $Name -contains 'AWS.Tools.CloudWatch' }
        Mock Get-Module { @() }
        Mock Import-Module {
            if (-not ('Amazon.CloudWatch.Model.MetricDatum' -as [type])) {
                Add-Type -TypeDefinition @'
namespace Amazon.CloudWatch.Model {
    public class Dimension { public string Name { get; set; } public string Value { get; set; } }
    public class MetricDatum {
        public string MetricName { get; set; }
        public double? Value { get; set; }
        public string Unit { get; set; }
        public System.Collections.Generic.List<Dimension> Dimensions { get; set; }
    }
}
'@
            }
        }
    }
    BeforeEach {
        $script:statePath = Join-Path $TestDrive ('state-' + [guid]::NewGuid() + '.json')
        Mock Write-CWMetricData { @() }
        Mock Get-WsusServer { [pscustomobject]@{ Name = 'wsus' } }
        Mock Invoke-WsusServerCleanup { 'Obsolete Updates Deleted: 3' }
        Mock Invoke-SusdbReindex { 7 }
    }
    AfterAll {
        Remove-Item -Path 'Env:AWS_SSM_INSTANCE_ID', 'Env:AWS_SSM_REGION_NAME' -ErrorAction SilentlyContinue
    }

    It 'runs the cleanup with all six switches between two SUSDB re-indexes through the WID pipe, records success and publishes healthy' {
        $script:steps = @()
        Mock Invoke-SusdbReindex { $script:steps += 'reindex'; 7 }
        Mock Invoke-WsusServerCleanup { $script:steps += 'cleanup'; 'Obsolete Updates Deleted: 3' }
        Invoke-WsusCleanup 'Cleanup' 'privatepatch/WSUS' 62 $statePath | Out-Null
        $script:steps | Should -Be @('reindex', 'cleanup', 'reindex')
        Should -Invoke Invoke-WsusServerCleanup -Times 1 -Exactly -ParameterFilter {
            $DeclineSupersededUpdates -and $DeclineExpiredUpdates -and $CleanupObsoleteUpdates -and $CleanupObsoleteComputers -and
            $CleanupUnneededContentFiles -and $CompressUpdates
        }
        Should -Invoke Invoke-SusdbReindex -Times 2 -Exactly -ParameterFilter {
            $connectionString -like '*np:\\.\pipe\MICROSOFT##WID\tsql\query*' -and $connectionString -like '*Initial Catalog=SUSDB*' -and $sql -like '*ALTER INDEX*'
        }
        (Get-Content $statePath -Raw | ConvertFrom-Json).LastResult | Should -Be 'Succeeded'
        Should -Invoke Write-CWMetricData -Times 1 -Exactly -ParameterFilter {
            $Namespace -eq 'privatepatch/WSUS' -and ($MetricData | Where-Object MetricName -EQ 'CleanupHealthy').Value -eq 1
        }
    }
    It 'records a failed re-index, still cleans up, publishes unhealthy and fails the run' {
        Mock Invoke-SusdbReindex { throw 'Login failed' }
        { Invoke-WsusCleanup 'Cleanup' 'privatepatch/WSUS' 62 $statePath } | Should -Throw '*WSUS cleanup failed*re-index before the cleanup: Login failed*'
        Should -Invoke Invoke-WsusServerCleanup -Times 1 -Exactly
        (Get-Content $statePath -Raw | ConvertFrom-Json).LastResult | Should -Be 'Failed'
        Should -Invoke Write-CWMetricData -Times 1 -Exactly -ParameterFilter { ($MetricData | Where-Object MetricName -EQ 'CleanupHealthy').Value -eq 0 }
    }
    It 're-indexes before and after a cleanup that times out, records the failure and publishes unhealthy' {
        Mock Invoke-WsusServerCleanup { throw 'Timeout expired' }
        { Invoke-WsusCleanup 'Cleanup' 'privatepatch/WSUS' 62 $statePath } | Should -Throw '*WSUS cleanup failed*cleanup: Timeout expired*'
        Should -Invoke Invoke-SusdbReindex -Times 2 -Exactly
        (Get-Content $statePath -Raw | ConvertFrom-Json).LastResult | Should -Be 'Failed'
        Should -Invoke Write-CWMetricData -Times 1 -Exactly -ParameterFilter { ($MetricData | Where-Object MetricName -EQ 'CleanupHealthy').Value -eq 0 }
    }
    It 'reports without cleaning, and keeps reporting a failure until a cleanup succeeds' {
        Mock Invoke-WsusServerCleanup { throw 'timeout' }
        { Invoke-WsusCleanup 'Cleanup' 'privatepatch/WSUS' 62 $statePath } | Should -Throw
        Invoke-WsusCleanup 'Report' 'privatepatch/WSUS' 62 $statePath | Out-Null
        Should -Invoke Invoke-WsusServerCleanup -Times 1 -Exactly
        Should -Invoke Write-CWMetricData -Times 2 -Exactly -ParameterFilter { ($MetricData | Where-Object MetricName -EQ 'CleanupHealthy').Value -eq 0 }
    }
    It 'reports healthy before the first cleanup, counting from its first record' {
        Invoke-WsusCleanup 'Report' 'privatepatch/WSUS' 62 $statePath | Out-Null
        Should -Invoke Invoke-WsusServerCleanup -Times 0
        Should -Invoke Write-CWMetricData -Times 1 -Exactly -ParameterFilter { ($MetricData | Where-Object MetricName -EQ 'CleanupHealthy').Value -eq 1 }
        (Get-Content $statePath -Raw | ConvertFrom-Json).LastResult | Should -Be 'None'
    }
    It 'cleans nothing while WSUS is still being installed' {
        Mock Get-Command { $null } -ParameterFilter { $Name -eq 'Get-WsusServer' }
        Invoke-WsusCleanup 'Cleanup' 'privatepatch/WSUS' 62 $statePath | Should -Contain 'WSUS is still being installed (the UpdateServices role is not there yet): nothing to clean'
        Should -Invoke Invoke-WsusServerCleanup -Times 0
    }
}
