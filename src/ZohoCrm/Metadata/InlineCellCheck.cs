using System;
using System.Collections.Generic;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Metadata
{
    /// <summary>
    /// Checks one input's rows against the org's fields as they are written to the job files, instead of reading the
    /// files back at the end. The fields are read only once the rows of the first job file (25,000 rows, or ~16 M
    /// characters) have passed the input's own checks, which it keeps until then: an input of one job file is
    /// checked whole before any request, as before; a longer one reads the fields (a GET, nothing uploaded) after
    /// its first job file, and every row is still checked before anything is uploaded. What the checks find is
    /// thrown at <see cref="End"/>, where the whole input's problems are named at once.
    /// </summary>
    internal sealed class InlineCellCheck
    {
        internal const int PendingRows = ChunkWriter.MaxRowsPerJob;
        internal const long PendingChars = 16L * 1024 * 1024;

        private readonly Func<IReadOnlyList<ZohoField>> _fields;
        private readonly Func<IReadOnlyList<ZohoField>, BulkCellCheck> _start;
        private List<KeyValuePair<IReadOnlyList<string>, long>> _pending = new List<KeyValuePair<IReadOnlyList<string>, long>>();
        private long _pendingChars;
        private bool _started;
        private BulkCellCheck _check;
        private ZohoValidationException _failed;

        /// <param name="fields">Reads the module's fields (once per command); null: no checks (-SkipMetadataCheck, or they could not be read).</param>
        /// <param name="start">Checks the input's columns against the fields (may throw) and makes the cell check.</param>
        public InlineCellCheck(Func<IReadOnlyList<ZohoField>> fields, Func<IReadOnlyList<ZohoField>, BulkCellCheck> start)
        {
            _fields = fields;
            _start = start;
        }

        /// <summary>The fields have been read (or there are none to check against): the rows so far are checked.</summary>
        public bool Started => _started;

        /// <summary>A check has found a problem: the input will be refused at its end.</summary>
        public bool HasProblems => _failed != null || (_check != null && _check.HasProblems);

        /// <summary>One row as it goes into the job files; <paramref name="cells"/> must not change afterwards.</summary>
        public void Add(IReadOnlyList<string> cells, long row)
        {
            if (_started) { _check?.Check(cells, row); return; }
            _pending.Add(new KeyValuePair<IReadOnlyList<string>, long>(cells, row));
            foreach (var c in cells) _pendingChars += c?.Length ?? 0;
            if (_pending.Count >= PendingRows || _pendingChars >= PendingChars) Start();
        }

        private void Start()
        {
            _started = true;
            var pending = _pending;
            _pending = null;
            var fields = _fields();
            if (fields == null) return;
            try { _check = _start(fields); }
            catch (ZohoValidationException ex) { _failed = ex; return; }
            foreach (var p in pending) _check.Check(p.Key, p.Value);
        }

        /// <summary>The input has ended: checks what is left and throws what the checks found, naming each field's rows.</summary>
        public void End(string parameter, string sourcePath)
        {
            if (!_started && _pending.Count > 0) Start();
            if (_failed != null) throw _failed;
            _check?.ThrowIfAny(parameter, sourcePath);
        }
    }
}
