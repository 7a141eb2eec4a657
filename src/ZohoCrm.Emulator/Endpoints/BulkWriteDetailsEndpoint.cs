namespace ZohoCrm.Emulator;

/// <summary><c>GET /crm/bulk/{v}/write/{job_id}</c>: a bulk write job's details (RESOURCE_NOT_FOUND 400 if unknown).</summary>
internal static class BulkWriteDetailsEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapZoho($"crm/bulk/{{v:{ZohoRouting.VersionConstraint}}}/write/{{jobId}}", ["GET"], Get);

    private static Reply Get(EmulatorState state, string jobId) =>
        BulkWriteJobJson.Details(state, jobId) is { } details ? new Reply(200, details) : BulkWriteAnswers.NotFound(400);
}
