#Requires -Version 7.4
<#
    Pester 5 tests of what the module knows of the org before it sends: the metadata read cmdlets (Get-ZcrmModule,
    Get-ZcrmField, Get-ZcrmCustomView), Tab completion from that metadata (TabExpansion2, as a user presses Tab), the
    checks of a change against the module's fields (no write request reaches the emulator), and -WhatIf's plan.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    $emu = Start-ZcrmTestEmulator -BulkStepMs 20 -RefreshLimit 100000
    $static = Get-ZcrmStaticParameter -Emulator $emu
    Connect-Zcrm @static

    # Requests that change something (anything but GET) since -Since (a request count).
    function Get-WriteRequest {
        param([int]$Since)
        @(Get-ZcrmEmulatorRequest -Emulator $emu | Select-Object -Skip $Since | Where-Object method -NE 'GET')
    }

    # What Tab offers at the end of -Line, as the console asks for it.
    function Get-Completion {
        param([string]$Line)
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
    }
}

AfterAll {
    Disconnect-Zcrm
    Stop-ZcrmTestEmulator -Emulator $emu
}

Describe 'Get-ZcrmModule, Get-ZcrmField, Get-ZcrmCustomView' {
    It 'lists the org''s modules, a module''s fields with what the checks read, and its custom views' {
        @(Get-ZcrmModule).ApiName | Should -Contain 'Leads'
        (Get-ZcrmModule -Name Deals).ApiName | Should -BeExactly 'Deals'
        $email = Get-ZcrmField -Module Leads -Name Email
        $email.DataType | Should -BeExactly 'email'
        $email.Unique | Should -BeTrue
        $email.MassUpdatable | Should -BeFalse
        (Get-ZcrmField Leads Last_Name).Mandatory | Should -BeTrue
        (Get-ZcrmField Leads Full_Name).ReadOnly | Should -BeTrue
        (Get-ZcrmField Leads Rating).PicklistValues | Should -Contain 'Hot'
        @(Get-ZcrmField Leads -Name 'Lead_*').ApiName | Should -Be @('Lead_Status', 'Lead_Source')
        $view = Get-ZcrmCustomView -Module Leads -Name 'All Leads'
        $view.Id | Should -BeExactly '738964000000091563'
        # One read each, then the connection keeps them; -Force reads again.
        $before = Get-ZcrmRequestCount -Emulator $emu
        $null = Get-ZcrmField Leads; $null = Get-ZcrmCustomView Leads; $null = Get-ZcrmModule
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
        $null = Get-ZcrmField Leads -Force
        Get-ZcrmRequestCount -Emulator $emu | Should -Be ($before + 1)
    }

    It 'names a field that does not exist, with what it may have meant, and a module the org lacks' {
        $r = Invoke-ZcrmCaptured { Get-ZcrmField Leads -Name Ratng }
        $r.Errors[0].FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.NotFound,ZohoCrm.Cmdlets.GetZcrmField'
        $r.Errors[0].Exception.Message | Should -BeLikeExactly "*'Ratng' does not exist. Did you mean Rating?*"
        $r = Invoke-ZcrmCaptured { Get-ZcrmField Leadz }
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLikeExactly 'INVALID_MODULE,*'
    }
}

