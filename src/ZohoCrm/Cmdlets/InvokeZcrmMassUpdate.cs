using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.IO;
using ZohoCrm.Backup;
using ZohoCrm.MassUpdate;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Mass updates records in a Zoho CRM module: by record ids (sent in calls of up to 500, one result per id) or
    /// by custom view (Zoho schedules a job; -Wait follows it to the end).
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "ZcrmMassUpdate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByIdSet)]
    [OutputType(typeof(MassUpdateResult), ParameterSetName = new[] { ByIdSet })]
    [OutputType(typeof(MassUpdateJob), ParameterSetName = new[] { ByViewSet })]
    public sealed class InvokeZcrmMassUpdate : ZcrmApiCmdlet, IDisposable
    {
        private const string ByIdSet = "ById";
        private const string ByViewSet = "ByCustomView";
        private readonly List<string> _pending = new List<string>();
        /// <summary>The piped object each pending id came from (null when typed), for the result's pass-through properties.</summary>
        private readonly List<PSObject> _pendingInputs = new List<PSObject>();
        /// <summary>Zoho rejected the request itself: no more batches are sent.</summary>
        private ZohoException _rejected;
        private List<string> _rejectedBatch;
        /// <summary>Ids received after the rejection (or not yet sent when it came).</summary>
        private readonly List<string> _notSent = new List<string>();
        /// <summary>-BackupPath resolved; the file is made when the first batch is about to be sent.</summary>
        private string _backupPath;
        private RecordBackup _backup;
        /// <summary>Results that are not a success: named in the summary error at the end.</summary>
        private readonly List<MassUpdateResult> _failed = new List<MassUpdateResult>();
        private int _sent;
        private int _received;
        /// <summary>-Data as plain .NET values (what is sent).</summary>
        private IDictionary _values;
        private const int ProgressId = 0x5a01;

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateModuleName]
        public string Module { get; set; }

        /// <summary>Field API name -> new value. One field (three in Deals). Values keep their JSON types.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [AllowEmptyCollection]
        public IDictionary Data { get; set; }

        /// <summary>Strings or integral numbers; from piped objects by property Id/id, RecordId, record_id or 'Record Id'.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ByIdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("RecordId", "record_id", "Record Id")]
        [ZohoIdTransformation]
        [ValidateZohoId]
        public string[] Id { get; set; }

        /// <summary>
        /// The piped object an id came from (Import-Csv rows, objects of other modules): its other properties are
        /// added to the result (the result's own properties win), so a result still says which input it answers.
        /// </summary>
        [Parameter(ParameterSetName = ByIdSet, ValueFromPipeline = true)]
        public PSObject InputObject { get; set; }

        /// <summary>For multi-select picklists: replace the values instead of appending.</summary>
        [Parameter(ParameterSetName = ByIdSet)]
        public SwitchParameter OverWrite { get; set; }

        [Parameter(ParameterSetName = ByIdSet)]
        [ValidateRange(1, MassUpdateService.MaxIdsPerCall)]
        public int BatchSize { get; set; } = MassUpdateService.MaxIdsPerCall;

        /// <summary>
        /// A new CSV file: before each batch is changed, the records' current values of the -Data fields are saved
        /// there (columns id and the fields). Undo: New-ZcrmBulkWriteJob -Module &lt;Module&gt; -Operation update -FindBy id -Path &lt;file&gt;.
        /// </summary>
        [Parameter(ParameterSetName = ByIdSet)]
        [ValidateNotNullOrEmpty]
        public string BackupPath { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ByViewSet)]
        [ValidateZohoId]
        public string CustomViewId { get; set; }

        [Parameter(ParameterSetName = ByViewSet)]
        [ValidateZohoId]
        public string TerritoryId { get; set; }

        [Parameter(ParameterSetName = ByViewSet)]
        public SwitchParameter IncludeChildTerritories { get; set; }

        /// <summary>Follow the job until it is COMPLETED or FAILED.</summary>
        [Parameter(ParameterSetName = ByViewSet)]
        public SwitchParameter Wait { get; set; }

        /// <summary>With -Wait: give up waiting after this many seconds (the job goes on). Default: wait as long as it takes.</summary>
        [Parameter(ParameterSetName = ByViewSet)]
        [ValidateRange(1, int.MaxValue)]
        public int Timeout { get; set; }

        /// <summary>Do not ask for confirmation (for scripts and scheduled tasks). -WhatIf still sends nothing.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void BeginProcessing()
        {
            if (IncludeChildTerritories && TerritoryId == null)
                ThrowTerminating(new ZohoValidationException("ZohoCrm.MissingTerritory", "-IncludeChildTerritories needs -TerritoryId.", "IncludeChildTerritories"));
            RequireWaitForTimeout(Wait);
            try
            {
                _values = (IDictionary)PowerShellValues.ToPlain(Data, true);
                MassUpdateService.ValidateData(Module, _values);
                MassUpdateService.CheckValuesSerialize(_values);
            }
            catch (ZohoException ex) { ThrowTerminating(ex, Data); }
            if (BackupPath != null) _backupPath = NewFilePath(BackupPath, "BackupPath");
            base.BeginProcessing();
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName != ByIdSet) return;
            for (int i = 0; i < Id.Length; i++)
            {
                // Once Zoho has rejected the request itself, the rest of the input is only collected, to be named.
                if (_rejected != null) { _notSent.Add(Id[i]); continue; }
                _pending.Add(Id[i]);
                _pendingInputs.Add(PassThroughSource());
                if (_pending.Count >= BatchSize) SendBatch(Id.Skip(i + 1).ToList());
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == ByViewSet) { RunCustomView(); return; }
            if (_pending.Count > 0 && _rejected == null) SendBatch(new List<string>());
            if (_sent > 0) WriteProgress(new ProgressRecord(ProgressId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
            ReportDeferred();
            if (_rejected != null)
            {
                // One error for every id the rejection left undone: the rejected call's and every id that came after it.
                _notSent.AddRange(_pending);
                Report(new NotUpdatedException(_rejected, Module, _rejectedBatch, _notSent), _rejectedBatch.Concat(_notSent).ToArray());
            }
            if (_backup != null)
                WriteVerbose($"Saved the values of {_backup.Count} {Module} record(s) before the change to {_backup.Path}. To put them back: New-ZcrmBulkWriteJob -Module {Module} -Operation update -FindBy id -Path '{_backup.Path}' -Wait");
            if (_failed.Count > 0)
                Report(RecordsFailedException.Of($"{Module} records were not updated", _received, _failed.Select(r => r.Code),
                    "The failed results are in the output (Status 'error', Code, Message) and in this error's TargetObject."), _failed.ToArray());
        }

        private string Activity => $"Mass update of {Module}";
        private string FieldList => string.Join(", ", Data.Keys.Cast<object>());

        private bool Confirm(string target, string action) => ShouldProcessUnlessForced(Force, target, action);

        /// <param name="unsent">Ids already received but not yet batched: named too if the command must end.</param>
        private void SendBatch(List<string> unsent)
        {
            var batch = _pending.ToList();
            var inputs = _pendingInputs.ToList();
            _pending.Clear();
            _pendingInputs.Clear();
            string target = batch.Count == 1 ? $"{Module} record {batch[0]}" : $"{batch.Count} {Module} records ({batch[0]} ... {batch[batch.Count - 1]})";
            if (!Confirm(target, $"Update {FieldList}")) return;

            _sent += batch.Count;
            WriteProgress(new ProgressRecord(ProgressId, Activity, $"Updating {FieldList}: {_received} done, {batch.Count} being sent"));
            var service = new MassUpdateService(ResolvedConnection, Module);
            List<MassUpdateResult> results;
            try
            {
                var backup = Backup();
                results = Run(async ct =>
                {
                    // No record is changed before its current values are on disk.
                    if (backup != null) await backup.SaveAsync(batch, ct).ConfigureAwait(false);
                    return await service.UpdateByIdsAsync(_values, batch, OverWrite, ct).ConfigureAwait(false);
                });
            }
            catch (ZohoValidationException ex)
            {
                Report(ex, Data);
                return;
            }
            catch (ZohoException ex)
            {
                // Authentication that still fails: nothing more can be done; the error names this batch and the ids received so far.
                if (ErrorPolicy.EndsCommand(ex)) Report(new NotUpdatedException(ex, Module, batch, unsent), batch.Concat(unsent).ToArray());
                // A rejection of the request itself (bad field, no permission) would fail every batch: send no more.
                if (ex.WouldFailEveryBatch) { _rejected = ex; _rejectedBatch = batch; return; }
                // A failure of this one call (the service kept failing, no answer): report these ids, go on with the next.
                Defer(new NotUpdatedException(ex, Module, batch, new List<string>()), batch.ToArray());
                return;
            }
            _received += results.Count;
            for (int i = 0; i < results.Count; i++)
            {
                var r = results[i];
                WriteObject(WithInput(r, i < inputs.Count ? inputs[i] : null));
                if (!string.Equals(r.Status, "success", StringComparison.OrdinalIgnoreCase)) _failed.Add(r);
            }
        }

        /// <summary>The piped object, when it is an object with properties (not a bare id such as a string or a number).</summary>
        private PSObject PassThroughSource()
        {
            if (InputObject == null || !MyInvocation.ExpectingInput) return null;
            var b = InputObject.BaseObject;
            return b is string || b is ValueType ? null : InputObject;
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

        private RecordBackup Backup()
        {
            if (_backupPath == null || _backup != null) return _backup;
            try { return _backup = new RecordBackup(ResolvedConnection, Module, Data.Keys.Cast<object>().Select(k => k.ToString()).ToList(), _backupPath); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminating(new ZohoValidationException("ZohoCrm.BackupFailed", $"-BackupPath '{_backupPath}' could not be created ({ex.Message}); nothing was changed.", "BackupPath"));
                return null;
            }
        }

        public void Dispose() => _backup?.Dispose();

        private void RunCustomView()
        {
            string scope = TerritoryId == null ? "" : $" in territory {TerritoryId}{(IncludeChildTerritories ? " and its child territories" : "")}";
            if (!Confirm($"every {Module} record in custom view {CustomViewId}{scope}", $"Schedule a mass update of {FieldList}")) return;
            var service = new MassUpdateService(ResolvedConnection, Module);
            MassUpdateJob job;
            try
            {
                job = Run(ct => service.ScheduleByCustomViewAsync(_values, CustomViewId, TerritoryId, IncludeChildTerritories, ct));
            }
            catch (ZohoException ex) { Report(ex, CustomViewId); return; }
            WriteVerbose($"Zoho scheduled mass update job {job.JobId} for custom view {CustomViewId}.");
            if (!Wait) { WriteObject(job); return; }
            MassUpdateWaiter.WaitAndWrite(this, service, job, Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : (TimeSpan?)null, ProgressId);
        }

    }
}
