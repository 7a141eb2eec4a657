using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ZohoCrm.BulkWrite;
using ZohoCrm.Http;
using ZohoCrm.Tests.Infrastructure;

namespace ZohoCrm.Tests;

/// <summary>
/// Bounded answers (BoundedBody, and how ZohoClient uses it): a body past its bound stops being read at once and fails
/// with ZohoCrm.AnswerTooLarge, not retried; a download past its bound leaves no file; every read takes the timeout.
/// </summary>
public class BoundedBodyTests
{
    /// <summary>A body that never ends (or ends after <paramref name="length"/> bytes), counting what was read of it.</summary>
    private sealed class EndlessStream(long length = long.MaxValue, TimeSpan? pausePerRead = null) : Stream
    {
        public long BytesRead { get; private set; }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (pausePerRead is { } pause) await Task.Delay(pause, cancellationToken);
            int n = (int)Math.Min(pausePerRead.HasValue ? 1 : count, length - BytesRead);
            Array.Fill(buffer, (byte)'7', offset, n);
            BytesRead += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static HttpResponseMessage Streamed(Stream body, string mediaType, long? contentLength = null)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        content.Headers.ContentLength = contentLength;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    public async Task A_body_of_exactly_the_bound_is_read_whole(int bytes)
    {
        var target = new MemoryStream();
        long copied = await BoundedBody.CopyAsync(new EndlessStream(bytes), target, bytes, CancellationToken.None);
        Assert.Equal(bytes, copied);
        Assert.Equal(bytes, target.Length);
    }

    [Fact]
    public async Task An_endless_body_stops_being_read_just_past_the_bound()
    {
        var source = new EndlessStream();
        var target = new MemoryStream();
        var e = await Assert.ThrowsAsync<AnswerTooLargeException>(() => BoundedBody.CopyAsync(source, target, 1_000_000, CancellationToken.None));
        Assert.Equal(1_000_000, e.Limit);
        Assert.False(e.Announced);
        Assert.Equal(1_000_001, source.BytesRead); // the one byte more that tells it apart from a body of exactly the bound
        Assert.True(target.Length <= 1_000_000, "nothing past the bound is written");
    }

    [Fact]
    public async Task A_Content_Length_above_the_bound_is_refused_before_the_body_is_read()
    {
        var source = new EndlessStream();
        using var response = Streamed(source, "application/json", contentLength: 5_000_000);
        var e = await Assert.ThrowsAsync<AnswerTooLargeException>(() => BoundedBody.ReadStringAsync(response.Content, 1_000_000, CancellationToken.None));
        Assert.True(e.Announced);
        Assert.Equal(5_000_000, e.Seen);
        Assert.Equal(0, source.BytesRead);
    }

    [Fact]
    public async Task Text_is_decoded_by_its_charset_or_as_UTF8()
    {
        using var utf8 = new HttpResponseMessage { Content = new StringContent("{\"x\":\"Müller €\"}", Encoding.UTF8, "application/json") };
        Assert.Equal("{\"x\":\"Müller €\"}", await BoundedBody.ReadStringAsync(utf8.Content, 1000, CancellationToken.None));
        var latin = new ByteArrayContent(Encoding.Latin1.GetBytes("{\"x\":\"Müller\"}"));
        latin.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=iso-8859-1");
        Assert.Equal("{\"x\":\"Müller\"}", await BoundedBody.ReadStringAsync(latin, 1000, CancellationToken.None));
        Assert.Equal("", await BoundedBody.ReadStringAsync(null!, 1000, CancellationToken.None));
    }

