<#
    Smoke suite for Windows PowerShell 5.1 (and PowerShell 7): the module's two jobs end to end, with another
    System.Text.Json and System.Memory loaded first, as a module loaded before ours would have done.

    Written for both editions on purpose: no pwsh-only syntax or parameters, and no PesterHelpers.psm1 (that one
    needs pwsh 7.4). It runs here in pwsh as part of build.ps1 -Task Test, so it is known to be correct; the workflow
    .github/workflows/windows.yml runs it in powershell.exe 5.1 on a hosted Windows runner (not on the Linux build
    machines, which have no Windows PowerShell).

    Needs: the built module (out/ZohoCrm), the built emulator (src/ZohoCrm.Emulator/bin/<configuration>), and the
    NuGet restore of tests/TestTools (System.Text.Json 6.0.11 and System.Memory 4.5.4 for the preload).
#>

BeforeAll {
    $ErrorActionPreference = 'Stop'
    $repo = Split-Path -Parent $PSScriptRoot
    $configuration = if ($env:ZOHOCRM_CONFIGURATION) { $env:ZOHOCRM_CONFIGURATION } else { 'Debug' }
    $manifest = [IO.Path]::Combine($repo, 'out', 'ZohoCrm', 'ZohoCrm.psd1')
    $emulatorDll = [IO.Path]::Combine($repo, 'src', 'ZohoCrm.Emulator', 'bin', $configuration, 'net10.0', 'ZohoCrm.Emulator.dll')
    foreach ($needed in @($manifest, $emulatorDll)) {
        if (-not (Test-Path -LiteralPath $needed)) { throw "$needed is missing: build first (dotnet build ZohoCrm.sln -c $configuration)." }
    }

    # Another module's versions of our dependencies, loaded before ZohoCrm.
    $packages = $env:NUGET_PACKAGES
    if (-not $packages) { $packages = [IO.Path]::Combine([Environment]::GetFolderPath('UserProfile'), '.nuget', 'packages') }
    $otherJson = [IO.Path]::Combine($packages, 'system.text.json', '6.0.11', 'lib', 'netstandard2.0', 'System.Text.Json.dll')
    $otherMemory = [IO.Path]::Combine($packages, 'system.memory', '4.5.4', 'lib', 'netstandard2.0', 'System.Memory.dll')
    foreach ($needed in @($otherJson, $otherMemory)) {
        if (-not (Test-Path -LiteralPath $needed)) { throw "$needed is missing: dotnet restore tests/TestTools/TestTools.csproj" }
    }
    Add-Type -Path $otherMemory
    Add-Type -Path $otherJson

    # The emulator, on a free loopback port.
    $listener = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $baseUrl = "http://127.0.0.1:$port"
    $emuOut = Join-Path $TestDrive 'emulator.out.txt'
    $emuErr = Join-Path $TestDrive 'emulator.err.txt'
    $emulator = Start-Process -FilePath 'dotnet' -ArgumentList @("`"$emulatorDll`"", '--urls', $baseUrl) -PassThru -NoNewWindow `
        -RedirectStandardOutput $emuOut -RedirectStandardError $emuErr
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    $up = $false
    while (-not $up -and [DateTime]::UtcNow -lt $deadline) {
        if ($emulator.HasExited) { break }
        try { $null = Invoke-WebRequest -Uri "$baseUrl/__emulator/requests" -UseBasicParsing -TimeoutSec 2; $up = $true }
        catch { Start-Sleep -Milliseconds 250 }
    }
    if (-not $up) { throw "The emulator did not start at $baseUrl`n$(Get-Content -LiteralPath $emuOut -Raw -ErrorAction SilentlyContinue)`n$(Get-Content -LiteralPath $emuErr -Raw -ErrorAction SilentlyContinue)" }

    Import-Module $manifest -Force
    $secret = ConvertTo-SecureString 'emulator-client-secret' -AsPlainText -Force
    $refresh = ConvertTo-SecureString '1000.emulator.refresh.token' -AsPlainText -Force
}

AfterAll {
    if (Get-Module ZohoCrm) { Disconnect-Zcrm }
    if ($emulator -and -not $emulator.HasExited) { $emulator.Kill(); $emulator.WaitForExit(10000) | Out-Null }
}

Describe 'ZohoCrm smoke' {
    It 'imports next to another System.Text.Json and System.Memory' {
        $loaded = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'System.Text.Json' } |
                ForEach-Object { $_.GetName().Version.ToString() })
        if ($PSVersionTable.PSEdition -eq 'Desktop') {
            # .NET Framework keeps both: the preloaded 6.0 and, once ZohoCrm used JSON, our 8.0.
            $loaded | Should -Contain '6.0.0.0'
        }
        @(Get-Command -Module ZohoCrm).Count | Should -Be 13
    }

    It 'connects to the emulator and shows no secret' {
        $conn = Connect-Zcrm -ApiDomain $baseUrl -ClientId 1000.EMULATORCLIENTID -ClientSecret $secret -RefreshToken $refresh -PassThru
        $conn.ApiDomain | Should -Be $baseUrl
        $conn.AuthType | Should -Be 'RefreshToken'
        $text = ($conn | Format-List * | Out-String) + $conn.ToString()
        $text | Should -Not -Match 'emulator-client-secret|emulator\.refresh\.token'
    }

    It 'mass updates by ids, one result per id, a per-record failure as an object' {
        # ErrorAction Stop is set for this file: the per-record failure's summary error is caught here.
        $summary = $null
        $results = [System.Collections.ArrayList]::new()
        try { '738964000002131001', '1306462000000496025' | Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = 51 } -Force | ForEach-Object { [void]$results.Add($_) } }
        catch { $summary = $_ }
        $summary.FullyQualifiedErrorId | Should -Be 'ZohoCrm.RecordsFailed,ZohoCrm.Cmdlets.InvokeZcrmMassUpdate'
        $summary.Exception.FailedCount | Should -Be 1
        $results.Count | Should -Be 2
        $results[0].Id | Should -Be '738964000002131001'
        $results[0].Status | Should -Be 'success'
        $results[1].Status | Should -Be 'error'
        $results[1].Code | Should -Be 'NOT_APPROVED'
        $record = Invoke-RestMethod -Uri "$baseUrl/__emulator/records/Leads/738964000002131001" -UseBasicParsing
        $record.No_of_Employees | Should -Be 51
    }

    It 'bulk writes 30,000 rows over two jobs, and the results go to Export-Csv' {
        $rows = foreach ($i in 1..30000) {
            New-Object psobject -Property ([ordered]@{ Last_Name = "Smoke $i"; Company = 'Smoke Ltd'; Email = "smoke$i@example.com"; Annual_Revenue = $i * 1.5 })
        }
        $jobs = @($rows | New-ZcrmBulkWriteJob -Module Leads -Wait)
        $jobs.Count | Should -Be 2
        ($jobs | ForEach-Object { $_.Status }) | Should -Be @('COMPLETED', 'COMPLETED')
        $jobs[0].FirstRow | Should -Be 1
        $jobs[1].LastRow | Should -Be 30000

        $csv = Join-Path $TestDrive 'results.csv'
        $jobs | Get-ZcrmBulkWriteResult | Export-Csv -LiteralPath $csv -NoTypeInformation -Encoding UTF8
        $back = @(Import-Csv -LiteralPath $csv)
        $back.Count | Should -Be 30000
        @($back | Where-Object { $_.Status -ne 'added' }).Count | Should -Be 0
        $back[0].RowNumber | Should -Be '1'
        $back[29999].RowNumber | Should -Be '30000'
        $back[29999].Last_Name | Should -Be 'Smoke 30000'
        $back[12345].RecordId | Should -Match '^\d+$'
    }
}
