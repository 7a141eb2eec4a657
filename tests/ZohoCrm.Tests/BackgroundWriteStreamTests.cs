using ZohoCrm.BulkWrite;

namespace ZohoCrm.Tests;

/// <summary>The stream that compresses a job file on a second thread: every byte in order, failures not lost, no hang.</summary>
public class BackgroundWriteStreamTests
{
    [Fact]
    public void Every_byte_reaches_the_target_in_order_whatever_the_write_sizes()
    {
        var data = new byte[1_000_003];
        new Random(5).NextBytes(data);
        var target = new MemoryStream();
        var stream = new BackgroundWriteStream(target);
        var random = new Random(6);
        for (int at = 0; at < data.Length;)
        {
            int n = Math.Min(data.Length - at, random.Next(1, 200_000));
            stream.Write(data, at, n);
            at += n;
            if (random.Next(10) == 0) stream.Drain();
        }
        stream.Dispose();
        Assert.Equal(data, target.ToArray());
    }

    [Fact]
    public void Drain_waits_until_the_target_has_everything()
    {
        var target = new SlowStream();
        using var stream = new BackgroundWriteStream(target);
        stream.Write(new byte[300_000], 0, 300_000);
        stream.Drain();
        Assert.Equal(300_000, target.Written);
        Assert.Equal(0, stream.QueuedBytes);
    }

    [Fact]
    public void A_failing_target_is_thrown_by_a_later_write_or_by_dispose_and_nothing_hangs()
    {
        var stream = new BackgroundWriteStream(new FailingStream());
        var block = new byte[BackgroundWriteStream.BlockBytes];
        var ex = Record.Exception(() =>
        {
            for (int i = 0; i < 100; i++) stream.Write(block, 0, block.Length);
            stream.Dispose();
        });
        Assert.IsType<IOException>(ex);
        Assert.Equal("disk full", ex!.Message);
        // Disposing after the failure waits for nothing (the writing thread has stopped) and reports the same failure, once more at most.
        var again = Record.Exception(() => stream.Dispose());
        Assert.True(again == null || again.Message == "disk full");
        Assert.Null(Record.Exception(() => stream.Dispose()));
    }

    private sealed class SlowStream : MemoryStream
    {
        public long Written;
        public override void Write(byte[] buffer, int offset, int count) { Thread.Sleep(20); Interlocked.Add(ref Written, count); }
    }

    private sealed class FailingStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("disk full");
    }
}
