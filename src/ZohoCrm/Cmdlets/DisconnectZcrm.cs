using System.Management.Automation;

namespace ZohoCrm.Cmdlets
{
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
}
