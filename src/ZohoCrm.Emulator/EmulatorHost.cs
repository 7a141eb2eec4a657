using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ZohoCrm.Emulator;

/// <summary>A running emulator bound to a loopback address. Dispose to stop it and its background jobs.</summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private EmulatorHost(WebApplication app, Uri baseUrl, EmulatorState state)
    {
        _app = app;
        BaseUrl = baseUrl;
        State = state;
    }

    /// <summary>The real bound address, e.g. http://127.0.0.1:54321.</summary>
    public Uri BaseUrl { get; }

    public EmulatorState State { get; }

    /// <summary>Starts an emulator on <paramref name="url"/> (loopback only; port 0 picks a free port).</summary>
    public static async Task<EmulatorHost> StartAsync(EmulatorOptions? options = null, string url = "http://127.0.0.1:0")
    {
        var endpoint = ParseLoopbackUrl(url);
        options ??= new EmulatorOptions();
        var state = new EmulatorState(options);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(EmulatorHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // No Ctrl+C / SIGTERM hooks: the owner (tests or Program) decides when to stop.
        builder.Services.AddSingleton<IHostLifetime, NoopHostLifetime>();
        builder.Services.AddSingleton(state);
        builder.Services.AddZohoRouting();
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Explicit listen: ignores ASPNETCORE_URLS / ASPNETCORE_HTTP_PORTS, so nothing binds beyond loopback.
            k.Listen(endpoint);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 512L * 1024 * 1024;
        });

        var app = builder.Build();
        ZohoEndpoints.Configure(app, state);
        await app.StartAsync().ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? $"http://{FormatHost(endpoint.Address)}:{endpoint.Port}";
        var baseUrl = new Uri(address.Replace("://[::]", "://[::1]", StringComparison.Ordinal));
        state.ApiDomain = baseUrl.GetLeftPart(UriPartial.Authority);
        return new EmulatorHost(app, baseUrl, state);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await State.ShutdownAsync().ConfigureAwait(false);
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(cts.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>http://127.0.0.1:port, http://[::1]:port or http://localhost:port (bound as 127.0.0.1); anything else throws.</summary>
    internal static IPEndPoint ParseLoopbackUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"'{url}' is not an http:// URL.", nameof(url));
        }
        IPAddress address;
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out address!) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"'{url}' is not a loopback address; the emulator only listens on 127.0.0.1 / [::1] / localhost.", nameof(url));
        }
        return new IPEndPoint(address, uri.Port);
    }

    private static string FormatHost(IPAddress a) =>
        a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{a}]" : a.ToString();

    private sealed class NoopHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
