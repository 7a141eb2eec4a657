using System.Globalization;
using System.Runtime.InteropServices;

namespace ZohoCrm.Emulator;

/// <summary>
/// dotnet run --project src/ZohoCrm.Emulator -- [--urls http://127.0.0.1:5080] [--token-lifetime &lt;seconds&gt;] [--job-step-ms &lt;ms&gt;] [--bulk-step-ms &lt;ms&gt;] [--leads-owner-mandatory]
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var url = "http://127.0.0.1:5080";
        var options = new EmulatorOptions();
        try
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
                    case "-h":
                    case "--help":
                        PrintUsage();
                        return 0;
                    default:
                        throw new ArgumentException($"Unknown argument '{args[i]}'.");
                }
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
        var baseUrl = host.BaseUrl.GetLeftPart(UriPartial.Authority);
        Console.WriteLine($"Zoho CRM emulator listening on {baseUrl}");
        Console.WriteLine($"  API domain / accounts URL : {baseUrl}");
        Console.WriteLine($"  Client id                 : {options.ClientId}");
        Console.WriteLine($"  Client secret             : {options.ClientSecret}");
        Console.WriteLine($"  Refresh token             : {options.RefreshToken}");
        Console.WriteLine($"  Static access token       : {options.StaticAccessToken}");
        Console.WriteLine($"  Token lifetime            : {options.TokenLifetime.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; job step: {options.JobStepDelay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms");
        Console.WriteLine($"Example: Connect-Zcrm -ApiDomain {baseUrl} -ClientId {options.ClientId} -ClientSecret (ConvertTo-SecureString '{options.ClientSecret}' -AsPlainText -Force) -RefreshToken (ConvertTo-SecureString '{options.RefreshToken}' -AsPlainText -Force)");
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

    private static (string Name, string? Inline) SplitArg(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    private static void PrintUsage() =>
        Console.Error.WriteLine("usage: ZohoCrm.Emulator [--urls http://127.0.0.1:5080] [--token-lifetime <seconds>] [--job-step-ms <ms>] [--bulk-step-ms <ms>] [--leads-owner-mandatory]");
}
