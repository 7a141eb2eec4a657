using System;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.Http;

namespace ZohoCrm
{
    /// <summary>What Connect-Zcrm was given: the hosts, the credentials of one of the two modes, the HTTP limits.</summary>
    internal sealed class ConnectOptions
    {
        /// <summary>Connect with an access token (no refresh); otherwise with the refresh-token flow.</summary>
        public bool IsAccessTokenMode { get; set; }
        public SecureString AccessToken { get; set; }
        public string ClientId { get; set; }
        public SecureString ClientSecret { get; set; }
        public SecureString RefreshToken { get; set; }
        public ZohoDataCenter DataCenter { get; set; } = ZohoDataCenter.US;
        public string ApiDomain { get; set; }
        /// <summary>-ApiDomain was given: it wins over the api_domain Zoho Accounts names.</summary>
        public bool ApiDomainGiven { get; set; }
        public string AccountsUrl { get; set; }
        public string UploadUrl { get; set; }
        public string ApiVersion { get; set; } = "v8";
        public string OrgId { get; set; }
        public int TimeoutSec { get; set; } = 100;
        public int MaxResponseSizeMB { get; set; } = ZohoClient.DefaultMaxResponseSizeMB;
        public int MaxRetryCount { get; set; } = 5;
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
    }

    internal static class ConnectionFactory
    {
        public static async Task<Connection> ConnectAsync(ConnectOptions p, CancellationToken ct)
        {
            if (p.RetryBaseDelay < TimeSpan.Zero || p.RetryBaseDelay > TimeSpan.FromMinutes(1))
                throw new ZohoValidationException("ZohoCrm.InvalidRetryDelay", "-RetryBaseDelay must be between 0 and 1 minute.", "RetryBaseDelay");
            // The version goes into every URL and the org id into the X-CRM-ORG header: the same rules as the parameters.
            if (!InputRules.IsApiVersion(p.ApiVersion))
                throw new ZohoValidationException("ZohoCrm.InvalidApiVersion", $"-ApiVersion {InputRules.Show(p.ApiVersion)} is not a Zoho API version such as v8.", "ApiVersion");
            if (p.OrgId != null && !InputRules.IsZohoId(p.OrgId))
                throw new ZohoValidationException("ZohoCrm.InvalidOrgId", $"-OrgId {InputRules.Show(p.OrgId)} is not a Zoho org id: a string of digits 0-9.", "OrgId");

            // Hosts: the data center's, or those of an explicit -ApiDomain; -AccountsUrl and -UploadUrl override.
            var dcHosts = DataCenters.Get(p.DataCenter);
            Uri apiDomain = p.ApiDomain != null ? DataCenters.ParseBaseUrl(p.ApiDomain, "-ApiDomain") : new Uri(dcHosts.ApiDomain);
            var knownApi = DataCenters.FromApiDomain(apiDomain);
            string dataCenter = knownApi?.DataCenter.ToString() ?? "Custom";
            var defaults = knownApi ?? (p.ApiDomain != null ? null : dcHosts);
            Uri accounts = p.AccountsUrl != null ? DataCenters.ParseBaseUrl(p.AccountsUrl, "-AccountsUrl")
                : defaults != null ? new Uri(defaults.AccountsUrl) : apiDomain;
            Uri upload = p.UploadUrl != null ? DataCenters.ParseBaseUrl(p.UploadUrl, "-UploadUrl")
                : defaults != null ? new Uri(defaults.UploadUrl) : apiDomain;

            var retry = new RetryPolicy(p.MaxRetryCount, p.RetryBaseDelay, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10));
            var timeout = TimeSpan.FromSeconds(p.TimeoutSec);
            var http = ZohoClient.CreateHttpClient();
            // The bound on answers read whole by HttpClient itself (the token refresh); ZohoClient bounds its own reads.
            http.MaxResponseContentBufferSize = p.MaxResponseSizeMB * 1024L * 1024L;

            if (p.IsAccessTokenMode)
            {
                if (p.AccessToken.Length == 0)
                    throw new ZohoValidationException("ZohoCrm.EmptyToken", "-AccessToken is empty.", "AccessToken");
                return new Connection(apiDomain, accounts, upload, dataCenter, p.ApiVersion, p.OrgId, "AccessToken", null,
                    new StaticTokenProvider(p.AccessToken), http, retry, timeout, p.MaxResponseSizeMB);
            }

            if (p.ClientSecret.Length == 0)
                throw new ZohoValidationException("ZohoCrm.EmptySecret", "-ClientSecret is empty.", "ClientSecret");
            if (p.RefreshToken.Length == 0)
                throw new ZohoValidationException("ZohoCrm.EmptyToken", "-RefreshToken is empty.", "RefreshToken");

            var tokens = RefreshTokenProvider.For(accounts, p.ClientId, p.ClientSecret, p.RefreshToken, http, timeout);
            // Refresh now (unless this process already holds a valid token for these credentials), so a wrong secret
            // or data center fails here rather than in the middle of a job.
            await tokens.GetAsync(ct).ConfigureAwait(false);

            // Zoho names the org's API domain in the token answer; it wins unless -ApiDomain was given, and only if it
            // is a known data center's API domain (DataCenters.TrustedApiDomain): the token follows it.
            var fromZoho = DataCenters.TrustedApiDomain(tokens.ApiDomainFromZoho, p.ApiDomainGiven ? apiDomain : null, apiDomain, accounts);
            if (!string.Equals(fromZoho.ToString(), apiDomain.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                OperationLog.Verbose($"Zoho Accounts names {fromZoho.ToString().TrimEnd('/')} as this org's API domain; using it.");
                apiDomain = fromZoho;
                var dc = DataCenters.FromApiDomain(apiDomain);
                dataCenter = dc.DataCenter.ToString();
                if (p.UploadUrl == null) upload = new Uri(dc.UploadUrl);
            }
            return new Connection(apiDomain, accounts, upload, dataCenter, p.ApiVersion, p.OrgId, "RefreshToken", p.ClientId,
                tokens, http, retry, timeout, p.MaxResponseSizeMB);
        }
    }
}
