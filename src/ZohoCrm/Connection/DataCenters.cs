using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace ZohoCrm
{
    /// <summary>Zoho's data centers: each has its own accounts (token), API and upload hosts.</summary>
    public enum ZohoDataCenter { US, EU, IN, AU, JP, CN, CA, SA, UK }

    internal sealed class DataCenterHosts
    {
        public DataCenterHosts(ZohoDataCenter dc, string accounts, string api, string upload)
        {
            DataCenter = dc; AccountsUrl = accounts; ApiDomain = api; UploadUrl = upload;
        }
        public ZohoDataCenter DataCenter { get; }
        public string AccountsUrl { get; }
        public string ApiDomain { get; }
        public string UploadUrl { get; }
    }

    internal static class DataCenters
    {
        private static readonly DataCenterHosts[] All =
        {
            new DataCenterHosts(ZohoDataCenter.US, "https://accounts.zoho.com", "https://www.zohoapis.com", "https://content.zohoapis.com"),
            new DataCenterHosts(ZohoDataCenter.EU, "https://accounts.zoho.eu", "https://www.zohoapis.eu", "https://content.zohoapis.eu"),
            new DataCenterHosts(ZohoDataCenter.IN, "https://accounts.zoho.in", "https://www.zohoapis.in", "https://content.zohoapis.in"),
            new DataCenterHosts(ZohoDataCenter.AU, "https://accounts.zoho.com.au", "https://www.zohoapis.com.au", "https://content.zohoapis.com.au"),
            new DataCenterHosts(ZohoDataCenter.JP, "https://accounts.zoho.jp", "https://www.zohoapis.jp", "https://content.zohoapis.jp"),
            new DataCenterHosts(ZohoDataCenter.CN, "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn", "https://content.zohoapis.com.cn"),
            new DataCenterHosts(ZohoDataCenter.CA, "https://accounts.zohocloud.ca", "https://www.zohoapis.ca", "https://upload.zohocloud.ca"),
            new DataCenterHosts(ZohoDataCenter.SA, "https://accounts.zoho.sa", "https://www.zohoapis.sa", "https://files.zoho.sa"),
            // Zoho Accounts lists UK (accounts.zoho.uk, www.zohoapis.uk); no Zoho source names a UK upload host, so it
            // gets the upload endpoint Zoho's upload page calls common to all data centers. -UploadUrl overrides.
            new DataCenterHosts(ZohoDataCenter.UK, "https://accounts.zoho.uk", "https://www.zohoapis.uk", "https://upload.zoho.com"),
        };

        public static DataCenterHosts Get(ZohoDataCenter dc) => All.First(h => h.DataCenter == dc);

        /// <summary>The data center whose API domain is <paramref name="apiDomain"/> (https, port 443), or null for any other host.</summary>
        public static DataCenterHosts FromApiDomain(Uri apiDomain) =>
            All.FirstOrDefault(h => string.Equals(new Uri(h.ApiDomain).Host, apiDomain.Host, StringComparison.OrdinalIgnoreCase)
                                    && apiDomain.Scheme == Uri.UriSchemeHttps && apiDomain.Port == 443);

        /// <summary>
        /// Where the access token may go, given the api_domain Zoho Accounts named in its token answer: the domain the
        /// user gave (-ApiDomain wins; the answer is not used), else the answer's domain if it is the API domain of a
        /// known data center (as that data center spells it), else <paramref name="current"/> when the answer names
        /// none. Any other domain (another host, http, another port, www.zohoapis.com.evil.test) is refused: the
        /// accounts host could be misconfigured or not Zoho's, and the token would follow the answer there.
        /// </summary>
        public static Uri TrustedApiDomain(string fromAnswer, Uri userGiven, Uri current, Uri accountsUrl)
        {
            if (userGiven != null) return userGiven;
            if (string.IsNullOrWhiteSpace(fromAnswer)) return current;
            var known = Uri.TryCreate(fromAnswer.Trim(), UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.UserInfo)
                ? FromApiDomain(uri) : null;
            if (known != null) return new Uri(known.ApiDomain);
            string shown = uri != null ? uri.Scheme + "://" + uri.Authority : fromAnswer.Trim();
            throw new ZohoClientException("ZohoCrm.UntrustedApiDomain",
                $"Zoho Accounts ({Authority(accountsUrl)}) named {shown} as this org's API domain, which is not the API domain of a known Zoho data center ({string.Join(", ", All.Select(h => new Uri(h.ApiDomain).Host))}), so the access token is not sent there. "
                + "Check -AccountsUrl and -DataCenter; if you trust that host, give it to Connect-Zcrm as -ApiDomain.",
                ZohoErrorKind.AuthenticationError);
        }

        public static bool IsLoopback(Uri uri)
        {
            if (uri.IsLoopback) return true;
            return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
        }

        /// <summary>
        /// Parses a base URL given by the user or by Zoho: absolute, http(s), no query; plain http only on loopback
        /// (the emulator), because the access token travels in its requests.
        /// </summary>
        public static Uri ParseBaseUrl(string value, string parameterName)
        {
            if (string.IsNullOrWhiteSpace(value))
                throw new ZohoValidationException("ZohoCrm.InvalidUrl", $"{parameterName} is empty: give an absolute https URL such as https://www.zohoapis.com.", parameterName);
            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                throw new ZohoValidationException("ZohoCrm.InvalidUrl", $"{parameterName} '{value}' is not an absolute http(s) URL, such as https://www.zohoapis.com.", parameterName);
            if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
                throw new ZohoValidationException("ZohoCrm.InsecureUrl", $"{parameterName} '{value}' uses plain http on a host that is not loopback: tokens would travel unencrypted. Use https (http is accepted only for 127.0.0.1, ::1 or localhost, e.g. the emulator).", parameterName);
            if (!string.IsNullOrEmpty(uri.UserInfo))
                throw new ZohoValidationException("ZohoCrm.InvalidUrl", $"{parameterName} ({uri.Scheme}://...@{uri.Host}) must be a base URL without user info: credentials do not belong in it.", parameterName);
            if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
                throw new ZohoValidationException("ZohoCrm.InvalidUrl", $"{parameterName} '{value}' must be a base URL without query or fragment.", parameterName);
            return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/'), UriKind.Absolute);
        }

        public static string Authority(Uri uri) => uri.Scheme + "://" + uri.Authority.ToLowerInvariant();
    }
}