Describe 'Tab completion from the org''s metadata' {
    It 'completes <Line>' -ForEach @(
        @{ Line = 'Invoke-ZcrmMassUpdate -Module Le'; Expect = @('Leads') }
        @{ Line = 'New-ZcrmBulkWriteJob -Module Leads -FindBy '; Expect = @('id', 'Email') }
        @{ Line = 'New-ZcrmBulkWriteJob -Module Leads -Operation upsert -FindBy E'; Expect = @('Email') }
        @{ Line = 'New-ZcrmBulkWriteJob -Module Leads -Property No_'; Expect = @('No_of_Employees') }
        @{ Line = 'New-ZcrmBulkWriteJob Leads -CharacterEncoding windows-125'; Expect = @('windows-1252', 'windows-1250', 'windows-1251') }
        @{ Line = 'New-ZcrmBulkWriteJob Leads -Operation up'; Expect = @('upsert') }
        @{ Line = 'Connect-Zcrm -DataCenter E'; Expect = @('EU') }
        @{ Line = 'Get-ZcrmField -Module Dea'; Expect = @('Deals') }
    ) {
        $matches = Get-Completion $Line
        foreach ($e in $Expect) { @($matches.CompletionText) | Should -Contain $e }
        if ($Line -like '*-FindBy E') { @($matches.CompletionText) | Should -Not -Contain 'Company' -Because 'only unique fields find records' }
    }

    It 'completes -CustomViewId with the view''s id, listed by its name' {
        $matches = Get-Completion 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -CustomViewId '
        $all = $matches | Where-Object CompletionText -EQ '738964000000091563'
        $all.ListItemText | Should -BeExactly 'All Leads (738964000000091563)'
        $all.ToolTip | Should -BeExactly 'All Leads'
        # Typing part of a name finds the view too; the completion is still its id.
        @((Get-Completion 'Invoke-ZcrmMassUpdate -Module Leads -Data @{} -CustomViewId Not').CompletionText) | Should -Be @('738964000000091570')
    }

    It 'completes -JobId with the jobs this session created' {
        $job = [pscustomobject]@{ Last_Name = 'Tab job' } | New-ZcrmBulkWriteJob -Module Leads -Force -ErrorAction Stop
        @((Get-Completion 'Get-ZcrmBulkWriteJob -JobId ').CompletionText) | Should -Contain $job.JobId
        @((Get-Completion 'Get-ZcrmBulkWriteResult -JobId ').CompletionText) | Should -Contain $job.JobId
        @((Get-Completion 'Get-ZcrmMassUpdateJob -Module Leads -JobId ').CompletionText) | Should -Not -Contain $job.JobId
    }

    It 'answers fast and quietly without a connection: the standard modules, and no fields' {
        $r = Invoke-ZcrmInNewRunspace -Script @'
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $line = 'Invoke-ZcrmMassUpdate -Module Lea'
            $modules = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText)
            $line = 'New-ZcrmBulkWriteJob -Module Leads -FindBy '
            $fields = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText)
            [pscustomobject]@{ Modules = $modules; Fields = $fields; Seconds = $watch.Elapsed.TotalSeconds; Errors = $Error.Count }
'@
        $r.Output[0].Modules | Should -Contain 'Leads'
        # No connection: no fields, and not the file names PowerShell offers when a completer gives nothing.
        @($r.Output[0].Fields | Where-Object { $_ -notin @('id') }) | Should -HaveCount 0
        $r.Output[0].Errors | Should -Be 0
        $r.Output[0].Seconds | Should -BeLessThan 5 -Because 'no call is made without a connection'
    }

    It 'gives up within its bound, quietly, when the org does not answer' {
        # A connection to a loopback port where nothing listens.
        $dead = "http://127.0.0.1:$(Get-ZcrmFreeLoopbackPort)"
        $conn = Connect-Zcrm -ApiDomain $dead -AccessToken (ConvertTo-ZcrmSecureString 'x') -MaxRetryCount 0 -PassThru
        Connect-Zcrm @static
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $matches = Get-Completion 'New-ZcrmBulkWriteJob -Connection $conn -Module Leads -FindBy '
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        @($matches | Where-Object CompletionText -EQ 'Email') | Should -HaveCount 0
    }
}

