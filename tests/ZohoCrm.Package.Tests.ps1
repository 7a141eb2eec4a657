#Requires -Version 7.4
<#
    Pester 5 tests of the Gallery package (build.ps1 -Task Package), judged the way a user meets it: the .nupkg's
    files and manifest, then Install-PSResource from a local folder repository and Import-Module by name in a fresh
    pwsh, which connects to the emulator and runs a mass update.

    Build first (./build.ps1, or `dotnet build ZohoCrm.sln`), then:  Invoke-Pester ./tests/ZohoCrm.Package.Tests.ps1
    The test runs the package step itself, as `build.ps1 -Task Package -NoBuild` in a child pwsh: it publishes the
    out/ZohoCrm the build laid out (rebuilding would lay out out/ZohoCrm again while the other test files import it)
    into a folder repository under TestDrive, with a -ProjectUri of its own. Every child pwsh gets a HOME (and XDG
    folders) under TestDrive, so PSResourceGet's repository list and the CurrentUser module folder it writes are
    temporary ones, never the user's (on Linux and macOS; Windows keeps both in known folders, so there the install
    is Save-PSResource into the temporary module folder and the repository is unregistered again: not run yet).
    Nothing here uses the network: the repository is a folder and the emulator
    listens on 127.0.0.1; the emulator's URL and static token reach the child through its environment only.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.ZipFile

    $Repo = Get-ZcrmRepoRoot
    $ModuleFolder = Split-Path -Parent (Get-ZcrmModuleManifest)
    if (-not (Test-Path -LiteralPath (Get-ZcrmModuleManifest))) { throw "$(Get-ZcrmModuleManifest) is missing: build first (dotnet build ZohoCrm.sln)." }
    $Version = (Import-PowerShellDataFile -LiteralPath (Join-Path $Repo 'ZohoCrm.psd1')).ModuleVersion
    # A project address of the test's own: the one -ProjectUri must feed ProjectUri, LicenseUri and HelpInfoUri.
    $ProjectUri = 'https://git.example.test/team/ZohoCrm'

    # The environment of a child pwsh whose user is new: HOME and the XDG folders under -Folder (PSResourceGet's
    # repository list and the CurrentUser module folder follow them), PSModulePath only that user's module folder
    # (pwsh adds its own and the shared one), and no pointer to the build's module. The folders exist beforehand:
    # .NET gives no LocalApplicationData for a missing one, and PSResourceGet would then keep its repository list
    # in the working directory.
    function New-UserEnvironment {
        param([Parameter(Mandatory)][string]$Folder)
        $share = [IO.Path]::Combine($Folder, '.local', 'share')
        $environment = @{
            HOME            = $Folder
            XDG_DATA_HOME   = $share
            XDG_CONFIG_HOME = Join-Path $Folder '.config'
            XDG_CACHE_HOME  = Join-Path $Folder '.cache'
            PSModulePath    = [IO.Path]::Combine($share, 'powershell', 'Modules')
            ZCRM_T_MANIFEST = ''
        }
        foreach ($name in 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'PSModulePath') {
            $null = New-Item -ItemType Directory -Force -Path $environment[$name]
        }
        $environment
    }

    # Runs `build.ps1 -Task Package -NoBuild -RepositoryPath <folder> [-ProjectUri <uri>]` in a child pwsh of a new
    # user: its ExitCode, Out, Err, the .nupkg path it printed ('Package: <path>'), the repository folder, and the
    # user's repository list file afterwards.
    function Invoke-PackageTask {
        param([Parameter(Mandatory)][string]$Name, [string]$Uri)
        $folder = Join-Path $TestDrive $Name
        $environment = New-UserEnvironment -Folder (Join-Path $folder 'home')
        $environment.ZCRM_T_BUILD = Join-Path $Repo 'build.ps1'
        $environment.ZCRM_T_REPOSITORY = Join-Path $folder 'repository'
        $environment.ZCRM_T_PROJECTURI = $Uri
        $script = @'
$ErrorActionPreference = 'Stop'
$arguments = @{ Task = 'Package'; NoBuild = $true; RepositoryPath = $env:ZCRM_T_REPOSITORY }
if ($env:ZCRM_T_PROJECTURI) { $arguments.ProjectUri = $env:ZCRM_T_PROJECTURI }
& $env:ZCRM_T_BUILD @arguments
'@
        $r = Wait-ZcrmChildPwsh -Child (Start-ZcrmChildPwsh -Script $script -Folder $folder -Environment $environment) -TimeoutSec 120
        $printed = [regex]::Match($r.Out, '(?m)^Package: (.+?)\s*$')
        [pscustomobject]@{
            ExitCode     = $r.ExitCode
            Out          = $r.Out
            Err          = $r.Err
            Nupkg        = if ($printed.Success) { $printed.Groups[1].Value } else { $null }
            Repository   = $environment.ZCRM_T_REPOSITORY
            Repositories = [IO.Path]::Combine($environment.XDG_DATA_HOME, 'PSResourceGet', 'PSResourceRepository.xml')
        }
    }

    # The files of a folder, as '/'-separated paths relative to it.
    function Get-RelativeFile {
        param([Parameter(Mandatory)][string]$Folder)
        $base = (Get-Item -LiteralPath $Folder).FullName
        Get-ChildItem -LiteralPath $base -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($base, $_.FullName) -replace '\\', '/' }
    }

    # CHANGELOG.md's top section, below its heading, read here on its own (not with build.ps1's code).
    function Get-ChangelogTopSection {
        $lines = (Get-Content -LiteralPath (Join-Path $Repo 'CHANGELOG.md')) -split "`n"
        $headings = @(for ($i = 0; $i -lt $lines.Count; $i++) { if ($lines[$i].StartsWith('## ')) { $i } })
        $end = if ($headings.Count -gt 1) { $headings[1] } else { $lines.Count }
        [pscustomobject]@{
            Heading = $lines[$headings[0]]
            Text    = ($lines[($headings[0] + 1)..($end - 1)] -join "`n").Trim()
        }
    }

    $Package = Invoke-PackageTask -Name 'given-uri' -Uri $ProjectUri
    $Unzipped = Join-Path $TestDrive 'unzipped'
    if ($Package.Nupkg -and (Test-Path -LiteralPath $Package.Nupkg)) {
        [IO.Compression.ZipFile]::ExtractToDirectory($Package.Nupkg, $Unzipped)
    }
}

