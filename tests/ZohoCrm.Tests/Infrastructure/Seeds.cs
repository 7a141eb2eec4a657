using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZohoCrm.Tests.Infrastructure;

/// <summary>One documented answer from a seed's Postman item: the request that produced it, and the answer.</summary>
public sealed record SeedCase(string File, string Name, string Method, string Url, string? Body, int Status, JsonNode? ResponseBody)
{
    public override string ToString() => $"{File}: {Name}";
}

public static class Seeds
{
    public static IReadOnlyList<SeedCase> Load(string file)
    {
        string text = System.IO.File.ReadAllText(Path.Combine(Paths.SeedsDir, file));
        int start = text.IndexOf("Postman Collection Item JSON", StringComparison.Ordinal);
        var item = JsonNode.Parse(text[(text.IndexOf('{', start))..])!;
        var cases = new List<SeedCase>();
        foreach (var r in item["response"]!.AsArray())
        {
            var req = r!["originalRequest"]!;
            string? body = req["body"]?["raw"]?.GetValue<string>();
            string? responseBody = r["body"]?.GetValue<string>();
            cases.Add(new SeedCase(file, r["name"]!.GetValue<string>(), req["method"]!.GetValue<string>(),
                req["url"]!["raw"]!.GetValue<string>(), body, r["code"]!.GetValue<int>(),
                string.IsNullOrEmpty(responseBody) ? null : JsonNode.Parse(responseBody)));
        }
        return cases;
    }

    /// <summary>
    /// Compares JSON structurally. Values under keys in <paramref name="volatileKeys"/> (ids and times the server
    /// makes anew) only need to exist with the same kind.
    /// </summary>
    public static void AssertJsonEquivalent(JsonNode? expected, JsonNode? actual, string path, ISet<string> volatileKeys)
    {
        if (expected is null) { Xunit.Assert.True(actual is null, $"{path}: expected null, got {actual?.ToJsonString()}"); return; }
        Xunit.Assert.True(actual is not null, $"{path}: missing, expected {expected.ToJsonString()}");
        switch (expected)
        {
            case JsonObject eo:
                var ao = Xunit.Assert.IsType<JsonObject>(actual);
                Xunit.Assert.True(eo.Select(p => p.Key).OrderBy(k => k).SequenceEqual(ao.Select(p => p.Key).OrderBy(k => k)),
                    $"{path}: keys differ. expected [{string.Join(",", eo.Select(p => p.Key))}] got [{string.Join(",", ao.Select(p => p.Key))}]");
                foreach (var (key, value) in eo)
                {
                    if (volatileKeys.Contains(key))
                    {
                        Xunit.Assert.Equal(value?.GetValueKind(), ao[key]?.GetValueKind());
                        continue;
                    }
                    AssertJsonEquivalent(value, ao[key], path + "." + key, volatileKeys);
                }
                break;
            case JsonArray ea:
                var aa = Xunit.Assert.IsType<JsonArray>(actual);
                Xunit.Assert.True(ea.Count == aa.Count, $"{path}: expected {ea.Count} items, got {aa.Count}: {aa.ToJsonString()}");
                for (int i = 0; i < ea.Count; i++) AssertJsonEquivalent(ea[i], aa[i], $"{path}[{i}]", volatileKeys);
                break;
            default:
                Xunit.Assert.True(JsonNode.DeepEquals(expected, actual), $"{path}: expected {expected.ToJsonString()}, got {actual!.ToJsonString()}");
                break;
        }
    }
}
