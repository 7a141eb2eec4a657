#Requires -Version 7.4
<#
    Pester 5 tests of what ZohoCrm does with secrets and where its tokens go: no secret in any stream, error,
    transcript or file (also when a server echoes a token), the api_domain of a token answer, -CallbackUrl. Part of
    the end-to-end suite (tests/*.Tests.ps1), the reference for the module's behaviour. Split from ZohoCrm.Tests.ps1.

    Build first (./build.ps1, or `dotnet build ZohoCrm.sln`), then:  Invoke-Pester ./tests/ZohoCrm.Security.Tests.ps1
    Each Describe starts the emulators it needs (PesterHelpers.psm1 has the shared setup). Foreign API domains are
    only ever strings in a token answer: the module refuses them before anything is sent, and nothing here connects
    anywhere but the emulator on 127.0.0.1.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    function ConvertTo-PlainText {
        param([Parameter(Mandatory)][securestring]$SecureString)
        ConvertFrom-SecureString -SecureString $SecureString -AsPlainText
    }
}

AfterAll {
    if (Get-Command Disconnect-Zcrm -ErrorAction SilentlyContinue) { Disconnect-Zcrm }
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
            'Invoke-ZcrmMassUpdate Leads @{ No_of_Employees1 = 1 } -Id 738964000002131001 -Force -SkipMetadataCheck -Verbose -Debug'
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
                'New-ZcrmBulkWriteJob Leads -FileId 4150868000005364001 -FieldMapping @{ Last_Name1 = 0 } -SkipMetadataCheck -Verbose -Debug'
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
        $redacted = [string]([ZohoCrm.Connection].Assembly.GetType('ZohoCrm.Http.Redactor').GetMethod('Redact', [type[]]@([string])).Invoke($null, @(, $line)))
        foreach ($s in '1000.abc', '1000.def', 'xyz', '123', '1000.ghi', '1000.jkl') {
            $redacted.Contains($s) | Should -BeFalse -Because "'$s' is a secret: $redacted"
        }
        # Zoho's error codes stay readable under -Debug.
        $redacted.Contains('INVALID_DATA') | Should -BeTrue -Because $redacted
    }

    It 'keeps a token the server echoes in an error out of $Error, Get-Error and a transcript' {
        # An emulator whose mass update answers repeat the request's token bare (no "token" key gives it away). The
        # command runs in a pwsh of its own with a transcript, as a scheduled task would; the credentials reach it in
        # its environment (a transcript records the command line). It prints every $Error record in full, and
        # Get-Error of each, into the transcript.
        $echoEmu = Start-ZcrmTestEmulator -Fault 'EchoToken:/actions/mass_update'
        $dir = Join-Path $TestDrive "echo-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $null = New-Item -ItemType Directory -Path $dir
        $log = Join-Path $dir 'transcript.log'
        $script = Join-Path $dir 'echo.ps1'
        Set-Content -LiteralPath $script -Encoding utf8 -Value @'
$ErrorActionPreference = 'Continue'
Import-Module $env:ZCRM_T_MANIFEST -ErrorAction Stop
$null = Start-Transcript -LiteralPath $env:ZCRM_T_LOG
try {
    $secret = ConvertTo-SecureString $env:ZCRM_T_SECRET -AsPlainText -Force
    $refresh = ConvertTo-SecureString $env:ZCRM_T_REFRESH -AsPlainText -Force
    Connect-Zcrm -ApiDomain $env:ZCRM_T_URL -ClientId $env:ZCRM_T_ID -ClientSecret $secret -RefreshToken $refresh -RetryBaseDelay 00:00:00.02
    Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Force -Verbose -Debug
    try { Invoke-ZcrmMassUpdate Leads @{ Rating = 'Cold' } -Id 738964000002131001 -Force -ErrorAction Stop } catch { "caught: $_" }
    "errors: $($Error.Count)"
    $Error | ForEach-Object {
        $_ | Format-List * -Force | Out-String -Width 4096
        $_.Exception | Format-List * -Force | Out-String -Width 4096
        $_.Exception.Details | Format-Table -AutoSize | Out-String -Width 4096
    }
    Get-Error -Newest $Error.Count | Out-String -Width 4096
}
finally { $null = Stop-Transcript }
'@
        $start = [System.Diagnostics.ProcessStartInfo]::new(@(Get-ZcrmPwshCommandLine)[0])
        foreach ($a in @(@(Get-ZcrmPwshCommandLine) | Select-Object -Skip 1) + @('-NonInteractive', '-NoProfile', '-File', $script)) { $start.ArgumentList.Add($a) }
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.Environment['ZCRM_T_MANIFEST'] = Get-ZcrmModuleManifest
        $start.Environment['ZCRM_T_LOG'] = $log
        $start.Environment['ZCRM_T_URL'] = $echoEmu.BaseUrl
        $start.Environment['ZCRM_T_ID'] = $echoEmu.ClientId
        $start.Environment['ZCRM_T_SECRET'] = ConvertTo-PlainText $echoEmu.ClientSecret
        $start.Environment['ZCRM_T_REFRESH'] = ConvertTo-PlainText $echoEmu.RefreshToken
        try {
            $process = [System.Diagnostics.Process]::Start($start)
            try {
                $stdout = $process.StandardOutput.ReadToEndAsync()
                $stderr = $process.StandardError.ReadToEndAsync()
                if (-not $process.WaitForExit(120000)) { $process.Kill($true); throw 'The child pwsh did not end within 120 s.' }
                $process.WaitForExit()
                $texts = @($stdout.GetAwaiter().GetResult(), $stderr.GetAwaiter().GetResult(), (Get-Content -LiteralPath $log -Raw))
            }
            finally { $process.Dispose() }

            $echoed = @(Get-ZcrmAuthorizationToken -Emulator $echoEmu)
            $echoed | Should -Not -HaveCount 0
            @(Get-ZcrmEmulatorInjectedFault -Emulator $echoEmu | Where-Object kind -eq 'EchoToken') | Should -HaveCount 2 -Because 'both calls were answered with the echo'
            $transcript = $texts[2]
            # What Zoho said is there, redacted: the code, its message and the details key.
            $transcript | Should -BeLike '*INVALID_DATA*'
            $transcript | Should -BeLike '*the request with `*`*`* could not be processed*'
            $transcript | Should -BeLike '*seen*'
            $transcript | Should -BeLike '*caught: *'
            $transcript | Should -Match 'errors: [1-9]'
            $transcript | Should -BeLike '*ZohoCrm.ZohoApiException*' -Because 'Get-Error and Format-List showed the exception'
            $secrets = @(ConvertTo-PlainText $echoEmu.ClientSecret; ConvertTo-PlainText $echoEmu.RefreshToken) + $echoed
            foreach ($text in $texts) {
                foreach ($secret in $secrets) {
                    $text.Contains($secret, [System.StringComparison]::Ordinal) | Should -BeFalse -Because 'an echoed token must not show in a transcript, $Error or Get-Error'
                }
            }
        }
        finally { Stop-ZcrmTestEmulator -Emulator $echoEmu }
    }
}

Describe 'Where tokens go' {
    BeforeAll {
        # Connect-Zcrm against an emulator as accounts host only (no -ApiDomain), so the token answer's api_domain
        # decides the API host; -Extra adds parameters. Nothing is sent after the token call: a known data center's
        # domain is a real Zoho host, never called from a test.
        function Connect-ByAccounts {
            param([Parameter(Mandatory)][object]$Emulator, [hashtable]$Extra = @{})
            $p = Get-ZcrmRefreshParameter -Emulator $Emulator -Extra (@{ AccountsUrl = $Emulator.BaseUrl } + $Extra)
            if (-not $Extra.ContainsKey('ApiDomain')) { $p.Remove('ApiDomain') }
            Connect-Zcrm @p -PassThru
        }
    }
    AfterEach {
        Disconnect-Zcrm
    }

    It 'takes a known data center''s API domain (<Domain>) from the token answer' -TestCases @(
        @{ Domain = 'https://www.zohoapis.eu'; DataCenter = 'EU'; Upload = 'https://content.zohoapis.eu' }
        @{ Domain = 'https://www.zohoapis.uk'; DataCenter = 'UK'; Upload = 'https://upload.zoho.com' }
    ) {
        $emu = Start-ZcrmTestEmulator -TokenApiDomain $Domain
        try {
            $c = Connect-ByAccounts -Emulator $emu
            $c.ApiDomain | Should -BeExactly $Domain
            $c.DataCenter | Should -BeExactly $DataCenter
            $c.UploadUrl | Should -BeExactly $Upload
            $c.AccountsUrl | Should -BeExactly $emu.BaseUrl
            @(Get-ZcrmEmulatorRequest -Emulator $emu).path | Should -Be @('/oauth/v2/token')
        }
        finally { Stop-ZcrmTestEmulator -Emulator $emu }
    }

    It 'refuses a foreign api_domain in the token answer, naming it, and sends nothing more' {
        $emu = Start-ZcrmTestEmulator -TokenApiDomain 'https://www.zohoapis.com.evil.test'
        try {
            $err = { Connect-ByAccounts -Emulator $emu } | Should -Throw -ErrorId 'ZohoCrm.UntrustedApiDomain,ZohoCrm.Cmdlets.ConnectZcrm' -PassThru
            $err.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::AuthenticationError)
            $err.Exception.Message | Should -BeLikeExactly '*https://www.zohoapis.com.evil.test*'
            $err.Exception.Message | Should -BeLikeExactly "*$($emu.BaseUrl)*"
            $err.Exception.Message | Should -BeLikeExactly '*-ApiDomain*'
            Get-ZcrmConnection | Should -BeNullOrEmpty
            # The token call, and nothing after it: no call could reach the foreign host.
            @(Get-ZcrmEmulatorRequest -Emulator $emu).path | Should -Be @('/oauth/v2/token')
        }
        finally { Stop-ZcrmTestEmulator -Emulator $emu }
    }

    It 'keeps the domain the user gave (-ApiDomain), whatever the token answer names' {
        $emu = Start-ZcrmTestEmulator -TokenApiDomain 'https://www.zohoapis.com.evil.test'
        try {
            $c = Connect-ByAccounts -Emulator $emu -Extra @{ ApiDomain = $emu.BaseUrl }
            $c.ApiDomain | Should -BeExactly $emu.BaseUrl
            $r = Invoke-ZcrmMassUpdate Leads @{ Rating = 'Hot' } -Id 738964000002131001 -Force
            $r.Status | Should -BeExactly 'success'
        }
        finally { Stop-ZcrmTestEmulator -Emulator $emu }
    }

    Context '-CallbackUrl' {
        BeforeAll {
            $cbEmu = Start-ZcrmTestEmulator -BulkStepMs 20
        }
        AfterAll {
            Stop-ZcrmTestEmulator -Emulator $cbEmu
        }
        BeforeEach {
            $static = Get-ZcrmStaticParameter -Emulator $cbEmu
            Connect-Zcrm @static
        }

        It 'refuses user info (<Url>) before any request, without repeating it' -TestCases @(
            @{ Url = 'https://zuser:zpass@hooks.example.com/done' }
            @{ Url = 'http://zuser@127.0.0.1:9/done' }
        ) {
            $before = Get-ZcrmRequestCount -Emulator $cbEmu
            $err = { @{ Last_Name = 'Cb' } | New-ZcrmBulkWriteJob Leads -CallbackUrl $Url -Force } |
                Should -Throw -ErrorId 'ZohoCrm.CallbackUrlCredentials,ZohoCrm.Cmdlets.NewZcrmBulkWriteJob' -PassThru
            $err.Exception.Message | Should -BeLikeExactly '*-CallbackUrl*'
            $err.Exception.Message | Should -Not -BeLike '*zpass*'
            $err.Exception.Message | Should -Not -BeLike '*zuser*'
            Get-ZcrmRequestCount -Emulator $cbEmu | Should -Be $before
        }

        It 'warns about plain http to a host that is not loopback, and creates the job' {
            $job = @{ Last_Name = 'Cb' } | New-ZcrmBulkWriteJob Leads -CallbackUrl 'http://hooks.example.com/done' -Force -WarningVariable warned -WarningAction SilentlyContinue
            @($warned) | Should -HaveCount 1
            "$($warned[0])" | Should -BeLikeExactly '*plain http to hooks.example.com*'
            (Get-ZcrmEmulatorBulkWriteJob -Emulator $cbEmu -JobId $job.JobId).callback_url | Should -BeExactly 'http://hooks.example.com/done'
        }

        It 'takes https and loopback http quietly' {
            foreach ($url in 'https://hooks.example.com/done', "$($cbEmu.BaseUrl)/cb") {
                $null = @{ Last_Name = 'Cb' } | New-ZcrmBulkWriteJob Leads -CallbackUrl $url -Force -WarningVariable warned
                @($warned) | Should -HaveCount 0
            }
        }
    }
}
