using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace ZohoCrm.Emulator;

/// <summary>A parsed incoming call, handed to route handlers.</summary>
internal sealed class ZohoRequest
{
    public required HttpContext Context { get; init; }
    public required string[] Segments { get; init; }
    public required byte[] BodyBytes { get; init; }
    public required string Body { get; init; }
    public string Method => Context.Request.Method;
    public IQueryCollection Query => Context.Request.Query;
}

/// <summary>An answer: JSON, or a file (<paramref name="File"/> set, sent as application/zip).</summary>
internal readonly record struct Reply(int Status, JsonNode? Body, byte[]? File = null, string? FileName = null);

/// <summary>A Zoho endpoint: a path matcher, the methods it accepts and whether it needs an OAuth token.</summary>
internal sealed record Route(
    string Name,
    Func<string[], bool> Matches,
    string[] Methods,
    bool RequiresAuth,
    Func<ZohoRequest, Reply> Handle);

/// <summary>
/// The catch-all handler: records the call, applies an injected fault if a rule fires (Faults.cs), matches a route
/// (404 INVALID_URL_PATTERN otherwise), checks the method (400 INVALID_REQUEST_METHOD), then the token (401), then runs
/// the endpoint.
/// </summary>
internal sealed partial class RequestDispatcher
{
    private readonly EmulatorState _state;
    private readonly List<Route> _routes;

    public RequestDispatcher(EmulatorState state)
    {
        _state = state;
        _routes =
        [
            new("token", s => s is ["oauth", "v2", "token"], ["POST"], false, Token),
            new("token-revoke", s => s is ["oauth", "v2", "token", "revoke"], ["POST"], false, Revoke),
            new("org", s => s is ["crm", var v, "org"] && IsVersion(v), ["GET"], true, Org),
            new("mass-update", s => s is ["crm", var v, _, "actions", "mass_update"] && IsVersion(v), ["GET", "POST"], true, MassUpdate),
            new("upload", IsUpload, ["POST"], true, req => BulkWriteEndpoint.Upload(_state, req)),
            new("bulk-write", s => s is ["crm", "bulk", var v, "write"] && IsVersion(v), ["POST"], true,
                req => BulkWriteEndpoint.Create(_state, req.Body)),
            new("bulk-write-job", s => s is ["crm", "bulk", var v, "write", _] && IsVersion(v), ["GET"], true,
                req => BulkWriteEndpoint.Get(_state, req.Segments[4])),
            new("bulk-write-result", s => s is [var v, "crm", _, "bulk-write", _, _] && IsVersion(v), ["GET"], true,
                req => BulkWriteEndpoint.Download(_state, req.Segments)),
        ];
    }

    [GeneratedRegex(@"^v\d+(\.\d+)?$")]
    private static partial Regex VersionRegex();

    private static bool IsVersion(string segment) => VersionRegex().IsMatch(segment);

    private static bool IsUpload(string[] segments) => segments is ["crm", var v, "upload"] && IsVersion(v);

    public async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (path.StartsWith("/__emulator", StringComparison.Ordinal))
        {
            await ControlEndpoints.HandleAsync(_state, ctx).ConfigureAwait(false);
            return;
        }

