using System.Diagnostics;
using System.Security.Cryptography;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Odoo;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Odoo
{
    [Trait("Category", "Fast")]
    public class DeterministicZipTests
    {
        private static OdooAddonPackage Build(string root, string outFile)
        {
            var builder = new AddonPackageBuilder();
            AddonPackagePlan plan = builder.Plan(new AddonPackageRequest { Paths = new[] { root } }, NullDeployLog.Instance);
            return builder.WriteAsync(plan, outFile, NullDeployLog.Instance, default).GetAwaiter().GetResult();
        }

        private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

        private static (int Code, string Output) Run(string file, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output);
        }

        [Fact]
        public void SameContentGivesByteIdenticalZipWhateverTimesPermissionsAndOrder()
        {
            using var tmp = new TempDir();
            string a = tmp.Combine("a"), b = tmp.Combine("b");
            AddonTree.CopyDirectory(Repo.SampleAddons, a);
            // Copy b in reverse file order, then give it other times and permissions.
            Directory.CreateDirectory(b);
            foreach (string file in Directory.GetFiles(Repo.SampleAddons, "*", SearchOption.AllDirectories).OrderByDescending(f => f, StringComparer.Ordinal))
            {
                string target = Path.Combine(b, Path.GetRelativePath(Repo.SampleAddons, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
                File.SetLastWriteTimeUtc(target, new DateTime(2031, 5, 6, 7, 8, 9, DateTimeKind.Utc));
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead);
            }
            // Droppings in b only: they must not change the package.
            File.WriteAllText(Path.Combine(b, "ig_base", "models", "res_partner.py~"), "backup");
            Directory.CreateDirectory(Path.Combine(b, "ig_base", "__pycache__"));
            File.WriteAllText(Path.Combine(b, "ig_base", "__pycache__", "x.cpython-311.pyc"), "pyc");
            File.WriteAllText(Path.Combine(b, "ig_base", ".DS_Store"), "mac");
            Directory.CreateDirectory(Path.Combine(b, "ig_base", ".git"));
            File.WriteAllText(Path.Combine(b, "ig_base", ".git", "HEAD"), "ref");

            OdooAddonPackage pa = Build(a, tmp.Combine("a.zip"));
            OdooAddonPackage pb = Build(b, tmp.Combine("b.zip"));
            Assert.Equal(Sha256(tmp.Combine("a.zip")), Sha256(tmp.Combine("b.zip")));
            Assert.Equal(pa.Sha256, pb.Sha256);
            Assert.Equal(Sha256(pa.Path), pa.Sha256);
            Assert.Equal(pa.ContentHash, pb.ContentHash);
        }

        [Fact]
        public void InfoZipAcceptsThePackageAndSeesFixedTimesAndModes()
        {
            using var tmp = new TempDir();
            OdooAddonPackage package = Build(Repo.SampleAddons, tmp.Combine("p.zip"));
            var (code, output) = Run("unzip", "-t", package.Path);
            Assert.True(code == 0, output);
            var (zcode, listing) = Run("zipinfo", package.Path);
            Assert.Equal(0, zcode);
            string[] entries = listing.Split('\n').Where(l => l.StartsWith("-")).ToArray();
            Assert.Equal(package.FileCount + 1, entries.Length); // + metadata
            Assert.All(entries, l => Assert.StartsWith("-rw-r--r--", l));
            Assert.All(entries, l => Assert.Contains("80-Jan-01 00:00", l));
            Assert.EndsWith(OdooAddonPackage.MetadataEntry, entries.Last());
            // Entries are grouped per addon in installation order, and never contain droppings.
            string names = string.Join("\n", entries);
            Assert.True(names.IndexOf(" ig_influencer/", StringComparison.Ordinal) < names.IndexOf(" ig_campaign/", StringComparison.Ordinal),
                "addons must be stored in installation order (ig_campaign depends on ig_influencer)");
            Assert.DoesNotContain(".pyc", names);
        }

        [Fact]
        public void ParallelAndSequentialCompressionWriteTheSameBytes()
        {
            var sources = Enumerable.Range(0, 200).Select(i => new ZipSource($"f/{i:D4}.txt",
                () => System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"line {i} of some text\n", i * 10))))).ToList();
            byte[] Write(int dop)
            {
                var ms = new MemoryStream();
                DeterministicZip.WriteAsync(ms, sources, (_, _, _) => { }, NullDeployLog.Instance, default, degreeOfParallelism: dop).GetAwaiter().GetResult();
                return ms.ToArray();
            }
            Assert.Equal(Write(1), Write(4));
        }

        [Fact]
        public void AFailedWriteLeavesTheOldFileAndNoTemporaryFile()
        {
            using var tmp = new TempDir();
            AddonTree.CopyDirectory(Repo.SampleAddons, tmp.Combine("src"));
            File.WriteAllText(tmp.Combine("out.zip"), "previous package");
            var builder = new AddonPackageBuilder();
            AddonPackagePlan plan = builder.Plan(new AddonPackageRequest { Paths = new[] { tmp.Combine("src") } }, NullDeployLog.Instance);
            File.Delete(tmp.Combine("src", "ig_campaign", "models", "ig_campaign.py")); // vanishes mid-run
            Assert.ThrowsAny<IOException>(() => builder.WriteAsync(plan, tmp.Combine("out.zip"), NullDeployLog.Instance, default).GetAwaiter().GetResult());
            Assert.Equal("previous package", File.ReadAllText(tmp.Combine("out.zip")));
            Assert.Equal(new[] { "out.zip" }, Directory.GetFiles(tmp.Path).Select(Path.GetFileName).ToArray());
        }
    }
}