Describe 'build.ps1 -Task Package' {
    It 'publishes out/ZohoCrm to the local folder repository, says where the .nupkg is, and unregisters its repository' {
        $Package.ExitCode | Should -Be 0 -Because "out:`n$($Package.Out)`nerr:`n$($Package.Err)"
        $expected = Join-Path $Package.Repository "ZohoCrm.$Version.nupkg"
        $Package.Nupkg | Should -BeExactly $expected
        @(Get-ChildItem -LiteralPath $Package.Repository -Force | ForEach-Object Name) | Should -BeExactly @("ZohoCrm.$Version.nupkg")
        if (-not $IsWindows) {
            # The repository it registered to publish is gone from the user's list again (PSGallery, PSResourceGet's
            # default, is all that is left of this new user's list). Windows keeps the list where HOME does not move it.
            $names = @(([xml](Get-Content -LiteralPath $Package.Repositories -Raw)).configuration.Repository | ForEach-Object Name)
            $names | Should -BeExactly @('PSGallery')
        }
        $Package.Out | Should -Not -Match 'placeholder' -Because '-ProjectUri was given'
        # The package's values went into a copy: the build's own manifest is still the source one, byte for byte.
        (Get-FileHash -LiteralPath (Join-Path $ModuleFolder 'ZohoCrm.psd1')).Hash | Should -Be (Get-FileHash -LiteralPath (Join-Path $Repo 'ZohoCrm.psd1')).Hash
        (Import-PowerShellDataFile -LiteralPath (Join-Path $ModuleFolder 'ZohoCrm.psd1')).Keys | Should -Not -Contain 'HelpInfoUri'
    }

    It 'holds exactly the files of out/ZohoCrm, each on the allow-list, plus PSResourceGet''s own package files' {
        $zip = [IO.Compression.ZipFile]::OpenRead($Package.Nupkg)
        try { $entries = [string[]]@($zip.Entries | ForEach-Object FullName) } finally { $zip.Dispose() }
        # What NuGet packing adds, by name: the nuspec PSResourceGet writes, the OPC parts and the core properties.
        $packaging = '^(ZohoCrm\.nuspec|\[Content_Types\]\.xml|_rels/\.rels|package/services/metadata/core-properties/[0-9a-f]{32}\.psmdcp)$'
        # The module folder's allow-list (src/ZohoCrm/ZohoCrm.csproj, LayoutModule; en-US/ once help is built).
        $allowed = '^(ZohoCrm\.psd1|ZohoCrm\.dll|ZohoCrm\.Format\.ps1xml|LICENSE|dependencies/[^/]+\.dll|en-US/(ZohoCrm\.dll-Help\.xml|about_[A-Za-z0-9_]+\.help\.txt))$'
        @($entries | Where-Object { $_ -match $packaging }) | Should -HaveCount 4
        $moduleFiles = [string[]]@($entries | Where-Object { $_ -notmatch $packaging })
        @($moduleFiles | Where-Object { $_ -cnotmatch $allowed }) | Should -BeNullOrEmpty -Because 'only allow-listed files are packed'
        [Array]::Sort($moduleFiles, [StringComparer]::Ordinal)
        $built = [string[]]@(Get-RelativeFile -Folder $ModuleFolder)
        [Array]::Sort($built, [StringComparer]::Ordinal)
        $moduleFiles | Should -BeExactly $built
        @($moduleFiles | Where-Object { $_ -like 'dependencies/*' }) | Should -Not -HaveCount 0
        # The very files the build laid out (the manifest aside, which gets the package's values).
        foreach ($file in $built | Where-Object { $_ -ne 'ZohoCrm.psd1' }) {
            (Get-FileHash -LiteralPath (Join-Path $Unzipped $file)).Hash | Should -Be (Get-FileHash -LiteralPath (Join-Path $ModuleFolder $file)).Hash -Because $file
        }
    }

    It 'packs a manifest naming the project, its LICENSE, its help and the CHANGELOG top section, the rest as built' {
        $packed = Import-PowerShellDataFile -LiteralPath (Join-Path $Unzipped 'ZohoCrm.psd1')
        $source = Import-PowerShellDataFile -LiteralPath (Join-Path $Repo 'ZohoCrm.psd1')
        $changelog = Get-ChangelogTopSection
        $changelog.Heading | Should -Match ('^## \[' + [regex]::Escape($Version) + '\]')
        $changelog.Text | Should -Not -BeNullOrEmpty

        $packed.PrivateData.PSData.ProjectUri | Should -BeExactly $ProjectUri
        $packed.PrivateData.PSData.LicenseUri | Should -BeExactly "$ProjectUri/blob/main/LICENSE"
        $packed.HelpInfoUri | Should -BeExactly "$ProjectUri/tree/main/docs/en-US"
        $packed.PrivateData.PSData.ReleaseNotes | Should -BeExactly $changelog.Text
        # Nothing else changed.
        foreach ($key in $source.Keys | Where-Object { $_ -ne 'PrivateData' }) {
            ($packed[$key] | ConvertTo-Json -Compress) | Should -BeExactly ($source[$key] | ConvertTo-Json -Compress) -Because $key
        }
        @($packed.Keys | Where-Object { $_ -notin $source.Keys }) | Should -BeExactly @('HelpInfoUri')
        ($packed.PrivateData.PSData.Tags -join ',') | Should -BeExactly ($source.PrivateData.PSData.Tags -join ',')

        # What the Gallery reads: the nuspec PSResourceGet made from that manifest.
        $nuspec = ([xml](Get-Content -LiteralPath (Join-Path $Unzipped 'ZohoCrm.nuspec') -Raw)).package.metadata
        $nuspec.id | Should -BeExactly 'ZohoCrm'
        $nuspec.version | Should -BeExactly $Version
        $nuspec.projectUrl | Should -BeExactly $ProjectUri
        $nuspec.licenseUrl | Should -BeExactly "$ProjectUri/blob/main/LICENSE"
        ($nuspec.releaseNotes -replace "`r`n", "`n") | Should -BeExactly $changelog.Text
    }

    It 'without -ProjectUri, packs the placeholder address and warns that it must be set' {
        $r = Invoke-PackageTask -Name 'default-uri'
        $r.ExitCode | Should -Be 0 -Because "out:`n$($r.Out)`nerr:`n$($r.Err)"
        "$($r.Out)$($r.Err)" | Should -Match 'placeholder .*give -ProjectUri before a real publish'
        $zip = [IO.Compression.ZipFile]::OpenRead($r.Nupkg)
        try {
            $reader = [IO.StreamReader]::new($zip.GetEntry('ZohoCrm.nuspec').Open())
            try { $nuspec = ([xml]$reader.ReadToEnd()).package.metadata } finally { $reader.Dispose() }
        }
        finally { $zip.Dispose() }
        ([uri]$nuspec.projectUrl).Host | Should -BeLike '*.invalid' -Because 'the reserved .invalid domain says it is no real address'
        $nuspec.licenseUrl | Should -BeExactly "$($nuspec.projectUrl)/blob/main/LICENSE"
    }
}

