# Pester 5 tests of wsus-setup.ps1's decisions, with the Windows-only cmdlets replaced by stubs so
# that they run on any PowerShell 7: `make test-ps` (needs pwsh; CI machines have none, so it is
# not part of `make test`). What these cannot show, the manual check in docs/wsus.md does.

BeforeAll {
    # Stubs for cmdlets of the Storage and WebAdministration modules, which Mock then replaces.
    foreach ($name in 'Get-Disk', 'Set-Disk', 'Initialize-Disk', 'New-Partition', 'Format-Volume', 'Get-Partition',
        'Set-Partition', 'Get-WebBinding', 'New-WebBinding', 'Get-WsusProduct', 'Set-WsusProduct', 'Get-WsusClassification',
        'Set-WsusClassification') {
        Set-Item -Path "function:global:$name" -Value { @() }
    }
    . (Join-Path $PSScriptRoot 'wsus-setup.ps1') -UpdateStoreVolumeId 'vol-0123456789abcdef0'

    # A fake WSUS server with the documented shapes: before any synchronisation the last synchronisation
    # info is there with Result NeverRun (never $null), and the catalogue (GetUpdateCategories,
    # GetUpdateClassifications) is empty. A started synchronisation first still reads NotProcessing, then
    # Running and Stopping, and only at NotProcessing again does the last synchronisation info change.
    function New-FakeWsus([string[]] $products, [string[]] $classifications, [string] $outcome = 'Succeeded') {
        $wsus = [pscustomobject]@{
            AllProducts = $products; AllClassifications = $classifications; KnownProducts = @(); KnownClassifications = @()
        }
        $wsus | Add-Member ScriptMethod GetUpdateCategories { foreach ($t in $this.KnownProducts) { [pscustomobject]@{ Title = $t } } }
        $wsus | Add-Member ScriptMethod GetUpdateClassifications { foreach ($t in $this.KnownClassifications) { [pscustomobject]@{ Title = $t } } }
        $subscription = [pscustomobject]@{
            Server = $wsus; Outcome = $outcome; CategorySyncs = 0; Phases = $null
            Info = [pscustomobject]@{ Id = [guid]::Empty; Result = 'NeverRun'; StartTime = [datetime]::MinValue }
        }
        $subscription | Add-Member ScriptMethod GetLastSynchronizationInfo { $this.Info }
        $subscription | Add-Member ScriptMethod StartSynchronizationForCategoryOnly {
            $this.CategorySyncs++
            $this.Phases = [System.Collections.Generic.Queue[string]]::new([string[]] @('NotProcessing', 'Running', 'Stopping', 'Done'))
        }
        $subscription | Add-Member ScriptMethod GetSynchronizationStatus {
            if ($null -eq $this.Phases -or $this.Phases.Count -eq 0) { return 'NotProcessing' }
            $phase = $this.Phases.Dequeue()
            if ($phase -ne 'Done') { return $phase }
            $this.Info = [pscustomobject]@{ Id = [guid]::NewGuid(); Result = $this.Outcome; StartTime = (Get-Date).ToUniversalTime() }
            if ($this.Outcome -eq 'Succeeded') {
                $this.Server.KnownProducts = $this.Server.AllProducts
                $this.Server.KnownClassifications = $this.Server.AllClassifications
            }
            return 'NotProcessing'
        }
        $wsus | Add-Member NoteProperty Subscription $subscription
        $wsus
    }
}

Describe 'Find-UpdateStoreDisk' {
    BeforeAll {
        Mock Get-Disk {
            [pscustomobject]@{ Number = 0; SerialNumber = 'vol0aaaaaaaaaaaaaaaa'; PartitionStyle = 'GPT' }
            [pscustomobject]@{ Number = 1; SerialNumber = 'AWS-EPHEMERAL'; PartitionStyle = 'RAW' }
            [pscustomobject]@{ Number = 2; SerialNumber = 'vol0123456789abcdef0_00000001.'; PartitionStyle = 'RAW' }
            [pscustomobject]@{ Number = 3; SerialNumber = 'AWS-NVME'; AdapterSerialNumber = 'vol0fedcba9876543210'; PartitionStyle = 'RAW' }
        }
    }
    It 'finds the volume id in AdapterSerialNumber too' {
        (Find-UpdateStoreDisk 'vol-0fedcba9876543210').Number | Should -Be 3
    }
    It 'picks the NVMe disk whose serial number is the volume id, not the first raw disk' {
        (Find-UpdateStoreDisk 'vol-0123456789abcdef0').Number | Should -Be 2
    }
    It 'finds nothing when the volume is not attached' {
        Find-UpdateStoreDisk 'vol-0ffffffffffffffff' | Should -BeNullOrEmpty
    }
}

