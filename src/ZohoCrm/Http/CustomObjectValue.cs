using System.Collections.Specialized;

namespace ZohoCrm.Http
{
    /// <summary>
    /// An object that is only its properties (a PSCustomObject where it came from), in their order: JSON writes it as
    /// an object; a CSV cell refuses it. The cmdlets turn the host's values into these before they reach the domain.
    /// </summary>
    internal sealed class CustomObjectValue : OrderedDictionary
    {
    }
}
