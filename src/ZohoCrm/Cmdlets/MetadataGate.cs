using System;
using System.Collections.Generic;
using System.Linq;
using ZohoCrm.Http;
using ZohoCrm.Metadata;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// The field metadata a write command checks its change against before sending (-SkipMetadataCheck: none). A
    /// module the org does not have stops the command (with a "did you mean"); metadata that cannot be read (the
    /// settings scope not granted, an error answer) is a warning, and the change is sent unchecked.
    /// </summary>
    internal static class MetadataGate
    {
        public static IReadOnlyList<ZohoField> FieldsForChecks(ZcrmApiCmdlet cmdlet, string module, bool skip)
        {
            if (skip) return null;
            var service = new MetadataService(cmdlet.ResolvedConnection);
            try { return cmdlet.Run(ct => service.FieldsAsync(module, false, ct)); }
            catch (ZohoApiException ex) when (ex.Code == "INVALID_MODULE")
            {
                string guess = null;
                try { guess = MetadataChecks.DidYouMean(module, cmdlet.Run(ct => service.ModulesAsync(false, ct)).Select(m => m.ApiName)); }
                catch (ZohoException) { }
                cmdlet.ThrowTerminating(new ZohoValidationException("ZohoCrm.UnknownModule",
                    $"-Module '{module}' is not a module of this org{(guess != null ? $". Did you mean {guess}?" : ".")} (Get-ZcrmModule lists them.) Nothing was sent.", "Module", ZohoErrorKind.ObjectNotFound), module);
                return null;
            }
            catch (ZohoException ex) when (!(ex is ZohoValidationException))
            {
                cmdlet.WriteWarning($"The fields of {module} could not be read ({ex.Code}: {ex.Message}), so the change is sent without checking it against the org's field metadata. " +
                                    "-SkipMetadataCheck sends without the check and without this warning (for a connection without the ZohoCRM.settings.fields.READ scope).");
                return null;
            }
        }
    }
}
