#Requires -Version 7.4
<#
    Pester 5 tests of undo: -BackupPath saves the current values of what a change will set, before it is sent, as a
    CSV that New-ZcrmBulkWriteJob -Operation update -FindBy id takes back. Against the local emulator, whose record
    reads (GET /crm/{v}/{Module}?ids=&fields=) serve the same records the mass updates and bulk writes change.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    $emu = Start-ZcrmTestEmulator -BulkStepMs 50 -RefreshLimit 100000
    $static = Get-ZcrmStaticParameter -Emulator $emu
    Connect-Zcrm @static
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) ("zcrm-undo-" + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $dir

    # What the change and its undo may touch besides the values: Zoho's own bookkeeping.
    $bookkeeping = @('Modified_Time', 'Modified_By', 'Last_Activity_Time')

    function Get-RecordText {
        # Each record as one line of its fields (bookkeeping left out), by id.
        param([string]$Module, [string[]]$Id)
        $want = [System.Collections.Generic.HashSet[string]]::new([string[]]$Id)
        $map = @{}
        foreach ($r in Get-ZcrmEmulatorRecord -Emulator $emu -Module $Module) {
            if (-not $want.Contains([string]$r.id)) { continue }
            $map[[string]$r.id] = ($r.PSObject.Properties | Where-Object Name -NotIn $bookkeeping | Sort-Object Name |
                    ForEach-Object { '{0}={1}' -f $_.Name, ($_.Value | ConvertTo-Json -Compress -Depth 5) }) -join '; '
        }
        $map
    }
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmTestEmulator -Emulator $emu
    Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Invoke-ZcrmMassUpdate -BackupPath' {
    It 'saves what 1,201 ids held before the change, and the bulk write of that file puts every record back' {
        $ids = [string[]]@(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Select-Object -Skip 4 -First 1201 | ForEach-Object { [string]$_.id })
        # Some of them empty before the change, so undo must clear as well as restore.
        $null = $ids[0..9] | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Industry = $null } -Force -ErrorAction Stop
        $before = Get-RecordText -Module Leads -Id $ids
        $backup = Join-Path $dir 'leads-industry.csv'

        $r = Invoke-ZcrmCaptured { $ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Industry = 'Undo test' } -BackupPath $backup -Force -Verbose }
        Assert-ZcrmNoError $r
        @($r.Output | Where-Object Status -EQ 'success') | Should -HaveCount 1201
        $r.Verbose | Should -Contain "Saved the values of 1201 Leads record(s) before the change to $backup. To put them back: New-ZcrmBulkWriteJob -Module Leads -Operation update -FindBy id -Path '$backup' -Wait"
        $saved = @(Import-Csv -LiteralPath $backup)
        $saved | Should -HaveCount 1201
        # Customer data: readable by its user only.
        if (-not $IsWindows) { [Convert]::ToString([int](Get-Item -LiteralPath $backup).UnixFileMode, 8) | Should -Be '600' }
        @($saved[0].PSObject.Properties.Name) | Should -BeExactly @('id', 'Industry')
        @($saved.id) | Should -BeExactly $ids
        @($saved | Select-Object -First 10 | Where-Object Industry -NE '') | Should -HaveCount 0
        # Each read ran before its batch's change: 13 reads of up to 100 ids (500, 500, 201 in batches), and every id of
        # a change was read before that change was sent (the batches go several at a time, so their order is free).
        $calls = @(Get-ZcrmEmulatorRequest -Emulator $emu | Where-Object { $_.path -like '*/Leads' -or $_.path -like '*/mass_update' } | Select-Object -Last 16)
        $readIds = [System.Collections.Generic.HashSet[string]]::new()
        $updates = 0
        foreach ($call in $calls) {
            if ($call.path -like '*/mass_update') {
                $updates++
                $sent = @((Get-ZcrmJsonValue -Json $call.body -Path 'ids').Items | ForEach-Object { [string]$_ })
                @($sent | Where-Object { -not $readIds.Contains($_) }) | Should -HaveCount 0 -Because 'every id of a change is read before the change is sent'
            }
            else { foreach ($id in ([regex]::Match($call.query, 'ids=([^&]*)').Groups[1].Value -split ',')) { $null = $readIds.Add($id) } }
        }
        $updates | Should -Be 3
        $readIds.Count | Should -Be 1201
        @(Get-RecordText -Module Leads -Id $ids[0]).Values | Should -BeLikeExactly '*Industry="Undo test"*'

        $undo = Invoke-ZcrmCaptured { New-ZcrmBulkWriteJob -Module Leads -Operation update -FindBy id -Path $backup -Wait | Get-ZcrmBulkWriteResult }
        Assert-ZcrmNoError $undo
        @($undo.Output | Where-Object Status -EQ 'updated') | Should -HaveCount 1201
        $after = Get-RecordText -Module Leads -Id $ids
        foreach ($id in $ids) { $after[$id] | Should -BeExactly $before[$id] -Because "record $id is as it was" }
    }

    It 'refuses a backup file that exists, before any request' {
        $existing = Join-Path $dir 'exists.csv'
        'id,Industry' | Set-Content -LiteralPath $existing
        $before = Get-ZcrmRequestCount -Emulator $emu
        $r = Invoke-ZcrmCaptured { Invoke-ZcrmMassUpdate -Module Leads -Data @{ Industry = 'X' } -Id 738964000002131001 -BackupPath $existing -Force }
        $r.Terminating.FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.FileExists,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
        $r.Terminating.Exception.Message | Should -BeLikeExactly "*$existing*already exists*"
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
        Get-Content -LiteralPath $existing | Should -BeExactly 'id,Industry'
    }

    It 'makes no file and sends nothing with -WhatIf' {
        $planned = Join-Path $dir 'whatif.csv'
        $before = Get-ZcrmWriteRequestCount -Emulator $emu
        $null = Invoke-ZcrmMassUpdate -Module Leads -Data @{ Industry = 'X' } -Id 738964000002131001 -BackupPath $planned -WhatIf
        Test-Path -LiteralPath $planned | Should -BeFalse
        Get-ZcrmWriteRequestCount -Emulator $emu | Should -Be $before
    }
}

