using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Module
{
    /// <summary>
    /// The module's bin/ is precompiled (src/InfluenceGen.Deploy/ReadyToRun.targets): every assembly the module's
    /// AssemblyLoadContext loads from bin/ carries ReadyToRun code, and pwsh really runs it: importing the module and
    /// calling a cmdlet leaves (almost) nothing of InfluenceGen.Deploy for the JIT, where the same process with
    /// ReadyToRun code switched off (DOTNET_ReadyToRun=0, the control) JIT-compiles it method by method.
    /// </summary>
    [Trait("Category", "Fast")]
    public class ReadyToRunTests
    {
        private static readonly string[] Loaded =
        {
            "InfluenceGen.Deploy", "Docker.DotNet", "Newtonsoft.Json", "Renci.SshNet", "AWSSDK.Core", "AWSSDK.S3",
            "Flurl", "Flurl.Http", "System.IO.Hashing",
        };

        [Fact]
        public void TheModulesOwnAssembliesCarryReadyToRunCode()
        {
            foreach (string name in Loaded)
            {
                string dll = Path.Combine(Repo.ModuleFolder, "bin", name + ".dll");
                using var pe = new PEReader(File.OpenRead(dll));
                Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, dll + " has no ReadyToRun code");
            }
        }

        private static int JittedModuleMethods(bool readyToRun)
        {
            using var tmp = new TempDir();
            // The summary goes to stdout: with DOTNET_JitStdOutFile the runtime now and then crashes at exit
            // ("free(): invalid pointer") closing that file while another thread still compiles.
            var env = new Dictionary<string, string>
            {
                ["DOTNET_JitDisasmSummary"] = "1",
                ["DOTNET_TC_CallCounting"] = "0",   // first compilations only, no tier-1 re-JIT
            };
            if (!readyToRun) env["DOTNET_ReadyToRun"] = "0";
            var r = HostProcess.Run(tmp.Path, env, "-NoProfile", "-NonInteractive", "-c",
                "$null = Get-InfluenceGenConfiguration -Environment dev; 'ok'");
            Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
            Assert.Contains("ok", r.StdOut);
            // "JIT compiled InfluenceGen.Deploy.Configuration.X:M(...)"; the loader (InfluenceGen.Deploy.LoadContext) is not ours to count.
            return r.StdOut.Split('\n').Count(l => Regex.IsMatch(l, @"JIT compiled InfluenceGen\.Deploy\.(?!LoadContext\.)"));
        }

        [Fact]
        public void PwshRunsTheModulesPrecompiledCode()
        {
            int withoutR2R = JittedModuleMethods(readyToRun: false);
            int withR2R = JittedModuleMethods(readyToRun: true);
            Assert.True(withoutR2R >= 50, $"control: only {withoutR2R} methods JIT-compiled with ReadyToRun off");
            Assert.True(withR2R * 10 <= withoutR2R, $"{withR2R} module methods JIT-compiled with ReadyToRun code vs {withoutR2R} without");
        }
    }
}
