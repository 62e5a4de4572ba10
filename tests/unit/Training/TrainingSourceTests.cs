using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Tests.Harness;
using InfluenceGen.Deploy.Training;

namespace InfluenceGen.Deploy.Tests.Training
{
    /// <summary>The source (zip or folder), its hashes, and the per-file content rules.</summary>
    [Trait("Category", "Fast")]
    public class TrainingSourceTests
    {
        private static string ZipWith(TempDir tmp, params string[] entries)
        {
            string zip = tmp.Combine("training_docs.zip");
            using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
                foreach (string e in entries)
                {
                    using var w = new StreamWriter(archive.CreateEntry(e).Open());
                    w.Write("x");
                }
            return zip;
        }

        [Theory]
        [InlineData("../outside.html", "'..' segment")]
        [InlineData("docs/../../etc/passwd", "'..' segment")]
        [InlineData("/etc/cron.d/evil", "absolute path")]
        [InlineData("C:/Windows/evil.dll", "drive path")]
        [InlineData("docs\\..\\..\\evil.html", "'..' segment")]
        public void A_zip_entry_that_would_land_outside_the_portal_is_refused_naming_it(string entry, string why)
        {
            using var tmp = new TempDir();
            string zip = ZipWith(tmp, "index.html", entry);
            var ex = Assert.Throws<DeployException>(() => TrainingSource.Load(zip));
            Assert.Equal("TrainingZipEntryUnsafe", ex.ErrorId);
            Assert.Contains($"entry '{entry}'", ex.Message);
            Assert.Contains(why, ex.Message);
            Assert.Contains("training_docs.zip", ex.Message);
        }

        [Fact]
        public async Task Hashes_are_the_sha256_and_the_s3_etag_for_8_MiB_parts()
        {
            using var tmp = new TempDir();
            byte[] small = Encoding.UTF8.GetBytes("<html>hi</html>");
            byte[] big = new byte[S3Layout.PartSize * 2 + 123];
            new Random(1).NextBytes(big);
            tmp.Write("index.html", "<html>hi</html>");
            File.WriteAllBytes(tmp.Combine("video.mp4"), big);
            var source = TrainingSource.Load(tmp.Path);
            await source.HashAsync(S3Layout.PartSize, S3Layout.MultipartThreshold, 2, null, CancellationToken.None);

            TrainingFile page = source.Files.Single(f => f.RelativePath == "index.html");
            Assert.Equal(Convert.ToHexString(SHA256.HashData(small)).ToLowerInvariant(), page.Sha256);
            Assert.Equal(Convert.ToHexString(MD5.HashData(small)).ToLowerInvariant(), page.ETag);

            TrainingFile video = source.Files.Single(f => f.RelativePath == "video.mp4");
            byte[] partMd5s = Enumerable.Range(0, 3).SelectMany(i => MD5.HashData(big.AsSpan(i * S3Layout.PartSize, Math.Min(S3Layout.PartSize, big.Length - i * S3Layout.PartSize)))).ToArray();
            Assert.Equal(Convert.ToHexString(MD5.HashData(partMd5s)).ToLowerInvariant() + "-3", video.ETag);
        }

