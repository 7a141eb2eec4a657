using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

/// <summary>
/// The C# limits of the ratios run, each in its own process (bench --limit ...), printing "RESULT {json}" like
/// RatioChild.ps1: what plain C# does with the same input, no PowerShell.
/// </summary>
static class Limits
{
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            var result = args[0] switch
            {
                "ingest" => Ingest(int.Parse(args[1])),
                "massupdate" => await MassUpdateAsync(args[1], args[2], int.Parse(args[3]), args[4], args[5], args[6]),
                _ => throw new ArgumentException($"unknown limit '{args[0]}'"),
            };
            Console.WriteLine("RESULT " + JsonSerializer.Serialize(new { scenario = "limit-" + args[0], ms = result.Ms, count = result.Count }));
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine($"ERROR limit {string.Join(' ', args.Take(1))}: {e}");
            return 1;
        }
    }

    /// <summary>The same 8-column rows as RatioChild.ps1 (built untimed), written as CSV + Deflate into one ZIP in memory per 25,000 rows.</summary>
    static (double Ms, long Count) Ingest(int rows)
    {
        string[] header = ["First_Name", "Last_Name", "Email", "Company", "Phone", "No_of_Employees", "Lead_Status", "Description"];
        var data = new string[rows][];
        for (int i = 1; i <= rows; i++)
            data[i - 1] = ["Ada", $"Bench {i}", $"bench-limit-{i}@example.com", "Benchmark Inc", "+1 555 0100", i.ToString(), "Contacted", "A row with a few columns, like a real lead list"];

        var watch = Stopwatch.StartNew();
        long bytes = 0;
        for (int start = 0; start < rows; start += 25_000)
        {
            using var memory = new MemoryStream();
            using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
            {
                using var writer = new StreamWriter(zip.CreateEntry("leads.csv", CompressionLevel.Optimal).Open(), new UTF8Encoding(false), 65536);
                WriteRow(writer, header);
                for (int i = start; i < Math.Min(start + 25_000, rows); i++) WriteRow(writer, data[i]);
            }
            bytes += memory.Length;
        }
        return (watch.Elapsed.TotalMilliseconds, bytes);
    }

    static void WriteRow(TextWriter w, string[] cells)
    {
        for (int c = 0; c < cells.Length; c++)
        {
            if (c > 0) w.Write(',');
            string s = cells[c];
            if (s.AsSpan().IndexOfAny(",\"\r\n") < 0) { w.Write(s); continue; }
            w.Write('"');
            w.Write(s.Replace("\"", "\"\""));
            w.Write('"');
        }
        w.Write("\r\n");
    }

    /// <summary>The optimum of mass update: 500-id calls, <paramref name="inFlight"/> at once, with HttpClient (token fetch included, as in the loop).</summary>
    static async Task<(double Ms, long Count)> MassUpdateAsync(string url, string idsFile, int inFlight, string clientId, string clientSecret, string refreshToken)
    {
        var ids = File.ReadAllLines(idsFile);
        var batches = ids.Chunk(500).ToArray();
        var watch = Stopwatch.StartNew();
        using var http = new HttpClient();
        using var tokenAnswer = await http.PostAsync(url + "/oauth/v2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = clientId, ["client_secret"] = clientSecret, ["refresh_token"] = refreshToken,
        }));
        using var tokenDoc = JsonDocument.Parse(await tokenAnswer.Content.ReadAsStringAsync());
        string token = tokenDoc.RootElement.GetProperty("access_token").GetString()!;
        long updated = 0;
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = inFlight }, async (batch, ct) =>
        {
            var body = JsonSerializer.Serialize(new { data = new[] { new Dictionary<string, string> { ["Lead_Status"] = "Contacted" } }, ids = batch, over_write = true });
            using var request = new HttpRequestMessage(HttpMethod.Post, url + "/crm/v8/Leads/actions/mass_update")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Zoho-oauthtoken", token);
            using var answer = await http.SendAsync(request, ct);
            string text = await answer.Content.ReadAsStringAsync(ct);
            if (!answer.IsSuccessStatusCode) throw new Exception($"mass update {(int)answer.StatusCode}: {text}");
            using var doc = JsonDocument.Parse(text);
            int ok = doc.RootElement.GetProperty("data").EnumerateArray().Count(d => d.GetProperty("status").GetString() == "success");
            Interlocked.Add(ref updated, ok);
        });
        return (watch.Elapsed.TotalMilliseconds, updated);
    }
}