Describe 'Initialize-UpdateStore' {
    It 'reuses a volume that already holds the update store instead of formatting it' {
        Mock Get-Disk { [pscustomobject]@{ Number = 2; SerialNumber = 'vol0123456789abcdef0'; PartitionStyle = 'GPT'; IsOffline = $false; IsReadOnly = $false } }
        Mock Get-Partition { [pscustomobject]@{ Type = 'Basic'; Size = 200GB; DriveLetter = 'W' } }
        Mock Format-Volume { throw 'must not format' }
        Mock New-Item { @() }
        Initialize-UpdateStore | Should -Be 'W:\WSUS'
        Should -Invoke Format-Volume -Times 0
    }
    It 'returns only the content path when it formats a new volume, its progress going to the information stream' {
        Mock Get-Disk { [pscustomobject]@{ Number = 2; SerialNumber = 'vol0123456789abcdef0'; PartitionStyle = 'RAW'; Size = 200GB; IsOffline = $true; IsReadOnly = $false } }
        Mock Set-Disk { @() }
        Mock Initialize-Disk { @() }
        Mock New-Partition { [pscustomobject]@{ DriveLetter = 'W' } }
        Mock Format-Volume { [pscustomobject]@{ DriveLetter = 'W' } }
        Mock New-Item { @() }
        $content = @(Initialize-UpdateStore 6>$null)
        $content.Count | Should -Be 1
        $content[0] | Should -Be 'W:\WSUS'
        Should -Invoke Format-Volume -Times 1
    }
    It 'fails with the reason when the volume is not attached' {
        Mock Get-Disk { @() }
        { Initialize-UpdateStore } | Should -Throw '*not attached*'
    }
}

Describe 'Set-SslBinding' {
    BeforeAll { Mock Import-Module { @() } }
    It 'keeps a binding that already has the certificate, so a second run succeeds' {
        $binding = [pscustomobject]@{ certificateHash = 'ABC' }
        $binding | Add-Member ScriptMethod AddSslCertificate { throw 'IIS: the binding already has a certificate' }
        Mock Get-WebBinding { $binding }
        Set-SslBinding 'ABC' | Should -BeFalse
    }
    It 'adds the certificate to a new binding' {
        $binding = [pscustomobject]@{ certificateHash = ''; added = $null }
        $binding | Add-Member ScriptMethod AddSslCertificate { param($hash, $store) $this.added = "$hash/$store" }
        Mock Get-WebBinding { $binding }
        Set-SslBinding 'ABC' | Should -BeTrue
        $binding.added | Should -Be 'ABC/My'
    }
    It 'replaces another certificate' {
        $binding = [pscustomobject]@{ certificateHash = 'OLD'; removed = $false; added = $null }
        $binding | Add-Member ScriptMethod RemoveSslCertificate { $this.removed = $true }
        $binding | Add-Member ScriptMethod AddSslCertificate { param($hash, $store) $this.added = $hash }
        Mock Get-WebBinding { $binding }
        Set-SslBinding 'NEW' | Should -BeTrue
        $binding.removed | Should -BeTrue
        $binding.added | Should -Be 'NEW'
    }
}

Describe 'Update-Catalogue' {
    BeforeAll { Mock Start-Sleep { @() } }
    It 'synchronises the categories on a new server, whose last synchronisation is NeverRun, and waits for that synchronisation' {
        $wsus = New-FakeWsus @('Microsoft Server operating system-21H2') @('Critical Updates', 'Security Updates')
        Update-Catalogue $wsus $wsus.Subscription @('Microsoft Server operating system-21H2') @('Security Updates') 6>$null | Should -BeTrue
        $wsus.Subscription.CategorySyncs | Should -Be 1
        Get-MissingCatalogueTitle $wsus @('Microsoft Server operating system-21H2') @('Security Updates') | Should -BeNullOrEmpty
    }
    It 'synchronises the categories when a wanted title is missing from a catalogue that has others' {
        $wsus = New-FakeWsus @('Windows Server 2019', 'Microsoft Server operating system-24H2') @('Security Updates')
        $wsus.KnownProducts = @('Windows Server 2019')
        $wsus.KnownClassifications = @('Security Updates')
        Update-Catalogue $wsus $wsus.Subscription @('Microsoft Server operating system-24H2') @('Security Updates') 6>$null | Should -BeTrue
        $wsus.Subscription.CategorySyncs | Should -Be 1
    }
    It 'leaves a complete catalogue alone' {
        $wsus = New-FakeWsus @('Windows Server 2019') @('Security Updates')
        $wsus.KnownProducts = @('Windows Server 2019')
        $wsus.KnownClassifications = @('Security Updates')
        Update-Catalogue $wsus $wsus.Subscription @('Windows Server 2019') @('Security Updates') | Should -BeFalse
        $wsus.Subscription.CategorySyncs | Should -Be 0
    }
    It 'fails with the result of the new synchronisation when it fails' {
        $wsus = New-FakeWsus @('Windows Server 2019') @('Security Updates') 'Failed'
        { Update-Catalogue $wsus $wsus.Subscription @('Windows Server 2019') @('Security Updates') 6>$null } | Should -Throw '*ended with Failed*'
    }
}

