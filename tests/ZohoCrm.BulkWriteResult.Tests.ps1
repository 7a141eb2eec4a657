#Requires -Version 7.4
<#
    Pester 5 tests of Get-ZcrmBulkWriteResult with several jobs and of the objects it writes, against the local Zoho
    emulator: the next jobs' results download while a job's rows are written (in input order, each job's error in its
    turn), and rows made from the job's precomputed shape behave as any PowerShell object (their own type names,
    members and values). The single-job behaviour is in ZohoCrm.BulkWrite.Tests.ps1.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest
}

Describe 'Get-ZcrmBulkWriteResult with several jobs' {
    BeforeAll {
        $emu = Start-ZcrmTestEmulator -BulkStepMs 20 -RefreshLimit 100000
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        Connect-Zcrm @refresh
        $dir = (New-Item -ItemType Directory -Path (Join-Path ([System.IO.Path]::GetTempPath()) "zcrm-results-$([guid]::NewGuid().ToString('N').Substring(0, 8))")).FullName
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 8)
        foreach ($name in 'a', 'b', 'c') {
            $lines = @('Last_Name,Email') + @(1..3 | ForEach-Object { "$name$_,$name$_.$tag@example.com" })
            Set-Content -LiteralPath (Join-Path $dir "$name.csv") -Value $lines -Encoding utf8
        }
        $jobs = @(Get-ChildItem -Path $dir -Filter *.csv | Sort-Object Name | New-ZcrmBulkWriteJob -Module Leads -Wait)
        $jobs | Should -HaveCount 3
        function Get-DownloadCount([string] $JobId) {
            @(Get-ZcrmEmulatorRequest -Emulator $emu -Method GET -PathLike "*bulk-write*$JobId*").Count
        }
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
        Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
    }
    AfterEach { Clear-ZcrmEmulatorFault -Emulator $emu }

    It 'downloads the next jobs'' results while the first job''s rows are written, and writes the rows in input order' {
        $before = Get-DownloadCount $jobs[2].JobId
        $state = @{ Seen = $null }
        $r = Invoke-ZcrmCaptured {
            $jobs | Get-ZcrmBulkWriteResult | ForEach-Object {
                if ($null -eq $state.Seen) {
                    # The first row of job 1 holds the pipeline here: job 3's download can only come from the lookahead.
                    $deadline = [datetime]::UtcNow.AddSeconds(20)
                    while ((Get-DownloadCount $jobs[2].JobId) -eq $before -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
                    $state.Seen = Get-DownloadCount $jobs[2].JobId
                }
                $_
            }
        }
        Assert-ZcrmNoError $r
        $state.Seen | Should -BeGreaterThan $before
        @($r.Output.Last_Name) | Should -BeExactly @('a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'c1', 'c2', 'c3')
        @($r.Output.JobId) | Should -BeExactly @($jobs[0].JobId, $jobs[0].JobId, $jobs[0].JobId, $jobs[1].JobId, $jobs[1].JobId, $jobs[1].JobId, $jobs[2].JobId, $jobs[2].JobId, $jobs[2].JobId)
        @($r.Output.RowNumber) | Should -Be @(1, 2, 3, 1, 2, 3, 1, 2, 3)
    }

    It 'reports a failed download of job 2 in its turn, and jobs 1 and 3 still give their rows' {
        $path = ([uri]$jobs[1].DownloadUrl).AbsolutePath
        $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind DamagedZip -Method GET -PathContains $path
        $r = Invoke-ZcrmCaptured { $jobs | Get-ZcrmBulkWriteResult }
        $r.Terminating | Should -BeNullOrEmpty
        @($r.Output.Last_Name) | Should -BeExactly @('a1', 'a2', 'a3', 'c1', 'c2', 'c3')
        $r.Errors | Should -HaveCount 1
        $r.Errors[0].FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'ZohoCrm.InvalidResult'
        $r.Errors[0].TargetObject | Should -BeExactly $jobs[1].JobId
        # In its turn: after job 1's rows, before job 3's (2>&1 keeps the order of output and errors).
        $items = @(& { $jobs | Get-ZcrmBulkWriteResult } 2>&1)
        $kinds = @($items | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { 'error' } else { $_.Last_Name } })
        $kinds | Should -BeExactly @('a1', 'a2', 'a3', 'error', 'c1', 'c2', 'c3')
    }

    It 'stops at Select-Object -First with the later downloads going, and leaves no result file behind' {
        $temp = [System.IO.Path]::GetTempPath()
        $before = @(Get-ChildItem -LiteralPath $temp -Filter "zcrm-result-$PID-*" -ErrorAction SilentlyContinue).Count
        $r = Invoke-ZcrmCaptured { $jobs | Get-ZcrmBulkWriteResult | Select-Object -First 1 }
        Assert-ZcrmNoError $r
        $r.Output.Last_Name | Should -BeExactly 'a1'
        @(Get-ChildItem -LiteralPath $temp -Filter "zcrm-result-$PID-*" -ErrorAction SilentlyContinue).Count | Should -BeLessOrEqual $before
    }

    It 'writes rows that are objects of their own: type names, members and values apart from the other rows' {
        $rows = @($jobs | Get-ZcrmBulkWriteResult)
        $rows | Should -HaveCount 9
        $names = @($rows[0].PSObject.Properties.Name)
        $names | Should -BeExactly @('RowNumber', 'Last_Name', 'Email', 'Status', 'RecordId', 'Errors', 'ErrorCodes', 'ErrorFields', 'JobId', 'SourcePath')
        foreach ($o in $rows) {
            @($o.PSObject.Properties.Name) | Should -BeExactly $names
            @($o.PSTypeNames) | Should -BeExactly @('ZohoCrm.BulkWriteResultRow', 'System.Management.Automation.PSCustomObject', 'System.Object')
            $o.Status | Should -BeExactly 'added'
        }
        $rows[1].PSTypeNames.Insert(0, 'Mine')
        $rows[1] | Add-Member -NotePropertyName Extra -NotePropertyValue 7
        $rows[1].Last_Name = 'changed'
        $rows[1].PSTypeNames[0] | Should -BeExactly 'Mine'
        $rows[1].Extra | Should -Be 7
        $rows[2].PSTypeNames[0] | Should -BeExactly 'ZohoCrm.BulkWriteResultRow'
        $rows[2].PSObject.Properties['Extra'] | Should -BeNullOrEmpty
        @($rows.Last_Name) | Should -BeExactly @('a1', 'changed', 'a3', 'b1', 'b2', 'b3', 'c1', 'c2', 'c3')
        # The format view of the type, and the rows through Export-Csv and Select-Object as any object.
        ($rows[2] | Format-Table | Out-String) | Should -BeLikeExactly '*3*added*'
        $csv = @($rows | Select-Object -Skip 2 | ConvertTo-Csv | ConvertFrom-Csv)
        $csv[0].Email | Should -BeExactly $rows[2].Email
        ($rows[3] | Select-Object RowNumber, Status).RowNumber | Should -Be 1
    }
}
