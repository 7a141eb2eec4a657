using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using ZohoCrm.MassUpdate;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Finishes a mass update by ids started with Invoke-ZcrmMassUpdate -RunPath: writes the results of the batches
    /// already done, sends every batch that is not, and writes one result per id of the run, in input order.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Resume, "ZcrmMassUpdateRun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(MassUpdateResult))]
    public sealed class ResumeZcrmMassUpdateRun : ZcrmApiCmdlet, IDisposable
    {
        private MassUpdateRun _run;
        private MassUpdateBatches _batches;

        /// <summary>The run folder given to Invoke-ZcrmMassUpdate -RunPath.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string RunPath { get; set; }

        /// <summary>How many calls (batches) are in flight at once (1 to 25; default 10). Results still come in the run's order.</summary>
        [Parameter]
        [ValidateRange(1, MassUpdateBatches.MaxThrottleLimit)]
        public int ThrottleLimit { get; set; } = MassUpdateBatches.DefaultThrottleLimit;

        /// <summary>Do not ask for confirmation (for scripts and scheduled tasks). -WhatIf still sends nothing.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            try { _run = MassUpdateRun.Open(FileSystemPath(RunPath, "RunPath")); }
            catch (ZohoException ex) { ThrowTerminating(ex, RunPath); }
            if (!string.Equals(_run.ApiDomain.TrimEnd('/'), ResolvedConnection.ApiDomain, StringComparison.OrdinalIgnoreCase))
                ThrowTerminating(new ZohoValidationException("ZohoCrm.RunConnectionMismatch",
                    $"The run in '{_run.Path}' was started against {_run.ApiDomain}, but this connection is to {ResolvedConnection.ApiDomain}. Connect to {_run.ApiDomain} (Connect-Zcrm, or -Connection) to resume it; nothing was sent.",
                    "Connection"), RunPath);
        }

        protected override void EndProcessing()
        {
            List<string> fields;
            using (var doc = JsonDocument.Parse(_run.DataJson)) fields = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            _batches = new MassUpdateBatches(this, _run.Module, _run.DataJson, fields, _run.OverWrite, Force, _run.DataJson, _run, ThrottleLimit);
            var batches = _batches;
            int resent = 0;
            for (int b = 0; b < _run.Batches.Count; b++)
            {
                var batch = _run.Batches[b];
                var ids = _run.IdsOf(b);
                if (batch.State == MassUpdateRunBatch.Done)
                {
                    batches.WriteSaved(b);
                    continue;
                }
                if (batches.Rejected) { batches.NotSent(ids); continue; }
                string warning = batch.State != MassUpdateRunBatch.Sending ? null :
                    $"Batch {b + 1} of the run (ids {batch.First}-{batch.Last}: {ids[0]} ... {ids[ids.Count - 1]}) was being sent when the run stopped, so whether Zoho applied it is unknown. It is sent again: a mass update by ids sets the same values again, which is safe, but workflows, blueprints or other automations on those records may fire again.";
                resent++;
                batches.Send(ids, null, Rest(b + 1), null, b, warning);
            }
            // Ids recorded but never in a batch (the input went on after a rejection, or the process ended while they arrived).
            for (int first = _run.BatchedCount; first < _run.Ids.Count; first = _run.BatchedCount)
            {
                var ids = _run.Ids.Skip(first).Take(_run.BatchSize).ToList();
                if (batches.Rejected) { batches.NotSent(_run.Ids.Skip(first)); break; }
                int before = _run.Batches.Count;
                batches.Send(ids, null, _run.Ids.Skip(first + ids.Count).ToList(), null);
                if (_run.Batches.Count == before)
                {
                    // A rejection seen in an earlier batch's answer: Send named this batch's ids, the rest are named here.
                    if (batches.Rejected) batches.NotSent(_run.Ids.Skip(first + ids.Count));
                    break; // -WhatIf: no batch is made, so the rest is not previewed (and the loop ends)
                }
                resent++;
            }
            if (resent == 0) WriteVerbose($"The run in '{_run.Path}' is finished: nothing was sent; its {_run.Ids.Count} result(s) are from its results file.");
            batches.Finish(new string[0]);
            if (!_run.InputComplete) Report(InputStopped(), _run.Path);
            batches.ReportFailed();
            _run.Dispose();
        }

        /// <summary>The ids of the batches from <paramref name="from"/> on, and the recorded ids in no batch: what an ending error names as not sent.</summary>
        private List<string> Rest(int from) =>
            from < _run.Batches.Count ? _run.Ids.Skip(_run.Batches[from].First).ToList() : _run.Ids.Skip(_run.BatchedCount).ToList();

        private ZohoException InputStopped()
        {
            int n = _run.Ids.Count;
            string where = n == 0 ? "before its first id" : $"after id {_run.Ids[n - 1]} (index {(n - 1).ToString(CultureInfo.InvariantCulture)} of the run's id list)";
            return new RunInputIncompleteException(n == 0 ? null : _run.Ids[n - 1], n - 1,
                $"The run's input stopped {where}: the command that started the run ended while ids were still arriving. The {n.ToString("N0", CultureInfo.InvariantCulture)} id(s) it recorded are done; the ids that came after them were never recorded, so they must be sent again (in a new run).");
        }

        public void Dispose()
        {
            _batches?.Dispose();
            _run?.Dispose();
        }
    }
}
