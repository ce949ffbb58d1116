<#
.SYNOPSIS
    Points the Windows Update client at WSUS through the policy registry values, and reports what
    it changed. Idempotent: values already right are left alone, and the Windows Update service
    restarts only when something changed.

.DESCRIPTION
    Run by the privatepatch WSUS client SSM document through a State Manager association on
    every fleet instance, at creation and on a schedule, so drift is corrected.
    Value names are Microsoft's ("Configure Automatic Updates" policy registry keys). Windows
    ignores misspelled policy values silently: the names below are checked by the tests.
#>
param(
    [ValidatePattern('^(http://[A-Za-z0-9.-]+:8530|https://[A-Za-z0-9.-]+:8531)$')] [string] $WsusUrl,
    [string] $TargetGroup = '',
    [ValidateSet('0', '1')] [string] $AcceptTrustedPublisherCerts = '0',
    [ValidateSet('0', '1')] [string] $NoAutoUpdate = '0',
    [ValidateSet('2', '3', '4', '5', '7')] [string] $AUOptions = '3',
    [ValidateRange(0, 7)] [int] $ScheduledInstallDay = 0
)

$ErrorActionPreference = 'Stop'
$policy = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate'
$au = Join-Path $policy 'AU'

$values = @(
    @{ Key = $policy; Name = 'WUServer'; Type = 'String'; Value = $WsusUrl }
    @{ Key = $policy; Name = 'WUStatusServer'; Type = 'String'; Value = $WsusUrl }
    @{ Key = $policy; Name = 'UpdateServiceUrlAlternate'; Type = 'String'; Value = '' }
    @{ Key = $policy; Name = 'AcceptTrustedPublisherCerts'; Type = 'DWord'; Value = [int] $AcceptTrustedPublisherCerts }
    @{ Key = $policy; Name = 'TargetGroup'; Type = 'String'; Value = $TargetGroup }
    @{ Key = $policy; Name = 'TargetGroupEnabled'; Type = 'DWord'; Value = [int] ($TargetGroup -ne '') }
    # No internet route: do not let the client reach for Windows Update on the internet.
    @{ Key = $policy; Name = 'DoNotConnectToWindowsUpdateInternetLocations'; Type = 'DWord'; Value = 1 }
    @{ Key = $au; Name = 'UseWUServer'; Type = 'DWord'; Value = 1 }
    @{ Key = $au; Name = 'NoAutoUpdate'; Type = 'DWord'; Value = [int] $NoAutoUpdate }
    @{ Key = $au; Name = 'AUOptions'; Type = 'DWord'; Value = [int] $AUOptions }
    @{ Key = $au; Name = 'ScheduledInstallDay'; Type = 'DWord'; Value = $ScheduledInstallDay }
)

try {
    $changes = @()
    foreach ($v in $values) {
        if (-not (Test-Path $v.Key)) { New-Item -Path $v.Key -Force | Out-Null }
        $current = (Get-ItemProperty -Path $v.Key -Name $v.Name -ErrorAction SilentlyContinue).($v.Name)
        if ($null -eq $current -or "$current" -ne "$($v.Value)") {
            New-ItemProperty -Path $v.Key -Name $v.Name -PropertyType $v.Type -Value $v.Value -Force | Out-Null
            $changes += [pscustomobject]@{ Name = $v.Name; From = $current; To = $v.Value }
        }
    }
    if ($changes.Count -gt 0) {
        Restart-Service -Name wuauserv -Force
        Write-Output "Changed $($changes.Count) Windows Update policy value(s) and restarted wuauserv:"
        $changes | Format-Table -AutoSize | Out-String | Write-Output
    } else {
        Write-Output "Windows Update already points at $WsusUrl; nothing changed"
    }
} catch {
    Write-Error "WSUS client configuration failed: $_"
    exit 1
}
