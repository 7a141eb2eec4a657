<#
.SYNOPSIS
    Runs one Pester test file in this pwsh and writes its counts; build.ps1 -Task Test starts one per file.
.DESCRIPTION
    Imports the Pester module given (build.ps1 restores Pester 5.9.1 from NuGet), runs -Path, and writes to
    -ResultDirectory: <name>.xml (NUnit 2.5 results) and <name>.summary.json (Passed, Failed, FailedBlocks,
    FailedContainers, Skipped, NotRun, Total). Exits 0 only when the file ran and nothing failed.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string]$Path,
    [Parameter(Mandatory)][string]$PesterManifest,
    [Parameter(Mandatory)][string]$ResultDirectory
)
# No $ErrorActionPreference = 'Stop' here: the tests run in this scope's children and must see PowerShell's default.
$name = [IO.Path]::GetFileNameWithoutExtension($Path)
Import-Module -Name $PesterManifest -Force -ErrorAction Stop

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultDirectory "$name.xml"
$result = Invoke-Pester -Configuration $config

$summary = [ordered]@{
    File             = $Path
    Passed           = $result.PassedCount
    Failed           = $result.FailedCount
    FailedBlocks     = $result.FailedBlocksCount
    FailedContainers = $result.FailedContainersCount
    Skipped          = $result.SkippedCount
    NotRun           = $result.NotRunCount
    Total            = $result.TotalCount
}
$summary | ConvertTo-Json | Set-Content -LiteralPath (Join-Path $ResultDirectory "$name.summary.json") -Encoding utf8
if ($result.Result -ne 'Passed' -or $result.PassedCount -eq 0) { exit 1 }
exit 0
