#Requires -Version 7.4
<#
    Pester 5 tests of Invoke-ZcrmMassUpdate (by record ids and by custom view) and Get-ZcrmMassUpdateJob, driven
    against the local Zoho emulator; part of the end-to-end suite (tests/*.Tests.ps1), the reference for the module's
    behaviour. Split from ZohoCrm.Tests.ps1 (connection and token expiry).

    Build first (./build.ps1, or `dotnet build ZohoCrm.sln`), then:  Invoke-Pester ./tests/ZohoCrm.MassUpdate.Tests.ps1
    Each Describe starts an emulator of its own (PesterHelpers.psm1 has the shared setup), with Zoho's limit of 10
    token refreshes per 10 minutes lifted (-RefreshLimit 100000). Invoke-ZcrmMassUpdate has ConfirmImpact High: the
    tests pass -Force, as scripts should. The bad-input table is in ZohoCrm.BadInput.Tests.ps1.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    # The seed records (src/ZohoCrm.Emulator/SeedData.cs) and views (Schema.cs).
    $Seed1 = '738964000002131001'
    $Seed2 = '738964000002130131'
    $NotApproved = '1306462000000496025'
    $Locked = '475243000003269880'
    $AllLeadsView = '738964000000091563'
    $NotContactedView = '738964000000091570'
    $AllDealsView = '738964000000095001'

    # The error records among items captured with *>&1.
    function Select-ErrorRecord {
        param([Parameter(ValueFromPipeline)][AllowNull()][object]$InputObject)
        process { if ($InputObject -is [System.Management.Automation.ErrorRecord]) { $InputObject } }
    }

    function Get-LastMassUpdateBody {
        param([Parameter(Mandatory)][object]$Emulator)
        @(Get-ZcrmEmulatorMassUpdateCall -Emulator $Emulator)[-1].body
    }
}

AfterAll {
    if (Get-Command Disconnect-Zcrm -ErrorAction SilentlyContinue) { Disconnect-Zcrm }
}

Describe 'Invoke-ZcrmMassUpdate by record ids' {
    BeforeAll {
        # One emulator for the block: Zoho's refresh limit lifted.
        $emu = Start-ZcrmTestEmulator -RefreshLimit 100000
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        $conn = Connect-Zcrm @refresh -PassThru
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'updates both seed records and returns Zoho''s details' {
        $all = Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 1000 } -Id $Seed1, $Seed2 -OverWrite -Force *>&1
        @($all | Select-ErrorRecord) | Should -HaveCount 0
        $results = @($all | Select-ZcrmOutput MassUpdateResult)
        $results.Id | Should -BeExactly @($Seed1, $Seed2)
        foreach ($x in $results) {
            $x.Status | Should -BeExactly 'success'
            $x.Code | Should -BeExactly 'SUCCESS'
            $x.Message | Should -BeExactly 'record updated'
            $x.Module | Should -BeExactly 'Leads'
            $x.ModifiedBy | Should -BeExactly 'Patricia Boyle'
            $x.ModifiedById | Should -BeExactly '738964000000291009'
            $x.CreatedBy | Should -BeExactly 'Patricia Boyle'
            $x.ModifiedTime | Should -Not -BeNullOrEmpty
        }
        $results[0].CreatedTime | Should -Be ([datetimeoffset]::Parse('2021-05-07T06:23:10+00:00', [cultureinfo]::InvariantCulture))
        # Numbers, not the text "1000" (the emulator's records are JSON; Invoke-RestMethod reads integers as [long]).
        foreach ($id in $Seed1, $Seed2) {
            $employees = (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $id).No_of_Employees
            $employees | Should -BeOfType ([long])
            $employees | Should -Be 1000
        }

        # The request is the seed's: data[0] with a number, over_write, ids as strings.
        $call = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu)[-1]
        $employees = Get-ZcrmJsonValue -Json $call.body -Path 'data', 0, 'No_of_Employees'
        $employees.Kind | Should -Be 'Number'
        $employees.Text | Should -Be '1000'
        (Get-ZcrmJsonValue -Json $call.body -Path 'over_write').Kind | Should -Be 'True'
        $ids = Get-ZcrmJsonValue -Json $call.body -Path 'ids'
        $ids.Items | Should -BeExactly @($Seed1, $Seed2)
        $ids.ItemKinds | Should -Be @('String', 'String')
        $call.headers.Authorization | Should -BeLikeExactly 'Zoho-oauthtoken *'
    }

    It 'returns per-record errors as result objects that flow into Where-Object' {
        $unknown = '738964999999999999'
        $all = & { $Seed1, $NotApproved, $Seed2, $Locked, $unknown |
                Invoke-ZcrmMassUpdate -Module Leads -Data @{ Lead_Status = 'Contacted' } -Force |
                Where-Object Status -EQ 'error' } *>&1
        # The failed results are objects, and the command ends with one summary error naming them.
        $summary = @($all | Select-ErrorRecord)
        $summary | Should -HaveCount 1
        $summary[0].FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
        $summary[0].Exception.Message | Should -BeLikeExactly '3 of 5 Leads records were not updated (1 INVALID_DATA, 1 NOT_APPROVED, 1 RECORD_LOCKED)*'
        $summary[0].Exception.FailedCount | Should -Be 3
        @($summary[0].TargetObject.Id) | Should -BeExactly @($NotApproved, $Locked, $unknown)
        $errors = @($all | Select-ZcrmOutput MassUpdateResult)
        $errors.Id | Should -BeExactly @($NotApproved, $Locked, $unknown)
        $errors.Code | Should -BeExactly @('NOT_APPROVED', 'RECORD_LOCKED', 'INVALID_DATA')
        $errors[0].Message | Should -BeExactly 'cannot update record that is not approved yet'
        $errors[1].Details | Should -BeLikeExactly '*zia_vision_processing*'
        $errors[2].Message | Should -BeExactly 'the id given seems to be invalid'
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $Seed1).Lead_Status | Should -BeExactly 'Contacted'
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $NotApproved).Lead_Status | Should -Not -Be 'Contacted'
    }

    It 'binds ids from pipeline objects by property name (Id or id)' {
        $rows = @(
            [pscustomobject]@{ Id = $Seed1 }
            [pscustomobject]@{ id = $Seed2 }
        )
        $all = & { $rows | Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Force } *>&1
        @($all | Select-ErrorRecord) | Should -HaveCount 0
        @($all | Select-ZcrmOutput MassUpdateResult).Id | Should -BeExactly @($Seed1, $Seed2)
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $Seed2).Rating | Should -BeExactly 'Hot'
    }

    It 'sends 1,201 ids in calls of 500, 500 and 201 and returns 1,201 results in order' {
        $ids = @(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Select-Object -Skip 4 -First 1201 | ForEach-Object { [string]$_.id })
        $ids | Should -HaveCount 1201
        $before = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu).Count

        # In a runspace of its own (with this session's connection), because the progress stream cannot be redirected.
        $r = Invoke-ZcrmInNewRunspace -Variables @{ ids = $ids; conn = $conn } `
            -Script '$ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Industry = ''Banking'' } -Connection $conn -Force'
        $r.Terminating | Should -BeNullOrEmpty
        $r.Errors | Should -HaveCount 0
        $results = @($r.Output | Select-ZcrmOutput MassUpdateResult)
        $results | Should -HaveCount 1201
        $results.Id | Should -BeExactly $ids
        @($results | Where-Object Status -NE 'success') | Should -HaveCount 0

        $calls = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu | Select-Object -Skip $before)
        # Sent several at a time (-ThrottleLimit): they may arrive in any order; the results are in input order.
        @($calls | ForEach-Object { (Get-ZcrmJsonValue -Json $_.body -Path 'ids').Items.Count } | Sort-Object -Descending) | Should -Be @(500, 500, 201)

        $industry = @{}
        foreach ($record in Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads) { $industry[[string]$record.id] = $record.Industry }
        @($ids | Where-Object { $industry[$_] -ne 'Banking' }) | Should -HaveCount 0
        @($r.Progress | Where-Object RecordType -EQ ([System.Management.Automation.ProgressRecordType]::Completed)) | Should -Not -HaveCount 0
    }

    It 'sends -BatchSize ids per call' {
        $ids = @(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Select-Object -Skip 1300 -First 7 | ForEach-Object { [string]$_.id })
        $before = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu).Count
        $all = Invoke-ZcrmMassUpdate -Module Leads -Data @{ Industry = 'Retail' } -Id $ids -BatchSize 3 -Force *>&1
        @($all | Select-ErrorRecord) | Should -HaveCount 0
        @($all | Select-ZcrmOutput MassUpdateResult) | Should -HaveCount 7
        $calls = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu | Select-Object -Skip $before)
        # Sent several at a time (-ThrottleLimit): they may arrive in any order.
        @($calls | ForEach-Object { (Get-ZcrmJsonValue -Json $_.body -Path 'ids').Items.Count } | Sort-Object -Descending) | Should -Be @(3, 3, 1)
    }

    It 'sends no request and changes nothing with -WhatIf' {
        $before = Get-ZcrmWriteRequestCount -Emulator $emu
        $all = @(& {
                Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 4242 } -Id $Seed1 -WhatIf
                Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 4242 } -CustomViewId $AllLeadsView -WhatIf -Force
            } 2>&1)
        @($all | Select-ErrorRecord) | Should -HaveCount 0
        $all.Count | Should -Be 0
        Get-ZcrmWriteRequestCount -Emulator $emu | Should -Be $before
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $Seed1).No_of_Employees | Should -Not -Be 4242
    }

    It 'never lets -Force override an inherited -WhatIf' {
        # Force_never_overrides_an_inherited_WhatIf
        $before = Get-ZcrmWriteRequestCount -Emulator $emu
        # A wrapper script that supports -WhatIf passes it down as $WhatIfPreference.
        $all = @(& {
                function Update-Wrapper { [CmdletBinding(SupportsShouldProcess)] param() Invoke-ZcrmMassUpdate Leads @{ No_of_Employees = 4343 } -Id '738964000002131001' -Force }; Update-Wrapper -WhatIf
                $WhatIfPreference = $true; Invoke-ZcrmMassUpdate Leads @{ No_of_Employees = 4343 } -Id 738964000002131001 -Force; $WhatIfPreference = $false
            } 2>&1)
        @($all | Select-ErrorRecord) | Should -HaveCount 0
        $all.Count | Should -Be 0
        Get-ZcrmWriteRequestCount -Emulator $emu | Should -Be $before
    }

    It 'names the failed batch and every id not sent when Zoho rejects a request' {
        # A_request_level_rejection_names_the_failed_batch_and_every_id_not_sent
        $ids = [string[]]@(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Select-Object -Skip 4 -First 1201 | ForEach-Object { [string]$_.id })
        $ids | Should -HaveCount 1201
        $before = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu).Count
        $r = Invoke-ZcrmCaptured { Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees1 = 1 } -Id $ids -Force -SkipMetadataCheck }
        $r.Terminating | Should -BeNullOrEmpty
        $r.Output | Should -HaveCount 0
        $r.Errors | Should -HaveCount 1
        $err = $r.Errors[0]
        $err.TargetObject.GetType() | Should -Be ([string[]])
        $err.TargetObject | Should -BeExactly $ids
        $err.Exception.Message | Should -BeLikeExactly '*500 Leads id(s) not updated*'
        $err.Exception.Message | Should -BeLikeExactly '*701 more id(s) were not sent*'
        # One call, then the command stopped.
        @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu | Select-Object -Skip $before) | Should -HaveCount 1
    }

    It 'keeps the JSON type of <Data>' -TestCases @(
        @{ Data = { @{ Email_Opt_Out = $true } }; Field = 'Email_Opt_Out'; Kind = 'True'; Text = 'true'; Items = @() }
        @{ Data = { @{ Annual_Revenue = 1234.5 } }; Field = 'Annual_Revenue'; Kind = 'Number'; Text = '1234.5'; Items = @() }
        @{ Data = { @{ Phone = $null } }; Field = 'Phone'; Kind = 'Null'; Text = 'null'; Items = @() }
        @{ Data = { @{ Phone = '00123' } }; Field = 'Phone'; Kind = 'String'; Text = '00123'; Items = @() }
        @{ Data = { @{ Last_Contacted = [datetimeoffset]'2024-03-01T09:30:00+00:00' } }; Field = 'Last_Contacted'; Kind = 'String'; Text = '2024-03-01T09:30:00+00:00'; Items = @() }
        @{ Data = { @{ Last_Contacted = [datetime]::SpecifyKind([datetime]'2024-03-01 09:30:00', 'Utc') } }; Field = 'Last_Contacted'; Kind = 'String'; Text = '2024-03-01T09:30:00+00:00'; Items = @() }
        @{ Data = { @{ Interests = @('Cloud', 'AI') } }; Field = 'Interests'; Kind = 'Array'; Text = $null; Items = @('Cloud', 'AI') }
    ) {
        $all = Invoke-ZcrmMassUpdate -Module Leads -Data (& $Data) -Id $Seed2 -Force *>&1
        @($all | Select-ErrorRecord) | Should -HaveCount 0
        $sent = Get-ZcrmJsonValue -Json (Get-LastMassUpdateBody -Emulator $emu) -Path 'data', 0, $Field
        $sent.Kind | Should -Be $Kind
        if ($Kind -eq 'Array') {
            $sent.Items | Should -BeExactly $Items
            $sent.ItemKinds | Should -Be @('String', 'String')
        }
        else {
            $sent.Text | Should -BeExactly $Text
        }
        $results = @($all | Select-ZcrmOutput MassUpdateResult)
        $results | Should -HaveCount 1
        $results[0].Status | Should -BeExactly 'success'
    }

    It 'stops on INVALID_DATA for a field, with Zoho''s code, the field and the ids' {
        $err = { Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees1 = 1000 } -Id $Seed1, $Seed2 -Force -SkipMetadataCheck -ErrorAction Stop } |
            Should -Throw -ErrorId 'INVALID_DATA,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate' -PassThru
        $err.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::InvalidArgument)
        $err.Exception.Message | Should -BeLikeExactly '*This field cannot be updated in the Mass Update*'
        $err.Exception.Message | Should -BeLikeExactly '*No_of_Employees1*'
        $err.Exception.Message | Should -BeLikeExactly "*$Seed1*"
        $err.TargetObject.GetType() | Should -Be ([string[]])
        $err.TargetObject | Should -BeExactly @($Seed1, $Seed2)

        $inner = $err.Exception.InnerException
        $inner | Should -Not -BeNullOrEmpty
        $inner.GetType().FullName | Should -BeLikeExactly 'ZohoCrm.*'
        $inner.Code | Should -BeExactly 'INVALID_DATA'
        $inner.HttpStatus | Should -Be 200
        $inner.Details['api_name'] | Should -BeExactly 'No_of_Employees1'
    }

    It 'reports a bad id in the pipeline and updates the others' {
        $all = & { $Seed1, '12x', $Seed2 | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Warm' } -Force } *>&1
        @($all | Select-ZcrmOutput MassUpdateResult).Id | Should -BeExactly @($Seed1, $Seed2)
        $errors = @($all | Select-ErrorRecord)
        $errors | Should -HaveCount 1
        $errors[0].Exception.Message | Should -BeLikeExactly "*'12x' is not a Zoho id*"
    }

    Context 'with a bad token or no connection' {
        AfterAll {
            Disconnect-Zcrm
        }

        It 'stops on AUTHENTICATION_FAILURE with an authentication error' {
            Connect-Zcrm -ApiDomain $emu.BaseUrl -AccessToken (ConvertTo-ZcrmSecureString '1000.not-a-token')
            $err = { Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Id $Seed1 -Force } |
                Should -Throw -ErrorId 'AUTHENTICATION_FAILURE,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate' -PassThru
            $err.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::AuthenticationError)
            $err.Exception.Message | Should -BeLikeExactly '*Authentication failed*'
            $err.Exception.InnerException.GetType().FullName | Should -BeLikeExactly 'ZohoCrm.*'
            $err.Exception.InnerException.HttpStatus | Should -Be 401
        }

        It 'says to connect and sends nothing without a connection' {
            Disconnect-Zcrm
            $before = Get-ZcrmRequestCount -Emulator $emu
            $err = { Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -Id $Seed1 -Force } |
                Should -Throw -ErrorId 'ZohoCrm.NotConnected,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate' -PassThru
            $err.Exception.Message | Should -BeLikeExactly '*Connect-Zcrm*'
            Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
        }
    }
}

Describe 'Invoke-ZcrmMassUpdate by custom view' {
    BeforeAll {
        # A job step every 100 ms; Zoho's refresh limit lifted.
        $emu = Start-ZcrmTestEmulator -JobStepMs 100 -RefreshLimit 100000
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        $conn = Connect-Zcrm @refresh -PassThru
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'schedules a job, and -Wait ends with the emulator''s final counts' {
        # In a runspace of its own (with this session's connection), because the progress stream cannot be redirected.
        $r = Invoke-ZcrmInNewRunspace -Variables @{ conn = $conn; cvid = $AllLeadsView } `
            -Script 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 77 } -CustomViewId $cvid -Wait -Connection $conn -Force'
        $r.Terminating | Should -BeNullOrEmpty
        # The two records Zoho could not update make the one summary error.
        $r.Errors | Should -HaveCount 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
        $r.Errors[0].Exception.Message | Should -BeLikeExactly "2 of * Leads records in custom view $AllLeadsView were not updated by mass update job *"
        $jobs = @($r.Output | Select-ZcrmOutput MassUpdateJob)
        $jobs | Should -HaveCount 1
        $job = $jobs[0]
        $r.Errors[0].TargetObject.JobId | Should -BeExactly $job.JobId
        $snapshot = Get-ZcrmEmulatorMassUpdateJob -Emulator $emu -JobId $job.JobId
        $job.Status | Should -BeExactly 'COMPLETED'
        $snapshot.Status | Should -BeExactly 'COMPLETED'
        $job.TotalCount | Should -Be $snapshot.Total_Count
        $job.UpdatedCount | Should -Be $snapshot.Updated_Count
        $job.FailedCount | Should -Be $snapshot.Failed_Count
        $job.NotUpdatedCount | Should -Be $snapshot.Not_Updated_Count
        $job.CustomViewId | Should -BeExactly $AllLeadsView
        $job.TotalCount | Should -BeGreaterThan 2000
        $job.FailedCount | Should -BeOfType ([long])
        $job.FailedCount | Should -Be 2   # the seed's not-approved and locked Leads
        $employees = (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $Seed1).No_of_Employees
        $employees | Should -BeOfType ([long])
        $employees | Should -Be 77

        # The request is the seed's: data[0] and cvid, no ids.
        $body = Get-LastMassUpdateBody -Emulator $emu
        $cvid = Get-ZcrmJsonValue -Json $body -Path 'cvid'
        $cvid.Kind | Should -Be 'String'
        $cvid.Text | Should -BeExactly $AllLeadsView
        (Get-ZcrmJsonValue -Json $body -Path 'ids').Kind | Should -Be 'Missing'
        @($r.Progress | Where-Object PercentComplete -GT 0) | Should -Not -HaveCount 0
        @($r.Progress | Where-Object RecordType -EQ ([System.Management.Automation.ProgressRecordType]::Completed)) | Should -Not -HaveCount 0
    }

    It 'returns a SCHEDULED job without -Wait, which pipes into Get-ZcrmMassUpdateJob -Wait' {
        $first = Invoke-ZcrmMassUpdate Deals @{ Stage = 'Qualification'; Probability = 10 } -CustomViewId $AllDealsView -Force *>&1
        @($first | Select-ErrorRecord) | Should -HaveCount 0
        $scheduled = @($first | Select-ZcrmOutput MassUpdateJob)
        $scheduled | Should -HaveCount 1
        $scheduled[0].Status | Should -BeExactly 'SCHEDULED'
        $scheduled[0].JobId | Should -Match '^[0-9]+$'

        $all = & { Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Cold' } -CustomViewId $NotContactedView -Force | Get-ZcrmMassUpdateJob -Wait } *>&1
        @($all | Select-ErrorRecord | ForEach-Object FullyQualifiedErrorId) | Should -BeExactly @('ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.GetZcrmMassUpdateJob') -Because 'the seed''s not-approved and locked Leads fail'
        $jobs = @($all | Select-ZcrmOutput MassUpdateJob)
        $jobs | Should -HaveCount 1
        $jobs[0].Status | Should -BeExactly 'COMPLETED'
        $jobs[0].CustomViewId | Should -BeExactly $NotContactedView
        $jobs[0].UpdatedCount | Should -Be (Get-ZcrmEmulatorMassUpdateJob -Emulator $emu -JobId $jobs[0].JobId).Updated_Count

        $deal = Get-ZcrmMassUpdateJob Deals $scheduled[0].JobId -Wait -Timeout 60 *>&1
        @($deal | Select-ErrorRecord) | Should -HaveCount 0
        @($deal | Select-ZcrmOutput MassUpdateJob).Status | Should -BeExactly 'COMPLETED'
    }

    It 'names the cvid on INVALID_DATA for the cvid' {
        $err = { Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 1000 } -CustomViewId 73896400000009156 -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'INVALID_DATA,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate' -PassThru
        $err.Exception.Message | Should -BeLikeExactly '*the cvid given seems to be invalid*'
        $err.Exception.Message | Should -BeLikeExactly '*api_name: cvid*'
        $err.TargetObject | Should -BeExactly '73896400000009156'
    }

    It 'stops on INVALID_DATA for a field in view mode' {
        $err = { Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees1 = 1000 } -CustomViewId $AllLeadsView -Force -SkipMetadataCheck -ErrorAction Stop } |
            Should -Throw -ErrorId 'INVALID_DATA,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate' -PassThru
        $err.Exception.Message | Should -BeLikeExactly '*No_of_Employees1*'
    }

    It 'writes NOT_FOUND for an unknown job' {
        $all = Get-ZcrmMassUpdateJob -Module Leads -JobId 123456789 *>&1
        $errors = @($all | Select-ErrorRecord)
        $errors | Should -HaveCount 1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'NOT_FOUND,ZohoCrm.Cmdlets.GetZcrmMassUpdateJob'
        $errors[0].CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::ObjectNotFound)
    }

    It 'stops on NO_RECORDS_FOUND for an empty view' {
        { Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -CustomViewId 738964000000091999 -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'NO_RECORDS_FOUND,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
    }

    It 'puts the territory into the request' {
        $all = Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -CustomViewId $NotContactedView -TerritoryId 738964000000300001 -IncludeChildTerritories -Force *>&1
        @($all | Select-ErrorRecord) | Should -HaveCount 0
        $body = Get-LastMassUpdateBody -Emulator $emu
        $territoryId = Get-ZcrmJsonValue -Json $body -Path 'territory', 'id'
        $territoryId.Kind | Should -Be 'String'
        $territoryId.Text | Should -BeExactly '738964000000300001'
        (Get-ZcrmJsonValue -Json $body -Path 'territory', 'include_child').Kind | Should -Be 'True'
    }

    # Slow emulators of their own (a job step every 30 s), so a scheduled job is still running.
    Context 'a job is still running' {
        BeforeAll {
            $slowEmu = Start-ZcrmTestEmulator -JobStepMs 30000
            $slowRefresh = Get-ZcrmRefreshParameter -Emulator $slowEmu
            Connect-Zcrm @slowRefresh
        }
        AfterAll {
            Disconnect-Zcrm
            Stop-ZcrmTestEmulator -Emulator $slowEmu
        }

        It 'stops on ALREADY_SCHEDULED with a resource-busy error' {
            $all = Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 1 } -CustomViewId $AllLeadsView -Force *>&1
            @($all | Select-ErrorRecord) | Should -HaveCount 0
            $err = { Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 2 } -CustomViewId $AllLeadsView -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'ALREADY_SCHEDULED,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate' -PassThru
            $err.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::ResourceBusy)
            $err.Exception.Message | Should -BeLikeExactly '*Already an Mass Action scheduler is runing for the given cvid*'
            $err.Exception.GetType().FullName | Should -BeLikeExactly 'ZohoCrm.*'
            $err.Exception.HttpStatus | Should -Be 400
        }
    }

    Context '-Wait -Timeout on a slow job' {
        BeforeAll {
            $slowEmu = Start-ZcrmTestEmulator -JobStepMs 30000
            $slowRefresh = Get-ZcrmRefreshParameter -Emulator $slowEmu
            Connect-Zcrm @slowRefresh
        }
        AfterAll {
            Disconnect-Zcrm
            Stop-ZcrmTestEmulator -Emulator $slowEmu
        }

        It 'returns the last state and an error saying the job goes on' {
            $all = Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 3 } -CustomViewId $AllLeadsView -Wait -Timeout 1 -Force *>&1
            $jobs = @($all | Select-ZcrmOutput MassUpdateJob)
            $jobs | Should -HaveCount 1
            $jobs[0].IsFinished | Should -BeFalse
            $errors = @($all | Select-ErrorRecord)
            $errors | Should -HaveCount 1
            $errors[0].FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.WaitTimeout,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
            $errors[0].Exception.Message | Should -BeLikeExactly '*Get-ZcrmMassUpdateJob*'
            $errors[0].Exception.Message | Should -BeLikeExactly "*$($jobs[0].JobId)*"
        }
    }
    Context 'Ctrl+C during -Wait' {
        BeforeAll {
            $slowEmu = Start-ZcrmTestEmulator -JobStepMs 30000
        }
        AfterAll {
            Stop-ZcrmTestEmulator -Emulator $slowEmu
        }

        It 'stops -Wait at once' {
            # Ctrl_C_stops_Wait_at_once: a runspace of its own, connected there, so its pipeline can be stopped as
            # Ctrl+C stops it.
            $runspace = New-ZcrmTestRunspace -Variables @{ refresh = (Get-ZcrmRefreshParameter -Emulator $slowEmu) } -Script 'Connect-Zcrm @refresh'
            try {
                $shell = [powershell]::Create()
                try {
                    $shell.Runspace = $runspace
                    $null = $shell.AddScript("Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 5 } -CustomViewId $AllLeadsView -Wait -Force")
                    $async = $shell.BeginInvoke()
                    $deadline = [datetime]::UtcNow.AddSeconds(20)
                    while ($shell.Streams.Progress.Count -eq 0 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
                    $shell.Streams.Progress.Count | Should -BeGreaterThan 0
                    $watch = [System.Diagnostics.Stopwatch]::StartNew()
                    $shell.Stop()
                    $async.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(5)) | Should -BeTrue
                    $watch.Elapsed | Should -BeLessThan ([timespan]::FromSeconds(1)) -Because "Stop took $($watch.Elapsed)"
                    $shell.InvocationStateInfo.State | Should -Be ([System.Management.Automation.PSInvocationState]::Stopped)
                }
                finally { $shell.Dispose() }
            }
            finally { $runspace.Dispose() }
        }
    }
}
