#Requires -Version 7.4
<#
    Pester 5 tests of the resumable mass update by ids: Invoke-ZcrmMassUpdate -RunPath keeps the run (run.json, the
    ids, each batch's results) as it goes, and Resume-ZcrmMassUpdateRun finishes it after the process died (kill -9),
    sending only the batches that were not done. Against the local emulator; the killed runs are child pwsh processes
    (Start-ZcrmChildPwsh) held in flight by a Slow fault on one mass update call.
    Build first (`dotnet build ZohoCrm.sln`), then: ./build.ps1 -Task Test -TestPath tests/ZohoCrm.MassUpdateRun.Tests.ps1
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    # Enough generated Leads for each test to change Leads of its own.
    $emu = Start-ZcrmTestEmulator -RefreshLimit 100000 -GeneratedLeadCount 4100
    $static = Get-ZcrmStaticParameter -Emulator $emu
    Connect-Zcrm @static
    $token = [System.Net.NetworkCredential]::new('', $emu.AccessToken).Password

    # The seed Leads (src/ZohoCrm.Emulator/SeedData.cs): two that update, one not approved, one locked.
    $Seed1 = '738964000002131001'
    $Seed2 = '738964000002130131'
    $NotApproved = '1306462000000496025'
    $Locked = '475243000003269880'
    # The generated Leads, by id, in creation order (the 4 seed Leads first).
    $LeadIds = [string[]]@(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | ForEach-Object { [string]$_.id })

    function New-RunPath {
        # A run folder path that does not exist yet.
        Join-Path $TestDrive ('run-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    }

    function Read-RunManifest {
        param([string]$RunPath)
        Get-Content -LiteralPath (Join-Path $RunPath 'run.json') -Raw | ConvertFrom-Json
    }

    function Get-MassUpdateCallCount { @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu).Count }

    # What a result says, without its times (a second update of a record changes its Modified_Time).
    function Format-Result {
        param([Parameter(ValueFromPipeline)][object]$InputObject)
        process { '{0} {1} {2} {3} {4}' -f $InputObject.Id, $InputObject.Status, $InputObject.Code, $InputObject.Message, $InputObject.ErrorField }
    }

    # A child pwsh that pipes $Ids into Invoke-ZcrmMassUpdate -RunPath, held while its mass update call number
    # $HoldAtCall is in flight (a Slow fault of 2 minutes), once the manifest says $DoneBatches are done. Returns the
    # child and the fault, for Stop-HeldRun. One call at a time (-ThrottleLimit 1), so the held call holds the input
    # too; runs under concurrency are in ZohoCrm.MassUpdateConcurrency.Tests.ps1.
    function Start-HeldRun {
        param([string[]]$Ids, [string]$RunPath, [string]$Value, [int]$HoldAtCall, [int]$DoneBatches)
        $idsFile = Join-Path $TestDrive ('ids-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.txt')
        Set-Content -LiteralPath $idsFile -Value $Ids
        $fault = Add-ZcrmEmulatorFault -Emulator $emu -Kind Slow -Method POST -PathContains '/actions/mass_update' -Skip ($HoldAtCall - 1) -Times 1 -DelayMs 120000
        $callsBefore = Get-MassUpdateCallCount
        $child = Start-ZcrmChildPwsh -Emulator $emu -Folder $TestDrive -Environment @{ ZCRM_T_IDS = $idsFile; ZCRM_T_RUN = $RunPath; ZCRM_T_VALUE = $Value } -Script @'
[string[]]$ids = Get-Content -LiteralPath $env:ZCRM_T_IDS
$ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Industry = $env:ZCRM_T_VALUE } -RunPath $env:ZCRM_T_RUN -ThrottleLimit 1 -Force | Out-Null
'@
        $held = [pscustomobject]@{ Child = $child; Fault = $fault }
        try {
            Wait-ZcrmCondition -TimeoutSec 60 -What "mass update call $HoldAtCall is in flight" {
                (Get-MassUpdateCallCount) -ge $callsBefore + $HoldAtCall -and
                (Test-Path -LiteralPath (Join-Path $RunPath 'run.json')) -and
                @((Read-RunManifest $RunPath).batches | Where-Object state -EQ 'done').Count -eq $DoneBatches
            }
            $child.Process.HasExited | Should -BeFalse -Because 'the run is held in flight'
        }
        catch { Stop-HeldRun $held; throw }
        $held
    }

    # kill -9 of the held child (Stop-Process -Force), and its fault removed.
    function Stop-HeldRun {
        param([object]$Held)
        Stop-Process -Id $Held.Child.Process.Id -Force -ErrorAction SilentlyContinue
        $null = Wait-ZcrmChildPwsh $Held.Child
        Clear-ZcrmEmulatorFault -Emulator $emu -Id $Held.Fault
    }

    function Invoke-KilledRun {
        param([string[]]$Ids, [string]$RunPath, [string]$Value, [int]$KillAtCall, [int]$DoneBatches)
        Stop-HeldRun (Start-HeldRun -Ids $Ids -RunPath $RunPath -Value $Value -HoldAtCall $KillAtCall -DoneBatches $DoneBatches)
    }
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmTestEmulator -Emulator $emu
}

