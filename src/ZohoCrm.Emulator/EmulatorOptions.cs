namespace ZohoCrm.Emulator;

/// <summary>Settings of one emulator instance. Defaults match what Program.cs prints.</summary>
public sealed class EmulatorOptions
{
    public string ClientId { get; set; } = "1000.EMULATORCLIENTID";
    public string ClientSecret { get; set; } = "emulator-client-secret";
    public string RefreshToken { get; set; } = "1000.emulator.refresh.token";

    /// <summary>Always valid, never expires, not affected by <see cref="EmulatorState.ExpireAllTokens"/>.</summary>
    public string StaticAccessToken { get; set; } = "1000.emulator.static.access.token";

    /// <summary>Lifetime of tokens issued by the token endpoint.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Token refreshes allowed per refresh token per <see cref="RefreshWindow"/>.</summary>
    public int RefreshLimit { get; set; } = 10;
    public TimeSpan RefreshWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Pace of scheduled (custom view) mass update jobs.</summary>
    public TimeSpan JobStepDelay { get; set; } = TimeSpan.FromMilliseconds(200);
    public int JobRecordsPerStep { get; set; } = 500;

    /// <summary>Extra sample Leads besides the seed records.</summary>
    public int GeneratedLeadCount { get; set; } = 2000;

    public string OrgId { get; set; } = "738964000000012345";
}
