using System;
using System.Management.Automation;
using System.Security;
using System.Text.RegularExpressions;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Connects to Zoho CRM with an access token or with the OAuth refresh-token flow, and keeps the connection
    /// for this PowerShell session (runspace).
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "Zcrm", DefaultParameterSetName = RefreshSet)]
    [OutputType(typeof(Connection))]
    public sealed class ConnectZcrm : ZcrmCmdlet
    {
        private const string TokenSet = "AccessToken";
        private const string RefreshSet = "RefreshToken";

        [Parameter(Mandatory = true, ParameterSetName = TokenSet)]
        [ValidateNotNull]
        public SecureString AccessToken { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = RefreshSet)]
        [ValidateNotNullOrEmpty]
        public string ClientId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = RefreshSet)]
        [ValidateNotNull]
        public SecureString ClientSecret { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = RefreshSet)]
        [ValidateNotNull]
        public SecureString RefreshToken { get; set; }

        [Parameter]
        public ZohoDataCenter DataCenter { get; set; } = ZohoDataCenter.US;

        /// <summary>The API base URL. Another host than Zoho's (the emulator, a proxy) also becomes the default accounts and upload host.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ApiDomain { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string AccountsUrl { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string UploadUrl { get; set; }

        [Parameter]
        [ValidatePattern(@"^v\d+(\.\d+)?$")]
        public string ApiVersion { get; set; } = "v8";

        [Parameter]
        [ValidatePattern(@"^\d+$")]
        public string OrgId { get; set; }

        /// <summary>Seconds each HTTP call may take before it is abandoned (and retried when safe).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 100;

        /// <summary>How many times a call that is safe to repeat is retried after 429, 5xx or a broken connection.</summary>
        [Parameter]
        [ValidateRange(0, 20)]
        public int MaxRetryCount { get; set; } = 5;

        /// <summary>The first retry delay; each next one doubles (with jitter), up to 60 s, within a budget of 10 minutes per call.</summary>
        [Parameter]
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            Connection connection;
            try
            {
                connection = Run(ct => ConnectionFactory.ConnectAsync(this, ct));
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                ThrowTerminating(ex);
                return;
            }
            SessionStore.Set(CurrentRunspace, connection);
            WriteVerbose($"Connected: {connection}; accounts {connection.AccountsUrl}, uploads {connection.UploadUrl}; retries: {connection.RetryPolicy}.");
            if (PassThru) WriteObject(connection);
        }

        internal bool IsAccessTokenMode => ParameterSetName == TokenSet;
        internal bool ApiDomainGiven => MyInvocation.BoundParameters.ContainsKey(nameof(ApiDomain));
    }

    internal static class ConnectionFactory
    {
        public static async System.Threading.Tasks.Task<Connection> ConnectAsync(ConnectZcrm p, System.Threading.CancellationToken ct)
        {
            if (p.RetryBaseDelay < TimeSpan.Zero || p.RetryBaseDelay > TimeSpan.FromMinutes(1))
                throw new ZohoValidationException("ZohoCrm.InvalidRetryDelay", "-RetryBaseDelay must be between 0 and 1 minute.", "RetryBaseDelay");

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

            if (p.IsAccessTokenMode)
            {
                if (p.AccessToken.Length == 0)
                    throw new ZohoValidationException("ZohoCrm.EmptyToken", "-AccessToken is empty.", "AccessToken");
                return new Connection(apiDomain, accounts, upload, dataCenter, p.ApiVersion, p.OrgId, "AccessToken", null,
                    new StaticTokenProvider(p.AccessToken), http, retry, timeout);
            }

            if (p.ClientSecret.Length == 0)
                throw new ZohoValidationException("ZohoCrm.EmptySecret", "-ClientSecret is empty.", "ClientSecret");
            if (p.RefreshToken.Length == 0)
                throw new ZohoValidationException("ZohoCrm.EmptyToken", "-RefreshToken is empty.", "RefreshToken");

            var tokens = RefreshTokenProvider.For(accounts, p.ClientId, p.ClientSecret, p.RefreshToken, http, timeout);
            // Refresh now (unless this process already holds a valid token for these credentials), so a wrong secret
            // or data center fails here rather than in the middle of a job.
            await tokens.GetAsync(ct).ConfigureAwait(false);

            // Zoho names the org's API domain in the token answer; it wins unless -ApiDomain was given.
            if (!p.ApiDomainGiven && !string.IsNullOrEmpty(tokens.ApiDomainFromZoho))
            {
                var fromZoho = DataCenters.ParseBaseUrl(tokens.ApiDomainFromZoho, "api_domain (from Zoho Accounts)");
                if (!string.Equals(fromZoho.ToString(), apiDomain.ToString(), StringComparison.OrdinalIgnoreCase))
                {
                    OperationLog.Verbose($"Zoho Accounts names {fromZoho.ToString().TrimEnd('/')} as this org's API domain; using it.");
                    apiDomain = fromZoho;
                    var dc = DataCenters.FromApiDomain(apiDomain);
                    dataCenter = dc?.DataCenter.ToString() ?? "Custom";
                    if (p.UploadUrl == null) upload = dc != null ? new Uri(dc.UploadUrl) : apiDomain;
                }
            }
            return new Connection(apiDomain, accounts, upload, dataCenter, p.ApiVersion, p.OrgId, "RefreshToken", p.ClientId,
                tokens, http, retry, timeout);
        }
    }

    /// <summary>Forgets this session's connection.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Zcrm")]
    [OutputType(typeof(void))]
    public sealed class DisconnectZcrm : ZcrmCmdlet
    {
        protected override void EndProcessing()
        {
            if (!SessionStore.Clear(CurrentRunspace))
                WriteVerbose("There was no Zoho CRM connection in this session.");
        }
    }

    /// <summary>Returns this session's connection (no secrets in it).</summary>
    [Cmdlet(VerbsCommon.Get, "ZcrmConnection")]
    [OutputType(typeof(Connection))]
    public sealed class GetZcrmConnection : ZcrmCmdlet
    {
        protected override void EndProcessing()
        {
            var connection = SessionStore.Get(CurrentRunspace);
            if (connection == null)
                WriteError(new ErrorRecord(new InvalidOperationException("Not connected to Zoho CRM in this session. Run Connect-Zcrm first."),
                    "ZohoCrm.NotConnected", ErrorCategory.ObjectNotFound, null));
            else
                WriteObject(connection);
        }
    }
}
