using System;
using System.Collections;
using System.Collections.Generic;
using System.Security;
using System.Text.RegularExpressions;

namespace ZohoCrm.Http
{
    /// <summary>Something that holds secrets the module knows (a token provider): what the redactor must hide wherever it appears.</summary>
    internal interface ISecretSource
    {
        /// <summary>The secrets as SecureStrings (the client secret, the refresh token, the current and recent access tokens).</summary>
        IEnumerable<SecureString> KnownSecrets();
    }

    /// <summary>
    /// Removes secrets from text meant for a log or an error: token fields in JSON, forms and query strings, the
    /// Authorization header, and the bare value of every secret this process knows (a token a server echoes in a
    /// message, under any key or none). Every log line (OperationLog) and every error message (ZohoException) passes here.
    /// </summary>
    internal static class Redactor
    {
        private const string Names = "access_token|refresh_token|client_secret|token|id_token|password|code";
        private const string Hidden = "***";

        /// <summary>Secrets shorter than this are not searched for bare (they would match ordinary words).</summary>
        internal const int MinimumBareLength = 8;

        private static readonly Regex JsonField = new Regex("(\"(" + Names + ")\"\\s*:\\s*\")([^\"]*)(\")", RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex FormField = new Regex("((?:^|[?&\\s])(" + Names + ")=)([^&\\s]*)", RegexOptions.IgnoreCase | RegexOptions.Compiled);
        private static readonly Regex AuthHeader = new Regex("((?:Zoho-oauthtoken|Bearer)\\s+)[A-Za-z0-9._\\-]+", RegexOptions.IgnoreCase | RegexOptions.Compiled);

        /// <summary>
        /// Zoho's status and error codes ("code":"INVALID_DATA", "SUCCESS") are upper-case identifiers and stay readable
        /// (-Debug is for them); any other "code" value is taken for an OAuth grant code (1000.xxx.yyy) and hidden.
        /// </summary>
        private static readonly Regex ZohoCode = new Regex("^[A-Z][A-Z0-9_]*$", RegexOptions.Compiled);

        private static readonly object Gate = new object();
        private static readonly List<WeakReference<ISecretSource>> Sources = new List<WeakReference<ISecretSource>>();

        /// <summary>Makes the secrets of <paramref name="source"/> hidden in every text from now on (held weakly).</summary>
        public static void Register(ISecretSource source)
        {
            lock (Gate)
            {
                Sources.RemoveAll(w => !w.TryGetTarget(out _));
                Sources.Add(new WeakReference<ISecretSource>(source));
            }
        }

        public static string Redact(string text)
        {
            if (string.IsNullOrEmpty(text)) return text;
            text = JsonField.Replace(text, m => Keep(m) ? m.Value : m.Groups[1].Value + Hidden + m.Groups[4].Value);
            text = FormField.Replace(text, m => Keep(m) ? m.Value : m.Groups[1].Value + Hidden);
            text = AuthHeader.Replace(text, "$1" + Hidden);
            return RedactKnown(text);
        }

        private static bool Keep(Match m) =>
            string.Equals(m.Groups[2].Value, "code", StringComparison.OrdinalIgnoreCase) && ZohoCode.IsMatch(m.Groups[3].Value);

        /// <summary>A copy of Zoho's details with every text in it (keys, values, nested ones) redacted; keys case-insensitive, as in PowerShell.</summary>
        public static IDictionary Redact(IDictionary details)
        {
            if (details == null) return null;
            var copy = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry e in details)
                copy[e.Key is string k ? Redact(k) : e.Key] = RedactValue(e.Value);
            return copy;
        }

        private static object RedactValue(object value)
        {
            switch (value)
            {
                case string s: return Redact(s);
                case IDictionary d: return Redact(d);
                case IList list:
                    var items = new object[list.Count];
                    for (int i = 0; i < items.Length; i++) items[i] = RedactValue(list[i]);
                    return items;
                default: return value;
            }
        }

        /// <summary>Every known secret, wherever it stands in the text, replaced by ***.</summary>
        private static string RedactKnown(string text)
        {
            ISecretSource[] sources;
            lock (Gate)
            {
                var alive = new List<ISecretSource>(Sources.Count);
                foreach (var w in Sources) if (w.TryGetTarget(out var s)) alive.Add(s);
                sources = alive.ToArray();
            }
            foreach (var source in sources)
            {
                foreach (var secret in source.KnownSecrets())
                {
                    if (secret == null || secret.Length < MinimumBareLength || text.Length < secret.Length) continue;
                    // Revealed only for this comparison, as for building a request.
                    string value = Secrets.Reveal(secret);
                    if (text.IndexOf(value, StringComparison.Ordinal) >= 0) text = text.Replace(value, Hidden);
                }
            }
            return text;
        }
    }
}
