#Requires -Version 7.4
<#
    Pester 5 tests of the module's one error policy (README "Errors"; ZcrmCmdlet.Report and ErrorPolicy.EndsCommand
    in src/ZohoCrm), the way a script uses it: -ErrorAction, -ErrorVariable, 2>$null, $? and try/catch.
      - A Zoho error about one operation or input is non-terminating: silenced by -ErrorAction SilentlyContinue,
        captured whole by -ErrorVariable (the module's own exception, Code readable), caught with -ErrorAction Stop.
      - Authentication that still fails ends the command.
      - Zoho rejecting the request itself: nothing more is sent, and one error names every id or row not processed.
      - Per-record failures: result objects, then one ZohoCrm.RecordsFailed summary, so $? is false.
    The emulator's job step is 30 s, so the job scheduled in BeforeAll keeps the custom view busy (ALREADY_SCHEDULED).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    # The seed records, views, files and job (src/ZohoCrm.Emulator/SeedData.cs, Schema.cs).
    $Seed1 = '738964000002131001'
    $NotApproved = '1306462000000496025'
    $Locked = '475243000003269880'

    $emu = Start-ZcrmTestEmulator -JobStepMs 30000 -BulkStepMs 50 -LeadsOwnerMandatory -RefreshLimit 100000
    $static = Get-ZcrmStaticParameter -Emulator $emu
    Connect-Zcrm @static
    # Keeps 'All Leads' busy for ALREADY_SCHEDULED.
    $busy = Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Warm' } -CustomViewId 738964000000091563 -Force -ErrorAction Stop

    function Invoke-Typed {
        # Runs $Command as typed at the prompt, plus $Common, in this scope; returns what it wrote and $? after it.
        param([string]$Command, [string]$Common = '')
        $out = $null; $ok = $null
        $capture = if ($Common -like '*2>*') { '' } else { '2>&1' }
        . ([scriptblock]::Create("`$out = @($Command $Common $capture); `$ok = `$?"))
        [pscustomobject]@{ Output = $out; Succeeded = $ok; ErrorVariable = $ev }
    }
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmTestEmulator -Emulator $emu
}

