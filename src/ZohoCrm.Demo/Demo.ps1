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

#region Bulk write 30,000 Leads from the pipeline: split into two Zoho jobs, one result per row
$rows = 1..30000 | ForEach-Object { [pscustomobject]@{ Last_Name = "Demo lead $_"; Company = 'Demo Inc'; Email = "demo$_@example.com" } }
$rows[99].Last_Name = ''                      # row 100: Zoho will skip it (Last_Name is mandatory)
$rows[200].Email = 'demo1@example.com'        # row 201: a duplicate of row 1's unique Email
$jobs = $rows | New-ZcrmBulkWriteJob -Module Leads -Wait
$jobs
#endregion

#region The rows Zoho skipped, numbered as in the input, ready for Export-Csv
$results = $jobs | Get-ZcrmBulkWriteResult
'{0} result rows: {1} added, {2} skipped' -f $results.Count, ($results | Where-Object Status -eq 'added').Count, ($results | Where-Object Status -eq 'skipped').Count
$results | Where-Object Status -eq 'skipped'
#endregion
