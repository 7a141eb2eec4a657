#Requires -Version 7.4
<#
    Pester 5 tests of ZohoCrm's bulk write cmdlets (New-ZcrmBulkWriteJob, Get-ZcrmBulkWriteJob, Get-ZcrmBulkWriteResult),
    driven against the local Zoho emulator: part of the end-to-end suite (tests/*.Tests.ps1), the reference for the
    module's behaviour.

    Build first (./build.ps1, or `dotnet build ZohoCrm.sln`), then:  Invoke-Pester ./tests/ZohoCrm.BulkWrite.Tests.ps1
    The tests read the emulator's state (records, requests, bulk write jobs, uploaded files and callbacks) through its
    control endpoints (PesterHelpers.psm1). The 'Bulk write' block lifts Zoho's limit of 10 token refreshes per
    10 minutes (Start-ZcrmTestEmulator -RefreshLimit 100000, the emulator's --refresh-limit); its tests share the
    block's connection (connecting in each test would cost no token either: the module shares one access token per
    credentials in a process). The bad-input table (bad rows, parameters and CSV/ZIP files) is in
    ZohoCrm.BadInput.Tests.ps1. Notes:
      - The test that checks the uploaded CSV reads the file of its job's own file_id from the emulator
        (GET /__emulator/uploads/{fileId}, Get-ZcrmEmulatorUploadedCsv). Its upload also goes through a loopback relay
        (Start-ZcrmUploadRelay, given as -UploadUrl) that keeps a copy, so the test sees the upload go to -UploadUrl.
      - EmulatorOptions.RelativeDownloadUrl and InProgressWithSpace are set with the emulator's --relative-download-url
        and --in-progress-with-space flags (Start-ZcrmTestEmulator -RelativeDownloadUrl -InProgressWithSpace).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    # The seed's bulk write files and job (src/ZohoCrm.Emulator/SeedData.cs; seeds 003 and 004).
    $SeedFile = '4150868000005364001'
    $SeedFileForErrors = '4150868000005362001'
    $SeedJob = '4150868000005392002'

    # A Zoho error: the error id's first part, the category, a text in the message.
    function Assert-ZohoError {
        param(
            [AllowNull()][object]$ErrorRecord,
            [Parameter(Mandatory)][string]$Code,
            [Parameter(Mandatory)][System.Management.Automation.ErrorCategory]$Category,
            [Parameter(Mandatory)][string]$Text
        )
        $ErrorRecord | Should -Not -BeNullOrEmpty
        $ErrorRecord.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly $Code
        $ErrorRecord.CategoryInfo.Category | Should -Be $Category
        $ErrorRecord.Exception.Message | Should -BeLikeExactly "*$([WildcardPattern]::Escape($Text))*"
    }

    function Get-LastWriteBody {
        param([Parameter(Mandatory)][object]$Emulator)
        @(Get-ZcrmEmulatorRequest -Emulator $Emulator -Method POST -PathLike '*/write')[-1].body
    }

    function New-TestDirectory {
        param([Parameter(Mandatory)][string]$Prefix)
        (New-Item -ItemType Directory -Path (Join-Path ([System.IO.Path]::GetTempPath()) "$Prefix-$([guid]::NewGuid().ToString('N').Substring(0, 8))")).FullName
    }

    function New-Tag { [guid]::NewGuid().ToString('N').Substring(0, 8) }
}

AfterAll {
    if (Get-Command Disconnect-Zcrm -ErrorAction SilentlyContinue) { Disconnect-Zcrm }
}

