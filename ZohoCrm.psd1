@{
    RootModule           = 'ZohoCrm.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '3c6f5a8e-2b1d-4f7a-9e3c-8d4b6a1f0e27'
    Author               = 'ZohoCrm contributors'
    CompanyName          = 'ZohoCrm'
    Copyright            = '(c) ZohoCrm contributors. MIT License.'
    Description          = 'Change Zoho CRM data in bulk from PowerShell: mass update by record ids or custom view, and bulk write (insert, update, upsert) from CSV files or pipeline objects, split over as many jobs as needed, with one result per row. Batching, retries and token refresh built in. Needs Windows PowerShell 5.1 or PowerShell 7.4+.'
    # Windows PowerShell 5.1 (Desktop) or PowerShell 7.4+ (Core). A manifest holds one minimum for both editions,
    # so ZohoCrm.dll itself refuses PowerShell 7.0-7.3 at import (out of support, untested). Tested: pwsh 7.6.9.
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('ZohoCrm.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Connect-Zcrm'
        'Disconnect-Zcrm'
        'Get-ZcrmConnection'
        'Invoke-ZcrmMassUpdate'
        'Get-ZcrmMassUpdateJob'
        'Resume-ZcrmMassUpdateRun'
        'New-ZcrmBulkWriteJob'
        'Get-ZcrmBulkWriteJob'
        'Get-ZcrmBulkWriteResult'
        'Resume-ZcrmBulkWriteRun'
        'Get-ZcrmModule'
        'Get-ZcrmField'
        'Get-ZcrmCustomView'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Zoho', 'ZohoCRM', 'CRM', 'MassUpdate', 'BulkWrite', 'Bulk', 'API', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            # ProjectUri, LicenseUri, ReleaseNotes (and HelpInfoUri, after ModuleVersion) are added to the package's
            # copy of this manifest by `build.ps1 -Task Package`: the URIs from its -ProjectUri, the notes from CHANGELOG.md.
        }
    }
}
