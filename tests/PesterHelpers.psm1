#Requires -Version 7.4
<#
    Shared setup for the Pester 5 tests in tests/*.Tests.ps1.

    Start-ZcrmTestEmulator starts src/ZohoCrm.Emulator (built by `dotnet build ZohoCrm.sln`) as a process of its own
    on a free loopback port. The tests cannot reach the emulator's C# state, so they read it through its HTTP
    control endpoints (src/ZohoCrm.Emulator/ControlEndpoints.cs), which answer under /__emulator/ without a token:

        GET    /__emulator/requests                 every recorded Zoho/token call: time, method, path, query,
                                                    headers, body (null above 64 KB), bodyLength, statusCode
        DELETE /__emulator/requests                 forget the recorded calls
        GET    /__emulator/records/{module}         all records of a module, in creation order
        GET    /__emulator/records/{module}/{id}    one record (404 if unknown)
        POST   /__emulator/expire-tokens            every issued access token expires (not the static one)
        GET    /__emulator/mass-update-jobs/{id}    job_id, module, cvid, Status, Total_Count, Updated_Count,
                                                    Not_Updated_Count, Failed_Count

        GET    /__emulator/bulk-write-jobs          the bulk write jobs made through the API, in creation order:
                                                    job_id, module, operation, status, file_id, total_count,
                                                    added_count, updated_count, skipped_count, find_by, ignore_empty,
                                                    callback_url
        GET    /__emulator/bulk-write-jobs/{id}     one of them, or the seed's job (404 if unknown)
        GET    /__emulator/bulk-write-callbacks     every bulk write callback, sent or only recorded: time, job_id,
                                                    url, body, sent, status_code, error
        GET    /__emulator/uploads/{fileId}         the uploaded file of that file_id exactly as stored (the ZIP's bytes,
                                                    application/zip; the seed's files too), 404 if unknown:
                                                    Get-ZcrmEmulatorUploadedCsv returns the CSV inside

        POST   /__emulator/faults                   add a fault rule (JSON: kind, method, pathContains, probability, skip,
                                                    times, delayMs, retryAfterSeconds) -> {"id": n}
        DELETE /__emulator/faults[/{id}]            remove every rule (or one); the injected-fault log is kept
        GET    /__emulator/faults                   the injected-fault log: time, kind, method, path

    The emulator's command line (src/ZohoCrm.Emulator/Program.cs): --urls, --token-lifetime <seconds>,
    --job-step-ms <ms>, --bulk-step-ms <ms>, --leads-owner-mandatory, --relative-download-url, --in-progress-with-space,
    --refresh-limit <n per 10 minutes>, --generated-leads <n> (sample Leads besides the 4 seed Leads; default 2000),
    --fault <kind>[:<pathContains>[:<probability>]] (repeatable), --fault-seed <n> and --token-api-domain <url>. Start-ZcrmTestEmulator has a
    parameter for each.
    The emulator's C# counters have no endpoint of their own: Get-ZcrmEmulatorTokenIssuedCount counts the recorded
    token calls that issued a token (see there).
#>

Set-StrictMode -Version 3.0

$script:RepoRoot = Split-Path -Parent $PSScriptRoot
$script:ModuleManifest = Join-Path $script:RepoRoot 'out/ZohoCrm/ZohoCrm.psd1'
# Start-ZcrmTestEmulator's retries with another port after losing the chosen one to another process.
$script:PortRetries = 0

function Get-ZcrmRepoRoot {
    <# The repository root (the folder that holds ZohoCrm.sln). #>
    $script:RepoRoot
}

function Get-ZcrmModuleManifest {
    <# out/ZohoCrm/ZohoCrm.psd1, laid out by `dotnet build`. #>
    $script:ModuleManifest
}

function Get-ZcrmFreeLoopbackPort {
    <# A TCP port that is free on 127.0.0.1 right now (the OS picks it). #>
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    try {
        $listener.Start()
        ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port
    }
    finally {
        $listener.Stop()
    }
}

function Get-ZcrmPwshCommandLine {
    <#
        The pwsh running this file, as a command line (for a child pwsh of its own): under `dotnet pwsh` (the
        repository's local tool) the process is dotnet and the shell is $PSHOME/pwsh.dll; an installed pwsh is its own
        executable.
    #>
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        $dll = Join-Path $PSHOME 'pwsh.dll'
        if (-not (Test-Path -LiteralPath $dll)) { throw "This pwsh runs under dotnet ($process) but $dll is missing." }
        return @($process, $dll)
    }
    @($process)
}

function ConvertTo-ZcrmSecureString {
    param([Parameter(Mandatory)][string]$Text)
    $secure = [System.Security.SecureString]::new()
    foreach ($c in $Text.ToCharArray()) { $secure.AppendChar($c) }
    $secure.MakeReadOnly()
    $secure
}

function Read-ZcrmLogFile {
    param([string]$Path)
    if ($Path -and (Test-Path -LiteralPath $Path)) {
        try {
            # The emulator still has the file open: share it for reading and writing.
            $stream = [System.IO.FileStream]::new($Path, 'Open', 'Read', 'ReadWrite')
            try { return [System.IO.StreamReader]::new($stream).ReadToEnd() } finally { $stream.Dispose() }
        }
        catch { return '' }
    }
    ''
}

function Start-ZcrmTestEmulator {
    <#
    .SYNOPSIS
        Starts the Zoho emulator on a free loopback port and waits until it answers.
    .DESCRIPTION
        Runs `dotnet <repo>/src/ZohoCrm.Emulator/bin/<Configuration>/net10.0/ZohoCrm.Emulator.dll
        --urls http://127.0.0.1:<port> [--job-step-ms <ms>] [--token-lifetime <s>] [--bulk-step-ms <ms>]
        [--leads-owner-mandatory] [--relative-download-url] [--in-progress-with-space] [--refresh-limit <n>]
        [--generated-leads <n>] [--other-dc-tokens] [--already-scheduled-status <n>] [--result-link-lifetime <s>]
        [--no-settings-scope]
        [--fault <rule>]... [--fault-seed <n>]` in the background, output in temp
        files, and polls GET /__emulator/requests until it answers (or the deadline passes). The credentials are the
        ones the emulator prints at start (EmulatorOptions.cs defaults; Program.cs has no option to change them).
    .OUTPUTS
        An object with BaseUrl, Port, Process, ClientId, ClientSecret, RefreshToken and AccessToken (the emulator's
        static, never-expiring access token), the three secrets as SecureStrings; plus the log file paths.
    #>
    [CmdletBinding()]
    param(
        # 0 (default): a free port chosen now.
        [ValidateRange(0, 65535)]
        [int]$Port = 0,

        # Pace of scheduled (custom view) mass update jobs: --job-step-ms. Emulator default: 200.
        [ValidateRange(0, 3600000)]
        [int]$JobStepMs,

        # Lifetime of the access tokens the token endpoint issues: --token-lifetime. Emulator default: 3600.
        [ValidateRange(1, 86400)]
        [double]$TokenLifetimeSec,

        # Pace of bulk write jobs (ADDED -> INPROGRESS after one step, then up to 10,000 rows a step): --bulk-step-ms.
        # Emulator default: 100.
        [ValidateRange(0, 3600000)]
        [int]$BulkStepMs,

        # Owner is mandatory in the Leads layout, as in the org of seed 003: --leads-owner-mandatory.
        [switch]$LeadsOwnerMandatory,

        # Bulk write result.download_url as a path ("/v2/crm/{zgid}/bulk-write/...") instead of an absolute URL:
        # --relative-download-url.
        [switch]$RelativeDownloadUrl,

        # Bulk write job status spelled "IN PROGRESS" instead of "INPROGRESS": --in-progress-with-space.
        [switch]$InProgressWithSpace,

        # Token refreshes allowed per refresh token per 10 minutes: --refresh-limit. Emulator default: 10 (Zoho's).
        [ValidateRange(0, [int]::MaxValue)]
        [int]$RefreshLimit,

        # Sample Leads besides the 4 seed Leads, with ids SeedData.GeneratedLeadId(1..n): --generated-leads.
        # Emulator default: 2000.
        [ValidateRange(0, 99999)]
        [int]$GeneratedLeadCount,

        # The token endpoint issues tokens of another data center (every API call: 401 INVALID_OAUTHTOKEN): --other-dc-tokens.
        [switch]$OtherDataCenterTokens,

        # The token lacks the ZohoCRM.settings.* scopes: settings/modules, settings/fields and settings/custom_views
        # answer 401 OAUTH_SCOPE_MISMATCH, everything else is unchanged: --no-settings-scope.
        [switch]$NoSettingsScope,

        # HTTP status of ALREADY_SCHEDULED: 400 (the seeds, the emulator's default) or 202 (Zoho's docs):
        # --already-scheduled-status.
        [ValidateSet(400, 202)]
        [int]$AlreadyScheduledStatus,

        # How long a bulk write result link stays valid after its job finished (then 403 "Link not valid"):
        # --result-link-lifetime. Emulator default: for its whole life.
        [ValidateRange(0, 86400)]
        [double]$ResultLinkLifetimeSec,

        # Fault rules given at start: --fault <kind>[:<pathContains>[:<probability>]], one per item (e.g.
        # 'TooManyRequests:/actions/mass_update:0.3'). Rules can also be added later with Add-ZcrmEmulatorFault.
        [string[]]$Fault,

        # Seed of the random draws of fault rules with a probability below 1: --fault-seed. Emulator default: 12345.
        [int]$FaultSeed,

        # The api_domain its token answers name: --token-api-domain. Emulator default: its own URL. Only a string:
        # the module must refuse a foreign one before sending anything there.
        [string]$TokenApiDomain,

        # The configuration `dotnet build` built (its bin folder holds the emulator). build.ps1 sets ZOHOCRM_CONFIGURATION.
        [ValidateSet('Debug', 'Release')]
        [string]$Configuration = $(if ($env:ZOHOCRM_CONFIGURATION) { $env:ZOHOCRM_CONFIGURATION } else { 'Debug' }),

        [ValidateRange(1, 600)]
        [int]$StartTimeoutSec = 60
    )

    if ($Port -eq 0) { $Port = Get-ZcrmFreeLoopbackPort }
    # Loopback only: the emulator itself refuses anything else (EmulatorHost.ParseLoopbackUrl).
    $baseUrl = "http://127.0.0.1:$Port"
    # The built emulator, run directly (`dotnet run` would spend half a second on each start checking the project).
    $dll = [IO.Path]::Combine($script:RepoRoot, 'src', 'ZohoCrm.Emulator', 'bin', $Configuration, 'net10.0', 'ZohoCrm.Emulator.dll')
    if (-not (Test-Path -LiteralPath $dll)) { throw "$dll is missing: build first (dotnet build ZohoCrm.sln -c $Configuration)." }

    # Start-Process joins -ArgumentList with spaces and quotes nothing: quote the path ourselves.
    $arguments = @("`"$dll`"", '--urls', $baseUrl)
    if ($PSBoundParameters.ContainsKey('JobStepMs')) {
        $arguments += @('--job-step-ms', $JobStepMs.ToString([cultureinfo]::InvariantCulture))
    }
    if ($PSBoundParameters.ContainsKey('TokenLifetimeSec')) {
        $arguments += @('--token-lifetime', $TokenLifetimeSec.ToString([cultureinfo]::InvariantCulture))
    }
    if ($PSBoundParameters.ContainsKey('BulkStepMs')) {
        $arguments += @('--bulk-step-ms', $BulkStepMs.ToString([cultureinfo]::InvariantCulture))
    }
    if ($LeadsOwnerMandatory) {
        $arguments += '--leads-owner-mandatory'
    }
    if ($RelativeDownloadUrl) {
        $arguments += '--relative-download-url'
    }
    if ($InProgressWithSpace) {
        $arguments += '--in-progress-with-space'
    }
    if ($PSBoundParameters.ContainsKey('RefreshLimit')) {
        $arguments += @('--refresh-limit', $RefreshLimit.ToString([cultureinfo]::InvariantCulture))
    }
    if ($PSBoundParameters.ContainsKey('GeneratedLeadCount')) {
        $arguments += @('--generated-leads', $GeneratedLeadCount.ToString([cultureinfo]::InvariantCulture))
    }
    if ($OtherDataCenterTokens) {
        $arguments += '--other-dc-tokens'
    }
    if ($NoSettingsScope) {
        $arguments += '--no-settings-scope'
    }
    if ($PSBoundParameters.ContainsKey('AlreadyScheduledStatus')) {
        $arguments += @('--already-scheduled-status', $AlreadyScheduledStatus.ToString([cultureinfo]::InvariantCulture))
    }
    if ($PSBoundParameters.ContainsKey('ResultLinkLifetimeSec')) {
        $arguments += @('--result-link-lifetime', $ResultLinkLifetimeSec.ToString([cultureinfo]::InvariantCulture))
    }
    foreach ($rule in @($Fault)) {
        if ([string]::IsNullOrWhiteSpace($rule)) { continue }
        if ($rule -match '[\s"]') { throw "-Fault '$rule': no spaces or quotes (Start-Process passes the arguments unquoted)." }
        $arguments += @('--fault', $rule)
    }
    if ($PSBoundParameters.ContainsKey('FaultSeed')) {
        $arguments += @('--fault-seed', $FaultSeed.ToString([cultureinfo]::InvariantCulture))
    }
    if ($PSBoundParameters.ContainsKey('TokenApiDomain')) {
        $arguments += @('--token-api-domain', $TokenApiDomain)
    }

    $tag = "zcrm-emulator-$Port-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $outLog = Join-Path ([System.IO.Path]::GetTempPath()) "$tag.out.log"
    $errLog = Join-Path ([System.IO.Path]::GetTempPath()) "$tag.err.log"

    $process = Start-Process -FilePath 'dotnet' -ArgumentList $arguments -PassThru -NoNewWindow `
        -RedirectStandardOutput $outLog -RedirectStandardError $errLog -WorkingDirectory $script:RepoRoot

    $emulator = [pscustomobject]@{
        PSTypeName   = 'ZohoCrm.TestEmulator'
        BaseUrl      = $baseUrl
        Port         = $Port
        Process      = $process
        ClientId     = $null
        ClientSecret = $null
        RefreshToken = $null
        AccessToken  = $null
        OutputLog    = $outLog
        ErrorLog     = $errLog
    }

    # Ready = the control endpoint answers and the credentials are printed (Program.cs prints them after it listens).
    $deadline = [DateTime]::UtcNow.AddSeconds($StartTimeoutSec)
    $answered = $false
    $printed = $null
    while ([DateTime]::UtcNow -lt $deadline) {
        if ($process.HasExited) { break }
        if (-not $answered) {
            try {
                $null = Invoke-RestMethod -Uri "$baseUrl/__emulator/requests" -Method Get -NoProxy -TimeoutSec 2 -ErrorAction Stop
                $answered = $true
            }
            catch { $answered = $false }
        }
        if ($answered) {
            $text = Read-ZcrmLogFile $outLog
            if ($text -match '(?m)^\s*Static access token\s*:\s*(\S+)') { $printed = $text; break }
        }
        Start-Sleep -Milliseconds 100
    }

    if (-not $printed) {
        $exited = $process.HasExited
        $out = Read-ZcrmLogFile $outLog
        $err = Read-ZcrmLogFile $errLog
        Stop-ZcrmTestEmulator -Emulator $emulator
        # The port was free when chosen, but another process (a suite running in parallel) took it before the
        # emulator bound it: choose another, up to 3 times.
        if ($exited -and -not $PSBoundParameters.ContainsKey('Port') -and "$out$err" -match 'address already in use' -and $script:PortRetries -lt 3) {
            $script:PortRetries++
            try { return Start-ZcrmTestEmulator @PSBoundParameters }
            finally { $script:PortRetries-- }
        }
        $why = if ($exited) { "exited with code $($process.ExitCode)" } else { "did not answer within $StartTimeoutSec s" }
        throw "The Zoho emulator (dotnet $($arguments -join ' ')) $why. Was it built (dotnet build ZohoCrm.sln -c $Configuration)?`nstdout:`n$out`nstderr:`n$err"
    }

    # The credentials exactly as this emulator printed them (Program.cs, after "listening on").
    $read = {
        param($label)
        if ($printed -match "(?m)^\s*$([regex]::Escape($label))\s*:\s*(\S+)\s*$") { $Matches[1] }
        else { throw "The emulator did not print '$label'." }
    }
    $emulator.ClientId = & $read 'Client id'
    $emulator.ClientSecret = ConvertTo-ZcrmSecureString (& $read 'Client secret')
    $emulator.RefreshToken = ConvertTo-ZcrmSecureString (& $read 'Refresh token')
    $emulator.AccessToken = ConvertTo-ZcrmSecureString (& $read 'Static access token')
    $emulator
}

function Stop-ZcrmTestEmulator {
    <# Stops an emulator Start-ZcrmTestEmulator started (its process and any child), removes its logs. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [AllowNull()]
        [object]$Emulator,

        # Keep the output files (their paths are OutputLog and ErrorLog).
        [switch]$KeepLog
    )
    process {
        if ($null -eq $Emulator) { return }
        $process = $Emulator.Process
        if ($null -ne $process) {
            try {
                if (-not $process.HasExited) {
                    # End the whole tree of this one process.
                    $process.Kill($true)
                    $null = $process.WaitForExit(10000)
                }
            }
            catch [System.InvalidOperationException] {
                # already gone
            }
            finally {
                $process.Dispose()
            }
        }
        if (-not $KeepLog) {
            foreach ($log in @($Emulator.OutputLog, $Emulator.ErrorLog)) {
                if ($log -and (Test-Path -LiteralPath $log)) { Remove-Item -LiteralPath $log -Force -ErrorAction SilentlyContinue }
            }
        }
    }
}

function Invoke-ZcrmEmulatorControl {
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [Parameter(Mandatory)][string]$Path,
        [ValidateSet('Get', 'Post', 'Delete')][string]$Method = 'Get',
        # A JSON text to send (as application/json).
        [string]$JsonBody
    )
    $uri = "$($Emulator.BaseUrl.TrimEnd('/'))/__emulator/$($Path.TrimStart('/'))"
    if ($PSBoundParameters.ContainsKey('JsonBody')) {
        return Invoke-RestMethod -Uri $uri -Method $Method -Body ([System.Text.Encoding]::UTF8.GetBytes($JsonBody)) `
            -ContentType 'application/json; charset=utf-8' -NoProxy -TimeoutSec 30 -ErrorAction Stop
    }
    Invoke-RestMethod -Uri $uri -Method $Method -NoProxy -TimeoutSec 30 -ErrorAction Stop
}

function Get-ZcrmEmulatorRequest {
    <#
    .SYNOPSIS
        The calls the emulator recorded, in arrival order (GET /__emulator/requests).
    .DESCRIPTION
        Each has time, method, path, query, headers (name -> value), body (null above 64 KB), bodyLength, statusCode.
        -Method and -PathLike filter them (-PathLike is a -like pattern, e.g. '*/actions/mass_update').
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [string]$Method,
        [string]$PathLike
    )
    # Assigned first, then enumerated: works whether Invoke-RestMethod wrote the JSON array whole or item by item.
    $all = Invoke-ZcrmEmulatorControl -Emulator $Emulator -Path 'requests'
    foreach ($r in $all) {
        if ($null -eq $r) { continue }
        if ($Method -and $r.method -ne $Method) { continue }
        if ($PathLike -and $r.path -notlike $PathLike) { continue }
        $r
    }
}

