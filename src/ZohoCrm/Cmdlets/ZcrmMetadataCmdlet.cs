using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ZohoCrm.Metadata;

namespace ZohoCrm.Cmdlets
{
    /// <summary>The base of the three metadata readers: -Name (wildcards) filters by API name; -Force reads again instead of using what this connection keeps.</summary>
    public abstract class ZcrmMetadataCmdlet : ZcrmApiCmdlet
    {
        /// <summary>API names to keep (wildcards allowed); all if not given.</summary>
        [Parameter(Position = 1)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; }

        /// <summary>Read from Zoho again, not from what this connection keeps (kept for 15 minutes).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        internal MetadataService Service => new MetadataService(ResolvedConnection);

        /// <summary>Writes the items whose name matches -Name; a -Name without wildcards that matches nothing is an error.</summary>
        internal void WriteMatching<T>(IEnumerable<T> items, System.Func<T, string> name, string what, string module)
        {
            var list = items.ToList();
            if (Name == null) { foreach (var i in list) WriteObject(i); return; }
            foreach (var pattern in Name)
            {
                var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
                var found = list.Where(i => wildcard.IsMatch(name(i))).ToList();
                foreach (var i in found) WriteObject(i);
                if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
                {
                    string guess = MetadataChecks.DidYouMean(pattern, list.Select(name));
                    Report(new ZohoClientException("ZohoCrm.NotFound", $"{module}{what} '{pattern}' does not exist{(guess != null ? $". Did you mean {guess}?" : ".")}", ZohoErrorKind.ObjectNotFound), pattern);
                }
            }
        }
    }

    /// <summary>A metadata reader of one module: -Module (also by property name Module or ApiName, as Get-ZcrmModule writes).</summary>
    public abstract class ZcrmModuleMetadataCmdlet : ZcrmMetadataCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ApiName")]
        [ValidateModuleName]
        [ArgumentCompleter(typeof(ModuleCompleter))]
        public string Module { get; set; }
    }
}
