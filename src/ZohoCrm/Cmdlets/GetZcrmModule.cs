using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ZohoCrm.Metadata;

namespace ZohoCrm.Cmdlets
{
    /// <summary>The org's modules (GET /crm/{v}/settings/modules).</summary>
    [Cmdlet(VerbsCommon.Get, "ZcrmModule")]
    [OutputType(typeof(ZohoModule))]
    public sealed class GetZcrmModule : ZcrmMetadataCmdlet
    {
        protected override void EndProcessing()
        {
            try { WriteMatching(Run(ct => Service.ModulesAsync(Force, ct)), m => m.ApiName, "Module", ""); }
            catch (ZohoException ex) { Report(ex, "modules"); }
        }
    }
}
