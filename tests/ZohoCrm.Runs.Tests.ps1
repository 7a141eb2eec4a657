#Requires -Version 7.4
<#
    Pester 5 tests of runs an admin can trust: whole-row bulk write results (every input column, RowNumber, the parsed
    errors), result rows sent again as input (only what failed, no duplicate), a result that lacks a row or has rows
    out of order reported by row, and a run kept with -RunPath finished by Resume-ZcrmBulkWriteRun after kill -9.
    Against the local emulator.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    $emu = Start-ZcrmTestEmulator -BulkStepMs 20 -RefreshLimit 100000
    $static = Get-ZcrmStaticParameter -Emulator $emu
    Connect-Zcrm @static
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) ("zcrm-runs-" + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $dir

    # Rows as an admin builds them: 4 columns, Email (the unique key) not first; $Bad rows get a number Zoho refuses.
    function New-LeadRow {
        param([int]$Count, [string]$Tag, [int[]]$Bad = @())
        $badSet = [System.Collections.Generic.HashSet[int]]::new($Bad)
        for ($i = 1; $i -le $Count; $i++) {
            [pscustomobject]@{
                Last_Name       = "$Tag$i"
                Company         = "Co $i"
                Email           = "$Tag$i@runs.test"
                No_of_Employees = if ($badSet.Contains($i)) { 'lots' } else { [string]($i % 900) }
            }
        }
    }

    # The emulator's Leads records whose Email ends with @runs.test and starts with the tag, by email.
    function Get-TaggedLead {
        param([string]$Tag)
        @(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Where-Object { $_.Email -like "$Tag*@runs.test" })
    }
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmTestEmulator -Emulator $emu
    Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Whole-row results and sending again only what failed' {
    It 'gives 60,001 whole-row results for 60,001 rows with 7 bad values, and the 7 fixed rows sent again make 7 records and no duplicate' {
        $tag = 'w' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $bad = @(3, 25000, 25001, 30000, 50000, 59999, 60001)
        $rows = @(New-LeadRow -Count 60001 -Tag $tag -Bad $bad)

        # -SkipMetadataCheck: the bad values go to Zoho, which skips their rows (the check before sending would stop them).
        $results = @($rows | New-ZcrmBulkWriteJob -Module Leads -Operation upsert -FindBy Email -Wait -Force -SkipMetadataCheck -ErrorAction SilentlyContinue -ErrorVariable waitErrors |
                Get-ZcrmBulkWriteResult -ErrorAction SilentlyContinue -ErrorVariable resultErrors)

        $results | Should -HaveCount 60001
        # Every input column equal to the input, in input order, with its row number.
        $mismatch = 0
        for ($i = 0; $i -lt 60001; $i++) {
            $r = $results[$i]; $in = $rows[$i]
            if ($r.RowNumber -ne $i + 1 -or $r.Last_Name -cne $in.Last_Name -or $r.Company -cne $in.Company -or
                $r.Email -cne $in.Email -or $r.No_of_Employees -cne $in.No_of_Employees) { $mismatch++ }
        }
        $mismatch | Should -Be 0
        @($results[0].PSObject.Properties.Name) | Should -BeExactly @('RowNumber', 'Last_Name', 'Company', 'Email', 'No_of_Employees',
            'Status', 'RecordId', 'Errors', 'ErrorCodes', 'ErrorFields', 'JobId')
        $skipped = @($results | Where-Object Status -EQ 'skipped')
        @($skipped.RowNumber) | Should -Be $bad
        $skipped.ErrorCodes | Sort-Object -Unique | Should -Be 'INVALID_DATA'
        $skipped.ErrorFields | Sort-Object -Unique | Should -Be 'No_of_Employees'
        @($results | Where-Object Status -EQ 'added') | Should -HaveCount 59994
        # The job files put the key column (Email, the -FindBy field) first, so Zoho's echo names each row.
        $jobs = @(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu | Select-Object -Last 3)
        (Get-ZcrmEmulatorUploadedCsv -Emulator $emu -FileId $jobs[0].file_id) -split "`r?`n" | Select-Object -First 1 |
            Should -BeExactly 'Email,Last_Name,Company,No_of_Employees'
        # One summary each: the skipped rows, nothing about the results not matching.
        @($resultErrors.FullyQualifiedErrorId) | Should -Be @('ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.GetZcrmBulkWriteResult')
        @($waitErrors.FullyQualifiedErrorId | Where-Object { $_ -notlike 'ZohoCrm.RecordsFailed*' }) | Should -HaveCount 0

        # Fix and send again exactly the skipped rows: the result's own properties are not uploaded.
        $fixed = $skipped | ForEach-Object { $_.No_of_Employees = '7'; $_ }
        $again = @($fixed | New-ZcrmBulkWriteJob -Module Leads -Operation upsert -FindBy Email -Wait -Force -ErrorAction Stop | Get-ZcrmBulkWriteResult -ErrorAction Stop)
        $again | Should -HaveCount 7
        @($again.Status | Sort-Object -Unique) | Should -Be 'added'
        @($again.Email) | Should -Be @($bad | ForEach-Object { "$tag$_@runs.test" })
        $last = Get-ZcrmEmulatorBulkWriteJob -Emulator $emu | Select-Object -Last 1
        (Get-ZcrmEmulatorUploadedCsv -Emulator $emu -FileId $last.file_id) -split "`r?`n" | Select-Object -First 1 |
            Should -BeExactly 'Email,Last_Name,Company,No_of_Employees'

        $leads = Get-TaggedLead -Tag $tag
        $leads | Should -HaveCount 60001
        @($leads.Email | Sort-Object -Unique) | Should -HaveCount 60001
        @($leads | Where-Object { $_.Email -in @($bad | ForEach-Object { "$tag$_@runs.test" }) } | ForEach-Object No_of_Employees | Sort-Object -Unique) | Should -Be 7
    }

    It 'gives whole rows for a CSV file later, from the file itself, and keeps a column named like a result property as Input_<name>' {
        $csv = Join-Path $dir 'status-column.csv'
        @(
            [pscustomobject]@{ Last_Name = 'Csv1'; Status = 'Contacted'; Email = 'csv1@runs.test' }
            [pscustomobject]@{ Last_Name = 'Csv2'; Status = 'Not Contacted'; Email = 'csv2@runs.test' }
        ) | Export-Csv -LiteralPath $csv -NoTypeInformation
        $job = New-ZcrmBulkWriteJob -Module Leads -Path $csv -FieldMapping @{ Last_Name = 'Last_Name'; Email = 'Email'; Lead_Status = 'Status' } -Force -ErrorAction Stop
        $results = @($job | Get-ZcrmBulkWriteJob -Wait -ErrorAction Stop | Get-ZcrmBulkWriteResult -ErrorAction Stop)
        $results | Should -HaveCount 2
        $results[1].Input_Status | Should -BeExactly 'Not Contacted'
        $results[1].Status | Should -BeExactly 'added'
        $results[1].SourcePath | Should -Be $job.SourcePath
        # Sent again, Input_Status goes back to its own name.
        $null = $results[1] | New-ZcrmBulkWriteJob -Module Leads -Operation upsert -FindBy Email -FieldMapping @{ Last_Name = 'Last_Name'; Email = 'Email'; Lead_Status = 'Status' } -Wait -Force -ErrorAction Stop
        $last = Get-ZcrmEmulatorBulkWriteJob -Emulator $emu | Select-Object -Last 1
        (Get-ZcrmEmulatorUploadedCsv -Emulator $emu -FileId $last.file_id) -split "`r?`n" | Select-Object -First 2 |
            Should -BeExactly @('Email,Last_Name,Status', 'csv2@runs.test,Csv2,Not Contacted')
    }
}

