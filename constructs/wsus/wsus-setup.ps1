<#
.SYNOPSIS
    Installs and configures WSUS on this server. Idempotent: safe to re-run; each run converges
    the server to the parameters and changes only what differs.

.DESCRIPTION
    Run by the privatepatch WSUS setup SSM document through a State Manager association, so every
    run is logged to S3 and visible in State Manager compliance. It also runs by hand:
        .\wsus-setup.ps1 -Languages en -Products 'Microsoft Server operating system-21H2' ...
    Steps: bring the update-store disk (found by its EBS volume id) online as W:, install the UpdateServices role, run
    wsusutil postinstall on it, sync from Microsoft Update, set languages, products and
    classifications, schedule synchronisation, create the automatic approval rule, tune the
    WsusPool application pool, and (port 8531) require TLS with the given certificate.
    Lists are separated by semicolons because product titles contain commas.
#>
param(
    [string] $Languages = 'en',
    [string] $Products = 'Microsoft Server operating system-21H2',
    [string] $Classifications = 'Critical Updates;Security Updates',
    [string] $TargetGroups = '',
    [ValidateSet('8530', '8531')] [string] $Port = '8530',
    [string] $CertificateThumbprint = '',
    [string] $ServerName = '',
    [ValidatePattern('^\d{2}:\d{2}$')] [string] $SyncTimeUtc = '21:00',
    [ValidateRange(1, 24)] [int] $SyncsPerDay = 1,
    [string] $UpdateStoreVolumeId = '',
    [string] $VolumeLabel = 'WSUS',
    [string] $DriveLetter = 'W'
)

$ErrorActionPreference = 'Stop'

function Split-List([string] $value) {
    @($value -split ';' | ForEach-Object { $_.Trim() } | Where-Object { $_ })
}

function Find-UpdateStoreDisk([string] $volumeId) {
    # On Nitro instances an EBS volume is an NVMe disk whose serial number is its volume id
    # without the hyphen (vol0123..., "Amazon EBS and NVMe on Windows instances", Amazon EC2 User
    # Guide), so the disk is found by the volume CloudFormation attached, never by guessing which
    # disk is empty. Earlier versions of that page name AdapterSerialNumber as the field on
    # Windows Server 2016: both are read, as only a deploy shows which one a given AMI fills.
    $serial = $volumeId -replace '-', ''
    Get-Disk | Where-Object {
        @($_.SerialNumber, $_.AdapterSerialNumber) | Where-Object { $_ -and (("$_" -replace '_.*$', '').Trim() -eq $serial) }
    } | Select-Object -First 1
}

# Functions that return a value write their progress to the information stream, shown like output
# (Write-Information -InformationAction Continue): Write-Output would become part of the value (the
# first run's content path was the progress message and the path, joined).
function Initialize-UpdateStore {
    if ($UpdateStoreVolumeId -notmatch '^vol-[0-9a-f]{8,17}$') { throw "UpdateStoreVolumeId '$UpdateStoreVolumeId' is not an EBS volume id" }
    $disk = Find-UpdateStoreDisk $UpdateStoreVolumeId
    if (-not $disk) { throw "the update-store volume $UpdateStoreVolumeId is not attached to this instance (wsus.attachUpdateStore false, or a non-Nitro instance type)" }
    if ($disk.IsOffline) { Set-Disk -Number $disk.Number -IsOffline $false }
    if ($disk.IsReadOnly) { Set-Disk -Number $disk.Number -IsReadOnly $false }
    if ($disk.PartitionStyle -eq 'RAW') {
        Write-Information "Initialising disk $($disk.Number) ($UpdateStoreVolumeId, $([math]::Round($disk.Size / (1GB))) GiB) as the update store" -InformationAction Continue
        Initialize-Disk -Number $disk.Number -PartitionStyle GPT
        $partition = New-Partition -DiskNumber $disk.Number -UseMaximumSize -DriveLetter $DriveLetter
        Format-Volume -Partition $partition -FileSystem NTFS -NewFileSystemLabel $VolumeLabel -AllocationUnitSize 65536 -Confirm:$false | Out-Null
    } else {
        # A re-run, or the retained volume attached to a replacement server: keep its content.
        $partition = Get-Partition -DiskNumber $disk.Number | Where-Object { $_.Type -ne 'Reserved' } | Sort-Object Size -Descending | Select-Object -First 1
        if (-not $partition) { throw "disk $($disk.Number) ($UpdateStoreVolumeId) is initialised but has no data partition: inspect it by hand" }
        if ($partition.DriveLetter -ne $DriveLetter) {
            Write-Information "Moving the update store from $($partition.DriveLetter): to ${DriveLetter}:" -InformationAction Continue
            Set-Partition -InputObject $partition -NewDriveLetter $DriveLetter
        }
    }
    $content = "${DriveLetter}:\WSUS"
    New-Item -ItemType Directory -Force -Path $content | Out-Null
    return $content
}

