# Pester 5 tests of wsus-setup.ps1's decisions, with the Windows-only cmdlets replaced by stubs so
# that they run on any PowerShell 7: `make test-ps` (needs pwsh; CI machines have none, so it is
# not part of `make test`). What these cannot show, the manual check in docs/wsus.md does.

BeforeAll {
    # Stubs for cmdlets of the Storage and WebAdministration modules, which Mock then replaces.
    foreach ($name in 'Get-Disk', 'Set-Disk', 'Initialize-Disk', 'New-Partition', 'Format-Volume', 'Get-Partition',
        'Set-Partition', 'Get-WebBinding', 'New-WebBinding') {
        Set-Item -Path "function:global:$name" -Value { @() }
    }
    . (Join-Path $PSScriptRoot 'wsus-setup.ps1') -UpdateStoreVolumeId 'vol-0123456789abcdef0'
}

Describe 'Find-UpdateStoreDisk' {
    BeforeAll {
        Mock Get-Disk {
            [pscustomobject]@{ Number = 0; SerialNumber = 'vol0aaaaaaaaaaaaaaaa'; PartitionStyle = 'GPT' }
            [pscustomobject]@{ Number = 1; SerialNumber = 'AWS-EPHEMERAL'; PartitionStyle = 'RAW' }
            [pscustomobject]@{ Number = 2; SerialNumber = 'vol0123456789abcdef0_00000001.'; PartitionStyle = 'RAW' }
        }
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

Describe 'Test-SynchronizationNeeded' {
    BeforeAll {
        function New-Subscription($result, $age) {
            $info = [pscustomobject]@{ Result = $result; StartTime = (Get-Date).ToUniversalTime().Add(-$age) }
            $subscription = [pscustomobject]@{ info = $info }
            $subscription | Add-Member ScriptMethod GetLastSynchronizationInfo { $this.info }
            $subscription
        }
    }
    It 'starts the initial synchronisation on the first run, after the category-only one succeeded' {
        Test-SynchronizationNeeded (New-Subscription 'Succeeded' ([TimeSpan]::FromMinutes(1))) $true | Should -BeTrue
    }
    It 'leaves a recent successful synchronisation alone' {
        Test-SynchronizationNeeded (New-Subscription 'Succeeded' ([TimeSpan]::FromHours(2))) $false | Should -BeFalse
    }
    It 'synchronises again after a failure or a day' {
        Test-SynchronizationNeeded (New-Subscription 'Failed' ([TimeSpan]::FromHours(2))) $false | Should -BeTrue
        Test-SynchronizationNeeded (New-Subscription 'Succeeded' ([TimeSpan]::FromHours(30))) $false | Should -BeTrue
    }
}
