using System.Text;
using System.Text.Json.Nodes;
using static ZohoCrm.Emulator.BulkWriteAnswers;

namespace ZohoCrm.Emulator;

/// <summary>
/// <c>POST /crm/bulk/{v}/write</c>: creates a bulk write job (HTTP 201). The body is checked in Zoho's order, one
/// step a method, each answering the first error it finds: options, callback, resource, field mappings, find_by,
/// the file, the file's limits, then the mandatory fields (those steps: BulkWriteCreateEndpoint.Checks.cs).
/// </summary>
internal static partial class BulkWriteCreateEndpoint
{
    private static readonly string[] Operations = ["insert", "update", "upsert"];

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapZoho($"crm/bulk/{{v:{ZohoRouting.VersionConstraint}}}/write", ["POST"],
            (HttpContext ctx, EmulatorState state) => Create(state, ctx.Zoho().Body));

    /// <summary>What the steps have read so far.</summary>
    private sealed class Request
    {
        public JsonObject Root = null!;
        public string Operation = "";
        public bool IgnoreEmpty;
        public Encoding? Encoding;
        public string? EncodingName;
        public string? CallbackUrl;
        public string? CallbackMethod;
        public JsonObject Resource = null!;
        public ModuleData Module = null!;
        public string FileId = "";
        public bool HasMappings;
        public readonly List<(JsonObject Json, string ApiName, int? Index)> Mappings = new();
        public string? FindBy;
        public byte[] FileBytes = [];
        public string CsvEntry = "";
        public char Delimiter;
        public string[] Header = [];
        public int RowCount;
        public readonly List<BulkColumn> Columns = new();
        public readonly JsonArray FieldMappings = new();

        public ModuleSchema Schema => Module.Schema;
    }

    private static Reply Create(EmulatorState state, string body)
    {
        var req = new Request();
        var error = ReadOptions(req, body) ?? ReadCallback(req) ?? ReadResource(req, state) ?? ReadMappings(req)
            ?? ReadFindBy(req) ?? ReadFile(req, state) ?? CheckLimits(req);
        if (error is not null)
        {
            return error;
        }
        MapColumns(req);
        if (CheckMandatoryMapped(req, state) is { } missing)
        {
            return missing;
        }

        var job = NewJob(req, state);
        if (!state.StartBulkJob(job))
        {
            return FileNotSupported();
        }
        return new Reply(201, new JsonObject
        {
            ["status"] = "success",
            ["code"] = "SUCCESS",
            ["message"] = "success",
            ["details"] = new JsonObject
            {
                ["id"] = job.Id,
                ["created_by"] = new JsonObject { ["id"] = BulkWriteJobStore.UserId, ["name"] = Zoho.UserName },
            },
        });
    }

    private static BulkWriteJob NewJob(Request req, EmulatorState state)
    {
        var resultColumns = req.Columns.Where(c => c.Index >= 0).Select(c => c.Index).Distinct().Order()
            .Take(ZohoLimits.BulkWriteResultKeyColumns).ToArray();
        return new BulkWriteJob
        {
            Id = state.BulkJobs.NextId(),
            Module = req.Module,
            Operation = req.Operation,
            FileId = req.FileId,
            FileBytes = req.FileBytes,
            CsvEntry = req.CsvEntry,
            Delimiter = req.Delimiter,
            Encoding = req.Encoding,
            CharacterEncoding = req.EncodingName ?? BulkWriteJob.DefaultCharacterEncoding,
            TotalCount = req.RowCount,
            Columns = req.Columns,
            FieldMappings = req.FieldMappings,
            ResultColumns = resultColumns,
            ResultHeader = resultColumns.Select(i => req.Header[i]).ToArray(),
            FindBy = req.FindBy,
            FindColumn = req.FindBy is null ? null : req.Columns.LastOrDefault(c => c.ApiName == req.FindBy),
            IgnoreEmpty = req.IgnoreEmpty,
            CallbackUrl = req.CallbackUrl,
            CallbackMethod = req.CallbackMethod,
            CreatedTime = Zoho.Now(),
        };
    }
}
