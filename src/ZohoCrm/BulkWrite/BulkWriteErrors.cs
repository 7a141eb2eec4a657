using System.Collections.Generic;
using System.Linq;
using System.Text;
using ZohoCrm.BulkWrite;

namespace ZohoCrm
{
    /// <summary>
    /// Rows of the input that did not become a Zoho job, and rows that may or may not have (a create call with no clear
    /// answer after their upload). The two are kept apart, so sending again exactly <see cref="NotSubmittedRanges"/>
    /// (this error's TargetObject entries that start with "rows") writes no row twice.
    /// </summary>
    public sealed class RowsNotSubmittedException : ZohoException
    {
        /// <param name="chunk">The chunk whose upload or create failed.</param>
        /// <param name="lastRow">The last row not submitted: <paramref name="chunk"/>'s, or the input's when nothing more is sent.</param>
        /// <param name="fileId">The file uploaded for <paramref name="chunk"/>, if the upload got that far (then the create call failed).</param>
        internal RowsNotSubmittedException(ZohoException inner, string module, BulkChunk chunk, long lastRow, string fileId, IReadOnlyList<BulkWriteJob> created,
                                           string sourcePath = null, IReadOnlyList<string> filesNotRead = null)
            : this(inner, module, RowRanges.Split(chunk, lastRow, IsUnknownOutcome(inner, fileId)), fileId, created, sourcePath, (filesNotRead ?? new string[0]).ToArray())
        {
        }

        private RowsNotSubmittedException(ZohoException inner, string module, RowRanges.Outcome rows, string fileId, IReadOnlyList<BulkWriteJob> created,
                                          string sourcePath, string[] filesNotRead)
            : base(inner.Code, Describe(inner, module, rows, fileId, created, sourcePath, filesNotRead), inner.Kind, inner)
        {
            SourcePath = sourcePath;
            FilesNotRead = filesNotRead;
            FirstRow = rows.FirstRow;
            LastRow = rows.LastRow;
            FileId = fileId;
            SubmittedJobIds = created.Select(j => j.JobId).ToArray();
            NotSubmittedRanges = rows.NotSubmitted.ToArray();
            MaybeSubmittedRange = rows.Maybe;
            NotSubmitted = rows.NotSubmitted.Count == 0 ? null : string.Join(", ", rows.NotSubmitted.Select(r => "rows " + r));
        }

        /// <summary>The first and last row this error is about (not submitted, or may or may not have been).</summary>
        public long FirstRow { get; }
        public long LastRow { get; }
        /// <summary>The file uploaded for the failed job, if the upload got that far.</summary>
        public string FileId { get; }
        /// <summary>Jobs already created in this run (their rows were submitted).</summary>
        public string[] SubmittedJobIds { get; }
        /// <summary>Exactly the rows that were not submitted ("rows 25001-50000, rows 50001-60001"); null if none.</summary>
        public string NotSubmitted { get; }
        /// <summary>Exactly the rows that were not submitted, as ranges (empty if none).</summary>
        public RowRange[] NotSubmittedRanges { get; }
        /// <summary>Rows uploaded as <see cref="FileId"/> whose create call got no clear answer: Zoho may or may not have made a job of them.</summary>
        public RowRange MaybeSubmittedRange { get; }
        /// <summary>The file the rows are in (for -Path and piped files).</summary>
        public string SourcePath { get; }
        /// <summary>Files of the input that were not read at all, because Zoho rejected the request itself.</summary>
        public string[] FilesNotRead { get; }

        /// <summary>
        /// What the error is about: each range not submitted ("rows a-b[ of file]"), then the rows that may or may not
        /// have become a job ("file &lt;id&gt; (rows a-b ...: may or may not have become a job)"), then each file not read.
        /// </summary>
        internal object[] Target
        {
            get
            {
                string of = SourcePath == null ? "" : " of " + SourcePath;
                var target = NotSubmittedRanges.Select(r => (object)$"rows {r}{of}").ToList();
                if (MaybeSubmittedRange != null) target.Add($"file {FileId} (rows {MaybeSubmittedRange}{of}: may or may not have become a job)");
                target.AddRange(FilesNotRead);
                return target.ToArray();
            }
        }

        /// <summary>Once the file is uploaded, a create call that got no clear answer (none, 5xx, an unreadable one) may or may not have made a job.</summary>
        internal static bool IsUnknownOutcome(ZohoException inner, string fileId) => fileId != null && ErrorPolicy.OutcomeUnknown(inner);

        private static string Describe(ZohoException inner, string module, RowRanges.Outcome rows, string fileId, IReadOnlyList<BulkWriteJob> created,
                                       string sourcePath, IReadOnlyList<string> filesNotRead)
        {
            var sb = new StringBuilder(inner.Message.TrimEnd('.'));
            string of = sourcePath == null ? "the input" : System.IO.Path.GetFileName(sourcePath);
            if (rows.Maybe != null)
                sb.Append($". {module} rows {rows.Maybe} of {of} were uploaded as file {fileId}, and Zoho may or may not have made a job of them: check the bulk write jobs in Zoho (Setup > Data Administration) before sending these rows again");
            if (rows.NotSubmitted.Count > 0)
                sb.Append($"{(rows.Maybe != null ? ";" : ".")} {module} rows {string.Join(", ", rows.NotSubmitted)} of {of} were not submitted");
            if (filesNotRead.Count > 0) sb.Append($". Not read, so not submitted either: {string.Join(", ", filesNotRead)}");
            sb.Append(created.Count > 0
                ? $". Already submitted: {string.Join(", ", created.Select(j => $"job {j.JobId} (rows {j.FirstRow}-{j.LastRow})"))}."
                : ". No job was created in this run.");
            return sb.ToString();
        }
    }

    /// <summary>Rows FirstRow..LastRow of an input (both included), numbered from 1.</summary>
    public sealed class RowRange
    {
        public RowRange(long firstRow, long lastRow) { FirstRow = firstRow; LastRow = lastRow; }
        public long FirstRow { get; }
        public long LastRow { get; }
        public long Count => LastRow - FirstRow + 1;
        public override string ToString() => $"{FirstRow}-{LastRow}";
    }
}

namespace ZohoCrm.BulkWrite
{
    /// <summary>The range arithmetic of a failed submission: which rows were not submitted, which may or may not have been.</summary>
    internal static class RowRanges
    {
        internal sealed class Outcome
        {
            public List<RowRange> NotSubmitted { get; } = new List<RowRange>();
            public RowRange Maybe { get; set; }
            public long FirstRow { get; set; }
            public long LastRow { get; set; }
        }

        /// <summary>
        /// The failed chunk's rows, then (when nothing more is sent) the rows after it up to <paramref name="lastRow"/>.
        /// With an unknown outcome the chunk's rows may or may not have become a job, so only the rows after it are "not
        /// submitted"; otherwise all of chunk.FirstRow..lastRow are.
        /// </summary>
        public static Outcome Split(BulkChunk chunk, long lastRow, bool unknown)
        {
            lastRow = System.Math.Max(lastRow, chunk.LastRow);
            var o = new Outcome { FirstRow = chunk.FirstRow, LastRow = lastRow };
            if (unknown)
            {
                o.Maybe = new RowRange(chunk.FirstRow, chunk.LastRow);
                if (lastRow > chunk.LastRow) o.NotSubmitted.Add(new RowRange(chunk.LastRow + 1, lastRow));
            }
            else o.NotSubmitted.Add(new RowRange(chunk.FirstRow, lastRow));
            return o;
        }
    }
}
