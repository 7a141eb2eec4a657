using System.Text;
using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>The state of a bulk write job (counts grow while it runs).</summary>
public sealed record BulkWriteJobSnapshot(
    string JobId,
    string Module,
    string Operation,
    string Status,
    string FileId,
    int TotalCount,
    int AddedCount,
    int UpdatedCount,
    int SkippedCount,
    string? FindBy,
    bool IgnoreEmpty,
    string? CallbackUrl);

/// <summary>One mapped column: where the value comes from (CSV index, default value) and which field it fills.</summary>
internal sealed class BulkColumn
{
    public required string ApiName { get; init; }

    /// <summary>Null for the record id ("id").</summary>
    public FieldSchema? Field { get; init; }

    /// <summary>-1 when only a default value is given.</summary>
    public int Index { get; init; } = -1;

    public string? Format { get; init; }
    public string? Default { get; init; }
}

internal sealed class BulkWriteJob
{
    public const string Added = "ADDED";
    public const string InProgress = "INPROGRESS";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";

    /// <summary>
    /// Final, like FAILED (zoho-api.md section 5, "Bulk write statuses"). No Zoho source says when; the emulator
    /// answers it for a job whose every row was skipped (nothing added or updated), its result telling why.
    /// </summary>
    public const string Skipped = "SKIPPED";

    public required string Id { get; init; }
    public required ModuleData Module { get; init; }
    public required string Operation { get; init; }
    public required string FileId { get; init; }
    public required byte[] FileBytes { get; init; }
    public required string CsvEntry { get; init; }
    public required char Delimiter { get; init; }

    /// <summary>The request's character_encoding; null for UTF-8.</summary>
    public Encoding? Encoding { get; init; }

    /// <summary>character_encoding as the job details echo it: the request's name, else what Zoho detects.</summary>
    public required string CharacterEncoding { get; init; }

    /// <summary>The encoding job details name when the request gave none (the emulator reads such files as UTF-8).</summary>
    public const string DefaultCharacterEncoding = "UTF-8";
    public required int TotalCount { get; init; }
    public required IReadOnlyList<BulkColumn> Columns { get; init; }
    public required JsonArray FieldMappings { get; init; }
    public required int[] ResultColumns { get; init; }
    public required string[] ResultHeader { get; init; }
    public string? FindBy { get; init; }
    public BulkColumn? FindColumn { get; init; }
    public bool IgnoreEmpty { get; init; }
    public string? CallbackUrl { get; init; }
    public string? CallbackMethod { get; init; }
    public required string CreatedTime { get; init; }

    public string Status { get; set; } = Added;
    public int AddedCount { get; set; }
    public int UpdatedCount { get; set; }
    public int SkippedCount { get; set; }
    public int Processed { get; set; }

    /// <summary>The result ZIP, once the job has finished.</summary>
    public byte[]? Result { get; set; }

    /// <summary>When the job finished (its result link's lifetime counts from here).</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    public bool IsFinished => Status is Completed or Failed or Skipped;

    /// <summary>Final with a result to download (COMPLETED or SKIPPED).</summary>
    public static bool HasResult(string status) => status is Completed or Skipped;
}

/// <summary>The outcome of one CSV row.</summary>
internal readonly record struct BulkRowResult(string Status, string RecordId, string Errors);

/// <summary>Collects row errors and formats them like Zoho: <c>MANDATORY_NOT_FOUND-Company,Last_Name:DUPLICATE_DATA-Email</c>.</summary>
internal sealed class BulkRowErrors
{
    private static readonly string[] Order = ["MANDATORY_NOT_FOUND", "INVALID_DATA", "DUPLICATE_DATA", "RESOURCE_NOT_FOUND"];
    private List<string>?[]? _fields;

    public bool Any => _fields is not null;

    public void Add(string code, string field)
    {
        _fields ??= new List<string>?[Order.Length];
        var i = Array.IndexOf(Order, code);
        var list = _fields[i] ??= new List<string>(2);
        if (!list.Contains(field))
        {
            list.Add(field);
        }
    }

    public bool Has(string code, string field) =>
        _fields?[Array.IndexOf(Order, code)] is { } list && list.Contains(field);

    public override string ToString()
    {
        if (_fields is null)
        {
            return "";
        }
        var sb = new StringBuilder();
        for (var i = 0; i < Order.Length; i++)
        {
            if (_fields[i] is not { } list)
            {
                continue;
            }
            list.Sort(StringComparer.Ordinal);
            if (sb.Length > 0)
            {
                sb.Append(':');
            }
            sb.Append(Order[i]).Append('-').Append(string.Join(',', list));
        }
        return sb.ToString();
    }
}
