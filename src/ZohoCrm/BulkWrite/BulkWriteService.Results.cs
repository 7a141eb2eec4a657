using System;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.Http;

namespace ZohoCrm.BulkWrite
{
    /// <summary>Getting a completed job's result file: where it may be downloaded from, and the download.</summary>
    internal sealed partial class BulkWriteService
    {
        /// <summary>
        /// The URL of a job's result: <paramref name="downloadUrl"/> if known (from a piped job), else the job's own,
        /// which it has once it is COMPLETED (or SKIPPED); checked by <see cref="ResolveDownloadUrl"/>.
        /// </summary>
        public async Task<Uri> ResultUrlAsync(string jobId, string downloadUrl, CancellationToken ct)
        {
            string url = downloadUrl;
            if (string.IsNullOrEmpty(url))
            {
                var job = await GetJobAsync(jobId, ct).ConfigureAwait(false);
                if (!job.HasResult || string.IsNullOrEmpty(job.DownloadUrl))
                    throw new ZohoClientException("ZohoCrm.JobNotCompleted", $"Bulk write job {jobId} is {job.Status}: its result can be read once it is COMPLETED (Get-ZcrmBulkWriteJob -JobId {jobId} -Wait).", ZohoErrorKind.ResourceUnavailable);
                url = job.DownloadUrl;
            }
            return ResolveDownloadUrl(url);
        }

        /// <summary>
        /// A completed job's result ZIP into <paramref name="path"/>: its URL (the job's own, or the one the job object
        /// carries), bounded by the job's rows (those the module sent, else Zoho's count).
        /// </summary>
        public async Task DownloadJobResultAsync(ZohoCrm.BulkWriteJob job, string path, CancellationToken ct)
        {
            var url = await ResultUrlAsync(job.JobId, job.DownloadUrl, ct).ConfigureAwait(false);
            await DownloadResultAsync(job.JobId, url, path, job.RowCount ?? job.TotalCount, ct).ConfigureAwait(false);
        }

        /// <summary>What a result ZIP may take per row of its job, beyond the connection's bound for one answer (Zoho's ZIPs take ~100 bytes a row).</summary>
        public const long ResultBytesPerRow = 8 * 1024;

        /// <summary>
        /// Downloads a job's result ZIP into <paramref name="path"/>; a file that arrives damaged is fetched once more.
        /// The file may take the connection's bound for one answer plus <see cref="ResultBytesPerRow"/> for each of the
        /// job's <paramref name="rows"/> (unknown: Zoho's most rows per job); past that it is deleted and the call fails.
        /// </summary>
        public async Task DownloadResultAsync(string jobId, Uri url, string path, long? rows, CancellationToken ct)
        {
            await DownloadAsync(url, path, rows, ct).ConfigureAwait(false);
            if (BulkWriteResults.IsReadable(path)) return;
            OperationLog.Verbose($"The result of job {jobId} arrived damaged; downloading it again.");
            await DownloadAsync(url, path, rows, ct).ConfigureAwait(false);
        }

        /// <summary>The bound on a result download and what it is made of, for <paramref name="rows"/> rows (null: unknown).</summary>
        internal static (long Bytes, string Note) ResultBound(long floorBytes, long? rows)
        {
            long n = rows.HasValue && rows.Value >= 0 ? Math.Min(rows.Value, ChunkWriter.MaxRowsPerJob) : ChunkWriter.MaxRowsPerJob;
            string of = rows.HasValue ? $"a {n:N0}-row job" : $"a job of up to {n:N0} rows";
            return (floorBytes + n * ResultBytesPerRow, $"the bound for the result of {of}: -MaxResponseSizeMB plus {ResultBytesPerRow / 1024} KB a row");
        }

        /// <summary>
        /// Where the token may go for a download: the connection's own hosts or Zoho's download hosts, over https
        /// (http only on loopback). Relative URLs are resolved against the API domain.
        /// </summary>
        public Uri ResolveDownloadUrl(string downloadUrl)
        {
            if (string.IsNullOrWhiteSpace(downloadUrl))
                throw new ZohoClientException("ZohoCrm.NoDownloadUrl", "The job has no download URL yet: it is not COMPLETED.", ZohoErrorKind.InvalidOperation);
            if (!Uri.TryCreate(downloadUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                if (!Uri.TryCreate(new Uri(_connection.ApiDomain + "/"), downloadUrl, out url))
                    throw new ZohoClientException("ZohoCrm.InvalidDownloadUrl", $"The download URL '{downloadUrl}' is not a URL.", ZohoErrorKind.InvalidData);
            }
            bool own = _connection.IsOwnHost(url);
            bool zoho = url.Scheme == Uri.UriSchemeHttps && ZohoDownloadHost.IsMatch(url.Host);
            if (!own && !zoho)
                throw new ZohoClientException("ZohoCrm.ForeignHost",
                    $"Refusing to download {url.GetLeftPart(UriPartial.Authority)}: it is neither one of this connection's hosts nor a Zoho download host, and the request would carry the access token.", ZohoErrorKind.SecurityError);
            if (url.Scheme == Uri.UriSchemeHttp && !DataCenters.IsLoopback(url))
                throw new ZohoClientException("ZohoCrm.InsecureUrl", $"Refusing to send the access token over plain http to {url.Host}.", ZohoErrorKind.SecurityError);
            return url;
        }

        /// <summary>
        /// The download host's answer to an expired or foreign link: {"info":"Forbidden","x-info":"Link not valid","http_status":403}
        /// (not Zoho's error envelope; zoho-api.md section 5, "Result download").
        /// </summary>
        private static ZohoException LinkNotValid(JsonElement root, ZohoResponse response)
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("x-info", out _)) return null;
            string info = Json.GetString(root, "info"), xInfo = Json.GetString(root, "x-info");
            return new ZohoClientException("ZohoCrm.DownloadLinkNotValid",
                $"Zoho refused the result download link ({info}: {xInfo}) [HTTP {response.StatusCode}, {response.Request}]. The link has expired or is not this org's: " +
                "read the job again (Get-ZcrmBulkWriteJob -JobId <id>) for its current link, or look for the result in Zoho CRM's bulk write history.",
                ZohoErrorKind.ResourceUnavailable);
        }

        /// <summary>Downloads the result ZIP into <paramref name="path"/>.</summary>
        public async Task DownloadAsync(Uri url, string path, long? rows, CancellationToken ct)
        {
            var bound = ResultBound(_connection.Client.MaxResponseBytes, rows);
            var request = new ZohoRequest(HttpMethod.Get, url)
            {
                Idempotent = true, AllowedHost = true, ResponseFile = path, ResponseFileMaxBytes = bound.Bytes, ResponseFileBoundNote = bound.Note,
            };
            var response = await _connection.Client.SendAsync(request, ct).ConfigureAwait(false);
            if (response.StatusCode >= 200 && response.StatusCode < 300 && response.Body.Length == 0) return;
            using (var doc = response.ParseJson())
            {
                var linkError = LinkNotValid(doc.RootElement, response);
                if (linkError != null) throw linkError;
            }
            using (response.EnsureSuccess()) { }
            throw new ZohoClientException("ZohoCrm.DownloadFailed", $"{response.Request} answered HTTP {response.StatusCode} without the result file.", ZohoErrorKind.InvalidResult);
        }
    }
}
