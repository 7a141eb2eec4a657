using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using ZohoCrm.Emulator;

namespace ZohoCrm.Tests;

/// <summary>
/// The faults that damage a bulk write result (ResultRowMissing, ResultRowsSwapped): the download is still one valid
/// ZIP of the same CSV, application/zip with its true Content-Length, with one data row gone or two adjacent ones
/// swapped; other answers, and a result with too few rows, are left alone.
/// </summary>
public class EmulatorResultFaultTests
{
    private const string Input = "Last_Name,Email\r\nAda,a@example.com\r\nBob,b@example.com\r\nCy,c@example.com\r\nDee,d@example.com\r\n";

    private sealed record Result(string EntryName, string Header, string[] Rows);

    /// <summary>A finished insert job of <see cref="Input"/>: its id and result URL.</summary>
    private static async Task<(string JobId, string Url)> FinishedJobAsync(HttpClient http)
    {
        string jobId = await EmulatorFidelityTests.CreateLeadsInsertAsync(http, Input);
        var details = await EmulatorFidelityTests.WaitForEndAsync(http, jobId);
        Assert.Equal("COMPLETED", details["status"]!.GetValue<string>());
        return (jobId, details["result"]!["download_url"]!.GetValue<string>());
    }

    /// <summary>Downloads the result, checks it is a whole ZIP answer of one CSV, and returns that CSV by line.</summary>
    private static async Task<Result> DownloadAsync(HttpClient http, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Authorization", "Zoho-oauthtoken " + new EmulatorOptions().StaticAccessToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        byte[] bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);

        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var entry = Assert.Single(zip.Entries);
        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
        string text = await reader.ReadToEndAsync();
        Assert.EndsWith("\r\n", text);
        string[] lines = text[..^2].Split("\r\n");
        return new Result(entry.FullName, lines[0], lines[1..]);
    }

    private static async Task AddFaultAsync(HttpClient http, string json)
    {
        using var response = await http.PostAsync("/__emulator/faults", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string[]> InjectedKindsAsync(HttpClient http) =>
        JsonNode.Parse(await http.GetStringAsync("/__emulator/faults"))!.AsArray().Select(f => f!["kind"]!.GetValue<string>()).ToArray();

    private static string LastName(string row) => row[..row.IndexOf(',', StringComparison.Ordinal)];

    [Theory]
    [InlineData("ResultRowMissing", "", "Ada,Cy,Dee")]
    [InlineData("ResultRowMissing", ",\"row\":1", "Bob,Cy,Dee")]
    [InlineData("ResultRowMissing", ",\"row\":4", "Ada,Bob,Cy")]
    [InlineData("ResultRowsSwapped", "", "Ada,Cy,Bob,Dee")]
    [InlineData("ResultRowsSwapped", ",\"row\":3", "Ada,Bob,Dee,Cy")]
    public async Task A_result_fault_removes_or_swaps_data_rows_of_a_still_valid_result_ZIP(string kind, string row, string expected)
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(10) });
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        var (jobId, url) = await FinishedJobAsync(http);

        var full = await DownloadAsync(http, url);
        Assert.Equal(jobId + ".csv", full.EntryName);
        Assert.Equal("Last_Name,Email,STATUS,RECORD_ID,ERRORS", full.Header);
        Assert.Equal(["Ada", "Bob", "Cy", "Dee"], full.Rows.Select(LastName));
        Assert.All(full.Rows, r => Assert.Contains(",added,", r));

        await AddFaultAsync(http, $"{{\"kind\":\"{kind}\",\"pathContains\":\"/bulk-write/\",\"times\":1{row}}}");
        var faulted = await DownloadAsync(http, url);
        Assert.Equal(full.EntryName, faulted.EntryName);
        Assert.Equal(full.Header, faulted.Header);
        // The rows left are the full result's own lines, only fewer or in another order.
        var byName = full.Rows.ToDictionary(LastName);
        Assert.Equal(expected.Split(',').Select(n => byName[n]), faulted.Rows);
        Assert.Equal([kind], await InjectedKindsAsync(http));

        // The rule is spent: the next download is whole again.
        Assert.Equal(full.Rows, (await DownloadAsync(http, url)).Rows);
    }

    [Theory]
    [InlineData("ResultRowMissing", 5)]
    [InlineData("ResultRowsSwapped", 4)]
    public async Task A_result_with_too_few_data_rows_is_left_unchanged(string kind, int row)
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(10) });
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        var (_, url) = await FinishedJobAsync(http);
        var full = await DownloadAsync(http, url);

        await AddFaultAsync(http, $"{{\"kind\":\"{kind}\",\"pathContains\":\"/bulk-write/\",\"row\":{row}}}");
        var again = await DownloadAsync(http, url);
        Assert.Equal((full.EntryName, full.Header), (again.EntryName, again.Header));
        Assert.Equal(full.Rows, again.Rows);
        Assert.Empty(await InjectedKindsAsync(http));
    }

    [Fact]
    public async Task Answers_that_are_no_result_ZIP_are_left_alone_and_the_rule_keeps_its_turn()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(10) });
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        var (jobId, url) = await FinishedJobAsync(http);

        await AddFaultAsync(http, "{\"kind\":\"ResultRowsSwapped\",\"times\":1}"); // every path
        Assert.Equal("COMPLETED", (await EmulatorFidelityTests.WaitForEndAsync(http, jobId))["status"]!.GetValue<string>());
        Assert.Empty(await InjectedKindsAsync(http));

        Assert.Equal(["Ada", "Cy", "Bob", "Dee"], (await DownloadAsync(http, url)).Rows.Select(LastName));
        Assert.Equal(["ResultRowsSwapped"], await InjectedKindsAsync(http));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("\"two\"")]
    public async Task A_row_that_is_no_whole_number_from_1_is_refused(string row)
    {
        await using var host = await EmulatorHost.StartAsync();
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        using var response = await http.PostAsync("/__emulator/faults",
            new StringContent($"{{\"kind\":\"ResultRowMissing\",\"row\":{row}}}", Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("'row'", await response.Content.ReadAsStringAsync());
    }
}
