<#
.SYNOPSIS
    A scheduled-task template: sets one field on the Zoho CRM records whose ids are in a CSV file, logs everything
    to a transcript, and exits 0 only when every record was updated.
.DESCRIPTION
    Run it unattended, e.g. from Windows Task Scheduler or cron:

        pwsh -NonInteractive -NoProfile -File /path/to/Update-ZcrmLeadsTask.ps1 -IdCsv /data/leads-to-fix.csv

    Exit code 0: every id in the CSV was updated. Exit code 1: something failed (not connected, Zoho rejected the
    request, records not updated, a file could not be read or written): look at the log (-LogPath), whose last
    lines name the failure; records Zoho did not update are also in -FailedCsv.

    Credentials never come from the command line (the transcript records the command line in its header):
      - -SecretPath: a CliXml file holding the client secret and refresh token as SecureStrings, made once by the
        account the task runs as:
            [pscustomobject]@{
                ClientSecret = Read-Host 'Client secret' -AsSecureString
                RefreshToken = Read-Host 'Refresh token' -AsSecureString
            } | Export-Clixml -Path C:\ZcrmTask\zcrm-secret.xml
        On Windows, Export-Clixml encrypts them for that user on that machine (DPAPI). On Linux and macOS they are
        only encoded, not encrypted: keep the file readable by the task's account alone (chmod 600).
      - otherwise the environment variables ZCRM_CLIENT_SECRET and ZCRM_REFRESH_TOKEN.
    The client id (not a secret) is -ClientId or ZCRM_CLIENT_ID. No secret is written to the console, so none
    reaches the transcript: the module keeps them out of its output, errors and logs.

    Runs in PowerShell 7.4+ and is written for Windows PowerShell 5.1 too.
.PARAMETER IdCsv
    A CSV file with a column Id (or id, RecordId, record_id): the records to update. Use a full path: a scheduled
    task's working folder is not the script's.
.PARAMETER Field
    The API name of the field to set (one field; Deals take up to three, give them in the script if you need them).
.PARAMETER Value
    The value to set, as text (picklists, text fields; numbers are sent as text).
.PARAMETER LogPath
    The transcript. Default: logs/Update-ZcrmLeadsTask-<yyyyMMdd-HHmmss>.log next to this script.
.PARAMETER FailedCsv
    Where the records Zoho did not update go (Id, Status, Code, Message, ...). Default: the log's path with
    .failed.csv. Written only when some record failed.
.PARAMETER ZohoCrmModule
    The ZohoCrm module to import: its name (default, from PSModulePath) or the path of its ZohoCrm.psd1.
.PARAMETER ApiDomain
    The API host, when not the data center's (e.g. the emulator, http://127.0.0.1:5080). Another host than Zoho's
    also becomes the accounts and upload host, unless -AccountsUrl / -UploadUrl say otherwise.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string]$IdCsv,

    [string]$Module = 'Leads',
    [string]$Field = 'Lead_Status',
    [string]$Value = 'Contacted',

    [string]$LogPath = (Join-Path (Join-Path $PSScriptRoot 'logs') ('Update-ZcrmLeadsTask-{0:yyyyMMdd-HHmmss}.log' -f (Get-Date))),
    [string]$FailedCsv,

    [string]$ZohoCrmModule = 'ZohoCrm',

    [string]$ClientId = $env:ZCRM_CLIENT_ID,
    [string]$SecretPath,
    [ValidateSet('US', 'EU', 'IN', 'AU', 'JP', 'CN', 'CA', 'SA')]
    [string]$DataCenter = 'US',
    [string]$ApiDomain,
    [string]$AccountsUrl,
    [string]$UploadUrl
)

$ErrorActionPreference = 'Stop'
# No console to draw a progress bar on, and no colour codes in redirected output (PowerShell 7.2+).
$ProgressPreference = 'SilentlyContinue'
if (Get-Variable -Name PSStyle -ErrorAction SilentlyContinue) { $PSStyle.OutputRendering = 'PlainText' }

if (-not $FailedCsv) { $FailedCsv = [IO.Path]::ChangeExtension($LogPath, '.failed.csv') }
$logFolder = Split-Path -Parent $LogPath
if ($logFolder -and -not (Test-Path -LiteralPath $logFolder)) { $null = New-Item -ItemType Directory -Path $logFolder }
# If this fails, the script stops here with exit code 1 (nothing has been sent).
$null = Start-Transcript -LiteralPath $LogPath -Append

$failed = New-Object System.Collections.Generic.List[object]
try {
    # --- Connect: the secrets from a protected file or the environment, never from the command line.
    Import-Module $ZohoCrmModule

    if ($SecretPath) {
        $stored = Import-Clixml -LiteralPath $SecretPath
        $clientSecret = $stored.ClientSecret
        $refreshToken = $stored.RefreshToken
    }
    elseif ($env:ZCRM_CLIENT_SECRET -and $env:ZCRM_REFRESH_TOKEN) {
        $clientSecret = ConvertTo-SecureString $env:ZCRM_CLIENT_SECRET -AsPlainText -Force
        $refreshToken = ConvertTo-SecureString $env:ZCRM_REFRESH_TOKEN -AsPlainText -Force
    }
    else {
        throw 'No credentials: give -SecretPath, or set ZCRM_CLIENT_SECRET and ZCRM_REFRESH_TOKEN.'
    }
    if (-not $ClientId) { throw 'No client id: give -ClientId, or set ZCRM_CLIENT_ID.' }

    $connect = @{ ClientId = $ClientId; ClientSecret = $clientSecret; RefreshToken = $refreshToken; DataCenter = $DataCenter }
    if ($ApiDomain) { $connect.ApiDomain = $ApiDomain }
    if ($AccountsUrl) { $connect.AccountsUrl = $AccountsUrl }
    if ($UploadUrl) { $connect.UploadUrl = $UploadUrl }
    Connect-Zcrm @connect
    Write-Host "Connected: $(Get-ZcrmConnection)"

    # --- The job: one result per id. Under 'Stop', a failure of the whole request (a field Zoho rejects) and the
    # module's summary error for records that failed both land in the catch below.
    $rows = @(Import-Csv -LiteralPath $IdCsv)
    Write-Host "Setting $Field = '$Value' on $($rows.Count) $Module record(s) from $IdCsv"
    $updated = 0
    try {
        $rows | Invoke-ZcrmMassUpdate -Module $Module -Data @{ $Field = $Value } -Force | ForEach-Object {
            if ($_.Status -eq 'success') { $updated++ }
            else {
                $failed.Add($_)
                Write-Warning "Not updated: $($_.Id): $($_.Code) $($_.Message)"
            }
        }
    }
    finally {
        # Also when the command stopped with an error: the records it reported as failed until then.
        if ($failed.Count -gt 0) {
            $failed | Export-Csv -LiteralPath $FailedCsv -NoTypeInformation -Encoding UTF8
            Write-Warning "$($failed.Count) record(s) not updated: $FailedCsv"
        }
    }
    Write-Host "Updated $updated of $($rows.Count) $Module record(s)."
}
catch {
    # The error (its id is Zoho's code or ZohoCrm.<Reason>) goes to the error stream: stderr and the transcript.
    Write-Error -Message ('Update-ZcrmLeadsTask failed: [{0}] {1}' -f $_.FullyQualifiedErrorId, $_.Exception.Message) -ErrorAction Continue
    exit 1
}
finally {
    $null = Stop-Transcript
}
exit 0
