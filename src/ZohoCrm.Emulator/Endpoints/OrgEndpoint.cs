using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary><c>GET /crm/{v}/org</c>: the organization (its zgid is the X-CRM-ORG of uploads).</summary>
internal static class OrgEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapZoho($"crm/{{v:{ZohoRouting.VersionConstraint}}}/org", ["GET"], Org);

    private static Reply Org(EmulatorState state) => new(200, new JsonObject
    {
        ["org"] = new JsonArray(new JsonObject
        {
            ["id"] = state.Options.OrgId,
            ["zgid"] = EmulatorState.Zgid,
            ["company_name"] = "Emulated Org",
            ["country"] = "US",
            ["time_zone"] = "UTC",
            ["currency"] = "USD",
        }),
    });
}