        [Fact]
        public async Task The_hash_cache_skips_unchanged_files_and_rehashes_a_file_whose_time_or_size_changed()
        {
            using var tmp = new TempDir();
            var cache = new TrainingHashCache(tmp.Combine("cache"));
            tmp.Write("site/a.html", "<html>aaaa</html>");
            tmp.Write("site/b.css", "body{}");
            var first = TrainingSource.Load(tmp.Combine("site"));
            await first.HashAsync(S3Layout.PartSize, S3Layout.MultipartThreshold, 1, null, CancellationToken.None, cache);
            Assert.Equal(0, cache.Hits);

            // same size, new bytes, a later modification time: read again
            File.WriteAllText(tmp.Combine("site/a.html"), "<html>bbbb</html>");
            File.SetLastWriteTimeUtc(tmp.Combine("site/a.html"), DateTime.UtcNow.AddMinutes(1));
            long read = 0;
            var second = TrainingSource.Load(tmp.Combine("site"));
            var again = new TrainingHashCache(tmp.Combine("cache"));
            await second.HashAsync(S3Layout.PartSize, S3Layout.MultipartThreshold, 1, new TrainingPublisher.Progress(n => Interlocked.Add(ref read, n)), CancellationToken.None, again);
            Assert.Equal(1, again.Hits);
            Assert.Equal(17, read);   // only a.html was read
            Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("<html>bbbb</html>"))).ToLowerInvariant(), second.Files.Single(f => f.RelativePath == "a.html").Sha256);
            Assert.Equal(first.Files.Single(f => f.RelativePath == "b.css").ETag, second.Files.Single(f => f.RelativePath == "b.css").ETag);

            // a zip is always read
            ZipFile.CreateFromDirectory(tmp.Combine("site"), tmp.Combine("site.zip"));
            var zip = TrainingSource.Load(tmp.Combine("site.zip"));
            var zipCache = new TrainingHashCache(tmp.Combine("cache"));
            await zip.HashAsync(S3Layout.PartSize, S3Layout.MultipartThreshold, 1, null, CancellationToken.None, zipCache);
            Assert.Equal(0, zipCache.Hits);
        }

        [Fact]
        public async Task The_hash_cache_is_written_again_only_when_it_learnt_something()
        {
            using var tmp = new TempDir();
            tmp.Write("site/a.html", "<html>aaaa</html>");
            tmp.Write("site/b.css", "body{}");
            string dir = tmp.Combine("cache");
            var first = TrainingSource.Load(tmp.Combine("site"));
            var cache = new TrainingHashCache(dir);
            await first.HashAsync(S3Layout.PartSize, S3Layout.MultipartThreshold, 1, null, CancellationToken.None, cache);
            first.SaveHashes(cache, S3Layout.PartSize);
            string file = Directory.GetFiles(dir).Single();
            DateTime old = DateTime.UtcNow.AddHours(-1);
            File.SetLastWriteTimeUtc(file, old);

            // nothing new (every hash from the cache): the file stays as it is
            var same = TrainingSource.Load(tmp.Combine("site"));
            var again = new TrainingHashCache(dir);
            same.FillFromCache(again, S3Layout.PartSize);
            same.SaveHashes(again, S3Layout.PartSize);
            Assert.Equal(2, again.Hits);
            Assert.Equal(old, File.GetLastWriteTimeUtc(file));

            // one file changed: written again, with the new hash
            File.WriteAllText(tmp.Combine("site/b.css"), "body{color:red}");
            var changed = TrainingSource.Load(tmp.Combine("site"));
            var third = new TrainingHashCache(dir);
            await changed.HashAsync(S3Layout.PartSize, S3Layout.MultipartThreshold, 1, null, CancellationToken.None, third);
            changed.SaveHashes(third, S3Layout.PartSize);
            Assert.NotEqual(old, File.GetLastWriteTimeUtc(file));
            Assert.Contains(changed.Files.Single(f => f.RelativePath == "b.css").Sha256, File.ReadAllText(file));
            Assert.Single(Directory.GetFiles(dir));   // no temp file left
        }

        [Theory]
        [InlineData("index.html", "text/html; charset=utf-8", PortalContent.RevalidateCache, PublishPhase.RootIndex)]
        [InlineData("guide/index.html", "text/html; charset=utf-8", PortalContent.RevalidateCache, PublishPhase.Index)]
        [InlineData("guide/setup.html", "text/html; charset=utf-8", PortalContent.RevalidateCache, PublishPhase.Page)]
        [InlineData("assets/app.3f9a1c2b.css", "text/css; charset=utf-8", PortalContent.ImmutableCache, PublishPhase.Asset)]
        [InlineData("assets/main-5d41402abc4b.js", "text/javascript; charset=utf-8", PortalContent.ImmutableCache, PublishPhase.Asset)]
        [InlineData("assets/logo.svg", "image/svg+xml", PortalContent.AssetCache, PublishPhase.Asset)]
        [InlineData("docs/handbook.pdf", "application/pdf", PortalContent.AssetCache, PublishPhase.Asset)]
        [InlineData("media/intro.mp4", "video/mp4", PortalContent.AssetCache, PublishPhase.Asset)]
        [InlineData("media/intro.webp", "image/webp", PortalContent.AssetCache, PublishPhase.Asset)]
        [InlineData("fonts/inter.woff2", "font/woff2", PortalContent.AssetCache, PublishPhase.Asset)]
        [InlineData("LICENSE", "application/octet-stream", PortalContent.AssetCache, PublishPhase.Asset)]
        public void Content_type_cache_policy_and_phase_follow_the_name(string path, string type, string cache, PublishPhase phase)
        {
            Assert.Equal(type, PortalContent.ContentType(path));
            Assert.Equal(cache, PortalContent.CacheControl(path));
            Assert.Equal(phase, PortalContent.Phase(path));
        }

        [Theory]
        [InlineData("https://bucket.s3.amazonaws.com/docs")]
        [InlineData("bucket/docs")]
        [InlineData("s3://Bad_Bucket/docs")]
        [InlineData("s3://bucket/docs/../x")]
        public void A_bucket_url_that_is_not_s3_is_refused_naming_the_setting(string url)
        {
            var ex = Assert.Throws<DeployException>(() => S3PortalSettings.ParseBucketUrl(url));
            Assert.Contains("TRAINING_S3_BUCKET_URL", ex.Message);
            Assert.Equal("TrainingS3BucketUrl", ex.Target);
        }

        [Fact]
        public void A_bucket_url_splits_into_bucket_and_prefix()
        {
            Assert.Equal(("training", "portal/en"), S3PortalSettings.ParseBucketUrl("s3://training/portal/en/"));
            Assert.Equal(("training", ""), S3PortalSettings.ParseBucketUrl("s3://training"));
        }
    }
}
