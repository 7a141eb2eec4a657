#Requires -Version 7.4
<#
    Pester 5 tests of the bounds on what a server sends back (README "Reliability and security"): a JSON answer or a
    result download that never ends fails with ZohoCrm.AnswerTooLarge after about its bound, is not sent again and
    leaves no file. (A body trickling one byte a second, TrickleBody, is with the other timeouts in
    ZohoCrm.Reliability.Tests.ps1.) The hostile servers are the emulator's fault kinds EndlessJsonBody and
    EndlessDownload (src/ZohoCrm.Emulator/Http/HostileBodies.cs), which
    log the bytes they sent once the caller went away (a loose count: socket buffers on loopback hold tens of MB, so
    what the module read is taken from its own count, the error's Data['BytesRead']).

    No timing is asserted tighter than several seconds and memory only as a generous sanity bound: the machine is
    shared; what is asserted exactly is the error, the number of requests, the file and the bytes sent.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'PesterHelpers.psm1') -Force -ErrorAction Stop
    Import-ZcrmModuleUnderTest

    # An emulator of its own, this runspace connected with the refresh token plus -Connect.
    function Start-BoundsHarness {
        param([hashtable]$Emulator = @{}, [hashtable]$Connect = @{})
        $started = Start-ZcrmTestEmulator -RefreshLimit 100000 @Emulator
        try {
            $refresh = Get-ZcrmRefreshParameter -Emulator $started -Extra $Connect
            Assert-ZcrmNoError (Invoke-ZcrmCaptured { Connect-Zcrm @refresh })
        }
        catch {
            Stop-ZcrmTestEmulator -Emulator $started
            throw
        }
        $started
    }

    function Get-RequestTo {
        param([Parameter(Mandatory)][object]$Emulator, [Parameter(Mandatory)][string]$PathPart)
        @(Get-ZcrmEmulatorRequest -Emulator $Emulator | Where-Object { $_.path.Contains($PathPart) })
    }
}

