using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace InfluenceGen.Deploy.LoadContext
{
    /// <summary>
    /// Loads InfluenceGen.Deploy.dll and every dependency shipped in the module's bin folder
    /// (SSH.NET, AWSSDK, Docker.DotNet, Flurl, Newtonsoft.Json, …) into an AssemblyLoadContext of
    /// the module's own, so another module that loaded other versions of the same assemblies into
    /// the session (AWS.Tools brings its own AWSSDK.Core) cannot clash with ours.
    /// Assemblies of the shared framework (System.*, netstandard, …) are always taken from the
    /// default context so types such as Span&lt;T&gt; and PSObject stay one type.
    /// </summary>
    public sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private static readonly object Gate = new object();
        private static ModuleLoadContext? _instance;
        private static Assembly? _module;

        private readonly string _binPath;
        private readonly HashSet<string> _frameworkNames;

        private ModuleLoadContext(string binPath) : base("InfluenceGen.Deploy", isCollectible: false)
        {
            _binPath = binPath;
            _frameworkNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            string frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? string.Empty;
            if (Directory.Exists(frameworkDir))
            {
                foreach (string dll in Directory.EnumerateFiles(frameworkDir, "*.dll"))
                    _frameworkNames.Add(Path.GetFileNameWithoutExtension(dll));
            }
        }

        /// <summary>Loads (once per process) the module assembly from <paramref name="binPath"/>; a second, different folder is refused.</summary>
        public static Assembly Initialize(string binPath)
        {
            lock (Gate)
            {
                string requested = Path.GetFullPath(binPath);
                if (_module != null)
                {
                    if (string.Equals(_instance!._binPath, requested, StringComparison.Ordinal)) return _module;
                    throw new InvalidOperationException(
                        $"InfluenceGen.Deploy is already loaded in this process from '{Path.GetDirectoryName(_instance._binPath)}'; " +
                        $"the copy in '{Path.GetDirectoryName(requested)}' cannot be loaded beside it. Start a new pwsh session to use that copy.");
                }
                _instance = new ModuleLoadContext(requested);
                _module = _instance.LoadFromAssemblyPath(Path.Combine(_instance._binPath, "InfluenceGen.Deploy.dll"));
                return _module;
            }
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string? name = assemblyName.Name;
            if (string.IsNullOrEmpty(name)) return null;
            // The engine and the framework are shared with the session.
            if (_frameworkNames.Contains(name!) || name == "System.Management.Automation" || name!.StartsWith("Microsoft.PowerShell.", StringComparison.Ordinal))
                return null;
            string candidate = Path.Combine(_binPath, name + ".dll");
            return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
        }
    }
}
