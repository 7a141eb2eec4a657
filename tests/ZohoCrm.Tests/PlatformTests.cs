using System.Net.Http;
using System.Security.Authentication;
using ZohoCrm.Module;

namespace ZohoCrm.Tests;

/// <summary>Which PowerShell the module imports into (Platform.UnsupportedPowerShell), and what differs on .NET.</summary>
public class PlatformTests
{
    [Theory]
    [InlineData("7.4")]
    [InlineData("7.4.0.500")]
    [InlineData("7.5.2")]
    [InlineData("7.6")]
    [InlineData("7.6.0.500")]
    [InlineData("8.0")]
    [InlineData("10.1")]
    public void PowerShell_7_4_and_later_are_supported(string version) => Assert.Null(Platform.UnsupportedPowerShell(Version.Parse(version), netFramework: false));

    [Theory]
    [InlineData("7.0")]
    [InlineData("7.1.5")]
    [InlineData("7.2.0.500")]
    [InlineData("7.3.9")]
    [InlineData("6.2")]
    public void PowerShell_before_7_4_is_refused_naming_7_4(string version)
    {
        var v = Version.Parse(version);
        string? message = Platform.UnsupportedPowerShell(v, netFramework: false);
        Assert.NotNull(message);
        Assert.Contains("PowerShell 7.4 or later", message);
        Assert.Contains($"this is PowerShell {v.Major}.{v.Minor}.", message);
        Assert.Contains("Windows PowerShell 5.1", message);
    }

    [Theory]
    [InlineData("3.0.0.0")] // Windows PowerShell 5.1's System.Management.Automation
    [InlineData("3.0")]
    public void Windows_PowerShell_5_1_is_supported(string version) => Assert.Null(Platform.UnsupportedPowerShell(Version.Parse(version), netFramework: true));

    [Theory]
    [InlineData("1.0.0.0")]
    [InlineData("2.0.0.0")]
    public void Older_Windows_PowerShell_engines_are_refused(string version)
    {
        string? message = Platform.UnsupportedPowerShell(Version.Parse(version), netFramework: true);
        Assert.NotNull(message);
        Assert.Contains("Windows PowerShell 5.1 or PowerShell 7.4+", message);
    }

    [Fact]
    public void The_engine_these_tests_run_with_is_seen_as_supported()
    {
        // System.Management.Automation 7.6.x carries the assembly version of its PowerShell release.
        Assert.False(Platform.IsNetFramework);
        Assert.Equal(7, Platform.PowerShellVersion.Major);
        Assert.True(Platform.PowerShellVersion.Minor >= 4, Platform.PowerShellVersion.ToString());
        Assert.Null(Platform.UnsupportedPowerShell(Platform.PowerShellVersion, Platform.IsNetFramework));
    }

    [Fact]
    public void On_NET_the_handler_keeps_the_operating_system_TLS_defaults()
    {
        using var handler = new HttpClientHandler();
        Platform.RequireModernTls(handler);
        Assert.Equal(SslProtocols.None, handler.SslProtocols);
    }
}
