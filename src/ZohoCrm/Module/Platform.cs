using System;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Security.Authentication;

namespace ZohoCrm.Module
{
    /// <summary>What differs between Windows PowerShell 5.1 (.NET Framework) and PowerShell 7 (.NET).</summary>
    internal static class Platform
    {
        internal static readonly bool IsNetFramework =
            RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        /// <summary>The version of the PowerShell engine that loaded us (System.Management.Automation's).</summary>
        internal static Version PowerShellVersion =>
            typeof(System.Management.Automation.PSObject).Assembly.GetName().Version;

        /// <summary>
        /// Why this PowerShell is not supported, or null. Supported: Windows PowerShell 5.1 and PowerShell 7.4+
        /// (7.4 is the oldest PowerShell 7 Microsoft still supports, on .NET 8, which carries our dependencies'
        /// versions; 7.0-7.3 are out of support and untested). System.Management.Automation 7.x has the
        /// assembly version of its PowerShell release.
        /// </summary>
        internal static string UnsupportedPowerShell(Version engine, bool netFramework)
        {
            if (netFramework) return engine.Major >= 3 ? null : $"ZohoCrm needs Windows PowerShell 5.1 or PowerShell 7.4+; this is PowerShell {engine}.";
            if (engine.Major > 7 || (engine.Major == 7 && engine.Minor >= 4)) return null;
            return $"ZohoCrm needs PowerShell 7.4 or later (or Windows PowerShell 5.1); this is PowerShell {engine.ToString(2)}. Install the current PowerShell: https://aka.ms/powershell";
        }

        /// <summary>
        /// On .NET Framework, a handler may still offer only SSL 3/TLS 1.0 (Windows PowerShell 5.1's default on many
        /// machines), and Zoho takes TLS 1.2. Set TLS 1.2 on our own handler only (.NET Framework 4.7.1+), leaving
        /// ServicePointManager, which every other script's HTTP in the session uses, alone. (TLS 1.3 is not asked
        /// for: SChannel before Windows 11 / Server 2022 lacks it.) On .NET the operating system's defaults
        /// already are TLS 1.2+ and are left as they are.
        /// </summary>
        internal static void RequireModernTls(HttpClientHandler handler)
        {
            if (!IsNetFramework) return;
            try
            {
                handler.SslProtocols = SslProtocols.Tls12;
            }
            catch (PlatformNotSupportedException)
            {
                // A .NET Framework without per-handler protocols: add TLS 1.2 to the process's list (nothing is removed).
                System.Net.ServicePointManager.SecurityProtocol |= System.Net.SecurityProtocolType.Tls12;
            }
        }
    }
}
