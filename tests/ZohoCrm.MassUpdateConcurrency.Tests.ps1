#Requires -Version 7.4
<#
    Pester 5 tests of concurrent mass update (issue 13): Invoke-ZcrmMassUpdate / Resume-ZcrmMassUpdateRun -ThrottleLimit
    (calls really overlap, never more than the limit, results in input order, each id once under faults and 429s, a
    429 pauses every call of the connection, the first call alone, -ThrottleLimit 1 one call at a time) and
    Get-ZcrmMassUpdateJob -Wait with several jobs. The emulator counts the mass update calls in flight
    (GET/DELETE /__emulator/mass-update-concurrency), its Slow fault keeps each call open long enough to overlap.

    Build first (./build.ps1), then:  Invoke-Pester ./tests/ZohoCrm.MassUpdateConcurrency.Tests.ps1
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    # The most mass update calls the emulator answered at once since the last reset, and how many it counted.
    function Get-Concurrency([object]$Emulator) { Invoke-RestMethod -Uri "$($Emulator.BaseUrl)/__emulator/mass-update-concurrency" -NoProxy }
    function Reset-Concurrency([object]$Emulator) { $null = Invoke-RestMethod -Method Delete -Uri "$($Emulator.BaseUrl)/__emulator/mass-update-concurrency" -NoProxy }

    # The ids of the generated Leads (after the 4 seed ones).
    function Get-LeadId([object]$Emulator, [int]$Take) {
        $all = [string[]]@(Get-ZcrmEmulatorRecordId -Emulator $Emulator -Module Leads)
        , [string[]]$all[4..($Take + 3)]
    }

    function Assert-SameSequence([object[]]$Expected, [object[]]$Actual, [string]$Because) {
        $Actual.Count | Should -Be $Expected.Count -Because $Because
        for ($i = 0; $i -lt $Expected.Count; $i++) {
            if ($Expected[$i] -cne $Actual[$i]) { $Actual[$i] | Should -Be $Expected[$i] -Because "item $i differs ($Because)" }
        }
    }
}