Describe 'A result that does not match its input' {
    BeforeEach { Clear-ZcrmEmulatorFault -Emulator $emu }
    AfterEach { Clear-ZcrmEmulatorFault -Emulator $emu }

    It 'names the input row Zoho''s result lacks, and gives it Status unknown' {
        $tag = 'm' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        Add-ZcrmEmulatorFault -Emulator $emu -Kind ResultRowMissing -PathContains '/bulk-write/' -Row 3 -Times 1
        $results = @(New-LeadRow -Count 5 -Tag $tag | New-ZcrmBulkWriteJob -Module Leads -Wait -Force -ErrorAction Stop |
                Get-ZcrmBulkWriteResult -ErrorAction SilentlyContinue -ErrorVariable ev)
        $results | Should -HaveCount 5
        @($results.RowNumber) | Should -Be @(1, 2, 4, 5, 3)
        $unknown = $results | Where-Object RowNumber -EQ 3
        $unknown.Status | Should -BeExactly 'unknown'
        $unknown.Last_Name | Should -BeExactly "${tag}3"
        $unknown.Errors | Should -Match 'may or may not have been written'
        $mismatch = @($ev | Where-Object { $_.FullyQualifiedErrorId -like 'ZohoCrm.ResultMismatch,*' })
        $mismatch | Should -HaveCount 1
        $mismatch[0].Exception.Message | Should -Match 'no row for input rows 3 \(1;'
        @($mismatch[0].TargetObject) | Should -Be @(3)
        # The unknown row also counts in the summary, so $? is false.
        @($ev | Where-Object { $_.FullyQualifiedErrorId -like 'ZohoCrm.RecordsFailed,*' }) | Should -HaveCount 1
    }

    It 'ties rows that came back out of order to their own input rows, and names them' {
        $tag = 'o' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        Add-ZcrmEmulatorFault -Emulator $emu -Kind ResultRowsSwapped -PathContains '/bulk-write/' -Row 3 -Times 1
        $results = @(New-LeadRow -Count 5 -Tag $tag | New-ZcrmBulkWriteJob -Module Leads -Wait -Force -ErrorAction Stop |
                Get-ZcrmBulkWriteResult -ErrorAction SilentlyContinue -ErrorVariable ev)
        $results | Should -HaveCount 5
        foreach ($r in $results) { $r.Last_Name | Should -BeExactly "$tag$($r.RowNumber)" }
        @($results.Status | Sort-Object -Unique) | Should -Be 'added'
        $mismatch = @($ev | Where-Object { $_.FullyQualifiedErrorId -like 'ZohoCrm.ResultMismatch,*' })
        $mismatch | Should -HaveCount 1
        $mismatch[0].Exception.Message | Should -Match 'rows 3 came back out of upload order'
    }
}

