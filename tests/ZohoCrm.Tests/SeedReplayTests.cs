using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ZohoCrm.Emulator;
using ZohoCrm.Tests.Infrastructure;

namespace ZohoCrm.Tests;

/// <summary>
/// Every documented answer of the captured seeds, replayed as raw HTTP against the emulator: same request in,
/// same HTTP status and body out. (The cmdlet-level tests drive the same cases through the module.)
/// </summary>
public class SeedReplayTests
{
    private static readonly HashSet<string> Volatile = new() { "job_id", "Modified_Time" };

    /// <summary>Placeholders the seeds leave in some requests, per case.</summary>
    private static string Fill(SeedCase c, string text, string baseUrl) => text
        .Replace("{{api-domain}}", baseUrl)
        .Replace("{{record-id}}", c.Name == "RECORD_LOCKED" ? "475243000003269880" : "1306462000000496025");

    [Theory]
    [InlineData("mass-update-by-custom-view.php.txt")]
    [InlineData("mass-update-by-custom-view.go.txt")]
    [InlineData("mass-update-by-ids.ps1.txt")]
    public async Task Emulator_answers_every_seed_case_as_captured(string file)
    {
        // Slow jobs: the scheduled job of the SUCCESS case must still run when ALREADY_SCHEDULED is replayed.
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { JobStepDelay = TimeSpan.FromSeconds(30) });
        using var http = new HttpClient();
        string baseUrl = host.BaseUrl.ToString().TrimEnd('/');
        var cases = Seeds.Load(file);
        Assert.True(cases.Count >= 8, $"{file} should hold at least 8 documented answers, has {cases.Count}");
        foreach (var c in cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(c.Method), Fill(c, c.Url, baseUrl));
            if (c.Name != "AUTHENTICATION_FAILURE")
                request.Headers.TryAddWithoutValidation("Authorization", "Zoho-oauthtoken " + new EmulatorOptions().StaticAccessToken);
            if (c.Body != null)
                request.Content = new StringContent(Fill(c, c.Body, baseUrl), Encoding.UTF8, "application/json");
            using var response = await http.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(c.Status == (int)response.StatusCode, $"{c}: expected HTTP {c.Status}, got {(int)response.StatusCode}: {body}");
            Seeds.AssertJsonEquivalent(c.ResponseBody, JsonNode.Parse(body), c.ToString(), Volatile);
        }
    }
}
