#Requires -Version 7.4
<#
    Pester 5 tests of ZohoCrm: the module's manifest and folder, connection and token expiry, driven against the
    local Zoho emulator. The tests/*.Tests.ps1 files are the module's end-to-end suite, the reference for its
    behaviour: mass update is in ZohoCrm.MassUpdate.Tests.ps1, secrets and where tokens go in
    ZohoCrm.Security.Tests.ps1, the bad-input table (mass update and connection settings) in ZohoCrm.BadInput.Tests.ps1.

    Build first (./build.ps1, or `dotnet build ZohoCrm.sln`), then:  Invoke-Pester ./tests
    Each Describe starts an emulator of its own (PesterHelpers.psm1 has the shared setup). The blocks whose tests share
    one emulator lift Zoho's limit of 10 token refreshes per 10 minutes with Start-ZcrmTestEmulator -RefreshLimit
    100000 (the emulator's --refresh-limit); the token expiry blocks, an emulator per Context, keep Zoho's limit.
    The module shares one access token per credentials (accounts host, client id, secret, refresh token) across the
    connections and runspaces of a process, so connecting again with the same credentials costs no token while it is
    valid. Most tests share their block's connection.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    # Seed records (src/ZohoCrm.Emulator/SeedData.cs).
    $Seed1 = '738964000002131001'
    $Seed2 = '738964000002130131'

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
            'Get-ZcrmCustomView'
            'Get-ZcrmField'
            'Get-ZcrmMassUpdateJob'
            'Get-ZcrmModule'
            'Invoke-ZcrmMassUpdate'
            'New-ZcrmBulkWriteJob'
            'Resume-ZcrmBulkWriteRun'
            'Resume-ZcrmMassUpdateRun'
        )
        @($module.ExportedFunctions.Keys) | Should -HaveCount 0
        @($module.ExportedAliases.Keys) | Should -HaveCount 0
        $module.Version.ToString() | Should -BeExactly '0.1.0'
        $module.PowerShellVersion.ToString() | Should -BeExactly '5.1'
        ($module.CompatiblePSEditions -join ',') | Should -BeExactly 'Desktop,Core'
        $module.PrivateData.PSData.Tags | Should -Contain 'Zoho'

        # The module folder the build lays out (src/ZohoCrm/ZohoCrm.csproj, LayoutModule) is exactly this allow-list:
        # four files at its root, dependencies/ holding only DLLs (no folder below it), never
        # System.Management.Automation.dll (PowerShell's own), and en-US/ with the help build.ps1 makes from docs/en-US
        # (src/ZohoCrm.Help/ConvertTo-ZcrmMaml.ps1): the cmdlets' MAML and the about topic, nothing else.
        $module.ModuleBase | Should -Be (Split-Path -Parent (Get-ZcrmModuleManifest))
        $root = Get-Item -LiteralPath $module.ModuleBase
        $rootFiles = [string[]]@($root.GetFiles() | ForEach-Object Name)
        [Array]::Sort($rootFiles, [System.StringComparer]::Ordinal)
        $rootFiles | Should -BeExactly @('LICENSE', 'ZohoCrm.Format.ps1xml', 'ZohoCrm.dll', 'ZohoCrm.psd1')
        $folders = [string[]]@($root.GetDirectories() | ForEach-Object Name)
        [Array]::Sort($folders, [System.StringComparer]::Ordinal)
        $folders | Should -BeExactly @('dependencies', 'en-US')
        $help = $root.GetDirectories('en-US')[0]
        @($help.GetDirectories()) | Should -HaveCount 0
        $helpFiles = [string[]]@($help.GetFiles() | ForEach-Object Name)
        [Array]::Sort($helpFiles, [System.StringComparer]::Ordinal)
        $helpFiles | Should -BeExactly @('ZohoCrm.dll-Help.xml', 'about_ZohoCrm.help.txt')
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

            $all = Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id $Seed1, $Seed2 -Force -SkipMetadataCheck -Verbose *>&1
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
