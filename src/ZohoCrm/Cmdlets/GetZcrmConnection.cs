using System.Management.Automation;

namespace ZohoCrm.Cmdlets
{
    /// <summary>Returns this session's connection (no secrets in it); nothing, and no error, when not connected (as Get-AzContext).</summary>
    [Cmdlet(VerbsCommon.Get, "ZcrmConnection")]
    [OutputType(typeof(Connection))]
    public sealed class GetZcrmConnection : ZcrmCmdlet
    {
        protected override void EndProcessing()
        {
            var connection = SessionStore.Get(CurrentRunspace);
            if (connection != null) WriteObject(connection);
        }
    }
}
