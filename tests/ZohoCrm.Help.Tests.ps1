#Requires -Version 7.4
<#
    Pester 5 tests of ZohoCrm's help, as users get it from the built module (out/ZohoCrm/en-US, made by build.ps1 from
    docs/en-US with src/ZohoCrm.Help/ConvertTo-ZcrmMaml.ps1): for every exported cmdlet, Get-Help -Full has a written
    synopsis (not the syntax), a description, every parameter described (the common parameters aside), at least three
    examples, and at least one example marked runnable; about_ZohoCrm is found; every example marked runnable (a
    line `# Runnable: yes` in its code) runs against the emulator without an error; and the converter refuses a
    malformed page, naming the problem. Part of the end-to-end suite (tests/*.Tests.ps1).

    A runnable example runs in a fresh folder of its own (the current location) holding the files it may read (see
    New-HelpExampleFolder and docs/en-US/README.md; no $TestDrive in it), connected to the emulator with its static access token, with
    $emulatorUrl, $clientId, $clientSecret and $refreshToken set for the emulator, and out/ in $env:PSModulePath (so
    `Import-Module ZohoCrm` works in other runspaces). It must not name a Zoho host nor -DataCenter, and any
    Connect-Zcrm in it connects to -ApiDomain $emulatorUrl: help examples never reach a real Zoho.
#>

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest
    # Whatever the module exports: a cmdlet added without a page fails here.
    $cmdlets = @((Get-Module ZohoCrm).ExportedCmdlets.Keys | Sort-Object | ForEach-Object { @{ Cmdlet = $_ } })
    $runnable = @(foreach ($c in $cmdlets) {
            $n = 0
            foreach ($e in @((Get-Help $c.Cmdlet -Full).examples.example)) {
                $n++
                if ($e -and [string]$e.code -match '(?m)^\s*# Runnable: yes\s*$') {
                    @{ Cmdlet = $c.Cmdlet; Number = $n; Title = ([string]$e.title).Trim(' -'); Code = [string]$e.code }
                }
            }
        })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    if (-not (Get-Module ZohoCrm)) { Import-ZcrmModuleUnderTest }
    $converter = Join-Path (Get-ZcrmRepoRoot) 'src/ZohoCrm.Help/ConvertTo-ZcrmMaml.ps1'
    $common = [System.Management.Automation.Cmdlet]::CommonParameters
}

Describe 'Get-Help of <Cmdlet>' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Cmdlet -Full
        $command = Get-Command $Cmdlet
    }

    It 'has a written synopsis, not the syntax' {
        $synopsis = ([string]$help.Synopsis).Trim()
        $synopsis | Should -Not -BeNullOrEmpty
        # Without MAML, Get-Help shows the syntax as the synopsis.
        $synopsis | Should -Not -BeLike "$Cmdlet *"
        $synopsis | Should -Not -Match '\[<CommonParameters>\]|\[-\w+\] <'
        $synopsis.Length | Should -BeGreaterThan 20
    }

    It 'has a description' {
        $text = (@($help.description) | ForEach-Object Text) -join "`n"
        $text.Trim().Length | Should -BeGreaterThan 100
    }

    It 'describes every parameter' {
        $documented = @{}
        foreach ($p in @($help.parameters.parameter)) {
            if ($p) { $documented[[string]$p.name] = ((@($p.description) | ForEach-Object Text) -join ' ').Trim() }
        }
        foreach ($name in $command.Parameters.Keys) {
            if ($common -contains $name) { continue }
            $documented.ContainsKey($name) | Should -BeTrue -Because "-$name is a parameter of $Cmdlet"
            $documented[$name] | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
    }

    It 'has at least three examples, one of them runnable against the emulator' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 3
        foreach ($e in $examples) {
            ([string]$e.code).Trim() | Should -Not -BeNullOrEmpty
            ((@($e.remarks) | ForEach-Object Text) -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "example '$($e.title)' needs an explanation"
        }
        @($examples | Where-Object { [string]$_.code -match '(?m)^\s*# Runnable: yes\s*$' }).Count | Should -BeGreaterOrEqual 1
    }

    It 'names its output types and related links' {
        @($help.returnValues.returnValue | ForEach-Object { $_.type.name }) | Should -Not -BeNullOrEmpty
        @($help.relatedLinks.navigationLink | ForEach-Object linkText) | Should -Contain 'about_ZohoCrm'
    }
}

Describe 'about_ZohoCrm' {
    It 'is found by Get-Help and covers connecting, the error policy, scheduled tasks, limits and the emulator' {
        $topic = Get-Help about_ZohoCrm | Out-String
        $topic | Should -Match 'about_ZohoCrm'
        foreach ($text in 'DataCenter', 'Terminating', 'ErrorAction', 'exit 1', '25,000 rows', '500 ids', 'emulator') {
            $topic | Should -BeLike "*$text*"
        }
    }
}

Describe 'Runnable help examples, against the emulator' {
    BeforeAll {
        $emu = Start-ZcrmTestEmulator -RefreshLimit 100000 -GeneratedLeadCount 20 -JobStepMs 20 -BulkStepMs 20
        $static = Get-ZcrmStaticParameter -Emulator $emu
        $savedModulePath = $env:PSModulePath
        $env:PSModulePath = (Split-Path -Parent (Split-Path -Parent (Get-ZcrmModuleManifest))) + [IO.Path]::PathSeparator + $env:PSModulePath
        $script:exampleCount = 0

        # The files a runnable example may read, in a new folder (emails unique to the folder, so inserts do not
        # collide with another example's): ids.csv (column Id: three Leads), deal-ids.txt (two Deals, one a line),
        # leads.csv (Last_Name, Company, Email: three new Leads), contacts.csv (Last_Name, Email: one existing Contact,
        # one new).
        function New-HelpExampleFolder {
            param([Parameter(Mandatory)][string]$Path, [Parameter(Mandatory)][string]$Tag)
            $null = New-Item -ItemType Directory -Path $Path
            1..3 | ForEach-Object { [pscustomobject]@{ Id = '7389640000100000' + $_.ToString('00'); Note = "row $_" } } |
                Export-Csv (Join-Path $Path 'ids.csv') -NoTypeInformation
            Set-Content -LiteralPath (Join-Path $Path 'deal-ids.txt') -Value '738964000020000001', '738964000020000002'
            1..3 | ForEach-Object { [pscustomobject]@{ Last_Name = "Help $Tag $_"; Company = 'Help Ltd'; Email = "help-$Tag-$_@example.com" } } |
                Export-Csv (Join-Path $Path 'leads.csv') -NoTypeInformation
            @([pscustomobject]@{ Last_Name = 'Person 1'; Email = 'contact1@example.com' },
                [pscustomobject]@{ Last_Name = "Help $Tag"; Email = "help-contact-$Tag@example.com" }) |
                Export-Csv (Join-Path $Path 'contacts.csv') -NoTypeInformation
        }
    }
    AfterAll {
        $env:PSModulePath = $savedModulePath
        Disconnect-Zcrm
        Stop-ZcrmTestEmulator -Emulator $emu
    }

    It '<Cmdlet> example <Number> runs without an error: <Title>' -ForEach $runnable {
        # Never a real Zoho host: no Zoho domain, no -DataCenter, and Connect-Zcrm only to the emulator.
        $Code | Should -Not -Match 'zoho(apis)?\.(com|eu|in|com\.au|jp|com\.cn|ca|sa|uk)|-DataCenter'
        # Users read these: no test variables (the example's folder is the current location: .\leads.csv).
        $Code | Should -Not -Match '\$TestDrive|TestDrive:' -Because 'an example in the help is for users: its files are in the current folder'
        foreach ($line in @($Code -split "`n" | Where-Object { $_ -match '(?<![\w-])Connect-Zcrm' })) {
            $line | Should -Match '-ApiDomain \$emulatorUrl'
        }

        $script:exampleCount++
        $folder = Join-Path $TestDrive "example-$($script:exampleCount)"
        New-HelpExampleFolder -Path $folder -Tag "$($script:exampleCount)-$(Get-Random)"
        Connect-Zcrm @static
        $emulatorUrl = $emu.BaseUrl
        $clientId = $emu.ClientId
        $clientSecret = $emu.ClientSecret
        $refreshToken = $emu.RefreshToken
        Push-Location -LiteralPath $folder
        try {
            $all = @(& ([scriptblock]::Create($Code)) *>&1)
        }
        finally { Pop-Location }
        $errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        ($errors | ForEach-Object { "[$($_.FullyQualifiedErrorId)] $($_.Exception.Message)" }) -join "`n" | Should -BeNullOrEmpty
    }
}

Describe 'ConvertTo-ZcrmMaml refuses a malformed page' {
    BeforeAll {
        # A good page to break: Get-ZcrmConnection's (no parameters of its own).
        $good = Get-Content -Raw -LiteralPath (Join-Path (Get-ZcrmRepoRoot) 'docs/en-US/Get-ZcrmConnection.md')
        function Invoke-Converter {
            param([Parameter(Mandatory)][hashtable]$Pages)
            $source = Join-Path $TestDrive "src-$(Get-Random)"
            $out = Join-Path $TestDrive "out-$(Get-Random)"
            $null = New-Item -ItemType Directory -Path $source
            foreach ($name in $Pages.Keys) { Set-Content -LiteralPath (Join-Path $source $name) -Value $Pages[$name] -NoNewline }
            try { & $converter -SourcePath $source -ModulePath (Get-ZcrmModuleManifest) -OutputPath $out 3>$null; $null }
            catch { $_.Exception.Message }
            Test-Path -LiteralPath (Join-Path $out 'ZohoCrm.dll-Help.xml') | Should -BeFalse -Because 'nothing is written when a page is malformed'
        }
    }

    It 'converts the good page' {
        $out = Join-Path $TestDrive 'good'
        $source = Join-Path $TestDrive 'good-src'
        $null = New-Item -ItemType Directory -Path $source
        Set-Content -LiteralPath (Join-Path $source 'Get-ZcrmConnection.md') -Value $good -NoNewline
        & $converter -SourcePath $source -ModulePath (Get-ZcrmModuleManifest) -OutputPath $out 3>$null 6>$null
        $xml = [xml](Get-Content -Raw -LiteralPath (Join-Path $out 'ZohoCrm.dll-Help.xml'))
        $ns = @{ command = 'http://schemas.microsoft.com/maml/dev/command/2004/10' }
        (Select-Xml -Xml $xml -XPath '//command:command/command:details/command:name' -Namespace $ns).Node.InnerText | Should -BeExactly 'Get-ZcrmConnection'
    }

    It 'names a missing section' {
        $bad = $good -replace '(?ms)^## NOTES\r?\n.*?(?=^## RELATED LINKS)', ''
        Invoke-Converter @{ 'Get-ZcrmConnection.md' = $bad } | Should -BeLike "*Get-ZcrmConnection.md: missing section '## NOTES'*"
    }

    It 'names a parameter the cmdlet does not have' {
        $extra = "### -Name`nA name.`n`n``````yaml`nType: String`nParameter Sets: (All)`nAliases:`n`nRequired: False`nPosition: Named`nDefault value: None`nAccept pipeline input: False`nAccept wildcard characters: False`n```````n`n"
        $bad = $good -replace '(?m)^### CommonParameters', ($extra + '### CommonParameters')
        Invoke-Converter @{ 'Get-ZcrmConnection.md' = $bad } | Should -BeLike '*Get-ZcrmConnection.md: documents -Name, which Get-ZcrmConnection does not have*'
    }

    It 'names a parameter of the cmdlet with no description' {
        $page = Get-Content -Raw -LiteralPath (Join-Path (Get-ZcrmRepoRoot) 'docs/en-US/Disconnect-Zcrm.md')
        $connect = Get-Content -Raw -LiteralPath (Join-Path (Get-ZcrmRepoRoot) 'docs/en-US/Connect-Zcrm.md')
        # -PassThru's description removed, its yaml kept; -OrgId's whole section removed.
        $bad = $connect -replace '(?ms)(^### -PassThru\r?\n).*?(?=^```yaml)', '$1' -replace '(?ms)^### -OrgId\r?\n.*?(?=^### )', ''
        $message = Invoke-Converter @{ 'Connect-Zcrm.md' = $bad; 'Disconnect-Zcrm.md' = $page }
        $message | Should -BeLike '*Connect-Zcrm.md: -PassThru has no description*'
        $message | Should -BeLike "*Connect-Zcrm.md: the cmdlet's parameter -OrgId has no '### -OrgId'*"
    }

    It 'names an example without code, and an unknown section' {
        $bad = $good -replace '(?ms)(^### Example 2: [^\n]*\n)```powershell\r?\n.*?```\r?\n', '$1' -replace '(?m)^## NOTES', "## TIPS`nA tip.`n`n## NOTES"
        $message = Invoke-Converter @{ 'Get-ZcrmConnection.md' = $bad }
        $message | Should -BeLike "*Get-ZcrmConnection.md: example 'Example 2: Connect only when needed' has no *powershell code block*"
        $message | Should -BeLike "*Get-ZcrmConnection.md: unknown section '## TIPS'*"
    }

    It 'names yaml that does not match the cmdlet' {
        $connect = Get-Content -Raw -LiteralPath (Join-Path (Get-ZcrmRepoRoot) 'docs/en-US/Connect-Zcrm.md')
        $bad = $connect -replace '(?ms)(^### -ClientId\r?\n.*?Required: )True', '$1False'
        Invoke-Converter @{ 'Connect-Zcrm.md' = $bad } | Should -BeLike "*Connect-Zcrm.md: -ClientId's yaml says Required: 'False', the cmdlet declares 'True'*"
    }
}
