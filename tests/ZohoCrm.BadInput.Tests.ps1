#Requires -Version 7.4
<#
    Pester 5 tests of bad input: a table of scripts (mass update, connection settings, bulk write rows, parameters and
    CSV/ZIP files), one It per row (-TestCases), each a clear error before any request; and the clear errors Zoho gives
    for unknown modules and fields. Part of the end-to-end suite (tests/*.Tests.ps1), the reference for the module's
    behaviour.

    Build first (./build.ps1, or `dotnet build ZohoCrm.sln`), then:  Invoke-Pester ./tests/ZohoCrm.BadInput.Tests.ps1
    Each row runs in a runspace of its own without a host (so a missing mandatory parameter fails naming it instead
    of prompting), with the variables $emu, $clientId, $clientSecret, $refreshToken, $accessToken and $bad (the folder
    of bad files the Describe makes), connected with the emulator's static access token first. The emulator's refresh
    limit is lifted (-RefreshLimit 100000). Requests are counted through the emulator's control endpoint
    (PesterHelpers.psm1).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    <#
        A new runspace without a host, the module imported, $emu, $clientId, $clientSecret, $refreshToken,
        $accessToken (the emulator's URL and credentials) and $bad set, connected with the emulator's static access
        token (an error there throws). Then -Script runs in it, a terminating error caught.
        Returns Output, Errors, Terminating, AllErrors (Errors, then Terminating), Completed and RequestsBefore /
        RequestsAfter (the emulator's recorded calls before and after -Script).
    #>
    function Invoke-InNewSession {
        param(
            [Parameter(Mandatory)][object]$Emulator,
            [Parameter(Mandatory)][string]$Script,
            [string]$Bad
        )
        $variables = @{
            emu          = $Emulator.BaseUrl
            clientId     = $Emulator.ClientId
            clientSecret = $Emulator.ClientSecret
            refreshToken = $Emulator.RefreshToken
            accessToken  = $Emulator.AccessToken
            bad          = $Bad
        }
        $connectStatic = 'Connect-Zcrm -ApiDomain $emu -AccessToken $accessToken -RetryBaseDelay ([timespan]::FromMilliseconds(20))'
        $runspace = New-ZcrmTestRunspace -Variables $variables -Script $connectStatic
        try {
            $before = Get-ZcrmRequestCount -Emulator $Emulator
            $r = Start-ZcrmRunspaceScript -Runspace $runspace -Script $Script | Receive-ZcrmRunspaceScript -TimeoutSec 120
            $after = Get-ZcrmRequestCount -Emulator $Emulator
            [pscustomobject]@{
                Output         = $r.Output
                Errors         = $r.Errors
                Terminating    = $r.Terminating
                AllErrors      = @(@($r.Errors) + @($r.Terminating) | Where-Object { $null -ne $_ })
                Completed      = $r.Completed
                RequestsBefore = $before
                RequestsAfter  = $after
            }
        }
        finally { $runspace.Dispose() }
    }
}

Describe 'Bad input' {
    BeforeAll {
        $emu = Start-ZcrmTestEmulator -RefreshLimit 100000

        # The bad files for the table, made once per run.
        $bad = (New-Item -ItemType Directory -Path ([System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "zcrm-bad-input-$([guid]::NewGuid().ToString('N').Substring(0, 8))"))).FullName
        [System.IO.File]::WriteAllText([System.IO.Path]::Combine($bad, 'ragged.csv'), "Last_Name,Email`r`na,a@x.com`r`nb`r`n")
        [System.IO.File]::WriteAllBytes([System.IO.Path]::Combine($bad, 'latin1.csv'), [System.Text.Encoding]::Latin1.GetBytes("Last_Name`r`nZo$([char]0xEB)`r`n"))
        $zip = [System.IO.Compression.ZipFile]::Open([System.IO.Path]::Combine($bad, 'two.zip'), [System.IO.Compression.ZipArchiveMode]::Create)
        try { $null = $zip.CreateEntry('a.csv'); $null = $zip.CreateEntry('b.csv') } finally { $zip.Dispose() }
        $zip = [System.IO.Compression.ZipFile]::Open([System.IO.Path]::Combine($bad, 'notcsv.zip'), [System.IO.Compression.ZipArchiveMode]::Create)
        try { $null = $zip.CreateEntry('data.xlsx') } finally { $zip.Dispose() }
        [System.IO.File]::WriteAllText([System.IO.Path]::Combine($bad, 'open-quote.csv'), "Last_Name`r`n`"never closed`r`n")
        [System.IO.File]::WriteAllText([System.IO.Path]::Combine($bad, 'empty.csv'), '')
        [System.IO.File]::WriteAllText([System.IO.Path]::Combine($bad, 'dup-header.csv'), "Last_Name,last_name`r`na,b`r`n")
        [System.IO.File]::WriteAllText([System.IO.Path]::Combine($bad, 'wide.csv'), ((1..201 | ForEach-Object { "C$_" }) -join ',') + "`r`n" + ((1..201) -join ',') + "`r`n")
        [System.IO.File]::WriteAllText([System.IO.Path]::Combine($bad, 'good.csv'), "Last_Name`r`nok`r`n")
        # UTF-16 without a byte order mark (Encoding.GetBytes writes none), little- and big-endian.
        [System.IO.File]::WriteAllBytes([System.IO.Path]::Combine($bad, 'utf16le.csv'), [System.Text.Encoding]::Unicode.GetBytes("Last_Name,Email`r`nSmith,s@x.com`r`n"))
        [System.IO.File]::WriteAllBytes([System.IO.Path]::Combine($bad, 'utf16be.csv'), [System.Text.Encoding]::BigEndianUnicode.GetBytes("Last_Name,Email`r`nSmith,s@x.com`r`n"))
        # An encrypted ZIP: the flag zip -e sets (bit 0 of each entry's flags, in its local header and the central directory).
        $zip = [System.IO.Compression.ZipFile]::Open([System.IO.Path]::Combine($bad, 'encrypted.zip'), [System.IO.Compression.ZipArchiveMode]::Create)
        try { $w = [System.IO.StreamWriter]::new($zip.CreateEntry('leads.csv').Open()); $w.Write("Last_Name`r`nSmith`r`n"); $w.Dispose() } finally { $zip.Dispose() }
        $bytes = [System.IO.File]::ReadAllBytes([System.IO.Path]::Combine($bad, 'encrypted.zip'))
        for ($i = 0; $i + 10 -lt $bytes.Length; $i++) {
            if ($bytes[$i] -eq 0x50 -and $bytes[$i + 1] -eq 0x4B -and $bytes[$i + 2] -eq 3 -and $bytes[$i + 3] -eq 4) { $bytes[$i + 6] = $bytes[$i + 6] -bor 1 }
            if ($bytes[$i] -eq 0x50 -and $bytes[$i + 1] -eq 0x4B -and $bytes[$i + 2] -eq 1 -and $bytes[$i + 3] -eq 2) { $bytes[$i + 8] = $bytes[$i + 8] -bor 1 }
        }
        [System.IO.File]::WriteAllBytes([System.IO.Path]::Combine($bad, 'encrypted.zip'), $bytes)
        # A zip bomb: a few KB whose one cell expands to 20 million characters (the reader stops at 16 Mi).
        $zip = [System.IO.Compression.ZipFile]::Open([System.IO.Path]::Combine($bad, 'bomb.zip'), [System.IO.Compression.ZipArchiveMode]::Create)
        try {
            $w = [System.IO.StreamWriter]::new($zip.CreateEntry('leads.csv').Open())
            $w.Write("Last_Name,Description`r`nSmith,")
            $block = [string]::new([char]'a', 1000000)
            for ($i = 0; $i -lt 20; $i++) { $w.Write($block) }
            $w.Write("`r`n"); $w.Dispose()
        }
        finally { $zip.Dispose() }
    }
    AfterAll {
        Stop-ZcrmTestEmulator -Emulator $emu
        if ($bad) { Remove-Item -LiteralPath $bad -Recurse -Force -ErrorAction SilentlyContinue }
    }

    # Bad_input_gives_a_clear_error_before_any_request: each gives a clear error naming the problem, sends no request
    # when the module can see the problem itself, and shows no .NET stack trace. (Bad answers from the server are in
    # ZohoCrm.Reliability.Tests.ps1, 'turns a broken answer ... into a clear error without a stack trace'.)
    It 'gives a clear error before any request: <Script>' -TestCases @(
        # Mass update
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{} -Id 738964000002131001 -Force'; ErrorId = 'ZohoCrm.NoField'; Text = '-Data has no field' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot''; Industry = ''x'' } -Id 738964000002131001 -Force'; ErrorId = 'ZohoCrm.TooManyFields'; Text = 'at most 1 field' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Deals -Data @{ Stage = ''a''; Amount = 1; Probability = 2; Closing_Date = ''2024-01-01'' } -Id 1 -Force'; ErrorId = 'ZohoCrm.TooManyFields'; Text = 'at most 3 fields' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -Id ''abc'' -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = '''abc'' is not a Zoho id' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -Id (''9'' * 31) -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = 'is not a Zoho id' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -Id '''' -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = 'Id' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module '''' -Data @{ Rating = ''Hot'' } -Id 1 -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = 'Module' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module ''Le ads'' -Data @{ Rating = ''Hot'' } -Id 1 -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = 'is not a module API name' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ ''Lead Status'' = ''Hot'' } -Id 1 -Force'; ErrorId = 'ZohoCrm.InvalidFieldName'; Text = 'not a field API name' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Annual_Revenue = [double]::NaN } -Id 1 -Force'; ErrorId = 'ZohoCrm.InvalidValue'; Text = 'Annual_Revenue' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data ''Rating=Hot'' -Id 1 -Force'; ErrorId = 'CannotConvertArgumentNoMessage'; Text = 'Data' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -Force'; ErrorId = ''; Text = 'Id' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -Id 1 -BatchSize 0 -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = 'BatchSize' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -Id 1 -BatchSize 501 -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = 'BatchSize' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -Id 1 -BatchSize many -Force'; ErrorId = 'CannotConvertArgumentNoMessage'; Text = 'BatchSize' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -CustomViewId 1 -IncludeChildTerritories -Force'; ErrorId = 'ZohoCrm.MissingTerritory'; Text = '-TerritoryId' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -CustomViewId 1 -Timeout 5 -Force'; ErrorId = 'ZohoCrm.TimeoutWithoutWait'; Text = '-Wait' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -CustomViewId 1 -Wait -Timeout -1 -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = 'Timeout' }
        # Mass update: strict ids, names and values (a trailing newline is what Get-Content -Raw gives; Unicode digits
        # are what \d let in; both are shown as PowerShell escapes)
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -Id "738964000002131001`n" -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = '''738964000002131001`n'' is not a Zoho id' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -Id ([string][char]0x661 + [char]0x662 + [char]0x663) -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = '''`u{0661}`u{0662}`u{0663}'' is not a Zoho id' }
        @{ Script = '"738964000002131001`r`n" | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = '''738964000002131001`r`n'' is not a Zoho id' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module "Leads`n" -Data @{ Rating = ''Hot'' } -Id 1 -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = '''Leads`n'' is not a module API name' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = ''Hot'' } -CustomViewId "1`n" -Force'; ErrorId = 'ParameterArgumentValidationError'; Text = 'CustomViewId' }
        @{ Script = 'Get-ZcrmMassUpdateJob -Module Leads -JobId "1`n"'; ErrorId = 'ParameterArgumentValidationError'; Text = '''1`n'' is not a Zoho id' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ "Rating`n" = ''Hot'' } -Id 1 -Force'; ErrorId = 'ZohoCrm.InvalidFieldName'; Text = '-Data key ''Rating`n'' is not a field API name' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = { ''Hot'' } } -Id 1 -Force'; ErrorId = 'ZohoCrm.InvalidValueType'; Text = 'The value of ''Rating'' is a System.Management.Automation.ScriptBlock' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = (Get-Item "$bad/good.csv") } -Id 1 -Force'; ErrorId = 'ZohoCrm.InvalidValueType'; Text = 'The value of ''Rating'' is a System.IO.FileInfo' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = (Get-Process -Id $PID) } -Id 1 -Force'; ErrorId = 'ZohoCrm.InvalidValueType'; Text = 'The value of ''Rating'' is a System.Diagnostics.Process' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Interests = @(''AI'', { 1 }) } -Id 1 -Force'; ErrorId = 'ZohoCrm.InvalidValueType'; Text = 'The value of ''Interests[]'' is a System.Management.Automation.ScriptBlock' }
        # Bulk write: pipeline input and parameters
        @{ Script = '@{ Last_Name = ''a'' }, @{ Last_Name = ''b''; Extra = 1 } | New-ZcrmBulkWriteJob Leads'; ErrorId = 'ZohoCrm.UnknownColumn'; Text = 'Row 2 has the property ''Extra''' }
        @{ Script = '[pscustomobject]@{ Last_Name = ''a'' }, ([pscustomobject]@{ Last_Name = ''b'' } | Add-Member -PassThru ScriptProperty Extra { 1 }) | New-ZcrmBulkWriteJob Leads'; ErrorId = 'ZohoCrm.UnknownColumn'; Text = 'Row 2 has the property ''Extra''' }
        @{ Script = 'Update-TypeData -TypeName ZohoCrm.Tests.ExtraRow -MemberType NoteProperty -MemberName Extra -Value 1 -Force; [pscustomobject]@{ Last_Name = ''a'' }, [pscustomobject]@{ PSTypeName = ''ZohoCrm.Tests.ExtraRow''; Last_Name = ''b'' } | New-ZcrmBulkWriteJob Leads'; ErrorId = 'ZohoCrm.UnknownColumn'; Text = 'Row 2 has the property ''Extra''' }
        @{ Script = '@{ Last_Name = ''a'' }, $null | New-ZcrmBulkWriteJob Leads'; ErrorId = 'ZohoCrm.NullRow'; Text = 'Row 2 of the input is $null' }
        @{ Script = '@{ Email = ''a@b.c'' } | New-ZcrmBulkWriteJob Contacts -Operation update'; ErrorId = 'ZohoCrm.FindByRequired'; Text = '-FindBy' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -Operation delete'; ErrorId = 'ParameterArgumentValidationError'; Text = 'Operation' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -CallbackUrl /relative/path'; ErrorId = 'ZohoCrm.InvalidCallbackUrl'; Text = 'not an absolute http(s) URL' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -CallbackUrl ftp://example.com/x'; ErrorId = 'ZohoCrm.InvalidCallbackUrl'; Text = 'ftp://example.com/x' }
        @{ Script = '$o = [ordered]@{}; 1..201 | ForEach-Object { $o["C$_"] = $_ }; $o | New-ZcrmBulkWriteJob Leads'; ErrorId = 'ZohoCrm.TooManyColumns'; Text = '201 columns' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Name = ''Nope'' }'; ErrorId = 'ZohoCrm.InvalidFieldMapping'; Text = 'column ''Nope''' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Name = @{ Col = ''Last_Name'' } }'; ErrorId = 'ZohoCrm.InvalidFieldMapping'; Text = 'unknown key ''Col''' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Name = @{ Column = ''Last_Name''; Index = 0 } }'; ErrorId = 'ZohoCrm.InvalidFieldMapping'; Text = 'both Column and Index' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Name = 7 }'; ErrorId = 'ZohoCrm.InvalidFieldMapping'; Text = 'column index 7' }
        @{ Script = '@{ Last_Name = @{ nested = 1 } } | New-ZcrmBulkWriteJob Leads'; ErrorId = 'ZohoCrm.InvalidValue'; Text = 'Account_Name.id' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -Timeout 5'; ErrorId = 'ZohoCrm.TimeoutWithoutWait'; Text = '-Wait' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -CharacterEncoding utf-8'; ErrorId = 'ZohoCrm.EncodingNotApplicable'; Text = '-CharacterEncoding' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -FileId 12ab'; ErrorId = 'ParameterArgumentValidationError'; Text = 'is not a Zoho id' }
        # Bulk write: strict ids and names, values with a meaning, field mappings that are what they say
        @{ Script = 'New-ZcrmBulkWriteJob Leads -FileId "4150868000005364001`n"'; ErrorId = 'ParameterArgumentValidationError'; Text = '''4150868000005364001`n'' is not a Zoho id' }
        @{ Script = 'New-ZcrmBulkWriteJob "Leads`n" -Path "$bad/good.csv"'; ErrorId = 'ParameterArgumentValidationError'; Text = '''Leads`n'' is not a module API name' }
        @{ Script = 'Get-ZcrmBulkWriteJob -JobId "4150868000005392002`n"'; ErrorId = 'ParameterArgumentValidationError'; Text = '''4150868000005392002`n'' is not a Zoho id' }
        @{ Script = '"4150868000005392002`n" | Get-ZcrmBulkWriteJob'; ErrorId = 'ParameterArgumentValidationError'; Text = '''4150868000005392002`n'' is not a Zoho id' }
        @{ Script = 'Get-ZcrmBulkWriteResult -JobId ([string][char]0x967)'; ErrorId = 'ParameterArgumentValidationError'; Text = '''`u{0967}'' is not a Zoho id' }
        @{ Script = '''Smith'' | New-ZcrmBulkWriteJob Leads'; ErrorId = 'ZohoCrm.NotARow'; Text = 'The piped System.String ''Smith'' is neither a row' }
        @{ Script = '@{ Last_Name = { ''x'' } } | New-ZcrmBulkWriteJob Leads'; ErrorId = 'ZohoCrm.InvalidValueType'; Text = 'Row 1, column ''Last_Name'' is a System.Management.Automation.ScriptBlock' }
        @{ Script = '@{ Last_Name = ''a'' }, @{ Last_Name = (Get-Item "$bad/good.csv") } | New-ZcrmBulkWriteJob Leads'; ErrorId = 'ZohoCrm.InvalidValueType'; Text = 'Row 2, column ''Last_Name'' is a System.IO.FileInfo' }
        @{ Script = '[pscustomobject]@{ Last_Name = (Get-Process -Id $PID) } | New-ZcrmBulkWriteJob Leads'; ErrorId = 'ZohoCrm.InvalidValueType'; Text = 'Row 1, column ''Last_Name'' is a System.Diagnostics.Process' }
        @{ Script = '@{ Last_Name = ''a''; Interests = @(''AI'', @(''b'', ''c'')) } | New-ZcrmBulkWriteJob Leads'; ErrorId = 'ZohoCrm.InvalidValue'; Text = 'column ''Interests'' holds a list inside a list' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Name = @{ Index = ''abc'' } }'; ErrorId = 'ZohoCrm.InvalidFieldMapping'; Text = 'the Index of ''Last_Name'' is ''abc''' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Name = 99999999999 }'; ErrorId = 'ZohoCrm.InvalidFieldMapping'; Text = 'column index 99999999999, but it must be one of the input''s 1 columns (0 to 0)' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Name = @{ Index = [int64]::MaxValue } }'; ErrorId = 'ZohoCrm.InvalidFieldMapping'; Text = 'column index 9223372036854775807' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Name = @{ Column = ''Last_Name''; Format = ''%'' } }'; ErrorId = 'ZohoCrm.InvalidFieldMapping'; Text = 'the Format ''%'' of ''Last_Name'' is not a date format' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ "Last_Name`n" = ''Last_Name'' }'; ErrorId = 'ZohoCrm.InvalidFieldMapping'; Text = '''Last_Name`n'' is not a field API name' }
        @{ Script = '@{ Owner = ''1'' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Owner = @{ Column = ''Owner''; FindBy = "id`n" } }'; ErrorId = 'ZohoCrm.InvalidFieldMapping'; Text = 'the FindBy ''id`n'' of ''Owner''' }
        @{ Script = '@{ Email = ''a@b.c'' } | New-ZcrmBulkWriteJob Contacts -Operation update -FindBy "Email`n"'; ErrorId = 'ZohoCrm.InvalidFieldName'; Text = '-FindBy ''Email`n'' is not a field API name' }
        # Bulk write: files
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path ./does-not-exist.csv'; ErrorId = 'ZohoCrm.FileNotFound'; Text = 'does-not-exist.csv' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/ragged.csv"'; ErrorId = 'ZohoCrm.RaggedRow'; Text = 'Row 2 (line 3)' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/latin1.csv"'; ErrorId = 'ZohoCrm.InvalidEncoding'; Text = '-CharacterEncoding' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/good.csv" -CharacterEncoding klingon'; ErrorId = 'ZohoCrm.UnknownEncoding'; Text = 'klingon' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/two.zip"'; ErrorId = 'ZohoCrm.InvalidZip'; Text = '2 file(s)' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/notcsv.zip"'; ErrorId = 'ZohoCrm.InvalidZip'; Text = 'exactly one .csv' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/open-quote.csv"'; ErrorId = 'ZohoCrm.InvalidCsv'; Text = 'quoted field' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/empty.csv"'; ErrorId = 'ZohoCrm.EmptyCsv'; Text = 'is empty' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/dup-header.csv"'; ErrorId = 'ZohoCrm.DuplicateColumn'; Text = 'twice' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/wide.csv"'; ErrorId = 'ZohoCrm.TooManyColumns'; Text = '201 columns' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/utf16le.csv"'; ErrorId = 'ZohoCrm.InvalidEncoding'; Text = 'looks like UTF-16 text without a byte order mark' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/utf16be.csv"'; ErrorId = 'ZohoCrm.InvalidEncoding'; Text = '-CharacterEncoding utf-16' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/encrypted.zip"'; ErrorId = 'ZohoCrm.EncryptedZip'; Text = 'is an encrypted (password-protected) ZIP' }
        @{ Script = 'New-ZcrmBulkWriteJob Leads -Path "$bad/bomb.zip"'; ErrorId = 'ZohoCrm.RowTooLarge'; Text = 'Row 1 (line 2), column ''Description'', of' }
        # A row that zips past Zoho's 25 MB on its own (27 MB of random bytes as base64), refused before any upload.
        @{ Script = '$b = [byte[]]::new(27000000); [System.Random]::new(1).NextBytes($b); @{ Last_Name = ''a''; Description = [convert]::ToBase64String($b) } | New-ZcrmBulkWriteJob Leads'; ErrorId = 'ZohoCrm.RowTooLarge'; Text = 'Row 1 zips to 27.' }
        # Connection
        @{ Script = 'Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -ApiDomain http://crm.example.com'; ErrorId = 'ZohoCrm.InsecureUrl'; Text = 'plain http' }
        @{ Script = 'Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -AccountsUrl http://10.1.2.3'; ErrorId = 'ZohoCrm.InsecureUrl'; Text = '-AccountsUrl' }
        @{ Script = 'Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -ApiDomain crm.example.com'; ErrorId = 'ZohoCrm.InvalidUrl'; Text = 'not an absolute http(s) URL' }
        @{ Script = 'Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -ApiDomain ftp://crm.example.com'; ErrorId = 'ZohoCrm.InvalidUrl'; Text = '-ApiDomain' }
        @{ Script = 'Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -ApiDomain ''https://me:pw@crm.example.com'''; ErrorId = 'ZohoCrm.InvalidUrl'; Text = 'without user info' }
        @{ Script = 'Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -ApiVersion 8'; ErrorId = 'ParameterArgumentValidationError'; Text = 'ApiVersion' }
        @{ Script = 'Connect-Zcrm -ApiDomain $emu -AccessToken $accessToken -ApiVersion "v8`n"'; ErrorId = 'ParameterArgumentValidationError'; Text = '''v8`n'' is not a Zoho API version' }
        @{ Script = 'Connect-Zcrm -ApiDomain $emu -AccessToken $accessToken -OrgId "4150868000000225013`n"'; ErrorId = 'ParameterArgumentValidationError'; Text = '''4150868000000225013`n'' is not a Zoho org id' }
        @{ Script = 'Connect-Zcrm -ApiDomain $emu -AccessToken $accessToken -OrgId ([string][char]0xFF11 + [char]0xFF12)'; ErrorId = 'ParameterArgumentValidationError'; Text = 'OrgId' }
        @{ Script = 'Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -DataCenter XX'; ErrorId = 'CannotConvertArgumentNoMessage'; Text = 'DataCenter' }
        @{ Script = 'Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -TimeoutSec 0'; ErrorId = 'ParameterArgumentValidationError'; Text = 'TimeoutSec' }
        @{ Script = 'Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -RetryBaseDelay ''00:05:00'''; ErrorId = 'ZohoCrm.InvalidRetryDelay'; Text = '-RetryBaseDelay' }
        @{ Script = 'Connect-Zcrm -ClientId $clientId -ClientSecret $clientSecret -RefreshToken ([securestring]::new())'; ErrorId = 'ZohoCrm.EmptyToken'; Text = '-RefreshToken is empty' }
        @{ Script = 'Connect-Zcrm -AccessToken $accessToken -ClientId $clientId'; ErrorId = 'AmbiguousParameterSet'; Text = 'Parameter set cannot be resolved' }
        ) {
        $r = Invoke-InNewSession -Emulator $emu -Script $Script -Bad $bad
        $r.Completed | Should -BeTrue
        $r.AllErrors | Should -Not -HaveCount 0
        $err = $r.AllErrors[0]
        $err.FullyQualifiedErrorId | Should -BeLikeExactly "$([WildcardPattern]::Escape($ErrorId))*"
        $err.Exception.Message | Should -BeLikeExactly "*$([WildcardPattern]::Escape($Text))*"
        $err.Exception.Message | Should -Not -BeLikeExactly '*   at *'
        @($r.Output | Where-Object { $_.PSObject.BaseObject.GetType().FullName.StartsWith('ZohoCrm.', [System.StringComparison]::Ordinal) }) |
            Should -HaveCount 0
        $r.RequestsAfter | Should -Be $r.RequestsBefore
    }

    # Outside UTC a [datetime]::MaxValue has no instant (west of UTC it would be past year 9999): a clear error naming
    # the field, not ArgumentOutOfRangeException. The zone is set through $env:TZ, which .NET reads on Linux and macOS.
    It 'refuses a [datetime] with no instant in this time zone before any request' -Skip:$IsWindows {
        $saved = $env:TZ
        try {
            $env:TZ = 'America/New_York'; [System.TimeZoneInfo]::ClearCachedData()
            $r = Invoke-InNewSession -Emulator $emu -Bad $bad -Script 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Last_Contacted = [datetime]::MaxValue } -Id 1 -Force'
        }
        finally { $env:TZ = $saved; [System.TimeZoneInfo]::ClearCachedData() }
        $r.AllErrors | Should -HaveCount 1
        $r.AllErrors[0].FullyQualifiedErrorId | Should -BeLikeExactly 'ZohoCrm.InvalidValue,*'
        $r.AllErrors[0].Exception.Message | Should -BeLikeExactly "*The value of 'Last_Contacted': 9999-12-31 23:59:59*"
        $r.AllErrors[0].Exception.Message | Should -Not -BeLikeExactly '*ArgumentOutOfRange*'
        $r.RequestsAfter | Should -Be $r.RequestsBefore
    }

    # Unknown_modules_and_fields_are_Zohos_clear_errors: the module cannot know a module's or a field's name; Zoho's
    # answer is the one clear error.
    It 'passes on Zoho''s clear error <ErrorId>: <Script>' -TestCases @(
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leadz -Data @{ Rating = ''Hot'' } -Id 738964000002131001 -Force -SkipMetadataCheck'; ErrorId = 'INVALID_MODULE'; Text = 'the module name given seems to be invalid' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ Ratingg = ''Hot'' } -Id 738964000002131001 -Force -SkipMetadataCheck'; ErrorId = 'INVALID_DATA'; Text = 'Ratingg' }
        @{ Script = 'Invoke-ZcrmMassUpdate -Module Leads -Data @{ No_of_Employees = ''many'' } -Id 738964000002131001 -Force -SkipMetadataCheck'; ErrorId = 'INVALID_DATA'; Text = 'No_of_Employees' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leadz -SkipMetadataCheck'; ErrorId = 'MODULE_NOT_AVAILABLE'; Text = 'Leadz' }
        @{ Script = '@{ Last_Name = ''a'' } | New-ZcrmBulkWriteJob Leads -FieldMapping @{ Last_Namez = ''Last_Name'' } -SkipMetadataCheck'; ErrorId = 'INVALID_FIELD_NAME'; Text = 'Last_Namez' }
        ) {
        $r = Invoke-InNewSession -Emulator $emu -Script $Script -Bad $bad
        $r.Completed | Should -BeTrue
        $r.AllErrors | Should -HaveCount 1
        $err = $r.AllErrors[0]
        $err.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly $ErrorId
        $err.Exception.Message | Should -BeLikeExactly "*$([WildcardPattern]::Escape($Text))*"
        $err.Exception.Message | Should -Not -BeLikeExactly '*   at *'
    }
}
