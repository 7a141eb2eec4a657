namespace ZohoCrm.Emulator;

/// <summary>
/// The OAuth check of every Zoho endpoint but the token endpoints: no or unknown token 401 AUTHENTICATION_FAILURE,
/// expired token 401 INVALID_TOKEN, a token of another data center (<see cref="EmulatorOptions.OtherDataCenterTokenPrefix"/>)
/// 401 INVALID_OAUTHTOKEN. Runs after routing and the method check, as Zoho does.
/// </summary>
internal sealed class TokenAuthFilter(EmulatorState state) : IEndpointFilter
{
    private static readonly string[] Schemes = ["Zoho-oauthtoken ", "Bearer "];

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        return state.Tokens.Check(ReadToken(header)) switch
        {
            TokenCheck.Unknown => ValueTask.FromResult<object?>(new Reply(401, Zoho.AuthenticationFailure())),
            TokenCheck.Expired => ValueTask.FromResult<object?>(new Reply(401, Zoho.InvalidToken())),
            TokenCheck.OtherDataCenter => ValueTask.FromResult<object?>(new Reply(401, Zoho.InvalidOAuthToken())),
            _ => next(context),
        };
    }

    /// <summary>"Zoho-oauthtoken &lt;token&gt;" or "Bearer &lt;token&gt;" (schemes case-insensitive).</summary>
    private static string? ReadToken(string header)
    {
        header = header.Trim();
        foreach (var scheme in Schemes)
        {
            if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                var token = header[scheme.Length..].Trim();
                return token.Length == 0 ? null : token;
            }
        }
        return null;
    }
}
