namespace ZohoCrm.Emulator;

/// <summary>
/// A bulk write callback the emulator made (<paramref name="Sent"/> true, with the answer's status code) or, for a
/// URL that is not loopback, would have made (<paramref name="Sent"/> false).
/// </summary>
public sealed record RecordedCallback(
    DateTimeOffset Time,
    string JobId,
    string Url,
    string Body,
    bool Sent,
    int? StatusCode,
    string? Error);

/// <summary>Every bulk write callback, sent or not, in order. Thread-safe.</summary>
internal sealed class CallbackLog
{
    private readonly Lock _gate = new();
    private readonly List<RecordedCallback> _callbacks = new();

    public IReadOnlyList<RecordedCallback> Snapshot()
    {
        lock (_gate)
        {
            return _callbacks.ToArray();
        }
    }

    public void Add(RecordedCallback callback)
    {
        lock (_gate)
        {
            _callbacks.Add(callback);
        }
    }
}
