using System.Globalization;
using System.Runtime.InteropServices;

namespace ZohoCrm.Emulator;

/// <summary>
/// dotnet run --project src/ZohoCrm.Emulator -- [--urls http://127.0.0.1:5080] [--token-lifetime &lt;seconds&gt;] [--job-step-ms &lt;ms&gt;] [--bulk-step-ms &lt;ms&gt;] [--leads-owner-mandatory] [--relative-download-url] [--in-progress-with-space] [--refresh-limit &lt;n&gt;] [--token-api-domain &lt;url&gt;]
/// [--other-dc-tokens] [--already-scheduled-status 400|202] [--result-link-lifetime &lt;seconds&gt;]
/// [--no-settings-scope] [--generated-leads &lt;n&gt;] [--fault &lt;kind&gt;[:&lt;pathContains&gt;[:&lt;probability&gt;]]]... [--fault-seed &lt;n&gt;]
/// </summary>
internal static class Program
{
    /// <summary>The most sample Leads <c>--generated-leads</c> allows: their ids have five digits (SeedData.GeneratedLeadId).</summary>
    private const int MaxGeneratedLeads = 99_999;

    private static async Task<int> Main(string[] args)
    {
        var url = "http://127.0.0.1:5080";
        var options = new EmulatorOptions();
        var faults = new List<FaultRule>();
        try
        {
            if (ParseArgs(args, ref url, options, faults))
            {
                PrintUsage();
                return 0;
            }
            EmulatorHost.ParseLoopbackUrl(url);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            PrintUsage();
            return 2;
        }

        await using var host = await EmulatorHost.StartAsync(options, url);
        foreach (var rule in faults)
        {
            host.State.AddFault(rule);
        }
        host.State.Faults.Applied = f => Console.WriteLine($"fault {f.Kind} -> {f.Method} {f.Path}");
        PrintBanner(host, options, faults);
        Console.WriteLine("Press Ctrl+C to stop.");

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            stop.TrySetResult();
        });
        await stop.Task;
        Console.WriteLine("Stopping.");
        return 0;
    }

    /// <summary>Reads the command line into the options; true when help was asked for.</summary>
    private static bool ParseArgs(string[] args, ref string url, EmulatorOptions options, List<FaultRule> faults)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var (name, inline) = SplitArg(args[i]);
            string Value() => inline ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value."));
            switch (name)
            {
                case "--urls":
                case "--url":
                    url = Value();
                    if (url.Contains(';'))
                    {
                        throw new ArgumentException("--urls: give exactly one loopback URL.");
                    }
                    break;
                case "--token-lifetime":
                    options.TokenLifetime = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture));
                    break;
                case "--job-step-ms":
                    options.JobStepDelay = TimeSpan.FromMilliseconds(double.Parse(Value(), CultureInfo.InvariantCulture));
                    break;
                case "--bulk-step-ms":
                    options.BulkStepDelay = TimeSpan.FromMilliseconds(double.Parse(Value(), CultureInfo.InvariantCulture));
                    break;
                case "--leads-owner-mandatory":
                    options.LeadsOwnerMandatory = true;
                    break;
                case "--relative-download-url":
                    options.RelativeDownloadUrl = true;
                    break;
                case "--in-progress-with-space":
                    options.InProgressWithSpace = true;
                    break;
                case "--other-dc-tokens":
                    options.IssueOtherDataCenterTokens = true;
                    break;
                case "--no-settings-scope":
                    options.NoSettingsScope = true;
                    break;
                case "--already-scheduled-status":
                    options.AlreadyScheduledStatus = int.Parse(Value(), CultureInfo.InvariantCulture);
                    if (options.AlreadyScheduledStatus is not (400 or 202))
                    {
                        throw new ArgumentException("--already-scheduled-status: give 400 (the seeds) or 202 (Zoho's docs).");
                    }
                    break;
                case "--result-link-lifetime":
                    options.ResultLinkLifetime = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture));
                    break;
                case "--refresh-limit":
                    options.RefreshLimit = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--generated-leads":
                    options.GeneratedLeadCount = int.Parse(Value(), CultureInfo.InvariantCulture);
                    if (options.GeneratedLeadCount is < 0 or > MaxGeneratedLeads)
                    {
                        throw new ArgumentException($"--generated-leads: give 0 to {MaxGeneratedLeads.ToString(CultureInfo.InvariantCulture)}.");
                    }
                    break;
                case "--fault":
                    faults.Add(ParseFault(Value()));
                    break;
                case "--token-api-domain":
                    options.TokenApiDomain = Value();
                    break;
                case "--fault-seed":
                    options.FaultSeed = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "-h":
                case "--help":
                    return true;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }
        return false;
    }

    /// <summary>The address, the credentials and the faults, as the tests and the README expect them.</summary>
    private static void PrintBanner(EmulatorHost host, EmulatorOptions options, List<FaultRule> faults)
    {
        var baseUrl = host.BaseUrl.GetLeftPart(UriPartial.Authority);
        Console.WriteLine($"Zoho CRM emulator listening on {baseUrl}");
        Console.WriteLine($"  API domain / accounts URL : {baseUrl}");
        Console.WriteLine($"  Client id                 : {options.ClientId}");
        Console.WriteLine($"  Client secret             : {options.ClientSecret}");
        Console.WriteLine($"  Refresh token             : {options.RefreshToken}");
        Console.WriteLine($"  Static access token       : {options.StaticAccessToken}");
        Console.WriteLine($"  Token lifetime            : {options.TokenLifetime.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; job step: {options.JobStepDelay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms");
        if (faults.Count > 0)
        {
            Console.WriteLine($"  Faults                    : seed {options.FaultSeed.ToString(CultureInfo.InvariantCulture)}, each applied fault is printed");
            foreach (var rule in faults)
            {
                Console.WriteLine($"    {rule}");
            }
        }
        Console.WriteLine($"Example: Connect-Zcrm -ApiDomain {baseUrl} -ClientId {options.ClientId} -ClientSecret (ConvertTo-SecureString '{options.ClientSecret}' -AsPlainText -Force) -RefreshToken (ConvertTo-SecureString '{options.RefreshToken}' -AsPlainText -Force)");
    }

    private static (string Name, string? Inline) SplitArg(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    /// <summary><c>kind[:pathContains[:probability]]</c>, e.g. <c>TooManyRequests:/actions/mass_update:0.3</c>.</summary>
    private static FaultRule ParseFault(string text)
    {
        var parts = text.Split(':');
        if (!Enum.TryParse<FaultKind>(parts[0], ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(parts[0], out _))
        {
            throw new ArgumentException($"--fault: unknown kind '{parts[0]}'; known: {string.Join(", ", Enum.GetNames<FaultKind>())}.");
        }
        var probability = 1.0;
        var pathParts = parts[1..];
        if (parts.Length >= 3)
        {
            probability = double.Parse(parts[^1], NumberStyles.Float, CultureInfo.InvariantCulture);
            pathParts = parts[1..^1];
        }
        return new FaultRule
        {
            Kind = kind,
            PathContains = string.Join(':', pathParts),
            Probability = probability,
            Delay = kind == FaultKind.Slow ? TimeSpan.FromSeconds(5) : TimeSpan.Zero,
        };
    }

    private static void PrintUsage()
    {
        Console.Error.WriteLine("usage: ZohoCrm.Emulator [--urls http://127.0.0.1:5080] [--token-lifetime <seconds>] [--job-step-ms <ms>] [--bulk-step-ms <ms>] [--leads-owner-mandatory]");
        Console.Error.WriteLine("                        [--relative-download-url] [--in-progress-with-space] [--refresh-limit <n per 10 minutes>]");
        Console.Error.WriteLine("                        [--other-dc-tokens] [--already-scheduled-status 400|202] [--result-link-lifetime <seconds>]");
        Console.Error.WriteLine("                        [--no-settings-scope (settings/modules, fields, custom_views answer 401 OAUTH_SCOPE_MISMATCH)]");
        Console.Error.WriteLine("                        [--token-api-domain <the api_domain token answers name; default: the emulator's URL>]");
        Console.Error.WriteLine("                        [--generated-leads <n sample Leads besides the seed ones; default 2000>]");
        Console.Error.WriteLine("                        [--fault <kind>[:<pathContains>[:<probability>]]]... [--fault-seed <n>]");
        Console.Error.WriteLine($"  fault kinds: {string.Join(", ", Enum.GetNames<FaultKind>())} (Slow waits 5 s)");
    }
}
