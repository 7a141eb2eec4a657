using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>The answers and alterations of the fault kinds.</summary>
internal static class FaultResponses
{
    public const string ServiceUnavailablePage =
        "<html><head><title>503 Service Unavailable</title></head><body>Service Unavailable</body></html>";

    public const string BadGatewayPage =
        "<html><head><title>502 Proxy Error</title></head><body><h1>Proxy Error</h1>"
        + "<p>The proxy server received an invalid response from an upstream server.</p></body></html>";

    public const string NonJson = "<<not json>> {";

    public const int ZipBytesKept = 30;

    /// <summary>Writes the answer of a kind that replaces processing; returns the status sent (0 when dropped).</summary>
    public static async Task<int> ReplaceAsync(HttpContext ctx, FaultRule rule)
    {
        switch (rule.Kind)
        {
            case FaultKind.TooManyRequests:
                await HttpWrite.JsonAsync(ctx, 429, TooManyRequests(null)).ConfigureAwait(false);
                return 429;
            case FaultKind.TooManyRequestsRetryAfterHeader:
                ctx.Response.Headers.RetryAfter = rule.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await HttpWrite.JsonAsync(ctx, 429, TooManyRequests(null)).ConfigureAwait(false);
                return 429;
            case FaultKind.TooManyRequestsRetryAfterDetail:
                await HttpWrite.JsonAsync(ctx, 429, TooManyRequests(rule.RetryAfterSeconds)).ConfigureAwait(false);
                return 429;
            case FaultKind.ServerError:
                await HttpWrite.JsonAsync(ctx, 500, Zoho.InternalError()).ConfigureAwait(false);
                return 500;
            case FaultKind.ServiceUnavailableHtml:
                await HttpWrite.BytesAsync(ctx, 503, "text/html", Encoding.UTF8.GetBytes(ServiceUnavailablePage)).ConfigureAwait(false);
                return 503;
            case FaultKind.BadGatewayHtml:
                await HttpWrite.BytesAsync(ctx, 502, "text/html", Encoding.UTF8.GetBytes(BadGatewayPage)).ConfigureAwait(false);
                return 502;
            case FaultKind.AccessDenied:
                await HttpWrite.JsonAsync(ctx, 200, Zoho.AccessDenied()).ConfigureAwait(false);
                return 200;
            case FaultKind.NonJsonBody:
                await HttpWrite.BytesAsync(ctx, 200, Json.ContentType, Encoding.UTF8.GetBytes(NonJson)).ConfigureAwait(false);
                return 200;
            case FaultKind.RedirectToOtherHost:
                ctx.Response.Headers.Location = OtherHostUrl(ctx);
                await HttpWrite.BytesAsync(ctx, 302, null, []).ConfigureAwait(false);
                return 302;
            case FaultKind.AuthenticationFailure:
                await HttpWrite.JsonAsync(ctx, 401, Zoho.AuthenticationFailure()).ConfigureAwait(false);
                return 401;
            case FaultKind.InvalidOauthToken:
                await HttpWrite.JsonAsync(ctx, 401, InvalidOauthToken()).ConfigureAwait(false);
                return 401;
            case FaultKind.EchoToken:
                await HttpWrite.JsonAsync(ctx, 400, EchoToken(ctx)).ConfigureAwait(false);
                return 400;
            default: // DropBeforeProcessing
                ctx.Abort();
                return 0;
        }
    }

    private static JsonObject InvalidOauthToken() => Json.Error("INVALID_OAUTHTOKEN", "invalid oauth token");

    /// <summary>
    /// An error that repeats the request's token bare (no "token" key a pattern could spot), as a careless server or
    /// proxy might: in the message and in a details value.
    /// </summary>
    private static JsonObject EchoToken(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        var token = header.Contains(' ', StringComparison.Ordinal) ? header[(header.IndexOf(' ', StringComparison.Ordinal) + 1)..].Trim() : header;
        return Json.Error("INVALID_DATA", $"the request with {token} could not be processed", new JsonObject { ["seen"] = token });
    }

    private static JsonObject TooManyRequests(int? retryAfter) => Json.Error("TOO_MANY_REQUESTS", "too many requests",
        retryAfter is { } s ? new JsonObject { ["retry_after"] = s } : null);

