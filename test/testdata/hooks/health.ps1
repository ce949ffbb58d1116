# On-exit hook (test fixture): fail the run when the node's service did not come back.
$ErrorActionPreference = 'Stop'
$service = Get-Service -Name 'W3SVC' -ErrorAction SilentlyContinue
if ($null -ne $service -and $service.Status -ne 'Running') {
    Start-Service -Name 'W3SVC'
}
Write-Output "healthy after patching: $(Get-Date -Format o)"