Describe 'Invoke-ZcrmMassUpdate -ThrottleLimit' {
    BeforeAll {
        $emu = Start-ZcrmTestEmulator -RefreshLimit 100000 -GeneratedLeadCount 3000
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu -Extra @{ MaxRetryCount = 8 }
        $conn = Connect-Zcrm @refresh -PassThru
        $ids = Get-LeadId -Emulator $emu -Take 3000
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }
    BeforeEach {
        Clear-ZcrmEmulatorFault -Emulator $emu
        Clear-ZcrmEmulatorRequest -Emulator $emu
        Reset-Concurrency $emu
    }

    It 'has calls really in flight together, never more than the limit, and the first call alone' {
        $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind Slow -Method POST -PathContains '/actions/mass_update' -DelayMs 300
        $some = $ids[0..39]
        $r = Invoke-ZcrmCaptured { $some | Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 101 } -BatchSize 2 -ThrottleLimit 4 -Force }
        $r.AllErrors | Should -HaveCount 0
        $c = Get-Concurrency $emu
        $c.calls | Should -Be 20
        $c.max | Should -BeLessOrEqual 4 -Because '-ThrottleLimit 4 is the most calls in flight'
        $c.max | Should -BeGreaterOrEqual 2 -Because 'calls of 300 ms each, 20 of them, overlap'
        # The first call had its answer before the second was sent (an error that would fail every call is seen once).
        $calls = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu)
        $first = [datetimeoffset]$calls[0].time
        foreach ($later in $calls[1..($calls.Count - 1)]) { ([datetimeoffset]$later.time - $first).TotalMilliseconds | Should -BeGreaterOrEqual 250 }
    }

    It 'sends one call at a time with -ThrottleLimit 1' {
        $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind Slow -Method POST -PathContains '/actions/mass_update' -DelayMs 100
        $r = Invoke-ZcrmCaptured { $ids[0..9] | Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 102 } -BatchSize 2 -ThrottleLimit 1 -Force }
        $r.AllErrors | Should -HaveCount 0
        @($r.Output | Select-ZcrmOutput MassUpdateResult) | Should -HaveCount 10
        $c = Get-Concurrency $emu
        $c.calls | Should -Be 5
        $c.max | Should -Be 1
    }

    It 'writes the results in input order when later calls are answered first' {
        # Every other call slow: answers arrive out of order; output must not.
        $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind Slow -Method POST -PathContains '/actions/mass_update' -DelayMs 400 -Probability 0.5
        $mixed = [string[]]($ids[0..199] | Sort-Object { [guid]::NewGuid() })
        $r = Invoke-ZcrmCaptured { $mixed | Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 103 } -BatchSize 10 -ThrottleLimit 8 -Force }
        $r.AllErrors | Should -HaveCount 0
        $results = @($r.Output | Select-ZcrmOutput MassUpdateResult)
        Assert-SameSequence -Expected $mixed -Actual ([string[]]$results.Id) -Because 'one result per id, in input order'
        (Get-Concurrency $emu).max | Should -BeGreaterOrEqual 2
    }

    It 'reports every id exactly once with 30% of the calls failing and 429s' {
        foreach ($kind in 'TooManyRequests', 'TooManyRequestsRetryAfterDetail', 'ServerError', 'DropBeforeProcessing', 'DropAfterProcessing') {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind $kind -PathContains '/actions/mass_update' -Probability 0.06 -RetryAfterSeconds 0
        }
        $some = $ids[0..2999]
        $r = Invoke-ZcrmCaptured { $some | Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 104 } -BatchSize 50 -ThrottleLimit 10 -Force }
        $r.Terminating | Should -BeNullOrEmpty
        # A call that failed past its retries names its ids in an error; every other id has its result.
        $reported = [System.Collections.Generic.List[string]]::new()
        foreach ($x in @($r.Output | Select-ZcrmOutput MassUpdateResult)) { $reported.Add($x.Id) }
        foreach ($e in $r.Errors) { foreach ($id in @($e.TargetObject)) { if ($id -is [string]) { $reported.Add($id) } } }
        ($reported | Sort-Object) -join ',' | Should -BeExactly (($some | Sort-Object) -join ',') -Because 'every id once: a result or an error naming it'
        @(Get-ZcrmEmulatorInjectedFault -Emulator $emu).Count | Should -BeGreaterThan 5
        (Get-Concurrency $emu).max | Should -BeLessOrEqual 10
    }

    It 'pauses every call of the connection when one gets 429, instead of each retrying on its own' {
        # The 6th call is refused with Retry-After: 2 s, while others are in flight (rules are checked in order: this one first).
        $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind TooManyRequestsRetryAfterHeader -Method POST -PathContains '/actions/mass_update' -Skip 5 -Times 1 -RetryAfterSeconds 2
        $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind Slow -Method POST -PathContains '/actions/mass_update' -DelayMs 100
        $r = Invoke-ZcrmCaptured { $ids[0..299] | Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 105 } -BatchSize 10 -ThrottleLimit 4 -Force -Verbose }
        $r.AllErrors | Should -HaveCount 0
        @($r.Output | Select-ZcrmOutput MassUpdateResult) | Should -HaveCount 300
        $calls = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu)
        $refused = @($calls | Where-Object statusCode -EQ 429)
        $refused | Should -HaveCount 1
        $at = [datetimeoffset]$refused[0].time
        # Calls already sent when the 429 came may arrive just after it; none is sent in the pause that follows.
        $during = @($calls | Where-Object { $t = ([datetimeoffset]$_.time - $at).TotalMilliseconds; $t -gt 300 -and $t -lt 1800 })
        $during | Should -HaveCount 0 -Because 'every call waits the 2 s the 429 asked for'
        @($r.Verbose | Where-Object { $_.Contains('every call on this connection waits') }) | Should -Not -HaveCount 0
    }

    It 'refuses a -ThrottleLimit outside 1 to 25 before sending anything' -TestCases @(@{ Limit = 0 }, @{ Limit = 26 }, @{ Limit = -1 }) {
        param($Limit)
        $r = Invoke-ZcrmCaptured { Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 106 } -Id $ids[0] -ThrottleLimit $Limit -Force }
        $r.Terminating | Should -Not -BeNullOrEmpty
        $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*'
        $r.Terminating.Exception.Message | Should -BeLike '*ThrottleLimit*'
        @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu) | Should -HaveCount 0
    }

    It 'keeps a run correct under concurrency: each id once in the run, and a resume sends nothing more' {
        $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind Slow -Method POST -PathContains '/actions/mass_update' -DelayMs 50
        $runPath = Join-Path $TestDrive 'run-concurrent'
        $some = $ids[0..499]
        $r = Invoke-ZcrmCaptured { $some | Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 107 } -BatchSize 20 -ThrottleLimit 6 -RunPath $runPath -Force }
        $r.AllErrors | Should -HaveCount 0
        $lines = @(Get-Content (Join-Path $runPath 'results.jsonl') | ForEach-Object { ($_ | ConvertFrom-Json).id })
        Assert-SameSequence -Expected $some -Actual $lines -Because 'the results file holds each id once, in input order'
        $manifest = Get-Content (Join-Path $runPath 'run.json') -Raw | ConvertFrom-Json
        @($manifest.batches | Where-Object state -NE 'done') | Should -HaveCount 0
        Clear-ZcrmEmulatorRequest -Emulator $emu
        $again = Invoke-ZcrmCaptured { Resume-ZcrmMassUpdateRun -RunPath $runPath -ThrottleLimit 6 -Force }
        $again.AllErrors | Should -HaveCount 0
        Assert-SameSequence -Expected $some -Actual ([string[]]@($again.Output | Select-ZcrmOutput MassUpdateResult).Id) -Because 'the resume writes the run''s results in order'
        @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu) | Should -HaveCount 0
    }

    It 'resumes a run whose batches were left sending, concurrently, in the run''s order' {
        $runPath = Join-Path $TestDrive 'run-left'
        $some = $ids[1000..1199]
        $r = Invoke-ZcrmCaptured { $some | Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 108 } -BatchSize 20 -ThrottleLimit 4 -RunPath $runPath -Force }
        $r.AllErrors | Should -HaveCount 0
        # As if the process died with batches 3 to 10 in flight: their results never reached the file.
        $manifestPath = Join-Path $runPath 'run.json'
        $manifest = Get-Content $manifestPath -Raw | ConvertFrom-Json
        for ($b = 2; $b -lt $manifest.batches.Count; $b++) { $manifest.batches[$b].state = 'sending' }
        $manifest | ConvertTo-Json -Depth 5 | Set-Content $manifestPath
        $kept = @(Get-Content (Join-Path $runPath 'results.jsonl'))[0..39]
        Set-Content (Join-Path $runPath 'results.jsonl') $kept
        Clear-ZcrmEmulatorRequest -Emulator $emu
        $again = Invoke-ZcrmCaptured { Resume-ZcrmMassUpdateRun -RunPath $runPath -ThrottleLimit 4 -Force -WarningAction SilentlyContinue }
        $again.AllErrors | Should -HaveCount 0
        Assert-SameSequence -Expected $some -Actual ([string[]]@($again.Output | Select-ZcrmOutput MassUpdateResult).Id) -Because 'each id once, in the run''s order'
        @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu) | Should -HaveCount 8
        $lines = @(Get-Content (Join-Path $runPath 'results.jsonl') | ForEach-Object { ($_ | ConvertFrom-Json).id })
        Assert-SameSequence -Expected $some -Actual $lines -Because 'the results file ends with each id once'
    }
}

