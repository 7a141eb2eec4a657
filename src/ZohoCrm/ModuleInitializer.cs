using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;

namespace ZohoCrm
{
    /// <summary>
    /// On Windows PowerShell 5.1 (.NET Framework) the binder does not look in a module's folder for the
    /// dependencies of a DLL loaded from there, and will not take a higher version of System.Text.Json and its
    /// friends than the one asked for. This resolver answers only for DLLs that sit in our own module folder.
    /// On PowerShell 7 the runtime already carries newer versions of those assemblies and uses them.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location);

        public void OnImport()
        {
            // Windows PowerShell 5.1 (.NET Framework) may default to TLS 1.0; Zoho needs TLS 1.2. Add it (and 1.3 where
            // the runtime knows it) without removing what the machine already allows. .NET (PowerShell 7) uses the OS defaults.
            if (System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
            {
                var protocols = System.Net.ServicePointManager.SecurityProtocol | System.Net.SecurityProtocolType.Tls12;
                if (Enum.IsDefined(typeof(System.Net.SecurityProtocolType), 12288)) protocols |= (System.Net.SecurityProtocolType)12288; // Tls13
                System.Net.ServicePointManager.SecurityProtocol = protocols;
            }
            AppDomain.CurrentDomain.AssemblyResolve -= ResolveFromModuleFolder;
            AppDomain.CurrentDomain.AssemblyResolve += ResolveFromModuleFolder;
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            AppDomain.CurrentDomain.AssemblyResolve -= ResolveFromModuleFolder;
        }

        private static Assembly ResolveFromModuleFolder(object sender, ResolveEventArgs args)
        {
            if (string.IsNullOrEmpty(ModuleDirectory)) return null;
            string name = new AssemblyName(args.Name).Name;
            string candidate = Path.Combine(ModuleDirectory, name + ".dll");
            return File.Exists(candidate) ? Assembly.LoadFrom(candidate) : null;
        }
    }
}
