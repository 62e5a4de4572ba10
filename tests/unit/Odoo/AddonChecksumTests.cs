using System.Diagnostics;
using System.IO.Compression;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Odoo;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Odoo
{
    /// <summary>Our per-addon checksum must equal OCA module_auto_update's (the algorithm in
    /// Reference/addon_hash.py, run by the real Python on the same trees).</summary>
    [Trait("Category", "Fast")]
    public class AddonChecksumTests
    {
        private static string PythonHash(string addonDir)
        {
            string python = Environment.GetEnvironmentVariable("IG_PYTHON") ?? "python3";
            var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Reference", "addon_hash.py"));
            psi.ArgumentList.Add(addonDir);
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "python3 failed: " + p.StandardError.ReadToEnd());
            return output;
        }

        private static OdooAddonPackage Build(string root, string outFile)
        {
            var builder = new AddonPackageBuilder();
            AddonPackagePlan plan = builder.Plan(new AddonPackageRequest { Paths = new[] { root } }, NullDeployLog.Instance);
            return builder.WriteAsync(plan, outFile, NullDeployLog.Instance, default).GetAwaiter().GetResult();
        }

        [Fact]
        public void SampleAddonsMatchModuleAutoUpdate()
        {
            using var tmp = new TempDir();
            OdooAddonPackage package = Build(Repo.SampleAddons, tmp.Combine("a.zip"));
            Assert.Equal(3, package.Addons.Length);
            foreach (OdooAddon addon in package.Addons)
                Assert.Equal(PythonHash(Path.Combine(Repo.SampleAddons, addon.Name)), addon.Checksum);
        }

        [Fact]
        public void TrickyTreeMatchesModuleAutoUpdate()
        {
            // Names whose sort order differs between "files before folders" and a flat sort, excluded
            // patterns at several depths, empty files, non-ASCII names, i18n .pot vs .po.
            using var tmp = new TempDir();
            AddonTree.Addon(tmp.Path, "ig_tricky", null,
                ("a.py", "a"), ("b/x.py", "bx"), ("b.py", "b"), ("B.txt", "upper"), ("b-c.xml", "dash"),
                ("empty.txt", ""), ("données/é.xml", "<odoo/>"), ("i18n/ig.pot", "pot"), ("i18n/fr.po", "fr"),
                ("i18n_extra/x.pot", "pot"), ("i18n_extra/de.po", "de"), ("static/src/js/a.js", "js"),
                ("tests/test_a.py", "t"), ("models/tests/keep.py", "nested tests folder is hashed"),
                ("models/static/keep.txt", "nested static is hashed"), ("sub/deeper/deepest/z.csv", "z"));
            string addon = Path.Combine(tmp.Path, "ig_tricky");
            OdooAddonPackage package = Build(tmp.Path, tmp.Combine("..", Path.GetFileName(tmp.Path) + "-out.zip"));
            try
            {
                Assert.Equal(PythonHash(addon), Assert.Single(package.Addons).Checksum);
            }
            finally { File.Delete(package.Path); }
        }

        [Fact]
        public void ChecksumIgnoresExcludedPathsButSeesContentChanges()
        {
            using var tmp = new TempDir();
            string addon = AddonTree.Addon(tmp.Combine("src"), "ig_x", null, ("models/a.py", "x = 1"), ("static/img.svg", "<svg/>"), ("tests/test_x.py", "pass"));
            string first = Assert.Single(Build(tmp.Combine("src"), tmp.Combine("1.zip")).Addons).Checksum;
            File.WriteAllText(Path.Combine(addon, "static", "img.svg"), "<svg>changed</svg>");
            File.WriteAllText(Path.Combine(addon, "tests", "test_x.py"), "changed");
            Assert.Equal(first, Assert.Single(Build(tmp.Combine("src"), tmp.Combine("2.zip")).Addons).Checksum);
            File.WriteAllText(Path.Combine(addon, "models", "a.py"), "x = 2");
            string third = Assert.Single(Build(tmp.Combine("src"), tmp.Combine("3.zip")).Addons).Checksum;
            Assert.NotEqual(first, third);
            Assert.Equal(PythonHash(addon), third);
        }

        [Fact]
        public void ChecksumOfTheExtractedPackageEqualsTheRecordedOne()
        {
            // What module_auto_update computes on the deployed release must agree with the metadata.
            using var tmp = new TempDir();
            OdooAddonPackage package = Build(Repo.SampleAddons, tmp.Combine("a.zip"));
            ZipFile.ExtractToDirectory(package.Path, tmp.Combine("release"));
            foreach (OdooAddon addon in package.Addons)
                Assert.Equal(addon.Checksum, PythonHash(tmp.Combine("release", addon.Name)));
        }
    }
}
