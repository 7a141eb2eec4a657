<#
.SYNOPSIS
    Builds, tests or demonstrates the ZohoCrm module.
.DESCRIPTION
    Build: dotnet build ZohoCrm.sln, which lays out the importable module at out/ZohoCrm, then the help:
           docs/en-US -> out/ZohoCrm/en-US (src/ZohoCrm.Help/ConvertTo-ZcrmMaml.ps1).
    Test:  Build, then both suites, and a last line "N passed, M failed" counting both:
           - xunit (tests/ZohoCrm.Tests): unit tests of the pure C# and the emulator's seed replay over raw HTTP;
           - Pester 5.9.1 (tests/*.Tests.ps1): the end-to-end behaviour, in this pwsh, against the emulator. Pester is
             restored from NuGet (tests/TestTools), no PowerShell Gallery needed. Each test file runs in a pwsh
             process of its own, up to -ThrottleLimit at a time.
           A suite that cannot run (Pester missing, a test file that does not load) counts as failed, never skipped.
           Results: out/test-results/ (xunit .trx, Pester NUnit XML per file, and each file's console log).
    Demo:  dotnet run --project src/ZohoCrm.Demo (the emulator and the module, in-process).
    Package: Build (Release unless -Configuration is given), then publish out/ZohoCrm with PSResourceGet to a local
           folder repository (-RepositoryPath, default out/repository), leaving ZohoCrm.<version>.nupkg there. The
           packed manifest gets ProjectUri, LicenseUri and HelpInfoUri (all from -ProjectUri) and ReleaseNotes (the
           top section of CHANGELOG.md); out/ZohoCrm itself is not changed. Needs PSResourceGet (pwsh 7.4+ ships it).
    Build and Demo run on PowerShell 7 and Windows PowerShell 5.1; Test needs pwsh 7.4+ (the repository pins
    pwsh 7.6.9 as a local dotnet tool: dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test).
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Test -TestPath tests/ZohoCrm.BulkWrite.Tests.ps1
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Package -ProjectUri https://github.com/<owner>/ZohoCrm
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package')]
    [string[]]$Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string]$Configuration = 'Debug',

    # Pester files to run (default: every tests/*.Tests.ps1). With -TestPath, only those run (no xunit).
    [string[]]$TestPath,

    # How many Pester files run at once, each in its own pwsh (default: the number of processors).
    [ValidateRange(1, 16)]
    [int]$ThrottleLimit = [Math]::Max(1, [Environment]::ProcessorCount),

    # Package: the project's web address, the one place it is set: ProjectUri is it, LicenseUri is
    # <it>/blob/main/LICENSE and HelpInfoUri <it>/tree/main/docs/en-US. The repository has no remote yet, so the
    # default is a placeholder (the reserved .invalid domain, never reachable): set it before a real publish.
    [uri]$ProjectUri = 'https://project-url-placeholder.invalid/ZohoCrm',

    # Package: the local folder repository the package is published to (default out/repository).
    [string]$RepositoryPath,

    # Package: publish out/ZohoCrm as it is, without building it first (tests/ZohoCrm.Package.Tests.ps1: the Test
    # task has just built it, and other test files are importing it).
    [switch]$NoBuild
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$root = $PSScriptRoot
$solution = Join-Path $root 'ZohoCrm.sln'
$manifest = [IO.Path]::Combine($root, 'out', 'ZohoCrm', 'ZohoCrm.psd1')
$resultsDir = [IO.Path]::Combine($root, 'out', 'test-results')
$pesterVersion = '5.9.1'   # as in tests/TestTools/TestTools.csproj
$script:built = $false
# A package is built in Release unless -Configuration says otherwise (then every task of this run uses Release).
if ($Task -contains 'Package' -and -not $PSBoundParameters.ContainsKey('Configuration')) { $Configuration = 'Release' }

function Write-Step([string]$Text) {
    Write-Host ''
    Write-Host "== $Text" -ForegroundColor Cyan
}

# Runs dotnet with the arguments; throws when it exits non-zero.
function Invoke-Dotnet {
    param([Parameter(Mandatory = $true)][string[]]$Arguments)
    Write-Host ("> dotnet " + ($Arguments -join ' '))
    & dotnet @Arguments | Out-Host
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
    Invoke-HelpStep
    $script:built = $true
}

# docs/en-US (markdown) -> out/ZohoCrm/en-US (MAML and about topics): src/ZohoCrm.Help/ConvertTo-ZcrmMaml.ps1, in a
# child process (it imports the built module); a malformed page fails the build with its problems named.
function Invoke-HelpStep {
    $shell = @(Get-PwshCommand)
    $arguments = @($shell | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File',
        ([IO.Path]::Combine($root, 'src', 'ZohoCrm.Help', 'ConvertTo-ZcrmMaml.ps1')), '-SourcePath', ([IO.Path]::Combine($root, 'docs', 'en-US')),
        '-ModulePath', $manifest, '-OutputPath', ([IO.Path]::Combine($root, 'out', 'ZohoCrm', 'en-US')))
    & $shell[0] @arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "The help (docs/en-US) could not be built: see the problems above." }
}

# The pwsh that runs this script, as a command line: under `dotnet pwsh` that is dotnet + pwsh.dll.
function Get-PwshCommand {
    $process = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet' -and (Test-Path -LiteralPath $dll)) {
        return @($process, $dll)
    }
    return @($process)
}

# Pester's module manifest, from the NuGet restore of tests/TestTools (PackageDownload Pester [5.9.1]).
function Get-PesterManifest {
    Invoke-Dotnet -Arguments @('restore', ([IO.Path]::Combine($root, 'tests', 'TestTools', 'TestTools.csproj')), '--verbosity', 'quiet')
    $packages = $env:NUGET_PACKAGES
    if (-not $packages) {
        $line = & dotnet nuget locals global-packages --list
        $packages = ($line -replace '^\s*global-packages:\s*', '').Trim()
    }
    $psd1 = [IO.Path]::Combine($packages, 'pester', $pesterVersion, 'tools', 'Pester.psd1')
    if (-not (Test-Path -LiteralPath $psd1)) {
        throw "Pester $pesterVersion was restored but $psd1 is missing."
    }
    return $psd1
}

# Runs the xunit suite; returns @{ Passed; Failed } read from its .trx file.
function Invoke-XunitTests {
    Write-Step "xunit tests ($Configuration)"
    $trx = Join-Path $resultsDir 'xunit.trx'
    Remove-Item -LiteralPath $trx -ErrorAction SilentlyContinue
    $exit = 0
    try {
        Invoke-Dotnet -Arguments @('test', $solution, '--no-build', '-c', $Configuration,
            '--logger', 'trx;LogFileName=xunit.trx', '--results-directory', $resultsDir)
    }
    catch {
        Write-Host $_.Exception.Message -ForegroundColor Red
        $exit = 1
    }
    if (-not (Test-Path -LiteralPath $trx)) {
        Write-Host 'The xunit run wrote no results (build failure or test host crash).' -ForegroundColor Red
        return @{ Passed = 0; Failed = 1 }
    }
    $counters = ([xml](Get-Content -LiteralPath $trx -Raw)).TestRun.ResultSummary.Counters
    $passed = [int]$counters.passed
    # Skipped (notExecuted) counts as failed, as in the Pester suite.
    $failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted + [int]$counters.notExecuted
    if ($exit -ne 0 -and $failed -eq 0) { $failed = 1 }
    Write-Host "xunit suite: passed $passed, failed $failed"
    return @{ Passed = $passed; Failed = $failed }
}

# Runs each Pester file in a pwsh of its own (tests/Invoke-PesterFile.ps1); returns @{ Passed; Failed }.
function Invoke-PesterTests {
    Write-Step "Pester $pesterVersion tests (pwsh $($PSVersionTable.PSVersion), $ThrottleLimit at a time)"
    $pester = Get-PesterManifest
    $files = @(if ($TestPath) {
            # `pwsh -File build.ps1 -TestPath a,b` passes one string: split it.
            $TestPath | ForEach-Object { $_ -split ',' } | Where-Object { $_ } | ForEach-Object { (Resolve-Path -LiteralPath $_).ProviderPath }
        }
        else {
            # Longest first, so the slowest files do not start last.
            Get-ChildItem -LiteralPath (Join-Path $root 'tests') -Filter '*.Tests.ps1' -File | Sort-Object Length -Descending | ForEach-Object FullName
        })
    if ($files.Count -eq 0) {
        Write-Host 'No tests/*.Tests.ps1 found.' -ForegroundColor Red
        return @{ Passed = 0; Failed = 1 }
    }
    $pwsh = @(Get-PwshCommand)
    $runner = Join-Path (Join-Path $root 'tests') 'Invoke-PesterFile.ps1'
    # The tests start the emulator the build just made.
    $env:ZOHOCRM_CONFIGURATION = $Configuration

    $passed = 0; $failed = 0
    # Each file in a pwsh of its own (assembly loading and the session state stay per file); each file's output is
    # printed whole when it ends, so logs do not interleave.
    $files | ForEach-Object -ThrottleLimit $ThrottleLimit -Parallel {
        $pwsh = $using:pwsh
        $name = [IO.Path]::GetFileNameWithoutExtension($_)
        $summary = Join-Path $using:resultsDir "$name.summary.json"
        Remove-Item -LiteralPath $summary -ErrorAction SilentlyContinue
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $using:runner,
            '-Path', $_, '-PesterManifest', $using:pester, '-ResultDirectory', $using:resultsDir)
        $text = & $pwsh[0] @arguments 2>&1 | Out-String
        [pscustomobject]@{ Name = $name; Exit = $LASTEXITCODE; Text = $text; Summary = $summary }
    } | ForEach-Object {
        Set-Content -LiteralPath (Join-Path $resultsDir "$($_.Name).log") -Value $_.Text -Encoding utf8
        Write-Host ''
        Write-Host "---- $($_.Name) (exit $($_.Exit)) ----" -ForegroundColor Cyan
        Write-Host $_.Text
        if (Test-Path -LiteralPath $_.Summary) {
            $s = Get-Content -LiteralPath $_.Summary -Raw | ConvertFrom-Json
            $passed += [int]$s.Passed
            # A skipped test counts as failed: nothing is skipped silently.
            $f = [int]$s.Failed + [int]$s.FailedBlocks + [int]$s.FailedContainers + [int]$s.Skipped
            if ([int]$s.Skipped -gt 0) { Write-Host "$($_.Name): $($s.Skipped) skipped test(s), counted as failed." -ForegroundColor Red }
            if ($_.Exit -ne 0 -and $f -eq 0) { $f = 1 }
            $failed += $f
        }
        else {
            Write-Host "$($_.Name) wrote no summary: counted as one failure." -ForegroundColor Red
            $failed += 1
        }
    }
    Write-Host "Pester suite: passed $passed, failed $failed"
    return @{ Passed = $passed; Failed = $failed }
}

function Invoke-TestTask {
    $ps = $PSVersionTable.PSVersion
    if ($ps.Major -lt 7 -or ($ps.Major -eq 7 -and $ps.Minor -lt 4)) {
        throw ("-Task Test needs pwsh 7.4 or later (this is PowerShell $ps). Run: dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test")
    }
    Invoke-BuildTask
    $null = New-Item -ItemType Directory -Force -Path $resultsDir
    $passed = 0; $failed = 0
    $suites = @(if ($TestPath) { Invoke-PesterTests } else { Invoke-XunitTests; Invoke-PesterTests })
    foreach ($suite in $suites) {
        $passed += $suite.Passed; $failed += $suite.Failed
    }
    Write-Host ''
    # The one summary line CI reads.
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-DemoTask {
    Write-Step "Demo ($Configuration)"
    Invoke-Dotnet -Arguments @('run', '--project', (Join-Path (Join-Path $root 'src') 'ZohoCrm.Demo'), '-c', $Configuration)
}

# The text of CHANGELOG.md's top section (below its '## [<version>] ...' heading), which must be -Version's.
function Get-ReleaseNotes([string]$Version) {
    $path = Join-Path $root 'CHANGELOG.md'
    $text = (Get-Content -LiteralPath $path -Raw) -replace "`r`n", "`n"
    $sections = [regex]::Matches($text, '(?ms)^## (?<heading>[^\n]*)\n(?<body>.*?)(?=^## |\z)')
    if ($sections.Count -eq 0) { throw "$path has no '## [<version>]' section." }
    $top = $sections[0]
    if ($top.Groups['heading'].Value -notmatch ('^\[' + [regex]::Escape($Version) + '\]')) {
        throw "The top section of $path is '## $($top.Groups['heading'].Value)', not ZohoCrm.psd1's version [$Version]: add that section first."
    }
    $body = $top.Groups['body'].Value.Trim()
    if (-not $body) { throw "The [$Version] section of $path is empty." }
    $body
}

# A copy of out/ZohoCrm in -Folder whose manifest also holds ProjectUri, LicenseUri, HelpInfoUri and ReleaseNotes.
function New-PackageFolder([string]$Folder, [hashtable]$Values) {
    $module = Join-Path $Folder 'ZohoCrm'
    Copy-Item -LiteralPath (Split-Path -Parent $manifest) -Destination $module -Recurse
    $psd1 = Join-Path $module 'ZohoCrm.psd1'
    $text = Get-Content -LiteralPath $psd1 -Raw
    $set = [regex]::Match($text, '(?m)^\s*(ProjectUri|LicenseUri|ReleaseNotes|HelpInfoUri)\s*=')
    if ($set.Success) { throw "$psd1 sets $($set.Groups[1].Value) itself: leave it to the Package task (rebuild if ZohoCrm.psd1 no longer does)." }
    $quote = { param($v) "'" + [Management.Automation.Language.CodeGeneration]::EscapeSingleQuotedStringContent($v) + "'" }
    $psData = [regex]::Match($text, '(?m)^(?<indent>[ \t]*)PSData\s*=\s*@\{[ \t]*\r?$')
    $top = [regex]::Match($text, '(?m)^(?<indent>[ \t]*)ModuleVersion\s*=.*$')
    if (-not $psData.Success -or -not $top.Success) { throw "$psd1 has no 'ModuleVersion =' line or 'PSData = @{' line to add the package's values to." }
    $inner = $psData.Groups['indent'].Value + '    '
    $lines = foreach ($name in 'ProjectUri', 'LicenseUri', 'ReleaseNotes') { "`n$inner$name = $(& $quote $Values[$name])" }
    # The later position first, so the earlier one still holds.
    $text = $text.Insert($psData.Index + $psData.Length, -join $lines)
    $text = $text.Insert($top.Index + $top.Length, "`n$($top.Groups['indent'].Value)HelpInfoUri = $(& $quote $Values.HelpInfoUri)")
    # UTF-8 with a BOM: Windows PowerShell 5.1 reads a manifest without one as ANSI.
    [IO.File]::WriteAllText($psd1, $text, [Text.UTF8Encoding]::new($true))
    $written = Import-PowerShellDataFile -LiteralPath $psd1
    $packed = @{ HelpInfoUri = $written.HelpInfoUri }
    foreach ($name in 'ProjectUri', 'LicenseUri', 'ReleaseNotes') { $packed[$name] = $written.PrivateData.PSData[$name] }
    foreach ($name in $Values.Keys) {
        if ($packed[$name] -cne $Values[$name]) { throw "The package's manifest does not hold the $name given." }
    }
    $module
}

function Invoke-PackageTask {
    if ($NoBuild) {
        if (-not (Test-Path -LiteralPath $manifest)) { throw "-NoBuild: $manifest is missing. Build first (./build.ps1)." }
    }
    else { Invoke-BuildTask }
    Write-Step 'Package'
    if (-not (Get-Module -ListAvailable -Name Microsoft.PowerShell.PSResourceGet)) {
        throw 'Packaging needs the module Microsoft.PowerShell.PSResourceGet (shipped with pwsh 7.4+): dotnet tool restore; dotnet pwsh ./build.ps1 -Task Package'
    }
    Import-Module Microsoft.PowerShell.PSResourceGet
    if (-not $ProjectUri.IsAbsoluteUri -or $ProjectUri.Scheme -ne 'https') { throw "-ProjectUri must be an absolute https address, not '$ProjectUri'." }
    $base = $ProjectUri.AbsoluteUri.TrimEnd('/')
    if ($ProjectUri.Host.EndsWith('.invalid')) {
        Write-Warning "ProjectUri, LicenseUri and HelpInfoUri are the placeholder $base/...: give -ProjectUri before a real publish."
    }
    $version = (Import-PowerShellDataFile -LiteralPath $manifest).ModuleVersion
    $values = @{
        ProjectUri   = $base
        LicenseUri   = "$base/blob/main/LICENSE"
        HelpInfoUri  = "$base/tree/main/docs/en-US"
        ReleaseNotes = Get-ReleaseNotes $version
    }
    $repository = if ($RepositoryPath) { $RepositoryPath } else { [IO.Path]::Combine($root, 'out', 'repository') }
    $repository = [IO.Path]::GetFullPath($repository)
    $null = New-Item -ItemType Directory -Force -Path $repository
    $nupkg = Join-Path $repository "ZohoCrm.$version.nupkg"
    Remove-Item -LiteralPath $nupkg -ErrorAction SilentlyContinue

    $staging = Join-Path ([IO.Path]::GetTempPath()) "zcrm-package-$([guid]::NewGuid().ToString('N'))"
    # A name of this run's own, unregistered again at the end: the user's repository list is left as it was.
    $name = "ZohoCrmBuild-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    try {
        $module = New-PackageFolder -Folder $staging -Values $values
        Register-PSResourceRepository -Name $name -Uri $repository
        Publish-PSResource -Path $module -Repository $name
    }
    finally {
        Unregister-PSResourceRepository -Name $name -ErrorAction SilentlyContinue
        Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
    }
    if (-not (Test-Path -LiteralPath $nupkg)) { throw "Publish-PSResource ended but $nupkg is missing." }
    Write-Host "Package: $nupkg"
}

if ($null -eq (Get-Command -Name dotnet -CommandType Application -ErrorAction SilentlyContinue)) {
    throw 'dotnet was not found on PATH. Install the .NET SDK (the projects target net10.0).'
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-BuildTask }
        'Test' { Invoke-TestTask }
        'Demo' { Invoke-DemoTask }
        'Package' { Invoke-PackageTask }
    }
}
