using System.Text;
using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>
/// Unauthenticated test helpers under /__emulator (never recorded):
/// GET/DELETE requests, GET records/{module}[/{id}], POST expire-tokens, GET mass-update-jobs/{id},
/// GET mass-update-concurrency ({"current","max","calls"}: mass update calls in flight, the most at once, calls counted), DELETE it (reset),
/// GET bulk-write-jobs[/{id}], GET bulk-write-callbacks, GET uploads/{fileId} (the stored ZIP bytes, application/zip;
/// seed files included);
/// faults: POST faults (a JSON <see cref="FaultRule"/>: kind by name, method, pathContains, probability, skip, times,
/// delayMs, retryAfterSeconds, row) -> {"id":n}, DELETE faults (all rules), DELETE faults/{id}, GET faults (the injected-fault log).
/// </summary>
internal static class ControlEndpoints
{
    private const int MaxBodyBytes = 64 * 1024;

    public static async Task HandleAsync(EmulatorState state, HttpContext ctx)
    {
        var segments = (ctx.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries)[1..];
        var method = ctx.Request.Method;
        if (segments is ["uploads", var fileId] && HttpMethods.IsGet(method))
        {
            await Upload(state, ctx, fileId).ConfigureAwait(false);
            return;
        }
        var (status, body) = segments switch
        {
            ["faults"] when HttpMethods.IsPost(method) => AddFault(state, await ReadBodyAsync(ctx).ConfigureAwait(false)),
            ["faults"] when HttpMethods.IsDelete(method) => ClearFaults(state),
            ["faults"] when HttpMethods.IsGet(method) => (200, FaultResponses.LogJson(state.InjectedFaults)),
            ["faults", var id] when HttpMethods.IsDelete(method) && int.TryParse(id, out var n) => RemoveFault(state, n),
            ["requests"] when HttpMethods.IsGet(method) => (200, Requests(state)),
            ["requests"] when HttpMethods.IsDelete(method) => Clear(state),
            ["records", var module] when HttpMethods.IsGet(method) => Records(state, module),
            ["records", var module, var id] when HttpMethods.IsGet(method) => Record(state, module, id),
            ["expire-tokens"] when HttpMethods.IsPost(method) => Expire(state),
            ["mass-update-concurrency"] when HttpMethods.IsGet(method) => (200, Concurrency(state)),
            ["mass-update-concurrency"] when HttpMethods.IsDelete(method) => ResetConcurrency(state),
            ["mass-update-jobs", var id] when HttpMethods.IsGet(method) => Job(state, id),
            ["bulk-write-jobs"] when HttpMethods.IsGet(method) => (200, new JsonArray(state.GetBulkWriteJobs().Select(j => (JsonNode?)BulkJob(j)).ToArray())),
            ["bulk-write-jobs", var id] when HttpMethods.IsGet(method) => state.GetBulkWriteJob(id) is { } j
                ? (200, BulkJob(j))
                : (404, new JsonObject { ["error"] = "job not found" }),
            ["bulk-write-callbacks"] when HttpMethods.IsGet(method) => (200, Callbacks(state)),
            _ => (404, (JsonNode)new JsonObject { ["error"] = "unknown emulator control endpoint" }),
        };
        await HttpWrite.JsonAsync(ctx, status, body).ConfigureAwait(false);
    }

    /// <summary>The bytes of an uploaded file exactly as stored (a ZIP), or a JSON 404 if the file id is unknown.</summary>
    private static Task Upload(EmulatorState state, HttpContext ctx, string fileId) =>
        state.GetUploadedFile(fileId) is { } bytes
            ? HttpWrite.BytesAsync(ctx, 200, "application/zip", bytes)
            : HttpWrite.JsonAsync(ctx, 404, new JsonObject { ["error"] = "file not found" });

    private static async Task<string> ReadBodyAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    private static (int, JsonNode) AddFault(EmulatorState state, string body)
    {
        try
        {
            return (200, new JsonObject { ["id"] = state.AddFault(FaultResponses.ParseRule(body)) });
        }
        catch (FormatException e)
        {
            return (400, new JsonObject { ["error"] = e.Message });
        }
    }

    private static (int, JsonNode) ClearFaults(EmulatorState state)
    {
        state.ClearFaults();
        return (200, new JsonObject { ["status"] = "success" });
    }

