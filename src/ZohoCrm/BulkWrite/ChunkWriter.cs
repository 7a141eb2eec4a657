using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace ZohoCrm.BulkWrite
{
    /// <summary>One ZIP holding one CSV, ready to upload: rows FirstRow..LastRow of the caller's input.</summary>
    internal sealed class BulkChunk
    {
        public string ZipPath { get; set; }
        public long FirstRow { get; set; }
        public long LastRow { get; set; }
        public long RowCount => LastRow - FirstRow + 1;
        public long ZipBytes { get; set; }
        public override string ToString() => $"rows {FirstRow}-{LastRow}";
    }

    /// <summary>
    /// Streams rows into ZIP files on disk, one CSV each, starting a new one at Zoho's limits (25,000 rows, 25 MB
    /// zipped), so memory stays flat whatever the input size. Each CSV repeats the header.
    /// </summary>
    internal sealed class ChunkWriter : IDisposable
    {
        public const int MaxRowsPerJob = 25000;
        /// <summary>Zoho takes ZIPs up to 25 MB; cut a little below, as the compressor buffers a few KB.</summary>
        public const long MaxZipBytes = 24L * 1000 * 1000;
        public const int MaxColumns = 200;

        private static readonly Encoding Utf8NoBom = new UTF8Encoding(false);
        private readonly IReadOnlyList<string> _header;
        private readonly string _entryName;
        private readonly int _maxRows;
        private readonly long _maxZipBytes;
        private readonly List<BulkChunk> _chunks = new List<BulkChunk>();
        private FileStream _file;
        private ZipArchive _zip;
        private StreamWriter _writer;
        private BulkChunk _current;
        private long _rows;

        public ChunkWriter(IReadOnlyList<string> header, string entryName, int maxRows = MaxRowsPerJob, long maxZipBytes = MaxZipBytes)
        {
            _header = header; _entryName = entryName; _maxRows = maxRows; _maxZipBytes = maxZipBytes;
        }

        public IReadOnlyList<BulkChunk> Chunks => _chunks;
        public long RowCount => _rows;

        public void Add(IReadOnlyList<string> cells)
        {
            if (_current == null) Open();
            _rows++;
            Csv.WriteRow(_writer, cells);
            _current.LastRow = _rows;
            if (_current.RowCount >= _maxRows || _file.Length >= _maxZipBytes) Close();
        }

        private void Open()
        {
            string path = Path.Combine(Path.GetTempPath(), "zcrm-bulk-" + Guid.NewGuid().ToString("N") + ".zip");
            _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920);
            _zip = new ZipArchive(_file, ZipArchiveMode.Create, leaveOpen: true);
            var entry = _zip.CreateEntry(_entryName, CompressionLevel.Optimal);
            _writer = new StreamWriter(entry.Open(), Utf8NoBom, 65536);
            Csv.WriteRow(_writer, _header);
            _current = new BulkChunk { ZipPath = path, FirstRow = _rows + 1, LastRow = _rows };
            _chunks.Add(_current);
        }

        /// <summary>Finishes the ZIP being written (call once the input has ended).</summary>
        public void Close()
        {
            if (_current == null) return;
            _writer.Dispose();
            _zip.Dispose();
            _current.ZipBytes = _file.Length;
            _file.Dispose();
            _writer = null; _zip = null; _file = null; _current = null;
            Memory.ForceCompactingCollection();
        }

        /// <summary>Deletes every ZIP this writer made.</summary>
        public void Dispose()
        {
            try { Close(); } catch (IOException) { }
            foreach (var c in _chunks) TryDelete(c.ZipPath);
        }

        public static void TryDelete(string path)
        {
            try { if (path != null && File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

namespace ZohoCrm.BulkWrite
{
    /// <summary>
    /// Bulk write pushes millions of short-lived objects through the engine (input rows, result rows). The module
    /// keeps none of them, but the GC lets garbage pile up before it collects, so a session's peak memory would grow
    /// with the input. A full collection at each 25,000-row boundary (a job file written, a job's results read) keeps
    /// the peak flat; it takes milliseconds, as little is alive. Measured by tests/ZohoCrm.Bench.
    /// </summary>
    internal static class Memory
    {
        public static void ForceCompactingCollection() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
