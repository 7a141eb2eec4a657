#Requires -Version 7.4
<#
    Pester 5 tests of what ZohoCrm guarantees under faults the emulator injects (throttling, server errors, dropped
    connections before and after processing, slow answers, expiring tokens, broken bodies): every record done or
    reported, no endless wait, Ctrl+C within a second. Part of the end-to-end suite (tests/*.Tests.ps1), the reference
    for the module's behaviour.

    Build first (./build.ps1, or `dotnet build ZohoCrm.sln`), then:  Invoke-Pester ./tests/ZohoCrm.Reliability.Tests.ps1
    Each It starts an emulator of its own and stops it. Faults are added over HTTP (Add-ZcrmEmulatorFault:
    POST /__emulator/faults); the emulator's state is read through its control endpoints (PesterHelpers.psm1). Notes:
      - Tokens issued: Get-ZcrmEmulatorTokenIssuedCount counts the recorded token calls answered 200 without an
        injected fault. That is how many tokens the emulator issued while its refresh limit is not reached (the tests
        lift it to 100,000 with --refresh-limit, except the two that test it).
      - The sample Leads after the 4 seed ones are set per test with Start-ZcrmTestEmulator -GeneratedLeadCount (the
        emulator's --generated-leads): 10,000, 3,000, 2,000, 1,000, or none for the 60,001-row bulk write.
      - The Ctrl+C tests run the command in a runspace of their own, connected there (Pester's runspace is busy
        running the test), and stop it as Ctrl+C does: PowerShell.Stop().
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    # A seed Lead (src/ZohoCrm.Emulator/SeedData.cs).
    $Seed1 = '738964000002131001'

    # An emulator of its own with the refresh limit lifted to 100,000, this runspace connected with the refresh token
    # (plus -Connect). -Emulator: more Start-ZcrmTestEmulator parameters; with GeneratedLeadCount, the emulator is
    # checked to hold exactly that many Leads after the 4 seed ones.
    function Start-Harness {
        param(
            [hashtable]$Emulator = @{},
            [hashtable]$Connect = @{}
        )
        $parameters = @{ RefreshLimit = 100000 }
        foreach ($name in $Emulator.Keys) { $parameters[$name] = $Emulator[$name] }
        $started = Start-ZcrmTestEmulator @parameters
        try {
            if ($parameters.ContainsKey('GeneratedLeadCount')) {
                @(Get-ZcrmEmulatorRecordId -Emulator $started -Module Leads).Count | Should -Be ($parameters.GeneratedLeadCount + 4) -Because '--generated-leads sets the sample Leads'
            }
            $refresh = Get-ZcrmRefreshParameter -Emulator $started -Extra $Connect
            $c = Invoke-ZcrmCaptured { Connect-Zcrm @refresh }
            Assert-ZcrmNoError $c
        }
        catch {
            Stop-ZcrmTestEmulator -Emulator $started
            throw
        }
        $started
    }

    function Stop-Harness {
        param([AllowNull()][object]$Emulator)
        try { Disconnect-Zcrm -ErrorAction SilentlyContinue } catch { Write-Verbose "Disconnect-Zcrm: $_" }
        Stop-ZcrmTestEmulator -Emulator $Emulator
    }

    # The ids of the Leads after the 4 seed ones: GetLeadIds().Skip(4).Take($Take).
    function Get-LeadId {
        param(
            [Parameter(Mandatory)][object]$Emulator,
            [Parameter(Mandatory)][int]$Take
        )
        $all = [string[]]@(Get-ZcrmEmulatorRecordId -Emulator $Emulator -Module Leads)
        $all.Count | Should -BeGreaterOrEqual ($Take + 4)
        , [string[]]$all[4..($Take + 3)]
    }

    # A mix of passing failures, each a share of the matching calls.
    function Add-TransientFault {
        param(
            [Parameter(Mandatory)][object]$Emulator,
            [Parameter(Mandatory)][string]$Path,
            [Parameter(Mandatory)][double]$Share,
            [string]$Method
        )
        $kinds = 'TooManyRequests', 'TooManyRequestsRetryAfterDetail', 'ServerError', 'ServiceUnavailableHtml', 'DropBeforeProcessing', 'DropAfterProcessing'
        foreach ($kind in $kinds) {
            $rule = @{ Emulator = $Emulator; Kind = $kind; PathContains = $Path; Probability = $Share / $kinds.Count; RetryAfterSeconds = 0 }
            if ($Method) { $rule.Method = $Method }
            $null = Add-ZcrmEmulatorFault @rule
        }
    }

    # Enumerable.SequenceEqual of two lists, with the first difference in the message when they differ.
    function Assert-SameSequence {
        param(
            [Parameter(Mandatory)][AllowEmptyCollection()][object[]]$Expected,
            [Parameter(Mandatory)][AllowEmptyCollection()][object[]]$Actual,
            [string]$Because = ''
        )
        $Actual.Count | Should -Be $Expected.Count -Because $Because
        for ($i = 0; $i -lt $Expected.Count; $i++) {
            if ($Expected[$i] -cne $Actual[$i]) {
                $Actual[$i] | Should -Be $Expected[$i] -Because "item $i differs ($Because)"
            }
        }
    }
}

Describe 'Reliability under injected faults' {

    It 'returns 10,000 results, in order, when 30% of the mass update calls fail' {
        # Mass_update_of_10000_ids_with_30_percent_of_calls_failing_reports_every_id_once
        $emu = Start-Harness -Emulator @{ GeneratedLeadCount = 10000 } -Connect @{ MaxRetryCount = 8 }
        try {
            $ids = Get-LeadId -Emulator $emu -Take 10000
            Add-TransientFault -Emulator $emu -Path '/actions/mass_update' -Share 0.30
            $r = Invoke-ZcrmCaptured { $ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Flaky' } -Force }
            # Every transient failure was retried away: 10,000 results, in input order, none twice, none missing.
            $r.Terminating | Should -BeNullOrEmpty
            $r.Errors | Should -HaveCount 0
            $results = @($r.Output | Select-ZcrmOutput MassUpdateResult)
            Assert-SameSequence -Expected $ids -Actual ([string[]]($results | ForEach-Object { $_.Id })) -Because 'one result per id, in input order'
            @($results | Where-Object Status -ne 'success') | Should -HaveCount 0

            $injected = @(Get-ZcrmEmulatorInjectedFault -Emulator $emu).Count
            $injected | Should -BeGreaterThan 5 -Because "only $injected faults were injected"

            # Every id reported as updated really is.
            $rating = @{}
            foreach ($record in Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads) {
                $property = $record.PSObject.Properties['Rating']
                $rating[[string]$record.id] = if ($property) { $property.Value } else { $null }
            }
            $wrong = @(foreach ($x in $results) {
                    if ($x.Status -ceq 'success' -and $rating[[string]$x.Id] -cne 'Flaky') { "$($x.Id): $($rating[[string]$x.Id])" }
                })
            $wrong | Should -HaveCount 0
        }
        finally { Stop-Harness $emu }
    }

    It 'accounts for every one of 60,001 bulk write rows with faults on upload, create and polling' {
        # Bulk_write_of_60001_rows_with_faults_on_upload_create_and_polling_accounts_for_every_row
        $emu = Start-Harness -Emulator @{ BulkStepMs = 50; GeneratedLeadCount = 0 }
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind TooManyRequestsRetryAfterHeader -PathContains '/upload' -Times 1 -RetryAfterSeconds 0
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind DropBeforeProcessing -PathContains '/upload' -Skip 1 -Times 1
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind TooManyRequests -Method POST -PathContains '/crm/bulk/' -Times 1 -RetryAfterSeconds 0
            # The second job's create fails with a server error: Zoho may or may not have made the job, so it is not sent again.
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind ServerError -Method POST -PathContains '/crm/bulk/' -Skip 1 -Times 1
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind ServiceUnavailableHtml -Method GET -PathContains '/crm/bulk/' -Probability 0.3
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind DropAfterProcessing -Method GET -PathContains '.zip' -Times 1
            $r = Invoke-ZcrmCaptured { 1..60001 | ForEach-Object { @{ Last_Name = "Faulty $_" } } | New-ZcrmBulkWriteJob -Module Leads -Wait | Get-ZcrmBulkWriteResult }
            $r.Terminating | Should -BeNullOrEmpty
            @($r.Output | Where-Object { $_.RowNumber -isnot [long] }) | Should -HaveCount 0 -Because 'RowNumber is a long'
            $resultRows = [long[]]@($r.Output | ForEach-Object { $_.RowNumber })
            $r.Errors | Should -HaveCount 1
            $e = $r.Errors[0]
            $e.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'INTERNAL_ERROR'
            $e.Exception.Message | Should -BeLikeExactly '*rows 25001-50000*'
            $e.Exception.Message | Should -BeLikeExactly '*may or may not*'
            $e.Exception.Message | Should -BeLikeExactly '*job *' -Because 'it names the job already submitted'
            $notSubmitted = [long[]](25001..50000)
            $all = [long[]]($resultRows + $notSubmitted)
            [Array]::Sort($all)
            # Each row once: a result or named in the error.
            Assert-SameSequence -Expected ([long[]](1..60001)) -Actual $all -Because 'each row once'
            @($r.Output | Where-Object { $_.Status -cne 'added' }) | Should -HaveCount 0
        }
        finally { Stop-Harness $emu }
    }

    It 'refreshes a token expiring every 5 seconds once per expiry during a long run' {
        # A_token_expiring_every_5_seconds_during_a_long_run_is_refreshed_once_per_expiry
        $emu = Start-Harness -Emulator @{ TokenLifetimeSec = 5; GeneratedLeadCount = 3000 }
        try {
            # Stretch the run to about 13 s: every mass update call takes 1 s, two at a time (the refresh is shared by the calls in flight).
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind Slow -PathContains '/actions/mass_update' -DelayMs 1000
            $issuedBefore = Get-ZcrmEmulatorTokenIssuedCount -Emulator $emu
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $ids = Get-LeadId -Emulator $emu -Take 2600
            $r = Invoke-ZcrmCaptured { $ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Long' } -BatchSize 100 -ThrottleLimit 2 -Force }
            $watch.Stop()
            Assert-ZcrmNoError $r
            @($r.Output | Select-ZcrmOutput MassUpdateResult | Where-Object { $_.Status -ceq 'success' }) | Should -HaveCount 2600
            $refreshes = (Get-ZcrmEmulatorTokenIssuedCount -Emulator $emu) - $issuedBefore
            $lifetimes = $watch.Elapsed.TotalSeconds / 5
            $watch.Elapsed | Should -BeGreaterThan ([timespan]::FromSeconds(10)) -Because "the run took only $($watch.Elapsed)"
            # Refreshed a little before each expiry: about one per lifetime, never a burst.
            $refreshes | Should -BeGreaterOrEqual ([int][Math]::Floor($lifetimes) - 1)
            $refreshes | Should -BeLessOrEqual ([int][Math]::Ceiling($lifetimes / 0.9) + 1)
        }
        finally { Stop-Harness $emu }
    }

    It 'costs one refresh per token expiring mid-run, and no record' {
        # Tokens_expiring_mid_run_cost_one_refresh_each_and_no_record
        $emu = Start-Harness -Emulator @{ GeneratedLeadCount = 3000 }
        try {
            # Three expiries, at the 3rd, 6th and 9th call (the retry after each refresh goes through).
            foreach ($skip in 2, 5, 8) {
                $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind ExpireTokens -PathContains '/actions/mass_update' -Skip $skip -Times 1
            }
            $before = Get-ZcrmEmulatorTokenIssuedCount -Emulator $emu
            $ids = Get-LeadId -Emulator $emu -Take 1000
            # One call at a time: the three expiries come apart (with calls in flight together they could expire the token a
            # refresh has just issued before any call used it; ZohoCrm.MassUpdateConcurrency.Tests.ps1 and xunit cover concurrent 401s).
            $r = Invoke-ZcrmCaptured { $ids | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Expiring' } -BatchSize 100 -ThrottleLimit 1 -Force }
            Assert-ZcrmNoError $r
            @($r.Output | Select-ZcrmOutput MassUpdateResult | Where-Object { $_.Status -ceq 'success' }) | Should -HaveCount 1000
            ((Get-ZcrmEmulatorTokenIssuedCount -Emulator $emu) - $before) | Should -Be 3
        }
        finally { Stop-Harness $emu }
    }

    It 'shares one refresh between runspaces sharing one connection' {
        # Runspaces_sharing_one_connection_share_one_refresh
        $emu = Start-Harness -Emulator @{ GeneratedLeadCount = 2000 }
        $runspaces = [System.Collections.Generic.List[object]]::new()
        try {
            $conn = @(Get-ZcrmConnection)
            $conn | Should -HaveCount 1
            $conn = $conn[0]
            Invoke-ZcrmEmulatorExpireTokens -Emulator $emu
            $before = Get-ZcrmEmulatorTokenIssuedCount -Emulator $emu
            $ids = Get-LeadId -Emulator $emu -Take 800
            # Four runspaces of their own, started together (BeginInvoke), each with a quarter of the ids.
            foreach ($n in 0..3) { $runspaces.Add((New-ZcrmTestRunspace)) }
            $jobs = @(foreach ($n in 0..3) {
                    Start-ZcrmRunspaceScript -Runspace $runspaces[$n] -Variables @{ conn = $conn; ids = [string[]]$ids[($n * 200)..($n * 200 + 199)] } `
                        -Script "`$ids | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Shared' } -Connection `$conn -BatchSize 50 -Force"
                })
            $results = @(foreach ($job in $jobs) { Receive-ZcrmRunspaceScript -Job $job -TimeoutSec 120 })
            foreach ($result in $results) {
                $result.Completed | Should -BeTrue
                Assert-ZcrmNoError $result
            }
            $count = 0
            foreach ($result in $results) { $count += @($result.Output | Select-ZcrmOutput MassUpdateResult).Count }
            $count | Should -Be 800
            ((Get-ZcrmEmulatorTokenIssuedCount -Emulator $emu) - $before) | Should -Be 1
        }
        finally {
            foreach ($runspace in $runspaces) { $runspace.Dispose() }
            Stop-Harness $emu
        }
    }

    It 'works with ForEach-Object -Parallel and $using:conn' {
        # ForEach_Object_Parallel_with_using_connection_works
        $emu = Start-Harness -Emulator @{ GeneratedLeadCount = 1000 }
        try {
            $ids = Get-LeadId -Emulator $emu -Take 300
            $r = Invoke-ZcrmCaptured {
                $conn = Get-ZcrmConnection; $manifest = (Get-Module ZohoCrm).Path
                0..2 | ForEach-Object -ThrottleLimit 3 -Parallel { Import-Module $using:manifest; $all = $using:ids; $all[($_ * 100)..($_ * 100 + 99)] | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Parallel' } -Connection $using:conn -Force }
            }
            Assert-ZcrmNoError $r
            $expected = [string[]]$ids.Clone(); [Array]::Sort($expected, [System.StringComparer]::Ordinal)
            $actual = [string[]]@($r.Output | Select-ZcrmOutput MassUpdateResult | ForEach-Object { [string]$_.Id })
            [Array]::Sort($actual, [System.StringComparer]::Ordinal)
            Assert-SameSequence -Expected $expected -Actual $actual
        }
        finally { Stop-Harness $emu }
    }

    It 'ends a slow call or a retry sleep within a second on Ctrl+C (<Kind>)' -TestCases @(
        @{ Kind = 'Slow'; Connect = @{ TimeoutSec = 30 }; Script = 'Get-ZcrmMassUpdateJob Leads 1 -Verbose' }
        @{ Kind = 'TooManyRequestsRetryAfterHeader'; Connect = @{}; Script = "Invoke-ZcrmMassUpdate Leads @{ Rating = 'x' } -Id 738964000002131001 -Force" }
    ) {
        # Ctrl_C_ends_a_slow_call_or_a_retry_sleep_within_a_second
        $emu = Start-ZcrmTestEmulator -RefreshLimit 100000
        $runspace = $null
        try {
            # A runspace of its own, connected there, so its pipeline can be stopped as Ctrl+C stops it.
            $runspace = New-ZcrmTestRunspace -Variables @{ refresh = (Get-ZcrmRefreshParameter -Emulator $emu -Extra $Connect) } -Script 'Connect-Zcrm @refresh'
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind $Kind -PathContains '/actions/mass_update' -DelayMs 30000 -RetryAfterSeconds 30
            $shell = [powershell]::Create()
            try {
                $shell.Runspace = $runspace
                $null = $shell.AddScript($Script)
                $async = $shell.BeginInvoke()
                $deadline = [datetime]::UtcNow.AddSeconds(10)
                while (@(Get-ZcrmEmulatorInjectedFault -Emulator $emu).Count -eq 0 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
                Start-Sleep -Milliseconds 200
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $shell.Stop()
                $async.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(5)) | Should -BeTrue
                $watch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(1)) -Because "Stop took $($watch.Elapsed)"
                $shell.InvocationStateInfo.State | Should -Be ([System.Management.Automation.PSInvocationState]::Stopped)
            }
            finally { $shell.Dispose() }
        }
        finally {
            if ($runspace) { $runspace.Dispose() }
            Stop-ZcrmTestEmulator -Emulator $emu
        }
    }

    It 'reports polling that keeps failing during -Wait as an error naming the jobs, not a crash' {
        # Polling_that_keeps_failing_during_Wait_is_an_error_naming_the_jobs_not_a_crash
        $emu = Start-Harness -Emulator @{ BulkStepMs = 30000 } -Connect @{ MaxRetryCount = 1 }
        try {
            $created = Invoke-ZcrmCaptured { @{ Last_Name = 'Polled' } | New-ZcrmBulkWriteJob Leads }
            Assert-ZcrmNoError $created
            $jobs = @($created.Output | Select-ZcrmOutput BulkWriteJob)
            $jobs | Should -HaveCount 1
            $jobId = [string]$jobs[0].JobId
            # The first look goes through; every poll after it fails with a server error.
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind ServerError -Method GET -PathContains '/crm/bulk/' -Skip 1
            $r = Invoke-ZcrmCaptured ([scriptblock]::Create("Get-ZcrmBulkWriteJob $jobId -Wait"))
            $r.Terminating | Should -BeNullOrEmpty
            $r.Errors | Should -HaveCount 1
            $e = $r.Errors[0]
            $e.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'INTERNAL_ERROR'
            $e.TargetObject.GetType() | Should -Be ([string[]])
            $e.TargetObject.Count | Should -Be 1
            $e.TargetObject[0] | Should -BeExactly $jobId
            $polled = @($r.Output | Select-ZcrmOutput BulkWriteJob)
            $polled | Should -HaveCount 1
            $polled[0].JobId | Should -BeExactly $jobId
        }
        finally { Stop-Harness $emu }
    }

    It 'gives every call a timeout, and a <Kind> answer becomes a clear error' -TestCases @(
        # Slow: no headers for 3 s. TrickleBody: headers, then the body one byte a second, for ever (this overshot the
        # timeout by ~2 s while the body was still read without it). Loose bounds: timeout(s) plus several seconds.
        @{ Kind = 'Slow'; DelayMs = 3000; TimeoutSec = 1; Attempts = 2; MaxSeconds = 6; Text = 'no answer within 1 s' }
        @{ Kind = 'TrickleBody'; DelayMs = 1000; TimeoutSec = 3; Attempts = 1; MaxSeconds = 8; Text = 'no complete answer within 3 s (HTTP * came, its body was still arriving)' }
    ) {
        # Every_call_has_a_timeout_and_a_slow_answer_becomes_a_clear_error
        $emu = Start-Harness -Connect @{ TimeoutSec = $TimeoutSec; MaxRetryCount = $Attempts - 1 }
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind $Kind -PathContains '/actions/mass_update' -DelayMs $DelayMs
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $r = Invoke-ZcrmCaptured { Get-ZcrmMassUpdateJob Leads 1 }
            $watch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds($MaxSeconds))
            $r.Errors | Should -HaveCount 1
            $e = $r.Errors[0]
            $e.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'ZohoCrm.Timeout'
            $e.Exception.Message | Should -BeLikeExactly "*$Text*"
            $e.Exception.Message | Should -BeLikeExactly "*$Attempts attempt(s)*"
            if ($Kind -eq 'TrickleBody') {
                (Wait-ZcrmEmulatorInjectedFault -Emulator $emu -Kind TrickleBody).bytesSent | Should -BeGreaterThan 0 -Because 'the timeout ended a body being read, not a wait for headers'
            }
        }
        finally { Stop-Harness $emu }
    }

    It 'does not repeat a create-job call that got no answer, and says what to check' {
        # A_create_job_call_with_no_answer_is_not_repeated_and_says_what_to_check
        $emu = Start-Harness -Emulator @{ BulkStepMs = 50 }
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind DropAfterProcessing -Method POST -PathContains '/crm/bulk/' -Times 1
            $r = Invoke-ZcrmCaptured { 1..3 | ForEach-Object { @{ Last_Name = "Lost $_" } } | New-ZcrmBulkWriteJob Leads }
            $r.Errors | Should -HaveCount 1
            $e = $r.Errors[0]
            $e.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'ZohoCrm.ConnectionFailed'
            $e.Exception.Message | Should -BeLikeExactly '*may or may not*'
            $e.Exception.Message | Should -BeLikeExactly '*rows 1-3*'
            $e.Exception.Message | Should -BeLikeExactly '*uploaded as file*'
            @(Get-ZcrmEmulatorRequest -Emulator $emu | Where-Object { $_.method -ceq 'POST' -and $_.path.Contains('/crm/bulk/') }) | Should -HaveCount 1
            # Zoho did make it: that is why the module must not send it again.
            @(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu) | Should -HaveCount 1
        }
        finally { Stop-Harness $emu }
    }

    It 'turns a broken answer (<Kind>) into a clear error without a stack trace' -TestCases @(
        @{ Kind = 'NonJsonBody'; Script = 'Get-ZcrmMassUpdateJob Leads 1'; ErrorId = 'ZohoCrm.InvalidResponse'; Text = 'not JSON' }
        @{ Kind = 'TruncatedBody'; Script = 'Get-ZcrmMassUpdateJob Leads 1'; ErrorId = 'ZohoCrm.InvalidResponse'; Text = 'not JSON' }
        @{ Kind = 'BadGatewayHtml'; Script = 'Get-ZcrmMassUpdateJob Leads 1'; ErrorId = 'ZohoCrm.ServerError'; Text = 'HTTP 502' }
        @{ Kind = 'RedirectToOtherHost'; Script = 'Get-ZcrmMassUpdateJob Leads 1'; ErrorId = 'ZohoCrm.Redirected'; Text = 'does not follow redirects' }
    ) {
        # Broken_answers_become_clear_errors_without_stack_traces
        $emu = Start-Harness -Connect @{ MaxRetryCount = 1 }
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind $Kind -PathContains '/actions/mass_update'
            $before = Get-ZcrmRequestCount -Emulator $emu
            $r = Invoke-ZcrmCaptured ([scriptblock]::Create($Script))
            $r.AllErrors | Should -HaveCount 1
            $e = $r.AllErrors[0]
            $e.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly $ErrorId
            $e.Exception.Message | Should -BeLikeExactly "*$Text*"
            $e.Exception.Message | Should -Not -BeLikeExactly '*   at *'
            if ($Kind -eq 'RedirectToOtherHost') {
                Get-ZcrmRequestCount -Emulator $emu | Should -Be ($before + 1) -Because 'the redirect was not followed'
            }
        }
        finally { Stop-Harness $emu }
    }

    It 'fetches a damaged result ZIP again, and a second damage is a clear error' {
        # A_damaged_result_zip_is_fetched_again_and_a_second_damage_is_a_clear_error
        $emu = Start-Harness -Emulator @{ BulkStepMs = 50 }
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind DamagedZip -PathContains '.zip' -Times 1
            $ok = Invoke-ZcrmCaptured { 1..5 | ForEach-Object { @{ Last_Name = "Zip $_" } } | New-ZcrmBulkWriteJob Leads -Wait | Get-ZcrmBulkWriteResult }
            Assert-ZcrmNoError $ok
            $ok.Output | Should -HaveCount 5
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind DamagedZip -PathContains '.zip'
            $bad = Invoke-ZcrmCaptured { 1..5 | ForEach-Object { @{ Last_Name = "Zip $_" } } | New-ZcrmBulkWriteJob Leads -Wait | Get-ZcrmBulkWriteResult }
            $bad.Errors | Should -HaveCount 1
            $e = $bad.Errors[0]
            $e.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'ZohoCrm.InvalidResult'
            $e.Exception.Message | Should -BeLikeExactly '*not a readable ZIP*'
        }
        finally { Stop-Harness $emu }
    }

    It 'turns Access Denied from the token endpoint into one clear terminating error' {
        # Access_Denied_from_the_token_endpoint_is_one_clear_terminating_error (Zoho's refresh limit, not lifted)
        $emu = Start-ZcrmTestEmulator
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind AccessDenied -PathContains '/oauth/v2/token'
            $refresh = Get-ZcrmRefreshParameter -Emulator $emu
            $r = Invoke-ZcrmCaptured { Connect-Zcrm @refresh }
            $r.Terminating | Should -Not -BeNullOrEmpty
            $r.Terminating.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'Access Denied'
            $r.Terminating.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::AuthenticationError)
            $r.Terminating.Exception.Message | Should -BeLikeExactly '*10 access tokens*'
            $r.AllErrors | Should -HaveCount 1
        }
        finally { Stop-Harness $emu }
    }

    It 'keeps the refresh limit itself before Zoho locks the refresh token out' {
        # The_refresh_limit_is_kept_by_the_module_before_Zoho_locks_the_token_out (Zoho's refresh limit, not lifted)
        $emu = Start-ZcrmTestEmulator -TokenLifetimeSec 1
        try {
            $refresh = Get-ZcrmRefreshParameter -Emulator $emu
            Assert-ZcrmNoError (Invoke-ZcrmCaptured { Connect-Zcrm @refresh })
            $r = [pscustomobject]@{ Terminating = $null }
            for ($i = 0; $i -lt 12 -and $null -eq $r.Terminating; $i++) {
                Invoke-ZcrmEmulatorExpireTokens -Emulator $emu
                $r = Invoke-ZcrmCaptured { Invoke-ZcrmMassUpdate Leads @{ Rating = 'x' } -Id $Seed1 -Force }
            }
            $r.Terminating | Should -Not -BeNullOrEmpty
            $r.Terminating.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'ZohoCrm.RefreshLimit'
            # The 11th was never asked for (TokensIssued; here: token calls, so an 11th call would count too).
            Get-ZcrmEmulatorTokenIssuedCount -Emulator $emu | Should -Be 10
        }
        finally { Stop-Harness $emu }
    }

    It 'shows retries and their budget under -Verbose' {
        # Retries_and_their_budget_show_under_Verbose
        $emu = Start-Harness
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind TooManyRequestsRetryAfterHeader -PathContains '/actions/mass_update' -Times 2 -RetryAfterSeconds 0
            $r = Invoke-ZcrmCaptured { Get-ZcrmMassUpdateJob Leads 1 -Verbose }
            @($r.Verbose | Where-Object { $_.Contains('HTTP 429; retry 1 of 5') -and $_.Contains('budget left') }) | Should -Not -HaveCount 0
            @($r.Verbose | Where-Object { $_.Contains('retry 2 of 5') }) | Should -Not -HaveCount 0
        }
        finally { Stop-Harness $emu }
    }
}

Describe 'A token Zoho rejects' {
    # Zoho answers a token it no longer knows (a cached token that outlived the server's memory of it) with 401
    # AUTHENTICATION_FAILURE, and another data center's token with INVALID_OAUTHTOKEN; the emulator's faults of those
    # names answer so whatever the token. Each It connects with the refresh token first (Start-Harness).
    BeforeAll {
        function Get-TokenCall {
            param([Parameter(Mandatory)][object]$Emulator)
            @(Get-ZcrmEmulatorRequest -Emulator $Emulator -Method POST -PathLike '*/oauth/v2/token')
        }
    }

    It 'refreshes once when a valid-looking token is answered <Kind>, and the call succeeds' -TestCases @(
        @{ Kind = 'AuthenticationFailure'; Code = 'AUTHENTICATION_FAILURE' }
        @{ Kind = 'InvalidOauthToken'; Code = 'INVALID_OAUTHTOKEN' }
    ) {
        $emu = Start-Harness
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind $Kind -PathContains '/actions/mass_update' -Times 1
            Clear-ZcrmEmulatorRequest -Emulator $emu
            # -SkipMetadataCheck: the one call whose token is refused is the mass update itself.
            $r = Invoke-ZcrmCaptured { Invoke-ZcrmMassUpdate Leads @{ Rating = 'Refreshed' } -Id $Seed1 -Force -SkipMetadataCheck -Verbose }
            Assert-ZcrmNoError $r
            $r.Output.Status | Should -BeExactly 'success'
            (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $Seed1).Rating | Should -BeExactly 'Refreshed'
            # The rejected call, one refresh, the call again with the new token.
            $calls = @(Get-ZcrmEmulatorRequest -Emulator $emu)
            $calls.statusCode | Should -Be @(401, 200, 200)
            $calls[1].path | Should -BeLikeExactly '*/oauth/v2/token'
            $calls[2].headers.Authorization | Should -Not -BeExactly $calls[0].headers.Authorization
            @($r.Verbose | Where-Object { $_.Contains($Code) -and $_.Contains('refreshing') }) | Should -Not -HaveCount 0
        }
        finally { Stop-Harness $emu }
    }

    It 'ends the command with one authentication error when the new token is refused too, and does not refresh again' {
        $emu = Start-Harness
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind AuthenticationFailure -PathContains '/actions/mass_update'
            $ids = @($Seed1) + @(Get-LeadId -Emulator $emu -Take 700)
            Clear-ZcrmEmulatorRequest -Emulator $emu
            $r = Invoke-ZcrmCaptured { $ids | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Never' } -Force }
            @($r.Output) | Should -HaveCount 0
            $r.AllErrors | Should -HaveCount 1 -Because 'one terminating error, nothing else'
            $r.Terminating.FullyQualifiedErrorId | Should -BeExactly 'AUTHENTICATION_FAILURE,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
            $r.Terminating.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::AuthenticationError)
            $r.Terminating.Exception.Message | Should -BeLikeExactly '*refreshed and Zoho still rejects it*-DataCenter*'
            # The first batch, one refresh, the first batch again; the second batch is never sent.
            @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu) | Should -HaveCount 2
            @(Get-TokenCall -Emulator $emu) | Should -HaveCount 1

            # The next command does not spend another refresh on a token Zoho just refused after a refresh.
            $again = Invoke-ZcrmCaptured { Invoke-ZcrmMassUpdate Leads @{ Rating = 'Never' } -Id $Seed1 -Force }
            $again.Terminating.FullyQualifiedErrorId | Should -BeExactly 'AUTHENTICATION_FAILURE,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
            @(Get-TokenCall -Emulator $emu) | Should -HaveCount 1
            @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu) | Should -HaveCount 3
            (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $Seed1).Rating | Should -Not -BeExactly 'Never'
        }
        finally { Stop-Harness $emu }
    }

    It 'points at the data center when INVALID_OAUTHTOKEN stays after the refresh' {
        $emu = Start-Harness
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind InvalidOauthToken -PathContains '/actions/mass_update'
            Clear-ZcrmEmulatorRequest -Emulator $emu
            $r = Invoke-ZcrmCaptured { Invoke-ZcrmMassUpdate Leads @{ Rating = 'Never' } -Id $Seed1 -Force }
            $r.AllErrors | Should -HaveCount 1
            $r.Terminating.FullyQualifiedErrorId | Should -BeExactly 'INVALID_OAUTHTOKEN,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
            $r.Terminating.Exception.Message | Should -BeLikeExactly '*another data center*-DataCenter*'
            @(Get-TokenCall -Emulator $emu) | Should -HaveCount 1
        }
        finally { Stop-Harness $emu }
    }
}