function Get-ZcrmEmulatorMassUpdateCall {
    <# The recorded mass update calls (POST .../actions/mass_update by default), in order. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [string]$Method = 'POST'
    )
    Get-ZcrmEmulatorRequest -Emulator $Emulator -Method $Method -PathLike '*/actions/mass_update'
}

function Clear-ZcrmEmulatorRequest {
    <# Forgets the recorded calls (DELETE /__emulator/requests). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][object]$Emulator)
    $null = Invoke-ZcrmEmulatorControl -Emulator $Emulator -Path 'requests' -Method Delete
}

function Get-ZcrmEmulatorRecord {
    <#
    .SYNOPSIS
        One record (GET /__emulator/records/{module}/{id}), or every record of the module in creation order
        (GET /__emulator/records/{module}) without -Id.
    .NOTES
        Converted by Invoke-RestMethod: numbers are Int64/Double, and ISO date-time strings become [datetime].
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [Parameter(Mandatory)][string]$Module,
        [string]$Id
    )
    $path = 'records/' + [uri]::EscapeDataString($Module)
    if ($Id) { return Invoke-ZcrmEmulatorControl -Emulator $Emulator -Path ($path + '/' + [uri]::EscapeDataString($Id)) }
    $records = Invoke-ZcrmEmulatorControl -Emulator $Emulator -Path $path
    foreach ($r in $records) { $r }
}