function Install-Wsus([string] $content) {
    if (-not (Get-WindowsFeature -Name UpdateServices).Installed) {
        Write-Output 'Installing the UpdateServices role with management tools'
        Install-WindowsFeature -Name UpdateServices -IncludeManagementTools | Out-Null
    }
    # Set-WsusPool and Set-SslBinding import the WebAdministration module, which "IIS Management
    # Scripts and Tools" installs; no page read here says the UpdateServices role brings it, and
    # Install-WindowsFeature leaves an installed feature as it is.
    if (-not (Get-WindowsFeature -Name Web-Scripting-Tools).Installed) {
        $result = Install-WindowsFeature -Name Web-Scripting-Tools
        if (-not $result.Success) { throw "Install-WindowsFeature Web-Scripting-Tools failed: $($result.ExitCode)" }
    }
    $wsusutil = Join-Path $env:ProgramFiles 'Update Services\Tools\wsusutil.exe'
    $setup = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Update Services\Server\Setup' -ErrorAction SilentlyContinue
    if ($setup.ContentDir -ne $content) {
        Write-Output "Running wsusutil postinstall CONTENT_DIR=$content"
        & $wsusutil postinstall "CONTENT_DIR=$content"
        if ($LASTEXITCODE -ne 0) { throw "wsusutil postinstall failed with exit code $LASTEXITCODE" }
    }
}

# WSUS administration API facts (Microsoft.UpdateServices.Administration reference, read 2026-11-27):
# - ISubscription.GetLastSynchronizationInfo() never returns $null: "If the synchronization process has
#   never run, Result is NeverRun" (SynchronizationResult: NeverRun, Succeeded, Failed, Canceled,
#   Unknown). ISynchronizationInfo.Id is the GUID of that synchronisation.
# - ISubscription.GetSynchronizationStatus() is NotProcessing, Running or Stopping; a synchronisation
#   goes Running -> Stopping -> NotProcessing, and its events are available only at NotProcessing.
# - IUpdateServer.GetUpdateCategories() lists every category (company, product family, product) the
#   server knows, IUpdateServer.GetUpdateClassifications() every classification: a new server knows
#   none until a synchronisation (StartSynchronizationForCategoryOnly is enough) has run.

function Wait-SynchronizationIdle($subscription, [TimeSpan] $timeout) {
    $deadline = (Get-Date).Add($timeout)
    while ($subscription.GetSynchronizationStatus() -ne 'NotProcessing') {
        if ((Get-Date) -gt $deadline) { throw "a WSUS synchronisation was still running after $timeout" }
        Start-Sleep -Seconds 30
    }
}

function Wait-Synchronization($subscription, $previous, [TimeSpan] $timeout) {
    # Right after it is started a synchronisation may still read NotProcessing, and the last
    # synchronisation info stays $previous (NeverRun on a new server) until the new one is done: wait
    # for NotProcessing AND another synchronisation than $previous, never judge by the previous result.
    $deadline = (Get-Date).Add($timeout)
    while ($true) {
        if ($subscription.GetSynchronizationStatus() -eq 'NotProcessing') {
            $last = $subscription.GetLastSynchronizationInfo()
            if ($last.Id -ne $previous.Id) { break }
        }
        if ((Get-Date) -gt $deadline) { throw "the WSUS synchronisation did not finish within $timeout" }
        Start-Sleep -Seconds 30
    }
    if ($last.Result -ne 'Succeeded') { throw "WSUS synchronisation ended with $($last.Result): can the server reach Microsoft Update on 80/443?" }
}

