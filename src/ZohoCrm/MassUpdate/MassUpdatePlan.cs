using System;
using System.Collections.Generic;

namespace ZohoCrm.MassUpdate
{
    /// <summary>What a mass update would do, for -WhatIf: the calls or the job, the fields, the automation Zoho runs (zoho-api.md section 5).</summary>
    internal static class MassUpdatePlan
    {
        public static string ById(string module, long ids, int batchSize, IReadOnlyList<string> fields)
        {
            long calls = ids == 0 ? 0 : (ids + batchSize - 1) / batchSize;
            return $"What if: Plan: mass update {ids:N0} {module} record(s) by id in {calls:N0} call(s) of up to {batchSize} ids, setting {string.Join(", ", fields)}. " +
                   "Zoho runs the module's workflow rules, approvals and blueprints for each record updated by id. " +
                   "API credits: Zoho's documents state no per-call cost for Mass Update; each call counts against the org's API limit.";
        }

        public static string ByCustomView(string module, string customViewId, string scope, string fields) =>
            $"What if: Plan: schedule 1 mass update job for every {module} record in custom view {customViewId}{scope} (at most 50,000 records), setting {fields}. " +
            "Zoho runs workflow rules for such a job only when it holds under 1,000 records; it returns counts only, not a result per record.";
    }
}
