using System.Collections.Generic;
using System.Linq;
using System.Text;
using ZohoCrm.BulkWrite;

namespace ZohoCrm
{
    /// <summary>Rows of the input that did not become (or may not have become) a Zoho job.</summary>
    public sealed class RowsNotSubmittedException : ZohoException
    {
        internal RowsNotSubmittedException(ZohoException inner, string module, BulkChunk chunk, long lastRow, string fileId, IReadOnlyList<BulkWriteJob> created,
                                           string sourcePath = null, IReadOnlyList<string> filesNotRead = null)
            : base(inner.Code, Describe(inner, module, chunk, lastRow, fileId, created, sourcePath, filesNotRead ?? new string[0]), inner.Kind, inner)
        {
            SourcePath = sourcePath;
            FilesNotRead = (filesNotRead ?? new string[0]).ToArray();
            FirstRow = chunk.FirstRow;
            LastRow = lastRow;
            FileId = fileId;
            SubmittedJobIds = created.Select(j => j.JobId).ToArray();
            NotSubmitted = $"rows {FirstRow}-{LastRow}";
        }

        public long FirstRow { get; }
        public long LastRow { get; }
        /// <summary>The file uploaded for the failed job, if the upload got that far.</summary>
        public string FileId { get; }
        /// <summary>Jobs already created in this run (their rows were submitted).</summary>
        public string[] SubmittedJobIds { get; }
        public string NotSubmitted { get; }
        /// <summary>The file the rows are in (for -Path and piped files).</summary>
        public string SourcePath { get; }
        /// <summary>Files of the input that were not read at all, because Zoho rejected the request itself.</summary>
        public string[] FilesNotRead { get; }

        /// <summary>What the error is about: the rows not submitted, then each file not read.</summary>
        internal object[] Target => new object[] { SourcePath == null ? NotSubmitted : $"{NotSubmitted} of {SourcePath}" }.Concat(FilesNotRead).ToArray();

        private static string Describe(ZohoException inner, string module, BulkChunk chunk, long lastRow, string fileId, IReadOnlyList<BulkWriteJob> created,
                                       string sourcePath, IReadOnlyList<string> filesNotRead)
        {
            var sb = new StringBuilder(inner.Message.TrimEnd('.'));
            // Once the file is uploaded, a create call that got no clear answer may or may not have made a job.
            bool unknown = fileId != null && (inner.Code == "ZohoCrm.Timeout" || inner.Code == "ZohoCrm.ConnectionFailed" || inner.Code == "ZohoCrm.ServerError"
                                              || (inner is ZohoApiException api && api.HttpStatus >= 500));
            if (unknown && fileId != null)
                sb.Append($". {module} rows {chunk.FirstRow}-{chunk.LastRow} were uploaded as file {fileId}, and Zoho may or may not have made a job of them: check the bulk write jobs in Zoho (Setup > Data Administration) before sending these rows again");
            else
                sb.Append($". {module} rows {chunk.FirstRow}-{lastRow} of {(sourcePath == null ? "the input" : System.IO.Path.GetFileName(sourcePath))} were not submitted");
            if (lastRow > chunk.LastRow && unknown) sb.Append($"; rows {chunk.LastRow + 1}-{lastRow} were not submitted");
            if (filesNotRead.Count > 0) sb.Append($". Not read, so not submitted either: {string.Join(", ", filesNotRead)}");
            sb.Append(created.Count > 0
                ? $". Already submitted: {string.Join(", ", created.Select(j => $"job {j.JobId} (rows {j.FirstRow}-{j.LastRow})"))}."
                : ". No job was created in this run.");
            return sb.ToString();
        }
    }
}
