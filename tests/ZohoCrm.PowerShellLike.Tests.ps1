#Requires -Version 7.4
<#
    Pester 5 tests of how ZohoCrm behaves like PowerShell's own cmdlets: the table views of its output types (at 120
    columns), Get-ZcrmConnection when not connected, the parameters that only bind from piped objects (hidden from
    the syntax), and ids given as strings, numbers or properties of piped objects. Against the local Zoho emulator,
    typed the way a user types. Part of the end-to-end suite (tests/*.Tests.ps1).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    # The seed records (src/ZohoCrm.Emulator/SeedData.cs) and views (Schema.cs).
    $Seed1 = '738964000002131001'
    $AllDealsView = '738964000000095001'

    # The table as a user sees it in a 120-column console: its lines, without the blank ones.
    function Get-TableLine {
        param([Parameter(Mandatory, ValueFromPipeline)][object]$InputObject)
        begin { $all = [System.Collections.Generic.List[object]]::new() }
        end {
            $text = $all | Format-Table | Out-String -Width 120
            @($text -split '\r?\n' | Where-Object { $_.Trim() })
        }
        process { $all.Add($InputObject) }
    }

    # The header line of a table: its column names, split on runs of spaces.
    function Get-HeaderName {
        param([Parameter(Mandatory)][string[]]$Line)
        @($Line[0].Trim() -split '\s+')
    }
}

AfterAll {
    if (Get-Command Disconnect-Zcrm -ErrorAction SilentlyContinue) { Disconnect-Zcrm }
}

Describe 'Table views of the output types, at 120 columns' {
    BeforeAll {
        $emu = Start-ZcrmTestEmulator -BulkStepMs 50 -RefreshLimit 100000
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        Connect-Zcrm @refresh
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'shows a connection as DataCenter, ApiDomain, ApiVersion, AuthType, ExpiresOn' {
        $lines = Get-ZcrmConnection | Get-TableLine
        Get-HeaderName $lines | Should -BeExactly @('DataCenter', 'ApiDomain', 'ApiVersion', 'AuthType', 'ExpiresOn')
        $lines | Should -HaveCount 3
        $lines[2] | Should -BeLikeExactly "Custom*$($emu.BaseUrl)*v8*RefreshToken*"
        @($lines | Where-Object Length -GT 120) | Should -HaveCount 0
    }

    It 'shows mass update results as Id, Status, Code, ErrorField, Message' {
        $results = Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id $Seed1, '111111111111111111' -Force
        $lines = $results | Get-TableLine
        Get-HeaderName $lines | Should -BeExactly @('Id', 'Status', 'Code', 'ErrorField', 'Message')
        $lines | Should -HaveCount 4
        $lines[2] | Should -BeLikeExactly "$Seed1*success*"
        @($lines | Where-Object Length -GT 120) | Should -HaveCount 0
    }

    It 'shows a mass update job''s counts under the names of what they hold (NotUpdated, not Pending)' {
        $job = Invoke-ZcrmMassUpdate Deals @{ Stage = 'Qualification' } -CustomViewId $AllDealsView -Force
        $lines = $job | Get-TableLine
        Get-HeaderName $lines | Should -BeExactly @('Module', 'JobId', 'Status', 'Total', 'Updated', 'NotUpdated', 'Failed')
        $lines | Should -HaveCount 3
        $lines[2] | Should -BeLikeExactly "Deals*$($job.JobId)*"
        @($lines | Where-Object Length -GT 120) | Should -HaveCount 0
    }

    It 'shows bulk write jobs and their result rows as tables, the rows as RowNumber, Status, RecordId, Errors, Input' {
        $rows = @(
            [ordered]@{ Last_Name = 'Table One'; Email = 'table.one@example.com'; Company = 'Views Ltd' }
            [ordered]@{ Last_Name = ''; Email = 'no.name@example.com'; Company = 'Views Ltd' }
        )
        $job = $rows | New-ZcrmBulkWriteJob Leads -Wait
        $jobLines = $job | Get-TableLine
        Get-HeaderName $jobLines | Should -BeExactly @('JobId', 'Module', 'Operation', 'Status', 'Rows', 'Added', 'Updated', 'Skipped', 'File')
        $jobLines | Should -HaveCount 3
        $jobLines[2] | Should -BeLikeExactly "$($job.JobId)*Leads*insert*COMPLETED*1-2*"
        @($jobLines | Where-Object Length -GT 120) | Should -HaveCount 0

        $result = @($job | Get-ZcrmBulkWriteResult)
        $result | Should -HaveCount 2
        $lines = $result | Get-TableLine
        Get-HeaderName $lines | Should -BeExactly @('RowNumber', 'Status', 'RecordId', 'Errors', 'Input')
        # A header, its underline, one line per row: a table, not a list of 9 lines per row.
        $lines | Should -HaveCount 4
        $lines[2] | Should -MatchExactly "^\s+1 added\s+$($result[0].RecordId)\s+Last_Name=Table One; Email=table\.one@"
        $lines[3] | Should -MatchExactly '^\s+2 skipped\s+\S*MANDATORY_NOT_FOUND'
        @($lines | Where-Object Length -GT 120) | Should -HaveCount 0
    }
}

Describe 'Get-ZcrmConnection when not connected' {
    BeforeAll {
        $emu = Start-ZcrmTestEmulator -RefreshLimit 100000
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'returns nothing and writes no error, so `if (-not (Get-ZcrmConnection)) { Connect-Zcrm ... }` works' {
        Disconnect-Zcrm
        $Error.Clear()
        $all = @(Get-ZcrmConnection -ErrorAction Stop *>&1)
        $all | Should -HaveCount 0
        $Error | Should -HaveCount 0

        if (-not (Get-ZcrmConnection)) { Connect-Zcrm @refresh }
        $conn = @(Get-ZcrmConnection)
        $conn | Should -HaveCount 1
        $conn[0].ApiDomain | Should -BeExactly $emu.BaseUrl
    }
}

Describe 'Parameters that only bind from piped job objects' {
    # They are DontShow: hidden from tab completion (what a user types: `Get-ZcrmBulkWriteJob -<Tab>`). PowerShell still
    # lists DontShow parameters in `Get-Command -Syntax` and `-?` (PowerShell/PowerShell#18503, open).
    It '<Command> -[Tab] offers <Shown> and not <Hidden>' -ForEach @(
        @{ Command = 'Get-ZcrmBulkWriteJob'; Shown = @('JobId', 'Wait', 'Timeout'); Hidden = @('FirstRow', 'LastRow', 'RowCount', 'SourcePath') }
        @{ Command = 'Get-ZcrmBulkWriteResult'; Shown = @('JobId', 'OutFile'); Hidden = @('FirstRow', 'DownloadUrl', 'SourcePath') }
        @{ Command = 'Get-ZcrmMassUpdateJob'; Shown = @('Module', 'JobId', 'Wait', 'Timeout'); Hidden = @('CustomViewId') }
    ) {
        $line = "$Command -"
        $offered = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText)
        foreach ($name in $Shown) { $offered | Should -Contain "-$name" }
        foreach ($name in $Hidden) { $offered | Should -Not -Contain "-$name" -Because "-$name only binds from a piped job" }
        # Still bound by property name from a piped job (the pipeline tests in ZohoCrm.BulkWrite.Tests.ps1 use them).
        $parameters = (Get-Command $Command).Parameters
        foreach ($name in $Hidden) {
            $attribute = @($parameters[$name].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })[0]
            $attribute.ValueFromPipelineByPropertyName | Should -BeTrue
        }
    }
}

Describe 'Ids as strings, numbers and properties of piped objects' {
    BeforeAll {
        $emu = Start-ZcrmTestEmulator -RefreshLimit 100000
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        Connect-Zcrm @refresh
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    # The ids are written out in the cases, since -ForEach data is read before BeforeAll runs ($Seed1 = 738964000002131001).
    It 'updates the record for <Typed>' -ForEach @(
        @{ Typed = "[pscustomobject]@{ Id = [long]738964000002131001 } | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Force" }
        @{ Typed = "'{`"id`":738964000002131001}' | ConvertFrom-Json | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Force" }
        @{ Typed = "[pscustomobject]@{ 'Record Id' = '738964000002131001' } | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Force" }
        @{ Typed = "[pscustomobject]@{ RecordId = [decimal]738964000002131001 } | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Force" }
        @{ Typed = "[pscustomobject]@{ record_id = '738964000002131001' } | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Force" }
        @{ Typed = "[long]738964000002131001 | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Force" }
        @{ Typed = "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Force" }
        @{ Typed = "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id ([long]738964000002131001), 1306462000000496025 -Force" }
        @{ Typed = "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id ([int]12345) -Force" }
    ) {
        $Error.Clear()
        $results = @(Invoke-Expression $Typed)
        # Ids Zoho does not know are per-record failures (and their summary error); the binding itself wrote no error.
        @($Error | Where-Object FullyQualifiedErrorId -NotLike 'ZohoCrm.RecordsFailed,*') | Should -HaveCount 0
        $results.Count | Should -BeGreaterOrEqual 1
        $results[0].Id | Should -BeOfType ([string])
        # The digits, never 7.38964000002131E+17 nor a culture's group separators.
        if ($Typed -like '*12345*') { $results[0].Id | Should -BeExactly '12345' }
        else { $results[0].Id | Should -BeExactly $Seed1; $results[0].Status | Should -BeExactly 'success' }
        $body = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu)[-1].body
        (Get-ZcrmJsonValue -Json $body -Path 'ids', 0).Text | Should -BeExactly $results[0].Id
    }

    It 'rejects <Typed> with the Zoho id error, sending nothing' -ForEach @(
        @{ Typed = "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 1.5 -Force"; Text = "'1.5' is not a Zoho id" }
        @{ Typed = "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id -7 -Force"; Text = "'-7' is not a Zoho id" }
        @{ Typed = "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 12ab -Force"; Text = "'12ab' is not a Zoho id" }
        @{ Typed = "[pscustomobject]@{ Id = 2.5 } | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Force"; Text = "'2.5' is not a Zoho id" }
        @{ Typed = "'{`"id`":7.5}' | ConvertFrom-Json | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Force"; Text = "'7.5' is not a Zoho id" }
    ) {
        $before = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu).Count
        $caught = $null
        $all = @()
        try { $all = @(& ([scriptblock]::Create($Typed)) *>&1) } catch { $caught = $_ }
        $errors = @(@($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) + @($caught) | Where-Object { $_ })
        $errors | Should -HaveCount 1
        $errors[0].Exception.Message | Should -BeLikeExactly "*$Text*: Zoho ids are strings of digits*"
        @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu).Count | Should -Be $before
    }

    It 'reads jobs whose JobId is a number, typed or a property of a piped object' {
        $massJob = Invoke-ZcrmMassUpdate Deals @{ Stage = 'Qualification' } -CustomViewId 738964000000095001 -Force
        $Error.Clear()
        $seen = @([pscustomobject]@{ Module = 'Deals'; JobId = [long]$massJob.JobId } | Get-ZcrmMassUpdateJob)
        $Error | Should -HaveCount 0
        $seen | Should -HaveCount 1
        $seen[0].JobId | Should -BeExactly $massJob.JobId

        $bulkJob = [ordered]@{ Last_Name = 'Numbered' } | New-ZcrmBulkWriteJob Leads -Wait
        $seen = @([pscustomobject]@{ JobId = [long]$bulkJob.JobId } | Get-ZcrmBulkWriteJob)
        $Error | Should -HaveCount 0
        $seen | Should -HaveCount 1
        $seen[0].JobId | Should -BeExactly $bulkJob.JobId
        $rows = @([pscustomobject]@{ JobId = [long]$bulkJob.JobId } | Get-ZcrmBulkWriteResult)
        $Error | Should -HaveCount 0
        $rows | Should -HaveCount 1
        $rows[0].Status | Should -BeExactly 'added'
    }
}
