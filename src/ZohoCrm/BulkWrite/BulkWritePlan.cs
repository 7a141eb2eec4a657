using System.Collections.Generic;
using System.Linq;

namespace ZohoCrm.BulkWrite
{
    /// <summary>What a bulk write would do, for -WhatIf: how many jobs, which rows go to which job, the fields it sets.</summary>
    internal static class BulkWritePlan
    {
        public static string Describe(BulkWriteRequest r, IReadOnlyList<BulkChunk> chunks, string sourcePath, IReadOnlyList<string> fields)
        {
            long rows = chunks.Sum(c => c.RowCount);
            string of = sourcePath == null ? "" : $" of {System.IO.Path.GetFileName(sourcePath)}";
            string jobs = string.Join(", ", chunks.Select((c, i) => $"job {i + 1}: rows {c.FirstRow}-{c.LastRow}"));
            string find = r.FindBy == null ? "" : $", finding records by {r.FindBy}";
            return $"What if: Plan: {r.Operation} {rows:N0} {r.Module} row(s){of} in {chunks.Count} bulk write job(s) ({jobs}), one upload and one create call each{find}, setting {string.Join(", ", fields)}. " +
                   "API credits: Zoho's documents state no cost per bulk write job here; each call counts against the org's API limit.";
        }
    }
}
