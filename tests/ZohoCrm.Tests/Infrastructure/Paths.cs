namespace ZohoCrm.Tests.Infrastructure;

/// <summary>Where the test data is: the captured seeds are copied next to the test assembly.</summary>
public static class Paths
{
    public static string SeedsDir => Path.Combine(AppContext.BaseDirectory, "Seeds");
}
