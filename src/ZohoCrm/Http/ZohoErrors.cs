using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ZohoCrm.Http;

namespace ZohoCrm
{
    /// <summary>
    /// What kind of failure an error is; the cmdlets turn it into PowerShell's ErrorCategory of the same name.
    /// </summary>
    public enum ZohoErrorKind
    {
        InvalidArgument,
        InvalidData,
        InvalidOperation,
        InvalidResult,
        AuthenticationError,
        PermissionDenied,
        SecurityError,
        ObjectNotFound,
        ResourceBusy,
        ResourceUnavailable,
        LimitsExceeded,
        ConnectionError,
        OperationTimeout,
        WriteError,
    }

    /// <summary>
    /// Base of every error the module raises; carries the ErrorId (Code) and the kind of failure. Its message and code
    /// pass the redactor, as log lines do: a server may echo a token in what becomes an error.
    /// </summary>
    public abstract class ZohoException : Exception
    {
        protected ZohoException(string code, string message, ZohoErrorKind kind, Exception inner = null)
            : base(Redactor.Redact(message), inner)
        {
            Code = Redactor.Redact(code);
            Kind = kind;
        }

        /// <summary>Zoho's code (INVALID_DATA, INVALID_TOKEN...) or ZohoCrm.&lt;Reason&gt; for the module's own checks.</summary>
        public string Code { get; }
        public ZohoErrorKind Kind { get; }

        /// <summary>
        /// A rejection of the request itself (bad field or mapping, authentication, permission, an answer we cannot
        /// read): sending the next batch or job would fail the same way, so a multi-call command stops. Otherwise the
        /// failure is a passing one (server error, no answer, throttling past the retries) and the next call goes on.
        /// </summary>
        public bool WouldFailEveryBatch
        {
            get
            {
                switch (Kind)
                {
                    case ZohoErrorKind.InvalidArgument:
                    case ZohoErrorKind.AuthenticationError:
                    case ZohoErrorKind.PermissionDenied:
                    case ZohoErrorKind.ObjectNotFound:
                    case ZohoErrorKind.SecurityError:
                    case ZohoErrorKind.InvalidResult:
                        return true;
                    default:
                        return false;
                }
            }
        }
    }

    /// <summary>
    /// The one error policy (the cmdlets' ZcrmCmdlet.Report applies it): an error ends the command only when it can do
    /// nothing more: input the module rejected before sending it, or authentication that still fails after the one
    /// refresh (the refresh limit included). Every other error is about one operation or input, and is non-terminating.
    /// </summary>
    public static class ErrorPolicy
    {
        public static bool EndsCommand(Exception ex) =>
            !(ex is ZohoException z) || z is ZohoValidationException || z.Kind == ZohoErrorKind.AuthenticationError;

