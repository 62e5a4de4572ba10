using System;
using System.Linq;
using InfluenceGen.Deploy.Deploy;
using Xunit;

namespace InfluenceGen.Deploy.Tests.Deploy
{
    [Trait("Category", "Fast")]
    public class DeployPackageTests
    {
        [Fact]
        public void ChecksumsWithEveryLanguageActiveEqualThePackagedModuleAutoUpdateChecksums()
        {
            using var addons = new AddonSet(2);
            addons.Write("ig_gen_01", "1.0.0", "# v1\n", "views/a/b.xml", "<odoo/>");
            addons.Write("ig_gen_01", "1.0.0", "# v1\n", "views/a.xml", "<odoo/>");
            var pkg = DeployPackage.Open(addons.Build("p.zip"));
            var all = pkg.ChecksumsFor(new[] { "fr_FR", "de_DE" });
            Assert.All(pkg.Addons, a => Assert.Equal(a.Checksum, all[a.Name]));
            Assert.Equal(all, pkg.ChecksumsFor(Array.Empty<string>()));   // no language list: all files, as OCA
            var deOnly = pkg.ChecksumsFor(new[] { "de_DE" });
            Assert.All(pkg.Addons, a => Assert.NotEqual(a.Checksum, deOnly[a.Name]));   // fr.po left out
        }

        [Fact]
        public void APackageWithoutMetadataOrWithAChangedSha256IsRefused()
        {
            using var dir = new Harness.TempDir();
            string zip = dir.Combine("plain.zip");
            using (var a = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create)) a.CreateEntry("ig_x/__init__.py");
            Assert.Equal("PackageMetadataMissing", Assert.Throws<InfluenceGen.Deploy.Infrastructure.DeployException>(() => DeployPackage.Open(zip)).ErrorId);
            using var addons = new AddonSet(1);
            string pkg = addons.Build("p.zip");
            var ex = Assert.Throws<InfluenceGen.Deploy.Infrastructure.DeployException>(() => DeployPackage.Open(pkg, new string('0', 64)));
            Assert.Equal("PackageChanged", ex.ErrorId);
        }

        [Fact]
        public void VersionsCompareAsOdooStoresThem()
        {
            Assert.True(DeployService.SameVersion("17.0.1.0.0", "17.0.1.0.0"));
            Assert.True(DeployService.SameVersion("17.0.1.0.0", "1.0.0"));
            Assert.False(DeployService.SameVersion("17.0.1.0.0", "17.0.1.1.0"));
            Assert.False(DeployService.SameVersion("", "17.0.1.0.0"));
        }
    }
}