function Get-MissingCatalogueTitle($wsus, [string[]] $products, [string[]] $classifications) {
    $knownProducts = foreach ($category in $wsus.GetUpdateCategories()) { $category.Title }
    $knownClassifications = foreach ($classification in $wsus.GetUpdateClassifications()) { $classification.Title }
    @($products | Where-Object { $_ -notin $knownProducts }) + @($classifications | Where-Object { $_ -notin $knownClassifications })
}

function Update-Catalogue($wsus, $subscription, [string[]] $products, [string[]] $classifications) {
    # Synchronises the category catalogue (minutes) when a wanted product or classification title is
    # not in it: on a new server, and when Microsoft adds a product the configuration names. Returns
    # whether it did; its progress goes to the information stream so that only the answer is returned.
    $missing = Get-MissingCatalogueTitle $wsus $products $classifications
    if ($missing.Count -eq 0) { return $false }
    Write-Information "Synchronising the category catalogue: not in it yet: $($missing -join '; ')" -InformationAction Continue
    $timeout = [TimeSpan]::FromMinutes(45)
    Wait-SynchronizationIdle $subscription $timeout # one synchronisation at a time; a running one is not ours to judge
    $previous = $subscription.GetLastSynchronizationInfo()
    $subscription.StartSynchronizationForCategoryOnly()
    Wait-Synchronization $subscription $previous $timeout
    return $true
}

function Test-SynchronizationNeeded($subscription, [bool] $categoriesSynchronised, [int] $updateCount) {
    # A run that had to synchronise the catalogue has just selected products whose updates WSUS does
    # not have yet: it starts the full synchronisation itself (its last synchronisation is the
    # category-only one, which succeeded moments ago). So does a server that holds no update at all
    # (IUpdateServer.GetUpdateCount, "the number of all available drivers and software updates"):
    # its full synchronisation never ran, as when a run failed after the category-only one, whose
    # success would otherwise read as a recent synchronisation. Otherwise one starts when the last
    # did not succeed (NeverRun included) or is older than a day.
    if ($categoriesSynchronised -or $updateCount -eq 0) { return $true }
    $last = $subscription.GetLastSynchronizationInfo()
    return ($null -eq $last) -or ($last.Result -ne 'Succeeded') -or ($last.StartTime -lt (Get-Date).ToUniversalTime().AddDays(-1))
}

function Set-WsusConfiguration($wsus, [string[]] $languages, [string[]] $targetGroups) {
    $config = $wsus.GetConfiguration()
    $config.SyncFromMicrosoftUpdate = $true
    $config.AllUpdateLanguagesEnabled = $false
    # A code WSUS does not support fails SetEnabledUpdateLanguages with an ArgumentException that
    # does not name it; SupportedUpdateLanguages holds lower-case codes, compared case-sensitively.
    $unsupported = @($languages | Where-Object { -not $config.SupportedUpdateLanguages.Contains($_) })
    if ($unsupported.Count -gt 0) {
        throw "WSUS does not support the update language(s) $($unsupported -join ', '): use codes of SupportedUpdateLanguages: $($config.SupportedUpdateLanguages -join ', ')"
    }
    $enabledLanguages = New-Object System.Collections.Specialized.StringCollection
    $enabledLanguages.AddRange([string[]] $languages)
    $config.SetEnabledUpdateLanguages($enabledLanguages)
    # Client-side targeting: instances name their group in the TargetGroup policy value.
    $config.TargetingMode = if ($targetGroups.Count -gt 0) { 'Client' } else { 'Server' }
    $config.Save()
}

