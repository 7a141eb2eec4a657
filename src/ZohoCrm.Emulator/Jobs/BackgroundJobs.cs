namespace ZohoCrm.Emulator;

/// <summary>The emulator's background jobs (mass update and bulk write runs); stopped when the host is disposed.</summary>
internal sealed class BackgroundJobs
{
    private readonly Lock _gate = new();
    private readonly List<Task> _tasks = new();
    private readonly CancellationTokenSource _shutdown = new();

    public void Start(Func<CancellationToken, Task> run)
    {
        lock (_gate)
        {
            _tasks.RemoveAll(t => t.IsCompleted);
            _tasks.Add(Task.Run(() => run(_shutdown.Token)));
        }
    }

    /// <summary>Cancels every job and waits for them.</summary>
    public async Task ShutdownAsync()
    {
        Task[] tasks;
        lock (_gate)
        {
            if (!_shutdown.IsCancellationRequested)
            {
                _shutdown.Cancel();
            }
            tasks = _tasks.ToArray();
        }
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            // jobs swallow their own errors; nothing to report at shutdown
        }
    }
}
