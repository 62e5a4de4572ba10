using InfluenceGen.Deploy.Tests.Harness;
using InfluenceGen.Deploy.Tests.Odoo.Testing;

namespace InfluenceGen.Deploy.Tests.Module
{
    /// <summary>
    /// docs/design.md, principle 9: another module that loaded a different version of one of our dependencies
    /// into the session must not break us. Here the session first loads the original Docker.DotNet
    /// 3.125 (the assembly name Docker.DotNet.Enhanced 4.x shares), then imports the module and runs a
    /// cmdlet that talks to the real Docker engine through Docker.DotNet 4. Loading the module's
    /// assembly directly, without its AssemblyLoadContext, fails the same way a clash would.
    /// </summary>
    public class DependencyIsolationTests : IClassFixture<FakeOdooContainer>
    {
        private readonly FakeOdooContainer _container;
        public DependencyIsolationTests(FakeOdooContainer container) { _container = container; }

        private static string OldDockerDotNet()
        {
            string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string dll = Path.Combine(root, "docker.dotnet", "3.125.15", "lib", "netstandard2.0", "Docker.DotNet.dll");
            Assert.True(File.Exists(dll), dll + " missing (PackageDownload in the test project)");
            return dll;
        }

        private HostProcess.Result RunWithOldDockerFirst(string import)
        {
            using var tmp = new TempDir();
            string script =
                "$ErrorActionPreference = 'Stop'\n" +
                $"$old = [System.Reflection.Assembly]::LoadFrom('{OldDockerDotNet()}')\n" +
                "'session Docker.DotNet ' + [Docker.DotNet.DockerClientConfiguration].Assembly.GetName().Version\n" +
                $"{import}\n" +
                $"$r = Invoke-OdooUnitTest -Module ig_pass -Container {_container.Name} -DockerHost '{_container.Host}' -OdooBin /bin/fake-odoo -ConfigPath /tmp/odoo.conf -PassThru\n" +
                "'tests ' + @($r).Count\n" +
                "[System.Runtime.Loader.AssemblyLoadContext]::All | ForEach-Object { $c = $_; $c.Assemblies | Where-Object { $_.GetName().Name -eq 'Docker.DotNet' } | ForEach-Object { 'loaded ' + $c.Name + ' ' + $_.GetName().Version } }\n";
            tmp.Write("iso.ps1", script);
            return HostProcess.Run(tmp.Path, new Dictionary<string, string> { ["IG_PWSH_NO_IMPORT"] = "1" }, "-NoProfile", "-File", tmp.Combine("iso.ps1"));
        }

        [Fact]
        public void TheModuleWorksBesideAnotherVersionOfItsDependency()
        {
            _container.RequireEngine();
            var r = RunWithOldDockerFirst($"Import-Module '{Repo.ModuleFolder}'");
            Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
            Assert.Contains("session Docker.DotNet 3.125.", r.StdOut);
            Assert.Contains("tests 3", r.StdOut);
            Assert.Matches(@"loaded Default 3\.125\.", r.StdOut);
            Assert.Matches(@"loaded InfluenceGen\.Deploy 4\.", r.StdOut);
        }

        [Fact]
        public void WithoutItsLoadContextTheSameSessionBreaks()
        {
            _container.RequireEngine();
            var r = RunWithOldDockerFirst($"Import-Module '{Path.Combine(Repo.ModuleFolder, "bin", "InfluenceGen.Deploy.dll")}'");
            Assert.NotEqual(0, r.ExitCode);
            Assert.DoesNotContain("tests 3", r.StdOut);
            Assert.Contains("Could not load file or assembly 'Docker.DotNet, Version=4.", r.StdErr);
        }
    }
}