function Set-WsusSelection($wsus, [string[]] $products, [string[]] $classifications, [string[]] $targetGroups) {
    # Fail loudly on an unknown title: WSUS would otherwise save an empty selection and approve nothing.
    $missing = Get-MissingCatalogueTitle $wsus $products $classifications
    if ($missing.Count -gt 0) { throw "not in the WSUS catalogue after synchronising it: $($missing -join '; ')" }
    $allProducts = Get-WsusProduct
    $allProducts | Where-Object { $_.Product.Title -in $products } | Set-WsusProduct
    $allProducts | Where-Object { $_.Product.Title -notin $products } | Set-WsusProduct -Disable
    $allClassifications = Get-WsusClassification
    $allClassifications | Where-Object { $_.Classification.Title -in $classifications } | Set-WsusClassification
    $allClassifications | Where-Object { $_.Classification.Title -notin $classifications } | Set-WsusClassification -Disable

    $existing = $wsus.GetComputerTargetGroups().Name
    foreach ($group in $targetGroups) {
        if ($group -notin $existing) { $wsus.CreateComputerTargetGroup($group) | Out-Null }
    }
}

function Set-SyncSchedule($subscription) {
    $hours, $minutes = $SyncTimeUtc -split ':'
    $subscription.SynchronizeAutomatically = $true
    $subscription.SynchronizeAutomaticallyTimeOfDay = New-TimeSpan -Hours $hours -Minutes $minutes
    $subscription.NumberOfSynchronizationsPerDay = $SyncsPerDay
    $subscription.Save()
}

function Set-ApprovalRule($wsus, [string[]] $classifications) {
    $name = 'privatepatch: approve baseline classifications'
    $rule = $wsus.GetInstallApprovalRules() | Where-Object { $_.Name -eq $name }
    if (-not $rule) { $rule = $wsus.CreateInstallApprovalRule($name) }
    $selected = New-Object Microsoft.UpdateServices.Administration.UpdateClassificationCollection
    $wsus.GetUpdateClassifications() | Where-Object { $_.Title -in $classifications } | ForEach-Object { $selected.Add($_) | Out-Null }
    $rule.SetUpdateClassifications($selected)
    $groups = New-Object Microsoft.UpdateServices.Administration.ComputerTargetGroupCollection
    $groups.Add(($wsus.GetComputerTargetGroups() | Where-Object { $_.Id -eq [Microsoft.UpdateServices.Administration.ComputerTargetGroupId]::AllComputers })) | Out-Null
    $rule.SetComputerTargetGroups($groups)
    $rule.Enabled = $true
    $rule.Save()
    return $rule
}

function Set-WsusPool {
    # Microsoft's guidance for WsusPool: a longer queue and no memory-based or periodic
    # recycling, which otherwise stop client scans with HTTP 503 under load.
    Import-Module WebAdministration
    $pool = 'IIS:\AppPools\WsusPool'
    Set-ItemProperty $pool -Name queueLength -Value 2000
    Set-ItemProperty $pool -Name processModel.idleTimeout -Value ([TimeSpan]::Zero)
    Set-ItemProperty $pool -Name recycling.periodicRestart.privateMemory -Value 0
    Set-ItemProperty $pool -Name recycling.periodicRestart.time -Value ([TimeSpan]::Zero)
    Set-ItemProperty $pool -Name failure.rapidFailProtection -Value $false
}

function Set-SslBinding([string] $thumbprint) {
    # Idempotent: IIS refuses to add a second certificate to a binding, so a re-run keeps a
    # binding that already has this certificate and replaces one that has another.
    Import-Module WebAdministration
    $site = 'WSUS Administration'
    $binding = Get-WebBinding -Name $site -Protocol https -Port 8531
    if (-not $binding) {
        New-WebBinding -Name $site -Protocol https -Port 8531
        $binding = Get-WebBinding -Name $site -Protocol https -Port 8531
    }
    if ($binding.certificateHash -eq $thumbprint) { return $false }
    if ($binding.certificateHash) {
        Write-Information "Replacing certificate $($binding.certificateHash) on port 8531" -InformationAction Continue
        $binding.RemoveSslCertificate()
    }
    $binding.AddSslCertificate($thumbprint, 'My')
    return $true
}

