using System;
using System.Text.RegularExpressions;

namespace ZohoCrm.BulkWrite
{
    /// <summary>The rule for a bulk write job's callback URL (-CallbackUrl), checked before any request.</summary>
    internal static class CallbackUrls
    {
        private static readonly Regex UserInfo = new Regex("(//)[^/?#@]*@", RegexOptions.Compiled);

        /// <summary>
        /// Refuses what is not an absolute http(s) URL with a host, and a URL with user info (https://user:pass@host):
        /// Zoho would store those credentials with the job and echo them in its details. Plain http to a host that is
        /// not loopback is allowed (only job status travels to it, no secret of the module's) but returns a warning
        /// to show; otherwise null.
        /// </summary>
        public static string Check(string url)
        {
            bool parsed = Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                          && !string.IsNullOrEmpty(uri.Host);
            string shown = UserInfo.Replace(url ?? "", "$1***@");
            if ((parsed && !string.IsNullOrEmpty(uri.UserInfo)) || (!parsed && shown != (url ?? "")))
                throw new ZohoValidationException("ZohoCrm.CallbackUrlCredentials",
                    $"-CallbackUrl '{shown}' carries credentials before the host (name:password@): Zoho would keep those credentials with the job and show them in its details. "
                    + "Give a URL without them (authenticate the receiver some other way, e.g. a secret path or a check of the job id).", "CallbackUrl");
            if (!parsed)
                throw new ZohoValidationException("ZohoCrm.InvalidCallbackUrl", $"-CallbackUrl '{url}' is not an absolute http(s) URL such as https://hooks.example.com/zoho/bulk-done.", "CallbackUrl");
            if (uri.Scheme == Uri.UriSchemeHttp && !DataCenters.IsLoopback(uri))
                return $"-CallbackUrl uses plain http to {uri.Host}: Zoho's call with the job's id, status and counts will travel unencrypted, readable and changeable on the way. Use https unless the receiver is on a network you trust.";
            return null;
        }
    }
}
