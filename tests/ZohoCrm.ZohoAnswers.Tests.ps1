#Requires -Version 7.4
<#
    Pester 5 tests of the cmdlets meeting the answers Zoho's own sources give and no seed captured (the shared
    zoho-api.md section 5; the emulator's replay of them is tests/ZohoCrm.Tests/EmulatorFidelityTests.cs):
    ALREADY_SCHEDULED as HTTP 202, a bulk write job that ends SKIPPED, the job details' character_encoding, and a
    result link that is no longer valid. Each Describe starts an emulator of its own with the switch it needs
    (Start-ZcrmTestEmulator -AlreadyScheduledStatus 202 / -ResultLinkLifetimeSec 0).

    Build first (./build.ps1, or `dotnet build ZohoCrm.sln`), then:  Invoke-Pester ./tests/ZohoCrm.ZohoAnswers.Tests.ps1
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    # The seeds' custom view of all Leads (seed 000).
    $AllLeadsView = '738964000000091563'
}

Describe 'ALREADY_SCHEDULED as HTTP 202 (Zoho''s docs)' {
    BeforeAll {
        # A job step every 30 s: the first scheduled job is still running when the second call comes.
        $emu = Start-ZcrmTestEmulator -JobStepMs 30000 -AlreadyScheduledStatus 202
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        Connect-Zcrm @refresh
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'is a non-terminating resource-busy error with ErrorId ALREADY_SCHEDULED, not a scheduled job' {
        $first = Invoke-ZcrmCaptured { Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 1 } -CustomViewId $AllLeadsView -Force }
        $first.AllErrors | Should -HaveCount 0
        $first.Output | Should -HaveCount 1

        $second = Invoke-ZcrmCaptured {
            Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 2 } -CustomViewId $AllLeadsView -Force
            'the script went on'
        }
        $second.Terminating | Should -BeNullOrEmpty
        $second.Output | Should -BeExactly @('the script went on') # no job object for the refused call
        $second.Errors | Should -HaveCount 1
        $err = $second.Errors[0]
        $err.FullyQualifiedErrorId | Should -BeExactly 'ALREADY_SCHEDULED,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
        $err.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::ResourceBusy)
        $err.Exception.HttpStatus | Should -Be 202
        $err.Exception.Message | Should -BeLikeExactly '*Already an Mass Action scheduler is runing for the given cvid*'
        $err.TargetObject | Should -Not -BeNullOrEmpty

        # Only the first call made a job.
        $calls = @(Get-ZcrmEmulatorRequest -Emulator $emu | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/actions/mass_update' })
        @($calls.statusCode) | Should -Be @(200, 202)
    }
}

Describe 'A bulk write job that ends SKIPPED' {
    BeforeAll {
        $emu = Start-ZcrmTestEmulator -BulkStepMs 20
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        Connect-Zcrm @refresh
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'ends -Wait, is reported as skipped rows, and its result says why' {
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 8)
        # No Last_Name (mandatory in Leads): Zoho skips every row, so the job, its resource and its file are SKIPPED.
        $rows = 1..2 | ForEach-Object { [pscustomobject]@{ Last_Name = ''; Email = "skip$_.$tag@example.com" } }

        $wait = Invoke-ZcrmCaptured { $rows | New-ZcrmBulkWriteJob -Module Leads -Wait -Force }
        $wait.Terminating | Should -BeNullOrEmpty
        $job = @($wait.Output | Where-Object { $_ -is [ZohoCrm.BulkWriteJob] })
        $job | Should -HaveCount 1
        $job[0].Status | Should -BeExactly 'SKIPPED'
        $job[0].IsFinished | Should -BeTrue
        ($job[0].AddedCount, $job[0].UpdatedCount, $job[0].SkippedCount) | Should -Be @(0, 0, 2)
        $job[0].CharacterEncoding | Should -BeExactly 'UTF-8'
        $wait.Errors | Should -HaveCount 1
        $wait.Errors[0].FullyQualifiedErrorId | Should -BeLikeExactly 'ZohoCrm.RecordsFailed,*'
        $wait.Errors[0].Exception.Message | Should -BeLikeExactly '2 of 2 Leads rows were skipped by bulk write job*'

        $result = Invoke-ZcrmCaptured { $job[0] | Get-ZcrmBulkWriteResult }
        $result.Terminating | Should -BeNullOrEmpty
        @($result.Output.Status) | Should -BeExactly @('skipped', 'skipped')
        @($result.Output.Errors) | Should -BeExactly @('MANDATORY_NOT_FOUND-Last_Name', 'MANDATORY_NOT_FOUND-Last_Name')
        @($result.Output.RowNumber) | Should -Be @(1, 2)
        $result.Errors | Should -HaveCount 1
        $result.Errors[0].Exception.Message | Should -BeLikeExactly '2 of 2 rows were not added or updated (2 skipped).*'

        # Read again by id: still SKIPPED, the encoding as Zoho echoes it.
        $again = Get-ZcrmBulkWriteJob -JobId $job[0].JobId
        $again.Status | Should -BeExactly 'SKIPPED'
        $again.CharacterEncoding | Should -BeExactly 'UTF-8'
    }
}

Describe 'A result download link that is no longer valid' {
    BeforeAll {
        # Links valid for 0 s: every result link has expired by the time it is used.
        $emu = Start-ZcrmTestEmulator -BulkStepMs 20 -ResultLinkLifetimeSec 0
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        Connect-Zcrm @refresh
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'is one clear non-terminating error per job, with no rows and no file left' {
        $tag = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $job = [pscustomobject]@{ Last_Name = "Expired $tag" } | New-ZcrmBulkWriteJob -Module Leads -Wait -Force
        $job.Status | Should -BeExactly 'COMPLETED'
        $outFile = Join-Path ([IO.Path]::GetTempPath()) "zcrm-expired-$tag.zip"

        $r = Invoke-ZcrmCaptured { $job, $job.JobId | ForEach-Object { $_ } | Get-ZcrmBulkWriteResult; 'the script went on' }
        $r.Terminating | Should -BeNullOrEmpty
        $r.Output | Should -BeExactly @('the script went on')
        $r.Errors | Should -HaveCount 2 # the piped job (its own link) and the bare id (the link read anew)
        foreach ($err in $r.Errors) {
            $err.FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.DownloadLinkNotValid,ZohoCrm.Cmdlets.GetZcrmBulkWriteResult'
            $err.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::ResourceUnavailable)
            $err.Exception.Message | Should -BeLikeExactly '*Forbidden: Link not valid*HTTP 403*expired*'
            $err.TargetObject | Should -BeExactly $job.JobId
        }
        # Refused once each, not retried.
        @(Get-ZcrmEmulatorRequest -Emulator $emu | Where-Object { $_.path -like '*/bulk-write/*' }).Count | Should -Be 2

        $e = Invoke-ZcrmCaptured { Get-ZcrmBulkWriteResult -JobId $job.JobId -OutFile $outFile }
        $e.Errors | Should -HaveCount 1
        $e.Errors[0].FullyQualifiedErrorId | Should -BeLikeExactly 'ZohoCrm.DownloadLinkNotValid,*'
        Test-Path -LiteralPath $outFile | Should -BeFalse
    }
}
