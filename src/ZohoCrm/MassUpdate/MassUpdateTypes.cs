using System;

namespace ZohoCrm
{
    /// <summary>The outcome of a mass update for one record id.</summary>
    public sealed class MassUpdateResult
    {
        public string Module { get; internal set; }
        public string Id { get; internal set; }
        /// <summary>success or error.</summary>
        public string Status { get; internal set; }
        /// <summary>Zoho's code: SUCCESS, INVALID_DATA, NOT_APPROVED, RECORD_LOCKED...</summary>
        public string Code { get; internal set; }
        public string Message { get; internal set; }
        /// <summary>The field Zoho named (details.api_name), if any.</summary>
        public string ErrorField { get; internal set; }
        /// <summary>Zoho's other details, such as the action that locks a record, as "key: value" text.</summary>
        public string Details { get; internal set; }
        public DateTimeOffset? ModifiedTime { get; internal set; }
        public string ModifiedBy { get; internal set; }
        public string ModifiedById { get; internal set; }
        public DateTimeOffset? CreatedTime { get; internal set; }
        public string CreatedBy { get; internal set; }
        public string CreatedById { get; internal set; }

        public override string ToString() => $"{Module} {Id}: {Status} {Code}";
    }

    /// <summary>A scheduled mass update of the records in a custom view.</summary>
    public sealed class MassUpdateJob
    {
        public string Module { get; internal set; }
        public string JobId { get; internal set; }
        public string CustomViewId { get; internal set; }
        /// <summary>SCHEDULED, RUNNING, COMPLETED or FAILED (Zoho may also say QUEUED or SUSPENDED).</summary>
        public string Status { get; internal set; }
        public long? TotalCount { get; internal set; }
        public long? UpdatedCount { get; internal set; }
        /// <summary>Records not updated yet (still pending).</summary>
        public long? NotUpdatedCount { get; internal set; }
        public long? FailedCount { get; internal set; }

        /// <summary>COMPLETED or FAILED: the job will not change any more.</summary>
        public bool IsFinished => IsFinal(Status);

        internal static bool IsFinal(string status) =>
            string.Equals(status, "COMPLETED", StringComparison.OrdinalIgnoreCase) || string.Equals(status, "FAILED", StringComparison.OrdinalIgnoreCase);

        public override string ToString() => $"{Module} mass update job {JobId}: {Status}";
    }
}
