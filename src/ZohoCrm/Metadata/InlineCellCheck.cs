using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Metadata
{
    /// <summary>
    /// Checks one input's rows against the org's fields as they are written to the job files, instead of reading all
    /// the files back at the end. The fields are read only once the first job file is finished (25,000 rows, or Zoho's
    /// size cut) or the input ends, after its rows have passed the input's own checks: an input of one job file is
    /// checked whole before any request, as before. The rows written until then are held (their cells, up to
    /// <see cref="HeldCharsLimit"/>) and checked when the fields come, then every later row as it comes; rows too
    /// wide to hold are read back from the first file instead (a trace put the read-back of 25,000 rows, with the GC
    /// it set off, at a tenth of the ingest). What the checks find is thrown at <see cref="End"/>, where the whole
    /// input's problems are named at once.
    /// </summary>
    internal sealed class InlineCellCheck
    {
        private readonly Func<IReadOnlyList<ZohoField>> _fields;
        private readonly Func<IReadOnlyList<ZohoField>, BulkCellCheck> _start;
        private readonly ChunkWriter _chunks;
        private bool _started;
        private BulkCellCheck _check;
        private ZohoValidationException _failed;
        /// <summary>The cells of the rows not yet checked, from row <see cref="_firstHeld"/> on; null once more than <see cref="HeldCharsLimit"/> (then the first file is read back).</summary>
        private List<string[]> _held = new List<string[]>();
        private long _firstHeld, _heldChars;
        private readonly long _heldCharsLimit;

        /// <summary>About 32 MB of text: the first job file of rows of ordinary width (25,000 rows of 600 characters).</summary>
        internal const long HeldCharsLimit = 16 * 1024 * 1024;

        /// <param name="fields">Reads the module's fields (once per command); null: no checks (-SkipMetadataCheck, or they could not be read).</param>
        /// <param name="start">Checks the input's columns against the fields (may throw) and makes the cell check (cells in the input's column order).</param>
        /// <param name="chunks">The input's job files, read back for the rows written before the fields were read when they were too wide to hold.</param>
        /// <param name="heldCharsLimit">The most characters of cells held while the fields are not read (tests make it small).</param>
        public InlineCellCheck(Func<IReadOnlyList<ZohoField>> fields, Func<IReadOnlyList<ZohoField>, BulkCellCheck> start, ChunkWriter chunks, long heldCharsLimit = HeldCharsLimit)
        {
            _fields = fields;
            _start = start;
            _chunks = chunks;
            _heldCharsLimit = heldCharsLimit;
        }

        /// <summary>The fields have been read (or there are none to check against): the rows so far are checked.</summary>
        public bool Started => _started;

        /// <summary>A check has found a problem: the input will be refused at its end.</summary>
        public bool HasProblems => _failed != null || (_check != null && _check.HasProblems);

        /// <summary>Row <paramref name="row"/> (input order) has just been added to the job files.</summary>
        [MethodImpl(Hot.Path)]
        public void Add(IReadOnlyList<string> cells, long row)
        {
            if (!_started)
            {
                Hold(cells, row);
                if (_chunks.ClosedCount == 0) return;
                if (Start()) return; // the held rows, this one with them
                // Read back: the row that opened the next file (the one before it was full by size) is not in those read back.
                if (row <= _chunks.Chunks[_chunks.ClosedCount - 1].LastRow) return;
            }
            _check?.Check(cells, row);
        }

        [MethodImpl(Hot.Path)]
        private void Hold(IReadOnlyList<string> cells, long row)
        {
            if (_held == null) return;
            if (_held.Count == 0) _firstHeld = row;
            var copy = new string[cells.Count];
            for (int i = 0; i < copy.Length; i++) { copy[i] = cells[i]; _heldChars += copy[i]?.Length ?? 0; }
            _held.Add(copy);
            if (_heldChars > _heldCharsLimit) _held = null;
        }

        /// <summary>Reads the fields and checks the rows so far: true if they were held (every row added so far is checked), false if the finished job files' rows were read back.</summary>
        [MethodImpl(Hot.Path)]
        private bool Start()
        {
            _started = true;
            var held = _held;
            _held = null;
            var fields = _fields();
            if (fields == null) return true;
            try { _check = _start(fields); }
            catch (ZohoValidationException ex) { _failed = ex; return true; }
            if (held != null)
            {
                for (int i = 0; i < held.Count; i++) _check.Check(held[i], _firstHeld + i);
                return true;
            }
            int columns = _chunks.Columns.Count;
            var cells = new string[columns];
            for (int c = 0; c < _chunks.ClosedCount; c++)
            {
                var chunk = _chunks.Chunks[c];
                var rows = InputRows.FromChunk(chunk.ZipPath, chunk.FirstRow, null);
                for (int i = 0; i < rows.Rows.Count; i++)
                {
                    var inFile = rows.Rows[i];
                    for (int k = 0; k < columns && ChunkWriter.FileIndex(k, _chunks.KeyColumn) < inFile.Length; k++) cells[k] = inFile[ChunkWriter.FileIndex(k, _chunks.KeyColumn)];
                    _check.Check(cells, chunk.FirstRow + i);
                }
            }
            return false;
        }

        /// <summary>The input has ended and its files are closed: checks what is left and throws what the checks found, naming each field's rows.</summary>
        public void End(string parameter, string sourcePath)
        {
            if (!_started && _chunks.RowCount > 0) Start();
            if (_failed != null) throw _failed;
            _check?.ThrowIfAny(parameter, sourcePath);
        }
    }
}
