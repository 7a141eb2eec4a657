#Requires -Version 7.4
<#
    Dependency isolation, in real pwsh: ZohoCrm keeps its own dependencies (out/ZohoCrm/dependencies) out of the
    default AssemblyLoadContext, where every other module lives, and works next to a module that brings another
    System.Text.Json, in either import order.

    Assembly loading is per process and its order matters, so each case runs in a new pwsh process
    (-NoProfile -NonInteractive -File) and writes one JSON object as its last line. The fixture "another module" is
    tests/Fixtures/OtherJson (laid out at out/fixtures/OtherJson by the build): System.Text.Json 11.0 (newer than
    pwsh 7.6's own 10.0) in an AssemblyLoadContext of its own. (A module that puts another System.Text.Json into the
    default context cannot exist on pwsh 7.6: the engine itself loads 10.0 there at start, so an older copy is
    bound to 10.0 and a newer one fails to load, whatever ZohoCrm does. Windows PowerShell, where side-by-side
    versions can be loaded, is covered by ZohoCrm.Smoke.Tests.ps1.)
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    $repo = Get-ZcrmRepoRoot
    $zohoManifest = Get-ZcrmModuleManifest
    $otherManifest = [IO.Path]::Combine($repo, 'out', 'fixtures', 'OtherJson', 'OtherJson.psd1')
    if (-not (Test-Path -LiteralPath $otherManifest)) { throw "$otherManifest is missing: build the solution first (dotnet build ZohoCrm.sln)." }
    $emu = Start-ZcrmTestEmulator

    # The pwsh running these tests, as a command line (under `dotnet pwsh`: dotnet + pwsh.dll).
    $process = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    $pwsh = if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { @($process, (Join-Path $PSHOME 'pwsh.dll')) } else { @($process) }

    # Runs $Body in a new pwsh with $ZohoManifest, $OtherManifest and $BaseUrl defined; returns its last output
    # line parsed from JSON. The body must end by writing one object (it is converted with ConvertTo-Json).
    function Invoke-InNewPwsh {
        param([Parameter(Mandatory)][string]$Body)
        $script = Join-Path $TestDrive ("case-" + [guid]::NewGuid().ToString('n') + '.ps1')
        $prologue = @'
param([string]$ZohoManifest, [string]$OtherManifest, [string]$BaseUrl)
$ErrorActionPreference = 'Stop'
function Connect-Emulator {
    $s = ConvertTo-SecureString 'emulator-client-secret' -AsPlainText -Force
    $r = ConvertTo-SecureString '1000.emulator.refresh.token' -AsPlainText -Force
    Connect-Zcrm -ApiDomain $BaseUrl -ClientId 1000.EMULATORCLIENTID -ClientSecret $s -RefreshToken $r
}
# A mass update by id and a 3-row bulk write with results: the module's two jobs, end to end.
function Invoke-BothJobs {
    Connect-Emulator
    $mu = @('738964000002131001' | Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 4242 } -Force)
    $rows = 1..3 | ForEach-Object { [pscustomobject]@{ Last_Name = "Isolation $_"; Company = 'Fixture Inc' } }
    $bw = @($rows | New-ZcrmBulkWriteJob -Module Leads -Wait | Get-ZcrmBulkWriteResult)
    [pscustomobject]@{
        MassUpdate = @($mu | ForEach-Object Status)
        BulkWrite  = @($bw | ForEach-Object Status)
    }
}
# Where each loaded System.Text.Json / System.Memory / Microsoft.Bcl.AsyncInterfaces came from, and whether any
# assembly of ZohoCrm's dependencies folder sits in the default AssemblyLoadContext.
function Get-LoadState {
    $deps = [IO.Path]::Combine((Split-Path -Parent $ZohoManifest), 'dependencies')
    $all = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic }
    [pscustomobject]@{
        Json = @($all | Where-Object { $_.GetName().Name -eq 'System.Text.Json' } | ForEach-Object {
                "$($_.GetName().Version) in $([Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name)" } | Sort-Object)
        OursInDefault = @($all | Where-Object { $_.Location -and $_.Location.StartsWith($deps) -and
                [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_) -eq [Runtime.Loader.AssemblyLoadContext]::Default } |
            ForEach-Object { $_.FullName })
    }
}
'@
        Set-Content -LiteralPath $script -Value ($prologue + "`n" + $Body + "`n") -Encoding utf8
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $script,
            '-ZohoManifest', $zohoManifest, '-OtherManifest', $otherManifest, '-BaseUrl', $emu.BaseUrl)
        $output = & $pwsh[0] @arguments 2>&1 | ForEach-Object { "$_" }
        $code = $LASTEXITCODE
        if ($code -ne 0) { throw "The pwsh case exited with $code`n$($output -join "`n")" }
        $last = @($output | Where-Object { $_.Trim() })[-1]
        try { $last | ConvertFrom-Json }
        catch { throw "The pwsh case did not end with JSON:`n$($output -join "`n")" }
    }
}

AfterAll {
    if ($emu) { Stop-ZcrmTestEmulator -Emulator $emu }
}

