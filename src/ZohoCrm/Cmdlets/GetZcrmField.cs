using System.Management.Automation;
using ZohoCrm.Metadata;

namespace ZohoCrm.Cmdlets
{
    /// <summary>A module's fields (GET /crm/{v}/settings/fields?module=X), with what the write cmdlets check before sending.</summary>
    [Cmdlet(VerbsCommon.Get, "ZcrmField")]
    [OutputType(typeof(ZohoField))]
    public sealed class GetZcrmField : ZcrmModuleMetadataCmdlet
    {
        protected override void ProcessRecord()
        {
            try { WriteMatching(Run(ct => Service.FieldsAsync(Module, Force, ct)), f => f.ApiName, " field", Module); }
            catch (ZohoException ex) { Report(ex, Module); }
        }
    }
}
