using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace ZohoCrm.Module
{
    /// <summary>
    /// Loads ZohoCrm's dependencies (System.Text.Json and friends, in the module's dependencies/ folder) so that they
    /// cannot break another module, nor another module's copies break us. The runtime is asked first: only what it
    /// cannot give is ours to answer. Then we answer only for
    /// <list type="bullet">
    /// <item>an assembly we ship (by simple name and public key token),</item>
    /// <item>at a version we can serve (the version asked for is not above the one we ship),</item>
    /// <item>asked for by ZohoCrm.dll or one of those dependencies (the requester is unknown on .NET Framework for
    /// some loads; then the name and version decide, as in PSResourceGet),</item>
    /// </list>
    /// and every other request is left to the runtime and to other handlers.
    /// On PowerShell 7 (.NET) what we load goes into an AssemblyLoadContext of our own, "ZohoCrm", so the default
    /// context, where every other module lives, never holds our copies. On PowerShell 7.4+ the runtime carries every
    /// dependency at our version or a newer one, so this answers nothing there; it matters where it does not.
    /// On Windows PowerShell 5.1 (.NET Framework) the binder does not look in a module's subfolders and does not
    /// take a newer version than the one a reference names (no binding redirects for powershell.exe), so without
    /// this, System.Text.Json would not load at all; there we load with Assembly.LoadFrom, side by side with any
    /// other version another module loaded.
    /// </summary>
    internal static class DependencyLoader
    {
        private static readonly object Gate = new object();
        private static readonly Assembly Self = typeof(DependencyLoader).Assembly;
        private static readonly Dictionary<string, Assembly> Loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase); // under Gate
        private static Dictionary<string, ShippedAssembly> _shipped;
        private static Func<string, Assembly> _loadIsolated;
        private static bool _registered;

        /// <summary>The dependencies/ folder beside ZohoCrm.dll.</summary>
        internal static string Folder => Path.Combine(Path.GetDirectoryName(Self.Location) ?? "", "dependencies");

        internal static void Register()
        {
            lock (Gate)
            {
                if (_registered) return;
                _shipped = ReadShipped(Folder);
                _loadIsolated = Platform.IsNetFramework ? null : CreateLoadContext("ZohoCrm");
                AppDomain.CurrentDomain.AssemblyResolve += Resolve;
                _registered = true;
            }
        }

        internal static void Unregister()
        {
            lock (Gate)
            {
                // What we loaded stays loaded (an assembly cannot be unloaded from a non-collectible context); a
                // second Import-Module finds it in Loaded.
                AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
                _registered = false;
            }
        }

        private static Assembly Resolve(object sender, ResolveEventArgs args)
        {
            var shipped = _shipped;
            if (shipped == null) return null;
            AssemblyName requested;
            try { requested = new AssemblyName(args.Name); }
            catch (Exception) { return null; }
            if (requested.Name == null || !shipped.TryGetValue(requested.Name, out var ours)) return null;
            if (!Accepts(requested, ours.Name, args.RequestingAssembly == null, IsOurs(args.RequestingAssembly))) return null;
            // One load per assembly, even when two threads ask at once (a second load into our context would throw).
            lock (Gate)
            {
                if (!Loaded.TryGetValue(ours.Name.Name, out var assembly))
                {
                    assembly = _loadIsolated != null ? _loadIsolated(ours.Path) : Assembly.LoadFrom(ours.Path);
                    Loaded[ours.Name.Name] = assembly;
                }
                return assembly;
            }
        }

        /// <summary>ZohoCrm.dll, or an assembly loaded from our dependencies/ folder (by us or by the binder's probing).</summary>
        private static bool IsOurs(Assembly assembly)
        {
            if (assembly == null) return false;
            if (assembly == Self) return true;
            string location;
            try { location = assembly.Location; }
            catch (NotSupportedException) { return false; } // a dynamic assembly
            if (string.IsNullOrEmpty(location)) return false;
            string dir = Path.GetDirectoryName(Path.GetFullPath(location));
            return string.Equals(dir, Path.GetFullPath(Folder).TrimEnd(Path.DirectorySeparatorChar), StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>
        /// Whether a request for <paramref name="requested"/> is ours to answer with <paramref name="shipped"/>: same
        /// simple name and public key token, a version not above ours, and asked by one of our assemblies (or by an
        /// unknown requester, which .NET Framework gives for some loads).
        /// </summary>
        internal static bool Accepts(AssemblyName requested, AssemblyName shipped, bool requesterUnknown, bool requesterIsOurs)
        {
            if (!string.Equals(requested.Name, shipped.Name, StringComparison.OrdinalIgnoreCase)) return false;
            if (!requesterIsOurs && !requesterUnknown) return false;
            if (!TokenEquals(requested.GetPublicKeyToken(), shipped.GetPublicKeyToken())) return false;
            return requested.Version == null || shipped.Version == null || requested.Version <= shipped.Version;
        }

        private static bool TokenEquals(byte[] a, byte[] b)
        {
            // A request without a token (a partial name) matches by name and version alone.
            if (a == null || a.Length == 0) return true;
            return b != null && a.SequenceEqual(b);
        }

        private static Dictionary<string, ShippedAssembly> ReadShipped(string folder)
        {
            var map = new Dictionary<string, ShippedAssembly>(StringComparer.OrdinalIgnoreCase);
            if (!Directory.Exists(folder)) return map;
            foreach (string path in Directory.EnumerateFiles(folder, "*.dll"))
            {
                try
                {
                    var name = AssemblyName.GetAssemblyName(path);
                    map[name.Name] = new ShippedAssembly(name, path);
                }
                catch (BadImageFormatException) { }
            }
            return map;
        }

        /// <summary>
        /// A new AssemblyLoadContext (.NET Core 3+), reached through reflection because this assembly targets
        /// netstandard2.0 for Windows PowerShell. It has no Load override: what it cannot load itself falls back to
        /// the default context (the runtime's own assemblies) and then to this resolver.
        /// </summary>
        private static Func<string, Assembly> CreateLoadContext(string name)
        {
            var type = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext");
            var ctor = type?.GetConstructor(new[] { typeof(string), typeof(bool) });
            var load = type?.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) });
            if (ctor == null || load == null) return null;
            object context = ctor.Invoke(new object[] { name, false });
            return path => (Assembly)load.Invoke(context, new object[] { path });
        }

        private sealed class ShippedAssembly
        {
            public ShippedAssembly(AssemblyName name, string path) { Name = name; Path = path; }
            public AssemblyName Name { get; }
            public string Path { get; }
        }
    }
}