Describe 'Get-ZcrmMassUpdateJob -Wait with several jobs' {
    BeforeAll {
        $emu = Start-ZcrmTestEmulator -RefreshLimit 100000 -JobStepMs 300
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        Connect-Zcrm @refresh
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'follows them at once and writes their final states in input order' {
        $jobs = @(
            Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 109 } -CustomViewId 738964000000091563 -Force
            Invoke-ZcrmMassUpdate -Module Deals -Data @{ Stage = 'Closed Lost' } -CustomViewId 738964000000095001 -Force
            Invoke-ZcrmMassUpdate -Module Leads -Data @{ Lead_Status = 'Contacted' } -CustomViewId 738964000000091570 -Force
        )
        $jobs | Should -HaveCount 3
        $r = Invoke-ZcrmCaptured { $jobs | Get-ZcrmMassUpdateJob -Wait }
        $r.Terminating | Should -BeNullOrEmpty
        # The views hold seed records Zoho cannot update (locked, in approval): one summary error per such job, nothing else.
        foreach ($e in $r.Errors) { $e.FullyQualifiedErrorId | Should -BeLike 'ZohoCrm.RecordsFailed*' }
        $final = @($r.Output | Select-ZcrmOutput MassUpdateJob)
        $final.JobId | Should -BeExactly $jobs.JobId
        $final.Status | Should -BeExactly @('COMPLETED', 'COMPLETED', 'COMPLETED')
        # Polled side by side: the second job's first poll came before the first job finished.
        $polls = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu -Method GET)
        $firstOfSecond = @($polls | Where-Object query -Like "*$($jobs[1].JobId)*")[0]
        $lastOfFirst = @($polls | Where-Object query -Like "*$($jobs[0].JobId)*")[-1]
        [datetimeoffset]$firstOfSecond.time | Should -BeLessThan ([datetimeoffset]$lastOfFirst.time)
    }
}