function Get-ZcrmEmulatorMassUpdateJob {
    <# The emulator's view of a scheduled job (GET /__emulator/mass-update-jobs/{id}): Status, Total_Count, Updated_Count, Not_Updated_Count, Failed_Count, module, cvid. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [Parameter(Mandatory)][string]$JobId
    )
    Invoke-ZcrmEmulatorControl -Emulator $Emulator -Path ('mass-update-jobs/' + [uri]::EscapeDataString($JobId))
}

function Invoke-ZcrmEmulatorExpireTokens {
    <# Every access token the emulator issued expires at once (POST /__emulator/expire-tokens); the static one does not. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][object]$Emulator)
    $null = Invoke-ZcrmEmulatorControl -Emulator $Emulator -Path 'expire-tokens' -Method Post
}

function Get-ZcrmAuthorizationToken {
    <# The distinct access tokens the recorded calls carried in their Authorization header ("Zoho-oauthtoken <token>"). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][object]$Emulator)
    $tokens = foreach ($r in Get-ZcrmEmulatorRequest -Emulator $Emulator) {
        $header = $r.headers.PSObject.Properties | Where-Object Name -EQ 'Authorization' | Select-Object -First 1
        if ($header -and $header.Value -match '^\S+\s+(\S+)') { $Matches[1] }
    }
    @($tokens | Select-Object -Unique)
}

function Get-ZcrmJsonValue {
    <#
    .SYNOPSIS
        Reads one value of a JSON text with System.Text.Json, keeping its JSON kind.
    .DESCRIPTION
        ConvertFrom-Json turns ISO date strings into [datetime] and hides the difference between 1 and "1"; this
        does not. -Path is a list of property names and array indexes, e.g. 'data', 0, 'Phone'.
        Returns Kind (String, Number, True, False, Null, Array, Object, or Missing), Text (a string's value, the raw
        JSON of anything else), Items (an array's elements: strings' values, raw JSON of others) and ItemKinds.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string]$Json,
        [Parameter(Mandatory)][object[]]$Path
    )
    $doc = [System.Text.Json.JsonDocument]::Parse($Json)
    try {
        $element = $doc.RootElement
        foreach ($step in $Path) {
            if ($step -is [int]) {
                if ($element.ValueKind -ne [System.Text.Json.JsonValueKind]::Array -or $step -ge $element.GetArrayLength()) {
                    return [pscustomobject]@{ Kind = 'Missing'; Text = $null; Items = @(); ItemKinds = @() }
                }
                $element = $element.Item($step)
            }
            else {
                $child = [System.Text.Json.JsonElement]::new()
                if ($element.ValueKind -ne [System.Text.Json.JsonValueKind]::Object -or -not $element.TryGetProperty([string]$step, [ref]$child)) {
                    return [pscustomobject]@{ Kind = 'Missing'; Text = $null; Items = @(); ItemKinds = @() }
                }
                $element = $child
            }
        }
        $kind = $element.ValueKind.ToString()
        $text = if ($kind -eq 'String') { $element.GetString() } else { $element.GetRawText() }
        $items = @()
        $itemKinds = @()
        if ($kind -eq 'Array') {
            $items = @(foreach ($e in $element.EnumerateArray()) {
                    if ($e.ValueKind -eq [System.Text.Json.JsonValueKind]::String) { $e.GetString() } else { $e.GetRawText() }
                })
            $itemKinds = @(foreach ($e in $element.EnumerateArray()) { $e.ValueKind.ToString() })
        }
        [pscustomobject]@{ Kind = $kind; Text = $text; Items = $items; ItemKinds = $itemKinds }
    }
    finally {
        $doc.Dispose()
    }
}

