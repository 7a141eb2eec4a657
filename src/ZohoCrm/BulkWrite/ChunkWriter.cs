using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using System.Threading;

namespace ZohoCrm.BulkWrite
{
    /// <summary>
    /// One ZIP holding one CSV, ready to upload: rows FirstRow..LastRow of the caller's input. In a run folder it is
    /// also the manifest's record of the chunk's steps (State, FileId, JobId...), so it serialises to JSON.
    /// </summary>
    internal sealed class BulkChunk
    {
        /// <summary>ready (written, checksummed), uploaded (FileId), creating (the create call was sent: its outcome is unknown until JobId), created (JobId).</summary>
        public const string Ready = "ready", Uploaded = "uploaded", Creating = "creating", Created = "created";

        [JsonIgnore] public string ZipPath { get; set; }
        /// <summary>The ZIP's name in the run folder.</summary>
        public string File { get; set; }
        public long FirstRow { get; set; }
        public long LastRow { get; set; }
        [JsonIgnore] public long RowCount => LastRow - FirstRow + 1;
        public long ZipBytes { get; set; }
        public string Sha256 { get; set; }
        public string State { get; set; }
        public string FileId { get; set; }
        public string JobId { get; set; }
        /// <summary>The job's last status seen (COMPLETED, FAILED...).</summary>
        public string JobStatus { get; set; }
        public override string ToString() => $"rows {FirstRow}-{LastRow}";
    }

    /// <summary>
    /// Streams rows into ZIP files on disk, one CSV each, starting a new one at Zoho's limits (25,000 rows, 25 MB
    /// zipped), so memory stays flat whatever the input size. Each CSV repeats the header. A row whose text could
    /// push the ZIP past the cut starts a new one (its UTF-8 size bounds what it adds zipped), and a row that may be
    /// too big on its own gets a ZIP to itself: if that ZIP is over Zoho's 25 MB, the row is refused by number
    /// (ZohoCrm.RowTooLarge) before anything is uploaded, instead of Zoho refusing the upload.
    /// </summary>
    internal sealed class ChunkWriter : IDisposable
    {
        public const int MaxRowsPerJob = 25000;
        /// <summary>Zoho takes ZIPs up to 25 MB; cut a little below, as the compressor buffers a few KB.</summary>
        public const long MaxZipBytes = 24L * 1000 * 1000;
        /// <summary>Zoho's limit on one bulk write ZIP: 25 MB (read as 25,000,000 bytes, the smaller meaning).</summary>
        public const long ZohoMaxZipBytes = 25L * 1000 * 1000;
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
        private BackgroundWriteStream _background;
        /// <summary>The ZIP file's length after the compressing thread's last block.</summary>
        private long _zipped;
        private BulkChunk _current;
        private long _rows;
        private readonly string _parameter;
        private readonly long _zohoMaxZipBytes;
        private readonly int _keyColumn;
        private readonly string[] _ordered;

        /// <param name="parameter">Where the rows come from, for errors: InputObject (the pipeline) or Path (a file).</param>
        public ChunkWriter(IReadOnlyList<string> header, string entryName, int maxRows = MaxRowsPerJob, long maxZipBytes = MaxZipBytes, string parameter = "InputObject",
                           long zohoMaxZipBytes = ZohoMaxZipBytes, int keyColumn = 0)
        {
            _header = header; _entryName = entryName; _maxRows = maxRows; _maxZipBytes = maxZipBytes; _parameter = parameter; _zohoMaxZipBytes = zohoMaxZipBytes;
            _keyColumn = keyColumn;
            _ordered = keyColumn > 0 ? new string[header.Count] : null;
        }

        /// <summary>
        /// The column (index in the input) each file puts first: Zoho's result echoes only the first three mapped columns,
        /// so the key (the -FindBy column, else the first) goes first and every result row names its input row.
        /// </summary>
        public int KeyColumn => _keyColumn;

        /// <summary>Makes each new chunk file (default: a temp file of this process); gets the chunk's number from 1.</summary>
        public Func<int, string> NewFile { get; set; } = n => TempFiles.Create("bulk");

        /// <summary>Where input column <paramref name="index"/> is in the files (the key column moved first).</summary>
        public static int FileIndex(int index, int keyColumn) => keyColumn <= 0 || index > keyColumn ? index : index == keyColumn ? 0 : index + 1;

        public IReadOnlyList<BulkChunk> Chunks => _chunks;
        /// <summary>The chunks finished (all but the one being written).</summary>
        public int ClosedCount => _chunks.Count - (_current != null ? 1 : 0);
        /// <summary>The input's columns, in the input's order.</summary>
        public IReadOnlyList<string> Columns => _header;
        public long RowCount => _rows;