Describe 'Invoke-ZcrmMassUpdate -RunPath' {
    It 'gives 1,201 ids the same results as without -RunPath, and keeps the run in user-only files' {
        # The 4 seed Leads (two of them fail: not approved, locked) and 1,197 generated ones.
        $ids = $LeadIds[0..1200]
        $plain = Invoke-ZcrmCaptured { $ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Industry = 'Plain run' } -Force }
        $run = New-RunPath
        $before = Get-MassUpdateCallCount
        $kept = Invoke-ZcrmCaptured { $ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Industry = 'Kept run' } -RunPath $run -Force }

        @($kept.Output | Select-ZcrmOutput MassUpdateResult) | Should -HaveCount 1201
        @($kept.Output | Format-Result) | Should -BeExactly @($plain.Output | Format-Result)
        @($kept.Output | Where-Object Status -NE 'success').Id | Should -BeExactly @($NotApproved, $Locked)
        # The same one summary error.
        $kept.Terminating | Should -BeNullOrEmpty
        @($kept.Errors.FullyQualifiedErrorId) | Should -BeExactly @('ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate')
        $kept.Errors[0].Exception.Message | Should -BeExactly $plain.Errors[0].Exception.Message
        $calls = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu | Select-Object -Skip $before)
        # Sent several at a time (-ThrottleLimit): they may arrive in any order.
        @($calls | ForEach-Object { (Get-ZcrmJsonValue -Json $_.body -Path 'ids').Items.Count } | Sort-Object -Descending) | Should -Be @(500, 500, 201)
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $ids[1200]).Industry | Should -BeExactly 'Kept run'

        $manifest = Read-RunManifest $run
        $manifest.kind | Should -BeExactly 'mass-update'
        $manifest.formatVersion | Should -Be 1
        $manifest.module | Should -BeExactly 'Leads'
        $manifest.apiDomain | Should -BeExactly $emu.BaseUrl
        $manifest.data.Industry | Should -BeExactly 'Kept run'
        $manifest.overWrite | Should -BeFalse
        $manifest.inputComplete | Should -BeTrue
        @($manifest.batches | ForEach-Object { '{0}-{1} {2}' -f $_.first, $_.last, $_.state }) | Should -BeExactly @('0-499 done', '500-999 done', '1000-1200 done')
        # The data is kept as it was sent: the call's data[0] is the manifest's data, byte for byte.
        $sentData = [System.Text.Json.JsonDocument]::Parse($calls[0].body).RootElement.GetProperty('data')[0].GetRawText()
        $keptData = [System.Text.Json.JsonDocument]::Parse((Get-Content -LiteralPath (Join-Path $run 'run.json') -Raw)).RootElement.GetProperty('data').GetRawText()
        $keptData | Should -BeExactly $sentData
        @(Get-Content -LiteralPath (Join-Path $run 'ids.txt')) | Should -BeExactly $ids
        @(Get-Content -LiteralPath (Join-Path $run 'results.jsonl')) | Should -HaveCount 1201

        if (-not $IsWindows) {
            (Get-Item -LiteralPath $run).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
            $files = @(Get-ChildItem -LiteralPath $run -Force)
            @($files.Name | Sort-Object) | Should -BeExactly @('ids.txt', 'results.jsonl', 'run.json', 'run.lock')
            foreach ($f in $files) { $f.UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') -Because "$($f.Name) is the user's alone" }
        }
        # No secret in the run: the token is nowhere in its files.
        foreach ($f in Get-ChildItem -LiteralPath $run -File -Force) {
            [System.IO.File]::ReadAllText($f.FullName).Contains($token) | Should -BeFalse -Because "$($f.Name) holds no token"
        }
    }

    It 'refuses a folder that holds a run, before any request, and leaves that run as it was' {
        $run = New-RunPath
        Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Warm' } -Id $Seed1 -RunPath $run -Force | Out-Null
        $manifest = Get-Content -LiteralPath (Join-Path $run 'run.json') -Raw
        $before = Get-ZcrmRequestCount -Emulator $emu
        $r = Invoke-ZcrmCaptured { Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Cold' } -Id $Seed2 -RunPath $run -Force }
        $r.Terminating.FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.RunExists,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
        $r.Terminating.Exception.Message | Should -BeLikeExactly "*$run' already holds a run*Resume-ZcrmMassUpdateRun*nothing was sent*"
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
        Get-Content -LiteralPath (Join-Path $run 'run.json') -Raw | Should -BeExactly $manifest
    }

    It 'leaves no run behind when the checks refuse -Data, so the folder can be used again' {
        $run = New-RunPath
        $r = Invoke-ZcrmCaptured { Invoke-ZcrmMassUpdate -Module Leads -Data @{ Ratng = 'Cold' } -Id $Seed1 -RunPath $run -Force }
        $r.Terminating.FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.UnknownField,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
        Test-Path -LiteralPath (Join-Path $run 'run.json') | Should -BeFalse
        Test-Path -LiteralPath (Join-Path $run 'ids.txt') | Should -BeFalse
        $ok = @(Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Cold' } -Id $Seed1 -RunPath $run -Force -ErrorAction Stop)
        $ok.Status | Should -BeExactly 'success'
    }

    It 'makes no run folder and sends nothing with -WhatIf' {
        $run = New-RunPath
        $before = Get-ZcrmWriteRequestCount -Emulator $emu
        $null = Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Cold' } -Id $Seed1 -RunPath $run -WhatIf
        Test-Path -LiteralPath $run | Should -BeFalse
        Get-ZcrmWriteRequestCount -Emulator $emu | Should -Be $before
    }
}

Describe 'Resume-ZcrmMassUpdateRun' {
    It 'finishes a run killed with kill -9 during its third call: only that batch is sent again, every id gets one result' {
        $ids = $LeadIds[1300..2500]
        $run = New-RunPath
        $callsBefore = Get-MassUpdateCallCount
        $null = Invoke-KilledRun -Ids $ids -RunPath $run -Value 'After kill' -KillAtCall 3 -DoneBatches 2
        $manifest = Read-RunManifest $run
        @($manifest.batches | ForEach-Object { '{0}-{1} {2}' -f $_.first, $_.last, $_.state }) | Should -BeExactly @('0-499 done', '500-999 done', '1000-1200 sending')
        $manifest.inputComplete | Should -BeTrue
        (Get-MassUpdateCallCount) - $callsBefore | Should -Be 3
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $ids[1200]).Industry | Should -Not -Be 'After kill' -Because 'the third call never got through'

        # -WhatIf: the done batches' results, nothing sent, no warning, the run as it was.
        $manifestText = Get-Content -LiteralPath (Join-Path $run 'run.json') -Raw
        $requestsBefore = Get-ZcrmRequestCount -Emulator $emu
        $preview = @(Resume-ZcrmMassUpdateRun -RunPath $run -WhatIf *>&1)
        @($preview | Select-ZcrmOutput MassUpdateResult).Id | Should -BeExactly $ids[0..999]
        @($preview | Where-Object { $_ -is [System.Management.Automation.WarningRecord] -or $_ -is [System.Management.Automation.ErrorRecord] }) | Should -HaveCount 0
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $requestsBefore
        Get-Content -LiteralPath (Join-Path $run 'run.json') -Raw | Should -BeExactly $manifestText

        $callsBefore = Get-MassUpdateCallCount
        $all = @(Resume-ZcrmMassUpdateRun -RunPath $run -Force *>&1)
        @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -HaveCount 0
        $warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        $warnings | Should -HaveCount 1
        $warnings[0].Message | Should -BeLikeExactly "Batch 3 of the run (ids 1000-1200: $($ids[1000]) ... $($ids[1200])) was being sent when the run stopped*sent again*safe*workflows*may fire again*"
        $results = @($all | Select-ZcrmOutput MassUpdateResult)
        $results.Id | Should -BeExactly $ids -Because 'every id has exactly one result, in input order'
        @($results | Where-Object Status -NE 'success') | Should -HaveCount 0
        $calls = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu | Select-Object -Skip $callsBefore)
        $calls | Should -HaveCount 1 -Because 'only the unfinished batch is sent again'
        (Get-ZcrmJsonValue -Json $calls[0].body -Path 'ids').Items | Should -BeExactly $ids[1000..1200]
        (Get-ZcrmJsonValue -Json $calls[0].body -Path 'data', 0, 'Industry').Text | Should -BeExactly 'After kill'
        $industry = @{}
        foreach ($record in Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads) { $industry[[string]$record.id] = $record.Industry }
        @($ids | Where-Object { $industry[$_] -ne 'After kill' }) | Should -HaveCount 0
        @((Read-RunManifest $run).batches.state) | Should -BeExactly @('done', 'done', 'done')

        # Resumed again: nothing is sent, the same results are written.
        $callsBefore = Get-ZcrmRequestCount -Emulator $emu
        $again = Invoke-ZcrmCaptured { Resume-ZcrmMassUpdateRun -RunPath $run -Force }
        Assert-ZcrmNoError $again
        @($again.Output | Format-Result) | Should -BeExactly @($results | Format-Result)
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $callsBefore
    }

    It 'sends nothing for a finished run and writes the same results and summary error' {
        $ids = @($Seed1, $NotApproved, $Seed2, $Locked) + $LeadIds[2600..2602]
        $run = New-RunPath
        $first = Invoke-ZcrmCaptured { $ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Acquired' } -BatchSize 3 -RunPath $run -Force }
        $before = Get-ZcrmRequestCount -Emulator $emu
        $resumed = Invoke-ZcrmCaptured { Resume-ZcrmMassUpdateRun $run -Force -Verbose }
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
        @($resumed.Output | Format-Result) | Should -BeExactly @($first.Output | Format-Result)
        @($resumed.Output)[0] | Should -BeOfType ([ZohoCrm.MassUpdateResult])
        @($resumed.Output)[0].ModifiedTime | Should -Be @($first.Output)[0].ModifiedTime
        @($resumed.Errors.FullyQualifiedErrorId) | Should -BeExactly @('ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.ResumeZcrmMassUpdateRun')
        $resumed.Errors[0].Exception.Message | Should -BeExactly $first.Errors[0].Exception.Message
        $resumed.Verbose | Should -Contain "The run in '$run' is finished: nothing was sent; its 7 result(s) are from its results file."
    }

    It 'sends again a batch whose call kept failing, and writes every result in input order' {
        $ids = $LeadIds[2610..2616]
        $run = New-RunPath
        # The second call of 3 ids fails with every retry (HTTP 500), the others go through (one call at a time, so the
        # fault's count of calls picks the second batch).
        $fault = Add-ZcrmEmulatorFault -Emulator $emu -Kind ServerError -Method POST -PathContains '/actions/mass_update' -Skip 1 -Times 6
        try { $first = Invoke-ZcrmCaptured { $ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Industry = 'Failed once' } -BatchSize 3 -RunPath $run -ThrottleLimit 1 -Force } }
        finally { Clear-ZcrmEmulatorFault -Emulator $emu -Id $fault }
        @($first.Output).Id | Should -BeExactly @($ids[0..2] + $ids[6])
        @($first.Errors.TargetObject) | Should -BeExactly $ids[3..5]
        @((Read-RunManifest $run).batches.state) | Should -BeExactly @('done', 'failed', 'done')

        $callsBefore = Get-MassUpdateCallCount
        $all = @(Resume-ZcrmMassUpdateRun -RunPath $run -Force *>&1)
        @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] -or $_ -is [System.Management.Automation.ErrorRecord] }) | Should -HaveCount 0
        @($all | Select-ZcrmOutput MassUpdateResult).Id | Should -BeExactly $ids
        $calls = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu | Select-Object -Skip $callsBefore)
        $calls | Should -HaveCount 1
        (Get-ZcrmJsonValue -Json $calls[0].body -Path 'ids').Items | Should -BeExactly $ids[3..5]
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $ids[4]).Industry | Should -BeExactly 'Failed once'
    }

    It 'finishes the ids a run recorded before its input stopped, then says after which id the input stopped' {
        # Killed during the second call, which is sent when the 1,000th id arrives: the input was not read to its end.
        $ids = $LeadIds[2700..3900]
        $run = New-RunPath
        $null = Invoke-KilledRun -Ids $ids -RunPath $run -Value 'Half input' -KillAtCall 2 -DoneBatches 1
        (Read-RunManifest $run).inputComplete | Should -BeFalse

        $callsBefore = Get-MassUpdateCallCount
        $r = Invoke-ZcrmCaptured { Resume-ZcrmMassUpdateRun -RunPath $run -Force }
        $r.Terminating | Should -BeNullOrEmpty
        @($r.Output).Id | Should -BeExactly $ids[0..999]
        @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu | Select-Object -Skip $callsBefore) | Should -HaveCount 1
        $r.Errors | Should -HaveCount 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.RunInputIncomplete,ZohoCrm.Cmdlets.ResumeZcrmMassUpdateRun'
        $r.Errors[0].Exception.Message | Should -BeLikeExactly "The run's input stopped after id $($ids[999]) (index 999 of the run's id list)*must be sent again*"
        $r.Errors[0].Exception.LastIndex | Should -Be 999
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $ids[999]).Industry | Should -BeExactly 'Half input'
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $ids[1000]).Industry | Should -Not -Be 'Half input'
    }

    It 'refuses a run that a live process holds, before any request' -Skip:$IsWindows {
        $ids = $LeadIds[4000..4009]
        $run = New-RunPath
        $held = Start-HeldRun -Ids $ids -RunPath $run -Value 'Held' -HoldAtCall 1 -DoneBatches 0
        try {
            $before = Get-ZcrmRequestCount -Emulator $emu
            $r = Invoke-ZcrmCaptured { Resume-ZcrmMassUpdateRun -RunPath $run -Force }
            $r.Terminating.FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.RunInUse,ZohoCrm.Cmdlets.ResumeZcrmMassUpdateRun'
            $r.Terminating.CategoryInfo.Category | Should -Be 'ResourceBusy'
            $r.Terminating.Exception.Message | Should -BeLikeExactly "The run in '$run' is in use by another command or process*"
            Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
        }
        finally { Stop-HeldRun $held }
    }

    It 'refuses a corrupt or foreign manifest (ZohoCrm.InvalidRun naming the file) and a folder with no run' {
        $run = New-RunPath
        Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Warm' } -Id $Seed1 -RunPath $run -Force | Out-Null
        $manifestPath = Join-Path $run 'run.json'
        $good = Get-Content -LiteralPath $manifestPath -Raw
        $before = Get-ZcrmRequestCount -Emulator $emu
        foreach ($bad in @('{ "kind": "mass-upd', ($good -replace '"mass-update"', '"bulk-write"'), ($good -replace '"formatVersion": 1', '"formatVersion": 9'))) {
            Set-Content -LiteralPath $manifestPath -Value $bad -NoNewline
            $r = Invoke-ZcrmCaptured { Resume-ZcrmMassUpdateRun -RunPath $run -Force }
            $r.Terminating.FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.InvalidRun,ZohoCrm.Cmdlets.ResumeZcrmMassUpdateRun'
            $r.Terminating.Exception.Message | Should -BeLikeExactly "The run manifest '$manifestPath' is not a mass update run*"
            $r.Terminating.Exception.Message | Should -Not -BeLike '*   at *' -Because 'no stack trace'
            $r.Output | Should -HaveCount 0
        }
        $r = Invoke-ZcrmCaptured { Resume-ZcrmMassUpdateRun -RunPath (New-RunPath) -Force }
        $r.Terminating.FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.RunNotFound,ZohoCrm.Cmdlets.ResumeZcrmMassUpdateRun'
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
    }

    It 'refuses a connection to another API domain than the run''s, before any request' {
        $run = New-RunPath
        Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Warm' } -Id $Seed1 -RunPath $run -Force | Out-Null
        # The same emulator by another name: another API domain to the run.
        $other = Connect-Zcrm -ApiDomain ($emu.BaseUrl -replace '127\.0\.0\.1', 'localhost') -AccessToken $emu.AccessToken -PassThru
        Connect-Zcrm @static
        $before = Get-ZcrmRequestCount -Emulator $emu
        $r = Invoke-ZcrmCaptured { Resume-ZcrmMassUpdateRun -RunPath $run -Connection $other -Force }
        $r.Terminating.FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.RunConnectionMismatch,ZohoCrm.Cmdlets.ResumeZcrmMassUpdateRun'
        $r.Terminating.Exception.Message | Should -BeLikeExactly "*was started against $($emu.BaseUrl), but this connection is to $($other.ApiDomain)*nothing was sent*"
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
    }
}
