#Requires -Version 7.4
<#
    Pester 5 tests of New-ZcrmBulkWriteJob's uploads ahead (issue 13): a finished job file of a long input is uploaded
    while the next rows are still read, and its job is created only once the whole input has been read and checked.
    So a row refused late makes no job (an uploaded file makes none, and changes no record), and the error says which
    files may have been uploaded. -WhatIf, -Confirm and -BackupPath upload nothing ahead.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    $emu = Start-ZcrmTestEmulator -BulkStepMs 20 -RefreshLimit 100000
    $static = Get-ZcrmStaticParameter -Emulator $emu
    Connect-Zcrm @static

    function Get-Upload([int]$Since) { @(Get-ZcrmEmulatorRequest -Emulator $emu -Method POST -PathLike "*/upload") | Select-Object -Skip $Since }
    function Get-Create([int]$Since) { @(Get-ZcrmEmulatorRequest -Emulator $emu -Method POST -PathLike '/crm/bulk/*/write') | Select-Object -Skip $Since }

    # Rows 1..$Count; at row $At, waits (up to 20 s) for an upload to arrive and notes the uploads and creates seen then.
    function New-AheadRows([int]$Count, [int]$At, [hashtable]$Seen, [string]$Tag, [int]$UploadsBefore, [int]$CreatesBefore, [switch]$WaitForUpload) {
        for ($i = 1; $i -le $Count; $i++) {
            if ($i -eq $At) {
                $deadline = [DateTime]::UtcNow.AddSeconds(20)
                do {
                    $Seen.Uploads = @(Get-Upload $UploadsBefore).Count
                    if (-not $WaitForUpload -or $Seen.Uploads -ge 1) { break }
                    Start-Sleep -Milliseconds 100
                } while ([DateTime]::UtcNow -lt $deadline)
                $Seen.Creates = @(Get-Create $CreatesBefore).Count
            }
            [pscustomobject]@{ Last_Name = "Ahead $i"; Email = "ahead-$Tag-$i@example.com" }
        }
    }
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmTestEmulator -Emulator $emu
}

Describe 'Uploads ahead' {
    It 'uploads a finished job file while later rows are still read, and creates the jobs only after the input ends' {
        $seen = @{}
        $uploads = @(Get-Upload 0).Count; $creates = @(Get-Create 0).Count
        $jobs = @(New-AheadRows -Count 50001 -At 45000 -Seen $seen -Tag 'a1' -UploadsBefore $uploads -CreatesBefore $creates -WaitForUpload |
                New-ZcrmBulkWriteJob -Module Leads -Force)
        $seen.Uploads | Should -Be 1 -Because 'rows 1-25000 were uploaded while row 45000 was being read'
        $seen.Creates | Should -Be 0 -Because 'no job is created before the whole input is read and checked'
        $jobs | Should -HaveCount 3
        $jobs | ForEach-Object { "$($_.FirstRow)-$($_.LastRow)" } | Should -Be @('1-25000', '25001-50000', '50001-50001')
        @(Get-Upload $uploads) | Should -HaveCount 3 -Because 'each file is uploaded once'
        @(Get-Create $creates) | Should -HaveCount 3
        ($jobs | ForEach-Object FileId | Sort-Object -Unique) | Should -HaveCount 3
    }

    It 'makes no job when a later row is refused, and names the files that may have been uploaded' {
        $seen = @{}
        $uploads = @(Get-Upload 0).Count; $creates = @(Get-Create 0).Count
        $rows = & { New-AheadRows -Count 50000 -At 45000 -Seen $seen -Tag 'a2' -UploadsBefore $uploads -CreatesBefore $creates -WaitForUpload
            [pscustomobject]@{ Last_Name = 'Late'; Email = 'late-a2@example.com'; Extra = 'x' } }
        $r = Invoke-ZcrmCaptured { $rows | New-ZcrmBulkWriteJob -Module Leads -Force }
        $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'ZohoCrm.UnknownColumn,*'
        $r.Terminating.Exception.Message | Should -BeLikeExactly "Row 50001 has the property 'Extra'*No job was created (the files of rows 1-25000 may have been uploaded ahead; an uploaded file makes no job and changes no record)*"
        @(Get-Create $creates) | Should -HaveCount 0
        @(Get-Upload $uploads).Count | Should -BeLessOrEqual 1
    }

    It 'uploads nothing ahead with <Name>' -ForEach @(
        @{ Name = '-WhatIf'; Extra = @{ WhatIf = $true } }
        @{ Name = '-Confirm:$false without -Force still uploads ahead (no question is asked)'; Extra = @{ Confirm = $false }; Ahead = $true }
    ) {
        $seen = @{}
        $uploads = @(Get-Upload 0).Count; $creates = @(Get-Create 0).Count
        $extra = $Extra
        $null = New-AheadRows -Count 25002 -At 25002 -Seen $seen -Tag "a3$($Name.Length)" -UploadsBefore $uploads -CreatesBefore $creates -WaitForUpload:([bool]$Ahead) |
            New-ZcrmBulkWriteJob -Module Leads @extra -InformationAction SilentlyContinue
        $seen.Uploads | Should -Be ($(if ($Ahead) { 1 } else { 0 }))
    }
}
