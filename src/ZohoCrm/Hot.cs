using System.Runtime.CompilerServices;

namespace ZohoCrm
{
    /// <summary>
    /// [MethodImpl(Hot.Path)] on a method that runs once per row or cell: compiled fully optimized at once
    /// (MethodImplOptions.AggressiveOptimization, which netstandard2.0 does not name). Tiered compilation would run it
    /// unoptimized until it is promoted, which a fresh pwsh, busy compiling its own code, delays past most of a
    /// 100,000-row input (measured: such a run took ~0.65-0.9 s with tiering off, ~1.4-1.9 s with it). .NET Framework
    /// (Windows PowerShell 5.1) ignores the flag.
    /// </summary>
    internal static class Hot
    {
        public const MethodImplOptions Path = (MethodImplOptions)512;
    }
}
