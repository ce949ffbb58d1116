# Pester 5 tests of wsus-health.ps1 with the documented shapes: the AWS SDK types are not loaded
# until an AWS module is imported (PowerShell loads modules for commands, not for type names), the
# SDK's collections start out null (AWS Tools for PowerShell V5), and a server that never
# synchronised reports Result NeverRun. `make test-ps` (needs pwsh; not part of `make test`).

BeforeAll {
    # Stubs for the Windows-only and AWS commands, with the parameters the script passes, which Mock then replaces.
    function global:Get-Volume { [CmdletBinding()] param([string] $DriveLetter) }
    function global:Get-WsusServer { [CmdletBinding()] param() }
    function global:Write-CWMetricData { [CmdletBinding()] param([string] $Region, [string] $Namespace, [object[]] $MetricData) }
    . (Join-Path $PSScriptRoot 'wsus-health.ps1')

    function New-NeverSynchronisedServer {
        $subscription = [pscustomobject]@{ Info = [pscustomobject]@{ Id = [guid]::Empty; Result = 'NeverRun'; StartTime = [datetime]::MinValue } }
        $subscription | Add-Member ScriptMethod GetLastSynchronizationInfo { $this.Info }
        $server = [pscustomobject]@{ Subscription = $subscription }
        $server | Add-Member ScriptMethod GetSubscription { $this.Subscription }
        $server
    }
}

Describe 'Publish-WsusHealth' {
    BeforeAll {
        $env:AWS_SSM_INSTANCE_ID = 'i-0123456789abcdef0'
        $env:AWS_SSM_REGION_NAME = 'eu-west-1'
        Mock Get-Volume { [pscustomobject]@{ DriveLetter = 'W'; SizeRemaining = 50GB; Size = 200GB } }
        Mock Get-ItemProperty { [pscustomobject]@{ ContentDir = 'W:\WSUS' } }
        Mock Get-WsusServer { New-NeverSynchronisedServer }
        Mock Get-Module { [pscustomobject]@{ Name = 'AWS.Tools.CloudWatch' } } -ParameterFilter { $ListAvailable -and $Name -contains 'AWS.Tools.CloudWatch' }
        Mock Get-Module { @() }
        # Importing the module is what loads the SDK's types: here, stand-ins shaped like V5's, whose
        # collections are null until set.
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
        Mock Write-CWMetricData { @() }
    }
    AfterAll {
        Remove-Item -Path 'Env:AWS_SSM_INSTANCE_ID', 'Env:AWS_SSM_REGION_NAME' -ErrorAction SilentlyContinue
    }

    It 'imports the CloudWatch module before it creates SDK objects, and fills collections that start out null' {
        if ('Amazon.CloudWatch.Model.MetricDatum' -as [type]) { Set-ItResult -Inconclusive -Because 'the SDK types are already loaded in this session' }
        Publish-WsusHealth 'privatepatch/WSUS' 'W'
        Should -Invoke Import-Module -Times 1 -Exactly -ParameterFilter { $Name -contains 'AWS.Tools.CloudWatch' }
        Should -Invoke Write-CWMetricData -Times 1 -Exactly -ParameterFilter {
            $Region -eq 'eu-west-1' -and $Namespace -eq 'privatepatch/WSUS' -and $MetricData.Count -eq 3 -and
            @($MetricData | Where-Object { $_.Dimensions.Count -eq 1 -and $_.Dimensions[0].Name -eq 'InstanceId' -and $_.Dimensions[0].Value -eq 'i-0123456789abcdef0' }).Count -eq 3
        }
    }
    It 'publishes a server that never synchronised (NeverRun) as failed, 9999 hours ago, and its free space' {
        Publish-WsusHealth 'privatepatch/WSUS' 'W'
        Should -Invoke Write-CWMetricData -Times 1 -Exactly -ParameterFilter {
            ($MetricData | Where-Object MetricName -EQ 'LastSyncSucceeded').Value -eq 0 -and
            ($MetricData | Where-Object MetricName -EQ 'HoursSinceLastSync').Value -eq 9999 -and
            ($MetricData | Where-Object MetricName -EQ 'UpdateStoreFreePercent').Value -eq 25
        }
    }
    It 'says so and succeeds, publishing nothing, while WSUS is still being installed' {
        Mock Get-Volume { @() }
        Publish-WsusHealth 'privatepatch/WSUS' 'W' | Should -BeLike '*still being installed*'
        Should -Invoke Write-CWMetricData -Times 0
        Should -Invoke Import-Module -Times 0
    }
    It 'fails when no AWS Tools for PowerShell module is installed' {
        Mock Get-Module { @() } -ParameterFilter { $ListAvailable -and $Name -contains 'AWS.Tools.CloudWatch' }
        { Publish-WsusHealth 'privatepatch/WSUS' 'W' } | Should -Throw '*AWS Tools for PowerShell are not installed*'
    }
}

Describe 'Get-SynchronizationHealth' {
    It 'reads a recent successful synchronisation as succeeded, hours ago' {
        $health = Get-SynchronizationHealth ([pscustomobject]@{ Result = 'Succeeded'; StartTime = (Get-Date).AddHours(-2) })
        $health.Succeeded | Should -Be 1
        $health.Hours | Should -BeGreaterOrEqual 1.9
        $health.Hours | Should -BeLessOrEqual 2.1
    }
    It 'reads NeverRun, whose start time is no time, as failed 9999 hours ago' {
        $health = Get-SynchronizationHealth ([pscustomobject]@{ Result = 'NeverRun'; StartTime = [datetime]::MinValue })
        $health.Succeeded | Should -Be 0
        $health.Hours | Should -Be 9999
    }
}
