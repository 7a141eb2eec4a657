using System.Reflection;
using ZohoCrm.Module;

namespace ZohoCrm.Tests;

/// <summary>
/// Which assembly requests ZohoCrm answers with its own copies (DependencyLoader.Accepts): only ours, at a version we
/// can serve, asked for by us; every other request is left to the runtime and other modules.
/// </summary>
public class DependencyLoaderTests
{
    private const string Token = "cc7b13ffcd2ddd51";
    private static readonly AssemblyName Shipped = new($"System.Text.Json, Version=8.0.0.5, Culture=neutral, PublicKeyToken={Token}");

    private static AssemblyName Name(string text) => new(text);

    private static bool Accepts(string requested, bool requesterUnknown = false, bool requesterIsOurs = true) =>
        DependencyLoader.Accepts(Name(requested), Shipped, requesterUnknown, requesterIsOurs);

    [Theory]
    [InlineData("8.0.0.5")]
    [InlineData("8.0.0.0")]
    [InlineData("6.0.0.0")]
    [InlineData("4.0.1.2")]
    public void Our_assembly_at_our_version_or_lower_asked_by_us_is_ours_to_answer(string version) =>
        Assert.True(Accepts($"System.Text.Json, Version={version}, Culture=neutral, PublicKeyToken={Token}"));

    [Fact]
    public void A_request_from_another_assembly_is_refused() =>
        Assert.False(Accepts($"System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken={Token}", requesterUnknown: false, requesterIsOurs: false));

    [Theory]
    [InlineData("8.0.0.6")]
    [InlineData("8.0.1.0")]
    [InlineData("9.0.0.0")]
    public void A_higher_version_than_ours_is_refused(string version)
    {
        Assert.False(Accepts($"System.Text.Json, Version={version}, Culture=neutral, PublicKeyToken={Token}"));
        Assert.False(Accepts($"System.Text.Json, Version={version}, Culture=neutral, PublicKeyToken={Token}", requesterUnknown: true, requesterIsOurs: false));
    }

    [Fact]
    public void Another_public_key_token_is_refused() =>
        Assert.False(Accepts("System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"));

    [Theory]
    [InlineData("System.Text.Encodings.Web")]
    [InlineData("System.Text.Json.Extensions")]
    [InlineData("Newtonsoft.Json")]
    public void Another_name_is_refused(string name) =>
        Assert.False(Accepts($"{name}, Version=8.0.0.0, Culture=neutral, PublicKeyToken={Token}", requesterUnknown: true, requesterIsOurs: true));

    [Fact]
    public void An_unknown_requester_is_accepted_by_name_and_version()
    {
        // .NET Framework gives no requesting assembly for some loads.
        Assert.True(Accepts($"System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken={Token}", requesterUnknown: true, requesterIsOurs: false));
        Assert.False(Accepts("System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089", requesterUnknown: true, requesterIsOurs: false));
    }

    [Fact]
    public void The_name_is_compared_ignoring_case() =>
        Assert.True(Accepts($"system.text.json, Version=8.0.0.0, Culture=neutral, PublicKeyToken={Token}"));

    [Fact]
    public void A_partial_name_matches_by_name_and_version()
    {
        Assert.True(Accepts("System.Text.Json"));
        Assert.True(Accepts("System.Text.Json, Version=8.0.0.0"));
        Assert.False(Accepts("System.Text.Json, Version=9.0.0.0"));
        Assert.False(Accepts("System.Text.Json", requesterUnknown: false, requesterIsOurs: false));
    }

    [Fact]
    public void A_request_with_a_token_is_refused_when_ours_has_none()
    {
        var unsigned = Name("Some.Dependency, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null");
        Assert.False(DependencyLoader.Accepts(Name($"Some.Dependency, Version=1.0.0.0, Culture=neutral, PublicKeyToken={Token}"), unsigned, false, true));
        Assert.True(DependencyLoader.Accepts(Name("Some.Dependency, Version=1.0.0.0"), unsigned, false, true));
    }
}