    /// <summary>The same path and query on the other loopback host name: localhost, or 127.0.0.1 when called as localhost.</summary>
    private static string OtherHostUrl(HttpContext ctx)
    {
        var port = ctx.Connection.LocalPort;
        var host = string.Equals(ctx.Request.Host.Host, "localhost", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" : "localhost";
        return $"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}{ctx.Request.PathBase}{ctx.Request.Path}{ctx.Request.QueryString}";
    }

    /// <summary>A ZIP answer as a ZIP-altering kind changes it; null when it does not apply (see <see cref="AlterResult"/>).</summary>
    public static byte[]? AlterZip(byte[] zip, FaultRule rule, int seed) =>
        rule.Kind == FaultKind.DamagedZip ? DamageZip(zip, seed) : AlterResult(zip, rule);

    /// <summary>
    /// A bulk write result (a ZIP of one CSV) with data row <see cref="FaultRule.Row"/> removed (ResultRowMissing) or
    /// swapped with the next one (ResultRowsSwapped), rewritten as the runner writes it: the same entry name and time,
    /// UTF-8, CRLF. Null when the ZIP is not one CSV or has too few data rows.
    /// </summary>
    private static byte[]? AlterResult(byte[] zip, FaultRule rule)
    {
        string name;
        DateTimeOffset time;
        var rows = new List<string[]>();
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
            if (archive.Entries is not [var entry] || !entry.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            (name, time) = (entry.FullName, entry.LastWriteTime);
            using var csv = CsvReader.Open(entry.Open());
            while (csv.ReadRow() is { } row)
            {
                rows.Add(row);
            }
        }
        catch (InvalidDataException)
        {
            return null;
        }

        var at = rule.Row; // rows[0] is the header, so data row n is rows[n]
        var swapped = rule.Kind == FaultKind.ResultRowsSwapped;
        if (at < 1 || at + (swapped ? 1 : 0) >= rows.Count)
        {
            return null;
        }
        if (swapped)
        {
            (rows[at], rows[at + 1]) = (rows[at + 1], rows[at]);
        }
        else
        {
            rows.RemoveAt(at);
        }

        using var ms = new MemoryStream();
        using (var archive = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = archive.CreateEntry(name);
            entry.LastWriteTime = time;
            using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
            foreach (var row in rows)
            {
                CsvWriter.WriteRow(writer, row);
            }
        }
        return ms.ToArray();
    }

    /// <summary>The first 30 bytes kept, every later byte changed (a seeded, reproducible garbage), same length.</summary>
    public static byte[] DamageZip(byte[] zip, int seed)
    {
        var damaged = (byte[])zip.Clone();
        var random = new Random(seed);
        for (var i = damaged.Length > ZipBytesKept ? ZipBytesKept : 0; i < damaged.Length; i++)
        {
            damaged[i] ^= (byte)random.Next(1, 256);
        }
        return damaged;
    }

    /// <summary>Parses the JSON body of <c>POST /__emulator/faults</c>; property names case-insensitive.</summary>
    public static FaultRule ParseRule(string body)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(body, new JsonNodeOptions { PropertyNameCaseInsensitive = true }) as JsonObject
                ?? throw new FormatException("the body must be a JSON object");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new FormatException($"the body is not JSON: {e.Message}");
        }

        var kindNode = obj["kind"] ?? throw new FormatException("'kind' is required");
        var kindText = kindNode.GetValueKind() == JsonValueKind.String ? kindNode.GetValue<string>() : kindNode.ToJsonString();
        if (!Enum.TryParse<FaultKind>(kindText, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
        {
            throw new FormatException($"unknown kind '{kindText}'; known: {string.Join(", ", Enum.GetNames<FaultKind>())}");
        }
        var delay = Number(obj, "delayMs") is { } ms ? TimeSpan.FromMilliseconds(ms) : TimeSpan.Zero;
        return new FaultRule
        {
            Kind = kind,
            Method = Text(obj, "method") is { Length: > 0 } m ? m : null,
            PathContains = Text(obj, "pathContains") ?? "",
            Probability = Number(obj, "probability") ?? 1,
            Skip = (int)(Number(obj, "skip") ?? 0),
            Times = Number(obj, "times") is { } t ? (int)t : null,
            Delay = delay,
            RetryAfterSeconds = (int)(Number(obj, "retryAfterSeconds") ?? 1),
            Row = Number(obj, "row") switch
            {
                null => 2,
                >= 1 and <= int.MaxValue and var r when r == Math.Floor(r) => (int)r,
                _ => throw new FormatException("'row' must be a whole number from 1 (the data row, header not counted)"),
            },
        };
    }

    private static string? Text(JsonObject obj, string name) => obj[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new FormatException($"'{name}' must be a string"),
    };

    private static double? Number(JsonObject obj, string name) => obj[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String
            && double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw new FormatException($"'{name}' must be a number"),
    };

    public static JsonNode LogJson(IEnumerable<InjectedFault> log) =>
        new JsonArray(log.Select(f =>
        {
            var item = new JsonObject
            {
                ["time"] = f.Time.ToString("O"),
                ["kind"] = f.Kind.ToString(),
                ["method"] = f.Method,
                ["path"] = f.Path,
            };
            if (f.BytesSent is { } sent)
            {
                item["bytesSent"] = sent; // only for the hostile-body kinds, so the other entries keep their shape
            }
            return (JsonNode?)item;
        }).ToArray());
}
