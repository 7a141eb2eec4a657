#Requires -Version 7.4
<#
    Pester 5 tests of the bulk write temp files (chunk ZIPs zcrm-bulk-*, result downloads zcrm-result-*, both holding
    customer rows) and of the rows a failed submission names:
      - user-only (0600) while a run is going, gone when it ends and after Ctrl+C;
      - files a pwsh killed with kill -9 left are swept by the next run; a live process's files are left alone;
      - a passing failure of the 2nd of 3 creates names exactly that chunk's rows, and sending them again writes no
        row twice.
    The child pwsh runs get a TMPDIR of their own (a folder of the test), so only that run's files are seen there; the
    in-process runs (Ctrl+C, in a runspace of its own) are told apart by this process's id in the files' names.
    Build first (`dotnet build ZohoCrm.sln`), then: ./build.ps1 -Task Test -TestPath tests/ZohoCrm.TempFiles.Tests.ps1
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    $UserOnly = [System.IO.UnixFileMode]'UserRead, UserWrite'

    # A child pwsh with TMPDIR set to $TempDir that connects to $Emulator with its static token and runs $Script.
    function Start-ZcrmChild {
        param([object]$Emulator, [string]$TempDir, [string]$Script)
        Start-ZcrmChildPwsh -Emulator $Emulator -Folder $TestDrive -Script $Script -Environment @{ TMPDIR = $TempDir }
    }

    function Get-ZcrmTempFile {
        param([string]$Folder, [string]$Filter = 'zcrm-*')
        @(Get-ChildItem -LiteralPath $Folder -Filter $Filter -File -ErrorAction SilentlyContinue)
    }

    # Sends again exactly the rows the error's TargetObject names as not submitted ("rows a-b"; the input's rows are
    # "Row <n>"), waits for every job the emulator has, and checks that each of the 60,001 rows is a record exactly once.
    function Assert-ResentOnce {
        param([object]$Emulator, [System.Management.Automation.ErrorRecord]$ErrorRecord)
        $again = foreach ($t in $ErrorRecord.TargetObject) {
            if ($t -match '^rows (\d+)-(\d+)') { [long]$Matches[1]..[long]$Matches[2] | ForEach-Object { [ordered]@{ Last_Name = "Row $_" } } }
        }
        $sent = Invoke-ZcrmCaptured { $again | New-ZcrmBulkWriteJob -Module Leads -Wait }
        Assert-ZcrmNoError $sent
        Wait-ZcrmCondition -What 'every emulator job ends' { @(Get-ZcrmEmulatorBulkWriteJob -Emulator $Emulator | Where-Object status -ne 'COMPLETED').Count -eq 0 }
        $names = @(Get-ZcrmEmulatorRecord -Emulator $Emulator -Module Leads | Where-Object Last_Name -like 'Row *' | ForEach-Object Last_Name)
        $names | Should -HaveCount 60001 -Because 'every row written once'
        @($names | Sort-Object -Unique) | Should -HaveCount 60001 -Because 'no row written twice'
    }

    function New-ZcrmTestTempDir {
        $dir = Join-Path $TestDrive "tmp-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $null = New-Item -ItemType Directory -Path $dir
        $dir
    }
}

