# Pre-install hook (test fixture): take the node out of service before patches are installed.
$ErrorActionPreference = 'Stop'
$service = Get-Service -Name 'W3SVC' -ErrorAction SilentlyContinue
if ($null -ne $service -and $service.Status -eq 'Running') {
    Stop-Service -Name 'W3SVC'
    Write-Output 'W3SVC stopped for patching'
}
