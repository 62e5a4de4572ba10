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
        public void ReImportingInOneSessionKeepsEveryCmdletWorking()
        {
            // PowerShell #20710: a binary module loaded through an AssemblyLoadContext came back with 0 commands.
            using var tmp = new TempDir();
            string module = Repo.ModuleFolder;
            var r = HostProcess.Run(tmp.Path, null, "-NoProfile", "-NonInteractive", "-c",
                $"$ErrorActionPreference = 'Stop'; $m = '{module}'\n" +
                "Import-Module $m; 'first ' + (Get-Command -Module InfluenceGen.Deploy).Count\n" +
                "Import-Module $m -Force; Import-Module $m -Force; 'forced ' + (Get-Command -Module InfluenceGen.Deploy).Count\n" +
                "Remove-Module InfluenceGen.Deploy; Import-Module $m; 'again ' + (Get-Command -Module InfluenceGen.Deploy).Count\n" +
                $"'addons ' + (New-OdooAddonPackage -Path '{Repo.SampleAddons}' -OutFile a.zip).Addons.Count");
            Assert.True(r.ExitCode == 0, r.StdErr + r.StdOut);
            int exported = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(module, "InfluenceGen.Deploy.psd1")), @"^\s+'[A-Z][A-Za-z]+-[A-Za-z0-9]+'\s*$", System.Text.RegularExpressions.RegexOptions.Multiline).Count;
            Assert.True(exported >= 17, "cmdlets in the manifest: " + exported);
            Assert.Contains($"first {exported}", r.StdOut);
            Assert.Contains($"forced {exported}", r.StdOut);
            Assert.Contains($"again {exported}", r.StdOut);
            Assert.Contains("addons 3", r.StdOut);
        }

        [Fact]
        public void ASecondCopyOfTheModuleFromAnotherFolderIsRefusedByName()
        {
            using var tmp = new TempDir();
            string copy = tmp.Combine("other", "InfluenceGen.Deploy");
            foreach (string file in Directory.GetFiles(Repo.ModuleFolder, "*", SearchOption.AllDirectories))
            {
                string target = Path.Combine(copy, Path.GetRelativePath(Repo.ModuleFolder, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            var r = HostProcess.Run(tmp.Path, null, "-NoProfile", "-NonInteractive", "-c",
                $"Import-Module '{Repo.ModuleFolder}'; Import-Module '{copy}'");
            Assert.Equal(1, r.ExitCode);
            var used = HostProcess.Run(tmp.Path, null, "-NoProfile", "-NonInteractive", "-c",
                $"Import-Module '{Repo.ModuleFolder}'; Import-Module '{copy}' 2>$null; (Get-Command New-OdooAddonPackage).Module.ModuleBase");
            Assert.Equal(Repo.ModuleFolder, used.StdOut.Trim());   // the first copy keeps serving, nothing mixed
            string err = System.Text.RegularExpressions.Regex.Replace(r.StdErr, @"\s+", " ");
            Assert.Contains("already loaded in this process from", err);
            Assert.Contains("Start a new pwsh session", err);
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