        /// <summary>
        /// A sent request that got no clear answer (none, a timeout, 5xx, an unreadable or too large one): Zoho may or
        /// may not have done what it asked, so errors say so instead of "not updated".
        /// </summary>
        public static bool OutcomeUnknown(ZohoException ex)
        {
            if (ex is ZohoApiException api) return api.HttpStatus >= 500;
            switch (ex.Code)
            {
                case "ZohoCrm.Timeout":
                case "ZohoCrm.ConnectionFailed":
                case "ZohoCrm.ServerError":
                case "ZohoCrm.InvalidResponse":
                case "ZohoCrm.UnexpectedResponse":
                case "ZohoCrm.AnswerTooLarge":
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>An error answer from Zoho CRM or Zoho Accounts.</summary>
    public sealed class ZohoApiException : ZohoException
    {
        internal ZohoApiException(string code, string zohoMessage, int httpStatus, IDictionary details, string request, string prefix = null, string hint = null)
            : base(code, Describe(code, zohoMessage, httpStatus, details, request, prefix, hint), KindFor(code, httpStatus))
        {
            ZohoMessage = Redactor.Redact(zohoMessage);
            HttpStatus = httpStatus;
            Details = Redactor.Redact(details) ?? new Hashtable();
            Request = Redactor.Redact(request);
        }

        /// <summary>Zoho's own message text (redacted, as is every text here).</summary>
        public string ZohoMessage { get; }
        public int HttpStatus { get; }
        /// <summary>Zoho's details object (api_name, reason, json_path, id...) as a hashtable.</summary>
        public IDictionary Details { get; }
        /// <summary>The request that got this answer, as "METHOD url".</summary>
        public string Request { get; }

        private static string Describe(string code, string message, int status, IDictionary details, string request, string prefix, string hint)
        {
            var sb = new StringBuilder();
            if (!string.IsNullOrEmpty(prefix)) sb.Append(prefix).Append(' ');
            sb.Append("Zoho answered ").Append(code);
            if (!string.IsNullOrEmpty(message)) sb.Append(": ").Append(message.TrimEnd('.'));
            string detailText = ZohoErrors.FormatDetails(details);
            if (detailText.Length > 0) sb.Append(" (").Append(detailText).Append(')');
            sb.Append(" [HTTP ").Append(status.ToString(CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(request)) sb.Append(", ").Append(request);
            sb.Append(']');
            if (!string.IsNullOrEmpty(hint)) sb.Append(". ").Append(hint);
            return sb.ToString();
        }

        internal static ZohoErrorKind KindFor(string code, int status)
        {
            switch ((code ?? "").ToUpperInvariant())
            {
                case "AUTHENTICATION_FAILURE":
                case "INVALID_TOKEN":
                case "INVALID_OAUTHTOKEN":
                case "OAUTH_SCOPE_MISMATCH":
                case "INVALID_CLIENT":
                case "INVALID_CODE":
                case "ACCESS DENIED":
                    return ZohoErrorKind.AuthenticationError;
                case "NO_PERMISSION":
                case "AUTHORIZATION_FAILED":
                case "FEATURE_NOT_SUPPORTED":
                case "NOT_SUPPORTED_FEATURE":
                    return ZohoErrorKind.PermissionDenied;
                case "NOT_FOUND":
                case "RESOURCE_NOT_FOUND":
                case "INVALID_URL_PATTERN":
                case "NO_RECORDS_FOUND":
                    return ZohoErrorKind.ObjectNotFound;
                case "ALREADY_SCHEDULED":
                    return ZohoErrorKind.ResourceBusy;
                case "TOO_MANY_REQUESTS":
                case "LIMIT_EXCEEDED":
                case "FILE_TOO_LARGE":
                    return ZohoErrorKind.LimitsExceeded;
                case "INTERNAL_ERROR":
                    return ZohoErrorKind.ConnectionError;
            }
            if (status == 401) return ZohoErrorKind.AuthenticationError;
            if (status == 403) return ZohoErrorKind.PermissionDenied;
            if (status == 404) return ZohoErrorKind.ObjectNotFound;
            if (status == 429) return ZohoErrorKind.LimitsExceeded;
            if (status >= 500) return ZohoErrorKind.ConnectionError;
            return ZohoErrorKind.InvalidArgument;
        }
    }

    /// <summary>Bad input the module saw itself, before sending anything.</summary>
    public sealed class ZohoValidationException : ZohoException
    {
        internal ZohoValidationException(string code, string message, string parameterName, ZohoErrorKind kind = ZohoErrorKind.InvalidArgument)
            : base(code, message, kind)
        {
            ParameterName = parameterName;
        }
        public string ParameterName { get; }
    }

    /// <summary>A failure seen on our side: no connection, a timeout, a body that is not Zoho's JSON, a limit we keep.</summary>
    public sealed class ZohoClientException : ZohoException
    {
        internal ZohoClientException(string code, string message, ZohoErrorKind kind, Exception inner = null)
            : base(code, message, kind, inner) { }
    }

    /// <summary>-Wait gave up before the job finished; the job goes on.</summary>
    public sealed class WaitTimeoutException : ZohoException
    {
        internal WaitTimeoutException(object job, string message) : base("ZohoCrm.WaitTimeout", message, ZohoErrorKind.OperationTimeout) { Job = job; }
        public object Job { get; }
    }

    /// <summary>
    /// The summary at the end of a command whose records did not all succeed: the failed results are output objects,
    /// and this one error makes $? false and -ErrorAction Stop fail a script.
    /// </summary>
    public sealed class RecordsFailedException : ZohoException
    {
        internal RecordsFailedException(string message, long failedCount, long totalCount)
            : base("ZohoCrm.RecordsFailed", message, ZohoErrorKind.WriteError)
        {
            FailedCount = failedCount;
            TotalCount = totalCount;
        }

        public long FailedCount { get; }
        public long TotalCount { get; }

        /// <summary>"3 of 1,201 Leads records were not updated (2 NOT_APPROVED, 1 RECORD_LOCKED). hint"</summary>
        internal static RecordsFailedException Of(string what, long total, IEnumerable<string> codes, string hint) =>
            Of(what, total, codes.GroupBy(c => c).Select(g => new KeyValuePair<string, long>(g.Key, g.LongCount())), hint);

        /// <summary>As above, from the count of each code.</summary>
        internal static RecordsFailedException Of(string what, long total, IEnumerable<KeyValuePair<string, long>> countByCode, string hint)
        {
            var byCode = countByCode.Select(p => new KeyValuePair<string, long>(string.IsNullOrEmpty(p.Key) ? "no code" : p.Key, p.Value))
                .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
            string tally = string.Join(", ", byCode.Take(5).Select(p => $"{N(p.Value)} {p.Key}")) + (byCode.Count > 5 ? ", ..." : "");
            return Of(what, total, byCode.Sum(p => p.Value), tally, hint);
        }

        /// <summary>"5 of 300 Leads records were not updated. hint" (for a job that gives counts only).</summary>
        internal static RecordsFailedException Of(string what, long total, long failed, string tally, string hint) =>
            new RecordsFailedException(
                $"{N(failed)} of {N(total)} {what}{(string.IsNullOrEmpty(tally) ? "" : $" ({tally})")}. {hint}", failed, total);

        private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
    }
}
