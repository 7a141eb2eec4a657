namespace ZohoCrm.Emulator;

/// <summary>
/// The emulator's HTTP pipeline. /__emulator/ control calls go to <see cref="ControlEndpoints"/> (never logged, never
/// faulted); every other call is routed, logged (<see cref="RequestLogMiddleware"/>), given its injected fault if a
/// rule fires (<see cref="FaultMiddleware"/>), then answered by one Zoho feature's endpoints: 400
/// INVALID_REQUEST_METHOD for a method the path does not take, the token check (<see cref="TokenAuthFilter"/>), the
/// endpoint; 404 INVALID_URL_PATTERN when no path matches. A new feature is one file plus one line in <see cref="MapAll"/>.
/// </summary>
internal static class ZohoEndpoints
{
    public static void Configure(WebApplication app, EmulatorState state)
    {
        app.MapWhen(ctx => (ctx.Request.Path.Value ?? "/").StartsWith("/__emulator", StringComparison.Ordinal),
            control => control.Run(ctx => ControlEndpoints.HandleAsync(state, ctx)));
        app.UseRouting();
        app.Use(ZohoRouting.RequireExactPath);
        app.UseMiddleware<RequestLogMiddleware>();
        app.UseMiddleware<ConcurrencyMiddleware>();
        app.UseMiddleware<FaultMiddleware>();
        MapAll(app);
        app.UseEndpoints(_ => { }); // runs the endpoints mapped above, here in the pipeline
        app.Run(ZohoRouting.NotFound);
    }

    private static void MapAll(IEndpointRouteBuilder app)
    {
        AccountsEndpoints.Map(app);
        OrgEndpoint.Map(app);
        SettingsEndpoints.Map(app);
        MassUpdateEndpoint.Map(app);
        UploadEndpoint.Map(app);
        BulkWriteCreateEndpoint.Map(app);
        BulkWriteDetailsEndpoint.Map(app);
        BulkWriteResultEndpoint.Map(app);
        RecordsEndpoint.Map(app);
        CoqlEndpoint.Map(app);
    }
}
