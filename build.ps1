<#
.SYNOPSIS
    Builds, tests or demonstrates the ZohoCrm module.
.DESCRIPTION
    Build: dotnet build ZohoCrm.sln, which lays out the importable module at out/ZohoCrm.
    Test:  Build, then the xunit tests (dotnet test), then the Pester 5 tests in tests/*.Tests.ps1 (pwsh 7.4+ with
           Pester 5; skipped with a warning when Pester 5 is not installed). Fails if either test run fails.
    Demo:  dotnet run --project src/ZohoCrm.Demo (the emulator and the module, in-process).
    Runs on PowerShell 7 and Windows PowerShell 5.1.
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Task Test -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo')]
    [string[]]$Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string]$Configuration = 'Debug'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$root = $PSScriptRoot
$solution = Join-Path $root 'ZohoCrm.sln'
$manifest = Join-Path (Join-Path (Join-Path $root 'out') 'ZohoCrm') 'ZohoCrm.psd1'
$script:built = $false

function Write-Step([string]$Text) {
    Write-Host ''
    Write-Host "== $Text" -ForegroundColor Cyan
}

# Runs dotnet with the arguments; throws when it exits non-zero.
function Invoke-Dotnet {
    param([Parameter(Mandatory = $true)][string[]]$Arguments)
    Write-Host ("> dotnet " + ($Arguments -join ' '))
    & dotnet @Arguments
    $code = $LASTEXITCODE
    if ($code -ne 0) {
        throw ("dotnet " + $Arguments[0] + " failed with exit code " + $code + ".")
    }
}

function Invoke-BuildTask {
    if ($script:built) { return }
    Write-Step "Build ($Configuration)"
    Invoke-Dotnet -Arguments @('build', $solution, '-c', $Configuration)
    if (-not (Test-Path -LiteralPath $manifest)) {
        throw "The build succeeded but $manifest is missing: the module was not laid out."
    }
    Write-Host "Module: $manifest"
    $script:built = $true
}

# Runs tests/*.Tests.ps1 with Pester 5. Returns $true when they passed, $false when they failed, $null when skipped.
function Invoke-PesterTests {
    Write-Step 'Pester tests'
    $testFiles = @(Get-ChildItem -LiteralPath (Join-Path $root 'tests') -Filter '*.Tests.ps1' -File | ForEach-Object { $_.FullName })
    if ($testFiles.Count -eq 0) {
        Write-Warning 'No tests/*.Tests.ps1 found.'
        return $null
    }
    $ps = $PSVersionTable.PSVersion
    if ($ps.Major -lt 7 -or ($ps.Major -eq 7 -and $ps.Minor -lt 4)) {
        Write-Warning ("The Pester tests need pwsh 7.4 or later (this is PowerShell " + $PSVersionTable.PSVersion + "); skipped. Run ./build.ps1 -Task Test from pwsh.")
        return $null
    }
    $pester = Get-Module -Name Pester -ListAvailable |
        Where-Object { $_.Version -ge [version]'5.0.0' } |
        Sort-Object -Property Version -Descending |
        Select-Object -First 1
    if ($null -eq $pester) {
        Write-Warning 'Pester 5 is not installed, so the Pester tests were skipped. Install it with: Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser (add -Force -SkipPublisherCheck if Windows'' built-in Pester 3.4 is in the way).'
        return $null
    }

    # An older Pester (3.4 ships with Windows) may already be loaded.
    Get-Module -Name Pester | Where-Object { $_.Version -lt [version]'5.0.0' } | Remove-Module -Force
    Import-Module -Name Pester -MinimumVersion 5.0.0 -Force

    $config = New-PesterConfiguration
    $config.Run.Path = $testFiles
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'

    # The tests start the emulator with `dotnet run --no-build -c <configuration>`: the one just built.
    $previous = $env:ZOHOCRM_CONFIGURATION
    $env:ZOHOCRM_CONFIGURATION = $Configuration
    try {
        $result = Invoke-Pester -Configuration $config
    }
    finally {
        $env:ZOHOCRM_CONFIGURATION = $previous
    }
    if ($null -eq $result) { return $false }
    return ($result.Result -eq 'Passed')
}

function Invoke-TestTask {
    Invoke-BuildTask
    $failures = @()

    Write-Step "xunit tests ($Configuration)"
    try {
        Invoke-Dotnet -Arguments @('test', $solution, '--no-build', '-c', $Configuration)
    }
    catch {
        Write-Host $_.Exception.Message -ForegroundColor Red
        $failures += 'dotnet test'
    }

    $pesterPassed = Invoke-PesterTests
    if ($pesterPassed -eq $false) {
        $failures += 'Pester'
    }

    if ($failures.Count -gt 0) {
        throw ("Tests failed: " + ($failures -join ', ') + ".")
    }
    if ($null -eq $pesterPassed) {
        Write-Host 'xunit tests passed (Pester tests skipped).' -ForegroundColor Green
    }
    else {
        Write-Host 'All tests passed.' -ForegroundColor Green
    }
}

function Invoke-DemoTask {
    Write-Step "Demo ($Configuration)"
    Invoke-Dotnet -Arguments @('run', '--project', (Join-Path (Join-Path $root 'src') 'ZohoCrm.Demo'), '-c', $Configuration)
}

if ($null -eq (Get-Command -Name dotnet -CommandType Application -ErrorAction SilentlyContinue)) {
    throw 'dotnet was not found on PATH. Install the .NET SDK (the projects target net10.0).'
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-BuildTask }
        'Test' { Invoke-TestTask }
        'Demo' { Invoke-DemoTask }
    }
}
