using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using ZohoCrm.Http;

namespace ZohoCrm
{
    /// <summary>
    /// A connection to one Zoho CRM org: its hosts, API version and credentials. Holds no secret in any property;
    /// the tokens live in the token provider as SecureStrings.
    /// </summary>
    public sealed class Connection
    {
        private readonly ITokenProvider _tokens;
        private readonly HashSet<string> _tokenAuthorities;

        internal Connection(Uri apiDomain, Uri accountsUrl, Uri uploadUrl, string dataCenter, string apiVersion, string orgId,
            string authType, string clientId, ITokenProvider tokens, System.Net.Http.HttpClient http, RetryPolicy retry, TimeSpan requestTimeout,
            int maxResponseSizeMB = ZohoClient.DefaultMaxResponseSizeMB)
        {
            ApiDomain = apiDomain.ToString().TrimEnd('/');
            AccountsUrl = accountsUrl.ToString().TrimEnd('/');
            UploadUrl = uploadUrl.ToString().TrimEnd('/');
            DataCenter = dataCenter;
            ApiVersion = apiVersion;
            OrgId = orgId;
            AuthType = authType;
            ClientId = clientId;
            RetryPolicy = retry;
            RequestTimeout = requestTimeout;
            MaxResponseSizeMB = maxResponseSizeMB;
            _tokens = tokens;
            _tokenAuthorities = new HashSet<string>(new[] { apiDomain, uploadUrl }.Select(DataCenters.Authority), StringComparer.OrdinalIgnoreCase);
            Client = new ZohoClient(http, tokens, u => _tokenAuthorities.Contains(DataCenters.Authority(u)), retry, requestTimeout, orgId,
                maxResponseSizeMB * 1024L * 1024L);
            ConnectedOn = DateTimeOffset.Now;
        }

        public string ApiDomain { get; }
        public string AccountsUrl { get; }
        public string UploadUrl { get; }
        /// <summary>US, EU, IN, AU, JP, CN, CA, SA, UK, or Custom for another API domain (the emulator, a proxy).</summary>
        public string DataCenter { get; }
        public string ApiVersion { get; }
        public string OrgId { get; }
        /// <summary>AccessToken (a token given as is, not refreshable) or RefreshToken (OAuth refresh-token flow).</summary>
        public string AuthType { get; }
        public string ClientId { get; }
        /// <summary>When the current access token expires (refresh-token connections; null for a given access token).</summary>
        public DateTimeOffset? ExpiresOn => _tokens.ExpiresOn;
        public DateTimeOffset ConnectedOn { get; }
        public RetryPolicy RetryPolicy { get; }
        /// <summary>The most one call may take, from sending to the last byte of the answer (Connect-Zcrm -TimeoutSec).</summary>
        public TimeSpan RequestTimeout { get; }
        /// <summary>The bound on one answer's body in MB, and the floor of a result download's bound (Connect-Zcrm -MaxResponseSizeMB).</summary>
        public int MaxResponseSizeMB { get; }

        internal ZohoClient Client { get; }

        /// <summary>The org's modules, fields and custom views as read so far (read on first need, kept a while).</summary>
        internal Metadata.MetadataCache Metadata { get; } = new Metadata.MetadataCache();

        /// <summary>A host the access token may go to: the API domain or the upload host.</summary>
        internal bool IsOwnHost(Uri url) => _tokenAuthorities.Contains(DataCenters.Authority(url));

        private string _orgZgid;

        /// <summary>The org id for the X-CRM-ORG header: -OrgId, or the org's zgid from GET /crm/{v}/org, fetched once.</summary>
        internal async System.Threading.Tasks.Task<string> GetOrgIdAsync(System.Threading.CancellationToken ct)
        {
            if (!string.IsNullOrEmpty(OrgId)) return OrgId;
            if (_orgZgid != null) return _orgZgid;
            var response = await Client.SendAsync(new ZohoRequest(System.Net.Http.HttpMethod.Get, CrmUrl("org")) { Idempotent = true }, ct).ConfigureAwait(false);
            using (var doc = response.EnsureSuccess())
            {
                var root = doc.RootElement;
                string zgid = null;
                if (root.ValueKind == System.Text.Json.JsonValueKind.Object && root.TryGetProperty("org", out var orgs)
                    && orgs.ValueKind == System.Text.Json.JsonValueKind.Array && orgs.GetArrayLength() > 0)
                    zgid = Json.GetString(orgs[0], "zgid") ?? Json.GetString(orgs[0], "id");
                if (zgid == null)
                    throw new ZohoClientException("ZohoCrm.NoOrgId", $"Zoho's answer to {response.Request} names no org (zgid). Give -OrgId to Connect-Zcrm.", ZohoErrorKind.InvalidResult);
                // It becomes the X-CRM-ORG header: the same rule as -OrgId, so an answer cannot add header lines.
                if (!InputRules.IsZohoId(zgid))
                    throw new ZohoClientException("ZohoCrm.NoOrgId", $"Zoho's answer to {response.Request} names the org {InputRules.Show(zgid)}, which is not an org id (digits 0-9). Give -OrgId to Connect-Zcrm.", ZohoErrorKind.InvalidResult);
                _orgZgid = zgid;
                return zgid;
            }
        }

        /// <summary>{ApiDomain}/crm/{ApiVersion}/{relative}</summary>
        internal Uri CrmUrl(string relative) => new Uri(ApiDomain + "/crm/" + ApiVersion + "/" + relative.TrimStart('/'));

        public override string ToString() => $"Zoho CRM {DataCenter} {ApiDomain} ({ApiVersion}, {AuthType})";
    }
}
