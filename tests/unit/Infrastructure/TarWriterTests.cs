using System.Text;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Tests.Deploy;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Infrastructure
{
    /// <summary>The tar stream the web-server publish sends: GNU tar extracts it, long names included.</summary>
    [Trait("Category", "Fast")]
    public class TarWriterTests
    {
        [Fact]
        public void Gnu_tar_extracts_every_file_with_its_bytes_and_long_names()
        {
            using var tmp = new TempDir();
            string longName = "guide/" + string.Join("/", Enumerable.Range(0, 12).Select(i => $"section-{i:00}")) + "/a-page-with-a-long-name-ü.html";
            Assert.True(Encoding.UTF8.GetByteCount(longName) > 100);
            var files = new (string Path, byte[] Bytes)[]
            {
                ("index.html", Encoding.UTF8.GetBytes("<html>home</html>")),
                ("empty.txt", Array.Empty<byte>()),
                ("assets/block.bin", Enumerable.Range(0, 512).Select(i => (byte)i).ToArray()),
                (longName, Encoding.UTF8.GetBytes("<html>deep</html>")),
            };
            using (var stream = File.Create(tmp.Combine("a.tar")))
            {
                var tar = new TarWriter(stream);
                foreach (var (path, bytes) in files) tar.AddFile(path, bytes);
                tar.Finish();
            }
            Directory.CreateDirectory(tmp.Combine("out"));
            var (code, output) = TestServers.Sh($"tar -x -f '{tmp.Combine("a.tar")}' -C '{tmp.Combine("out")}' && tar -t -f '{tmp.Combine("a.tar")}'");
            Assert.True(code == 0, output);
            foreach (var (path, bytes) in files) Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(tmp.Combine("out"), path)));
            Assert.Equal(files.Length, Directory.GetFiles(tmp.Combine("out"), "*", SearchOption.AllDirectories).Length);
        }
    }
}