        var time = DateTimeOffset.UtcNow;
        byte[] bodyBytes;
        using (var ms = new MemoryStream())
        {
            await ctx.Request.Body.CopyToAsync(ms, ctx.RequestAborted).ConfigureAwait(false);
            bodyBytes = ms.ToArray();
        }
        // Uploads (ZIPs up to 25 MB) are logged by size only.
        var body = IsUpload(path.Split('/')[1..])
            ? $"<multipart {bodyBytes.Length} bytes>"
            : Encoding.UTF8.GetString(bodyBytes);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in ctx.Request.Headers)
        {
            headers[k] = v.ToString();
        }
        var entry = _state.BeginRequest(time, ctx.Request.Method, path, ctx.Request.QueryString.Value ?? "", headers, body);

        // Injected faults are decided before routing and authentication (see Faults.cs); DamagedZip is only
        // applied (and logged) once the answer turns out to be a ZIP.
        var fault = _state.Faults.Decide(ctx.Request.Method, path);
        if (fault is { Kind: not FaultKind.DamagedZip } f)
        {
            entry.Fault = f.Kind.ToString();
            _state.Faults.Record(f.Kind, ctx.Request.Method, path);
            if (f.ReplacesProcessing)
            {
                entry.StatusCode = await FaultResponses.ReplaceAsync(ctx, f.Rule).ConfigureAwait(false);
                return;
            }
            if (!await BeforeProcessingAsync(ctx, f).ConfigureAwait(false))
            {
                return; // the caller went away during a Slow fault
            }
        }

        Reply reply;
        try
        {
            reply = Dispatch(ctx, path, bodyBytes, body);
        }
        catch (Exception)
        {
            reply = new Reply(500, Zoho.InternalError());
        }

        var (contentType, bytes) = reply.File is { } file
            ? ("application/zip", file)
            : (Json.ContentType, Encoding.UTF8.GetBytes(Json.Serialize(reply.Body)));
        switch (fault?.Kind)
        {
            case FaultKind.DropAfterProcessing:
                ctx.Abort();
                return;
            case FaultKind.TruncatedBody:
                bytes = bytes[..(bytes.Length / 2)];
                break;
            case FaultKind.DamagedZip when reply.File is not null:
                entry.Fault = nameof(FaultKind.DamagedZip);
                _state.Faults.Record(FaultKind.DamagedZip, ctx.Request.Method, path);
                bytes = FaultResponses.DamageZip(bytes, _state.Options.FaultSeed);
                break;
            case FaultKind.DamagedZip:
                _state.Faults.Refund(fault.Value); // not a ZIP answer: no fault applied
                break;
        }

        entry.StatusCode = reply.Status;
        if (reply.File is not null)
        {
            ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{reply.FileName}\"";
        }
        await WriteAsync(ctx, reply.Status, contentType, bytes).ConfigureAwait(false);
    }

    /// <summary>The part of a "process, then ..." fault that comes first; false when the caller went away meanwhile.</summary>
    private async Task<bool> BeforeProcessingAsync(HttpContext ctx, FiredFault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.Slow:
                try
                {
                    await Task.Delay(fault.Rule.Delay, ctx.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
                break;
            case FaultKind.ExpireTokens:
                _state.ExpireAllTokens();
                break;
        }
        return true;
    }

    private Reply Dispatch(HttpContext ctx, string path, byte[] bodyBytes, string body)
    {
        var segments = path.Split('/')[1..];
        var route = segments.Any(string.IsNullOrEmpty) ? null : _routes.FirstOrDefault(r => r.Matches(segments));
        if (route is null)
        {
            return new Reply(404, Zoho.InvalidUrlPattern());
        }
        if (!route.Methods.Contains(ctx.Request.Method, StringComparer.OrdinalIgnoreCase))
        {
            return new Reply(400, Zoho.InvalidRequestMethod());
        }
        if (route.RequiresAuth)
        {
            switch (_state.CheckToken(ReadToken(ctx.Request.Headers.Authorization.ToString())))
            {
                case TokenCheck.Unknown:
                    return new Reply(401, Zoho.AuthenticationFailure());
                case TokenCheck.Expired:
                    return new Reply(401, Zoho.InvalidToken());
            }
        }
        return route.Handle(new ZohoRequest { Context = ctx, Segments = segments, BodyBytes = bodyBytes, Body = body });
    }

    /// <summary>"Zoho-oauthtoken &lt;token&gt;" or "Bearer &lt;token&gt;" (schemes case-insensitive).</summary>
    private static string? ReadToken(string header)
    {
        header = header.Trim();
        foreach (var scheme in new[] { "Zoho-oauthtoken ", "Bearer " })
        {
            if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                var token = header[scheme.Length..].Trim();
                return token.Length == 0 ? null : token;
            }
        }
        return null;
    }

    internal static Task WriteJsonAsync(HttpContext ctx, int status, JsonNode? body) =>
        WriteAsync(ctx, status, Json.ContentType, Encoding.UTF8.GetBytes(Json.Serialize(body)));

    internal static async Task WriteAsync(HttpContext ctx, int status, string? contentType, byte[] bytes)
    {
        ctx.Response.StatusCode = status;
        if (contentType is not null)
        {
            ctx.Response.ContentType = contentType;
        }
        ctx.Response.ContentLength = bytes.Length;
        if (bytes.Length > 0)
        {
            await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- endpoints

    /// <summary>Token endpoint: parameters from the query string and/or a form-urlencoded body.</summary>
    private Reply Token(ZohoRequest req)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in req.Query)
        {
            form[k] = v.ToString();
        }
        var contentType = req.Context.Request.ContentType ?? "";
        if (req.Body.Length > 0 && (contentType.Length == 0 || contentType.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var (k, v) in QueryHelpers.ParseQuery(req.Body))
            {
                form[k] = v.ToString();
            }
        }
        return new Reply(200, _state.RefreshToken(form));
    }

    private Reply Revoke(ZohoRequest req)
    {
        var token = req.Query["token"].ToString();
        if (string.IsNullOrEmpty(token) && req.Body.Length > 0)
        {
            var form = QueryHelpers.ParseQuery(req.Body);
            if (form.TryGetValue("token", out var t))
            {
                token = t.ToString();
            }
        }
        _state.RevokeToken(token);
        return new Reply(200, new JsonObject { ["status"] = "success" });
    }

    private Reply Org(ZohoRequest req) => new(200, new JsonObject
    {
        ["org"] = new JsonArray(new JsonObject
        {
            ["id"] = _state.Options.OrgId,
            ["zgid"] = "738964001",
            ["company_name"] = "Emulated Org",
            ["country"] = "US",
            ["time_zone"] = "UTC",
            ["currency"] = "USD",
        }),
    });

    private Reply MassUpdate(ZohoRequest req)
    {
        if (!_state.Modules.TryGetValue(req.Segments[2], out var module))
        {
            return new Reply(400, Zoho.InvalidModule());
        }
        var (status, body) = HttpMethods.IsGet(req.Method)
            ? MassUpdateEndpoint.Get(_state, module, req.Query)
            : MassUpdateEndpoint.Post(_state, module, req.Body);
        return new Reply(status, body);
    }
}