Describe 'Dependency isolation' {
    It 'works after a module that brought System.Text.Json 11 in its own load context, and that module still works' {
        $r = Invoke-InNewPwsh -Body @'
Import-Module $OtherManifest
$before = ConvertTo-OtherJson @{ n = 1 }
Import-Module $ZohoManifest
$jobs = Invoke-BothJobs
$after = ConvertTo-OtherJson @{ n = 2 }
[pscustomobject]@{ Before = $before; After = $after; Jobs = $jobs; State = Get-LoadState } | ConvertTo-Json -Depth 5 -Compress
'@
        $r.Before.JsonVersion | Should -Be '11.0.0.0'
        $r.Before.JsonLoadContext | Should -Be 'OtherJson'
        $r.After.Json | Should -Be '{"n":2}'
        $r.After.JsonVersion | Should -Be '11.0.0.0'
        $r.Jobs.MassUpdate | Should -Be @('success')
        $r.Jobs.BulkWrite | Should -Be @('added', 'added', 'added')
        # Both versions side by side: pwsh's own 10.0 in the default context, the fixture's 11.0 in its own.
        $r.State.Json | Should -Be @('10.0.0.0 in Default', '11.0.0.0 in OtherJson')
        $r.State.OursInDefault | Should -HaveCount 0
    }

    It 'leaves a module imported after it its own System.Text.Json, and both keep working' {
        $r = Invoke-InNewPwsh -Body @'
Import-Module $ZohoManifest
$first = Invoke-BothJobs
Import-Module $OtherManifest
$other = ConvertTo-OtherJson @{ n = 3 }
$second = Invoke-BothJobs
[pscustomobject]@{ First = $first; Other = $other; Second = $second; State = Get-LoadState } | ConvertTo-Json -Depth 5 -Compress
'@
        $r.First.MassUpdate | Should -Be @('success')
        $r.First.BulkWrite | Should -Be @('added', 'added', 'added')
        $r.Other.Json | Should -Be '{"n":3}'
        $r.Other.JsonVersion | Should -Be '11.0.0.0'
        $r.Other.JsonLoadContext | Should -Be 'OtherJson'
        $r.Second.MassUpdate | Should -Be @('success')
        $r.Second.BulkWrite | Should -Be @('added', 'added', 'added')
        $r.State.Json | Should -Be @('10.0.0.0 in Default', '11.0.0.0 in OtherJson')
        $r.State.OursInDefault | Should -HaveCount 0
    }

    It 'answers only for its own dependencies, asked by its own assemblies, at a version it has, into its own load context' {
        # pwsh 7.6 carries every dependency at our version or newer, so the runtime never asks us: call the
        # module's resolve handler directly, as the runtime would for a dependency it lacks.
        $r = Invoke-InNewPwsh -Body @'
Import-Module $ZohoManifest
$self = [ZohoCrm.Module.ModuleInitializer].Assembly
$resolve = $self.GetType('ZohoCrm.Module.DependencyLoader').GetMethod('Resolve', [Reflection.BindingFlags]'NonPublic, Static')
$token = 'Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51'
function Ask([string]$name, [Reflection.Assembly]$from) {
    $resolve.Invoke($null, @($null, [ResolveEventArgs]::new($name, $from)))
}
$ours = Ask "Microsoft.Bcl.AsyncInterfaces, Version=8.0.0.0, $token" $self
$again = Ask "Microsoft.Bcl.AsyncInterfaces, Version=1.0.0.0, $token" $self
$foreign = Ask "Microsoft.Bcl.AsyncInterfaces, Version=8.0.0.0, $token" ([Newtonsoft.Json.JsonConvert].Assembly)
$newer = Ask "Microsoft.Bcl.AsyncInterfaces, Version=99.0.0.0, $token" $self
$otherKey = Ask 'Microsoft.Bcl.AsyncInterfaces, Version=8.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef' $self
$notShipped = Ask "Newtonsoft.Json, Version=13.0.0.0, Culture=neutral, PublicKeyToken=30ad4fe6b2a6aeed" $self
$default = [Runtime.Loader.AssemblyLoadContext]::Default.Assemblies | Where-Object { $_.GetName().Name -eq 'Microsoft.Bcl.AsyncInterfaces' }
[pscustomobject]@{
    Version = "$($ours.GetName().Version)"
    Context = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($ours).Name
    Location = $ours.Location
    SameInstance = [object]::ReferenceEquals($ours, $again)
    Foreign = $null -eq $foreign; Newer = $null -eq $newer; OtherKey = $null -eq $otherKey; NotShipped = $null -eq $notShipped
    DefaultVersions = @($default | ForEach-Object { "$($_.GetName().Version)" })
} | ConvertTo-Json -Compress
'@
        $r.Version | Should -Be '8.0.0.0'
        $r.Context | Should -Be 'ZohoCrm'
        $r.Location | Should -BeLike ('*' + [IO.Path]::Combine('out', 'ZohoCrm', 'dependencies', 'Microsoft.Bcl.AsyncInterfaces.dll'))
        $r.SameInstance | Should -BeTrue
        $r.Foreign | Should -BeTrue
        $r.Newer | Should -BeTrue
        $r.OtherKey | Should -BeTrue
        $r.NotShipped | Should -BeTrue
        # The default context never got our copy.
        $r.DefaultVersions | Should -Not -Contain '8.0.0.0'
    }

    It 'can be removed and imported again in one session, and still works' {
        $r = Invoke-InNewPwsh -Body @'
Import-Module $ZohoManifest
Remove-Module ZohoCrm
Import-Module $ZohoManifest
Import-Module $ZohoManifest -Force
[pscustomobject]@{ Jobs = Invoke-BothJobs; Commands = @(Get-Command -Module ZohoCrm).Count } | ConvertTo-Json -Depth 5 -Compress
'@
        $r.Commands | Should -Be 13
        $r.Jobs.MassUpdate | Should -Be @('success')
        $r.Jobs.BulkWrite | Should -Be @('added', 'added', 'added')
    }
}
