# The main job, run against the local emulator. Each "#region" is one step the demo prints.
# Variables set by the demo host: $emu (emulator URL), $clientId, $clientSecret, $refreshToken (SecureStrings).

#region Connect with the OAuth refresh-token flow
Connect-Zcrm -ApiDomain $emu -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -PassThru
#endregion

#region Mass update four Leads by id: two succeed, one is not approved, one is locked
$ids = '738964000002131001', '738964000002130131', '1306462000000496025', '475243000003269880'
$results = $ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Lead_Status = 'Contacted' } -Force
$results
#endregion

#region Only the failures, as a scheduled task would report them
$results | Where-Object Status -eq 'error'
#endregion

#region Mass update a custom view (a scheduled Zoho job) and wait for it
Invoke-ZcrmMassUpdate -Module Leads -Data @{ Rating = 'Hot' } -CustomViewId 738964000000091570 -Force |
    Get-ZcrmMassUpdateJob -Wait
#endregion