Describe 'Bulk write temp files' -Skip:$IsWindows {
    It 'are user-only while a run is going and gone when it ends (chunk ZIPs and result downloads)' {
        $emu = Start-ZcrmTestEmulator -BulkStepMs 20
        try {
            $tmp = New-ZcrmTestTempDir
            # Pause the run at the job's create call (the chunk ZIP is written) and at the result download.
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind Slow -Method POST -PathContains '/crm/bulk/' -DelayMs 3000 -Times 1
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind Slow -Method GET -PathContains '.zip' -DelayMs 3000 -Times 1
            $child = Start-ZcrmChild -Emulator $emu -TempDir $tmp -Script @'
1..3 | ForEach-Object { @{ Last_Name = "Temp $_"; Email = "t$_@example.com" } } | New-ZcrmBulkWriteJob -Module Leads -Wait | Get-ZcrmBulkWriteResult | Out-Null
'@
            $childPid = $child.Process.Id
            $null = Wait-ZcrmEmulatorInjectedFault -Emulator $emu -Kind Slow
            $chunks = Get-ZcrmTempFile $tmp 'zcrm-bulk-*.zip'
            $chunks | Should -HaveCount 1 -Because 'the run holds its one chunk ZIP during the create call'
            $chunks[0].Name | Should -Match "^zcrm-bulk-$childPid-\d+-[0-9a-f]{32}\.zip$" -Because 'the name records the owning process'
            $chunks[0].UnixFileMode | Should -Be $UserOnly
            Wait-ZcrmCondition -What 'the result download starts' { @(Get-ZcrmEmulatorInjectedFault -Emulator $emu | Where-Object kind -ceq 'Slow').Count -ge 2 }
            $results = Get-ZcrmTempFile $tmp 'zcrm-result-*.zip'
            $results | Should -HaveCount 1 -Because 'the result download has its file from before the first byte arrives'
            $results[0].Name | Should -Match "^zcrm-result-$childPid-\d+-[0-9a-f]{32}\.zip$"
            $results[0].UnixFileMode | Should -Be $UserOnly
            $done = Wait-ZcrmChildPwsh $child
            $done.ExitCode | Should -Be 0 -Because $done.Err
            Get-ZcrmTempFile $tmp | Should -HaveCount 0 -Because 'the run deletes its temp files when it ends'
            @(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Where-Object Last_Name -like 'Temp *') | Should -HaveCount 3
        }
        finally { Stop-ZcrmTestEmulator -Emulator $emu }
    }

    It 'are deleted on Ctrl+C' {
        $emu = Start-ZcrmTestEmulator
        $runspace = $null
        try {
            $runspace = New-ZcrmTestRunspace -Variables @{ static = (Get-ZcrmStaticParameter -Emulator $emu) } -Script 'Connect-Zcrm @static'
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind Slow -Method POST -PathContains '/crm/bulk/' -DelayMs 30000
            # This process's own files (a child's have another id in their names).
            $mine = { Get-ZcrmTempFile ([System.IO.Path]::GetTempPath()) "zcrm-bulk-$PID-*.zip" }
            @(& $mine) | Should -HaveCount 0
            $shell = [powershell]::Create()
            try {
                $shell.Runspace = $runspace
                $null = $shell.AddScript('1..5 | ForEach-Object { @{ Last_Name = "Stopped $_" } } | New-ZcrmBulkWriteJob -Module Leads')
                $async = $shell.BeginInvoke()
                $null = Wait-ZcrmEmulatorInjectedFault -Emulator $emu -Kind Slow
                $held = @(& $mine)
                $held | Should -HaveCount 1 -Because 'the chunk ZIP is there during the create call'
                $held[0].UnixFileMode | Should -Be $UserOnly
                $shell.Stop()
                $async.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(5)) | Should -BeTrue
                $shell.InvocationStateInfo.State | Should -Be ([System.Management.Automation.PSInvocationState]::Stopped)
                Test-Path -LiteralPath $held[0].FullName | Should -BeFalse -Because 'Ctrl+C deletes the chunk ZIPs'
            }
            finally { $shell.Dispose() }
        }
        finally {
            if ($runspace) { $runspace.Dispose() }
            Stop-ZcrmTestEmulator -Emulator $emu
        }
    }

    It 'left by a pwsh killed with kill -9 are swept by the next run, and a live process''s are left alone' {
        $emu = Start-ZcrmTestEmulator -BulkStepMs 20
        try {
            $tmp = New-ZcrmTestTempDir
            $slow = Add-ZcrmEmulatorFault -Emulator $emu -Kind Slow -Method POST -PathContains '/crm/bulk/' -DelayMs 60000
            # 25,001 rows: two chunk ZIPs, the second waiting while the first's create hangs.
            $child = Start-ZcrmChild -Emulator $emu -TempDir $tmp -Script @'
1..25001 | ForEach-Object { @{ Last_Name = "Killed $_" } } | New-ZcrmBulkWriteJob -Module Leads | Out-Null
'@
            $null = Wait-ZcrmEmulatorInjectedFault -Emulator $emu -Kind Slow -TimeoutSec 120
            $left = Get-ZcrmTempFile $tmp 'zcrm-bulk-*.zip'
            $left | Should -HaveCount 2
            $child.Process.Kill() # SIGKILL: no finally, no Dispose runs
            $child.Process.WaitForExit()
            @(Get-ZcrmTempFile $tmp 'zcrm-bulk-*.zip') | Should -HaveCount 2 -Because 'kill -9 leaves them'
            # A file of a process that runs (this one, with its real start time): never swept.
            $start = [DateTimeOffset]::new((Get-Process -Id $PID).StartTime.ToUniversalTime()).ToUnixTimeSeconds()
            $live = Join-Path $tmp "zcrm-result-$PID-$start-$([guid]::NewGuid().ToString('N')).zip"
            Set-Content -LiteralPath $live -Value 'live'
            # An older module's name records no owner: left alone too.
            $old = Join-Path $tmp "zcrm-bulk-$([guid]::NewGuid().ToString('N')).zip"
            Set-Content -LiteralPath $old -Value 'old'
            Clear-ZcrmEmulatorFault -Emulator $emu -Id $slow
            $next = Wait-ZcrmChildPwsh (Start-ZcrmChild -Emulator $emu -TempDir $tmp -Script @'
@{ Last_Name = 'Next run' } | New-ZcrmBulkWriteJob -Module Leads -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
'@)
            $next.ExitCode | Should -Be 0 -Because $next.Err
            $next.Out | Should -BeLike '*Deleted 2 temp file(s)*'
            foreach ($f in $left) { Test-Path -LiteralPath $f.FullName | Should -BeFalse -Because "$($f.Name) was a dead process's" }
            Test-Path -LiteralPath $live | Should -BeTrue -Because 'a live process''s file is never swept'
            Test-Path -LiteralPath $old | Should -BeTrue
        }
        finally { Stop-ZcrmTestEmulator -Emulator $emu }
    }
}