Describe 'A Zoho error about one operation' {
    It '<Code> from "<Command>" is silenced, captured whole, and caught with -ErrorAction Stop' -ForEach @(
        @{ Code = 'INVALID_DATA'; Command = "Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees1 = 1 } -Id 738964000002131001, 738964000002130131 -Force -SkipMetadataCheck" }
        @{ Code = 'INVALID_DATA'; Command = "Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 1 } -CustomViewId 73896400000009156 -Force" }
        @{ Code = 'INVALID_DATA'; Command = "Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees1 = 1 } -CustomViewId 738964000000091570 -Force -SkipMetadataCheck" }
        @{ Code = 'NO_RECORDS_FOUND'; Command = "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -CustomViewId 738964000000091999 -Force" }
        @{ Code = 'ALREADY_SCHEDULED'; Command = "Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 2 } -CustomViewId 738964000000091563 -Force" }
        @{ Code = 'NOT_FOUND'; Command = "Get-ZcrmMassUpdateJob -Module Leads -JobId 123456789" }
        @{ Code = 'NOT_FOUND'; Command = "Get-ZcrmMassUpdateJob -Module Leads -JobId 123456789 -Wait" }
        @{ Code = 'MANDATORY_FIELDS_NOT_MAPPED'; Command = "New-ZcrmBulkWriteJob -Module Leads -FileId 4150868000005362001 -FieldMapping ([ordered]@{ Last_Name = 0; Mobile = 1 }) -SkipMetadataCheck" }
        @{ Code = 'INVALID_CALLBACK_URL'; Command = "New-ZcrmBulkWriteJob -Module Leads -FileId 4150868000005362001 -FieldMapping ([ordered]@{ Last_Name = 0; Mobile = 1; Owner = 2 }) -CallbackUrl http://requestbin.fullcontact.com" }
        @{ Code = 'INVALID_FIELD_NAME'; Command = "New-ZcrmBulkWriteJob -Module Leads -FileId 4150868000005362001 -FieldMapping ([ordered]@{ Last_Name1 = 0; Mobile = 1; Owner = 2 }) -SkipMetadataCheck" }
        @{ Code = 'INVALID_FILE_ID'; Command = "New-ZcrmBulkWriteJob -Module Leads -FileId 4150868000009999999" }
        @{ Code = 'RESOURCE_NOT_FOUND'; Command = "Get-ZcrmBulkWriteJob -JobId 415086800000539200" }
        @{ Code = 'RESOURCE_NOT_FOUND'; Command = "Get-ZcrmBulkWriteJob -JobId 415086800000539200 -Wait" }
        @{ Code = 'ZohoCrm.JobNotCompleted'; Command = "Get-ZcrmBulkWriteResult -JobId 4150868000005392002" }
    ) {
        # -ErrorAction SilentlyContinue -ErrorVariable: nothing shown, $? false, the whole record kept.
        $quiet = Invoke-Typed $Command '-ErrorAction SilentlyContinue -ErrorVariable ev'
        @($quiet.Output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -HaveCount 0
        $quiet.Succeeded | Should -BeFalse
        $quiet.ErrorVariable | Should -HaveCount 1
        $record = $quiet.ErrorVariable[0]
        $record | Should -BeOfType ([System.Management.Automation.ErrorRecord])
        $record.FullyQualifiedErrorId | Should -BeLikeExactly "$Code,ZohoCrm.Cmdlets.*"
        $record.Exception.GetType().FullName | Should -BeLikeExactly 'ZohoCrm.*' -Because 'the exception is the module''s own, not a wrapper'
        $record.Exception.Code | Should -BeExactly $Code
        $record.TargetObject | Should -Not -BeNullOrEmpty

        # 2>$null: not shown, and the script goes on.
        $hidden = Invoke-Typed $Command '2>$null'
        $hidden.Succeeded | Should -BeFalse
        @($hidden.Output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -HaveCount 0

        # -ErrorAction Stop: terminating, and try/catch has the same record.
        $caught = $null
        try { . ([scriptblock]::Create("$Command -ErrorAction Stop")) | Out-Null } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty -Because '-ErrorAction Stop makes it terminating'
        $caught.FullyQualifiedErrorId | Should -BeLikeExactly "$Code,ZohoCrm.Cmdlets.*"
        $caught.Exception.Code | Should -BeExactly $Code
    }

    It 'reports an unknown job id and goes on with the others' {
        $r = Invoke-ZcrmCaptured { Get-ZcrmBulkWriteJob -JobId 415086800000539200, 4150868000005392002 }
        $r.Terminating | Should -BeNullOrEmpty
        @($r.Output.JobId) | Should -BeExactly @('4150868000005392002')
        $r.Errors | Should -HaveCount 1
        $r.Errors[0].TargetObject | Should -BeExactly '415086800000539200'

        $jobs = @([pscustomobject]@{ Module = 'Leads'; JobId = '123456789' }, [pscustomobject]@{ Module = 'Leads'; JobId = $busy.JobId })
        $m = Invoke-ZcrmCaptured { $jobs | Get-ZcrmMassUpdateJob }
        $m.Terminating | Should -BeNullOrEmpty
        @($m.Output.JobId) | Should -BeExactly @($busy.JobId)
        @($m.Errors.FullyQualifiedErrorId) | Should -BeExactly @('NOT_FOUND,ZohoCrm.Cmdlets.GetZcrmMassUpdateJob')
    }
}

Describe 'Authentication that still fails' {
    It 'ends the command whatever -ErrorAction says, and try/catch has the module''s exception' {
        $bad = Get-ZcrmStaticParameter -Emulator $emu
        $bad.AccessToken = ConvertTo-ZcrmSecureString '1000.not-a-token'
        $conn = Connect-Zcrm @bad -PassThru
        Connect-Zcrm @static   # the session's connection stays the good one
        $before = Get-ZcrmWriteRequestCount -Emulator $emu
        $caught = $null
        $after = 'not reached'
        try {
            $null = '738964000002131001', '738964000002130131' | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Connection $conn -Force -ErrorAction SilentlyContinue
            $after = 'went on'
        }
        catch { $caught = $_ }
        $after | Should -BeExactly 'not reached'
        $caught.FullyQualifiedErrorId | Should -BeExactly 'AUTHENTICATION_FAILURE,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
        $caught.Exception.Code | Should -BeExactly 'AUTHENTICATION_FAILURE'
        $caught.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::AuthenticationError)
        @($caught.TargetObject) | Should -BeExactly @('738964000002131001', '738964000002130131')
        (Get-ZcrmWriteRequestCount -Emulator $emu) - $before | Should -Be 1 -Because 'the second id was not sent on its own'
    }
}

Describe 'Zoho rejecting the request itself' {
    It 'sends nothing more and names all 1,201 piped ids exactly once' {
        $ids = [string[]]@(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Select-Object -Skip 4 -First 1201 | ForEach-Object { [string]$_.id })
        $ids | Should -HaveCount 1201
        Clear-ZcrmEmulatorRequest -Emulator $emu
        $r = Invoke-ZcrmCaptured { $ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees1 = 1 } -BatchSize 100 -Force -SkipMetadataCheck }
        $r.Terminating | Should -BeNullOrEmpty
        $r.Output | Should -HaveCount 0
        $r.Errors | Should -HaveCount 1
        $err = $r.Errors[0]
        $err.FullyQualifiedErrorId | Should -BeExactly 'INVALID_DATA,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
        $err.Exception.Ids | Should -HaveCount 100 -Because 'the first batch was sent and rejected'
        $err.Exception.UnsentIds | Should -HaveCount 1101
        $err.TargetObject | Should -BeExactly $ids -Because 'every id, in input order, once'
        $err.Exception.Message | Should -BeLikeExactly '*100 Leads id(s) not updated*1101 more id(s) were not sent*'
        @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu) | Should -HaveCount 1
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $ids[0]).PSObject.Properties.Name | Should -Not -Contain 'No_of_Employees1'
    }

    It 'submits no later file, and names the rows and files not submitted in one error' {
        $dir = Join-Path ([System.IO.Path]::GetTempPath()) ("zcrm-policy-" + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $dir
        try {
            'Last_Name,Owner', 'A,738964000000177001', 'B,738964000000177001' | Set-Content -LiteralPath (Join-Path $dir 'a.csv')
            'Last_Name,Owner', 'C,738964000000177001' | Set-Content -LiteralPath (Join-Path $dir 'b.csv')
            Clear-ZcrmEmulatorRequest -Emulator $emu
            $r = Invoke-ZcrmCaptured { New-ZcrmBulkWriteJob -Module Leads -Path (Join-Path $dir '*.csv') -FieldMapping @{ Last_Name1 = 'Last_Name'; Owner = 'Owner' } -Force -SkipMetadataCheck }
            $r.Terminating | Should -BeNullOrEmpty
            $r.Output | Should -HaveCount 0
            $r.Errors | Should -HaveCount 1
            $err = $r.Errors[0]
            $err.FullyQualifiedErrorId | Should -BeExactly 'INVALID_FIELD_NAME,ZohoCrm.Cmdlets.NewZcrmBulkWriteJob'
            @($err.TargetObject) | Should -BeExactly @("rows 1-2 of $(Join-Path $dir 'a.csv')", (Join-Path $dir 'b.csv'))
            $err.Exception.Message | Should -BeLikeExactly '*rows 1-2 of a.csv were not submitted*Not read, so not submitted either:*b.csv*'
            @(Get-ZcrmEmulatorRequest -Emulator $emu -Method POST -PathLike '*upload*') | Should -HaveCount 1 -Because 'b.csv was not uploaded'
        }
        finally { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'A batch that kept failing, under -ErrorAction Stop' {
    It 'still sends the rest of the input, then stops with the failed batch''s error, so no id goes unreported' {
        $ids = [string[]]@(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Select-Object -Skip 1300 -First 300 | ForEach-Object { [string]$_.id })
        $quick = Get-ZcrmStaticParameter -Emulator $emu
        $quick.MaxRetryCount = 1
        $conn = Connect-Zcrm @quick -PassThru
        Connect-Zcrm @static
        Clear-ZcrmEmulatorRequest -Emulator $emu
        # The first batch's call and its one retry fail; the next batches are answered.
        $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind ServerError -PathContains '/actions/mass_update' -Times 2
        try {
            $results = [System.Collections.Generic.List[object]]::new()
            $caught = $null
            try { $ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Cold' } -BatchSize 100 -Connection $conn -Force -ErrorAction Stop | ForEach-Object { $results.Add($_) } }
            catch { $caught = $_ }
            @($results.Id) | Should -BeExactly @($ids | Select-Object -Skip 100) -Because 'the batches after the failed one were sent'
            $caught | Should -Not -BeNullOrEmpty
            @($caught.TargetObject) | Should -BeExactly @($ids | Select-Object -First 100)
            $caught.Exception.Code | Should -Not -BeNullOrEmpty
            # A server error is no clear answer: the error does not claim the records were not updated.
            $caught.Exception.Message | Should -BeLikeExactly '*100 Leads id(s) may or may not have been updated*'
        }
        finally { Clear-ZcrmEmulatorFault -Emulator $emu }
    }
}

Describe 'Per-record failures' {
    It 'are result objects, then one summary error: $? is false and -ErrorAction Stop fails after the results' {
        $quiet = Invoke-Typed "'$Seed1', '$NotApproved', '$Locked' | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Force" '-ErrorAction SilentlyContinue -ErrorVariable ev'
        $quiet.Succeeded | Should -BeFalse
        @($quiet.Output.Status) | Should -BeExactly @('success', 'error', 'error')
        $quiet.ErrorVariable | Should -HaveCount 1
        $summary = $quiet.ErrorVariable[0]
        $summary.FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
        $summary.Exception.Message | Should -BeLikeExactly '2 of 3 Leads records were not updated (1 NOT_APPROVED, 1 RECORD_LOCKED).*'
        @($summary.TargetObject.Id) | Should -BeExactly @($NotApproved, $Locked)

        $seen = [System.Collections.Generic.List[object]]::new()
        $caught = $null
        try { $Seed1, $NotApproved | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Force -ErrorAction Stop | ForEach-Object { $seen.Add($_) } }
        catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
        @($seen.Id) | Should -BeExactly @($Seed1, $NotApproved) -Because 'every result came out before the summary'
    }

    It 'leaves $? true when every record succeeded' {
        $fine = Invoke-Typed "Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Id $Seed1 -Force" '-ErrorVariable ev'
        $fine.Succeeded | Should -BeTrue
        $fine.ErrorVariable | Should -HaveCount 0
    }

    It 'make Get-ZcrmBulkWriteResult end with one summary of the skipped rows' {
        $rows = @([pscustomobject]@{ Last_Name = 'Kept'; Email = 'kept@example.com' }, [pscustomobject]@{ Last_Name = ''; Email = 'nolast@example.com' })
        $jobs = @($rows | New-ZcrmBulkWriteJob -Module Contacts -Wait -Force -ErrorAction SilentlyContinue)
        $results = Invoke-Typed '$jobs | Get-ZcrmBulkWriteResult' '-ErrorAction SilentlyContinue -ErrorVariable ev'
        $results.Succeeded | Should -BeFalse
        @($results.Output.Status) | Should -BeExactly @('added', 'skipped')
        $results.ErrorVariable | Should -HaveCount 1
        $results.ErrorVariable[0].FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.GetZcrmBulkWriteResult'
        $results.ErrorVariable[0].Exception.Message | Should -BeLikeExactly '1 of 2 rows were not added or updated (1 skipped).*'
        @($results.ErrorVariable[0].TargetObject.RowNumber) | Should -Be @(2)
    }
}
