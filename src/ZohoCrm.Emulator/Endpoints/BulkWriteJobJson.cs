using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>A bulk write job as Zoho describes it: the job details answer, also the body of its callback.</summary>
internal static class BulkWriteJobJson
{
    private static readonly JsonObject SeedJob = JsonNode.Parse(SeedData.BulkWriteJobBody)!.AsObject();

    /// <summary>The job details answer (the seed's job too); null if unknown.</summary>
    public static JsonObject? Details(EmulatorState state, string jobId) =>
        jobId == SeedData.BulkWriteJobId
            ? SeedJob.DeepClone().AsObject()
            : state.BulkJobs.Read(jobId, j => Details(state, j, j.Status));

    /// <summary>Where the result of a job is downloaded (see <see cref="BulkWriteResultEndpoint"/>).</summary>
    public static string DownloadPath(string jobId) => $"/v2/crm/{EmulatorState.Zgid}/bulk-write/{jobId}/{jobId}.zip";

    /// <summary>The details of a job as they are when its status is <paramref name="status"/> (caller holds the gate).</summary>
    public static JsonObject Details(EmulatorState state, BulkWriteJob j, string status)
    {
        var s = state.BulkJobs.SpellStatus(status);
        var resource = new JsonObject
        {
            ["status"] = s,
            ["type"] = "data",
            ["module"] = j.Module.Schema.ApiName,
            ["field_mappings"] = j.FieldMappings.DeepClone(),
        };
        if (j.FindBy is not null)
        {
            resource["find_by"] = j.FindBy;
        }
        resource["file"] = new JsonObject
        {
            ["status"] = s,
            ["name"] = j.FileId + ".csv",
            ["added_count"] = j.AddedCount,
            ["skipped_count"] = j.SkippedCount,
            ["updated_count"] = j.UpdatedCount,
            ["total_count"] = j.TotalCount,
        };
        resource["code"] = s;

        var o = new JsonObject
        {
            ["status"] = s,
            ["character_encoding"] = j.CharacterEncoding,
            ["resource"] = new JsonArray(resource),
            ["id"] = j.Id,
        };
        if (j.CallbackUrl is not null)
        {
            o["callback"] = new JsonObject { ["url"] = j.CallbackUrl, ["method"] = j.CallbackMethod ?? "post" };
        }
        o["created_by"] = new JsonObject { ["id"] = BulkWriteJobStore.UserId, ["name"] = Zoho.UserName };
        o["ignore_empty"] = j.IgnoreEmpty;
        o["operation"] = j.Operation;
        o["created_time"] = j.CreatedTime;
        if (BulkWriteJob.HasResult(status))
        {
            var path = DownloadPath(j.Id);
            o["result"] = new JsonObject { ["download_url"] = state.Options.RelativeDownloadUrl ? path : state.ApiDomain + path };
        }
        return o;
    }
}
