using System;
using System.Management.Automation;
using System.Security;

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
        [ValidateApiVersion]
        public string ApiVersion { get; set; } = "v8";

        [Parameter]
        [ValidateOrgId]
        public string OrgId { get; set; }

        /// <summary>Seconds each HTTP call may take, from sending to the last byte of the answer, before it is abandoned (and retried when safe).</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 100;

        /// <summary>
        /// The most megabytes one answer may have (default 64); a result download may have this plus 8 KB a row of its job.
        /// A larger answer fails the call with ZohoCrm.AnswerTooLarge and is not retried.
        /// </summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int MaxResponseSizeMB { get; set; } = Http.ZohoClient.DefaultMaxResponseSizeMB;

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
                var options = new ConnectOptions
                {
                    IsAccessTokenMode = ParameterSetName == TokenSet,
                    AccessToken = AccessToken,
                    ClientId = ClientId,
                    ClientSecret = ClientSecret,
                    RefreshToken = RefreshToken,
                    DataCenter = DataCenter,
                    ApiDomain = ApiDomain,
                    ApiDomainGiven = MyInvocation.BoundParameters.ContainsKey(nameof(ApiDomain)),
                    AccountsUrl = AccountsUrl,
                    UploadUrl = UploadUrl,
                    ApiVersion = ApiVersion,
                    OrgId = OrgId,
                    TimeoutSec = TimeoutSec,
                    MaxResponseSizeMB = MaxResponseSizeMB,
                    MaxRetryCount = MaxRetryCount,
                    RetryBaseDelay = RetryBaseDelay,
                };
                connection = Run(ct => ConnectionFactory.ConnectAsync(options, ct));
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                // Bad input and a failed sign-in end the command; an unreachable host is this one call's error.
                Report(ex);
                return;
            }
            SessionStore.Set(CurrentRunspace, connection);
            WriteVerbose($"Connected: {connection}; accounts {connection.AccountsUrl}, uploads {connection.UploadUrl}; retries: {connection.RetryPolicy}.");
            if (PassThru) WriteObject(connection);
        }
    }
}