Describe 'Checks against the module''s fields before anything is sent' {
    It 'stops <Name> naming the field, and nothing reaches Zoho' -ForEach @(
        @{ Name = 'a misspelt mass update field'; ErrorId = 'ZohoCrm.UnknownField'; Text = "*-Data field 'Ratng' is not a field of Leads. Did you mean Rating?*"
            Script = { '738964000002131001' | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Ratng = 'Hot' } -Force } }
        @{ Name = 'a field Mass Update cannot set'; ErrorId = 'ZohoCrm.FieldNotMassUpdatable'; Text = "*-Data field 'Email' of Leads cannot be set by Mass Update: it is an email field*"
            Script = { '738964000002131001' | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Email = 'a@b.test' } -Force } }
        @{ Name = 'a read-only field in mass update'; ErrorId = 'ZohoCrm.FieldNotMassUpdatable'; Text = "*'Full_Name' of Leads cannot be set by Mass Update: it is read-only*"
            Script = { '738964000002131001' | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Full_Name = 'X' } -Force } }
        @{ Name = 'text into a number field'; ErrorId = 'ZohoCrm.InvalidFieldValue'; Text = "*'No_of_Employees' of Leads is a integer field: give a whole number, not the text 'lots'*"
            Script = { '738964000002131001' | Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 'lots' } -Force } }
        @{ Name = 'a picklist value not in its values'; ErrorId = 'ZohoCrm.InvalidFieldValue'; Text = "*'Lukewarm' is not one of its values (*Hot*"
            Script = { Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Lukewarm' } -CustomViewId 738964000000091563 -Force } }
        @{ Name = 'an insert without a mandatory field'; ErrorId = 'ZohoCrm.MandatoryFieldMissing'; Text = '*Leads needs Last_Name in every new record*'
            Script = { [pscustomobject]@{ Company = 'No name' } | New-ZcrmBulkWriteJob -Module Leads -Force } }
        @{ Name = 'a read-only column'; ErrorId = 'ZohoCrm.FieldReadOnly'; Text = "*Column 'Full_Name' is Leads's read-only field Full_Name*"
            Script = { [pscustomobject]@{ Last_Name = 'X'; Full_Name = 'Y' } | New-ZcrmBulkWriteJob -Module Leads -Force } }
        @{ Name = 'a misspelt column'; ErrorId = 'ZohoCrm.UnknownField'; Text = "*Column 'Last_Nmae' is not a field of Leads. Did you mean Last_Name?*"
            Script = { [pscustomobject]@{ Last_Nmae = 'X' } | New-ZcrmBulkWriteJob -Module Leads -Force } }
        @{ Name = 'a -FindBy that is not unique'; ErrorId = 'ZohoCrm.FindByNotUnique'; Text = '*-FindBy Company is not a unique field of Leads*(id, Email)*'
            Script = { [pscustomobject]@{ Company = 'X'; Rating = 'Hot' } | New-ZcrmBulkWriteJob -Module Leads -Operation update -FindBy Company -Force } }
        @{ Name = 'rows whose values cannot fit, named'; ErrorId = 'ZohoCrm.InvalidFieldValue'; Text = '*No_of_Employees (integer): 2 row(s), rows 2, 4: not a whole number*Rating (picklist): 1 row(s), rows 3: not one of its values*'
            Script = { @(
                    [pscustomobject]@{ Last_Name = 'A'; No_of_Employees = '5'; Rating = 'Hot' }
                    [pscustomobject]@{ Last_Name = 'B'; No_of_Employees = 'many'; Rating = 'Hot' }
                    [pscustomobject]@{ Last_Name = 'C'; No_of_Employees = '7'; Rating = 'Tepid' }
                    [pscustomobject]@{ Last_Name = 'D'; No_of_Employees = '1.5'; Rating = '' }
                ) | New-ZcrmBulkWriteJob -Module Leads -Force } }
    ) {
        $since = Get-ZcrmRequestCount -Emulator $emu
        $r = Invoke-ZcrmCaptured $Script
        $r.Terminating | Should -Not -BeNullOrEmpty
        $r.Terminating.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $r.Terminating.Exception.Message | Should -BeLikeExactly $Text
        Get-WriteRequest -Since $since | Should -HaveCount 0
    }

    It 'checks every row of an input of several job files, the rows held before the fields are read and the later ones as they are written' {
        # 25,002 rows: job file 1 is checked once its 25,000 rows are in (the fields are read then), rows 25,001-25,002 as they come.
        $rows = [System.Collections.Generic.List[object]]::new()
        for ($i = 1; $i -le 25002; $i++) { $rows.Add([pscustomobject]@{ Last_Name = "Row $i"; No_of_Employees = "$i"; Rating = 'Hot' }) }
        $rows[2].Rating = 'Tepid'
        $rows[25001].No_of_Employees = 'many'
        $since = Get-ZcrmRequestCount -Emulator $emu
        $r = Invoke-ZcrmCaptured { $rows | New-ZcrmBulkWriteJob -Module Leads -Force }
        $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'ZohoCrm.InvalidFieldValue,*'
        $r.Terminating.Exception.Message | Should -BeLikeExactly '*No_of_Employees (integer): 1 row(s), rows 25002: not a whole number*Rating (picklist): 1 row(s), rows 3: not one of its values*Nothing was uploaded*'
        Get-WriteRequest -Since $since | Should -HaveCount 0
    }

    It 'reads the first job file back in the input''s column order when -FindBy puts its column first in the files' {
        $rows = [System.Collections.Generic.List[object]]::new()
        for ($i = 1; $i -le 25001; $i++) { $rows.Add([pscustomobject]@{ Rating = 'Hot'; No_of_Employees = "$i"; Email = "order-$i@example.com" }) }
        $rows[4].Rating = 'Tepid'
        $rows[25000].No_of_Employees = 'many'
        $since = Get-ZcrmRequestCount -Emulator $emu
        $r = Invoke-ZcrmCaptured { $rows | New-ZcrmBulkWriteJob -Module Leads -Operation update -FindBy Email -Force }
        $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'ZohoCrm.InvalidFieldValue,*'
        $r.Terminating.Exception.Message | Should -BeLikeExactly 'Values that Leads''s fields cannot take: Rating (picklist): 1 row(s), rows 5: not one of its values*; No_of_Employees (integer): 1 row(s), rows 25001: not a whole number. Nothing was uploaded*'
        Get-WriteRequest -Since $since | Should -HaveCount 0
    }

    It 'names a misspelt column of a long input once the first job file is in, and uploads nothing' {
        $rows = [System.Collections.Generic.List[object]]::new()
        for ($i = 1; $i -le 25001; $i++) { $rows.Add([pscustomobject]@{ Last_Nmae = "Row $i" }) }
        $since = Get-ZcrmRequestCount -Emulator $emu
        $r = Invoke-ZcrmCaptured { $rows | New-ZcrmBulkWriteJob -Module Leads -Force }
        $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'ZohoCrm.UnknownField,*'
        Get-WriteRequest -Since $since | Should -HaveCount 0
    }

    It 'sends without the check with -SkipMetadataCheck, and Zoho judges the value' {
        $since = Get-ZcrmRequestCount -Emulator $emu
        $r = Invoke-ZcrmCaptured { '738964000002131001' | Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 'lots' } -SkipMetadataCheck -Force }
        @(Get-WriteRequest -Since $since) | Should -HaveCount 1
        @(Get-ZcrmEmulatorRequest -Emulator $emu | Select-Object -Skip $since | Where-Object path -Like '*/settings/*') | Should -HaveCount 0
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'INVALID_DATA,*'
    }

    It 'warns, and sends unchecked, when the connection may not read the settings' {
        $noScope = Start-ZcrmTestEmulator -NoSettingsScope
        try {
            $noScopeParameters = Get-ZcrmStaticParameter -Emulator $noScope
            $conn = Connect-Zcrm @noScopeParameters -PassThru
            Connect-Zcrm @static
            $out = '738964000002131001' | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Connection $conn -Force -ErrorVariable ev -WarningVariable wv 3>$null
            $ev | Should -HaveCount 0
            $out.Status | Should -BeExactly 'success'
            $wv | Should -HaveCount 1
            "$($wv[0])" | Should -BeLikeExactly '*The fields of Leads could not be read (OAUTH_SCOPE_MISMATCH*-SkipMetadataCheck*'
        }
        finally { Stop-ZcrmTestEmulator -Emulator $noScope }
    }
}

