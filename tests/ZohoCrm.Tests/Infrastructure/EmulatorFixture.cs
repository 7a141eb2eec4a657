using ZohoCrm.Emulator;

namespace ZohoCrm.Tests.Infrastructure;

/// <summary>A Zoho emulator on a random loopback port for one test class.</summary>
public class EmulatorFixture : IAsyncLifetime
{
    public EmulatorHost Host { get; private set; } = null!;
    /// <summary>
    /// Many tests connect to one emulator within seconds, so the fixture lifts Zoho's 10-refreshes-per-10-minutes
    /// limit (the limit itself is tested with an emulator of its own).
    /// </summary>
    public EmulatorOptions Options { get; } = new() { RefreshLimit = 100_000 };

    /// <summary>Lets a fixture subclass change the options before the emulator starts.</summary>
    protected virtual void Configure(EmulatorOptions options) { }

    public async Task InitializeAsync()
    {
        Configure(Options);
        Host = await EmulatorHost.StartAsync(Options);
    }
    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Test helpers shared by the classes that drive the module against an emulator.</summary>
public abstract class ModuleTestBase : IDisposable
{
    protected ModuleTestBase(EmulatorFixture fixture) : this(fixture.Host, fixture.Options) { }

    protected ModuleTestBase(EmulatorHost host, EmulatorOptions options)
    {
        Host = host;
        Options = options;
        Ps = new PsSession();
        Ps.Set("emu", host.BaseUrl.ToString().TrimEnd('/'));
        Ps.Set("clientId", Options.ClientId);
        Ps.Set("clientSecret", PsSession.Secure(Options.ClientSecret));
        Ps.Set("refreshToken", PsSession.Secure(Options.RefreshToken));
        Ps.Set("accessToken", PsSession.Secure(Options.StaticAccessToken));
    }

    protected EmulatorHost Host { get; }
    protected EmulatorState State => Host.State;
    protected PsSession Ps { get; }
    protected EmulatorOptions Options { get; }

    /// <summary>Connects this runspace with the refresh-token flow (fast retries, so fault tests stay quick).</summary>
    protected const string ConnectRefresh =
        "Connect-Zcrm -ApiDomain $emu -ClientId $clientId -ClientSecret $clientSecret -RefreshToken $refreshToken -RetryBaseDelay ([timespan]::FromMilliseconds(20))";

    protected const string ConnectStatic = "Connect-Zcrm -ApiDomain $emu -AccessToken $accessToken -RetryBaseDelay ([timespan]::FromMilliseconds(20))";

    protected PsResult Run(string script, IDictionary<string, object?>? vars = null) => Ps.Invoke(script, vars);

    protected PsResult Connected(string script, IDictionary<string, object?>? vars = null)
    {
        var c = Ps.Invoke(ConnectRefresh);
        c.AssertNoErrors();
        return Ps.Invoke(script, vars);
    }

    protected IReadOnlyList<RecordedRequest> MassUpdateCalls(string method = "POST") =>
        State.Requests.Where(r => r.Method == method && r.Path.EndsWith("/actions/mass_update")).ToList();

    /// <summary>A ZohoCrm exception (ZohoApiException...), read dynamically: Code, HttpStatus, Details.</summary>
    protected static dynamic Zoho(Exception? ex)
    {
        Assert.NotNull(ex);
        Assert.StartsWith("ZohoCrm.", ex!.GetType().FullName);
        return ex;
    }

    public virtual void Dispose() => Ps.Dispose();
}

/// <summary>
/// A runspace with an emulator of its own, for tests that need other options or faults, or a clean count of
/// requests and tokens. Disposing it closes the runspace and stops the emulator.
/// </summary>
public sealed class OwnEmulator : ModuleTestBase
{
    public OwnEmulator(EmulatorOptions? options = null) : this(options ?? new EmulatorOptions(), true) { }

    private OwnEmulator(EmulatorOptions options, bool _) : base(EmulatorHost.StartAsync(options).GetAwaiter().GetResult(), options) { }

    public new PsSession Ps => base.Ps;
    public new EmulatorHost Host => base.Host;
    public new EmulatorState State => base.State;
    public new EmulatorOptions Options => base.Options;
    /// <summary>The refresh-token Connect-Zcrm line for this emulator.</summary>
    public string Connect => ConnectRefresh;
    public string ConnectWithAccessToken => ConnectStatic;

    public override void Dispose()
    {
        base.Dispose();
        Host.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
