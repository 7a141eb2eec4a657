using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing.Patterns;

namespace ZohoCrm.Emulator;

/// <summary>Marks a Zoho endpoint; <see cref="LogBodySize"/>: its request body is logged by size only (uploads).</summary>
internal sealed record ZohoEndpointMetadata(bool LogBodySize);

/// <summary>
/// How a Zoho endpoint is registered: <see cref="MapZoho"/> maps the handler for its methods (with the token check
/// when <c>auth</c>) plus, behind it, the same pattern for every other method answering 400 INVALID_REQUEST_METHOD.
/// Routing is case-insensitive and forgives empty segments; Zoho is not, so <see cref="RequireExactPath"/> drops a
/// match whose literal segments differ in case or whose path has an empty segment (it then gets 404 INVALID_URL_PATTERN).
/// </summary>
internal static partial class ZohoRouting
{
    /// <summary>The route constraint name of an API version segment (v2, v2.1, v8 ...).</summary>
    public const string VersionConstraint = "zohoVersion";

    public static void AddZohoRouting(this IServiceCollection services) =>
        services.Configure<RouteOptions>(o => o.SetParameterPolicy<ZohoVersionConstraint>(VersionConstraint));

    public static RouteHandlerBuilder MapZoho(this IEndpointRouteBuilder app, string pattern, string[] methods, Delegate handler,
        bool auth = true, bool logBodySize = false)
    {
        var metadata = new ZohoEndpointMetadata(logBodySize);
        app.Map(pattern, () => new Reply(400, Zoho.InvalidRequestMethod()))
            .WithMetadata(metadata)
            .Add(b => ((RouteEndpointBuilder)b).Order = 1);
        var route = app.MapMethods(pattern, methods, handler).WithMetadata(metadata);
        return auth ? route.AddEndpointFilter<TokenAuthFilter>() : route;
    }

    /// <summary>Middleware after UseRouting: forgets a Zoho match that is not exact (see the class summary).</summary>
    public static Task RequireExactPath(HttpContext ctx, RequestDelegate next)
    {
        if (ctx.GetEndpoint() is RouteEndpoint endpoint && endpoint.Metadata.GetMetadata<ZohoEndpointMetadata>() is not null
            && !IsExact(endpoint.RoutePattern, (ctx.Request.Path.Value ?? "/").Split('/')[1..]))
        {
            ctx.SetEndpoint(null);
        }
        return next(ctx);
    }

    /// <summary>The last step of the pipeline: no Zoho endpoint matched.</summary>
    public static Task NotFound(HttpContext ctx) => new Reply(404, Zoho.InvalidUrlPattern()).ExecuteAsync(ctx);

    private static bool IsExact(RoutePattern pattern, string[] segments)
    {
        if (segments.Any(string.IsNullOrEmpty) || segments.Length != pattern.PathSegments.Count)
        {
            return false;
        }
        for (var i = 0; i < segments.Length; i++)
        {
            if (pattern.PathSegments[i].Parts is [RoutePatternLiteralPart literal] && literal.Content != segments[i])
            {
                return false;
            }
        }
        return true;
    }

    [GeneratedRegex(@"^v\d+(\.\d+)?$")]
    private static partial Regex VersionRegex();

    /// <summary>An API version segment, matched case-sensitively (the regex constraint of ASP.NET Core ignores case).</summary>
    private sealed class ZohoVersionConstraint : IRouteConstraint
    {
        public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
            values.TryGetValue(routeKey, out var v) && v is string s && VersionRegex().IsMatch(s);
    }
}
