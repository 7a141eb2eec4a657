#Requires -Version 7.4
<#
    Pester 5 tests of ZohoCrm: the module's manifest and folder, connection, token expiry, mass update and secrets,
    driven against the local Zoho emulator. The tests/*.Tests.ps1 files are the module's end-to-end suite, the
    reference for its behaviour.

    Build first (./build.ps1, or `dotnet build ZohoCrm.sln`), then:  Invoke-Pester ./tests
    Each Describe starts an emulator of its own (PesterHelpers.psm1 has the shared setup). The blocks whose tests share
    one emulator lift Zoho's limit of 10 token refreshes per 10 minutes with Start-ZcrmTestEmulator -RefreshLimit
    100000 (the emulator's --refresh-limit); the token expiry blocks, an emulator per Context, keep Zoho's limit.
    The module shares one access token per credentials (accounts host, client id, secret, refresh token) across the
    connections and runspaces of a process, so connecting again with the same credentials costs no token while it is
    valid. Most tests share their block's connection.
    The bad-input table (mass update and connection settings) is in ZohoCrm.BadInput.Tests.ps1.
    Invoke-ZcrmMassUpdate has ConfirmImpact High: the tests pass -Force, as scripts should.
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

    function ConvertTo-PlainText {
        param([Parameter(Mandatory)][securestring]$SecureString)
        ConvertFrom-SecureString -SecureString $SecureString -AsPlainText
    }

    # The error records among items captured with *>&1.
    function Select-ErrorRecord {
        param([Parameter(ValueFromPipeline)][AllowNull()][object]$InputObject)
        process { if ($InputObject -is [System.Management.Automation.ErrorRecord]) { $InputObject } }
    }

    function Get-TokenCallCount {
        param([Parameter(Mandatory)][object]$Emulator)
        @(Get-ZcrmEmulatorRequest -Emulator $Emulator -Method POST -PathLike '*/oauth/v2/token').Count
    }

    function Get-LastMassUpdateBody {
        param([Parameter(Mandatory)][object]$Emulator)
        @(Get-ZcrmEmulatorMassUpdateCall -Emulator $Emulator)[-1].body
    }
}

AfterAll {
    if (Get-Command Disconnect-Zcrm -ErrorAction SilentlyContinue) { Disconnect-Zcrm }
}

