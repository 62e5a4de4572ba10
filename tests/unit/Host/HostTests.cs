using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Host
{
    /// <summary>ig-pwsh behaves like pwsh for a CI job's one line.</summary>
    public class HostTests
    {
        [Fact]
        public void ASuccessfulOneLinerExitsZeroAndFormatsWithTheTableView()
        {
            using var tmp = new TempDir();
            var r = HostProcess.Run(tmp.Path, null, "-NoProfile", "-NonInteractive", "-c", $"New-OdooAddonPackage -Path '{Repo.SampleAddons}' -OutFile addons.zip");
            Assert.True(r.ExitCode == 0, r.StdErr);
            string[] lines = r.StdOut.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
            Assert.StartsWith("Path", lines[0]);
            Assert.Contains("Addons", lines[0]);
            Assert.Contains("Sha256", lines[0]);
            Assert.Contains(tmp.Combine("addons.zip"), lines[2]);
            Assert.DoesNotContain("\u001b[", r.StdOut); // no ANSI escapes when redirected
        }

        [Fact]
        public void ATerminatingErrorExitsOneWithTheErrorOnStderr()
        {
            using var tmp = new TempDir();
            var r = HostProcess.Run(tmp.Path, null, "-NoProfile", "-c", "New-OdooAddonPackage -Path ./missing -OutFile x.zip");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("New-OdooAddonPackage: the path './missing' does not exist", r.StdErr);
        }

        [Fact]
        public void ExitCodesFollowPwsh()
        {
            using var tmp = new TempDir();
            Assert.Equal(7, HostProcess.Run(tmp.Path, null, "-c", "exit 7").ExitCode);
            var thrown = HostProcess.Run(tmp.Path, null, "-c", "'before'; throw 'boom'");
            Assert.Equal(1, thrown.ExitCode);
            Assert.Contains("boom", thrown.StdErr);          // a script-terminating error goes to stderr, as in pwsh
            Assert.DoesNotContain("boom", thrown.StdOut);
            Assert.Contains("before", thrown.StdOut);
            Assert.Equal(0, HostProcess.Run(tmp.Path, null, "-c", "'ok'").ExitCode);
            // A later successful statement makes $? true again, as in pwsh -c.
            Assert.Equal(0, HostProcess.Run(tmp.Path, null, "-c", "Get-InfluenceGenConfiguration -Environment nope; 'after'").ExitCode);
        }

        [Fact]
        public void FileRunsAScriptWithArgumentsAndPSScriptRoot()
        {
            using var tmp = new TempDir();
            tmp.Write("job2.ps1", "$p = New-OdooAddonPackage -Path $args[0] -OutFile ($PSScriptRoot + '/' + $args[1])\n'addons=' + $p.Addons.Count\n");
            var r = HostProcess.Run(tmp.Path, null, "-NoProfile", "-File", tmp.Combine("job2.ps1"), Repo.SampleAddons, "pkg.zip");
            Assert.True(r.ExitCode == 0, r.StdErr + r.StdOut);
            Assert.Contains("addons=3", r.StdOut);
            Assert.True(File.Exists(tmp.Combine("pkg.zip")));
        }

        [Fact]
        public void UnknownSwitchesAndMissingScriptsAreUsageErrors()
        {
            using var tmp = new TempDir();
            Assert.Equal(64, HostProcess.Run(tmp.Path, null, "-Bogus").ExitCode);
            var r = HostProcess.Run(tmp.Path, null, "-File", "nope.ps1");
            Assert.Equal(64, r.ExitCode);
            Assert.Contains("nope.ps1", r.StdErr);
        }

        [Fact]
        public void ConfirmPromptsFailClearlyWhenNonInteractive()
        {
            using var tmp = new TempDir();
            var r = HostProcess.Run(tmp.Path, null, "-NonInteractive", "-c", $"New-OdooAddonPackage -Path '{Repo.SampleAddons}' -OutFile c.zip -Confirm");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("non-interactively", r.StdErr);
            Assert.False(File.Exists(tmp.Combine("c.zip")));
        }
    }
}
