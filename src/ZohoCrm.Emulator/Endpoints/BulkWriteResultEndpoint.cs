namespace ZohoCrm.Emulator;

/// <summary>
/// <c>GET /{v}/crm/{zgid}/bulk-write/{job_id}/{job_id}.zip</c>: the result ZIP of a finished bulk write job
/// (404 INVALID_URL_PATTERN for another org or file name, 404 RESOURCE_NOT_FOUND while the job runs).
/// </summary>
internal static class BulkWriteResultEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapZoho($"{{v:{ZohoRouting.VersionConstraint}}}/crm/{{zgid}}/bulk-write/{{jobId}}/{{fileName}}", ["GET"], Download);

    private static Reply Download(EmulatorState state, string zgid, string jobId, string fileName)
    {
        if ((zgid != EmulatorState.Zgid && zgid != state.Options.OrgId) || fileName != jobId + ".zip")
        {
            return new Reply(404, Zoho.InvalidUrlPattern());
        }
        return state.BulkJobs.Result(jobId) is { } zip ? new Reply(200, null, zip, fileName) : BulkWriteAnswers.NotFound(404);
    }
}
