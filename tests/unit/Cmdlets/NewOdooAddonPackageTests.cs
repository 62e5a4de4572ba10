using System.Management.Automation;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Cmdlets
{
    /// <summary>New-OdooAddonPackage in a real runspace with the built module imported.</summary>
    [Trait("Category", "Fast")]
    public class NewOdooAddonPackageTests
    {
        private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

        [Fact]
        public void PackagesTheSamplesAndReturnsATypedPackage()
        {
            using var tmp = new TempDir();
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke($"New-OdooAddonPackage -Path {Quote(Repo.SampleAddons)} -OutFile addons.zip");
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            PSObject package = r.Single();
            Assert.Equal("InfluenceGen.Deploy.Odoo.OdooAddonPackage", package.TypeNames[0]);
            Assert.Equal(tmp.Combine("addons.zip"), package.Properties["Path"].Value);
            Assert.True(File.Exists(tmp.Combine("addons.zip")));
            Assert.Matches("^[0-9a-f]{64}$", (string)package.Properties["Sha256"].Value);
            var addons = ((object[])package.Properties["Addons"].Value).Select(PSObject.AsPSObject).ToArray();
            Assert.Equal(new[] { "ig_base", "ig_influencer", "ig_campaign" }, addons.Select(a => (string)a.Properties["Name"].Value));
            Assert.Equal("17.0.2.0.0", addons[2].Properties["Version"].Value);
            Assert.Equal(new[] { "sale" }, (string[])addons[2].Properties["ExternalDepends"].Value);
            Assert.Matches("^[0-9a-f]{40}$", (string)addons[0].Properties["Checksum"].Value);
            Assert.Contains(r.Progress, p => p.Activity.Contains("package", StringComparison.OrdinalIgnoreCase));
        }

        [Fact]
        public void PathsComeFromThePipelineAndIncludeExcludeFilterByName()
        {
            using var tmp = new TempDir();
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke($"{Quote(Repo.SampleAddons)} | New-OdooAddonPackage -OutFile x.zip -Exclude 'ig_camp*' -Include 'ig_*'");
            Assert.Null(r.Terminating);
            var names = ((object[])r.Single().Properties["Addons"].Value).Select(a => (string)PSObject.AsPSObject(a).Properties["Name"].Value);
            Assert.Equal(new[] { "ig_base", "ig_influencer" }, names);
        }

        [Fact]
        public void WhatIfListsThePlanAndWritesNothing()
        {
            using var tmp = new TempDir();
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke($"New-OdooAddonPackage -Path {Quote(Repo.SampleAddons)} -OutFile w.zip -WhatIf");
            Assert.Null(r.Terminating);
            Assert.False(File.Exists(tmp.Combine("w.zip")));
            Assert.Empty(Directory.GetFiles(tmp.Path));
        }

        public static TheoryData<string, string, string> BadInput => new()
        {
            // what the temp folder holds, arguments, expected error id
            { "nothing", "-Path ./missing -OutFile out.zip", "PathNotFound" },
            { "a file x.txt", "-Path ./x.txt -OutFile out.zip", "PathIsNotAFolder" },
            { "an empty folder", "-Path ./empty -OutFile out.zip", "NoAddonsFound" },
        };

        [Theory]
        [MemberData(nameof(BadInput))]
        public void BadPathsAreClearTerminatingErrorsAndWriteNothing(string setup, string arguments, string errorId)
        {
            using var tmp = new TempDir();
            using var ps = new PowerShellSession(tmp.Path);
            if (setup == "a file x.txt") File.WriteAllText(tmp.Combine("x.txt"), "x");
            if (setup == "an empty folder") Directory.CreateDirectory(tmp.Combine("empty"));
            PsResult r = ps.Invoke($"New-OdooAddonPackage {arguments}");
            Assert.NotNull(r.Terminating);
            Assert.Equal(errorId + ",InfluenceGen.Deploy.Cmdlets.NewOdooAddonPackageCommand", r.Terminating!.FullyQualifiedErrorId);
            Assert.False(File.Exists(tmp.Combine("out.zip")));
        }

        [Fact]
        public void AManifestSyntaxErrorNamesFileLineAndColumn()
        {
            using var tmp = new TempDir();
            AddonTree.Addon(tmp.Combine("src"), "ig_broken", "{\n  'name': 'Broken',\n  'depends': ['base'\n}\n");
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke("New-OdooAddonPackage -Path ./src -OutFile out.zip");
            Assert.NotNull(r.Terminating);
            Assert.Equal("ManifestSyntaxError", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains(Path.Combine(tmp.Path, "src", "ig_broken", "__manifest__.py") + ":4:1:", r.Terminating.Exception.Message);
            Assert.Equal(ErrorCategory.InvalidData, r.Terminating.CategoryInfo.Category);
            Assert.False(File.Exists(tmp.Combine("out.zip")));
        }

        [Fact]
        public void ExecutableManifestsAreRefusedNotRun()
        {
            using var tmp = new TempDir();
            string marker = tmp.Combine("pwned");
            AddonTree.Addon(tmp.Combine("src"), "ig_evil", $"{{'name': __import__('os').system('touch {marker}')}}\n");
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke("New-OdooAddonPackage -Path ./src -OutFile out.zip");
            Assert.Contains("is not a literal", r.Terminating!.Exception.Message);
            Assert.False(File.Exists(marker));
        }

        [Fact]
        public void EveryValidationProblemIsReportedWithItsLineThenOneTerminatingSummary()
        {
            using var tmp = new TempDir();
            AddonTree.Addon(tmp.Combine("src"), "ig_a", "{\n 'name': 'A',\n 'version': 'one.two',\n 'depends': ['base'],\n 'data': [\n  'views/missing.xml',\n ],\n}\n");
            AddonTree.Addon(tmp.Combine("src"), "ig_b", "{'version': '17.0.1.0.0', 'depends': 'base'}\n");
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke("New-OdooAddonPackage -Path ./src -OutFile out.zip");
            Assert.Equal("InvalidAddons", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
            string a = Path.Combine(tmp.Path, "src", "ig_a", "__manifest__.py");
            string b = Path.Combine(tmp.Path, "src", "ig_b", "__manifest__.py");
            var messages = r.Errors.Select(e => e.Exception.Message).ToList();
            Assert.Contains(messages, m => m.StartsWith(a + ":3:2:") && m.Contains("'one.two'"));
            Assert.Contains(messages, m => m.StartsWith(a + ":6:3:") && m.Contains("views/missing.xml") && m.Contains("does not exist"));
            Assert.Contains(messages, m => m.StartsWith(b) && m.Contains("'name' is required"));
            Assert.Contains(messages, m => m.StartsWith(b) && m.Contains("'depends' must be a list"));
            Assert.Contains(r.Errors, e => e.FullyQualifiedErrorId.StartsWith("ManifestFileMissing,"));
            Assert.False(File.Exists(tmp.Combine("out.zip")));
        }

        [Fact]
        public void NonInstallableAddonsAreLeftOutWithAWarning()
        {
            using var tmp = new TempDir();
            AddonTree.Addon(tmp.Combine("src"), "ig_on");
            AddonTree.Addon(tmp.Combine("src"), "ig_off", "{'name': 'Off', 'installable': False}");
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke("New-OdooAddonPackage -Path ./src -OutFile out.zip");
            Assert.Null(r.Terminating);
            var names = ((object[])r.Single().Properties["Addons"].Value).Select(x => (string)PSObject.AsPSObject(x).Properties["Name"].Value);
            Assert.Equal(new[] { "ig_on" }, names);
            Assert.Contains(r.Warnings, w => w.Contains("ig_off") && w.Contains("installable"));
        }

        [Fact]
        public void DuplicateAddonNamesNameBothPaths()
        {
            using var tmp = new TempDir();
            AddonTree.Addon(tmp.Combine("one"), "ig_dup");
            AddonTree.Addon(tmp.Combine("two"), "ig_dup");
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke("New-OdooAddonPackage -Path ./one, ./two -OutFile out.zip");
            Assert.Equal("DuplicateAddon", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains(Path.Combine(tmp.Path, "one", "ig_dup"), r.Terminating.Exception.Message);
            Assert.Contains(Path.Combine(tmp.Path, "two", "ig_dup"), r.Terminating.Exception.Message);
        }

        [Fact]
        public void ACycleAndAMissingDependencyAreNamed()
        {
            using var tmp = new TempDir();
            AddonTree.Addon(tmp.Combine("cyc"), "ig_x", "{'name': 'X', 'depends': ['ig_y']}");
            AddonTree.Addon(tmp.Combine("cyc"), "ig_y", "{'name': 'Y', 'depends': ['ig_x']}");
            AddonTree.Addon(tmp.Combine("dep"), "ig_z", "{'name': 'Z', 'depends': ['base', 'ig_nowhere']}");
            using var ps = new PowerShellSession(tmp.Path);
            PsResult cycle = ps.Invoke("New-OdooAddonPackage -Path ./cyc -OutFile out.zip");
            Assert.Equal("DependencyCycle", cycle.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("ig_x -> ig_y -> ig_x", cycle.Terminating.Exception.Message);
            PsResult missing = ps.Invoke("New-OdooAddonPackage -Path ./dep -OutFile out.zip -AvailableAddon base, web");
            Assert.Equal("MissingDependency", missing.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("'ig_nowhere'", missing.Terminating.Exception.Message);
            PsResult external = ps.Invoke("(New-OdooAddonPackage -Path ./dep -OutFile out.zip).Addons[0].ExternalDepends");
            Assert.Equal(new[] { "base", "ig_nowhere" }, external.Output.Select(o => o.ToString()));
        }

        [Fact]
        public void ASymlinkLeavingTheAddonIsRefused()
        {
            using var tmp = new TempDir();
            string addon = AddonTree.Addon(tmp.Combine("src"), "ig_link");
            File.WriteAllText(tmp.Combine("secret.txt"), "outside");
            File.CreateSymbolicLink(Path.Combine(addon, "data.txt"), tmp.Combine("secret.txt"));
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke("New-OdooAddonPackage -Path ./src -OutFile out.zip");
            Assert.Equal("UnsafeSymlink", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains(Path.Combine(addon, "data.txt"), r.Terminating.Exception.Message);
            Assert.False(File.Exists(tmp.Combine("out.zip")));
        }

        [Fact]
        public void ASymlinkInsideTheAddonIsPackagedAsItsContent()
        {
            using var tmp = new TempDir();
            string addon = AddonTree.Addon(tmp.Combine("src"), "ig_link", null, ("data/real.xml", "<odoo/>"));
            File.CreateSymbolicLink(Path.Combine(addon, "alias.xml"), Path.Combine(addon, "data", "real.xml"));
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke("New-OdooAddonPackage -Path ./src -OutFile out.zip");
            Assert.Null(r.Terminating);
            using var zip = System.IO.Compression.ZipFile.OpenRead(tmp.Combine("out.zip"));
            using var reader = new StreamReader(zip.GetEntry("ig_link/alias.xml")!.Open());
            Assert.Equal("<odoo/>", reader.ReadToEnd());
        }

        [Fact]
        public void AnOutputPathInsideTheInputIsRefused()
        {
            using var tmp = new TempDir();
            AddonTree.CopyDirectory(Repo.SampleAddons, tmp.Combine("src"));
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke("New-OdooAddonPackage -Path ./src -OutFile ./src/ig_base/self.zip");
            Assert.Equal("OutFileInsideInput", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
            Assert.False(File.Exists(tmp.Combine("src", "ig_base", "self.zip")));
        }

        [Fact]
        public void HiddenFoldersAndNonAddonsAreSkipped()
        {
            using var tmp = new TempDir();
            AddonTree.Addon(tmp.Combine("src"), "ig_real");
            AddonTree.Addon(tmp.Combine("src", ".hidden"), "ig_hidden");
            Directory.CreateDirectory(tmp.Combine("src", "docs"));
            File.WriteAllText(tmp.Combine("src", "docs", "index.md"), "# docs");
            AddonTree.Addon(tmp.Combine("src", "nested", "deeper"), "ig_nested");
            using var ps = new PowerShellSession(tmp.Path);
            PsResult r = ps.Invoke("(New-OdooAddonPackage -Path ./src -OutFile out.zip).Addons.Name");
            Assert.Equal(new[] { "ig_nested", "ig_real" }, r.Output.Select(o => o.ToString()));
        }
    }
}
