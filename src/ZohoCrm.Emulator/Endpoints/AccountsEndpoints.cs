using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace ZohoCrm.Emulator;

/// <summary>
/// Zoho Accounts: <c>POST /oauth/v2/token</c> (refresh grant; every outcome HTTP 200) and
/// <c>POST /oauth/v2/token/revoke</c>. No OAuth token needed.
/// </summary>
internal static class AccountsEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapZoho("oauth/v2/token", ["POST"], Token, auth: false);
        app.MapZoho("oauth/v2/token/revoke", ["POST"], Revoke, auth: false);
    }

    /// <summary>Parameters from the query string and/or a form-urlencoded body.</summary>
    private static Reply Token(HttpContext ctx, EmulatorState state)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in ctx.Request.Query)
        {
            form[k] = v.ToString();
        }
        var body = ctx.Zoho().Body;
        var contentType = ctx.Request.ContentType ?? "";
        if (body.Length > 0 && (contentType.Length == 0 || contentType.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var (k, v) in QueryHelpers.ParseQuery(body))
            {
                form[k] = v.ToString();
            }
        }
        var (outcome, token) = state.Tokens.Refresh(form.GetValueOrDefault("grant_type"), form.GetValueOrDefault("client_id"),
            form.GetValueOrDefault("client_secret"), form.GetValueOrDefault("refresh_token"));
        return new Reply(200, outcome switch
        {
            RefreshOutcome.UnsupportedGrantType => new JsonObject { ["error"] = "unsupported_grant_type" },
            RefreshOutcome.InvalidClient => new JsonObject { ["error"] = "invalid_client" },
            RefreshOutcome.InvalidCode => new JsonObject { ["error"] = "invalid_code" },
            RefreshOutcome.TooManyRefreshes => Zoho.AccessDenied(),
            _ => new JsonObject
            {
                ["access_token"] = token,
                ["api_domain"] = state.Options.TokenApiDomain ?? state.ApiDomain,
                ["token_type"] = "Bearer",
                ["expires_in"] = Math.Max(1L, (long)Math.Floor(state.Options.TokenLifetime.TotalSeconds)),
            },
        });
    }

    private static Reply Revoke(HttpContext ctx, EmulatorState state)
    {
        var token = ctx.Request.Query["token"].ToString();
        var body = ctx.Zoho().Body;
        if (string.IsNullOrEmpty(token) && body.Length > 0)
        {
            var form = QueryHelpers.ParseQuery(body);
            if (form.TryGetValue("token", out var t))
            {
                token = t.ToString();
            }
        }
        state.Tokens.Revoke(token);
        return new Reply(200, new JsonObject { ["status"] = "success" });
    }
}
