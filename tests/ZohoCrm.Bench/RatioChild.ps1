# One measurement of the ratios run (Ratios.cs), in a fresh pwsh process: the module or the pwsh script an admin
# would write, against the emulator the parent hosts. Prints "RESULT {json}" with ms = the timed part only (setup such
# as building the input rows, connecting or creating the job to read is not timed), or "ERROR ..." and exit code 1.
param(
    [Parameter(Mandatory)] [string] $Scenario,
    [Parameter(Mandatory)] [string] $Url,
    [string] $Manifest,
    [int] $Rows = 100000,
    [string] $Tag = 'x',
    [string] $IdsFile,
    [string] $Extra,
    [string] $ClientId,
    [string] $ClientSecret,
    [string] $RefreshToken,
    [string] $OrgId
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue' # Compress-Archive and Invoke-RestMethod would draw progress bars otherwise
Set-StrictMode -Version 3

# The rows of the ingest and result scenarios: 8 columns, emails unique per run and child (Email is a unique field
# and the emulator keeps every run's records).
function New-BenchRows([int] $Count, [string] $Tag) {
    $list = [System.Collections.Generic.List[object]]::new($Count)
    for ($i = 1; $i -le $Count; $i++) {
        $list.Add([pscustomobject]@{
                First_Name = 'Ada'; Last_Name = "Bench $i"; Email = "bench-$Tag-$i@example.com"; Company = 'Benchmark Inc'
                Phone = '+1 555 0100'; No_of_Employees = $i; Lead_Status = 'Contacted'
                Description = 'A row with a few columns, like a real lead list'
            })
    }
    , $list.ToArray()
}

function Connect-Bench {
    Import-Module $Manifest
    Connect-Zcrm -ApiDomain $Url -ClientId $ClientId -RefreshToken (ConvertTo-SecureString $RefreshToken -AsPlainText -Force) `
        -ClientSecret (ConvertTo-SecureString $ClientSecret -AsPlainText -Force)
}

# What an admin's script does first: a token from the refresh token.
function Get-BenchToken {
    $answer = Invoke-RestMethod -Method Post -Uri "$Url/oauth/v2/token" -Body @{
        grant_type = 'refresh_token'; client_id = $ClientId; client_secret = $ClientSecret; refresh_token = $RefreshToken
    }
    if (-not $answer.access_token) { throw "no access token: $($answer | ConvertTo-Json -Compress)" }
    $answer.access_token
}

function New-BenchTemp { (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "zcrm-bench-$Tag-$PID")).FullName }

# The module's own job of $Rows rows, finished (setup of the result scenarios).
function New-FinishedJob {
    $inputRows = New-BenchRows $Rows $Tag
    Connect-Bench
    $job = $inputRows | New-ZcrmBulkWriteJob -Module Leads -Force -Wait
    if (@($job).Count -ne 1) { throw "expected one job, got $(@($job).Count)" }
    $job
}

$out = [ordered]@{ scenario = $Scenario }
try {
    switch ($Scenario) {
        'ingest-module' {
            $inputRows = New-BenchRows $Rows $Tag
            Connect-Bench
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $jobs = $inputRows | New-ZcrmBulkWriteJob -Module Leads -Force
            $out.ms = $sw.Elapsed.TotalMilliseconds
            $out.count = @($jobs).Count
        }
        'ingest-script' {
            # The script an admin would write from Zoho's docs: per 25,000 rows Export-Csv, Compress-Archive, upload
            # with Invoke-RestMethod -Form (feature and X-CRM-ORG headers), then the create-job call.
            $inputRows = New-BenchRows $Rows $Tag
            $temp = New-BenchTemp
            try {
                $sw = [Diagnostics.Stopwatch]::StartNew()
                $token = Get-BenchToken
                $auth = @{ Authorization = "Zoho-oauthtoken $token" }
                $created = 0
                for ($start = 0; $start -lt $inputRows.Count; $start += 25000) {
                    $chunk = $inputRows[$start..([Math]::Min($start + 25000, $inputRows.Count) - 1)]
                    $csv = Join-Path $temp "leads-$start.csv"
                    $zip = Join-Path $temp "leads-$start.zip"
                    $chunk | Export-Csv -Path $csv -NoTypeInformation -Encoding utf8NoBOM
                    Compress-Archive -Path $csv -DestinationPath $zip -Force
                    $upload = Invoke-RestMethod -Method Post -Uri "$Url/crm/v8/upload" -Form @{ file = Get-Item $zip } `
                        -Headers ($auth + @{ feature = 'bulk-write'; 'X-CRM-ORG' = $OrgId })
                    if (-not $upload.details.file_id) { throw "upload failed: $($upload | ConvertTo-Json -Compress)" }
                    $body = @{
                        operation = 'insert'
                        resource  = @(@{ type = 'data'; module = @{ api_name = 'Leads' }; file_id = $upload.details.file_id })
                    } | ConvertTo-Json -Depth 5
                    $job = Invoke-RestMethod -Method Post -Uri "$Url/crm/bulk/v8/write" -Headers $auth -Body $body -ContentType 'application/json'
                    if ($job.status -ne 'success') { throw "create failed: $($job | ConvertTo-Json -Compress)" }
                    $created++
                }
                $out.ms = $sw.Elapsed.TotalMilliseconds
                $out.count = $created
            }
            finally { Remove-Item -LiteralPath $temp -Recurse -Force -ErrorAction SilentlyContinue }
        }
        'massupdate-module' {
            $ids = [IO.File]::ReadAllLines($IdsFile)
            Connect-Bench
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $results = $ids | Invoke-ZcrmMassUpdate -Module Leads -Data @{ Lead_Status = 'Contacted' } -Force
            $out.ms = $sw.Elapsed.TotalMilliseconds
            $out.count = @($results).Count
        }
        'massupdate-loop' {
            # A sequential loop of 500-id calls, as a script would do it.
            $ids = [IO.File]::ReadAllLines($IdsFile)
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $token = Get-BenchToken
            $auth = @{ Authorization = "Zoho-oauthtoken $token" }
            $updated = 0
            for ($start = 0; $start -lt $ids.Count; $start += 500) {
                $batch = $ids[$start..([Math]::Min($start + 500, $ids.Count) - 1)]
                $body = @{ data = @(@{ Lead_Status = 'Contacted' }); ids = $batch; over_write = $true } | ConvertTo-Json -Depth 4
                $answer = Invoke-RestMethod -Method Post -Uri "$Url/crm/v8/Leads/actions/mass_update" -Headers $auth -Body $body -ContentType 'application/json'
                $updated += @($answer.data | Where-Object status -EQ 'success').Count
            }
            $out.ms = $sw.Elapsed.TotalMilliseconds
            $out.count = $updated
        }
        'result-module' {
            $job = New-FinishedJob
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $results = $job | Get-ZcrmBulkWriteResult
            $out.ms = $sw.Elapsed.TotalMilliseconds
            $out.count = @($results).Count
        }
        'result-download' {
            # The download alone (the module's -OutFile still reads the result and writes its objects): the job's
            # details for the download URL, then the ZIP, with Invoke-RestMethod / Invoke-WebRequest. The whole cmdlet
            # minus this is the parse part.
            $job = New-FinishedJob
            $token = Get-BenchToken
            $auth = @{ Authorization = "Zoho-oauthtoken $token" }
            $temp = New-BenchTemp
            try {
                $zip = Join-Path $temp 'result.zip'
                $sw = [Diagnostics.Stopwatch]::StartNew()
                $details = Invoke-RestMethod -Uri "$Url/crm/bulk/v8/write/$($job.JobId)" -Headers $auth
                $link = @($details.result)[0].download_url
                if (-not $link) { throw "no download_url: $($details | ConvertTo-Json -Compress -Depth 5)" }
                Invoke-WebRequest -Uri $link -Headers $auth -OutFile $zip
                $out.ms = $sw.Elapsed.TotalMilliseconds
                $out.count = (Get-Item $zip).Length
            }
            finally { Remove-Item -LiteralPath $temp -Recurse -Force -ErrorAction SilentlyContinue }
        }
        'result-importcsv' {
            $job = New-FinishedJob
            $temp = New-BenchTemp
            try {
                $zip = Join-Path $temp 'result.zip'
                $null = $job | Get-ZcrmBulkWriteResult -OutFile $zip
                Expand-Archive -Path $zip -DestinationPath (Join-Path $temp 'unzipped')
                $csv = @(Get-ChildItem (Join-Path $temp 'unzipped') -Recurse -Filter *.csv)[0].FullName
                $sw = [Diagnostics.Stopwatch]::StartNew()
                $results = Import-Csv -Path $csv
                $out.ms = $sw.Elapsed.TotalMilliseconds
                $out.count = @($results).Count
            }
            finally { Remove-Item -LiteralPath $temp -Recurse -Force -ErrorAction SilentlyContinue }
        }
        'build-one' {
            # A one-cmdlet binary module: the comparison of Import-Module's time.
            $source = 'using System.Management.Automation;
                [Cmdlet(VerbsCommon.Get, "BenchNothing")] public sealed class GetBenchNothing : PSCmdlet {
                    [Parameter] public string Name { get; set; }
                    protected override void ProcessRecord() { WriteObject(Name); } }'
            Add-Type -TypeDefinition $source -OutputAssembly $Extra -OutputType Library
            $out.ms = 0
            $out.count = 1
        }
        'import-module' {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            Import-Module $Manifest
            $out.ms = $sw.Elapsed.TotalMilliseconds
            $out.count = @(Get-Command -Module ZohoCrm).Count
        }
        'import-one' {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            Import-Module $Extra
            $out.ms = $sw.Elapsed.TotalMilliseconds
            $out.count = @(Get-Command Get-BenchNothing).Count
        }
        default { throw "unknown scenario '$Scenario'" }
    }
    "RESULT $($out | ConvertTo-Json -Compress)"
}
catch {
    "ERROR $Scenario : $($_.Exception.Message) at $($_.InvocationInfo.PositionMessage -replace '\s+', ' ')"
    exit 1
}