Describe 'Connect-Zcrm' {
    BeforeAll {
        # One emulator for the block: Zoho's refresh limit lifted.
        $emu = Start-ZcrmTestEmulator -RefreshLimit 100000
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        Disconnect-Zcrm
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'exports exactly the documented cmdlets, from a self-contained module folder' {
        $module = Get-Module ZohoCrm
        $module | Should -HaveCount 1
        # Exactly the documented cmdlets, nothing else (README.md's table), in ordinal order.
        $exported = [string[]]@($module.ExportedCmdlets.Keys)
        [Array]::Sort($exported, [System.StringComparer]::Ordinal)
        $exported | Should -BeExactly @(
            'Connect-Zcrm'
            'Disconnect-Zcrm'
            'Get-ZcrmBulkWriteJob'
            'Get-ZcrmBulkWriteResult'
            'Get-ZcrmConnection'
            'Get-ZcrmMassUpdateJob'
            'Invoke-ZcrmMassUpdate'
            'New-ZcrmBulkWriteJob'
        )
        @($module.ExportedFunctions.Keys) | Should -HaveCount 0
        @($module.ExportedAliases.Keys) | Should -HaveCount 0
        $module.Version.ToString() | Should -BeExactly '0.1.0'
        $module.PowerShellVersion.ToString() | Should -BeExactly '5.1'
        ($module.CompatiblePSEditions -join ',') | Should -BeExactly 'Desktop,Core'
        $module.PrivateData.PSData.Tags | Should -Contain 'Zoho'

        # The module folder the build lays out (src/ZohoCrm/ZohoCrm.csproj, LayoutModule) is exactly this allow-list:
        # four files at its root, and dependencies/ holding only DLLs (no folder below it), never
        # System.Management.Automation.dll (PowerShell's own).
        $module.ModuleBase | Should -Be (Split-Path -Parent (Get-ZcrmModuleManifest))
        $root = Get-Item -LiteralPath $module.ModuleBase
        $rootFiles = [string[]]@($root.GetFiles() | ForEach-Object Name)
        [Array]::Sort($rootFiles, [System.StringComparer]::Ordinal)
        $rootFiles | Should -BeExactly @('LICENSE', 'ZohoCrm.Format.ps1xml', 'ZohoCrm.dll', 'ZohoCrm.psd1')
        $folders = @($root.GetDirectories() | ForEach-Object Name)
        $folders | Should -HaveCount 1
        $folders[0] | Should -BeExactly 'dependencies'
        $dependencies = $root.GetDirectories('dependencies')[0]
        @($dependencies.GetDirectories()) | Should -HaveCount 0
        $dependencyFiles = @($dependencies.GetFiles())
        $dependencyFiles | Should -Not -HaveCount 0
        @($dependencyFiles | Where-Object Extension -CNE '.dll' | ForEach-Object Name) | Should -HaveCount 0
        @($root.GetFiles('*', [System.IO.SearchOption]::AllDirectories) | Where-Object Name -EQ 'System.Management.Automation.dll') |
            Should -HaveCount 0
    }

    It 'has a token at once with the refresh token and shows no secret' {
        $all = Connect-Zcrm @refresh -PassThru -Verbose *>&1
        @($all | Select-ErrorRecord) | Should -HaveCount 0
        # At least one token was issued: by this connect, or by an earlier one with the same credentials, whose
        # token this process shares (TokenExpiry's 'reconnecting reuses the valid token' counts them exactly).
        Get-ZcrmEmulatorTokenIssuedCount -Emulator $emu | Should -BeGreaterOrEqual 1

        $connections = @($all | Select-ZcrmOutput Connection)
        $connections | Should -HaveCount 1
        $c = $connections[0]
        $c.ApiDomain | Should -BeExactly $emu.BaseUrl
        $c.AccountsUrl | Should -BeExactly $emu.BaseUrl
        $c.UploadUrl | Should -BeExactly $emu.BaseUrl
        $c.DataCenter | Should -BeExactly 'Custom'
        $c.ApiVersion | Should -BeExactly 'v8'
        $c.AuthType | Should -BeExactly 'RefreshToken'
        $c.ClientId | Should -BeExactly $emu.ClientId
        $c.ExpiresOn | Should -BeGreaterThan ([datetimeoffset]::Now.AddMinutes(50))

        $same = Get-ZcrmConnection
        [object]::ReferenceEquals($c.PSObject.BaseObject, $same.PSObject.BaseObject) | Should -BeTrue

        $texts = @($all | Get-ZcrmVisibleText) + $c.ToString()
        foreach ($secret in (ConvertTo-PlainText $emu.ClientSecret), (ConvertTo-PlainText $emu.RefreshToken)) {
            @($texts | Where-Object { ([string]$_).Contains($secret) }) | Should -HaveCount 0 -Because 'no secret may show'
        }
        @($c.PSObject.BaseObject.GetType().GetProperties() | Where-Object PropertyType -EQ ([securestring])) | Should -HaveCount 0
    }

    It 'picks the three hosts of data center <DataCenter>' -TestCases @(
        @{ DataCenter = 'EU'; Api = 'https://www.zohoapis.eu'; Accounts = 'https://accounts.zoho.eu'; Upload = 'https://content.zohoapis.eu' }
        @{ DataCenter = 'CA'; Api = 'https://www.zohoapis.ca'; Accounts = 'https://accounts.zohocloud.ca'; Upload = 'https://upload.zohocloud.ca' }
        @{ DataCenter = 'SA'; Api = 'https://www.zohoapis.sa'; Accounts = 'https://accounts.zoho.sa'; Upload = 'https://files.zoho.sa' }
        @{ DataCenter = 'US'; Api = 'https://www.zohoapis.com'; Accounts = 'https://accounts.zoho.com'; Upload = 'https://content.zohoapis.com' }
    ) {
        # An access-token connection sends nothing at connect time: no traffic leaves this machine.
        $r = Invoke-ZcrmCaptured { Connect-Zcrm -AccessToken $emu.AccessToken -DataCenter $DataCenter -ApiVersion v2 -OrgId 123 -PassThru }
        Assert-ZcrmNoError $r
        $connections = @($r.Output | Select-ZcrmOutput Connection)
        $connections | Should -HaveCount 1
        $c = $connections[0]
        $c.ApiDomain | Should -BeExactly $Api
        $c.AccountsUrl | Should -BeExactly $Accounts
        $c.UploadUrl | Should -BeExactly $Upload
        $c.DataCenter | Should -BeExactly $DataCenter
        $c.ApiVersion | Should -BeExactly 'v2'
        $c.OrgId | Should -BeExactly '123'
        $c.AuthType | Should -BeExactly 'AccessToken'
        $c.ExpiresOn | Should -BeNullOrEmpty
    }

    It 'takes the data center of a known -ApiDomain, and -UploadUrl wins' {
        $r = Invoke-ZcrmCaptured { Connect-Zcrm -AccessToken $emu.AccessToken -ApiDomain https://www.zohoapis.in -UploadUrl https://upload.example.test -PassThru }
        Assert-ZcrmNoError $r
        $connections = @($r.Output | Select-ZcrmOutput Connection)
        $connections | Should -HaveCount 1
        $c = $connections[0]
        $c.DataCenter | Should -BeExactly 'IN'
        $c.AccountsUrl | Should -BeExactly 'https://accounts.zoho.in'
        $c.UploadUrl | Should -BeExactly 'https://upload.example.test'
    }

    It 'uses an unknown -ApiDomain (the emulator) as accounts and upload host too' {
        $c = Connect-Zcrm -ApiDomain $emu.BaseUrl -AccessToken $emu.AccessToken -PassThru
        $c.ApiDomain | Should -BeExactly $emu.BaseUrl
        $c.AccountsUrl | Should -BeExactly $emu.BaseUrl
        $c.UploadUrl | Should -BeExactly $emu.BaseUrl
        $c.DataCenter | Should -BeExactly 'Custom'
        $c.ApiVersion | Should -BeExactly 'v8'
        $c.AuthType | Should -BeExactly 'AccessToken'
    }

    It 'accepts plain http on loopback' {
        $r = Invoke-ZcrmCaptured {
            Connect-Zcrm -AccessToken $emu.AccessToken -ApiDomain http://localhost:1 -PassThru
            Connect-Zcrm -AccessToken $emu.AccessToken -ApiDomain 'http://[::1]:1' -PassThru
        }
        Assert-ZcrmNoError $r
        @($r.Output | Select-ZcrmOutput Connection) | Should -HaveCount 2
    }

    It 'turns a failed refresh (<Code>) into one clear authentication error' -TestCases @(
        @{ Code = 'invalid_client'; WrongSecret = 'wrong-secret'; WrongRefreshToken = $null; Text = 'client id and secret' }
        @{ Code = 'invalid_code'; WrongSecret = $null; WrongRefreshToken = '1000.wrong.refresh'; Text = 'refresh token' }
    ) {
        Disconnect-Zcrm
        $secret = if ($WrongSecret) { ConvertTo-ZcrmSecureString $WrongSecret } else { $emu.ClientSecret }
        $token = if ($WrongRefreshToken) { ConvertTo-ZcrmSecureString $WrongRefreshToken } else { $emu.RefreshToken }

        $err = { Connect-Zcrm -ApiDomain $emu.BaseUrl -ClientId $emu.ClientId -ClientSecret $secret -RefreshToken $token } |
            Should -Throw -ErrorId "$Code,ZohoCrm.Cmdlets.ConnectZcrm" -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly "$Code,ZohoCrm.Cmdlets.ConnectZcrm"
        $err.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::AuthenticationError)
        $err.Exception.Message | Should -BeLikeExactly "*$Text*"
        $err.Exception.Message | Should -BeLikeExactly '*-DataCenter*'
        $err.Exception.ToString().Contains('wrong-secret') | Should -BeFalse
        $err.Exception.ToString().Contains('1000.wrong.refresh') | Should -BeFalse
        Get-ZcrmConnection -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'is not seen by another runspace, which can still use it with -Connection' {
        $connected = Invoke-ZcrmCaptured { Connect-Zcrm @refresh -PassThru }
        Assert-ZcrmNoError $connected
        $connections = @($connected.Output | Select-ZcrmOutput Connection)
        $connections | Should -HaveCount 1
        $conn = $connections[0]

        # A runspace of its own, as a job, ForEach-Object -Parallel or another tab would have.
        $seen = Invoke-ZcrmInNewRunspace -Script 'Get-ZcrmConnection'
        # Nothing there, and no error (as Get-AzContext when not signed in).
        $seen.Terminating | Should -BeNullOrEmpty
        $seen.Output | Should -HaveCount 0
        $seen.Errors | Should -HaveCount 0

        $notConnected = Invoke-ZcrmInNewRunspace -Script "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Force"
        $notConnected.Terminating | Should -Not -BeNullOrEmpty
        $notConnected.Terminating.FullyQualifiedErrorId | Should -BeExactly 'ZohoCrm.NotConnected,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'

        $explicitly = Invoke-ZcrmInNewRunspace -Variables @{ conn = $conn } `
            -Script "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Connection `$conn -Force"
        $explicitly.Terminating | Should -BeNullOrEmpty
        $explicitly.Errors | Should -HaveCount 0
        $results = @($explicitly.Output | Select-ZcrmOutput MassUpdateResult)
        $results | Should -HaveCount 1
        $results[0].Status | Should -BeExactly 'success'
    }

    It 'forgets the connection on Disconnect-Zcrm' {
        Assert-ZcrmNoError (Invoke-ZcrmCaptured { Connect-Zcrm @refresh })
        Get-ZcrmConnection | Should -Not -BeNullOrEmpty
        Assert-ZcrmNoError (Invoke-ZcrmCaptured { Disconnect-Zcrm })
        Get-ZcrmConnection -ErrorAction Stop | Should -BeNullOrEmpty
    }
}

Describe 'Access token expiry' {
    # TokenExpiryTests: an emulator of its own per test, with Zoho's refresh limit (not lifted).
    Context 'connecting again with the same credentials' {
        BeforeAll {
            $emu = Start-ZcrmTestEmulator
            $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        }
        AfterAll {
            Disconnect-Zcrm
            Stop-ZcrmTestEmulator -Emulator $emu
        }

        It 'refreshes at connect, and reconnecting reuses the valid token, in this runspace and another' {
            # Connect_refreshes_at_once_and_reconnecting_reuses_the_valid_token
            Assert-ZcrmNoError (Invoke-ZcrmCaptured { Connect-Zcrm @refresh })
            Get-ZcrmEmulatorTokenIssuedCount -Emulator $emu | Should -Be 1 -Because 'refreshed at connect: a wrong secret would fail here'
            # Another runspace of this process, as a job, ForEach-Object -Parallel or another tab would have.
            $other = New-ZcrmTestRunspace
            try {
                Assert-ZcrmNoError (Invoke-ZcrmCaptured { Connect-Zcrm @refresh })
                Assert-ZcrmNoError (Invoke-ZcrmCaptured { Connect-Zcrm @refresh })
                $connected = Start-ZcrmRunspaceScript -Runspace $other -Variables @{ refresh = $refresh } -Script 'Connect-Zcrm @refresh' |
                    Receive-ZcrmRunspaceScript -TimeoutSec 60
                $connected.Completed | Should -BeTrue
                @($connected.Errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }) | Should -HaveCount 0
                $connected.Terminating | Should -BeNullOrEmpty
                # Zoho counts tokens per refresh token: the process shares one, across connections and runspaces.
                Get-ZcrmEmulatorTokenIssuedCount -Emulator $emu | Should -Be 1

                Invoke-ZcrmEmulatorExpireTokens -Emulator $emu
                $here = Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Force *>&1
                @($here | Select-ErrorRecord) | Should -HaveCount 0
                $there = Start-ZcrmRunspaceScript -Runspace $other -Script "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Force" |
                    Receive-ZcrmRunspaceScript -TimeoutSec 60
                $there.Completed | Should -BeTrue
                @($there.Errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }) | Should -HaveCount 0
                $there.Terminating | Should -BeNullOrEmpty
                Get-ZcrmEmulatorTokenIssuedCount -Emulator $emu | Should -Be 2
            }
            finally { $other.Dispose() }
        }
    }

    Context 'an issued token expires' {
        BeforeAll {
            $emu = Start-ZcrmTestEmulator
            $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        }
        AfterAll {
            Disconnect-Zcrm
            Stop-ZcrmTestEmulator -Emulator $emu
        }

        It 'refreshes once and the call succeeds' {
            Assert-ZcrmNoError (Invoke-ZcrmCaptured { Connect-Zcrm @refresh })
            Get-TokenCallCount -Emulator $emu | Should -Be 1
            Invoke-ZcrmEmulatorExpireTokens -Emulator $emu
            Clear-ZcrmEmulatorRequest -Emulator $emu

            $all = Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id $Seed1, $Seed2 -Force -Verbose *>&1
            @($all | Select-ErrorRecord) | Should -HaveCount 0
            $results = @($all | Select-ZcrmOutput MassUpdateResult)
            $results | Should -HaveCount 2
            $results.Status | Should -BeExactly @('success', 'success')

            # The expired token's 401, one refresh, the repeated call.
            $calls = @(Get-ZcrmEmulatorRequest -Emulator $emu)
            $calls.statusCode | Should -Be @(401, 200, 200)
            $calls[1].method | Should -BeExactly 'POST'
            $calls[1].path | Should -BeLikeExactly '*/oauth/v2/token'
            $calls[2].headers.Authorization | Should -Not -BeExactly $calls[0].headers.Authorization
            Get-TokenCallCount -Emulator $emu | Should -Be 1
            @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message.Contains('INVALID_TOKEN') }) |
                Should -Not -HaveCount 0
        }

        It 'cannot refresh an access-token connection, and says so' {
            $plainSecret = ConvertTo-PlainText $emu.ClientSecret
            $plainRefresh = ConvertTo-PlainText $emu.RefreshToken
            $answer = Invoke-RestMethod -Method Post -Uri "$($emu.BaseUrl)/oauth/v2/token" -NoProxy -Body @{
                grant_type    = 'refresh_token'
                client_id     = $emu.ClientId
                client_secret = $plainSecret
                refresh_token = $plainRefresh
            }
            $answer.access_token | Should -Not -BeNullOrEmpty
            Assert-ZcrmNoError (Invoke-ZcrmCaptured { Connect-Zcrm -ApiDomain $emu.BaseUrl -AccessToken (ConvertTo-ZcrmSecureString $answer.access_token) })
            Invoke-ZcrmEmulatorExpireTokens -Emulator $emu

            $err = { Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id $Seed1 -Force } |
                Should -Throw -ErrorId 'INVALID_TOKEN,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate' -PassThru
            $err.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::AuthenticationError)
        }
    }

    Context 'a token near its expiry (2 s tokens)' {
        BeforeAll {
            $emu = Start-ZcrmTestEmulator -TokenLifetimeSec 2
            $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        }
        AfterAll {
            Disconnect-Zcrm
            Stop-ZcrmTestEmulator -Emulator $emu
        }

        It 'is refreshed before the call' {
            Assert-ZcrmNoError (Invoke-ZcrmCaptured { Connect-Zcrm @refresh })
            $tokenCallsAtConnect = Get-TokenCallCount -Emulator $emu
            Start-Sleep -Milliseconds 2100   # the token's lifetime
            Clear-ZcrmEmulatorRequest -Emulator $emu

            $all = Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id $Seed1 -Force *>&1
            @($all | Select-ErrorRecord) | Should -HaveCount 0
            @(Get-ZcrmEmulatorRequest -Emulator $emu | Where-Object statusCode -EQ 401) | Should -HaveCount 0
            ($tokenCallsAtConnect + (Get-TokenCallCount -Emulator $emu)) | Should -Be 2
        }
    }
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
        @($calls | ForEach-Object { (Get-ZcrmJsonValue -Json $_.body -Path 'ids').Items.Count }) | Should -Be @(500, 500, 201)

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
        @($calls | ForEach-Object { (Get-ZcrmJsonValue -Json $_.body -Path 'ids').Items.Count }) | Should -Be @(3, 3, 1)
    }

    It 'sends no request and changes nothing with -WhatIf' {
        $before = Get-ZcrmRequestCount -Emulator $emu
        $all = @(& {
                Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 4242 } -Id $Seed1 -WhatIf
                Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 4242 } -CustomViewId $AllLeadsView -WhatIf -Force
            } 2>&1)
        @($all | Select-ErrorRecord) | Should -HaveCount 0
        $all.Count | Should -Be 0
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
        (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $Seed1).No_of_Employees | Should -Not -Be 4242
    }

    It 'never lets -Force override an inherited -WhatIf' {
        # Force_never_overrides_an_inherited_WhatIf
        $before = Get-ZcrmRequestCount -Emulator $emu
        # A wrapper script that supports -WhatIf passes it down as $WhatIfPreference.
        $all = @(& {
                function Update-Wrapper { [CmdletBinding(SupportsShouldProcess)] param() Invoke-ZcrmMassUpdate Leads @{ No_of_Employees = 4343 } -Id '738964000002131001' -Force }; Update-Wrapper -WhatIf
                $WhatIfPreference = $true; Invoke-ZcrmMassUpdate Leads @{ No_of_Employees = 4343 } -Id 738964000002131001 -Force; $WhatIfPreference = $false
            } 2>&1)
        @($all | Select-ErrorRecord) | Should -HaveCount 0
        $all.Count | Should -Be 0
        Get-ZcrmRequestCount -Emulator $emu | Should -Be $before
    }

    It 'names the failed batch and every id not sent when Zoho rejects a request' {
        # A_request_level_rejection_names_the_failed_batch_and_every_id_not_sent
        $ids = [string[]]@(Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads | Select-Object -Skip 4 -First 1201 | ForEach-Object { [string]$_.id })
        $ids | Should -HaveCount 1201
        $before = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu).Count
        $r = Invoke-ZcrmCaptured { Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees1 = 1 } -Id $ids -Force }
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
        $err = { Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees1 = 1000 } -Id $Seed1, $Seed2 -Force -ErrorAction Stop } |
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
        $err = { Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees1 = 1000 } -CustomViewId $AllLeadsView -Force -ErrorAction Stop } |
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