    [Fact]
    public async Task An_endless_JSON_answer_fails_with_AnswerTooLarge_once_not_retried_and_names_no_query()
    {
        EndlessStream? last = null;
        var handler = new FakeHandler((_, _) => Streamed(last = new EndlessStream(), "application/json"));
        var client = new ZohoClient(new HttpClient(handler), new StaticTokenProvider(Fake.Secure("1000.static-token")), _ => true,
            Fake.QuickRetry(), TimeSpan.FromSeconds(30), null, maxResponseBytes: 2 * 1024 * 1024);
        var e = await Assert.ThrowsAsync<ZohoClientException>(() =>
            client.SendAsync(Fake.Get("https://www.zohoapis.com/crm/v8/Leads/actions/mass_update?job_id=1&sig=secret"), CancellationToken.None));
        Assert.Equal("ZohoCrm.AnswerTooLarge", e.Code);
        Assert.Equal(ZohoErrorKind.LimitsExceeded, e.Kind);
        Assert.False(ErrorPolicy.EndsCommand(e), "about one call: a non-terminating error");
        Assert.Equal(1, handler.Calls);
        Assert.Equal(2 * 1024 * 1024 + 1, last!.BytesRead);
        Assert.Equal(last.BytesRead, (long)e.Data["BytesRead"]!);
        Assert.Equal(2L * 1024 * 1024, (long)e.Data["LimitBytes"]!);
        Assert.Contains("https://www.zohoapis.com/crm/v8/Leads/actions/mass_update ", e.Message);
        Assert.Contains("2 MB", e.Message);
        Assert.Contains("-MaxResponseSizeMB (now 2)", e.Message);
        Assert.Contains("not retried", e.Message);
        Assert.DoesNotContain("secret", e.Message);
        Assert.DoesNotContain("job_id", e.Message);
    }

    [Fact]
    public async Task A_download_past_its_bound_leaves_no_file_and_is_not_retried()
    {
        var handler = new FakeHandler((_, _) => Streamed(new EndlessStream(), "application/zip"));
        var client = Fake.Client(handler, Fake.QuickRetry());
        string path = Path.Combine(Path.GetTempPath(), "zcrm-bounded-" + Guid.NewGuid().ToString("N") + ".zip");
        var request = new ZohoRequest(HttpMethod.Get, new Uri("https://download.zoho.com/v2/crm/1/bulk-write/9/9.zip"))
        {
            Idempotent = true, ResponseFile = path, ResponseFileMaxBytes = 300_000, ResponseFileBoundNote = "the bound for the result of a 10-row job",
        };
        var e = await Assert.ThrowsAsync<ZohoClientException>(() => client.SendAsync(request, CancellationToken.None));
        Assert.Equal("ZohoCrm.AnswerTooLarge", e.Code);
        Assert.Contains("the bound for the result of a 10-row job", e.Message);
        Assert.Contains("partial file was deleted", e.Message);
        Assert.False(File.Exists(path));
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task A_download_within_its_bound_is_written_whole()
    {
        var handler = new FakeHandler((_, _) => Streamed(new EndlessStream(250_000), "application/zip"));
        string path = Path.Combine(Path.GetTempPath(), "zcrm-bounded-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            var request = new ZohoRequest(HttpMethod.Get, new Uri("https://download.zoho.com/r.zip")) { ResponseFile = path, ResponseFileMaxBytes = 250_000 };
            var answer = await Fake.Client(handler).SendAsync(request, CancellationToken.None);
            Assert.Equal(200, answer.StatusCode);
            Assert.Equal(250_000, new FileInfo(path).Length);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task A_trickling_body_ends_at_the_timeout_as_ZohoCrm_Timeout()
    {
        // One byte every 50 ms for ever: only a timeout that covers the body ends it.
        var handler = new FakeHandler((_, _) => Streamed(new EndlessStream(pausePerRead: TimeSpan.FromMilliseconds(50)), "application/json"));
        var client = Fake.Client(handler, timeout: TimeSpan.FromMilliseconds(300));
        var e = await Assert.ThrowsAsync<ZohoClientException>(() => client.SendAsync(Fake.Get(), CancellationToken.None));
        Assert.Equal("ZohoCrm.Timeout", e.Code);
        Assert.Contains("no complete answer within 0.3 s (HTTP 200 came, its body was still arriving)", e.Message);
        Assert.Equal(1, handler.Calls);
    }

    [Theory]
    [InlineData(null, 25_000L)]
    [InlineData(10L, 10L)]
    [InlineData(0L, 0L)]
    [InlineData(90_000L, 25_000L)]
    public void A_result_download_may_take_the_floor_plus_8_KB_a_row(long? rows, long counted)
    {
        var (bytes, note) = BulkWriteService.ResultBound(64L << 20, rows);
        Assert.Equal((64L << 20) + counted * 8192, bytes);
        Assert.Contains("-MaxResponseSizeMB plus 8 KB a row", note);
    }
}