function Select-ZcrmOutput {
    <# Keeps the pipeline objects of one ZohoCrm type, e.g. -TypeName MassUpdateResult (ZohoCrm.MassUpdateResult). #>
    [CmdletBinding()]
    param(
        [Parameter(ValueFromPipeline)][AllowNull()][object]$InputObject,
        [Parameter(Mandatory, Position = 0)][string]$TypeName
    )
    process {
        if ($null -ne $InputObject -and $InputObject.GetType().FullName -eq "ZohoCrm.$TypeName") { $InputObject }
    }
}

function Get-ZcrmVisibleText {
    <#
    .SYNOPSIS
        Every text a user, a transcript or a log could see of the given items: objects' ToString() and property
        values, error records (message, exception ToString(), error details, target, category, script line),
        and the messages of verbose/debug/warning/information records.
    #>
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)][AllowNull()][object]$InputObject)
    process {
        if ($null -eq $InputObject) { return }
        $o = $InputObject
        if ($o -is [System.Management.Automation.ErrorRecord]) {
            $o.ToString()
            if ($o.Exception) { $o.Exception.ToString() }
            if ($o.ErrorDetails) { $o.ErrorDetails.Message }
            if ($null -ne $o.TargetObject) { "$($o.TargetObject)" }
            $o.CategoryInfo.ToString()
            $o.FullyQualifiedErrorId
            if ($o.InvocationInfo) { $o.InvocationInfo.Line }
        }
        elseif ($o -is [System.Exception]) {
            $o.ToString()
        }
        elseif ($o -is [System.Management.Automation.InformationalRecord]) {
            # VerboseRecord, DebugRecord, WarningRecord
            $o.Message
        }
        elseif ($o -is [System.Management.Automation.InformationRecord]) {
            "$($o.MessageData)"
        }
        elseif ($o -is [System.Management.Automation.ProgressRecord]) {
            "$($o.Activity) $($o.StatusDescription) $($o.CurrentOperation)"
        }
        else {
            "$o"
            foreach ($p in $o.PSObject.Properties) {
                $value = try { $p.Value } catch { $null }
                if ($null -ne $value) { "$value" }
            }
            ($o | Format-List -Property * | Out-String -Width 4096)
        }
    }
}

function New-ZcrmRunResult {
    # Private: what a script run in another runspace produced, stream by stream. The terminating error is the one the
    # invocation threw, or the one the script's try/catch wrapper kept in $__zcrmTerminating.
    param(
        [Parameter(Mandatory)][powershell]$PowerShell,
        [Parameter(Mandatory)][System.Management.Automation.Runspaces.Runspace]$Runspace,
        [AllowEmptyCollection()][object[]]$Output = @(),
        [AllowNull()][object]$Terminating
    )
    if ($null -eq $Terminating) {
        $caught = $Runspace.SessionStateProxy.GetVariable('__zcrmTerminating')
        if ($caught -is [psobject]) { $caught = $caught.PSObject.BaseObject }
        if ($caught -is [System.Management.Automation.ErrorRecord]) { $Terminating = $caught }
    }
    $streams = $PowerShell.Streams
    [pscustomobject]@{
        Output      = $Output
        Errors      = @($streams.Error)
        Terminating = $Terminating
        Verbose     = @($streams.Verbose | ForEach-Object Message)
        Debug       = @($streams.Debug | ForEach-Object Message)
        Warning     = @($streams.Warning | ForEach-Object Message)
        Information = @($streams.Information | ForEach-Object { "$($_.MessageData)" })
        Progress    = @($streams.Progress)
    }
}

function Open-ZcrmModuleRunspace {
    # An open runspace of its own (no host: nothing can prompt) with the built module imported. Private helper.
    param([Parameter(Mandatory)][string]$ModulePath)
    $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
    $runspace = [System.Management.Automation.Runspaces.RunspaceFactory]::CreateRunspace($iss)
    $runspace.Open()
    $import = [powershell]::Create()
    try {
        $import.Runspace = $runspace
        $null = $import.AddCommand('Import-Module').AddParameter('Name', $ModulePath).AddParameter('ErrorAction', 'Stop')
        $null = $import.Invoke()
    }
    catch { $runspace.Dispose(); throw }
    finally { $import.Dispose() }
    $runspace
}

function Invoke-ZcrmInNewRunspace {
    <#
    .SYNOPSIS
        Runs a script in a new runspace (no host, so nothing can prompt) with the built module imported, and returns
        what each stream received.
    .DESCRIPTION
        Used where the test needs a second PowerShell session (a connection is per runspace), a host that cannot
        prompt for a missing mandatory parameter, or the progress stream, which `*>&1` cannot redirect.
        The script runs in `try { } catch { }`, so a terminating error ends up in Terminating rather than in Errors,
        as in a user's script. -Variables are set in the runspace first.
    .OUTPUTS
        Output, Errors (non-terminating), Terminating (an ErrorRecord or $null), Verbose, Debug, Warning,
        Information (message strings) and Progress (ProgressRecords).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string]$Script,
        [hashtable]$Variables = @{},
        [string]$ModulePath = $script:ModuleManifest
    )
    $runspace = Open-ZcrmModuleRunspace -ModulePath $ModulePath
    try {

        foreach ($name in $Variables.Keys) { $runspace.SessionStateProxy.SetVariable($name, $Variables[$name]) }
        $runspace.SessionStateProxy.SetVariable('__zcrmTerminating', $null)

        $ps = [powershell]::Create()
        try {
            $ps.Runspace = $runspace
            $null = $ps.AddScript("try {`n$Script`n} catch { `$global:__zcrmTerminating = `$_ }")
            $terminating = $null
            $output = @()
            try {
                $output = @($ps.Invoke() | Where-Object { $null -ne $_ })
            }
            catch [System.Management.Automation.MethodInvocationException] {
                $inner = $_.Exception.InnerException
                if ($inner -is [System.Management.Automation.IContainsErrorRecord]) { $terminating = $inner.ErrorRecord } else { throw }
            }
            New-ZcrmRunResult -PowerShell $ps -Runspace $runspace -Output $output -Terminating $terminating
        }
        finally { $ps.Dispose() }
    }
    finally {
        $runspace.Dispose()
    }
}

function Get-ZcrmEmulatorRecordJson {
    <#
    .SYNOPSIS
        The JSON text of one record (GET /__emulator/records/{module}/{id}), as the emulator wrote it.
    .DESCRIPTION
        Invoke-RestMethod turns ISO date-time strings into [datetime]; read values that must stay text (e.g.
        Last_Contacted) from this with Get-ZcrmJsonValue. $null if the record is unknown.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [Parameter(Mandatory)][string]$Module,
        [Parameter(Mandatory)][string]$Id
    )
    $uri = "$($Emulator.BaseUrl.TrimEnd('/'))/__emulator/records/$([uri]::EscapeDataString($Module))/$([uri]::EscapeDataString($Id))"
    $client = [System.Net.Http.HttpClient]::new([System.Net.Http.HttpClientHandler]@{ UseProxy = $false })
    try {
        $response = $client.GetAsync($uri).GetAwaiter().GetResult()
        if ([int]$response.StatusCode -eq 404) { return $null }
        $null = $response.EnsureSuccessStatusCode()
        $bytes = $response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult()
        [System.Text.Encoding]::UTF8.GetString($bytes)
    }
    finally { $client.Dispose() }
}

