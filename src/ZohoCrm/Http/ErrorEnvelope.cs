using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace ZohoCrm.Http
{
    /// <summary>Zoho's error envelope: reading it from an answer, and its details as text.</summary>
    internal static class ZohoErrors
    {
        private static readonly string[] DetailOrder = { "api_name", "json_path", "reason", "expected_data_type", "id", "action", "limit", "retry_after" };

        public static string FormatDetails(IDictionary details)
        {
            if (details == null || details.Count == 0) return "";
            var keys = details.Keys.Cast<object>().Select(k => k.ToString())
                .OrderBy(k => Array.IndexOf(DetailOrder, k) is var i && i >= 0 ? i : int.MaxValue).ThenBy(k => k, StringComparer.Ordinal);
            return string.Join("; ", keys.Select(k => k + ": " + FormatValue(details[k])));
        }

        private static string FormatValue(object value)
        {
            switch (value)
            {
                case null: return "null";
                case IDictionary d: return "{" + FormatDetails(d) + "}";
                case string s: return s;
                case IEnumerable e: return "[" + string.Join(", ", e.Cast<object>().Select(FormatValue)) + "]";
                default: return Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }

        /// <summary>
        /// Reads Zoho's error envelope: {"code","details","message","status":"error"} at top level.
        /// Returns null when the element is not an error.
        /// </summary>
        public static ZohoApiException FromEnvelope(JsonElement element, int httpStatus, string request, string prefix = null, string hint = null)
        {
            if (element.ValueKind != JsonValueKind.Object) return null;
            string status = Json.GetString(element, "status");
            string code = Json.GetString(element, "code");
            if (!string.Equals(status, "error", StringComparison.OrdinalIgnoreCase)) return null;
            return new ZohoApiException(code ?? "UNKNOWN_ERROR", Json.GetString(element, "message"), httpStatus,
                element.TryGetProperty("details", out var d) ? Json.ToHashtable(d) : new Hashtable(), request, prefix, hint);
        }
    }
}