Describe '-WhatIf tells the plan and sends nothing' {
    It 'plans a 60,001-row bulk write: 3 jobs and their rows, with 0 write requests' {
        $rows = 1..60001 | ForEach-Object { [pscustomobject]@{ Last_Name = "Plan $_"; Email = "plan$_@plan.test" } }
        $since = Get-ZcrmRequestCount -Emulator $emu
        $null = $rows | New-ZcrmBulkWriteJob -Module Leads -Operation upsert -FindBy Email -WhatIf -ErrorVariable ev -InformationVariable iv 6>$null
        $ev | Should -HaveCount 0
        $plan = @($iv | Where-Object { "$_" -like 'What if: Plan:*' })
        $plan | Should -HaveCount 1
        "$($plan[0])" | Should -BeLikeExactly 'What if: Plan: upsert 60,001 Leads row(s) in 3 bulk write job(s) (job 1: rows 1-25000, job 2: rows 25001-50000, job 3: rows 50001-60001), one upload and one create call each, finding records by Email, setting Last_Name, Email.*'
        Get-WriteRequest -Since $since | Should -HaveCount 0
    }

    It 'plans a 1,201-id mass update: 3 calls, the field, the automation, with 0 write requests' {
        $ids = [string[]]@(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Select-Object -First 1201 | ForEach-Object { [string]$_.id })
        $since = Get-ZcrmRequestCount -Emulator $emu
        $null = $ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Warm' } -WhatIf -ErrorVariable ev -InformationVariable iv 6>$null
        $ev | Should -HaveCount 0
        $plan = @($iv | Where-Object { "$_" -like 'What if: Plan:*' })
        "$($plan[0])" | Should -BeLikeExactly 'What if: Plan: mass update 1,201 Leads record(s) by id in 3 call(s) of up to 500 ids, setting Rating. Zoho runs the module''s workflow rules, approvals and blueprints*'
        Get-WriteRequest -Since $since | Should -HaveCount 0
    }
}