Describe 'New-ZcrmBulkWriteJob -BackupPath' {
    It 'saves what an update by -FindBy Email will change, before the upload, and the bulk write of that file puts it back' {
        $leads = @(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Select-Object -Skip 1500 -First 120)
        $ids = [string[]]@($leads | ForEach-Object { [string]$_.id })
        $before = Get-RecordText -Module Leads -Id $ids
        $rows = @($leads | ForEach-Object { [pscustomobject]@{ Email = $_.Email; Industry = 'Bulk undo'; No_of_Employees = 4321 } })
        $backup = Join-Path $dir 'leads-bulk.csv'
        Clear-ZcrmEmulatorRequest -Emulator $emu

        $r = Invoke-ZcrmCaptured { $rows | New-ZcrmBulkWriteJob -Module Leads -Operation update -FindBy Email -BackupPath $backup -Wait -Force | Get-ZcrmBulkWriteResult }
        Assert-ZcrmNoError $r
        @($r.Output | Where-Object Status -EQ 'updated') | Should -HaveCount 120
        # The reads (COQL, 50 values a call) came before the upload.
        @(Get-ZcrmEmulatorRequest -Emulator $emu -Method POST | ForEach-Object { ($_.path -split '/')[-1] } | Select-Object -First 4) |
            Should -BeExactly @('coql', 'coql', 'coql', 'upload')
        $saved = @(Import-Csv -LiteralPath $backup)
        @($saved[0].PSObject.Properties.Name) | Should -BeExactly @('id', 'Industry', 'No_of_Employees')
        @($saved.id | Sort-Object) | Should -BeExactly @($ids | Sort-Object)
        @(Get-RecordText -Module Leads -Id $ids[0]).Values | Should -BeLikeExactly '*No_of_Employees=4321*'

        $undo = Invoke-ZcrmCaptured { New-ZcrmBulkWriteJob -Module Leads -Operation update -FindBy id -Path $backup -Wait -Force | Get-ZcrmBulkWriteResult }
        Assert-ZcrmNoError $undo
        $after = Get-RecordText -Module Leads -Id $ids
        foreach ($id in $ids) { $after[$id] | Should -BeExactly $before[$id] -Because "record $id is as it was" }
    }

    It 'lists the records an upsert inserted beside its backup, by id, and keeps the values of those it updated' {
        $leads = @(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Select-Object -Skip 1700 -First 3)
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $rows = @($leads | ForEach-Object { [pscustomobject]@{ Email = $_.Email; Last_Name = $_.Last_Name; Industry = 'Upsert undo' } }) +
            @(1..2 | ForEach-Object { [pscustomobject]@{ Email = "new$_-$tag@undo.test"; Last_Name = "New $_"; Industry = 'Upsert undo' } })
        $backup = Join-Path $dir "upsert-$tag.csv"

        $r = Invoke-ZcrmCaptured { $rows | New-ZcrmBulkWriteJob -Module Leads -Operation upsert -FindBy Email -BackupPath $backup -Wait -Force -Verbose | Get-ZcrmBulkWriteResult }
        Assert-ZcrmNoError $r
        $added = @($r.Output | Where-Object Status -EQ 'added')
        $added | Should -HaveCount 2
        @(Import-Csv -LiteralPath $backup).id | Should -Be @($leads | ForEach-Object { [string]$_.id })
        $inserted = Join-Path $dir "upsert-$tag.inserted.csv"
        @(Import-Csv -LiteralPath $inserted).id | Should -Be @($added.RecordId)
        @(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Where-Object { $_.Email -like "*-$tag@undo.test" } | ForEach-Object { [string]$_.id } | Sort-Object) |
            Should -Be @($added.RecordId | Sort-Object)
        if (-not $IsWindows) { [Convert]::ToString([int](Get-Item -LiteralPath $inserted).UnixFileMode, 8) | Should -Be '600' }
        $r.Verbose | Should -Contain "The upsert inserted 2 Leads record(s); their ids are in $inserted. To undo it: put the backup back (New-ZcrmBulkWriteJob -Module Leads -Operation update -FindBy id -Path '$backup') and delete those records."
    }

    It 'refuses -BackupPath with -Operation insert, before any request' {
        $before = Get-ZcrmRequestCount -Emulator $emu
        $r = Invoke-ZcrmCaptured { [pscustomobject]@{ Last_Name = 'X' } | New-ZcrmBulkWriteJob -Module Leads -BackupPath (Join-Path $dir 'insert.csv') -Force }
        $r.Terminating.FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.BackupNotApplicable,ZohoCrm.Cmdlets.NewZcrmBulkWriteJob'
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
        Test-Path -LiteralPath (Join-Path $dir 'insert.csv') | Should -BeFalse
    }
}

