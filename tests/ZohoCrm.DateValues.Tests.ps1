#Requires -Version 7.4
<#
    Pester 5 tests that a [datetimeoffset] or a [datetime] of any Kind means the same instant in Zoho whichever way it
    is sent: mass update (JSON) and bulk write (CSV cells, in Zoho's default format and in a mapping's Format). Both
    paths use one conversion (src/ZohoCrm/Http/DateValues.cs, unit-tested in tests/ZohoCrm.Tests/DateValuesTests.cs);
    here the emulator's stored records show it end to end. Part of the end-to-end suite (tests/*.Tests.ps1).

    Build first (./build.ps1, or `dotnet build ZohoCrm.sln`), then:  Invoke-Pester ./tests/ZohoCrm.DateValues.Tests.ps1
    On Linux and macOS the test runs with this process's time zone set to Asia/Kolkata (+05:30) through $env:TZ, so a
    local or unspecified [datetime] is not also UTC; the zone is put back afterwards. The emulator reads a bulk write
    cell without an offset as UTC, as Zoho does.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    # The instant a stored Last_Contacted (Zoho's ISO text, read as text: Invoke-RestMethod would make it a [datetime]).
    function Get-StoredInstant {
        param([Parameter(Mandatory)][object]$Emulator, [Parameter(Mandatory)][string]$Id)
        $json = Get-ZcrmEmulatorRecordJson -Emulator $Emulator -Module Leads -Id $Id
        $text = (Get-ZcrmJsonValue -Json $json -Path 'Last_Contacted').Text
        $text | Should -Not -BeNullOrEmpty -Because "record $Id has a Last_Contacted"
        [datetimeoffset]::Parse($text, [cultureinfo]::InvariantCulture)
    }
}

Describe 'Dates keep their instant in mass update and bulk write' {
    BeforeAll {
        $emu = Start-ZcrmTestEmulator -BulkStepMs 50 -RefreshLimit 100000
        Connect-Zcrm -ApiDomain $emu.BaseUrl -AccessToken $emu.AccessToken -RetryBaseDelay ([timespan]::FromMilliseconds(20))
        $savedTz = $env:TZ
        if (-not $IsWindows) { $env:TZ = 'Asia/Kolkata'; [System.TimeZoneInfo]::ClearCachedData() }
    }
    AfterAll {
        if (-not $IsWindows) { $env:TZ = $savedTz; [System.TimeZoneInfo]::ClearCachedData() }
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'stores <Name> as the same instant both ways (bulk write format: <Format>)' -TestCases @(
        foreach ($format in @('default', 'yyyy-MM-dd HH:mm:ss')) {
            @{ Name = '[datetimeoffset] 09:30+05:00'; Format = $format; Value = { [datetimeoffset]'2024-03-01T09:30:00+05:00' } }
            @{ Name = '[datetimeoffset] 09:30-08:00'; Format = $format; Value = { [datetimeoffset]'2024-03-01T09:30:00-08:00' } }
            @{ Name = '[datetime] Utc'; Format = $format; Value = { [datetime]::SpecifyKind([datetime]'2024-03-01 09:30:00', 'Utc') } }
            @{ Name = '[datetime] Local'; Format = $format; Value = { [datetime]::SpecifyKind([datetime]'2024-03-01 09:30:00', 'Local') } }
            @{ Name = '[datetime] Unspecified'; Format = $format; Value = { [datetime]'2024-03-01 09:30:00' } }
        }
    ) {
        $value = & $Value
        # What the value means: PowerShell's own [datetimeoffset] conversion (a local or unspecified [datetime] at this
        # machine's offset).
        $expected = ([datetimeoffset]$value).UtcDateTime
        if (-not $IsWindows -and $value -is [datetime] -and $value.Kind -ne 'Utc') {
            ([datetimeoffset]$value).Offset | Should -Be ([timespan]'05:30') -Because 'the test runs at +05:30'
        }

        # Bulk write: one row, with or without a mapping's Format.
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $row = [pscustomobject][ordered]@{ Last_Name = "Date $tag"; Last_Contacted = $value }
        $mapping = if ($Format -ne 'default') { @{ Last_Name = 'Last_Name'; Last_Contacted = @{ Column = 'Last_Contacted'; Format = $Format } } }
        $bulk = Invoke-ZcrmCaptured { if ($mapping) { $row | New-ZcrmBulkWriteJob Leads -FieldMapping $mapping -Wait | Get-ZcrmBulkWriteResult } else { $row | New-ZcrmBulkWriteJob Leads -Wait | Get-ZcrmBulkWriteResult } }
        Assert-ZcrmNoError $bulk
        $bulk.Output | Should -HaveCount 1
        $bulk.Output[0].Status | Should -BeExactly 'added'
        $id = [string]$bulk.Output[0].RecordId
        $fromBulk = Get-StoredInstant -Emulator $emu -Id $id

        # Mass update of the same record with the same value.
        $update = Invoke-ZcrmCaptured { Invoke-ZcrmMassUpdate -Module Leads -Data @{ Last_Contacted = $value } -Id $id -Force }
        Assert-ZcrmNoError $update
        $update.Output[0].Status | Should -BeExactly 'success'
        $fromMassUpdate = Get-StoredInstant -Emulator $emu -Id $id

        $fromBulk.UtcDateTime | Should -Be $expected -Because 'bulk write keeps the instant'
        $fromMassUpdate.UtcDateTime | Should -Be $expected -Because 'mass update keeps the instant'
    }
}