    private static (int, JsonNode) RemoveFault(EmulatorState state, int id)
    {
        state.RemoveFault(id);
        return (200, new JsonObject { ["status"] = "success" });
    }

    private static JsonNode Requests(EmulatorState state)
    {
        var array = new JsonArray();
        foreach (var r in state.Requests)
        {
            var headers = new JsonObject();
            foreach (var (k, v) in r.Headers)
            {
                headers[k] = v;
            }
            var size = Encoding.UTF8.GetByteCount(r.Body);
            var item = new JsonObject
            {
                ["time"] = r.Time.ToString("O"),
                ["method"] = r.Method,
                ["path"] = r.Path,
                ["query"] = r.Query,
                ["headers"] = headers,
                ["body"] = size > MaxBodyBytes ? null : r.Body,
                ["bodyLength"] = size,
                ["statusCode"] = r.StatusCode,
            };
            if (r.Fault is not null)
            {
                item["fault"] = r.Fault; // only on faulted requests, so the shape is unchanged without faults
            }
            array.Add(item);
        }
        return array;
    }

    private static (int, JsonNode) Clear(EmulatorState state)
    {
        state.ClearRequests();
        return (200, new JsonObject { ["status"] = "success" });
    }

    private static (int, JsonNode) Records(EmulatorState state, string module)
    {
        if (!state.Modules.ContainsKey(module))
        {
            return (404, new JsonObject { ["error"] = "unknown module" });
        }
        return (200, new JsonArray(state.GetRecords(module).Select(r => (JsonNode?)Json.ToObject(r)).ToArray()));
    }

    private static (int, JsonNode) Record(EmulatorState state, string module, string id) =>
        state.GetRecord(module, id) is { } r
            ? (200, Json.ToObject(r))
            : (404, new JsonObject { ["error"] = "record not found" });

    private static JsonNode Concurrency(EmulatorState state) => new JsonObject
    {
        ["current"] = state.MassUpdateConcurrency.Current,
        ["max"] = state.MassUpdateConcurrency.Max,
        ["calls"] = state.MassUpdateConcurrency.Calls,
    };

    private static (int, JsonNode) ResetConcurrency(EmulatorState state)
    {
        state.MassUpdateConcurrency.Reset();
        return (200, Concurrency(state));
    }

    private static (int, JsonNode) Expire(EmulatorState state)
    {
        state.Tokens.ExpireAll();
        return (200, new JsonObject { ["status"] = "success" });
    }

    private static JsonNode BulkJob(BulkWriteJobSnapshot j) => new JsonObject
    {
        ["job_id"] = j.JobId,
        ["module"] = j.Module,
        ["operation"] = j.Operation,
        ["status"] = j.Status,
        ["file_id"] = j.FileId,
        ["total_count"] = j.TotalCount,
        ["added_count"] = j.AddedCount,
        ["updated_count"] = j.UpdatedCount,
        ["skipped_count"] = j.SkippedCount,
        ["find_by"] = j.FindBy,
        ["ignore_empty"] = j.IgnoreEmpty,
        ["callback_url"] = j.CallbackUrl,
    };

    private static JsonNode Callbacks(EmulatorState state) =>
        new JsonArray(state.Callbacks.Select(c => (JsonNode?)new JsonObject
        {
            ["time"] = c.Time.ToString("O"),
            ["job_id"] = c.JobId,
            ["url"] = c.Url,
            ["body"] = c.Body,
            ["sent"] = c.Sent,
            ["status_code"] = c.StatusCode,
            ["error"] = c.Error,
        }).ToArray());

    private static (int, JsonNode) Job(EmulatorState state, string id) =>
        state.GetMassUpdateJob(id) is { } j
            ? (200, new JsonObject
            {
                ["job_id"] = j.JobId,
                ["module"] = j.Module,
                ["cvid"] = j.CustomViewId,
                ["Status"] = j.Status,
                ["Total_Count"] = j.TotalCount,
                ["Updated_Count"] = j.UpdatedCount,
                ["Not_Updated_Count"] = j.NotUpdatedCount,
                ["Failed_Count"] = j.FailedCount,
            })
            : (404, new JsonObject { ["error"] = "job not found" });
}
