using System;
using System.Management.Automation;

namespace ZohoCrm.Cmdlets
{
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
