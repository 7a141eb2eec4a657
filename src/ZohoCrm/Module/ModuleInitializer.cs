using System;
using System.Management.Automation;

namespace ZohoCrm.Module
{
    /// <summary>
    /// Runs when PowerShell imports ZohoCrm.dll, before any cmdlet: checks the PowerShell version and starts
    /// answering for our own dependencies (see <see cref="DependencyLoader"/>). Changes nothing process-wide:
    /// TLS is set on our own HTTP handler only (<see cref="Platform.RequireModernTls"/>).
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        public void OnImport()
        {
            string unsupported = Platform.UnsupportedPowerShell(Platform.PowerShellVersion, Platform.IsNetFramework);
            if (unsupported != null) throw new PlatformNotSupportedException(unsupported);
            DependencyLoader.Register();
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            DependencyLoader.Unregister();
        }
    }
}