function Get-ZcrmEmulatorBulkWriteJob {
    <#
    .SYNOPSIS
        The emulator's view of bulk write jobs: every job made through the API in creation order
        (GET /__emulator/bulk-write-jobs), or one job (GET /__emulator/bulk-write-jobs/{id}, the seed's job too).
    .OUTPUTS
        job_id, module, operation, status, file_id, total_count, added_count, updated_count, skipped_count, find_by,
        ignore_empty, callback_url.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [string]$JobId
    )
    if ($JobId) { return Invoke-ZcrmEmulatorControl -Emulator $Emulator -Path ('bulk-write-jobs/' + [uri]::EscapeDataString($JobId)) }
    $jobs = Invoke-ZcrmEmulatorControl -Emulator $Emulator -Path 'bulk-write-jobs'
    foreach ($j in $jobs) { $j }
}

function Get-ZcrmEmulatorBulkWriteCallback {
    <#
    .SYNOPSIS
        Every bulk write callback the emulator made (sent: true, with status_code) or only recorded (sent: false, for a
        URL that is not loopback), in order (GET /__emulator/bulk-write-callbacks): time, job_id, url, body, sent,
        status_code, error.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][object]$Emulator)
    $callbacks = Invoke-ZcrmEmulatorControl -Emulator $Emulator -Path 'bulk-write-callbacks'
    foreach ($c in $callbacks) { $c }
}

function Start-ZcrmUploadRelay {
    <#
    .SYNOPSIS
        A loopback relay that passes calls on to the emulator and keeps a copy of each request, so a test can see which
        host a bulk write upload went to and the bytes it sent (the file the emulator stored from it:
        Get-ZcrmEmulatorUploadedCsv).
    .DESCRIPTION
        Listens on a free 127.0.0.1 port. Each request (up to -Count) is sent on to the emulator unchanged (same
        method, path, query, headers and body) and the emulator's answer is sent back. Give the relay's Url to
        Connect-Zcrm -UploadUrl. Receive-ZcrmUploadRelay ends it and returns what it relayed.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [ValidateRange(1, 100)][int]$Count = 1
    )
    $port = Get-ZcrmFreeLoopbackPort
    $url = "http://127.0.0.1:$port"
    $listener = [System.Net.HttpListener]::new()
    $listener.Prefixes.Add("$url/")
    $listener.Start()

    $runspace = [System.Management.Automation.Runspaces.RunspaceFactory]::CreateRunspace([System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2())
    $runspace.Open()
    $ps = [powershell]::Create()
    $ps.Runspace = $runspace
    $null = $ps.AddScript({
            param($listener, $target, $count)
            $skip = 'Host', 'Content-Length', 'Content-Type', 'Connection', 'Expect', 'Transfer-Encoding'
            $client = [System.Net.Http.HttpClient]::new([System.Net.Http.HttpClientHandler]@{ UseProxy = $false; AllowAutoRedirect = $false })
            try {
                for ($i = 0; $i -lt $count; $i++) {
                    $ctx = $listener.GetContext()
                    $request = $ctx.Request
                    $buffer = [System.IO.MemoryStream]::new()
                    $request.InputStream.CopyTo($buffer)
                    $body = $buffer.ToArray()
                    $headers = [ordered]@{}
                    foreach ($name in $request.Headers.AllKeys) { $headers[$name] = $request.Headers[$name] }

                    $forward = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::new($request.HttpMethod), $target + $request.RawUrl)
                    foreach ($name in $request.Headers.AllKeys) {
                        if ($name -notin $skip) { $null = $forward.Headers.TryAddWithoutValidation($name, $request.Headers[$name]) }
                    }
                    if ($body.Length -gt 0 -or $request.ContentType) {
                        $forward.Content = [System.Net.Http.ByteArrayContent]::new($body)
                        if ($request.ContentType) { $null = $forward.Content.Headers.TryAddWithoutValidation('Content-Type', $request.ContentType) }
                    }
                    $answer = $client.SendAsync($forward).GetAwaiter().GetResult()
                    $answerBody = $answer.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult()
                    $ctx.Response.StatusCode = [int]$answer.StatusCode
                    if ($answer.Content.Headers.ContentType) { $ctx.Response.ContentType = $answer.Content.Headers.ContentType.ToString() }
                    $ctx.Response.ContentLength64 = $answerBody.Length
                    $ctx.Response.OutputStream.Write($answerBody, 0, $answerBody.Length)
                    $ctx.Response.Close()

                    [pscustomobject]@{
                        Method      = $request.HttpMethod
                        Path        = $request.Url.AbsolutePath
                        Headers     = $headers
                        ContentType = $request.ContentType
                        Body        = $body
                        StatusCode  = [int]$answer.StatusCode
                    }
                }
            }
            finally { $client.Dispose() }
        }).AddArgument($listener).AddArgument($Emulator.BaseUrl.TrimEnd('/')).AddArgument($Count)
    $handle = $ps.BeginInvoke()
    [pscustomobject]@{
        PSTypeName = 'ZohoCrm.TestUploadRelay'
        Url        = $url
        Listener   = $listener
        PowerShell = $ps
        Runspace   = $runspace
        Handle     = $handle
        Received   = $false
    }
}

function Receive-ZcrmUploadRelay {
    <#
    .SYNOPSIS
        Ends a relay Start-ZcrmUploadRelay started and returns the requests it relayed: Method, Path, Headers,
        ContentType, Body (bytes) and StatusCode (the emulator's answer). Waits up to -TimeoutSec for -Count requests.
        A second call on the same relay returns nothing.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][object]$Relay,
        [ValidateRange(0, 600)][int]$TimeoutSec = 10
    )
    if ($Relay.Received) { return }
    $Relay.Received = $true
    try {
        $null = $Relay.Handle.AsyncWaitHandle.WaitOne([timespan]::FromSeconds($TimeoutSec))
        if (-not $Relay.Handle.IsCompleted) { $Relay.Listener.Stop() }
        try { $Relay.PowerShell.EndInvoke($Relay.Handle) } catch { Write-Verbose "The relay ended: $($_.Exception.Message)" }
    }
    finally {
        $Relay.Listener.Close()
        $Relay.PowerShell.Dispose()
        $Relay.Runspace.Dispose()
    }
}

function ConvertFrom-ZcrmUploadZip {
    # Private: the text of the one CSV in a bulk write upload's ZIP, read as UTF-8 as the module writes it (a byte
    # order mark, if any, is dropped). Throws unless the ZIP holds exactly one entry.
    param([Parameter(Mandatory)][byte[]]$ZipBytes)
    $zip = [System.IO.Compression.ZipArchive]::new([System.IO.MemoryStream]::new($ZipBytes), [System.IO.Compression.ZipArchiveMode]::Read)
    try {
        if ($zip.Entries.Count -ne 1) { throw "The uploaded ZIP holds $($zip.Entries.Count) entries, not one." }
        $reader = [System.IO.StreamReader]::new($zip.Entries[0].Open(), [System.Text.Encoding]::UTF8, $true)
        try { return $reader.ReadToEnd() } finally { $reader.Dispose() }
    }
    finally { $zip.Dispose() }
}

function Get-ZcrmEmulatorUploadedCsv {
    <#
    .SYNOPSIS
        The text of the CSV in the file the emulator stored under -FileId (GET /__emulator/uploads/{fileId}, which
        serves EmulatorState.GetUploadedFile), unzipped.
    .DESCRIPTION
        -FileId is a bulk write job's file_id (Get-ZcrmEmulatorBulkWriteJob, or a BulkWriteJob's FileId). The ZIP must
        hold exactly one entry, read as UTF-8 (a byte order mark, if any, is dropped). Throws if the emulator has no
        file with that id (404).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [Parameter(Mandatory)][string]$FileId
    )
    $uri = "$($Emulator.BaseUrl.TrimEnd('/'))/__emulator/uploads/$([uri]::EscapeDataString($FileId))"
    $client = [System.Net.Http.HttpClient]::new([System.Net.Http.HttpClientHandler]@{ UseProxy = $false })
    try {
        $client.Timeout = [timespan]::FromSeconds(30)
        $response = $client.GetAsync($uri).GetAwaiter().GetResult()
        if ([int]$response.StatusCode -eq 404) { throw "The emulator has no uploaded file with file id '$FileId'." }
        $null = $response.EnsureSuccessStatusCode()
        $type = $response.Content.Headers.ContentType
        if ($null -eq $type -or $type.MediaType -ne 'application/zip') { throw "GET $uri answered Content-Type '$type', not application/zip." }
        ConvertFrom-ZcrmUploadZip -ZipBytes $response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult()
    }
    finally { $client.Dispose() }
}

