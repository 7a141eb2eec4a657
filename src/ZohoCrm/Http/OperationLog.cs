using System;
using System.Text.RegularExpressions;
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

    internal static class OperationLog
    {
        private static readonly AsyncLocal<IOperationSink> Current = new AsyncLocal<IOperationSink>();

        public static IOperationSink Sink { get => Current.Value; set => Current.Value = value; }

        public static void Verbose(string message) => Current.Value?.Verbose(Redactor.Redact(message));
        public static void Debug(string message) => Current.Value?.Debug(Redactor.Redact(message));
        public static void Warning(string message) => Current.Value?.Warning(Redactor.Redact(message));
        public static void Progress(OperationProgress progress) => Current.Value?.Progress(progress);
    }

    /// <summary>Removes secrets from text meant for a log or an error: token fields in JSON, forms and query strings.</summary>
    internal static class Redactor
    {
        // Not "code": Zoho's error codes are in "code" fields and are what -Debug is for.
        private const string Names = "access_token|refresh_token|client_secret|token|id_token|password";

        private static readonly Regex JsonField = new Regex("(\"(?:" + Names + ")\"\\s*:\\s*\")[^\"]*(\")", RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex FormField = new Regex("((?:^|[?&\\s])(?:" + Names + ")=)[^&\\s]*", RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex AuthHeader = new Regex("((?:Zoho-oauthtoken|Bearer)\\s+)[A-Za-z0-9._\\-]+", RegexOptions.IgnoreCase | RegexOptions.Compiled);

        public static string Redact(string text)
        {
            if (string.IsNullOrEmpty(text)) return text;
            text = JsonField.Replace(text, "$1***$2");
            text = FormField.Replace(text, "$1***");
            return AuthHeader.Replace(text, "$1***");
        }
    }
}
