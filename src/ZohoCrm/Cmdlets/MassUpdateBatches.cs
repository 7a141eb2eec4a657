using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.Backup;
using ZohoCrm.MassUpdate;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Sends the batches of a mass update by ids for Invoke-ZcrmMassUpdate and Resume-ZcrmMassUpdateRun: one
    /// ShouldProcess per batch, the call, the run's bookkeeping around it (-RunPath), the results as output, and at
    /// the end the errors the command owes (passing failures, a rejection and the ids it left undone, the summary of
    /// failed records).
    /// </summary>
    internal sealed class MassUpdateBatches : IDisposable
    {
        public const int ProgressId = 0x5a01;
        /// <summary>-ThrottleLimit's default: Zoho allows about 10 heavy calls at once per org (zoho-api.md, rate limits).</summary>
        public const int DefaultThrottleLimit = 10;
        public const int MaxThrottleLimit = 25;
        private readonly ZcrmApiCmdlet _cmdlet;
        private readonly MassUpdateService _service;
        private readonly string _module;
        private readonly string _dataJson;
        private readonly string _fieldList;
        private readonly bool _overWrite;
        private readonly bool _force;
        /// <summary>What an error about the values names as its target (the -Data hashtable).</summary>
        private readonly object _dataTarget;
        private readonly MassUpdateRun _run;
        /// <summary>Results that are not a success: named in the summary error at the end.</summary>
        private readonly List<MassUpdateResult> _failed = new List<MassUpdateResult>();
        /// <summary>Zoho rejected the request itself: no more batches are sent.</summary>
        private ZohoException _rejected;
        private List<string> _rejectedBatch;
        /// <summary>Ids received after the rejection (or not yet sent when it came).</summary>
        private readonly List<string> _notSent = new List<string>();
        /// <summary>An error that ends the command (authentication that still fails), seen in a batch's outcome: raised once the calls in flight are in.</summary>
        private ZohoException _ending;
        private readonly List<string> _endingIds = new List<string>();
        /// <summary>The calls in flight (null with -ThrottleLimit 1): outcomes taken in input order.</summary>
        private readonly OrderedCalls<Batch, List<MassUpdateResult>> _calls;
        /// <summary>-BackupPath: the save of the batch started last; each batch's values are saved after the one before, so the file keeps the input's order.</summary>
        private Task _lastBackup = Task.CompletedTask;
        /// <summary>The first call has had its answer: the next ones may overlap (an error that would fail them all is seen once).</summary>
        private bool _firstAnswered;
        private int _sent;
        private int _received;

        public MassUpdateBatches(ZcrmApiCmdlet cmdlet, string module, string dataJson, IEnumerable<string> fields, bool overWrite, bool force, object dataTarget, MassUpdateRun run, int throttleLimit)
        {
            _cmdlet = cmdlet;
            _module = module;
            _dataJson = dataJson;
            _fieldList = string.Join(", ", fields);
            _overWrite = overWrite;
            _force = force;
            _dataTarget = dataTarget;
            _run = run;
            _service = new MassUpdateService(cmdlet.ResolvedConnection, module);
            // Twice the limit started: a call waits for a slot, not for the pipeline thread, when one ends.
            if (throttleLimit > 1) _calls = new OrderedCalls<Batch, List<MassUpdateResult>>(cmdlet, throttleLimit, 2 * throttleLimit);
        }

        /// <summary>A batch started: its ids, the piped objects they came from, its number in the run (-1: none).</summary>
        private sealed class Batch
        {
            public IReadOnlyList<string> Ids;
            public IReadOnlyList<PSObject> Inputs;
            public int RunBatch;
            /// <summary>Read back from the run (Resume): written, not recorded again.</summary>
            public bool Saved;
        }

        /// <summary>Zoho rejected the request itself: the rest is only collected (<see cref="NotSent"/>), to be named at the end.</summary>
        public bool Rejected => _rejected != null;

        public void NotSent(IEnumerable<string> ids) => _notSent.AddRange(ids);

        private string Activity => $"Mass update of {_module}";

        /// <summary>
        /// Sends one batch (with -ThrottleLimit above 1, starts it: its results are written in their turn). <paramref name="runBatch"/>:
        /// the run's batch being sent again (Resume); null makes a new batch of the run of these ids (the ids not yet in
        /// a batch), if there is a run. A rejection seen meanwhile in an earlier batch's answer: this one is not sent (named in NotSent).
        /// </summary>
        /// <param name="inputs">The piped object each id came from (null when typed or resumed), for the result's pass-through properties.</param>
        /// <param name="unsent">Ids already received but not yet batched: named too if the command must end.</param>
        /// <param name="backup">The -BackupPath file, made when the first batch is about to be sent (null: none).</param>
        /// <param name="warning">Written once the batch is confirmed, before it is sent (null: none).</param>
        public void Send(IReadOnlyList<string> batch, IReadOnlyList<PSObject> inputs, IReadOnlyList<string> unsent, Func<RecordBackup> backup, int? runBatch = null, string warning = null)
        {
            // The answers in so far, and room in the window: an ending error or a rejection among them stops here.
            if (_calls != null)
            {
                TakeOutcomes(false);
                while (_calls.Full && _ending == null) TakeOne(true);
                EndIfEnding(batch.Concat(unsent));
                if (Rejected) { NotSent(batch); return; }
            }
            string target = batch.Count == 1 ? $"{_module} record {batch[0]}" : $"{batch.Count} {_module} records ({batch[0]} ... {batch[batch.Count - 1]})";
            if (!_cmdlet.ShouldProcessUnlessForced(_force, target, $"Update {_fieldList}"))
            {
                // A batch answered No is recorded as declined (a resume asks again); -WhatIf changes no run.
                if (_run != null && runBatch == null && !_cmdlet.WhatIfRequested) Record(() => _run.AddBatch(batch.Count, MassUpdateRunBatch.Declined));
                return;
            }
            if (warning != null) _cmdlet.WriteWarning(warning);
            // The run says "sending" before the call: if the process ends during it, the outcome is known to be unknown.
            int b = -1;
            if (_run != null)
            {
                if (runBatch == null) b = Record(() => _run.AddBatch(batch.Count, MassUpdateRunBatch.Sending));
                else { b = runBatch.Value; Record(() => { _run.SetState(b, MassUpdateRunBatch.Sending); return 0; }); }
            }

            _sent += batch.Count;
            _cmdlet.WriteProgress(new ProgressRecord(ProgressId, Activity, $"Updating {_fieldList}: {_received} done, {_sent - _received} being sent"));
            var entry = new Batch { Ids = batch, Inputs = inputs, RunBatch = b };
            RecordBackup saver;
            try { saver = backup?.Invoke(); }
            catch (ZohoValidationException ex) { MarkFailed(b); _cmdlet.Report(ex, _dataTarget); return; }
            var previousSave = _lastBackup;
            var saved = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (saver != null) _lastBackup = saved.Task;
            Func<CancellationToken, Task<List<MassUpdateResult>>> call = async ct =>
            {
                // No record is changed before its current values are on disk; the batches' values go in in input order.
                if (saver != null)
                {
                    try
                    {
                        await Task.WhenAny(previousSave, Task.Delay(Timeout.Infinite, ct)).ConfigureAwait(false);
                        ct.ThrowIfCancellationRequested();
                        await saver.SaveAsync(batch, ct).ConfigureAwait(false);
                    }
                    finally { saved.TrySetResult(true); } // the next batch's turn, whatever became of this one
                }
                return await _service.UpdateByIdsAsync(_dataJson, batch, _overWrite, ct).ConfigureAwait(false);
            };
            if (_calls != null && _firstAnswered)
            {
                _calls.Start(entry, call);
                return;
            }
            // The first call alone (and every call with -ThrottleLimit 1), from start to end.
            Task<List<MassUpdateResult>> outcome;
            try { outcome = Task.FromResult(_cmdlet.Run(call)); }
            catch (ZohoException ex) { outcome = Task.FromException<List<MassUpdateResult>>(ex); }
            Complete(entry, outcome);
            _firstAnswered = true;
            EndIfEnding(unsent);
        }

        /// <summary>Results read back from the run (Resume): written in their turn, after the batches started before them.</summary>
        public void WriteSaved(int runBatch)
        {
            var entry = new Batch { Ids = _run.IdsOf(runBatch), RunBatch = runBatch, Saved = true };
            if (_calls != null && _calls.Count > 0) { _calls.Add(entry, _run.ResultsOf(runBatch).ToList()); return; }
            foreach (var r in _run.ResultsOf(runBatch)) Write(r, null);
        }

        /// <summary>The outcomes that are in (<paramref name="wait"/>: every one, waiting for the calls in flight).</summary>
        private void TakeOutcomes(bool wait)
        {
            while (TakeOne(wait)) { }
        }

        private bool TakeOne(bool wait)
        {
            if (!_calls.TryTake(wait, out var entry, out var outcome)) return false;
            Complete(entry, outcome);
            return true;
        }

        /// <summary>A batch's outcome, on the pipeline thread: its results recorded and written, or its failure judged.</summary>
        private void Complete(Batch entry, Task<List<MassUpdateResult>> outcome)
        {
            List<MassUpdateResult> results;
            try { results = outcome.GetAwaiter().GetResult(); }
            catch (ZohoValidationException ex)
            {
                MarkFailed(entry.RunBatch);
                _cmdlet.Report(ex, _dataTarget);
                return;
            }
            catch (ZohoException ex)
            {
                MarkFailed(entry.RunBatch);
                var ids = entry.Ids.ToList();
                // Authentication that still fails: nothing more can be done; the error names this batch (and any other the
                // same error ended) and the ids received so far, once the calls in flight have their answers.
                if (ErrorPolicy.EndsCommand(ex)) { _ending = _ending ?? ex; _endingIds.AddRange(ids); return; }
                // A rejection of the request itself (bad field, no permission) would fail every batch: send no more.
                if (ex.WouldFailEveryBatch)
                {
                    if (_rejected == null) { _rejected = ex; _rejectedBatch = ids; }
                    else _rejectedBatch.AddRange(ids);
                    return;
                }
                // A failure of this one call (the service kept failing, no answer): report these ids, go on with the next.
                _cmdlet.Defer(new NotUpdatedException(ex, _module, ids, new List<string>()), ids.ToArray());
                return;
            }
            // The results are on disk (and the batch done) before they are written out.
            if (_run != null && !entry.Saved) Record(() => { _run.Done(entry.RunBatch, results); return 0; });
            for (int i = 0; i < results.Count; i++) Write(results[i], entry.Inputs != null && i < entry.Inputs.Count ? entry.Inputs[i] : null);
        }

        /// <summary>An ending error was seen: the calls in flight are waited for (their results written), then it ends the command naming every id it left undone.</summary>
        private void EndIfEnding(IEnumerable<string> unsent)
        {
            if (_ending == null) return;
            if (_calls != null) TakeOutcomes(true);
            var ids = _endingIds.ToList();
            var rest = unsent.ToList();
            _cmdlet.Report(new NotUpdatedException(_ending, _module, ids, rest), ids.Concat(rest).ToArray());
        }

        /// <summary>A result as output (with the input object's other properties), counted for the summary.</summary>
        public void Write(MassUpdateResult result, PSObject input)
        {
            _received++;
            _cmdlet.WriteObject(WithInput(result, input));
            if (!string.Equals(result.Status, "success", StringComparison.OrdinalIgnoreCase)) _failed.Add(result);
        }

        /// <summary>The end of the batches: the calls in flight waited for, progress completed, the passing failures, and the ids a rejection left undone.</summary>
        /// <param name="pending">Ids received and never batched.</param>
        public void Finish(IEnumerable<string> pending)
        {
            var left = pending.ToList();
            if (_calls != null) TakeOutcomes(true);
            EndIfEnding(left);
            if (_sent > 0) _cmdlet.WriteProgress(new ProgressRecord(ProgressId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
            _cmdlet.ReportDeferred();
            if (_rejected != null)
            {
                // One error for every id the rejection left undone: the rejected calls' and every id that came after them.
                _notSent.AddRange(left);
                _cmdlet.Report(new NotUpdatedException(_rejected, _module, _rejectedBatch, _notSent), _rejectedBatch.Concat(_notSent).ToArray());
            }
        }

        /// <summary>Cancels the calls still in flight (the command ended early: Ctrl+C, an error that ends it).</summary>
        public void Dispose() => _calls?.Dispose();

        /// <summary>The one summary error naming the records that were not updated, if any.</summary>
        public void ReportFailed()
        {
            if (_failed.Count > 0)
                _cmdlet.Report(RecordsFailedException.Of($"{_module} records were not updated", _received, _failed.Select(r => r.Code),
                    "The failed results are in the output (Status 'error', Code, Message) and in this error's TargetObject."), _failed.ToArray());
        }

        private void MarkFailed(int batch)
        {
            if (batch >= 0) Record(() => { _run.SetState(batch, MassUpdateRunBatch.Failed); return 0; });
        }

        /// <summary>A step of the run's bookkeeping; a run that cannot be written ends the command (nothing more is sent).</summary>
        private int Record(Func<int> step)
        {
            try { return step(); }
            catch (ZohoValidationException ex) { _cmdlet.ThrowTerminating(ex, _run.Path); return -1; }
        }

        /// <summary>The result, plus the input object's other properties (none of the result's own names is replaced).</summary>
        private static object WithInput(MassUpdateResult result, PSObject input)
        {
            if (input == null) return result;
            var o = PSObject.AsPSObject(result);
            foreach (var p in input.Properties)
            {
                if (!p.IsGettable || o.Properties[p.Name] != null) continue;
                object value;
                try { value = p.Value; } catch (GetValueException) { continue; }
                o.Properties.Add(new PSNoteProperty(p.Name, value));
            }
            return o;
        }
    }
}