        [MethodImpl(Hot.Path)]
        public void Add(IReadOnlyList<string> cells)
        {
            long bound = Utf8Bound(cells);
            // The ZIP so far plus all this row could add: past the cut, the row starts the next ZIP.
            if (_current != null && _current.RowCount > 0 && ZipBytesBound + bound > _maxZipBytes && ZipBytesNow() + bound > _maxZipBytes) Close();
            if (_current == null) Open();
            _rows++;
            Csv.WriteRow(_writer, KeyFirst(cells));
            _current.LastRow = _rows;
            bool alone = bound > _maxZipBytes;
            if (_current.RowCount >= _maxRows || (ZipBytesBound >= _maxZipBytes && ZipBytesNow() >= _maxZipBytes) || alone) Close();
            if (alone && _chunks[_chunks.Count - 1].ZipBytes > _zohoMaxZipBytes)
                throw new ZohoValidationException("ZohoCrm.RowTooLarge",
                    $"Row {_rows} zips to {(_chunks[_chunks.Count - 1].ZipBytes / 1e6).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} MB on its own; Zoho takes bulk write ZIP files up to {(_zohoMaxZipBytes / 1e6).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} MB, so it cannot be uploaded. Shorten its largest cells. Nothing was uploaded.",
                    _parameter);
        }

        /// <summary>
        /// The most bytes a row can take in the CSV: 3 UTF-8 bytes per UTF-16 char (a surrogate pair is 4 bytes for
        /// 2 chars; a doubled quote 2 bytes for 1), 2 quotes and a comma per cell, the line break. Deflate adds at most a
        /// few bytes per 16 KB to what it cannot compress, so this also bounds what the row adds zipped (within the
        /// 1 MB below Zoho's limit that MaxZipBytes keeps).
        /// </summary>
        [MethodImpl(Hot.Path)]
        internal static long Utf8Bound(IReadOnlyList<string> cells)
        {
            long bound = 2;
            foreach (var c in cells) bound += 3L * (c?.Length ?? 0) + 3;
            return bound;
        }

        /// <summary>
        /// At least what the ZIP being written holds so far, without waiting for the compressing thread: the file as of
        /// its last block, and what waits to be compressed, counted as if it could not be.
        /// </summary>
        private long ZipBytesBound => Volatile.Read(ref _zipped) + _background.QueuedBytes;

        /// <summary>What the ZIP holds so far, exactly (as if written on this thread): waits until all that is queued is compressed.</summary>
        private long ZipBytesNow()
        {
            _background.Drain();
            return _file.Position;
        }

        [MethodImpl(Hot.Path)]
        private IReadOnlyList<string> KeyFirst(IReadOnlyList<string> cells)
        {
            if (_ordered == null) return cells;
            for (int i = 0; i < cells.Count && i < _ordered.Length; i++) _ordered[FileIndex(i, _keyColumn)] = cells[i];
            return _ordered;
        }

        private void Open()
        {
            // User-only before a byte of the rows is in it; a temp file is named for this process, so a later run sweeps it if this one dies.
            string path = NewFile(_chunks.Count + 1);
            try { _file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 81920); }
            catch
            {
                TryDelete(path);
                throw;
            }
            _zip = new ZipArchive(_file, ZipArchiveMode.Create, leaveOpen: true);
            var entry = _zip.CreateEntry(_entryName, CompressionLevel.Optimal);
            // Deflate, the CRC and the file on a second core while this thread formats the next rows.
            var file = _file;
            Volatile.Write(ref _zipped, 0);
            _background = new BackgroundWriteStream(entry.Open(), () => Volatile.Write(ref _zipped, file.Position));
            _writer = new StreamWriter(_background, Utf8NoBom, 65536);
            Csv.WriteRow(_writer, KeyFirst(_header));
            _current = new BulkChunk { ZipPath = path, File = Path.GetFileName(path), FirstRow = _rows + 1, LastRow = _rows, State = BulkChunk.Ready };
            _chunks.Add(_current);
        }

        /// <summary>Finishes the ZIP being written (call once the input has ended).</summary>
        public void Close()
        {
            if (_current == null) return;
            _writer.Dispose();
            _zip.Dispose();
            _current.ZipBytes = _file.Length;
            _file.Position = 0;
            _current.Sha256 = Sha256Of(_file);
            _file.Dispose();
            _writer = null; _background = null; _zip = null; _file = null; _current = null;
        }

        /// <summary>Deletes every ZIP this writer made (also after Ctrl+C stopped it half-way through one).</summary>
        public void Dispose()
        {
            try { Close(); }
            catch (Exception) { try { _file?.Dispose(); } catch (IOException) { } }
            _writer = null; _background = null; _zip = null; _file = null; _current = null;
            if (!KeepFiles) foreach (var c in _chunks) TryDelete(c.ZipPath);
        }

        private static string Hex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (var b in bytes) sb.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        /// <summary>The SHA-256 of a chunk file as <see cref="BulkChunk.Sha256"/> records it.</summary>
        public static string Sha256Of(string path)
        {
            using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read)) return Sha256Of(f);
        }

        private static string Sha256Of(Stream stream)
        {
            using (var sha = SHA256.Create()) return Hex(sha.ComputeHash(stream));
        }

        /// <summary>Stops deleting this writer's files on Dispose: a run folder keeps them.</summary>
        public bool KeepFiles { get; set; }

        public static void TryDelete(string path)
        {
            try { if (path != null && File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