Describe 'New-ZcrmBulkWriteJob -RunPath and Resume-ZcrmBulkWriteRun' {
    BeforeEach { Clear-ZcrmEmulatorFault -Emulator $emu }
    AfterEach { Clear-ZcrmEmulatorFault -Emulator $emu }

    It 'keeps an uninterrupted run: user-only files, whole-row results from the folder, and resuming it sends nothing' {
        $tag = 'k' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $run = Join-Path $dir "run-$tag"
        $rows = @(New-LeadRow -Count 30 -Tag $tag -Bad 4)
        $jobs = @($rows | New-ZcrmBulkWriteJob -Module Leads -RunPath $run -Wait -Force -SkipMetadataCheck -ErrorAction SilentlyContinue)
        $jobs | Should -HaveCount 1
        $jobs[0].RunPath | Should -Be $run
        $manifest = Get-Content -LiteralPath (Join-Path $run 'run.json') -Raw | ConvertFrom-Json
        $manifest.inputs[0].chunks[0].state | Should -BeExactly 'created'
        $manifest.inputs[0].chunks[0].jobId | Should -Be $jobs[0].JobId
        if (-not $IsWindows) {
            [Convert]::ToString([int](Get-Item -LiteralPath $run).UnixFileMode, 8) | Should -Be '700'
            $files = @(Get-ChildItem -LiteralPath $run -File | Where-Object Name -NE 'run.lock')
            @($files.Name | Sort-Object) | Should -Be @('chunk-0001.zip', 'run.json')
            foreach ($f in $files) { [Convert]::ToString([int]$f.UnixFileMode, 8) | Should -Be '600' -Because $f.Name }
        }
        $results = @($jobs | Get-ZcrmBulkWriteResult -ErrorAction SilentlyContinue)
        $results | Should -HaveCount 30
        ($results | Where-Object RowNumber -EQ 4).Status | Should -BeExactly 'skipped'
        Test-Path -LiteralPath (Join-Path $run "result-$($jobs[0].JobId).zip") | Should -BeTrue

        $before = Get-ZcrmRequestCount -Emulator $emu
        $resumed = @(Resume-ZcrmBulkWriteRun -RunPath $run -Force -ErrorAction SilentlyContinue)
        $resumed.JobId | Should -Be $jobs[0].JobId
        $again = @($resumed | Get-ZcrmBulkWriteResult -ErrorAction SilentlyContinue)
        @($again | ForEach-Object { "$($_.RowNumber) $($_.Email) $($_.Status)" }) | Should -Be @($results | ForEach-Object { "$($_.RowNumber) $($_.Email) $($_.Status)" })
        # Only the job's details were read again: no upload, no create, no download (the run keeps the result).
        $calls = @(Get-ZcrmEmulatorRequest -Emulator $emu | Select-Object -Skip $before)
        @($calls | Where-Object { $_.method -ne 'GET' }) | Should -HaveCount 0
        @($calls | Where-Object { $_.path -like '*.zip' }) | Should -HaveCount 0
    }

    It 'refuses a folder that holds a run, before any request' {
        $tag = 'r' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $run = Join-Path $dir "run-$tag"
        $null = New-LeadRow -Count 2 -Tag $tag | New-ZcrmBulkWriteJob -Module Leads -RunPath $run -Force -ErrorAction Stop
        $before = Get-ZcrmRequestCount -Emulator $emu
        { New-LeadRow -Count 2 -Tag "$tag-2" | New-ZcrmBulkWriteJob -Module Leads -RunPath $run -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'ZohoCrm.RunExists,ZohoCrm.Cmdlets.NewZcrmBulkWriteJob'
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
    }

    It 'does not send again a chunk whose create got no answer, unless told to; then it makes its job and no duplicate (upsert)' {
        $tag = 'u' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $run = Join-Path $dir "run-$tag"
        $rows = @(New-LeadRow -Count 3 -Tag $tag)
        # Zoho makes the job, and the answer is lost.
        Add-ZcrmEmulatorFault -Emulator $emu -Kind DropAfterProcessing -Method POST -PathContains '/crm/bulk/' -Times 1
        $jobsBefore = @(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu).Count
        $r = Invoke-ZcrmCaptured { $rows | New-ZcrmBulkWriteJob -Module Leads -Operation upsert -FindBy Email -RunPath $run -Force }
        $r.Errors | Should -HaveCount 1
        $r.Errors[0].Exception.Message | Should -Match 'may or may not have made a job of them'
        (Get-Content -LiteralPath (Join-Path $run 'run.json') -Raw | ConvertFrom-Json).inputs[0].chunks[0].state | Should -BeExactly 'creating'
        (@(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu).Count - $jobsBefore) | Should -Be 1
        Clear-ZcrmEmulatorFault -Emulator $emu

        $resumed = Invoke-ZcrmCaptured { Resume-ZcrmBulkWriteRun -RunPath $run -Force }
        $resumed.Output | Should -HaveCount 0
        @($resumed.Errors.FullyQualifiedErrorId) | Should -Be @('ZohoCrm.CreateOutcomeUnknown,ZohoCrm.Cmdlets.ResumeZcrmBulkWriteRun')
        $resumed.Errors[0].Exception.Message | Should -Match "rows 1-3 were uploaded as file \d+ and the run stopped before Zoho answered"
        (@(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu).Count - $jobsBefore) | Should -Be 1

        $jobs = @(Resume-ZcrmBulkWriteRun -RunPath $run -ResubmitUnknown -Force -ErrorAction Stop)
        $jobs | Should -HaveCount 1
        (@(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu).Count - $jobsBefore) | Should -Be 2
        @($jobs | Get-ZcrmBulkWriteResult -ErrorAction Stop).Status | Should -Be @('updated', 'updated', 'updated')
        Get-TaggedLead -Tag $tag | Should -HaveCount 3
    }

    It 'refuses a run that another command holds, and a run folder with no run' {
        $tag = 'l' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $run = Join-Path $dir "run-$tag"
        $null = New-LeadRow -Count 2 -Tag $tag | New-ZcrmBulkWriteJob -Module Leads -RunPath $run -Force -ErrorAction Stop
        $lock = [System.IO.File]::Open((Join-Path $run 'run.lock'), 'Open', 'ReadWrite', 'None')
        try {
            { Resume-ZcrmBulkWriteRun -RunPath $run -Force -ErrorAction Stop } | Should -Throw -ErrorId 'ZohoCrm.RunInUse,ZohoCrm.Cmdlets.ResumeZcrmBulkWriteRun'
        }
        finally { $lock.Dispose() }
        { Resume-ZcrmBulkWriteRun -RunPath $TestDrive -Force -ErrorAction Stop } | Should -Throw -ErrorId 'ZohoCrm.RunNotFound,ZohoCrm.Cmdlets.ResumeZcrmBulkWriteRun'
    }

    It 'keeps a file the checks refused out of the run: its job files are gone, and a resume neither sends it nor calls it unread' {
        $tag = 'f' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $run = Join-Path $dir "run-$tag"
        $bad = Join-Path $dir "$tag-1.csv"
        $good = Join-Path $dir "$tag-2.csv"
        New-LeadRow -Count 3 -Tag "${tag}a" -Bad 2 | Export-Csv -LiteralPath $bad -NoTypeInformation
        New-LeadRow -Count 3 -Tag "${tag}b" | Export-Csv -LiteralPath $good -NoTypeInformation
        $r = Invoke-ZcrmCaptured { New-ZcrmBulkWriteJob -Module Leads -LiteralPath $bad, $good -RunPath $run -Force }
        @($r.Errors.FullyQualifiedErrorId) | Should -Be @('ZohoCrm.InvalidFieldValue,ZohoCrm.Cmdlets.NewZcrmBulkWriteJob')
        $r.Errors[0].Exception.Message | Should -BeLikeExactly "*No_of_Employees (integer): 1 row(s) of $tag-1.csv, rows 2: not a whole number*"
        $r.Output | Should -HaveCount 1
        @(Get-ChildItem -LiteralPath $run -Filter 'chunk-*.zip').Count | Should -Be 1
        $resumed = Invoke-ZcrmCaptured { Resume-ZcrmBulkWriteRun -RunPath $run -Force }
        Assert-ZcrmNoError $resumed
        $resumed.Output.JobId | Should -Be $r.Output[0].JobId
    }

    It 'leaves no run behind when bad input stops the command before any upload' {
        $run = Join-Path $dir ('run-bad-' + [guid]::NewGuid().ToString('N').Substring(0, 6))
        $rows = @([pscustomobject]@{ Last_Name = 'A' }, [pscustomobject]@{ Last_Name = 'B'; Extra = 'x' })
        { $rows | New-ZcrmBulkWriteJob -Module Leads -RunPath $run -Force -ErrorAction Stop } | Should -Throw -ErrorId 'ZohoCrm.UnknownColumn,ZohoCrm.Cmdlets.NewZcrmBulkWriteJob'
        @(Get-ChildItem -LiteralPath $run -File | Where-Object Name -NE 'run.lock') | Should -HaveCount 0
        # So the folder can be used again at once.
        $jobs = @([pscustomobject]@{ Last_Name = 'A' } | New-ZcrmBulkWriteJob -Module Leads -RunPath $run -Force -ErrorAction Stop)
        $jobs | Should -HaveCount 1
    }

    It 'finishes a 60,001-row run killed (-9) after its second of three jobs: 3 jobs in all, 60,001 results, no row written twice' {
        $tag = 'x' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $run = Join-Path $dir "run-$tag"
        $csv = Join-Path $dir "$tag.csv"
        New-LeadRow -Count 60001 -Tag $tag | Export-Csv -LiteralPath $csv -NoTypeInformation
        $jobsBefore = @(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu).Count
        # The third upload hangs, so the process is killed with two jobs made and the third chunk not sent.
        Add-ZcrmEmulatorFault -Emulator $emu -Kind Slow -Method POST -PathContains '/upload' -Skip 2 -Times 1 -DelayMs 120000

        $script = Join-Path $dir "$tag.ps1"
        @'
param($Manifest, $ApiDomain, $Run, $Csv)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$token = ConvertTo-SecureString $env:ZCRM_TEST_TOKEN -AsPlainText -Force
Connect-Zcrm -ApiDomain $ApiDomain -AccessToken $token
New-ZcrmBulkWriteJob -Module Leads -Path $Csv -RunPath $Run -Wait -Force
'@ | Set-Content -LiteralPath $script
        $pwsh = @(Get-ZcrmPwshCommandLine)
        $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NonInteractive', '-NoProfile', '-File', $script, (Get-ZcrmModuleManifest), $emu.BaseUrl, $run, $csv)) { $start.ArgumentList.Add($a) }
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.Environment['ZCRM_TEST_TOKEN'] = ConvertFrom-SecureString -SecureString $emu.AccessToken -AsPlainText
        $process = [System.Diagnostics.Process]::Start($start)
        try {
            $deadline = [datetime]::UtcNow.AddSeconds(180)
            do {
                Start-Sleep -Milliseconds 200
                $made = @(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu).Count - $jobsBefore
                $hanging = @(Get-ZcrmEmulatorInjectedFault -Emulator $emu | Where-Object kind -EQ 'Slow').Count
            } until (($made -ge 2 -and $hanging -ge 1) -or $process.HasExited -or [datetime]::UtcNow -gt $deadline)
            # (Its error stream is read only once it has exited: reading it before would wait for that.)
            if ($process.HasExited) { throw "The run ended before it could be killed: $($process.StandardError.ReadToEnd())" }
            $made | Should -Be 2
            $process.Kill()   # SIGKILL (kill -9) on Linux and macOS
            $process.WaitForExit(30000) | Should -BeTrue
        }
        finally { if (-not $process.HasExited) { $process.Kill($true) }; $process.Dispose() }
        Clear-ZcrmEmulatorFault -Emulator $emu

        $manifest = Get-Content -LiteralPath (Join-Path $run 'run.json') -Raw | ConvertFrom-Json
        @($manifest.inputs[0].chunks.state) | Should -Be @('created', 'created', 'ready')

        $jobs = @(Resume-ZcrmBulkWriteRun -RunPath $run -Force -ErrorAction Stop)
        $jobs | Should -HaveCount 3
        @($jobs.FirstRow) | Should -Be @(1, 25001, 50001)
        (@(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu).Count - $jobsBefore) | Should -Be 3
        $results = @($jobs | Get-ZcrmBulkWriteResult -ErrorAction Stop)
        $results | Should -HaveCount 60001
        $outOfPlace = 0
        for ($i = 0; $i -lt $results.Count; $i++) { if ($results[$i].RowNumber -ne $i + 1) { $outOfPlace++ } }
        $outOfPlace | Should -Be 0
        $results[60000].Email | Should -BeExactly "${tag}60001@runs.test"
        @($results.Status | Sort-Object -Unique) | Should -Be 'added'
        $leads = Get-TaggedLead -Tag $tag
        $leads | Should -HaveCount 60001
        @($leads.Email | Sort-Object -Unique) | Should -HaveCount 60001
    }
}
