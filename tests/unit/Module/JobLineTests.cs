using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Module
{
    /// <summary>
    /// A GitLab job's one line under the real pwsh 7.6.9 (redirected output, as in a job log): the module
    /// auto-loads from PSModulePath, table views format the results, and the exit code says whether the job's
    /// purpose failed.
    /// </summary>
    public class JobLineTests
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
            Assert.Contains("addons.zip", lines[2]);
        }

        [Fact]
        public void ATerminatingErrorExitsOneWithTheErrorOnStderr()
        {
            using var tmp = new TempDir();
            var r = HostProcess.Run(tmp.Path, null, "-NoProfile", "-NonInteractive", "-c", "New-OdooAddonPackage -Path ./missing -OutFile x.zip");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("./missing", r.StdErr);
            Assert.False(File.Exists(tmp.Combine("x.zip")));
        }

        [Fact]
        public void AScriptFileWithArgumentsFailsItsJobOnAModuleError()
        {
            using var tmp = new TempDir();
            tmp.Write("job.ps1", "param($Addons, $Out)\n$ErrorActionPreference = 'Stop'\n$p = New-OdooAddonPackage -Path $Addons -OutFile (Join-Path $PSScriptRoot $Out)\n'addons=' + $p.Addons.Count\n");
            var ok = HostProcess.Run(tmp.Path, null, "-NoProfile", "-NonInteractive", "-File", tmp.Combine("job.ps1"), Repo.SampleAddons, "pkg.zip");
            Assert.True(ok.ExitCode == 0, ok.StdErr + ok.StdOut);
            Assert.Contains("addons=3", ok.StdOut);
            Assert.True(File.Exists(tmp.Combine("pkg.zip")));

            var failed = HostProcess.Run(tmp.Path, null, "-NoProfile", "-NonInteractive", "-File", tmp.Combine("job.ps1"), tmp.Combine("nothing-here"), "none.zip");
            Assert.Equal(1, failed.ExitCode);
            Assert.DoesNotContain("addons=", failed.StdOut);
        }

        [Fact]
        public void TheReadmeJobLineReadsItsModuleListWithUtilityCmdlets()
        {
            // The README's unit-test job line reads addons.txt with Get-Content: real pwsh has the Utility cmdlets.
            using var tmp = new TempDir();
            tmp.Write("addons.txt", "ig_base\nig_campaign\n");
            var r = HostProcess.Run(tmp.Path, null, "-NoProfile", "-NonInteractive", "-c",
                "$m = Get-Content addons.txt; Get-Command Invoke-OdooUnitTest | Out-Null; 'modules=' + ($m -join ',') + ' literal @args here'");
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.Contains("modules=ig_base,ig_campaign literal @args here", r.StdOut);
        }

        [Fact]
        public void TheOldPipelinesOdooVersionVariableChecksTheManifests()
        {
            // ODOO_VERSION (18.0 in the projects this replaces) is the packager's -OdooVersion: the 17.0 samples fail it.
            using var tmp = new TempDir();
            var r = HostProcess.Run(tmp.Path, new Dictionary<string, string> { ["ODOO_VERSION"] = "18.0" }, "-NoProfile", "-NonInteractive", "-c",
                $"New-OdooAddonPackage -Path '{Repo.SampleAddons}' -OutFile a.zip");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("18.0", r.StdErr);
            Assert.False(File.Exists(tmp.Combine("a.zip")));
            var ok = HostProcess.Run(tmp.Path, new Dictionary<string, string> { ["ODOO_VERSION"] = "17.0" }, "-NoProfile", "-NonInteractive", "-c",
                $"(New-OdooAddonPackage -Path '{Repo.SampleAddons}' -OutFile a.zip).Addons.Count");
            Assert.True(ok.ExitCode == 0, ok.StdErr);
            Assert.Contains("3", ok.StdOut);
            var bad = HostProcess.Run(tmp.Path, new Dictionary<string, string> { ["ODOO_VERSION"] = "eighteen" }, "-NoProfile", "-NonInteractive", "-c",
                $"New-OdooAddonPackage -Path '{Repo.SampleAddons}' -OutFile a.zip");
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("ODOO_VERSION", bad.StdErr);
        }

        [Fact]
        public void ConfirmPromptsFailClearlyWhenNonInteractive()
        {
            using var tmp = new TempDir();
            var r = HostProcess.Run(tmp.Path, null, "-NonInteractive", "-c", $"New-OdooAddonPackage -Path '{Repo.SampleAddons}' -OutFile c.zip -Confirm");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("NonInteractive", r.StdErr);
            Assert.False(File.Exists(tmp.Combine("c.zip")));
        }
    }
}
