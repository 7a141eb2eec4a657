using System;

namespace ZohoCrm
{
    /// <summary>A Zoho bulk write job: one per chunk of at most 25,000 rows of the caller's input.</summary>
    public sealed class BulkWriteJob
    {
        public string JobId { get; internal set; }
        public string Module { get; internal set; }
        /// <summary>insert, update or upsert.</summary>
        public string Operation { get; internal set; }
        /// <summary>ADDED, INPROGRESS, COMPLETED, SKIPPED or FAILED (Zoho's "IN PROGRESS" read as INPROGRESS).</summary>
        public string Status { get; internal set; }
        public DateTimeOffset? CreatedTime { get; internal set; }
        public string CreatedBy { get; internal set; }
        public string CreatedById { get; internal set; }
        public string FileId { get; internal set; }
        /// <summary>The number of this job's first row in the caller's input (1-based), across split jobs.</summary>
        public long? FirstRow { get; internal set; }
        public long? LastRow { get; internal set; }
        /// <summary>The file whose rows this job holds (-Path, -LiteralPath or a piped file); null for piped rows or -FileId.</summary>
        public string SourcePath { get; internal set; }
        /// <summary>Rows the module put in this job's file.</summary>
        public long? RowCount { get; internal set; }
        public long? AddedCount { get; internal set; }
        public long? UpdatedCount { get; internal set; }
        public long? SkippedCount { get; internal set; }
        /// <summary>Rows Zoho has counted in the file so far.</summary>
        public long? TotalCount { get; internal set; }
        public string DownloadUrl { get; internal set; }
        public string FindBy { get; internal set; }
        public bool? IgnoreEmpty { get; internal set; }
        public string CallbackUrl { get; internal set; }
        /// <summary>The field mappings Zoho reports (job details), when any.</summary>
        public BulkWriteFieldMapping[] FieldMappings { get; internal set; }

        /// <summary>The character_encoding Zoho reports (job details), when it does.</summary>
        public string CharacterEncoding { get; internal set; }

        /// <summary>
        /// The ZIP of the rows this job was made from, while it is kept (in the run folder, or until the creating command
        /// ends with -Wait), so Get-ZcrmBulkWriteResult can give each result row its whole input row.
        /// </summary>
        public string InputFile { get; internal set; }

        /// <summary>The input's columns in the order the caller gave them (the job's file puts the key column first).</summary>
        public string[] InputColumns { get; internal set; }

        /// <summary>The run folder (-RunPath) this job belongs to.</summary>
        public string RunPath { get; internal set; }

        /// <summary>COMPLETED, SKIPPED and FAILED are final.</summary>
        public bool IsFinished => HasResult || string.Equals(Status, "FAILED", StringComparison.OrdinalIgnoreCase);

        /// <summary>A final status with a result file (COMPLETED, or SKIPPED: no row added or updated).</summary>
        internal bool HasResult => string.Equals(Status, "COMPLETED", StringComparison.OrdinalIgnoreCase) || string.Equals(Status, "SKIPPED", StringComparison.OrdinalIgnoreCase);

        public override string ToString() => $"{Module} bulk write job {JobId}: {Status}" + (FirstRow.HasValue ? $" (rows {FirstRow}-{LastRow})" : "");
    }

    /// <summary>One field mapping of a bulk write job, as Zoho reports it.</summary>
    public sealed class BulkWriteFieldMapping
    {
        public string ApiName { get; internal set; }
        public int? Index { get; internal set; }
        public string Format { get; internal set; }
        public string FindBy { get; internal set; }
        public string Module { get; internal set; }
        public string DefaultValue { get; internal set; }
        public override string ToString() => Index.HasValue ? $"{ApiName} <- column {Index}" : ApiName;
    }
}