Describe 'Bounded answers' {

    It 'refuses an endless JSON answer at the default 64 MB bound: one call, not retried, memory bounded' {
        # Without the bound the process grew to 2 GB and the call was then retried.
        $emu = Start-BoundsHarness -Connect @{ MaxRetryCount = 3 }
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind EndlessJsonBody -PathContains '/actions/mass_update'
            $r = Invoke-ZcrmCaptured { Get-ZcrmMassUpdateJob Leads 1 }
            $r.Terminating | Should -BeNullOrEmpty -Because 'the error is about one call: non-terminating'
            $r.Errors | Should -HaveCount 1
            $e = $r.Errors[0]
            $e.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'ZohoCrm.AnswerTooLarge'
            $e.CategoryInfo.Category | Should -Be 'LimitsExceeded'
            $e.Exception.Message | Should -BeLikeExactly "*GET $($emu.BaseUrl)/crm/v8/Leads/actions/mass_update sent more than 64 MB*"
            $e.Exception.Message | Should -BeLikeExactly '*not retried*-MaxResponseSizeMB (now 64)*'
            $e.Exception.Message | Should -Not -BeLikeExactly '*job_id*' -Because 'the URL is named without its query'
            Get-RequestTo -Emulator $emu -PathPart '/actions/mass_update' | Should -HaveCount 1 -Because 'a refused answer is not asked for again'
            $e.Exception.Data['BytesRead'] | Should -Be (64MB + 1) -Because 'reading stopped at the first byte past the bound (the module counts what it read)'
            $null = Wait-ZcrmEmulatorInjectedFault -Emulator $emu -Kind EndlessJsonBody
            # A sanity bound only (this process peaked at ~270 MB in this test; without the bound it passed 1.2 GB).
            [System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 | Should -BeLessThan (1GB)
        }
        finally { Disconnect-Zcrm; Stop-ZcrmTestEmulator -Emulator $emu }
    }

    It 'honours -MaxResponseSizeMB for JSON answers' {
        $emu = Start-BoundsHarness -Connect @{ MaxResponseSizeMB = 2 }
        try {
            (Get-ZcrmConnection).MaxResponseSizeMB | Should -Be 2
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind EndlessJsonBody -PathContains '/actions/mass_update' -Times 1
            $r = Invoke-ZcrmCaptured { Get-ZcrmMassUpdateJob Leads 1 }
            $r.Errors | Should -HaveCount 1
            $r.Errors[0].Exception.Message | Should -BeLikeExactly '*more than 2 MB*(now 2)*'
            $r.Errors[0].Exception.Data['BytesRead'] | Should -Be (2MB + 1)
            # The rule is spent: an ordinary answer, well under 2 MB, passes.
            $ok = Invoke-ZcrmCaptured { '738964000002131001' | Invoke-ZcrmMassUpdate Leads @{ No_of_Employees = 5 } -Force }
            Assert-ZcrmNoError $ok
            $ok.Output.Status | Should -Be 'success'
        }
        finally { Disconnect-Zcrm; Stop-ZcrmTestEmulator -Emulator $emu }
    }

    It 'stops reading an endless token answer at -MaxResponseSizeMB too' {
        # HttpClient reads the token answer whole, within MaxResponseContentBufferSize. Not yet reported as
        # AnswerTooLarge: the token refresh's own error handling (TokenProviders.cs) calls it a connection failure and
        # tries 3 times. Asserted here: it ends, without growing the process, within those 3 tries.
        $emu = Start-ZcrmTestEmulator -RefreshLimit 100000
        try {
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind EndlessJsonBody -PathContains '/oauth/v2/token'
            $refresh = Get-ZcrmRefreshParameter -Emulator $emu -Extra @{ MaxResponseSizeMB = 2 }
            $r = Invoke-ZcrmCaptured { Connect-Zcrm @refresh }
            $r.AllErrors | Should -HaveCount 1
            $r.AllErrors[0].FullyQualifiedErrorId.Split(',')[0] | Should -BeIn @('ZohoCrm.ConnectionFailed', 'ZohoCrm.AnswerTooLarge')
            $r.AllErrors[0].Exception.Message | Should -BeLikeExactly '*2097152*'
            Get-ZcrmConnection | Should -BeNullOrEmpty
            @(Get-RequestTo -Emulator $emu -PathPart '/oauth/v2/token').Count | Should -BeLessOrEqual 3
            [System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 | Should -BeLessThan (1GB)
        }
        finally { Stop-ZcrmTestEmulator -Emulator $emu }
    }

    It 'refuses an endless result download past its bound, deletes the partial file, and does not download again' {
        # Without the bound an endless download wrote a 3.8 GB file. Bound here: 1 MB plus 8 KB for each of the 5 rows.
        $emu = Start-BoundsHarness -Emulator @{ BulkStepMs = 50 } -Connect @{ MaxResponseSizeMB = 1; MaxRetryCount = 3 }
        $out = Join-Path ([System.IO.Path]::GetTempPath()) "zcrm-bounds-$([guid]::NewGuid().ToString('N')).zip"
        try {
            $created = Invoke-ZcrmCaptured { 1..5 | ForEach-Object { @{ Last_Name = "Endless $_" } } | New-ZcrmBulkWriteJob Leads -Wait }
            Assert-ZcrmNoError $created
            $job = @($created.Output | Select-ZcrmOutput BulkWriteJob)[0]
            $null = Add-ZcrmEmulatorFault -Emulator $emu -Kind EndlessDownload -PathContains '.zip'
            $r = Invoke-ZcrmCaptured { $job | Get-ZcrmBulkWriteResult -OutFile $out }
            $r.Terminating | Should -BeNullOrEmpty
            $r.Output | Should -HaveCount 0
            $r.Errors | Should -HaveCount 1
            $e = $r.Errors[0]
            $e.FullyQualifiedErrorId.Split(',')[0] | Should -BeExactly 'ZohoCrm.AnswerTooLarge'
            $e.TargetObject | Should -Be $job.JobId
            $e.Exception.Message | Should -BeLikeExactly '*more than 1 MB (the bound for the result of a 5-row job: -MaxResponseSizeMB plus 8 KB a row)*'
            $e.Exception.Message | Should -BeLikeExactly '*partial file was deleted*-MaxResponseSizeMB (now 1)*'
            Test-Path -LiteralPath $out | Should -BeFalse
            Get-RequestTo -Emulator $emu -PathPart '.zip' | Should -HaveCount 1
            $e.Exception.Data['LimitBytes'] | Should -Be (1MB + 5 * 8KB)
            $e.Exception.Data['BytesRead'] | Should -Be (1MB + 5 * 8KB + 1)
            $null = Wait-ZcrmEmulatorInjectedFault -Emulator $emu -Kind EndlessDownload
        }
        finally {
            Remove-Item -LiteralPath $out -ErrorAction SilentlyContinue
            Disconnect-Zcrm; Stop-ZcrmTestEmulator -Emulator $emu
        }
    }
}
