@{
    RootModule        = 'OtherJson.psm1'
    ModuleVersion     = '1.0.0'
    GUID              = '6a0f3f4e-51c1-4f5e-9d7e-2f7c1a9e0b11'
    Description       = 'Test fixture: a module with its own System.Text.Json 11 in its own AssemblyLoadContext.'
    PowerShellVersion = '7.4'
    CmdletsToExport   = @('ConvertTo-OtherJson')
    FunctionsToExport = @()
}
