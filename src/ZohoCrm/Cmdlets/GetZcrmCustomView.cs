using System.Management.Automation;
using ZohoCrm.Metadata;

namespace ZohoCrm.Cmdlets
{
    /// <summary>A module's custom views (GET /crm/{v}/settings/custom_views?module=X): their ids for Invoke-ZcrmMassUpdate -CustomViewId.</summary>
    [Cmdlet(VerbsCommon.Get, "ZcrmCustomView")]
    [OutputType(typeof(ZohoCustomView))]
    public sealed class GetZcrmCustomView : ZcrmModuleMetadataCmdlet
    {
        protected override void ProcessRecord()
        {
            try { WriteMatching(Run(ct => Service.CustomViewsAsync(Module, Force, ct)), v => v.Name, " custom view", Module); }
            catch (ZohoException ex) { Report(ex, Module); }
        }
    }
}
