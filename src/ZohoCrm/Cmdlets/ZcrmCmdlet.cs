using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.Http;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// What every cmdlet shares: a cancellation token cancelled by Ctrl+C (StopProcessing), running async work
    /// while the pipeline thread writes its verbose/debug/progress messages, and turning failures into error records.
    /// </summary>
    public abstract class ZcrmCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        protected override void StopProcessing() => _stop.Cancel();

        /// <summary>Cancelled by Ctrl+C (StopProcessing): for work that runs beside the pipeline thread (OrderedCalls).</summary>
        internal CancellationToken StopToken => _stop.Token;

        /// <summary>
        /// Runs <paramref name="work"/> off the pipeline thread and pumps its log messages onto the pipeline
        /// thread until it ends. Ctrl+C cancels it and stops the pipeline.
        /// </summary>
        internal T Run<T>(Func<CancellationToken, Task<T>> work) => Start(work).Wait();

        /// <summary>Starts <paramref name="work"/> off the pipeline thread; its log messages wait for <see cref="Started{T}.Wait"/>.</summary>
        internal Started<T> Start<T>(Func<CancellationToken, Task<T>> work) => new Started<T>(this, work);

        /// <summary>Work running off the pipeline thread, whose log messages are written when the pipeline thread waits for it.</summary>
        internal sealed class Started<T>
        {
            private readonly ZcrmCmdlet _cmdlet;
            private readonly BlockingCollection<Action> _queue = new BlockingCollection<Action>();
            private readonly Task<T> _task;

            internal Started(ZcrmCmdlet cmdlet, Func<CancellationToken, Task<T>> work)
            {
                _cmdlet = cmdlet;
                var sink = new QueueSink(cmdlet, _queue);
                _task = Task.Run(() =>
                {
                    OperationLog.Sink = sink;
                    return work(cmdlet._stop.Token);
                });
                _task.ContinueWith(_ => _queue.CompleteAdding(), TaskScheduler.Default);
            }

            /// <summary>Pumps the work's messages onto the pipeline thread until it ends; its result or its exception.</summary>
            public T Wait()
            {
                var stop = _cmdlet._stop;
                try
                {
                    // Ctrl+C ends the pump at once, even if the work is stuck somewhere that does not see the token.
                    foreach (var action in _queue.GetConsumingEnumerable(stop.Token)) action();
                    return _task.GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }
                catch (Exception ex) when (!_task.IsCompleted)
                {
                    // Writing a message failed (the pipeline stopped, -Debug answered Halt, ...): the work must not go on unseen.
                    stop.Cancel();
                    _task.Wait(TimeSpan.FromSeconds(1));
                    if (ex is OperationCanceledException) throw new PipelineStoppedException();
                    throw;
                }
            }

            /// <summary>Work nobody will wait for (the command stopped): cancels the command's work and gives it a moment to end.</summary>
            public void Abandon()
            {
                _cmdlet._stop.Cancel();
                try { _task.Wait(TimeSpan.FromSeconds(2)); }
                catch (AggregateException) { }
            }
        }

        internal void Run(Func<CancellationToken, Task> work) =>
            Run<bool>(async ct => { await work(ct).ConfigureAwait(false); return true; });

        internal void ThrowTerminating(Exception ex, object target = null)
        {
            if (ex is PipelineStoppedException) throw ex;
            ThrowTerminatingError(ErrorRecords.For(ex, target));
        }

        /// <summary>
        /// The one error policy, for every cmdlet and every wait (ErrorPolicy.EndsCommand): bad input seen before any
        /// request, and authentication that still fails after the one refresh, end the command; any other error is
        /// about one operation or input and is written as a non-terminating error, so -ErrorAction, -ErrorVariable,
        /// 2>$null and $? work as with PowerShell's own cmdlets (-ErrorAction Stop makes it terminating).
        /// </summary>
        internal void Report(Exception ex, object target = null)
        {
            if (ex is PipelineStoppedException) throw ex;
            if (ErrorPolicy.EndsCommand(ex))
            {
                ReportDeferred(); // the passing failures so far are not lost with the command
                ThrowTerminatingError(ErrorRecords.For(ex, target));
            }
            WriteError(ErrorRecords.For(ex, target));
        }

        protected Runspace CurrentRunspace => Runspace.DefaultRunspace;

        /// <summary>A line for the console, like Write-Host: it stays on screen after Ctrl+C, and is in the information stream (6).</summary>
        internal void WriteHostLine(string message) =>
            WriteInformation(new HostInformationMessage { Message = message }, new[] { "PSHOST" });

        /// <summary>-Timeout bounds a -Wait: alone it means nothing, so it is an error before anything is sent.</summary>
        internal void RequireWaitForTimeout(bool wait)
        {
            if (MyInvocation.BoundParameters.ContainsKey("Timeout") && !wait)
                ThrowTerminating(new ZohoValidationException("ZohoCrm.TimeoutWithoutWait", "-Timeout only applies with -Wait.", "Timeout"));
        }

        private readonly System.Collections.Generic.List<KeyValuePair<Exception, object>> _deferred = new System.Collections.Generic.List<KeyValuePair<Exception, object>>();

        /// <summary>
        /// A passing failure of one batch or job (it kept failing after the retries): reported by ReportDeferred at the
        /// end, so the rest of the input is still sent even under -ErrorAction Stop, and every record is reported.
        /// </summary>
        internal void Defer(Exception ex, object target)
        {
            if (ErrorPolicy.EndsCommand(ex)) { Report(ex, target); return; }
            _deferred.Add(new KeyValuePair<Exception, object>(ex, target));
        }

        /// <summary>The passing failures, in the order they happened.</summary>
        internal void ReportDeferred()
        {
            var all = _deferred.ToArray();
            _deferred.Clear();
            foreach (var e in all) Report(e.Key, e.Value);
        }

        /// <summary>A path parameter as a file system path (relative to the current location, not required to exist); ZohoCrm.InvalidPath if it is not one.</summary>
        internal string FileSystemPath(string path, string parameter)
        {
            try { return SessionState.Path.GetUnresolvedProviderPathFromPSPath(path); }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            { throw new ZohoValidationException("ZohoCrm.InvalidPath", $"-{parameter} '{path}' is not a file system path: {ex.Message}", parameter); }
        }

        /// <summary>A file the command will create: its full path; an error (before any request) if it exists or its folder does not.</summary>
        internal string NewFilePath(string path, string parameter)
        {
            string full = null;
            try { full = FileSystemPath(path, parameter); }
            catch (ZohoValidationException ex) { ThrowTerminating(ex); }
            if (System.IO.File.Exists(full) || System.IO.Directory.Exists(full))
                ThrowTerminating(new ZohoValidationException("ZohoCrm.FileExists", $"-{parameter} '{full}' already exists: give a new file, so no earlier one is overwritten.", parameter));
            string folder = System.IO.Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(folder) && !System.IO.Directory.Exists(folder))
                ThrowTerminating(new ZohoValidationException("ZohoCrm.InvalidPath", $"-{parameter} '{full}': the folder '{folder}' does not exist.", parameter, ZohoErrorKind.ObjectNotFound));
            return full;
        }

        /// <summary>ShouldProcess, except that -Force skips the question: never a -WhatIf (given here, or inherited as $WhatIfPreference).</summary>
        internal bool ShouldProcessUnlessForced(bool force, string target, string action)
        {
            if (force && !WhatIfRequested) return true;
            return ShouldProcess(target, action);
        }

        /// <summary>-WhatIf given (or $WhatIfPreference set).</summary>
        internal bool WhatIfRequested =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? (w is SwitchParameter s ? s.IsPresent : true.Equals(w))
            : SessionState.PSVariable.GetValue("WhatIfPreference") is var p && LanguagePrimitives.IsTrue(p);

        /// <summary>-Debug, or a $DebugPreference that shows or stops on debug messages.</summary>
        internal bool DebugShown()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Debug", out var given)) return given is SwitchParameter sw ? sw.IsPresent : LanguagePrimitives.IsTrue(given);
            var preference = SessionState.PSVariable.GetValue("DebugPreference");
            return !(preference is ActionPreference p) || (p != ActionPreference.SilentlyContinue && p != ActionPreference.Ignore);
        }

        /// <summary>Queues library messages for the pipeline thread, which runs them (Run, OrderedCalls).</summary>
        internal sealed class QueueSink : IOperationSink, IDebugFilter
        {
            private readonly ZcrmCmdlet _cmdlet;
            private readonly BlockingCollection<Action> _queue;
            /// <summary>Made on the pipeline thread, which reads the command's debug preference.</summary>
            public QueueSink(ZcrmCmdlet cmdlet, BlockingCollection<Action> queue) { _cmdlet = cmdlet; _queue = queue; DebugWanted = cmdlet.DebugShown(); }

            public bool DebugWanted { get; }

            private void Post(Action a)
            {
                try { _queue.Add(a); } catch (InvalidOperationException) { /* the cmdlet already returned */ }
            }
            public void Verbose(string message) => Post(() => _cmdlet.WriteVerbose(message));
            public void Debug(string message) => Post(() => _cmdlet.WriteDebug(message));
            public void Warning(string message) => Post(() => _cmdlet.WriteWarning(message));
            public void Progress(OperationProgress progress) => Post(() => _cmdlet.WriteProgress(ToRecord(progress)));

            private static ProgressRecord ToRecord(OperationProgress progress)
            {
                var record = new ProgressRecord(progress.ActivityId, progress.Activity, progress.Status);
                if (progress.PercentComplete.HasValue) record.PercentComplete = progress.PercentComplete.Value;
                return record;
            }
        }
    }

    /// <summary>A cmdlet that talks to Zoho CRM: takes -Connection or the session's connection.</summary>
    public abstract class ZcrmApiCmdlet : ZcrmCmdlet
    {
        /// <summary>The connection to use; by default the one Connect-Zcrm made in this session.</summary>
        [Parameter]
        [ValidateNotNull]
        public Connection Connection { get; set; }

        internal Connection ResolveConnection()
        {
            var connection = Connection ?? SessionStore.Get(CurrentRunspace);
            if (connection == null)
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException("Not connected to Zoho CRM in this session. Run Connect-Zcrm first, or pass -Connection."),
                    "ZohoCrm.NotConnected", ErrorCategory.ConnectionError, null));
            return connection;
        }

        protected override void BeginProcessing()
        {
            ResolvedConnection = ResolveConnection();
        }

        internal Connection ResolvedConnection { get; private set; }

        /// <summary>Deletes the bulk write temp files (rows, results) that processes which no longer run left in the temp folder (kill -9, a crash).</summary>
        internal void SweepStaleTempFiles()
        {
            int swept = ZohoCrm.BulkWrite.TempFiles.SweepStale();
            if (swept > 0) WriteVerbose($"Deleted {swept} temp file(s) left in {System.IO.Path.GetTempPath()} by ZohoCrm processes that no longer run.");
        }
    }
}
