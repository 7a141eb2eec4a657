# Loads OtherJson.dll and its System.Text.Json 11 into an AssemblyLoadContext named "OtherJson" that prefers the
# DLLs beside this file (so it gets its own System.Text.Json even though PowerShell already has 10.0).
if (-not ('OtherJsonFixture.LoadContext' -as [type])) {
    Add-Type -TypeDefinition @'
using System.IO;
using System.Reflection;
using System.Runtime.Loader;
namespace OtherJsonFixture {
    public sealed class LoadContext : AssemblyLoadContext {
        private readonly string _dir;
        public LoadContext(string dir) : base("OtherJson", false) { _dir = dir; }
        protected override Assembly Load(AssemblyName name) {
            if (name.Name == "System.Management.Automation") return null;
            string path = Path.Combine(_dir, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
'@
}
$context = [OtherJsonFixture.LoadContext]::new($PSScriptRoot)
$assembly = $context.LoadFromAssemblyPath((Join-Path $PSScriptRoot 'OtherJson.dll'))
Import-Module -Assembly $assembly
