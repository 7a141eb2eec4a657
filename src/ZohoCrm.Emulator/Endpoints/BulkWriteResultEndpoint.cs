using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>
/// <c>GET /{v}/crm/{zgid}/bulk-write/{job_id}/{job_id}.zip</c>: the result ZIP of a finished bulk write job;
/// 404 RESOURCE_NOT_FOUND while the job runs; 403 "Link not valid" (<see cref="LinkNotValid"/>) for another org, file
/// name or job, and for a link past <see cref="EmulatorOptions.ResultLinkLifetime"/>.
/// </summary>
internal static class BulkWriteResultEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapZoho($"{{v:{ZohoRouting.VersionConstraint}}}/crm/{{zgid}}/bulk-write/{{jobId}}/{{fileName}}", ["GET"], Download);

    /// <summary>
    /// The download host's answer to an expired or foreign link (zoho-api.md section 5, "Result download"): not Zoho's
    /// error envelope, keys in that order.
    /// </summary>
    public static JsonObject LinkNotValid() => new()
    {
        ["info"] = "Forbidden",
        ["x-info"] = "Link not valid",
        ["http_status"] = 403,
    };

    private static Reply Download(EmulatorState state, string zgid, string jobId, string fileName)
    {
        if ((zgid != EmulatorState.Zgid && zgid != state.Options.OrgId) || fileName != jobId + ".zip")
        {
            return new Reply(403, LinkNotValid());
        }
        return state.BulkJobs.ResultLinkOf(jobId) switch
        {
            (ResultLink.Valid, { } zip) => new Reply(200, null, zip, fileName),
            (ResultLink.NotReady, _) => BulkWriteAnswers.NotFound(404),
            _ => new Reply(403, LinkNotValid()),
        };
    }
}
