using System;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ZohoCrm.Http
{
    /// <summary>
    /// Reading an answer's body with a bound on its size: as text (JSON answers) or into a file (result downloads).
    /// Past the bound reading stops at once (a Content-Length above it is refused before the body is read) and
    /// <see cref="AnswerTooLargeException"/> says how much was read. Every read takes the token, so a timeout also ends
    /// a body that trickles.
    /// </summary>
    internal static class BoundedBody
    {
        private const int BufferBytes = 81920;
        private const long PreallocateBytes = 4 * 1024 * 1024;

        /// <summary>The body as text (the charset of its Content-Type, else UTF-8; a BOM wins), at most <paramref name="maxBytes"/> bytes of it.</summary>
        public static async Task<string> ReadStringAsync(HttpContent content, long maxBytes, CancellationToken ct)
        {
            if (content == null) return "";
            long? announced = content.Headers.ContentLength;
            RefuseAnnounced(announced, maxBytes);
            using (var source = await content.ReadAsStreamAsync().ConfigureAwait(false))
            // Sized by the announced length, but no more than 4 MB ahead: a server announcing 64 MB and sending little costs little.
            using (var buffer = new MemoryStream(announced.HasValue ? (int)Math.Min(announced.Value, PreallocateBytes) : 0))
            {
                await CopyAsync(source, buffer, maxBytes, ct).ConfigureAwait(false);
                buffer.Position = 0;
                using (var reader = new StreamReader(buffer, EncodingOf(content), detectEncodingFromByteOrderMarks: true))
                    return reader.ReadToEnd();
            }
        }

        /// <summary>Streams the body into <paramref name="path"/> (created or replaced), at most <paramref name="maxBytes"/> bytes; returns the bytes written.</summary>
        public static async Task<long> CopyToFileAsync(HttpContent content, string path, long maxBytes, CancellationToken ct)
        {
            RefuseAnnounced(content.Headers.ContentLength, maxBytes);
            // A file the download makes is user-only (a result holds customer data); an existing one keeps its mode.
            FileModes.CreateUserOnly(path, mustBeNew: false);
            using (var source = await content.ReadAsStreamAsync().ConfigureAwait(false))
            using (var target = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, BufferBytes, useAsync: true))
                return await CopyAsync(source, target, maxBytes, ct).ConfigureAwait(false);
        }

        /// <summary>
        /// Copies <paramref name="source"/> to its end into <paramref name="target"/>; throws <see cref="AnswerTooLargeException"/>
        /// as soon as more than <paramref name="maxBytes"/> bytes arrived (those past the bound are not written).
        /// </summary>
        public static async Task<long> CopyAsync(Stream source, Stream target, long maxBytes, CancellationToken ct)
        {
            var buffer = new byte[BufferBytes];
            long total = 0;
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                // One byte more than the bound allows tells a body of exactly maxBytes from a longer one.
                int want = (int)Math.Min(buffer.Length, maxBytes - total + 1);
                int n = await source.ReadAsync(buffer, 0, want, ct).ConfigureAwait(false);
                if (n == 0) return total;
                if (total + n > maxBytes) throw new AnswerTooLargeException(maxBytes, total + n, announced: false);
                await target.WriteAsync(buffer, 0, n, ct).ConfigureAwait(false);
                total += n;
            }
        }

        private static void RefuseAnnounced(long? contentLength, long maxBytes)
        {
            if (contentLength.HasValue && contentLength.Value > maxBytes)
                throw new AnswerTooLargeException(maxBytes, contentLength.Value, announced: true);
        }

        private static Encoding EncodingOf(HttpContent content)
        {
            string charset = content.Headers.ContentType?.CharSet?.Trim('"', ' ');
            if (string.IsNullOrEmpty(charset)) return new UTF8Encoding(false);
            try { return Encoding.GetEncoding(charset); }
            catch (ArgumentException) { return new UTF8Encoding(false); }
        }

        /// <summary>"N MB" (or bytes, below 1 MB) for messages.</summary>
        public static string Size(long bytes) =>
            bytes >= 1024 * 1024 ? (bytes / (1024.0 * 1024.0)).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " MB"
            : bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + " bytes";
    }

    /// <summary>An answer larger than the bound of its kind; the exchange turns it into ZohoCrm.AnswerTooLarge.</summary>
    internal sealed class AnswerTooLargeException : Exception
    {
        public AnswerTooLargeException(long limit, long seen, bool announced)
            : base(announced ? $"announced {seen} bytes, above the limit of {limit}" : $"more than {limit} bytes")
        {
            Limit = limit; Seen = seen; Announced = announced;
        }

        /// <summary>The bound, in bytes.</summary>
        public long Limit { get; }
        /// <summary>The announced Content-Length, or the bytes read when reading stopped (at most the bound plus one buffer).</summary>
        public long Seen { get; }
        /// <summary>The Content-Length was above the bound: nothing of the body was read.</summary>
        public bool Announced { get; }
    }
}