Describe 'Wait-Synchronization' {
    BeforeAll { Mock Start-Sleep { @() } }
    It 'does not take the previous result (NeverRun) for the result of a synchronisation that has not started yet' {
        $wsus = New-FakeWsus @('Windows Server 2019') @('Security Updates')
        $previous = $wsus.Subscription.GetLastSynchronizationInfo()
        $wsus.Subscription.StartSynchronizationForCategoryOnly()
        { Wait-Synchronization $wsus.Subscription $previous ([TimeSpan]::FromMinutes(5)) } | Should -Not -Throw
        $wsus.Subscription.GetLastSynchronizationInfo().Result | Should -Be 'Succeeded'
    }
    It 'gives up after its timeout' {
        $wsus = New-FakeWsus @('Windows Server 2019') @('Security Updates')
        $previous = $wsus.Subscription.GetLastSynchronizationInfo() # nothing was started: the info never changes
        { Wait-Synchronization $wsus.Subscription $previous ([TimeSpan]::Zero) } | Should -Throw '*did not finish*'
    }
}

Describe 'Test-SynchronizationNeeded' {
    BeforeAll {
        function New-Subscription($result, $age) {
            $info = [pscustomobject]@{ Result = $result; StartTime = (Get-Date).ToUniversalTime().Add(-$age) }
            $subscription = [pscustomobject]@{ info = $info }
            $subscription | Add-Member ScriptMethod GetLastSynchronizationInfo { $this.info }
            $subscription
        }
    }
    It 'starts the full synchronisation after a category-only one, which succeeded moments ago' {
        Test-SynchronizationNeeded (New-Subscription 'Succeeded' ([TimeSpan]::FromMinutes(1))) $true 0 | Should -BeTrue
    }
    It 'starts the full synchronisation of a server that holds no update, after a category-only one a failed run left' {
        Test-SynchronizationNeeded (New-Subscription 'Succeeded' ([TimeSpan]::FromHours(2))) $false 0 | Should -BeTrue
    }
    It 'starts the first synchronisation of a server that never synchronised (NeverRun, not $null)' {
        Test-SynchronizationNeeded (New-Subscription 'NeverRun' ([TimeSpan]::FromMinutes(1))) $false 0 | Should -BeTrue
    }
    It 'leaves a recent successful synchronisation alone' {
        Test-SynchronizationNeeded (New-Subscription 'Succeeded' ([TimeSpan]::FromHours(2))) $false 1200 | Should -BeFalse
    }
    It 'synchronises again after a failure or a day' {
        Test-SynchronizationNeeded (New-Subscription 'Failed' ([TimeSpan]::FromHours(2))) $false 1200 | Should -BeTrue
        Test-SynchronizationNeeded (New-Subscription 'Succeeded' ([TimeSpan]::FromHours(30))) $false 1200 | Should -BeTrue
    }
}

Describe 'Set-WsusConfiguration' {
    BeforeAll {
        # A configuration with WSUS's shapes: SupportedUpdateLanguages is a StringCollection of
        # lower-case codes (IUpdateServerConfiguration.SupportedUpdateLanguages).
        function New-FakeConfiguration {
            $supported = New-Object System.Collections.Specialized.StringCollection
            $supported.AddRange([string[]] @('en', 'ja', 'pt-br', 'zh-tw'))
            $config = [pscustomobject]@{ SupportedUpdateLanguages = $supported; Enabled = $null; Saved = $false
                SyncFromMicrosoftUpdate = $false; AllUpdateLanguagesEnabled = $true; TargetingMode = 'Server' }
            $config | Add-Member ScriptMethod SetEnabledUpdateLanguages { param($languages) $this.Enabled = @($languages) }
            $config | Add-Member ScriptMethod Save { $this.Saved = $true }
            $config
        }
    }

    It 'enables the languages WSUS supports and saves' {
        $config = New-FakeConfiguration
        $wsus = [pscustomobject]@{ Config = $config }
        $wsus | Add-Member ScriptMethod GetConfiguration { $this.Config }
        Set-WsusConfiguration $wsus @('en', 'zh-tw') @()
        $config.Enabled | Should -Be @('en', 'zh-tw')
        $config.Saved | Should -BeTrue
    }

    It 'names a language WSUS does not support, and saves nothing' {
        $config = New-FakeConfiguration
        $wsus = [pscustomobject]@{ Config = $config }
        $wsus | Add-Member ScriptMethod GetConfiguration { $this.Config }
        { Set-WsusConfiguration $wsus @('en', 'xx', 'ZH-TW') @() } | Should -Throw '*does not support the update language(s) xx, ZH-TW*'
        $config.Saved | Should -BeFalse
    }

    It 'names a single language WSUS does not support' {
        $config = New-FakeConfiguration
        $wsus = [pscustomobject]@{ Config = $config }
        $wsus | Add-Member ScriptMethod GetConfiguration { $this.Config }
        { Set-WsusConfiguration $wsus @('xx') @() } | Should -Throw '*does not support the update language(s) xx:*'
    }
}