function Read-ZcrmUploadedCsv {
    <#
    .SYNOPSIS
        The text of the one CSV in the ZIP that a multipart/form-data upload carried in its part named "file".
    .DESCRIPTION
        -ContentType and -Body are a relayed request's (Receive-ZcrmUploadRelay). The CSV is read as UTF-8, as the
        module writes it (a byte order mark, if any, is dropped).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string]$ContentType,
        [Parameter(Mandatory)][byte[]]$Body
    )
    if ($ContentType -notmatch 'boundary="?([^";]+)"?') { throw "Not a multipart body: Content-Type '$ContentType'." }
    $boundary = $Matches[1]
    # Latin-1 maps each byte to one char and back, so string search finds the part's bytes.
    $latin1 = [System.Text.Encoding]::Latin1
    $text = $latin1.GetString($Body)
    $at = 0
    while (($at = $text.IndexOf("--$boundary", $at, [System.StringComparison]::Ordinal)) -ge 0) {
        $headerEnd = $text.IndexOf("`r`n`r`n", $at, [System.StringComparison]::Ordinal)
        if ($headerEnd -lt 0) { break }
        $partHeaders = $text.Substring($at, $headerEnd - $at)
        $dataStart = $headerEnd + 4
        $dataEnd = $text.IndexOf("`r`n--$boundary", $dataStart, [System.StringComparison]::Ordinal)
        if ($dataEnd -lt 0) { break }
        if ($partHeaders -match '(?i)content-disposition:[^\r\n]*\bname="?file"?(;|\s|$)') {
            return ConvertFrom-ZcrmUploadZip -ZipBytes $latin1.GetBytes($text.Substring($dataStart, $dataEnd - $dataStart))
        }
        $at = $dataEnd + 2
    }
    throw 'The multipart body has no part named "file".'
}

function Add-ZcrmEmulatorFault {
    <#
    .SYNOPSIS
        Adds a fault rule to a running emulator (POST /__emulator/faults) and returns its id.
    .DESCRIPTION
        -Kind is a FaultKind of src/ZohoCrm.Emulator/Faults.cs, by name.
        Requests whose method is -Method (any if not given) and whose path contains -PathContains (ordinal, query
        excluded) match. Of the matching requests the first -Skip pass untouched, then each gets the fault with
        -Probability (the emulator's seeded random), at most -Times times (no limit if not given). Rules are checked
        in the order they were added. -DelayMs is the wait of Slow and the pause between the bytes of TrickleBody; -RetryAfterSeconds (emulator default 1) the
        seconds the TooManyRequestsRetryAfter* kinds announce. -Row (emulator default 2) is the 1-based data row, header
        not counted, of a bulk write result that ResultRowMissing removes and ResultRowsSwapped swaps with the next one
        (the download's path contains '/bulk-write/'; a result with too few rows is left unchanged). Parameters not
        given are left out of the JSON, so the emulator's defaults (FaultRule in Faults.cs) apply.
    .OUTPUTS
        The rule's id (for Clear-ZcrmEmulatorFault -Id).
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [Parameter(Mandatory)]
        [ValidateSet('TooManyRequests', 'TooManyRequestsRetryAfterHeader', 'TooManyRequestsRetryAfterDetail', 'ServerError',
            'ServiceUnavailableHtml', 'BadGatewayHtml', 'DropBeforeProcessing', 'DropAfterProcessing', 'Slow', 'ExpireTokens',
            'AccessDenied', 'TruncatedBody', 'NonJsonBody', 'DamagedZip', 'RedirectToOtherHost',
            'EndlessJsonBody', 'EndlessDownload', 'TrickleBody',
            'AuthenticationFailure', 'InvalidOauthToken', 'EchoToken', 'ResultRowMissing', 'ResultRowsSwapped')]
        [string]$Kind,
        [string]$Method,
        [string]$PathContains,
        [double]$Probability,
        [ValidateRange(0, [int]::MaxValue)][int]$Skip,
        [ValidateRange(0, [int]::MaxValue)][int]$Times,
        [ValidateRange(0, 86400000)][double]$DelayMs,
        [ValidateRange(0, 86400)][int]$RetryAfterSeconds,
        [ValidateRange(1, [int]::MaxValue)][int]$Row
    )
    # Written by hand: strings escaped by System.Text.Json, numbers in the invariant culture.
    $text = { param([string]$value) [System.Text.Json.JsonSerializer]::Serialize($value, [string]) }
    $number = { param([double]$value) $value.ToString('R', [cultureinfo]::InvariantCulture) }
    $members = [System.Collections.Generic.List[string]]::new()
    $members.Add('"kind":' + (& $text $Kind))
    if ($PSBoundParameters.ContainsKey('Method')) { $members.Add('"method":' + (& $text $Method)) }
    if ($PSBoundParameters.ContainsKey('PathContains')) { $members.Add('"pathContains":' + (& $text $PathContains)) }
    if ($PSBoundParameters.ContainsKey('Probability')) { $members.Add('"probability":' + (& $number $Probability)) }
    if ($PSBoundParameters.ContainsKey('Skip')) { $members.Add('"skip":' + (& $number $Skip)) }
    if ($PSBoundParameters.ContainsKey('Times')) { $members.Add('"times":' + (& $number $Times)) }
    if ($PSBoundParameters.ContainsKey('DelayMs')) { $members.Add('"delayMs":' + (& $number $DelayMs)) }
    if ($PSBoundParameters.ContainsKey('RetryAfterSeconds')) { $members.Add('"retryAfterSeconds":' + (& $number $RetryAfterSeconds)) }
    if ($PSBoundParameters.ContainsKey('Row')) { $members.Add('"row":' + (& $number $Row)) }
    $json = '{' + ($members -join ',') + '}'
    Write-Verbose "POST /__emulator/faults $json"
    $answer = Invoke-ZcrmEmulatorControl -Emulator $Emulator -Path 'faults' -Method Post -JsonBody $json
    [int]$answer.id
}

function Clear-ZcrmEmulatorFault {
    <#
    .SYNOPSIS
        Removes every fault rule (DELETE /__emulator/faults), or the one rule -Id names (DELETE /__emulator/faults/{id}).
        The injected-fault log (Get-ZcrmEmulatorInjectedFault) is kept.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [int]$Id
    )
    $path = if ($PSBoundParameters.ContainsKey('Id')) { 'faults/' + $Id.ToString([cultureinfo]::InvariantCulture) } else { 'faults' }
    $null = Invoke-ZcrmEmulatorControl -Emulator $Emulator -Path $path -Method Delete
}

function Get-ZcrmEmulatorInjectedFault {
    <#
    .SYNOPSIS
        Every fault the emulator applied, in order (GET /__emulator/faults, EmulatorState.InjectedFaults): time,
        kind, method, path.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][object]$Emulator)
    $log = Invoke-ZcrmEmulatorControl -Emulator $Emulator -Path 'faults'
    foreach ($f in $log) { if ($null -ne $f) { $f } }
}

function Wait-ZcrmEmulatorInjectedFault {
    <#
    .SYNOPSIS
        Waits (up to -TimeoutSec) until the emulator's fault log has an entry of -Kind and returns the last one. The
        hostile-body kinds (EndlessJsonBody, EndlessDownload, TrickleBody) are logged when their body ends, that is
        when the caller went away, with the bytes they sent (bytesSent).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [Parameter(Mandatory)][string]$Kind,
        [ValidateRange(1, 600)][int]$TimeoutSec = 30
    )
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ($true) {
        $entries = @(Get-ZcrmEmulatorInjectedFault -Emulator $Emulator | Where-Object kind -ceq $Kind)
        if ($entries.Count -gt 0) { return $entries[-1] }
        if ([DateTime]::UtcNow -ge $deadline) { throw "The emulator logged no $Kind fault within $TimeoutSec s." }
        Start-Sleep -Milliseconds 100
    }
}

