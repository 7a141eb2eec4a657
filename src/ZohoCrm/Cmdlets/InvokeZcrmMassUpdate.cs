using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.IO;
using ZohoCrm.Backup;
using ZohoCrm.MassUpdate;
using ZohoCrm.Metadata;

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
        /// <summary>-BackupPath resolved; the file is made when the first batch is about to be sent.</summary>
        private string _backupPath;
        private RecordBackup _backup;
        /// <summary>-Data as plain .NET values.</summary>
        private IDictionary _values;
        /// <summary>-Data as the JSON object that is sent (and that a run keeps).</summary>
        private string _dataJson;
        /// <summary>-RunPath: the run's bookkeeping (null without it, and with -WhatIf).</summary>
        private MassUpdateRun _run;
        private MassUpdateBatches _batches;

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateModuleName]
        [ArgumentCompleter(typeof(ModuleCompleter))]
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
        /// How many calls (batches) are in flight at once (1 to 25; default 10, Zoho's limit of concurrent heavy calls
        /// per org). The first call goes alone; results still come in input order. 1: one call at a time.
        /// </summary>
        [Parameter(ParameterSetName = ByIdSet)]
        [ValidateRange(1, MassUpdateBatches.MaxThrottleLimit)]
        public int ThrottleLimit { get; set; } = MassUpdateBatches.DefaultThrottleLimit;

        /// <summary>
        /// A new CSV file: before each batch is changed, the records' current values of the -Data fields are saved
        /// there (columns id and the fields). Undo: New-ZcrmBulkWriteJob -Module &lt;Module&gt; -Operation update -FindBy id -Path &lt;file&gt;.
        /// </summary>
        [Parameter(ParameterSetName = ByIdSet)]
        [ValidateNotNullOrEmpty]
        public string BackupPath { get; set; }

        /// <summary>
        /// A folder (new or empty) for a resumable run: the ids, each batch's state and results are kept there as they
        /// happen, so Resume-ZcrmMassUpdateRun can finish the run after the process died. A folder that holds a run is refused.
        /// </summary>
        [Parameter(ParameterSetName = ByIdSet)]
        [ValidateNotNullOrEmpty]
        public string RunPath { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ByViewSet)]
        [ValidateZohoId]
        [ArgumentCompleter(typeof(CustomViewCompleter))]
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

        /// <summary>Send without checking -Data against the module's field metadata first (for a connection without the settings scope).</summary>
        [Parameter]
        public SwitchParameter SkipMetadataCheck { get; set; }

        private long _idCount;

        protected override void BeginProcessing()
        {
            if (IncludeChildTerritories && TerritoryId == null)
                ThrowTerminating(new ZohoValidationException("ZohoCrm.MissingTerritory", "-IncludeChildTerritories needs -TerritoryId.", "IncludeChildTerritories"));
            RequireWaitForTimeout(Wait);
            try
            {
                _values = (IDictionary)PowerShellValues.ToPlain(Data, true);
                MassUpdateService.ValidateData(Module, _values);
                _dataJson = MassUpdateService.DataJson(_values);
            }
            catch (ZohoException ex) { ThrowTerminating(ex, Data); }
            if (BackupPath != null) _backupPath = NewFilePath(BackupPath, "BackupPath");
            base.BeginProcessing();
            if (ParameterSetName != ByIdSet) return;
            // -WhatIf sends nothing and makes no run.
            if (RunPath != null && !WhatIfRequested)
            {
                try { _run = MassUpdateRun.Create(FileSystemPath(RunPath, "RunPath"), Module, _dataJson, OverWrite, BatchSize, ResolvedConnection.ApiDomain); }
                catch (ZohoException ex) { ThrowTerminating(ex, RunPath); }
                WriteVerbose($"Run folder: {_run.Path}. If this command is stopped, finish the run with: Resume-ZcrmMassUpdateRun -RunPath '{_run.Path}'");
            }
            _batches = new MassUpdateBatches(this, Module, _dataJson, Data.Keys.Cast<object>().Select(k => k.ToString()), OverWrite, Force, Data, _run, ThrottleLimit);
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName != ByIdSet) return;
            _idCount += Id.Length;
            for (int i = 0; i < Id.Length; i++)
            {
                // The run records every id, also those that come after a rejection (a resume sends them).
                if (_run != null) RunStep(() => _run.AddId(Id[i]));
                // Once Zoho has rejected the request itself, the rest of the input is only collected, to be named.
                if (_batches.Rejected) { _batches.NotSent(new[] { Id[i] }); continue; }
                _pending.Add(Id[i]);
                _pendingInputs.Add(PassThroughSource());
                if (_pending.Count >= BatchSize) SendBatch(Id.Skip(i + 1).ToList());
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == ByViewSet) { RunCustomView(); return; }
            if (_run != null) RunStep(_run.EndInput);
            if (_pending.Count > 0 && !_batches.Rejected) SendBatch(new List<string>());
            _batches.Finish(_pending);
            if (WhatIfRequested) WriteHostLine(MassUpdatePlan.ById(Module, _idCount, BatchSize, Data.Keys.Cast<object>().Select(k => k.ToString()).ToList()));
            if (_backup != null)
                WriteVerbose($"Saved the values of {_backup.Count} {Module} record(s) before the change to {_backup.Path}. To put them back: New-ZcrmBulkWriteJob -Module {Module} -Operation update -FindBy id -Path '{_backup.Path}' -Wait");
            _batches.ReportFailed();
            _run?.Dispose();
        }

        /// <summary>A step of the run's bookkeeping: a run folder that cannot be written ends the command (ZohoCrm.RunWriteFailed).</summary>
        private void RunStep(Action step)
        {
            try { step(); }
            catch (ZohoException ex) { ThrowTerminating(ex, _run.Path); }
        }

        private string FieldList => string.Join(", ", Data.Keys.Cast<object>());

        private bool Confirm(string target, string action) => ShouldProcessUnlessForced(Force, target, action);

        /// <param name="unsent">Ids already received but not yet batched: named too if the command must end.</param>
        private void SendBatch(List<string> unsent)
        {
            CheckAgainstOrg();
            var batch = _pending.ToList();
            var inputs = _pendingInputs.ToList();
            _pending.Clear();
            _pendingInputs.Clear();
            _batches.Send(batch, inputs, unsent, Backup);
        }

        /// <summary>The piped object, when it is an object with properties (not a bare id such as a string or a number).</summary>
        private PSObject PassThroughSource()
        {
            if (InputObject == null || !MyInvocation.ExpectingInput) return null;
            var b = InputObject.BaseObject;
            return b is string || b is ValueType ? null : InputObject;
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

        public void Dispose()
        {
            _batches?.Dispose();
            _backup?.Dispose();
            _run?.Dispose();
        }

        private bool _checked;

        /// <summary>
        /// -Data against the module's fields, once, before the first request that changes something (also under -WhatIf):
        /// after the input's own checks, so bad input is named before any request.
        /// </summary>
        private void CheckAgainstOrg()
        {
            if (_checked) return;
            _checked = true;
            var fields = MetadataGate.FieldsForChecks(this, Module, SkipMetadataCheck);
            if (fields == null) return;
            try { MetadataChecks.MassUpdate(Module, fields, _values); }
            catch (ZohoException ex)
            {
                // Nothing was sent: no run is left behind to resume with the refused values.
                _run?.DiscardIfNothingSent();
                ThrowTerminating(ex, Data);
            }
        }

        private void RunCustomView()
        {
            CheckAgainstOrg();
            string scope = TerritoryId == null ? "" : $" in territory {TerritoryId}{(IncludeChildTerritories ? " and its child territories" : "")}";
            if (WhatIfRequested) WriteHostLine(MassUpdatePlan.ByCustomView(Module, CustomViewId, scope, FieldList));
            if (!Confirm($"every {Module} record in custom view {CustomViewId}{scope}", $"Schedule a mass update of {FieldList}")) return;
            var service = new MassUpdateService(ResolvedConnection, Module);
            MassUpdateJob job;
            try
            {
                job = Run(ct => service.ScheduleByCustomViewAsync(_values, CustomViewId, TerritoryId, IncludeChildTerritories, ct));
            }
            catch (ZohoException ex) { Report(ex, CustomViewId); return; }
            WriteVerbose($"Zoho scheduled mass update job {job.JobId} for custom view {CustomViewId}.");
            SessionStore.AddJob(CurrentRunspace, job.JobId, Module, $"custom view {CustomViewId}", massUpdate: true);
            if (!Wait) { WriteObject(job); return; }
            MassUpdateWaiter.WaitAndWrite(this, service, job, Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : (TimeSpan?)null, MassUpdateBatches.ProgressId);
        }

    }
}