Describe 'Rows a failed submission names' {
    It 'names exactly the rows of a passing failure on the 2nd of 3 creates, and sending them again writes no row twice' {
        $emu = Start-ZcrmTestEmulator -BulkStepMs 20 -GeneratedLeadCount 0
        try {
            $static = Get-ZcrmStaticParameter -Emulator $emu
            $c = Invoke-ZcrmCaptured { Connect-Zcrm @static -MaxRetryCount 1 }
            Assert-ZcrmNoError $c
            # The 2nd create is throttled past the one retry: a clear refusal, so its rows were not submitted; the 3rd goes on.
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind TooManyRequests -Method POST -PathContains '/crm/bulk/' -Skip 1 -Times 2 -RetryAfterSeconds 0
            $r = Invoke-ZcrmCaptured { 1..60001 | ForEach-Object { [ordered]@{ Last_Name = "Row $_" } } | New-ZcrmBulkWriteJob -Module Leads -Wait }
            $r.Terminating | Should -BeNullOrEmpty
            @($r.Output | Select-ZcrmOutput BulkWriteJob | ForEach-Object { "$($_.FirstRow)-$($_.LastRow)" }) | Should -Be @('1-25000', '50001-60001')
            $r.Errors | Should -HaveCount 1
            $e = $r.Errors[0]
            $e.Exception.NotSubmitted | Should -BeExactly 'rows 25001-50000'
            @($e.TargetObject) | Should -BeExactly @('rows 25001-50000')
            $e.Exception.Message | Should -BeLikeExactly '*Leads rows 25001-50000 of the input were not submitted*'
            $e.Exception.Message | Should -Not -BeLike '*may or may not*'

            Assert-ResentOnce -Emulator $emu -ErrorRecord $e
        }
        finally {
            try { Disconnect-Zcrm -ErrorAction SilentlyContinue } catch { Write-Verbose "$_" }
            Stop-ZcrmTestEmulator -Emulator $emu
        }
    }

    It 'keeps rows whose create got no clear answer out of the rows not submitted, so sending the rest again writes no row twice' {
        $emu = Start-ZcrmTestEmulator -BulkStepMs 20 -GeneratedLeadCount 0
        try {
            $static = Get-ZcrmStaticParameter -Emulator $emu
            $c = Invoke-ZcrmCaptured { Connect-Zcrm @static }
            Assert-ZcrmNoError $c
            # The 2nd create is processed (Zoho makes the job) but its answer is cut in half: unreadable, so the run stops
            # (the next create would be read the same way) and the outcome of rows 25001-50000 is unknown to the module.
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind TruncatedBody -Method POST -PathContains '/crm/bulk/' -Skip 1 -Times 1
            $r = Invoke-ZcrmCaptured { 1..60001 | ForEach-Object { [ordered]@{ Last_Name = "Row $_" } } | New-ZcrmBulkWriteJob -Module Leads -Wait }
            $r.Terminating | Should -BeNullOrEmpty
            $r.Errors | Should -HaveCount 1
            $e = $r.Errors[0]
            $e.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'ZohoCrm.InvalidResponse'
            $e.Exception.NotSubmitted | Should -BeExactly 'rows 50001-60001'
            "$($e.Exception.MaybeSubmittedRange)" | Should -BeExactly '25001-50000'
            @($e.TargetObject) | Should -HaveCount 2
            $e.TargetObject[0] | Should -BeExactly 'rows 50001-60001'
            $e.TargetObject[1] | Should -BeLikeExactly 'file * (rows 25001-50000: may or may not have become a job)'
            $e.Exception.Message | Should -BeLikeExactly '*rows 25001-50000 of the input were uploaded as file *, and Zoho may or may not have made a job of them*'
            $e.Exception.Message | Should -BeLikeExactly '*rows 50001-60001 of the input were not submitted*'
            @(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu) | Should -HaveCount 2 -Because 'Zoho made the job whose answer was lost'

            Assert-ResentOnce -Emulator $emu -ErrorRecord $e
        }
        finally {
            try { Disconnect-Zcrm -ErrorAction SilentlyContinue } catch { Write-Verbose "$_" }
            Stop-ZcrmTestEmulator -Emulator $emu
        }
    }
}
