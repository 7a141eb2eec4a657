using System.IO.Compression;
using System.Net;
using System.Text;

namespace ZohoCrm.Emulator;

/// <summary>
/// Runs a bulk write job in the background: ADDED, then INPROGRESS, rows in steps of
/// <see cref="EmulatorOptions.BulkRowsPerStep"/>, the result ZIP, COMPLETED (SKIPPED when no row was added or
/// updated; FAILED), then the callback.
/// </summary>
internal sealed class BulkWriteRunner(EmulatorState state, BulkRowWriter rowWriter)
{
    private static readonly HttpClient CallbackClient = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    public async Task RunAsync(BulkWriteJob job, CancellationToken ct)
    {
        using var resultStream = new MemoryStream();
        ZipArchive? resultZip = null;
        StreamWriter? resultWriter = null;
        var finalStatus = BulkWriteJob.Completed;
        try
        {
            await Task.Delay(state.Options.BulkStepDelay, ct).ConfigureAwait(false);
            lock (state.Records.Gate)
            {
                job.Status = BulkWriteJob.InProgress;
            }

            resultZip = new ZipArchive(resultStream, ZipArchiveMode.Create, leaveOpen: true);
            resultWriter = new StreamWriter(resultZip.CreateEntry(job.Id + ".csv").Open(), new UTF8Encoding(false), 64 * 1024);
            CsvWriter.WriteRow(resultWriter, [.. job.ResultHeader, "STATUS", "RECORD_ID", "ERRORS"]);

            using var input = OpenBulkCsv(job);
            input.ReadRow(); // header
            var perStep = Math.Max(1, state.Options.BulkRowsPerStep);
            var rows = new List<string[]>(Math.Min(perStep, ZohoLimits.BulkWriteRowsPerFile));
            var results = new List<BulkRowResult>(rows.Capacity);
            try
            {
                var done = false;
                while (!done)
                {
                    await Task.Delay(state.Options.BulkStepDelay, ct).ConfigureAwait(false);
                    done = ReadStep(input, rows, perStep);
                    done |= ApplyStep(job, rows, results);
                    WriteResults(resultWriter, job, rows, results);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                finalStatus = BulkWriteJob.Failed;
                WriteResults(resultWriter, job, rows, results); // the rows of the failed step processed so far
                WriteUnprocessed(resultWriter, job);
            }
        }
        catch (OperationCanceledException)
        {
            resultWriter?.Dispose();
            resultZip?.Dispose();
            return; // host disposed
        }
        catch (Exception)
        {
            finalStatus = BulkWriteJob.Failed;
        }

        if (finalStatus == BulkWriteJob.Completed && job.Processed > 0 && job.AddedCount + job.UpdatedCount == 0)
        {
            finalStatus = BulkWriteJob.Skipped; // only this job's loop changes the counts
        }
        try
        {
            resultWriter?.Dispose();
            resultZip?.Dispose();
            await FinishBulkJobAsync(job, finalStatus, resultZip is null ? null : resultStream.ToArray(), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // host disposed
        }
    }

    /// <summary>Reads the rows of one step into <paramref name="rows"/>; true when the file has no more.</summary>
    private static bool ReadStep(CsvReader input, List<string[]> rows, int perStep)
    {
        rows.Clear();
        while (rows.Count < perStep)
        {
            if (input.ReadRow() is not { } row)
            {
                return true;
            }
            rows.Add(row);
        }
        return false;
    }

    /// <summary>
    /// Applies one step's rows under the gate, counting them; results collect row by row, so a failure keeps those
    /// done. True once every row of the job is done.
    /// </summary>
    private bool ApplyStep(BulkWriteJob job, List<string[]> rows, List<BulkRowResult> results)
    {
        lock (state.Records.Gate)
        {
            var now = Zoho.Now();
            foreach (var row in rows)
            {
                var r = rowWriter.Process(job, row, now);
                switch (r.Status)
                {
                    case "added": job.AddedCount++; break;
                    case "updated": job.UpdatedCount++; break;
                    default: job.SkippedCount++; break;
                }
                job.Processed++;
                results.Add(r);
            }
            return job.Processed >= job.TotalCount;
        }
    }

    private static CsvReader OpenBulkCsv(BulkWriteJob job)
    {
        var zip = new ZipArchive(new MemoryStream(job.FileBytes, writable: false), ZipArchiveMode.Read);
        var stream = zip.GetEntry(job.CsvEntry)!.Open();
        return CsvReader.Open(new OwningStream(stream, zip), job.Delimiter, job.Encoding);
    }

    /// <summary>Writes the results collected so far (in row order) and forgets them.</summary>
    private static void WriteResults(TextWriter w, BulkWriteJob job, List<string[]> rows, List<BulkRowResult> results)
    {
        for (var i = 0; i < results.Count; i++)
        {
            WriteResultRow(w, job, rows[i], results[i]);
        }
        results.Clear();
    }

    private static void WriteResultRow(TextWriter w, BulkWriteJob job, string[] row, BulkRowResult r)
    {
        foreach (var i in job.ResultColumns)
        {
            CsvWriter.WriteField(w, i < row.Length ? row[i] : "");
            w.Write(',');
        }
        w.Write(r.Status);
        w.Write(',');
        w.Write(r.RecordId);
        w.Write(',');
        CsvWriter.WriteField(w, r.Errors);
        w.Write("\r\n");
    }

    /// <summary>After a failure: every row not processed yet comes back as "unprocessed" (best effort).</summary>
    private static void WriteUnprocessed(TextWriter w, BulkWriteJob job)
    {
        try
        {
            using var input = OpenBulkCsv(job);
            input.Skip(job.Processed + 1); // header + processed rows (only this job's loop changes Processed)
            while (input.ReadRow() is { } row)
            {
                WriteResultRow(w, job, row, new BulkRowResult("unprocessed", "", ""));
            }
        }
        catch (Exception)
        {
            // the input itself is broken: the result holds what was processed
        }
    }

    /// <summary>
    /// Shows the final status with the result. A callback to a URL that is not loopback is only recorded, in the same
    /// step (whoever sees COMPLETED also sees it); a loopback one is posted afterwards (the receiver may answer only
    /// once it has seen the job finish) and recorded with its answer.
    /// </summary>
    private async Task FinishBulkJobAsync(BulkWriteJob job, string status, byte[]? result, CancellationToken ct)
    {
        string? body = null;
        var url = job.CallbackUrl;
        var loopback = url is not null && IsLoopbackUrl(url);
        lock (state.Records.Gate)
        {
            job.Result = result;
            job.FinishedAt = DateTimeOffset.UtcNow;
            if (url is not null)
            {
                body = Json.Serialize(BulkWriteJobJson.Details(state, job, status));
                if (!loopback)
                {
                    state.CallbackLog.Add(new RecordedCallback(DateTimeOffset.UtcNow, job.Id, url, body, false, null,
                        "not sent: the emulator only calls back loopback URLs"));
                }
            }
            job.Status = status;
        }
        if (!loopback || url is null || body is null)
        {
            return;
        }
        RecordedCallback callback;
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await CallbackClient.PostAsync(url, content, ct).ConfigureAwait(false);
            callback = new RecordedCallback(DateTimeOffset.UtcNow, job.Id, url, body, true, (int)response.StatusCode, null);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            callback = new RecordedCallback(DateTimeOffset.UtcNow, job.Id, url, body, false, null, e.Message);
        }
        state.CallbackLog.Add(callback);
    }

    internal static bool IsLoopbackUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>A ZIP entry stream that also disposes its archive.</summary>
    private sealed class OwningStream(Stream inner, IDisposable owner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                owner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