function Get-ZcrmEmulatorTokenIssuedCount {
    <#
    .SYNOPSIS
        How many access tokens the token endpoint issued (the emulator's EmulatorState.TokensIssued), counted from
        the recorded calls (GET /__emulator/requests).
    .DESCRIPTION
        Counts the recorded POST calls whose path ends with /oauth/v2/token (not .../revoke) that were answered with
        status 200 and had no injected fault. The token endpoint also answers its own errors (invalid_client,
        invalid_code, and "Access Denied" past the refresh limit) with status 200, and the request log does not keep
        answers: those would count too. With the emulator's credentials and a refresh limit that is not reached, the
        count equals TokensIssued. Calls forgotten by Clear-ZcrmEmulatorRequest are not counted.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param([Parameter(Mandatory)][object]$Emulator)
    $count = 0
    foreach ($r in Get-ZcrmEmulatorRequest -Emulator $Emulator -Method POST -PathLike '*/oauth/v2/token') {
        if ($r.statusCode -ne 200) { continue }
        $fault = $r.PSObject.Properties['fault']
        if ($null -ne $fault -and $null -ne $fault.Value) { continue }
        $count++
    }
    $count
}

function Get-ZcrmEmulatorRecordId {
    <#
    .SYNOPSIS
        The ids of every record of a module, in creation order (GET /__emulator/records/{module}): for Leads,
        the 4 seed Leads first, then the generated ones (-GeneratedLeadCount), then any created since.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [Parameter(Mandatory)][string]$Module
    )
    foreach ($r in Get-ZcrmEmulatorRecord -Emulator $Emulator -Module $Module) { [string]$r.id }
}

function New-ZcrmTestRunspace {
    <#
    .SYNOPSIS
        An open runspace of its own (no host, so nothing can prompt) with the built module imported, for scripts run
        with Start-ZcrmRunspaceScript. -Script (e.g. a Connect-Zcrm) runs in it first, with -Variables set; an error
        there throws. Dispose the runspace when done.
    #>
    [CmdletBinding()]
    param(
        [string]$Script,
        [hashtable]$Variables = @{},
        [string]$ModulePath = $script:ModuleManifest
    )
    $runspace = Open-ZcrmModuleRunspace -ModulePath $ModulePath
    try {
        foreach ($name in $Variables.Keys) { $runspace.SessionStateProxy.SetVariable($name, $Variables[$name]) }
        if ($Script) {
            $setup = [powershell]::Create()
            try {
                $setup.Runspace = $runspace
                $null = $setup.AddScript($Script)
                $null = $setup.Invoke()
                if ($setup.Streams.Error.Count -gt 0) {
                    throw "The runspace's setup script failed: $(@($setup.Streams.Error | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }) -join '; ')"
                }
            }
            finally { $setup.Dispose() }
        }
        $runspace
    }
    catch {
        $runspace.Dispose()
        throw
    }
}

function Start-ZcrmRunspaceScript {
    <#
    .SYNOPSIS
        Starts a script in a runspace (New-ZcrmTestRunspace) without waiting: BeginInvoke. -Variables are set first.
    .DESCRIPTION
        The script runs in `try { } catch { }`, so a terminating error ends up in Terminating rather than in Errors,
        as in a user's script. The returned object has PowerShell (call .Stop() on it, as Ctrl+C
        does), Handle (the IAsyncResult) and Runspace; Receive-ZcrmRunspaceScript waits for it and reads the streams.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][System.Management.Automation.Runspaces.Runspace]$Runspace,
        [Parameter(Mandatory)][string]$Script,
        [hashtable]$Variables = @{}
    )
    foreach ($name in $Variables.Keys) { $Runspace.SessionStateProxy.SetVariable($name, $Variables[$name]) }
    $Runspace.SessionStateProxy.SetVariable('__zcrmTerminating', $null)
    $ps = [powershell]::Create()
    $ps.Runspace = $Runspace
    $null = $ps.AddScript("try {`n$Script`n} catch { `$global:__zcrmTerminating = `$_ }")
    $handle = $ps.BeginInvoke()
    [pscustomobject]@{
        PSTypeName = 'ZohoCrm.TestRunspaceScript'
        PowerShell = $ps
        Handle     = $handle
        Runspace   = $Runspace
    }
}

function Receive-ZcrmRunspaceScript {
    <#
    .SYNOPSIS
        Waits (up to -TimeoutSec) for a script Start-ZcrmRunspaceScript started, then returns what each stream
        received, as Invoke-ZcrmInNewRunspace does: Output, Errors, Terminating, Verbose, Debug, Warning, Information,
        Progress, plus State (the PSInvocationState) and Completed (false if it did not end in time). Disposes the
        PowerShell object, not the runspace.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipeline)][object]$Job,
        [ValidateRange(0, 3600)][int]$TimeoutSec = 300
    )
    process {
        $ps = $Job.PowerShell
        try {
            $completed = $Job.Handle.AsyncWaitHandle.WaitOne([timespan]::FromSeconds($TimeoutSec))
            if (-not $completed) { $ps.Stop() }
            $terminating = $null
            $output = @()
            try {
                $output = @($ps.EndInvoke($Job.Handle) | Where-Object { $null -ne $_ })
            }
            catch [System.Management.Automation.MethodInvocationException] {
                $inner = $_.Exception.InnerException
                if ($inner -is [System.Management.Automation.PipelineStoppedException]) { }
                elseif ($inner -is [System.Management.Automation.IContainsErrorRecord]) { $terminating = $inner.ErrorRecord }
                else { throw }
            }
            $result = New-ZcrmRunResult -PowerShell $ps -Runspace $Job.Runspace -Output $output -Terminating $terminating
            $result.PSObject.Properties.Add([psnoteproperty]::new('State', $ps.InvocationStateInfo.State))
            $result.PSObject.Properties.Add([psnoteproperty]::new('Completed', $completed))
            $result
        }
        finally { $ps.Dispose() }
    }
}

function Import-ZcrmModuleUnderTest {
    <#
    .SYNOPSIS
        Imports the built module (out/ZohoCrm) for the tests, globally, and the ZIP types the tests read results with.
    #>
    [CmdletBinding()]
    param()
    if (-not (Test-Path -LiteralPath $script:ModuleManifest)) {
        throw "$($script:ModuleManifest) is missing: build the module first (./build.ps1 or dotnet build ZohoCrm.sln)."
    }
    Import-Module $script:ModuleManifest -Force -Global -ErrorAction Stop
    Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.ZipFile
}

function Get-ZcrmRefreshParameter {
    # Connect-Zcrm parameters for the emulator's refresh-token flow, with fast retries so fault tests stay quick.
    # -Extra adds or overrides parameters.
    param(
        [Parameter(Mandatory)][object]$Emulator,
        [hashtable]$Extra = @{}
    )
    $parameters = @{
        ApiDomain      = $Emulator.BaseUrl
        ClientId       = $Emulator.ClientId
        ClientSecret   = $Emulator.ClientSecret
        RefreshToken   = $Emulator.RefreshToken
        RetryBaseDelay = [timespan]::FromMilliseconds(20)
    }
    foreach ($name in $Extra.Keys) { $parameters[$name] = $Extra[$name] }
    $parameters
}

function Get-ZcrmStaticParameter {
    # Connect-Zcrm parameters for the emulator's static access token (no token call), with fast retries.
    param([Parameter(Mandatory)][object]$Emulator)
    @{
        ApiDomain      = $Emulator.BaseUrl
        AccessToken    = $Emulator.AccessToken
        RetryBaseDelay = [timespan]::FromMilliseconds(20)
    }
}

function Get-ZcrmRequestCount {
    # How many requests the emulator has recorded (control endpoint calls are not recorded).
    param([Parameter(Mandatory)][object]$Emulator)
    @(Get-ZcrmEmulatorRequest -Emulator $Emulator).Count
}