Describe 'Secrets' {
    BeforeAll {
        # A job step every 100 ms; Zoho's refresh limit lifted.
        $emu = Start-ZcrmTestEmulator -JobStepMs 100 -RefreshLimit 100000
        $refresh = Get-ZcrmRefreshParameter -Emulator $emu
        Disconnect-Zcrm

        <#
            Runs each of -Script, in order, in one new runspace with the module (no host, so nothing prompts), with
            -Variables set there first, and -BeforeStep (given the script) run here before each. Returns Texts:
            everything a user, a transcript or a log could see (Get-ZcrmVisibleText) of every stream of every step,
            progress included, then of every record in that runspace's $Error (message, exception, details, script
            line); Progress: the ProgressRecords; ErrorCount: how many records $Error held.
        #>
        function Invoke-SecretStep {
            param(
                [Parameter(Mandatory)][string[]]$Script,
                [hashtable]$Variables = @{},
                [scriptblock]$BeforeStep
            )
            $texts = [System.Collections.Generic.List[string]]::new()
            $progress = [System.Collections.Generic.List[object]]::new()
            $errors = @()
            $runspace = New-ZcrmTestRunspace -Variables $Variables
            try {
                foreach ($step in $Script) {
                    if ($BeforeStep) { & $BeforeStep $step }
                    $result = Start-ZcrmRunspaceScript -Runspace $runspace -Script $step | Receive-ZcrmRunspaceScript -TimeoutSec 120
                    $result.Completed | Should -BeTrue -Because "the step ends in time: $step"
                    foreach ($item in @($result.Progress)) { $progress.Add($item) }
                    $items = @($result.Output) + @($result.Errors) + @($result.Terminating) + @($result.Verbose) + @($result.Debug) +
                        @($result.Warning) + @($result.Information) + @($result.Progress)
                    foreach ($t in @($items | Get-ZcrmVisibleText)) { $texts.Add([string]$t) }
                }
                # Then every error the runspace recorded, caught ones too: message, exception, details, script line.
                $errors = @($runspace.SessionStateProxy.GetVariable('Error'))
                foreach ($t in @($errors | Get-ZcrmVisibleText)) { $texts.Add([string]$t) }
            }
            finally { $runspace.Dispose() }
            [pscustomobject]@{
                Texts      = $texts.ToArray()
                Progress   = $progress.ToArray()
                ErrorCount = $errors.Count
            }
        }
    }
    AfterAll {
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'never shows the client secret, the refresh token or an access token in any stream, error or object' {
        # Every cmdlet, in success and failure, in one runspace of its own, so that all six streams are read:
        # progress cannot be redirected with *>&1, and Receive-ZcrmRunspaceScript returns it.
        $scripts = @(
            "`$VerbosePreference = 'Continue'; `$DebugPreference = 'Continue'"
            'Connect-Zcrm @refresh -PassThru -Verbose -Debug'
            'Get-ZcrmConnection -Verbose -Debug'
            "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001, 1306462000000496025, 475243000003269880, 1 -Force -Verbose -Debug"
            'Invoke-ZcrmMassUpdate Leads @{ No_of_Employees1 = 1 } -Id 738964000002131001 -Force -Verbose -Debug'
            "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Cold' } -CustomViewId 738964000000091570 -Wait -Force -Verbose -Debug"
            'Get-ZcrmMassUpdateJob Leads 1 -Verbose -Debug'
            'Connect-Zcrm -ApiDomain $emu -ClientId $clientId -ClientSecret $wrongSecret -RefreshToken $refreshToken -Verbose -Debug'
            'Connect-Zcrm @refresh -Verbose -Debug'
            "Invoke-ZcrmMassUpdate Leads @{ Rating = 'Warm' } -Id 738964000002131001 -Force -Verbose -Debug"
        )
        $variables = @{
            refresh      = $refresh
            emu          = $emu.BaseUrl
            clientId     = $emu.ClientId
            refreshToken = $emu.RefreshToken
            wrongSecret  = ConvertTo-ZcrmSecureString ('wrong-' + (ConvertTo-PlainText $emu.ClientSecret))
        }
        $run = Invoke-SecretStep -Script $scripts -Variables $variables -BeforeStep {
            param($step)
            # The access token expires before the last call, which refreshes it.
            if ($step.Contains("Rating = 'Warm'")) { Invoke-ZcrmEmulatorExpireTokens -Emulator $emu }
        }
        $texts = $run.Texts

        $used = @(Get-ZcrmAuthorizationToken -Emulator $emu)
        $used.Count | Should -BeGreaterOrEqual 2 -Because 'there is an access token before and one after the refresh'
        $secrets = @(
            ConvertTo-PlainText $emu.ClientSecret
            ConvertTo-PlainText $emu.RefreshToken
            ConvertTo-PlainText $emu.AccessToken
        ) + $used

        @($texts | Where-Object { $_.Contains('-> 200') }) | Should -Not -HaveCount 0 -Because 'the verbose call log was captured'
        @($texts | Where-Object { $_.Contains('INVALID_DATA') }) | Should -Not -HaveCount 0
        # The mass update steps wrote progress (sending ids, and polling the job under -Wait), and it was scanned.
        $run.Progress.Count | Should -BeGreaterThan 0 -Because 'progress records were captured'
        @($run.Progress | Where-Object { "$($_.StatusDescription)".Contains('updated') }) |
            Should -Not -HaveCount 0 -Because 'the progress of the job -Wait polled was captured'
        $run.ErrorCount | Should -BeGreaterThan 0 -Because "the runspace's `$Error was scanned"
        foreach ($secret in $secrets) {
            @($texts | Where-Object { $_.Contains($secret, [System.StringComparison]::Ordinal) }) | Should -HaveCount 0 -Because 'a secret must never show'
        }
    }

    It 'never shows a secret in any stream or file in bulk write and under faults' {
        # No_secret_reaches_any_stream_or_file_in_bulk_write_and_under_faults: an emulator of its own, a bulk job
        # step every 50 ms, refresh limit 1000; the steps in one runspace of their own, so progress is read too.
        $bulkEmu = Start-ZcrmTestEmulator -BulkStepMs 50 -RefreshLimit 1000
        $dir = (New-Item -ItemType Directory -Path ([System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "zcrm-secrets-$([guid]::NewGuid().ToString('N').Substring(0, 8))"))).FullName
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $bulkEmu -Kind ServerError -Method GET -PathContains '/crm/bulk/' -Times 2
            $null = Add-ZcrmEmulatorFault -Emulator $bulkEmu -Kind ExpireTokens -Method POST -PathContains '/upload' -Times 1
            $null = Add-ZcrmEmulatorFault -Emulator $bulkEmu -Kind TooManyRequestsRetryAfterHeader -PathContains '.zip' -Times 1 -RetryAfterSeconds 0
            $scripts = @(
                'Connect-Zcrm @bulkRefresh -Verbose -Debug'
                '1..3 | ForEach-Object { @{ Last_Name = "S $_"; Email = "s$_@example.com" } } | New-ZcrmBulkWriteJob Leads -Wait -Verbose -Debug | Get-ZcrmBulkWriteJob -Verbose -Debug | Get-ZcrmBulkWriteResult -OutFile $dir -Verbose -Debug'
                "@{ Last_Name = 'W' } | New-ZcrmBulkWriteJob Leads -WhatIf -Verbose -Debug"
                "@{ Last_Name = 'x'; Bad = 1 }, @{ Last_Name = 'y'; Worse = 2 } | New-ZcrmBulkWriteJob Leads -Verbose -Debug"
                'New-ZcrmBulkWriteJob Leads -FileId 4150868000005364001 -FieldMapping @{ Last_Name1 = 0 } -Verbose -Debug'
                'Get-ZcrmBulkWriteJob 415086800000539200 -Verbose -Debug'
                "[pscustomobject]@{ PSTypeName = 'Deserialized.ZohoCrm.BulkWriteJob'; JobId = '1'; Module = 'Leads'; DownloadUrl = 'https://evil.example.com/x.zip' } | Get-ZcrmBulkWriteResult -Verbose -Debug"
                'Get-ZcrmBulkWriteResult 4150868000005392002 -Verbose -Debug'
            )
            $run = Invoke-SecretStep -Script $scripts -Variables @{ bulkRefresh = (Get-ZcrmRefreshParameter -Emulator $bulkEmu); dir = $dir }
            $texts = [System.Collections.Generic.List[string]]::new([string[]]$run.Texts)
            $zips = @([System.IO.Directory]::GetFiles($dir))
            $zips | Should -Not -HaveCount 0 -Because 'the result ZIP was kept with -OutFile'
            foreach ($file in $zips) {
                $zip = [System.IO.Compression.ZipFile]::OpenRead($file)
                try {
                    foreach ($entry in $zip.Entries) {
                        $reader = [System.IO.StreamReader]::new($entry.Open())
                        try { $texts.Add($reader.ReadToEnd()) } finally { $reader.Dispose() }
                    }
                }
                finally { $zip.Dispose() }
            }

            $secrets = @(
                ConvertTo-PlainText $bulkEmu.ClientSecret
                ConvertTo-PlainText $bulkEmu.RefreshToken
            ) + @(Get-ZcrmAuthorizationToken -Emulator $bulkEmu)
            $secrets.Count | Should -BeGreaterOrEqual 4 -Because 'expected the access tokens before and after the forced refresh'
            @($texts | Where-Object { $_.Contains('/upload -> 200') }) | Should -Not -HaveCount 0
            # The bulk write steps wrote progress (rows read, upload, the wait), and it was scanned.
            $run.Progress.Count | Should -BeGreaterThan 0 -Because 'progress records were captured'
            @($run.Progress | Where-Object { "$($_.StatusDescription)".StartsWith('Uploading rows 1-3', [System.StringComparison]::Ordinal) }) |
                Should -Not -HaveCount 0 -Because 'the upload progress was captured'
            $run.ErrorCount | Should -BeGreaterThan 0 -Because "the runspace's `$Error was scanned"
            foreach ($secret in $secrets) {
                @($texts | Where-Object { $_.Contains($secret, [System.StringComparison]::Ordinal) }) | Should -HaveCount 0 -Because 'a secret must never show'
            }
        }
        finally {
            Stop-ZcrmTestEmulator -Emulator $bulkEmu
            Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    It 'redacts token fields in bodies, forms, queries and headers, and keeps Zoho''s codes readable' {
        # Redactor_hides_token_fields_in_bodies_forms_queries_and_headers: through the module's own log path, a debug
        # line of a token answer would look like this.
        $line = '{"access_token":"1000.abc","refresh_token" : "1000.def","code":"INVALID_DATA"} client_secret=xyz&refresh_token=123 Authorization: Zoho-oauthtoken 1000.ghi ?token=1000.jkl'
        $redacted = [string]([ZohoCrm.Connection].Assembly.GetType('ZohoCrm.Http.Redactor').GetMethod('Redact').Invoke($null, @(, $line)))
        foreach ($s in '1000.abc', '1000.def', 'xyz', '123', '1000.ghi', '1000.jkl') {
            $redacted.Contains($s) | Should -BeFalse -Because "'$s' is a secret: $redacted"
        }
        # Zoho's error codes stay readable under -Debug.
        $redacted.Contains('INVALID_DATA') | Should -BeTrue -Because $redacted
    }
}
