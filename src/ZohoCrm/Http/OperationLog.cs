using System;
using System.Threading;

namespace ZohoCrm.Http
{
    /// <summary>
    /// Where library code reports what it does. The cmdlet that started the operation installs a sink that
    /// queues each message for its pipeline thread (Write-Verbose/Write-Debug/Write-Progress can only be called
    /// there). Flows with the async operation, so a connection shared by several runspaces logs to the right one.
    /// Every message goes through <see cref="Redactor"/> first.
    /// </summary>
    /// <summary>How far a long operation has got (Write-Progress's record, without PowerShell).</summary>
    internal sealed class OperationProgress
    {
        public OperationProgress(int activityId, string activity, string status)
        {
            ActivityId = activityId;
            Activity = activity;
            Status = status;
        }

        public int ActivityId { get; }
        public string Activity { get; }
        public string Status { get; }
        /// <summary>0-100, or null when unknown.</summary>
        public int? PercentComplete { get; set; }
    }

    internal interface IOperationSink
    {
        void Verbose(string message);
        void Debug(string message);
        void Warning(string message);
        void Progress(OperationProgress progress);
    }

    /// <summary>A sink that knows whether debug messages would be shown or kept anywhere: when not, they are not built.</summary>
    internal interface IDebugFilter
    {
        bool DebugWanted { get; }
    }

    internal static class OperationLog
    {
        private static readonly AsyncLocal<IOperationSink> Current = new AsyncLocal<IOperationSink>();

        public static IOperationSink Sink { get => Current.Value; set => Current.Value = value; }

        public static void Verbose(string message) => Current.Value?.Verbose(Redactor.Redact(message));
        public static void Debug(string message) => Current.Value?.Debug(Redactor.Redact(message));

        /// <summary>A debug message would go somewhere: check before building an expensive one (a whole answer, redacted).</summary>
        public static bool DebugWanted => Current.Value is IOperationSink sink && (!(sink is IDebugFilter filter) || filter.DebugWanted);
        public static void Warning(string message) => Current.Value?.Warning(Redactor.Redact(message));
        public static void Progress(OperationProgress progress) => Current.Value?.Progress(progress);
    }
}