function Get-ZcrmWriteRequestCount {
    # How many requests that may change something (any method but GET) the emulator has recorded: -WhatIf sends none,
    # while it may read the org's metadata (a GET) for its checks.
    param([Parameter(Mandatory)][object]$Emulator)
    @(Get-ZcrmEmulatorRequest -Emulator $Emulator | Where-Object method -NE 'GET').Count
}

function Invoke-ZcrmCaptured {
    <#
    .SYNOPSIS
        Runs a script block here with *>&1 and sorts what came out: Output (pipeline objects), Errors (non-terminating
        error records, in order), Terminating (the error that stopped it, or $null), Verbose (the verbose messages),
        AllErrors (Errors, then Terminating). Warning, debug and information records are dropped; progress cannot be
        redirected (use a runspace: Invoke-ZcrmInNewRunspace, Receive-ZcrmRunspaceScript).
    #>
    param(
        [Parameter(Mandatory)][scriptblock]$ScriptBlock,
        [object[]]$ArgumentList = @()
    )
    $items = [System.Collections.Generic.List[object]]::new()
    $terminating = $null
    try {
        & $ScriptBlock @ArgumentList *>&1 | ForEach-Object { $items.Add($_) }
    }
    catch {
        $terminating = $_
    }
    $output = [System.Collections.Generic.List[object]]::new()
    $errors = [System.Collections.Generic.List[object]]::new()
    $verbose = [System.Collections.Generic.List[string]]::new()
    foreach ($item in $items) {
        if ($item -is [System.Management.Automation.ErrorRecord]) { $errors.Add($item) }
        elseif ($item -is [System.Management.Automation.VerboseRecord]) { $verbose.Add($item.Message) }
        elseif ($item -is [System.Management.Automation.InformationRecord] -or $item -is [System.Management.Automation.InformationalRecord]) { }
        elseif ($null -ne $item) { $output.Add($item) }
    }
    [pscustomobject]@{
        Output      = $output.ToArray()
        Errors      = $errors.ToArray()
        Terminating = $terminating
        Verbose     = $verbose.ToArray()
        AllErrors   = @(@($errors) + @($terminating) | Where-Object { $null -ne $_ })
    }
}

function Start-ZcrmChildPwsh {
    <#
    .SYNOPSIS
        Starts a child pwsh (the one running the tests, Get-ZcrmPwshCommandLine) on a script file holding -Script,
        in -Folder; stdout and stderr are read as it runs. With -Emulator the script first imports the module under
        test and connects to the emulator with its static token ($ErrorActionPreference Stop). -Environment sets
        variables for the child (e.g. TMPDIR).
    .OUTPUTS
        Process, Out and Err (tasks giving the text): for Wait-ZcrmChildPwsh, or Stop-Process -Force (kill -9).
    #>
    param(
        [Parameter(Mandatory)][string]$Script,
        [Parameter(Mandatory)][string]$Folder,
        [object]$Emulator,
        [hashtable]$Environment = @{}
    )
    $file = Join-Path $Folder "child-$([guid]::NewGuid().ToString('N').Substring(0, 8)).ps1"
    $preamble = if ($Emulator) {
        @'
$ErrorActionPreference = 'Stop'
Import-Module $env:ZCRM_T_MANIFEST
Connect-Zcrm -ApiDomain $env:ZCRM_T_URL -AccessToken (ConvertTo-SecureString $env:ZCRM_T_TOKEN -AsPlainText -Force) -RetryBaseDelay 00:00:00.02
'@ + "`n"
    } else { '' }
    Set-Content -LiteralPath $file -Encoding utf8 -Value ($preamble + $Script)
    $pwsh = @(Get-ZcrmPwshCommandLine)
    $start = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NonInteractive', '-NoProfile', '-File', $file)) { $start.ArgumentList.Add($a) }
    $start.UseShellExecute = $false
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.Environment['ZCRM_T_MANIFEST'] = $script:ModuleManifest
    if ($Emulator) {
        $start.Environment['ZCRM_T_URL'] = $Emulator.BaseUrl
        $start.Environment['ZCRM_T_TOKEN'] = [System.Net.NetworkCredential]::new('', $Emulator.AccessToken).Password
    }
    foreach ($name in $Environment.Keys) { $start.Environment[$name] = [string]$Environment[$name] }
    $process = [System.Diagnostics.Process]::Start($start)
    [pscustomobject]@{ Process = $process; Out = $process.StandardOutput.ReadToEndAsync(); Err = $process.StandardError.ReadToEndAsync() }
}

function Wait-ZcrmChildPwsh {
    <# Waits (up to -TimeoutSec) for a Start-ZcrmChildPwsh child to end: its ExitCode, Out and Err. Killed if it does not. #>
    param([Parameter(Mandatory)][object]$Child, [int]$TimeoutSec = 120)
    if (-not $Child.Process.WaitForExit($TimeoutSec * 1000)) { $Child.Process.Kill($true); throw "The child pwsh did not end within $TimeoutSec s." }
    $Child.Process.WaitForExit()
    [pscustomobject]@{ ExitCode = $Child.Process.ExitCode; Out = $Child.Out.GetAwaiter().GetResult(); Err = $Child.Err.GetAwaiter().GetResult() }
}

function Wait-ZcrmCondition {
    <# Waits until -Condition is true, checking every 50 ms; throws naming -What after -TimeoutSec. #>
    param([Parameter(Mandatory)][scriptblock]$Condition, [int]$TimeoutSec = 30, [string]$What)
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not (& $Condition)) {
        if ([datetime]::UtcNow -ge $deadline) { throw "Not within $TimeoutSec s: $What" }
        Start-Sleep -Milliseconds 50
    }
}

function Assert-ZcrmNoError {
    # Fails unless an Invoke-ZcrmCaptured (or runspace) result has no error record and no terminating error.
    param([Parameter(Mandatory)][object]$Result)
    @($Result.Errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }) | Should -HaveCount 0
    $Result.Terminating | Should -BeNullOrEmpty
}

Export-ModuleMember -Function @(
    'Import-ZcrmModuleUnderTest'
    'Get-ZcrmRefreshParameter'
    'Get-ZcrmStaticParameter'
    'Get-ZcrmRequestCount'
    'Get-ZcrmWriteRequestCount'
    'Invoke-ZcrmCaptured'
    'Assert-ZcrmNoError'
    'Start-ZcrmChildPwsh'
    'Wait-ZcrmChildPwsh'
    'Wait-ZcrmCondition'
    'Get-ZcrmRepoRoot'
    'Get-ZcrmModuleManifest'
    'ConvertTo-ZcrmSecureString'
    'Get-ZcrmPwshCommandLine'
    'Get-ZcrmFreeLoopbackPort'
    'Start-ZcrmTestEmulator'
    'Stop-ZcrmTestEmulator'
    'Get-ZcrmEmulatorRequest'
    'Get-ZcrmEmulatorMassUpdateCall'
    'Clear-ZcrmEmulatorRequest'
    'Get-ZcrmEmulatorRecord'
    'Get-ZcrmEmulatorMassUpdateJob'
    'Invoke-ZcrmEmulatorExpireTokens'
    'Get-ZcrmAuthorizationToken'
    'Get-ZcrmJsonValue'
    'Select-ZcrmOutput'
    'Get-ZcrmVisibleText'
    'Invoke-ZcrmInNewRunspace'
    'Get-ZcrmEmulatorRecordJson'
    'Get-ZcrmEmulatorBulkWriteJob'
    'Get-ZcrmEmulatorBulkWriteCallback'
    'Start-ZcrmUploadRelay'
    'Receive-ZcrmUploadRelay'
    'Read-ZcrmUploadedCsv'
    'Get-ZcrmEmulatorUploadedCsv'
    'Add-ZcrmEmulatorFault'
    'Clear-ZcrmEmulatorFault'
    'Get-ZcrmEmulatorInjectedFault'
    'Wait-ZcrmEmulatorInjectedFault'
    'Get-ZcrmEmulatorTokenIssuedCount'
    'Get-ZcrmEmulatorRecordId'
    'New-ZcrmTestRunspace'
    'Start-ZcrmRunspaceScript'
    'Receive-ZcrmRunspaceScript'
)
