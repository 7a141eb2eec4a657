using System.Collections;
using System.Management.Automation;
using System.Runtime.Loader;
using System.Text.Json;

namespace OtherJson;

/// <summary>Serializes a hashtable with this module's System.Text.Json and says which one it used, from where.</summary>
[Cmdlet(VerbsData.ConvertTo, "OtherJson")]
public sealed class ConvertToOtherJson : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    public Hashtable InputObject { get; set; } = new();

    protected override void ProcessRecord()
    {
        var json = typeof(JsonSerializer).Assembly;
        var result = new PSObject();
        result.Properties.Add(new PSNoteProperty("Json", JsonSerializer.Serialize(InputObject)));
        result.Properties.Add(new PSNoteProperty("JsonVersion", json.GetName().Version!.ToString()));
        result.Properties.Add(new PSNoteProperty("JsonLoadContext", AssemblyLoadContext.GetLoadContext(json)?.Name));
        WriteObject(result);
    }
}
