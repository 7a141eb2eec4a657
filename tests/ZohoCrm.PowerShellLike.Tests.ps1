#Requires -Version 7.4
<#
    Pester 5 tests of how ZohoCrm behaves like PowerShell's own cmdlets: the table views of its output types (at 120
    columns), Get-ZcrmConnection when not connected, the job cmdlets' two shapes (a job object piped whole to
    -InputObject, or an id to -JobId) with no hidden parameter in any syntax, job objects read back with Import-Clixml
    or a job list with Import-Csv, and ids given as strings, numbers or properties of piped objects. Against the local
    Zoho emulator, typed the way a user types. Part of the end-to-end suite (tests/*.Tests.ps1).
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

Describe 'One name for each timeout' {
    It 'has -TimeoutSec only on Connect-Zcrm (each HTTP call) and -Timeout <seconds> on every cmdlet with -Wait' {
        $commands = @(Get-Command -Module ZohoCrm -CommandType Cmdlet)
        $timeouts = @(foreach ($c in $commands) { foreach ($p in $c.Parameters.Values) { if ($p.Name -like '*Timeout*' -or @($p.Aliases | Where-Object { $_ -like '*Timeout*' }).Count) { "$($c.Name) -$($p.Name)" } } })
        # The commands that wait: with -Wait, and Resume-ZcrmBulkWriteRun, which always waits for the run's jobs.
        $waiting = @($commands | Where-Object { $_.Parameters.ContainsKey('Wait') -or $_.Name -eq 'Resume-ZcrmBulkWriteRun' } | ForEach-Object Name | Sort-Object)
        @($waiting | Where-Object { $_ -ne 'Resume-ZcrmBulkWriteRun' }) | Should -BeExactly @('Get-ZcrmBulkWriteJob', 'Get-ZcrmMassUpdateJob', 'Invoke-ZcrmMassUpdate', 'New-ZcrmBulkWriteJob')
        @($timeouts | Sort-Object) | Should -BeExactly @(@('Connect-Zcrm -TimeoutSec') + @($waiting | ForEach-Object { "$_ -Timeout" }) | Sort-Object)
        foreach ($name in $waiting) { (Get-Command $name).Parameters['Timeout'].ParameterType | Should -Be ([int]) }
        (Get-Command Connect-Zcrm).Parameters['TimeoutSec'].ParameterType | Should -Be ([int])
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

Describe 'The job cmdlets take a job object whole (-InputObject) or an id (-JobId), with no hidden parameter' {
    # As Stop-Job -Job / -Id and Get-Process -InputObject / -Name: what a job carries (its rows, file, download URL,
    # view) comes with the job object itself, not through parameters that bind by property name and that a DontShow
    # would hide from tab completion but not from `Get-Command -Syntax` or `-?` (PowerShell/PowerShell#18503).
    BeforeAll {
        $commands = @(Get-Command -Module ZohoCrm -CommandType Cmdlet)
        # What these cmdlets once took only from a piped job's properties.
        $removed = @{
            'Get-ZcrmBulkWriteJob'    = @('FirstRow', 'LastRow', 'RowCount', 'SourcePath')
            'Get-ZcrmBulkWriteResult' = @('FirstRow', 'DownloadUrl', 'SourcePath')
            'Get-ZcrmMassUpdateJob'   = @('CustomViewId')
        }
        $jobOnly = @('FirstRow', 'LastRow', 'RowCount', 'SourcePath', 'DownloadUrl')
    }

    It 'shows no job-only parameter in any cmdlet''s syntax or parameter sets, and no DontShow parameter at all' {
        $commands.Count | Should -BeGreaterOrEqual 8
        foreach ($command in $commands) {
            $names = @($jobOnly) + @($removed[$command.Name] | Where-Object { $_ })
            $syntax = (Get-Command $command.Name -Syntax) -join "`n"
            $inSets = @($command.ParameterSets.Parameters.Name | Sort-Object -Unique)
            foreach ($name in $names) {
                $syntax | Should -Not -MatchExactly "-$name\b" -Because "$($command.Name) -Syntax shows no -$name"
                $inSets | Should -Not -Contain $name -Because "$($command.Name) has no -$name"
            }
            $hidden = @($command.Parameters.Values | Where-Object { @($_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow }).Count })
            @($hidden | ForEach-Object Name) | Should -HaveCount 0 -Because "$($command.Name) hides no parameter"
        }
    }

    It '<Command> has an -InputObject <Type> set (piped by value, the default) and a -JobId set' -ForEach @(
        @{ Command = 'Get-ZcrmBulkWriteJob'; Type = 'ZohoCrm.BulkWriteJob[]'; IdNames = @('JobId') }
        @{ Command = 'Get-ZcrmBulkWriteResult'; Type = 'ZohoCrm.BulkWriteJob[]'; IdNames = @('JobId') }
        @{ Command = 'Get-ZcrmMassUpdateJob'; Type = 'ZohoCrm.MassUpdateJob[]'; IdNames = @('Module', 'JobId') }
    ) {
        $info = Get-Command $Command
        # The default set is the one PowerShell tries first for a piped object: were it the -JobId set, a piped job
        # would bind its JobId property there and lose what it carries.
        $info.DefaultParameterSet | Should -BeExactly 'InputObject'
        $set = $info.ParameterSets | Where-Object Name -EQ 'InputObject'
        $jobs = $set.Parameters | Where-Object Name -EQ 'InputObject'
        $jobs.ParameterType.FullName | Should -BeExactly $Type
        $jobs.IsMandatory | Should -BeTrue
        $jobs.ValueFromPipeline | Should -BeTrue
        $jobs.ValueFromPipelineByPropertyName | Should -BeFalse
        $idSet = $info.ParameterSets | Where-Object Name -EQ 'Id'
        foreach ($name in $IdNames) {
            $parameter = $idSet.Parameters | Where-Object Name -EQ $name
            $parameter.IsMandatory | Should -BeTrue
            $parameter.ValueFromPipelineByPropertyName | Should -BeTrue -Because "-$name binds from an Import-Csv column"
        }
        $line = "$Command -"
        $offered = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText)
        foreach ($name in @('InputObject') + $IdNames) { $offered | Should -Contain "-$name" }
    }
}

Describe 'Job objects piped whole, read back with Import-Clixml, or listed in a CSV' {
    BeforeAll {
        $emu = Start-ZcrmTestEmulator -BulkStepMs 50 -RefreshLimit 100000
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        Connect-Zcrm @refresh
        $csv = Join-Path $TestDrive 'people.csv'
        Set-Content -LiteralPath $csv -Value 'Last_Name,Email', 'Piped One,piped.one@example.com', 'Piped Two,piped.two@example.com' -Encoding utf8
        $bulkJob = New-ZcrmBulkWriteJob Leads -Path $csv -Wait
        $massJob = Invoke-ZcrmMassUpdate Deals @{ Stage = 'Qualification' } -CustomViewId $AllDealsView -Force
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'keeps a mass update job''s CustomViewId when the job is piped or given whole' {
        $r = Invoke-ZcrmCaptured { $massJob | Get-ZcrmMassUpdateJob; Get-ZcrmMassUpdateJob $massJob; Get-ZcrmMassUpdateJob -InputObject $massJob, $massJob }
        Assert-ZcrmNoError $r
        $r.Output | Should -HaveCount 4
        foreach ($job in $r.Output) {
            $job.JobId | Should -BeExactly $massJob.JobId
            $job.CustomViewId | Should -BeExactly $AllDealsView
        }
    }

    It 'keeps FirstRow, SourcePath and CustomViewId of jobs read back with Import-Clixml (Deserialized.ZohoCrm.*)' {
        $file = Join-Path $TestDrive 'jobs.xml'
        $bulkJob | Export-Clixml -LiteralPath $file
        $back = Import-Clixml -LiteralPath $file
        $back.PSTypeNames[0] | Should -BeExactly 'Deserialized.ZohoCrm.BulkWriteJob'
        # As the second job of a split input would say.
        $back.FirstRow = 101

        $r = Invoke-ZcrmCaptured { $back | Get-ZcrmBulkWriteJob }
        Assert-ZcrmNoError $r
        $r.Output | Should -HaveCount 1
        $r.Output[0] | Should -BeOfType ([ZohoCrm.BulkWriteJob])
        $r.Output[0].FirstRow | Should -Be 101
        $r.Output[0].SourcePath | Should -BeExactly $csv
        $r = Invoke-ZcrmCaptured { $back | Get-ZcrmBulkWriteResult; Get-ZcrmBulkWriteJob -InputObject $back | Get-ZcrmBulkWriteResult }
        Assert-ZcrmNoError $r
        @($r.Output.RowNumber) | Should -Be @(101, 102, 101, 102)
        @($r.Output.Last_Name) | Should -BeExactly @('Piped One', 'Piped Two', 'Piped One', 'Piped Two')
        @($r.Output.SourcePath | Sort-Object -Unique) | Should -BeExactly @($csv)

        $massFile = Join-Path $TestDrive 'mass.xml'
        $massJob | Export-Clixml -LiteralPath $massFile
        $r = Invoke-ZcrmCaptured { Import-Clixml -LiteralPath $massFile | Get-ZcrmMassUpdateJob -Wait }
        Assert-ZcrmNoError $r
        $r.Output | Should -HaveCount 1
        $r.Output[0].Status | Should -BeExactly 'COMPLETED'
        $r.Output[0].CustomViewId | Should -BeExactly $AllDealsView
    }

    It 'keeps what a job carries through ForEach-Object -Parallel (the objects come back as they are)' {
        $r = Invoke-ZcrmCaptured { $bulkJob | ForEach-Object -Parallel { $_ } | Get-ZcrmBulkWriteResult }
        Assert-ZcrmNoError $r
        @($r.Output.RowNumber) | Should -Be @(1, 2)
        @($r.Output.SourcePath) | Should -BeExactly @($csv, $csv)
    }

    It 'reads the jobs of an exported job list by its JobId (and Module) column' {
        $bulkList = Join-Path $TestDrive 'bulk-jobs.csv'
        $massList = Join-Path $TestDrive 'mass-jobs.csv'
        $bulkJob | Export-Csv -LiteralPath $bulkList
        $massJob | Export-Csv -LiteralPath $massList
        $r = Invoke-ZcrmCaptured { Import-Csv -LiteralPath $bulkList | Get-ZcrmBulkWriteJob }
        Assert-ZcrmNoError $r
        $r.Output | Should -HaveCount 1
        $r.Output[0].JobId | Should -BeExactly $bulkJob.JobId
        $r.Output[0].Status | Should -BeExactly 'COMPLETED'
        # A CSV row is text, not a job: only its id binds, so the rows are numbered in the job's file and name no file.
        $r = Invoke-ZcrmCaptured { Import-Csv -LiteralPath $bulkList | Get-ZcrmBulkWriteResult }
        Assert-ZcrmNoError $r
        @($r.Output.RowNumber) | Should -Be @(1, 2)
        @($r.Output.Last_Name) | Should -BeExactly @('Piped One', 'Piped Two')
        $r.Output[0].PSObject.Properties['SourcePath'] | Should -BeNullOrEmpty
        $r = Invoke-ZcrmCaptured { Import-Csv -LiteralPath $massList | Get-ZcrmMassUpdateJob }
        Assert-ZcrmNoError $r
        $r.Output | Should -HaveCount 1
        $r.Output[0].Module | Should -BeExactly 'Deals'
        $r.Output[0].JobId | Should -BeExactly $massJob.JobId
    }

    It 'sends nothing for a read-back job whose JobId is not a Zoho id: it binds as an id, and the id check refuses it' {
        $before = Get-ZcrmRequestCount -Emulator $emu
        $tampered = [pscustomobject]@{ PSTypeName = 'Deserialized.ZohoCrm.BulkWriteJob'; JobId = '../../crm/v8/org'; Module = 'Leads' }
        $r = Invoke-ZcrmCaptured { $tampered | Get-ZcrmBulkWriteJob; $tampered | Get-ZcrmBulkWriteResult }
        $r.Output | Should -HaveCount 0
        $r.AllErrors | Should -HaveCount 2
        foreach ($e in $r.AllErrors) { $e.Exception.Message | Should -BeLikeExactly "*'../../crm/v8/org' is not a Zoho id*" }
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
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

    It 'passes the piped rows'' other columns through to the results, so each result says which input it answers' {
        $dir = Join-Path ([System.IO.Path]::GetTempPath()) ("zcrm-pass-" + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $dir
        try {
            $csv = Join-Path $dir 'fix.csv'
            'Record Id,Account,Region,Status', '738964000002131001,Acme,EU,todo', '1306462000000496025,Beta,US,todo' | Set-Content -LiteralPath $csv
            $results = @(Import-Csv -LiteralPath $csv | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Force -ErrorAction SilentlyContinue)
            @($results.Id) | Should -BeExactly @('738964000002131001', '1306462000000496025')
            @($results.Account) | Should -BeExactly @('Acme', 'Beta')
            @($results.Region) | Should -BeExactly @('EU', 'US')
            @($results.Status) | Should -BeExactly @('success', 'error') -Because 'the result''s own properties win over the input''s'
            $results[0].PSObject.TypeNames[0] | Should -BeExactly 'ZohoCrm.MassUpdateResult'
            $out = Join-Path $dir 'results.csv'
            $results | Where-Object Status -EQ 'error' | Export-Csv -LiteralPath $out -NoTypeInformation
            $exported = @(Import-Csv -LiteralPath $out)
            $exported.Account | Should -BeExactly 'Beta'
            $exported.Code | Should -BeExactly 'NOT_APPROVED'

            $bare = @('738964000002131001' | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Force)
            @($bare[0].PSObject.Properties.Name) | Should -Not -Contain 'Length' -Because 'a piped string has nothing to pass through'
        }
        finally { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue }
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

    It 'reads a job by -JobId typed as a number or a string, given or piped' {
        $bulkJob = [ordered]@{ Last_Name = 'By id' } | New-ZcrmBulkWriteJob Leads -Wait
        $id = $bulkJob.JobId
        $r = Invoke-ZcrmCaptured {
            Get-ZcrmBulkWriteJob -JobId ([long]$id)
            Get-ZcrmBulkWriteJob -JobId "$id"
            Get-ZcrmBulkWriteJob $id
            "$id" | Get-ZcrmBulkWriteJob
            [long]$id | Get-ZcrmBulkWriteJob
        }
        Assert-ZcrmNoError $r
        $r.Output | Should -HaveCount 5
        foreach ($job in $r.Output) { $job.JobId | Should -BeExactly $id; $job.Status | Should -BeExactly 'COMPLETED' }
        $r = Invoke-ZcrmCaptured { Get-ZcrmBulkWriteResult -JobId ([long]$id); "$id" | Get-ZcrmBulkWriteResult }
        Assert-ZcrmNoError $r
        @($r.Output.Last_Name) | Should -BeExactly @('By id', 'By id')
    }
}