Describe 'Bulk write' {
    BeforeAll {
        # A bulk job step every 50 ms; Owner not mandatory in Leads (the emulator's default); Zoho's refresh limit
        # lifted.
        $emu = Start-ZcrmTestEmulator -BulkStepMs 50 -RefreshLimit 100000
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        Connect-Zcrm @refresh
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    Context 'awkward values, uploaded through a relay that keeps a copy of the upload' {
        BeforeAll {
            $relay = Start-ZcrmUploadRelay -Emulator $emu -Count 1
            # API calls go to the emulator; the upload goes through the relay, which passes it on unchanged.
            Connect-Zcrm -ApiDomain $emu.BaseUrl -UploadUrl $relay.Url -AccessToken $emu.AccessToken -RetryBaseDelay ([timespan]::FromMilliseconds(20))
        }
        AfterAll {
            if ($relay) { $null = Receive-ZcrmUploadRelay -Relay $relay -TimeoutSec 0 }
            # Back to the block's connection.
            Connect-Zcrm @refresh
        }

        It 'brings awkward values from the pipeline to the records unchanged' {
            $tag = New-Tag
            $when = [datetime]::new(2024, 2, 29, 23, 59, 58, [System.DateTimeKind]::Utc)
            $values = @(
                'He said "hi"', 'a,b,c', "line1`r`nline2", "line1`nline2", 'Zoë Ångström 日本 😀', '  padded  ', 'trailing ', '=1+1', "'quoted'", 'semi;colon'
            )
            $rows = for ($i = 0; $i -lt $values.Count; $i++) {
                [pscustomobject][ordered]@{
                    Last_Name       = $values[$i]
                    Company         = if ($i % 2 -eq 0) { '' } else { $null }
                    Email           = "awk$i.$tag@example.com"
                    No_of_Employees = $i * 1000
                    Annual_Revenue  = 1234.5 + $i
                    Email_Opt_Out   = ($i % 2 -eq 0)
                    Last_Contacted  = $when
                    Description     = "multi`r`nline, `"text`" " + $values[$i]
                }
            }

            $r = Invoke-ZcrmCaptured { $rows | New-ZcrmBulkWriteJob -Module Leads -Wait | Get-ZcrmBulkWriteResult }
            Assert-ZcrmNoError $r
            $results = $r.Output
            $results | Should -HaveCount $values.Count
            for ($i = 0; $i -lt $values.Count; $i++) {
                $row = $results[$i]
                $row.RowNumber | Should -BeOfType ([long])
                $row.RowNumber | Should -Be ($i + 1)
                $row.Status | Should -BeExactly 'added'
                $record = Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $row.RecordId
                $record.Last_Name | Should -BeExactly $values[$i]
                $record.Description | Should -BeExactly ("multi`r`nline, `"text`" " + $values[$i])
                $record.No_of_Employees | Should -BeOfType ([long])
                $record.No_of_Employees | Should -Be ([long]$i * 1000)
                [double]$record.Annual_Revenue | Should -Be (1234.5 + $i)
                $record.Email_Opt_Out | Should -BeOfType ([bool])
                $record.Email_Opt_Out | Should -Be ($i % 2 -eq 0)
                # As text: Invoke-RestMethod would turn it into a [datetime].
                $json = Get-ZcrmEmulatorRecordJson -Emulator $emu -Module Leads -Id $row.RecordId
                (Get-ZcrmJsonValue -Json $json -Path 'Last_Contacted').Text | Should -BeExactly '2024-02-29T23:59:58+00:00'
                $company = $record.PSObject.Properties['Company']
                ($null -eq $company -or [string]::IsNullOrEmpty($company.Value)) | Should -BeTrue -Because "row $($i + 1)'s Company is empty or null"
                # The result echoes the first three columns of the uploaded file.
                $row.Last_Name | Should -BeExactly $values[$i]
            }

            # The job these results came from: the last one the emulator made, done, with the ten rows.
            $jobIds = @($results | ForEach-Object { [string]$_.JobId } | Select-Object -Unique)
            $jobIds | Should -HaveCount 1 -Because 'ten rows make one job'
            $job = Get-ZcrmEmulatorBulkWriteJob -Emulator $emu -JobId $jobIds[0]
            $job.job_id | Should -BeExactly $jobIds[0]
            @(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu)[-1].job_id | Should -BeExactly $jobIds[0]
            $job.status | Should -BeExactly 'COMPLETED'
            $job.total_count | Should -Be $values.Count
            $job.file_id | Should -Not -BeNullOrEmpty

            # What went up, read from the file of that job's own file_id (GET /__emulator/uploads/{fileId}): RFC 4180,
            # UTF-8, invariant numbers, true/false, MM/dd/yyyy HH:mm:ss.
            $csv = Get-ZcrmEmulatorUploadedCsv -Emulator $emu -FileId $job.file_id
            $csv.StartsWith("Last_Name,Company,Email,No_of_Employees,Annual_Revenue,Email_Opt_Out,Last_Contacted,Description`r`n", [System.StringComparison]::Ordinal) |
                Should -BeTrue -Because "the CSV starts with its header: $($csv.Substring(0, [Math]::Min(120, $csv.Length)))"
            $csv.Contains("`"He said `"`"hi`"`"`",,awk0.$tag@example.com,0,1234.5,true,02/29/2024 23:59:58,", [System.StringComparison]::Ordinal) | Should -BeTrue
            $csv.Contains('"  padded  "', [System.StringComparison]::Ordinal) | Should -BeTrue

            # The upload went to -UploadUrl (the relay), and what the relay passed on is that same file.
            $relayed = @(Receive-ZcrmUploadRelay -Relay $relay)
            $relayed | Should -HaveCount 1
            $relayed[0].Path | Should -BeLikeExactly '*/upload'
            $relayed[0].StatusCode | Should -Be 200
            Read-ZcrmUploadedCsv -ContentType $relayed[0].ContentType -Body $relayed[0].Body | Should -BeExactly $csv
        }
    }

    It 'uploads each row''s cells whatever its kind: note properties, a member added with Add-Member, type data, a hashtable' {
        # Plain [pscustomobject] rows are read from their own note properties; every other kind of row must still give all its cells.
        $tag = New-Tag
        $typeName = "ZohoCrm.Tests.Row$tag"
        Update-TypeData -TypeName $typeName -MemberType ScriptProperty -MemberName Company -Value { 'Typed Inc' } -Force
        $rows = @(
            [pscustomobject]@{ Last_Name = "Plain $tag"; Company = 'Plain Inc' }
            [pscustomobject]@{ Last_Name = "Added $tag" } | Add-Member -PassThru -MemberType ScriptProperty -Name Company -Value { 'Added Inc' }
            [pscustomobject]@{ PSTypeName = $typeName; Last_Name = "Typed $tag" }
            @{ Last_Name = "Hash $tag"; Company = 'Hash Inc' }
            [pscustomobject]@{ Last_Name = "Plain again $tag"; Company = 'Plain Inc' }
        )
        $r = Invoke-ZcrmCaptured { $rows | New-ZcrmBulkWriteJob -Module Leads -Force }
        Assert-ZcrmNoError $r
        $csv = Get-ZcrmEmulatorUploadedCsv -Emulator $emu -FileId $r.Output[0].FileId
        $csv | Should -BeExactly "Last_Name,Company`r`nPlain $tag,Plain Inc`r`nAdded $tag,Added Inc`r`nTyped $tag,Typed Inc`r`nHash $tag,Hash Inc`r`nPlain again $tag,Plain Inc`r`n"
    }

    It 'inserts, then updates and upserts by -FindBy' {
        $tag = New-Tag
        $insert = Invoke-ZcrmCaptured {
            1..3 | ForEach-Object { @{ Last_Name = "Contact $_"; Email = "c$_.$tag@example.com"; Title = 'Old' } } |
                New-ZcrmBulkWriteJob Contacts -Property Last_Name, Email, Title -Wait | Get-ZcrmBulkWriteResult
        }
        Assert-ZcrmNoError $insert
        foreach ($o in $insert.Output) { $o.Status | Should -BeExactly 'added' }
        $id2 = $insert.Output[1].RecordId

        $update = Invoke-ZcrmCaptured {
            @([pscustomobject]@{ Email = "c2.$tag@example.com"; Title = 'New' }, [pscustomobject]@{ Email = "nobody.$tag@example.com"; Title = 'New' }) |
                New-ZcrmBulkWriteJob Contacts -Operation update -FindBy Email -Wait | Get-ZcrmBulkWriteResult
        }
        # The skipped row: a summary from the wait (counts) and one from the results (the row itself).
        $update.Terminating | Should -BeNullOrEmpty
        @($update.Errors.FullyQualifiedErrorId) | Should -BeExactly @('ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.NewZcrmBulkWriteJob', 'ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.GetZcrmBulkWriteResult')
        $update.Errors[0].Exception.Message | Should -BeLikeExactly '1 of 2 Contacts rows were skipped by bulk write job *, rows 1-2.*'
        $update.Errors[1].Exception.Message | Should -BeLikeExactly '1 of 2 rows were not added or updated (1 skipped).*'
        @($update.Errors[1].TargetObject.Email) | Should -BeExactly @("nobody.$tag@example.com")
        @($update.Output.Status) | Should -BeExactly @('updated', 'skipped')
        $update.Output[0].RecordId | Should -BeExactly $id2
        $update.Output[1].Errors | Should -Not -Be $null
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Contacts -Id $id2).Title | Should -BeExactly 'New'
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Contacts -Id $id2).Last_Name | Should -BeExactly 'Contact 2'

        $upsert = Invoke-ZcrmCaptured {
            @([pscustomobject]@{ Last_Name = 'Contact 3'; Email = "c3.$tag@example.com"; Title = '' }, [pscustomobject]@{ Last_Name = 'Contact 4'; Email = "c4.$tag@example.com"; Title = 'Fresh' }) |
                New-ZcrmBulkWriteJob Contacts -Operation upsert -FindBy Email -IgnoreEmpty -Wait | Get-ZcrmBulkWriteResult
        }
        Assert-ZcrmNoError $upsert
        @($upsert.Output.Status) | Should -BeExactly @('updated', 'added')
        $id3 = $insert.Output[2].RecordId
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Contacts -Id $id3).Title | Should -BeExactly 'Old' -Because '-IgnoreEmpty kept it'
        $job = @(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu)[-1]
        $job.operation | Should -BeExactly 'upsert'
        $job.find_by | Should -BeExactly 'Email'
        $job.ignore_empty | Should -BeOfType ([bool])
        $job.ignore_empty | Should -BeTrue
    }

    It 'makes three jobs of 60,001 rows and 60,001 results numbered across the jobs' {
        $tag = New-Tag
        $r = Invoke-ZcrmCaptured {
            $n = 0
            1..60001 | ForEach-Object { [pscustomobject]@{ Last_Name = "Row $_"; Email = "r$_.$tag@example.com" } } |
                New-ZcrmBulkWriteJob -Module Leads -Wait | Get-ZcrmBulkWriteResult |
                ForEach-Object { $n++; if ($_.RowNumber -ne $n -or $_.Status -ne 'added' -or $_.Last_Name -ne "Row $n") { $_ } }
            $n
        }
        Assert-ZcrmNoError $r
        [int]$r.Output[-1] | Should -Be 60001
        $r.Output | Should -HaveCount 1 -Because 'no row is out of order, misnumbered or not added'
        $jobs = @(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu | Select-Object -Last 3)
        @($jobs.total_count) | Should -Be @(25000, 25000, 10001)
        foreach ($j in $jobs) { $j.status | Should -BeExactly 'COMPLETED' }
    }

    It 'gives split jobs their FirstRow and LastRow' {
        $r = Invoke-ZcrmCaptured { 1..60001 | ForEach-Object { @{ Last_Name = "Split $_" } } | New-ZcrmBulkWriteJob -Module Leads }
        Assert-ZcrmNoError $r
        $jobs = @($r.Output | Select-ZcrmOutput BulkWriteJob)
        $jobs | Should -HaveCount 3
        foreach ($j in $jobs) {
            $j.FirstRow | Should -BeOfType ([long])
            $j.LastRow | Should -BeOfType ([long])
        }
        @($jobs.FirstRow) | Should -Be @(1, 25001, 50001)
        @($jobs.LastRow) | Should -Be @(25000, 50000, 60001)
        foreach ($j in $jobs) { $j.Status | Should -BeExactly 'ADDED' }

        $waited = Invoke-ZcrmCaptured { $jobs | Get-ZcrmBulkWriteJob -Wait }
        Assert-ZcrmNoError $waited
        $done = @($waited.Output | Select-ZcrmOutput BulkWriteJob)
        $done | Should -HaveCount 3
        foreach ($j in $done) { $j.FirstRow | Should -BeOfType ([long]) }
        @($done.FirstRow) | Should -Be @(1, 25001, 50001)
        foreach ($j in $done) { $j.Status | Should -BeExactly 'COMPLETED' }
    }

    It 'uploads and creates nothing with -WhatIf' {
        $before = Get-ZcrmWriteRequestCount -Emulator $emu
        $r = Invoke-ZcrmCaptured { 1..30000 | ForEach-Object { @{ Last_Name = "W $_" } } | New-ZcrmBulkWriteJob -Module Leads -WhatIf }
        Assert-ZcrmNoError $r
        $r.Output | Should -HaveCount 0
        Get-ZcrmWriteRequestCount -Emulator $emu | Should -Be $before
    }

    It 'lets skipped rows flow through Where-Object' {
        $tag = New-Tag
        $r = Invoke-ZcrmCaptured {
            @(@{ Last_Name = 'Ok'; Email = "dup.$tag@example.com" }, @{ Last_Name = ''; Email = "nolast.$tag@example.com" }, @{ Last_Name = 'Dup'; Email = "dup.$tag@example.com" }, @{ Last_Name = 'BadNumber'; No_of_Employees = 'many' }) |
                ForEach-Object { [pscustomobject]$_ } |
                New-ZcrmBulkWriteJob Leads -Property Last_Name, Email, No_of_Employees -Wait -SkipMetadataCheck | Get-ZcrmBulkWriteResult |
                Where-Object Status -EQ 'skipped'
        }
        $r.Terminating | Should -BeNullOrEmpty
        @($r.Errors.FullyQualifiedErrorId) | Should -BeExactly @('ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.NewZcrmBulkWriteJob', 'ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.GetZcrmBulkWriteResult')
        @($r.Errors[1].TargetObject.RowNumber) | Should -Be @(2, 3, 4)
        foreach ($o in $r.Output) { $o.RowNumber | Should -BeOfType ([long]) }
        @($r.Output.RowNumber) | Should -Be @(2, 3, 4)
        @($r.Output.Errors) | Should -BeExactly @('MANDATORY_NOT_FOUND-Last_Name', 'DUPLICATE_DATA-Email', 'INVALID_DATA-No_of_Employees')
        foreach ($o in $r.Output) { $null -eq $o.RecordId | Should -BeTrue -Because "row $($o.RowNumber) has no record" }
    }

    It 'writes a CSV file and a ZIP of it with -FieldMapping' {
        $tag = New-Tag
        $dir = New-TestDirectory -Prefix 'zcrm-test'
        try {
            $csv = Join-Path $dir 'people.csv'
            [System.IO.File]::WriteAllText($csv, "Surname,Mail,Seen`r`n`"Smith, Jr.`",s1.$tag@example.com,2024/01/31`r`nJones,s2.$tag@example.com,2024/02/01`r`n", [System.Text.UTF8Encoding]::new($true))
            $zipPath = Join-Path $dir 'people.zip'
            $zip = [System.IO.Compression.ZipFile]::Open($zipPath, [System.IO.Compression.ZipArchiveMode]::Create)
            try { $null = [System.IO.Compression.ZipFileExtensions]::CreateEntryFromFile($zip, $csv, 'people.csv') } finally { $zip.Dispose() }
            [System.IO.File]::WriteAllText($csv, [System.IO.File]::ReadAllText($csv).Replace('s1.', 't1.').Replace('s2.', 't2.'))
            $map = @{ Last_Name = 'Surname'; Email = 1; Date_3 = @{ Column = 'Seen'; Format = 'yyyy/MM/dd' } }

            $r = Invoke-ZcrmCaptured {
                New-ZcrmBulkWriteJob Leads -Path $csv -FieldMapping $map -Wait | Get-ZcrmBulkWriteResult
                New-ZcrmBulkWriteJob Leads -Path $zipPath -FieldMapping $map -Wait | Get-ZcrmBulkWriteResult
            }
            Assert-ZcrmNoError $r
            $r.Output | Should -HaveCount 4
            foreach ($o in $r.Output) { $o.Status | Should -BeExactly 'added' }
            $smith = Get-ZcrmEmulatorRecordJson -Emulator $emu -Module Leads -Id $r.Output[0].RecordId
            (Get-ZcrmJsonValue -Json $smith -Path 'Last_Name').Text | Should -BeExactly 'Smith, Jr.'
            (Get-ZcrmJsonValue -Json $smith -Path 'Date_3').Text | Should -BeExactly '2024-01-31'

            $body = Get-LastWriteBody -Emulator $emu
            $mappings = @((Get-ZcrmJsonValue -Json $body -Path 'resource', 0, 'field_mappings').Items | ForEach-Object { $_ | ConvertFrom-Json })
            $k = -1
            for ($m = 0; $m -lt $mappings.Count; $m++) { if ($mappings[$m].api_name -ceq 'Date_3') { $k = $m } }
            $k | Should -BeGreaterOrEqual 0 -Because 'Date_3 is mapped'
            $index = Get-ZcrmJsonValue -Json $body -Path 'resource', 0, 'field_mappings', $k, 'index'
            $index.Kind | Should -Be 'Number'
            $index.Text | Should -Be '2'
            $format = Get-ZcrmJsonValue -Json $body -Path 'resource', 0, 'field_mappings', $k, 'format'
            $format.Kind | Should -Be 'String'
            $format.Text | Should -BeExactly 'yyyy/MM/dd'
        }
        finally {
            Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    Context 'files by path, wildcard and pipeline, as Get-ChildItem gives them' {
        BeforeEach {
            $tag = New-Tag
            $dir = Join-Path $TestDrive $tag
            $null = New-Item -ItemType Directory -Path $dir
            Set-Content -LiteralPath (Join-Path $dir 'a.csv') -Value 'Last_Name,Email', "A1,a1.$tag@example.com", "A2,a2.$tag@example.com" -Encoding utf8
            Set-Content -LiteralPath (Join-Path $dir 'b.csv') -Value 'Last_Name,Email', "B1,b1.$tag@example.com" -Encoding utf8
            Set-Content -LiteralPath (Join-Path $dir 'notes.txt') -Value 'not rows' -Encoding utf8
            $uploadsBefore = @(Get-ZcrmEmulatorRequest -Emulator $emu -Method POST -PathLike '*/upload').Count
        }

        It 'writes each piped CSV file in its own job, in order, and the results have every row of both' {
            $r = Invoke-ZcrmCaptured {
                Get-ChildItem -Path $dir -Filter *.csv | Sort-Object Name | New-ZcrmBulkWriteJob -Module Leads -Wait
            }
            Assert-ZcrmNoError $r
            $r.Output | Should -HaveCount 2
            @($r.Output.SourcePath) | Should -BeExactly @((Join-Path $dir 'a.csv'), (Join-Path $dir 'b.csv'))
            @($r.Output.RowCount) | Should -Be @(2, 1)
            # The table names each job's file (the view's File column), within 120 columns.
            $table = @(($r.Output | Format-Table | Out-String -Width 120) -split '\r?\n' | Where-Object { $_.Trim() })
            $table[0] | Should -MatchExactly '\bFile$'
            $table[2] | Should -BeLikeExactly '*COMPLETED*1-2*a.csv'
            $table[3] | Should -BeLikeExactly '*COMPLETED*1-1*b.csv'
            @($table | Where-Object Length -GT 120) | Should -HaveCount 0
            $rows = @($r.Output | Get-ZcrmBulkWriteResult)
            @($rows.Last_Name) | Should -BeExactly @('A1', 'A2', 'B1')
            @($rows.RowNumber) | Should -Be @(1, 2, 1)
            foreach ($o in $rows) { $o.Status | Should -BeExactly 'added' }
            @($rows.JobId) | Should -BeExactly @($r.Output[0].JobId, $r.Output[0].JobId, $r.Output[1].JobId)
            # Each result row names its file, also through Get-ZcrmBulkWriteJob; the table's Input column leaves it out.
            @($rows.SourcePath) | Should -BeExactly @($r.Output[0].SourcePath, $r.Output[0].SourcePath, $r.Output[1].SourcePath)
            $again = @($r.Output | Get-ZcrmBulkWriteJob | Get-ZcrmBulkWriteResult)
            @($again.SourcePath) | Should -BeExactly @($r.Output[0].SourcePath, $r.Output[0].SourcePath, $r.Output[1].SourcePath)
            ($rows | Format-Table | Out-String -Width 2000) | Should -Not -BeLikeExactly '*SourcePath=*'
        }

        It 'reads the files Resolve-Path pipes' {
            $r = Invoke-ZcrmCaptured { Resolve-Path -Path (Join-Path $dir '*.csv') | New-ZcrmBulkWriteJob Leads -Wait }
            Assert-ZcrmNoError $r
            @($r.Output.SourcePath | Sort-Object) | Should -BeExactly @((Join-Path $dir 'a.csv'), (Join-Path $dir 'b.csv'))
            @($r.Output | Get-ZcrmBulkWriteResult).Last_Name | Sort-Object | Should -BeExactly @('A1', 'A2', 'B1')
        }

        It 'expands a wildcard -Path to the matching files' {
            $r = Invoke-ZcrmCaptured { New-ZcrmBulkWriteJob Leads -Path (Join-Path $dir '*.csv') -Wait | Get-ZcrmBulkWriteResult }
            Assert-ZcrmNoError $r
            @($r.Output.Last_Name | Sort-Object) | Should -BeExactly @('A1', 'A2', 'B1')
        }

        It 'takes -LiteralPath as written, brackets and all' {
            $odd = Join-Path $dir 'leads[1].csv'
            Copy-Item -LiteralPath (Join-Path $dir 'b.csv') -Destination $odd
            $r = Invoke-ZcrmCaptured { New-ZcrmBulkWriteJob Leads -LiteralPath $odd -Wait }
            Assert-ZcrmNoError $r
            $r.Output.SourcePath | Should -BeExactly $odd
            @($r.Output | Get-ZcrmBulkWriteResult).Last_Name | Should -BeExactly 'B1'
        }

        It 'stops, naming it, at a wildcard that matches no file, and uploads nothing' {
            $r = Invoke-ZcrmCaptured { New-ZcrmBulkWriteJob Leads -Path (Join-Path $dir 'a.csv'), (Join-Path $dir 'nothing*.csv') }
            Assert-ZohoError -ErrorRecord $r.Terminating -Code 'ZohoCrm.FileNotFound' -Category ObjectNotFound -Text "'$(Join-Path $dir 'nothing*.csv')' matches no file"
            $r.Output | Should -HaveCount 0
            @(Get-ZcrmEmulatorRequest -Emulator $emu -Method POST -PathLike '*/upload').Count | Should -Be $uploadsBefore
        }

        It 'stops, naming it, at a piped <What>, before any upload' -ForEach @(
            @{ What = 'directory'; Code = 'ZohoCrm.NotAFile'; Script = { Get-Item -LiteralPath (Join-Path $dir 'a.csv'); Get-Item -LiteralPath $dir }; Name = { $dir } }
            @{ What = 'text file'; Code = 'ZohoCrm.NotACsvFile'; Script = { Get-ChildItem -LiteralPath $dir | Sort-Object Name }; Name = { Join-Path $dir 'notes.txt' } }
            @{ What = 'process'; Code = 'ZohoCrm.NotARow'; Script = { Get-Process -Id $PID }; Name = { 'System.Diagnostics.Process' } }
        ) {
            $r = Invoke-ZcrmCaptured { & $Script | New-ZcrmBulkWriteJob Leads }
            Assert-ZohoError -ErrorRecord $r.Terminating -Code $Code -Category InvalidArgument -Text (& $Name)
            $r.Output | Should -HaveCount 0
            @(Get-ZcrmEmulatorRequest -Emulator $emu -Method POST -PathLike '*/upload').Count | Should -Be $uploadsBefore
        }
    }

    It 'creates the job without asking with -Force under $ConfirmPreference = Low, and -WhatIf still wins' {
        # A runspace without a host cannot ask: without -Force the confirmation fails there.
        $script = "Connect-Zcrm @refresh; `$ConfirmPreference = 'Low'; @{ Last_Name = 'Forced $(New-Tag)' } | New-ZcrmBulkWriteJob Leads"
        $asked = Invoke-ZcrmInNewRunspace -Variables @{ refresh = $refresh } -Script $script
        @($asked.Output) | Should -HaveCount 0
        $askedErrors = @(@($asked.Errors) + @($asked.Terminating) | Where-Object { $null -ne $_ })
        $askedErrors | Should -HaveCount 1 -Because 'Medium impact asks under $ConfirmPreference = Low'
        "$($askedErrors[0])" | Should -BeLikeExactly '*request confirmation*insert with a bulk write job*'
        $forced = Invoke-ZcrmInNewRunspace -Variables @{ refresh = $refresh } -Script "$script -Force"
        $forced.Terminating | Should -BeNullOrEmpty
        @($forced.Errors) | Should -HaveCount 0
        @($forced.Output) | Should -HaveCount 1
        $forced.Output[0].JobId | Should -Match '^\d+$'

        $before = Get-ZcrmWriteRequestCount -Emulator $emu
        $r = Invoke-ZcrmCaptured {
            @{ Last_Name = 'WhatIf' } | New-ZcrmBulkWriteJob Leads -Force -WhatIf
            function New-Wrapper { [CmdletBinding(SupportsShouldProcess)] param() @{ Last_Name = 'WhatIf' } | New-ZcrmBulkWriteJob Leads -Force }; New-Wrapper -WhatIf
            $WhatIfPreference = $true; @{ Last_Name = 'WhatIf' } | New-ZcrmBulkWriteJob Leads -Force; $WhatIfPreference = $false
        }
        Assert-ZcrmNoError $r
        $r.Output | Should -HaveCount 0
        Get-ZcrmWriteRequestCount -Emulator $emu | Should -Be $before
    }

    It 'sends the feature and org headers with the upload and fetches the org once' {
        # A new connection, which has not read the org yet (it reuses the process's valid access token).
        Connect-Zcrm @refresh
        $before = Get-ZcrmRequestCount -Emulator $emu
        $r = Invoke-ZcrmCaptured {
            @{ Last_Name = 'H1' } | New-ZcrmBulkWriteJob Leads
            @{ Last_Name = 'H2' } | New-ZcrmBulkWriteJob Leads
        }
        Assert-ZcrmNoError $r
        $uploads = @(Get-ZcrmEmulatorRequest -Emulator $emu -Method POST -PathLike '*/upload' | Select-Object -Last 2)
        $uploads | Should -HaveCount 2
        foreach ($u in $uploads) {
            $u.headers.feature | Should -BeExactly 'bulk-write'
            $u.headers.'X-CRM-ORG' | Should -BeExactly '738964001'
            $u.headers.'Content-Type' | Should -BeLikeExactly 'multipart/form-data*'
        }
        @(Get-ZcrmEmulatorRequest -Emulator $emu | Select-Object -Skip $before | Where-Object { $_.path.EndsWith('/org') }) | Should -HaveCount 1
    }

    It 'keeps the result ZIP with -OutFile' {
        $dir = New-TestDirectory -Prefix 'zcrm-out'
        try {
            $r = Invoke-ZcrmCaptured { @{ Last_Name = 'Kept' } | New-ZcrmBulkWriteJob Leads -Wait | Get-ZcrmBulkWriteResult -OutFile $dir }
            Assert-ZcrmNoError $r
            $zips = @(Get-ChildItem -LiteralPath $dir -Filter '*.zip')
            $zips | Should -HaveCount 1
            $archive = [System.IO.Compression.ZipFile]::OpenRead($zips[0].FullName)
            try {
                $archive.Entries | Should -HaveCount 1
                $reader = [System.IO.StreamReader]::new($archive.Entries[0].Open())
                try { $reader.ReadLine() | Should -BeLikeExactly '*STATUS,RECORD_ID,ERRORS*' } finally { $reader.Dispose() }
            }
            finally { $archive.Dispose() }
        }
        finally {
            Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    It 'refuses a download URL on another host without sending the token' {
        # A job read back from a tampered Export-Clixml file (the only way a job's DownloadUrl comes from outside Zoho).
        $before = Get-ZcrmRequestCount -Emulator $emu
        $tampered = [pscustomobject]@{ PSTypeName = 'Deserialized.ZohoCrm.BulkWriteJob'; JobId = '123'; Module = 'Leads'; DownloadUrl = 'https://evil.example.com/r.zip' }
        $r = Invoke-ZcrmCaptured { $tampered | Get-ZcrmBulkWriteResult }
        $r.Terminating | Should -BeNullOrEmpty
        $r.Errors | Should -HaveCount 1
        $r.Errors[0].FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'ZohoCrm.ForeignHost'
        $r.Errors[0].CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::SecurityError)
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
    }

    It 'posts a loopback callback when the job ends' {
        $port = Get-ZcrmFreeLoopbackPort
        $listener = [System.Net.HttpListener]::new()
        $listener.Prefixes.Add("http://127.0.0.1:$port/done/")
        $listener.Start()
        try {
            $received = $listener.GetContextAsync()
            $r = Invoke-ZcrmCaptured { @{ Last_Name = 'Called back' } | New-ZcrmBulkWriteJob Leads -CallbackUrl "http://127.0.0.1:$port/done/" -Wait }
            Assert-ZcrmNoError $r
            $received.Wait([timespan]::FromSeconds(10)) | Should -BeTrue
            $ctx = $received.Result
            $reader = [System.IO.StreamReader]::new($ctx.Request.InputStream)
            try { $body = $reader.ReadToEnd() } finally { $reader.Dispose() }
            $ctx.Response.StatusCode = 200
            $ctx.Response.Close()
            $ctx.Request.HttpMethod | Should -BeExactly 'POST'
            $jobs = @($r.Output | Select-ZcrmOutput BulkWriteJob)
            $jobs | Should -HaveCount 1
            $id = Get-ZcrmJsonValue -Json $body -Path 'id'
            $id.Kind | Should -Be 'String'
            $id.Text | Should -BeExactly $jobs[0].JobId
            $ctx.Request.Headers.AllKeys | Should -Not -Contain 'Authorization'
        }
        finally {
            $listener.Close()
        }
    }
}

Describe 'Bulk write in the org of seed 003' {
    # The org the seeds were captured in: Owner mandatory in Leads; a bulk job step every 50 ms, connected with the
    # static token.
    # An emulator per Context.

    Context 'a job on an uploaded file' {
        BeforeAll {
            $emu = Start-ZcrmTestEmulator -BulkStepMs 50 -LeadsOwnerMandatory
            $static = Get-ZcrmStaticParameter -Emulator $emu; Connect-Zcrm @static
        }
        AfterAll {
            Disconnect-Zcrm
            Stop-ZcrmTestEmulator -Emulator $emu
        }

        It 'sends the seed''s body through the cmdlet, and a file serves one job only' {
            $r = Invoke-ZcrmCaptured {
                New-ZcrmBulkWriteJob -Module Leads -FileId $SeedFile -FieldMapping ([ordered]@{ Last_Name = 0; Mobile = 1; Owner = 2 }) -IgnoreEmpty -CallbackUrl https://www.zoho.com/
            }
            Assert-ZcrmNoError $r
            $jobs = @($r.Output | Select-ZcrmOutput BulkWriteJob)
            $jobs | Should -HaveCount 1
            $job = $jobs[0]
            $job.CreatedBy | Should -BeExactly 'Patricia Boyle'
            $job.CreatedById | Should -BeExactly '4150868000000225013'
            $job.Status | Should -BeExactly 'ADDED'
            $job.FileId | Should -BeExactly $SeedFile

            $body = Get-LastWriteBody -Emulator $emu
            (Get-ZcrmJsonValue -Json $body -Path 'operation').Text | Should -BeExactly 'insert'
            (Get-ZcrmJsonValue -Json $body -Path 'ignore_empty').Kind | Should -Be 'True'
            (Get-ZcrmJsonValue -Json $body -Path 'callback', 'url').Text | Should -BeExactly 'https://www.zoho.com/'
            (Get-ZcrmJsonValue -Json $body -Path 'callback', 'method').Text | Should -BeExactly 'post'
            (Get-ZcrmJsonValue -Json $body -Path 'resource', 0, 'type').Text | Should -BeExactly 'data'
            (Get-ZcrmJsonValue -Json $body -Path 'resource', 0, 'module', 'api_name').Text | Should -BeExactly 'Leads'
            $fileId = Get-ZcrmJsonValue -Json $body -Path 'resource', 0, 'file_id'
            $fileId.Kind | Should -Be 'String'
            $fileId.Text | Should -BeExactly $SeedFile
            $mappings = Get-ZcrmJsonValue -Json $body -Path 'resource', 0, 'field_mappings'
            $mappings.Items | Should -HaveCount 3
            $pairs = for ($k = 0; $k -lt 3; $k++) {
                $index = Get-ZcrmJsonValue -Json $body -Path 'resource', 0, 'field_mappings', $k, 'index'
                $index.Kind | Should -Be 'Number'
                '{0}={1}' -f (Get-ZcrmJsonValue -Json $body -Path 'resource', 0, 'field_mappings', $k, 'api_name').Text, $index.Text
            }
            @($pairs) | Should -BeExactly @('Last_Name=0', 'Mobile=1', 'Owner=2')

            # The emulator never calls a callback outside loopback: it only records it.
            $done = Invoke-ZcrmCaptured { Get-ZcrmBulkWriteJob $job.JobId -Wait }
            Assert-ZcrmNoError $done
            @(Get-ZcrmEmulatorBulkWriteCallback -Emulator $emu | Where-Object { $_.job_id -eq $job.JobId -and -not $_.sent }) | Should -Not -HaveCount 0

            # FILE_NOT_SUPPORTED: a file serves one job only.
            $again = Invoke-ZcrmCaptured { New-ZcrmBulkWriteJob -Module Leads -FileId $SeedFile -FieldMapping ([ordered]@{ Last_Name = 0; Mobile = 1; Owner = 2 }) }
            $again.Terminating | Should -BeNullOrEmpty
            $again.Errors | Should -HaveCount 1
            Assert-ZohoError $again.Errors[0] -Code 'FILE_NOT_SUPPORTED' -Category InvalidArgument -Text 'File not supported for bulk write'
        }
    }

    Context 'the seed''s errors' {
        BeforeAll {
            $emu = Start-ZcrmTestEmulator -BulkStepMs 50 -LeadsOwnerMandatory
            $static = Get-ZcrmStaticParameter -Emulator $emu; Connect-Zcrm @static
        }
        AfterAll {
            Disconnect-Zcrm
            Stop-ZcrmTestEmulator -Emulator $emu
        }

        It 'reports <Code> from the cmdlet' -TestCases @(
            @{ Arguments = '-FileId 4150868000005362001 -FieldMapping ([ordered]@{ Last_Name = 0; Mobile = 1 }) -SkipMetadataCheck'; Code = 'MANDATORY_FIELDS_NOT_MAPPED'; Text = 'All mandatory fields are not mapped for the layout [Owner]' }
            @{ Arguments = '-FileId 4150868000005362001 -FieldMapping ([ordered]@{ Last_Name = 0; Mobile = 1; Owner = 2 }) -CallbackUrl http://requestbin.fullcontact.com'; Code = 'INVALID_CALLBACK_URL'; Text = 'possible ssrf attempt' }
            @{ Arguments = '-FileId 4150868000005362001 -FieldMapping ([ordered]@{ Last_Name1 = 0; Mobile = 1; Owner = 2 }) -SkipMetadataCheck'; Code = 'INVALID_FIELD_NAME'; Text = 'invalid api_name Last_Name1' }
            @{ Arguments = '-FileId 4150868000009999999'; Code = 'INVALID_FILE_ID'; Text = 'file_id' }
        ) {
            $r = Invoke-ZcrmCaptured ([scriptblock]::Create("New-ZcrmBulkWriteJob -Module Leads $Arguments"))
            $r.Terminating | Should -BeNullOrEmpty
            $r.Errors | Should -HaveCount 1
            Assert-ZohoError $r.Errors[0] -Code $Code -Category InvalidArgument -Text $Text
            $r.Errors[0].Exception.GetType().FullName | Should -BeLikeExactly 'ZohoCrm.*'
            $r.Errors[0].Exception.HttpStatus | Should -Be 400
        }
    }

    Context 'the seed''s job (seed 004)' {
        BeforeAll {
            $emu = Start-ZcrmTestEmulator -BulkStepMs 50 -LeadsOwnerMandatory
            $static = Get-ZcrmStaticParameter -Emulator $emu; Connect-Zcrm @static
        }
        AfterAll {
            Disconnect-Zcrm
            Stop-ZcrmTestEmulator -Emulator $emu
        }

        It 'reads the job''s details, and reports unknown jobs, bad tokens and unfinished jobs' {
            $r = Invoke-ZcrmCaptured { Get-ZcrmBulkWriteJob -JobId $SeedJob }
            Assert-ZcrmNoError $r
            $jobs = @($r.Output | Select-ZcrmOutput BulkWriteJob)
            $jobs | Should -HaveCount 1
            $job = $jobs[0]
            $job.Status | Should -BeExactly 'INPROGRESS'
            $job.Operation | Should -BeExactly 'insert'
            $job.Module | Should -BeExactly 'Leads'
            $job.CallbackUrl | Should -BeExactly 'https://www.zoho.com/in/crm/'
            $job.IgnoreEmpty | Should -BeOfType ([bool])
            $job.IgnoreEmpty | Should -BeTrue
            $job.CreatedBy | Should -BeExactly 'Patricia Boyle'
            $job.CreatedTime | Should -Be ([datetimeoffset]::Parse('2021-05-13T11:00:58+05:30', [cultureinfo]::InvariantCulture))
            $mappings = @($job.FieldMappings)
            @($mappings.ApiName) | Should -BeExactly @('Owner', 'Date_3', 'Last_Name', 'Layout', 'Mobile')
            $mappings[1].Format | Should -BeExactly 'yyyy/MM/dd'
            $mappings[1].Index | Should -BeOfType ([int])
            $mappings[1].Index | Should -Be 2

            $missing = Invoke-ZcrmCaptured { Get-ZcrmBulkWriteJob -JobId 415086800000539200 }
            $missing.Errors | Should -HaveCount 1
            Assert-ZohoError $missing.Errors[0] -Code 'RESOURCE_NOT_FOUND' -Category ObjectNotFound -Text "The requested resource doesn't exist"

            $bad = ConvertTo-ZcrmSecureString '1000.bad'
            $unauth = Invoke-ZcrmCaptured {
                Connect-Zcrm -ApiDomain $emu.BaseUrl -AccessToken $bad
                Get-ZcrmBulkWriteJob -JobId $SeedJob
            }
            # Authentication that fails ends the command (the one terminating kind of Zoho error).
            $unauth.Errors | Should -HaveCount 0
            Assert-ZohoError $unauth.Terminating -Code 'AUTHENTICATION_FAILURE' -Category AuthenticationError -Text 'Authentication failed'

            $notDone = Invoke-ZcrmCaptured {
                $static = Get-ZcrmStaticParameter -Emulator $emu; Connect-Zcrm @static
                Get-ZcrmBulkWriteResult -JobId $SeedJob
            }
            $notDone.Errors | Should -HaveCount 1
            $notDone.Errors[0].FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'ZohoCrm.JobNotCompleted'
        }
    }
}

Describe 'Waiting for a slow bulk write job' {
    BeforeAll {
        # A bulk job step every 30 s: the job stays ADDED while -Wait polls.
        $emu = Start-ZcrmTestEmulator -BulkStepMs 30000
    }
    AfterAll {
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'stops -Wait at once on Ctrl+C, and the job id was shown' {
        # A runspace of its own, so the pipeline can be stopped as Ctrl+C stops it, and its streams read.
        $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
        $runspace = [System.Management.Automation.Runspaces.RunspaceFactory]::CreateRunspace($iss)
        $runspace.Open()
        try {
            $setup = [powershell]::Create()
            try {
                $setup.Runspace = $runspace
                $null = $setup.AddCommand('Import-Module').AddParameter('Name', (Get-ZcrmModuleManifest)).AddParameter('ErrorAction', 'Stop')
                $null = $setup.AddStatement().AddCommand('Connect-Zcrm')
                $refresh = Get-ZcrmRefreshParameter -Emulator $emu
                foreach ($name in $refresh.Keys) { $null = $setup.AddParameter($name, $refresh[$name]) }
                $null = $setup.Invoke()
                @($setup.Streams.Error) | Should -HaveCount 0
            }
            finally { $setup.Dispose() }

            $shell = [powershell]::Create()
            try {
                $shell.Runspace = $runspace
                $null = $shell.AddScript("@{ Last_Name = 'Slow' } | New-ZcrmBulkWriteJob Leads -Wait")
                $async = $shell.BeginInvoke()
                $deadline = [datetime]::UtcNow.AddSeconds(20)
                while (-not @($shell.Streams.Progress | Where-Object { "$($_.StatusDescription)".Contains('rows processed') }) -and [datetime]::UtcNow -lt $deadline) {
                    Start-Sleep -Milliseconds 20
                }
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $shell.Stop()
                $async.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(5)) | Should -BeTrue
                $watch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(1)) -Because "Stop took $($watch.Elapsed)"

                $emulatorJobs = @(Get-ZcrmEmulatorBulkWriteJob -Emulator $emu)
                $emulatorJobs | Should -HaveCount 1
                $jobId = $emulatorJobs[0].job_id
                @($shell.Streams.Information | Where-Object { $_.Tags -contains 'PSHOST' -and "$_".Contains($jobId) }) | Should -Not -HaveCount 0
            }
            finally { $shell.Dispose() }
        }
        finally {
            $runspace.Dispose()
        }
    }
}

Describe 'Relative download URLs and IN PROGRESS with a space' {
    # BulkWriteTests.Relative_download_urls_and_IN_PROGRESS_with_a_space_are_understood: an emulator of its own with
    # EmulatorOptions.RelativeDownloadUrl and InProgressWithSpace (and Zoho's default refresh limit), bulk step 50 ms.
    It 'understands a relative download URL and the status IN PROGRESS' {
        $emu = Start-ZcrmTestEmulator -BulkStepMs 50 -RelativeDownloadUrl -InProgressWithSpace
        try {
            $refresh = Get-ZcrmRefreshParameter -Emulator $emu
            $connect = Invoke-ZcrmCaptured { Connect-Zcrm @refresh }
            Assert-ZcrmNoError $connect
            $r = Invoke-ZcrmCaptured { 1..3 | ForEach-Object { @{ Last_Name = "Rel $_" } } | New-ZcrmBulkWriteJob Leads -Wait | Get-ZcrmBulkWriteResult }
            Assert-ZcrmNoError $r
            $r.Output | Should -HaveCount 3
            @(Get-ZcrmEmulatorRequest -Emulator $emu -PathLike '*.zip')[-1].path | Should -BeLikeExactly '/*'
        }
        finally {
            Disconnect-Zcrm
            Stop-ZcrmTestEmulator -Emulator $emu
        }
    }
}
