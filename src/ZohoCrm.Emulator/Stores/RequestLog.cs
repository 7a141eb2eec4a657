namespace ZohoCrm.Emulator;

/// <summary>
/// One request the emulator received (every Zoho and token endpoint call, accepted or rejected).
/// <paramref name="StatusCode"/> is 0 when the connection was dropped; <paramref name="Fault"/> names the injected
/// <see cref="FaultKind"/> applied to it, if any.
/// </summary>
public sealed record RecordedRequest(
    DateTimeOffset Time,
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    int StatusCode,
    string? Fault = null);

/// <summary>A logged request whose answer (status, fault) is filled in once known.</summary>
internal sealed class RequestEntry(DateTimeOffset time, string method, string path, string query, IReadOnlyDictionary<string, string> headers, string body)
{
    public volatile int StatusCode;
    public volatile string? Fault;
    public RecordedRequest ToRecord() => new(time, method, path, query, headers, body, StatusCode, Fault);
}

/// <summary>Every Zoho and token endpoint call, in arrival order. Thread-safe.</summary>
internal sealed class RequestLog
{
    private readonly Lock _gate = new();
    private readonly List<RequestEntry> _entries = new();

    public IReadOnlyList<RecordedRequest> Snapshot()
    {
        lock (_gate)
        {
            return _entries.Select(e => e.ToRecord()).ToArray();
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    public RequestEntry Begin(DateTimeOffset time, string method, string path, string query, IReadOnlyDictionary<string, string> headers, string body)
    {
        var e = new RequestEntry(time, method, path, query, headers, body);
        lock (_gate)
        {
            _entries.Add(e);
        }
        return e;
    }
}