function Set-Tls {
    if ($Port -ne '8531') { return }
    if ($CertificateThumbprint -notmatch '^[0-9A-Fa-f]{40}$') { throw 'port 8531 needs CertificateThumbprint' }
    $thumbprint = $CertificateThumbprint.ToUpperInvariant()
    $certificate = Get-Item "Cert:\LocalMachine\My\$thumbprint" -ErrorAction SilentlyContinue
    if (-not $certificate) { throw "certificate $thumbprint is not in LocalMachine\My: import it first" }
    if (-not $ServerName) { throw 'port 8531 needs ServerName, the name clients use and the certificate names' }
    Set-SslBinding $thumbprint | Out-Null
    foreach ($app in 'ApiRemoting30', 'ClientWebService', 'DSSAuthWebService', 'ServerSyncWebService', 'SimpleAuthWebService') {
        Set-WebConfigurationProperty -PSPath 'IIS:\' -Location "WSUS Administration/$app" -Filter 'system.webServer/security/access' -Name sslFlags -Value 'Ssl'
    }
    $wsusutil = Join-Path $env:ProgramFiles 'Update Services\Tools\wsusutil.exe'
    & $wsusutil configuressl $ServerName
    if ($LASTEXITCODE -ne 0) { throw "wsusutil configuressl failed with exit code $LASTEXITCODE" }
}

function Open-Firewall {
    foreach ($p in 8530, 8531) {
        $name = "privatepatch WSUS $p"
        if (-not (Get-NetFirewallRule -DisplayName $name -ErrorAction SilentlyContinue)) {
            New-NetFirewallRule -DisplayName $name -Direction Inbound -Protocol TCP -LocalPort $p -Action Allow | Out-Null
        }
    }
}

# Dot-sourced (by the Pester tests in wsus-setup.Tests.ps1): define the functions, run nothing.
if ($MyInvocation.InvocationName -eq '.') { return }

$logDir = Join-Path $env:ProgramData 'privatepatch'
New-Item -ItemType Directory -Force -Path $logDir | Out-Null
Start-Transcript -Path (Join-Path $logDir ('wsus-setup-{0:yyyyMMdd-HHmmss}.log' -f (Get-Date))) -Append | Out-Null
try {
    $content = Initialize-UpdateStore
    Install-Wsus $content
    Open-Firewall
    $wsus = Get-WsusServer # the local server, through the API rather than web remoting
    $productList = Split-List $Products
    $classificationList = Split-List $Classifications
    $targetGroupList = Split-List $TargetGroups
    Set-WsusConfiguration $wsus (Split-List $Languages) $targetGroupList
    $subscription = $wsus.GetSubscription()
    $categoriesSynchronised = Update-Catalogue $wsus $subscription $productList $classificationList
    Set-WsusSelection $wsus $productList $classificationList $targetGroupList
    # Set-WsusProduct and Set-WsusClassification saved the selection through their own copies of
    # the subscription: read it again, so that saving the schedule cannot write back the one read
    # before (Configure-WSUSServer.ps1 of the Azure Architecture Center's WSUS deployment reads it
    # again there too; read 2026-12-06).
    $subscription = $wsus.GetSubscription()
    Set-SyncSchedule $subscription
    $rule = Set-ApprovalRule $wsus $classificationList
    Set-WsusPool
    if (Test-SynchronizationNeeded $subscription $categoriesSynchronised ($wsus.GetUpdateCount())) {
        # A new selection, or the daily one has not succeeded: clients get nothing until it does.
        Write-Output 'Starting a full synchronisation; the approval rule runs when it finishes'
        if ($subscription.GetSynchronizationStatus() -eq 'NotProcessing') { $subscription.StartSynchronization() }
    } else {
        $rule.ApplyRule()
    }
    # Last: the synchronisation from Microsoft Update needs no client port, and a certificate not
    # yet imported (port 8531) fails this run without holding the first synchronisation back a day.
    Set-Tls
    Write-Output "WSUS is configured: content $content, port $Port, products: $Products; classifications: $Classifications"
} catch {
    Write-Error "WSUS setup failed: $_"
    exit 1
} finally {
    Stop-Transcript | Out-Null
}