Describe 'Installed from the local repository in a fresh pwsh' {
    BeforeAll {
        $emu = Start-ZcrmTestEmulator -GeneratedLeadCount 3
        $ids = [string[]]@(Get-ZcrmEmulatorRecordId -Emulator $emu -Module Leads | Select-Object -Skip 4)
        $ids | Should -HaveCount 3
    }
    AfterAll {
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It 'Install-PSResource -Scope CurrentUser (Windows: Save-PSResource), Import-Module ZohoCrm by name, then a mass update by ids reaches the emulator' {
        $folder = Join-Path $TestDrive 'install'
        $environment = New-UserEnvironment -Folder (Join-Path $folder 'home')
        $modules = $environment.PSModulePath
        $environment.ZCRM_T_REPOSITORY = $Package.Repository
        $environment.ZCRM_T_URL = $emu.BaseUrl
        $environment.ZCRM_T_TOKEN = ConvertFrom-SecureString -SecureString $emu.AccessToken -AsPlainText
        $environment.ZCRM_T_IDS = $ids -join ','
        $environment.ZCRM_T_REPORT = Join-Path $folder 'report.json'
        $script = @'
$ErrorActionPreference = 'Stop'
$report = [ordered]@{ PSModulePath = $env:PSModulePath }
$report.BeforeInstall = @(Get-Module -ListAvailable -Name ZohoCrm | ForEach-Object ModuleBase)
$modules = ($env:PSModulePath -split [IO.Path]::PathSeparator)[0]
Register-PSResourceRepository -Name ZohoCrmLocal -Uri $env:ZCRM_T_REPOSITORY
if ($IsWindows) {
    # Windows takes the CurrentUser module folder and the repository list from known folders that no variable
    # moves: save into the temporary module folder instead, and leave the user's list as it was.
    try { Save-PSResource -Name ZohoCrm -Repository ZohoCrmLocal -TrustRepository -Path $modules }
    finally { Unregister-PSResourceRepository -Name ZohoCrmLocal }
}
else { Install-PSResource -Name ZohoCrm -Repository ZohoCrmLocal -TrustRepository -Scope CurrentUser }
$report.Installed = @(Get-InstalledPSResource -Name ZohoCrm -Path $modules | ForEach-Object { "$($_.Version) $($_.InstalledLocation)" })
Import-Module ZohoCrm
$module = Get-Module ZohoCrm
$report.ModuleBase = $module.ModuleBase
$report.Version = $module.Version.ToString()
$report.Assembly = (Get-Command Connect-Zcrm).ImplementingType.Assembly.Location
Connect-Zcrm -ApiDomain $env:ZCRM_T_URL -AccessToken (ConvertTo-SecureString $env:ZCRM_T_TOKEN -AsPlainText -Force)
$report.Results = @($env:ZCRM_T_IDS -split ',' | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Lead_Status = 'Contacted' } -Force |
    ForEach-Object { "$($_.Id) $($_.Status)" })
$report | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $env:ZCRM_T_REPORT -Encoding utf8
'@
        $r = Wait-ZcrmChildPwsh -Child (Start-ZcrmChildPwsh -Script $script -Folder $folder -Environment $environment) -TimeoutSec 120
        $r.ExitCode | Should -Be 0 -Because "out:`n$($r.Out)`nerr:`n$($r.Err)"
        $report = Get-Content -LiteralPath $environment.ZCRM_T_REPORT -Raw | ConvertFrom-Json

        # The new user's module folder comes first, and held no ZohoCrm before the install.
        ($report.PSModulePath -split [IO.Path]::PathSeparator)[0] | Should -BeExactly $modules
        @($report.PSModulePath -split [IO.Path]::PathSeparator) | Should -Not -Contain (Split-Path -Parent $ModuleFolder)
        @($report.BeforeInstall) | Should -HaveCount 0
        # Installed there, and imported by name from there (not from out/ZohoCrm).
        $installed = [IO.Path]::Combine($modules, 'ZohoCrm', $Version)
        @($report.Installed) | Should -BeExactly @("$Version $modules")
        $report.ModuleBase | Should -BeExactly $installed
        $report.Version | Should -BeExactly $Version
        $report.Assembly | Should -BeExactly (Join-Path $installed 'ZohoCrm.dll')

        if (-not $IsWindows) {
            # The repository was registered in the new user's list, not the user's own.
            $list = [IO.Path]::Combine($environment.XDG_DATA_HOME, 'PSResourceGet', 'PSResourceRepository.xml')
            @(([xml](Get-Content -LiteralPath $list -Raw)).configuration.Repository | ForEach-Object Name) | Should -Contain 'ZohoCrmLocal'
        }

        @($report.Results) | Should -BeExactly @($ids | ForEach-Object { "$_ success" })
        $calls = @(Get-ZcrmEmulatorMassUpdateCall -Emulator $emu)
        $calls | Should -HaveCount 1
        foreach ($id in $ids) {
            $calls[0].body.Contains($id) | Should -BeTrue -Because "the call names $id"
            (Get-ZcrmEmulatorRecord -Emulator $emu -Module Leads -Id $id).Lead_Status | Should -BeExactly 'Contacted'
        }
    }
}
