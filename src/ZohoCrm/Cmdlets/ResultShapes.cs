using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// The objects of one job's result rows, their properties defined once per job: RowNumber, then the input row's
    /// columns (a whole-row result) or the columns Zoho echoes, then Status, RecordId, Errors, ErrorCodes, ErrorFields,
    /// JobId (and SourcePath, for a job of a file). Type name ZohoCrm.BulkWriteResultRow.
    /// </summary>
    internal sealed class ResultShapes
    {
        public const string TypeName = "ZohoCrm.BulkWriteResultRow";
        private static readonly string[] Outcome = { "Status", "RecordId", "Errors", "ErrorCodes", "ErrorFields", "JobId" };
        private const string NoResult = "Zoho's result has no row for this input row: it may or may not have been written.";

        private readonly string _jobId;
        private readonly string _sourcePath;
        private NoteObjectShape _echoed;
        private NoteObjectShape _joined;
        private int _inputCount;

        public ResultShapes(string jobId, string sourcePath)
        {
            _jobId = jobId;
            _sourcePath = sourcePath;
        }

        /// <summary>The input columns' property names, in the caller's order (for <see cref="Joined"/>).</summary>
        public void SetInput(IEnumerable<string> properties)
        {
            var names = properties.ToList();
            _inputCount = names.Count;
            _joined = Shape(names);
        }

        private NoteObjectShape Shape(IEnumerable<string> middle)
        {
            var names = new List<string> { "RowNumber" };
            names.AddRange(middle);
            names.AddRange(Outcome);
            if (_sourcePath != null) names.Add("SourcePath");
            return new NoteObjectShape(TypeName, names);
        }

        /// <summary>A result row with the columns Zoho echoes (no input row for it). Every row of one file has the same echoed columns.</summary>
        [MethodImpl(Hot.Path)]
        public PSObject Echoed(BulkWriteResultRow row)
        {
            if (_echoed == null || _echoed.Names.Count != row.Columns.Count + Outcome.Length + 1 + (_sourcePath != null ? 1 : 0) || !SameColumns(row))
                _echoed = Shape(row.Columns.Select(c => c.Key));
            var values = new object[_echoed.Names.Count];
            values[0] = row.RowNumber;
            int i = 1;
            foreach (var column in row.Columns) values[i++] = column.Value;
            SetOutcome(values, i, row.Status, row.RecordId, row.Errors, row.ErrorCodes, row.ErrorFields, row.JobId);
            return _echoed.New(values);
        }

        private bool SameColumns(BulkWriteResultRow row)
        {
            var names = _echoed.Names;
            for (int i = 0; i < row.Columns.Count; i++)
                if (!ReferenceEquals(names[i + 1], row.Columns[i].Key) && names[i + 1] != row.Columns[i].Key) return false;
            return true;
        }

        /// <summary>A whole-row result: RowNumber, every input column, the outcome ('unknown' when Zoho's result has no row for it).</summary>
        [MethodImpl(Hot.Path)]
        public PSObject Joined(JoinedRow joined)
        {
            if (joined.Input == null) return Echoed(joined.Result);
            var values = new object[_joined.Names.Count];
            values[0] = joined.RowNumber;
            for (int c = 0; c < _inputCount; c++) values[c + 1] = joined.Input[c];
            var r = joined.Result;
            if (r == null) SetOutcome(values, _inputCount + 1, BulkWriteResultRow.UnknownStatus, null, NoResult, null, null, _jobId);
            else SetOutcome(values, _inputCount + 1, r.Status, r.RecordId, r.Errors, r.ErrorCodes, r.ErrorFields, _jobId);
            return _joined.New(values);
        }

        [MethodImpl(Hot.Path)]
        private void SetOutcome(object[] values, int at, string status, string recordId, string errors, string codes, string fields, string jobId)
        {
            values[at] = status;
            values[at + 1] = recordId;
            values[at + 2] = errors;
            values[at + 3] = codes;
            values[at + 4] = fields;
            values[at + 5] = jobId;
            if (_sourcePath != null) values[at + 6] = _sourcePath;
        }
    }
}
