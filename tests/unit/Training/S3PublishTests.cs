using System.Security.Cryptography;
using System.Text;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Tests.Harness;
using InfluenceGen.Deploy.Training;

namespace InfluenceGen.Deploy.Tests.Training
{
    /// <summary>
    /// The S3 target against the real S3-compatible server (fauxqs on 127.0.0.1, tests/setup/25-fauxqs.sh),
    /// through AWSSDK.S3: objects are read back (bytes, Content-Type, metadata), the request order is
    /// observed on the wire, and a connection cut mid-upload is survived.
    /// </summary>
    public class S3PublishTests
    {
        private static async Task<TrainingPublishResult> Publish(string source, S3PortalSettings settings, bool delete = false, RecordingLog? log = null, InfluenceGen.Deploy.Infrastructure.RetryPolicy? retry = null, int concurrency = 4, TrainingHashCache? cache = null)
        {
            using var target = new S3PortalTarget(settings, retry ?? FastRetry.Policy);
            var publisher = new TrainingPublisher(target);
            var options = new TrainingPublishOptions { Delete = delete, Concurrency = concurrency, Environment = "test", HashCache = cache };
            TrainingPlan plan = await publisher.PlanAsync(TrainingSource.Load(source), options, log ?? new RecordingLog(), CancellationToken.None);
            return await publisher.ApplyAsync(plan, options, log ?? new RecordingLog(), CancellationToken.None);
        }

        [Fact]
        public async Task A_first_publish_uploads_every_file_with_its_type_cache_policy_hash_and_bytes()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"));
            string bucket = S3Server.NewBucket();

            TrainingPublishResult r = await Publish(portal.Root, S3Server.Settings(bucket, "portal/v1"));

            Assert.True(r.Succeeded);
            Assert.Equal(portal.Files().Count(), r.FilesUploaded);
            Assert.Equal(0, r.FilesUnchanged);
            var objects = S3Server.List(bucket);
            Assert.Equal(portal.Files().Select(f => "portal/v1/" + f), objects.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (string f in portal.Files())
            {
                var (bytes, type, meta) = S3Server.Get(bucket, "portal/v1/" + f);
                Assert.Equal(portal.Read(f), bytes);
                Assert.Equal(PortalContent.ContentType(f), type);
                Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), meta["sha256"]);
            }
            Assert.Equal("text/html; charset=utf-8", S3Server.Get(bucket, "portal/v1/index.html").ContentType);
            Assert.Equal("video/mp4", S3Server.Get(bucket, "portal/v1/media/onboarding.mp4").ContentType);
            Assert.Equal("font/woff2", S3Server.Get(bucket, "portal/v1/assets/fonts/inter.woff2").ContentType);
            Assert.Equal("image/webp", S3Server.Get(bucket, "portal/v1/media/intro.webp").ContentType);
            Assert.Equal("application/pdf", S3Server.Get(bucket, "portal/v1/docs/handbook.pdf").ContentType);
            // the 9 MiB video went multipart: the server's ETag is md5-of-part-md5s-2, which we computed alike
            Assert.EndsWith("-2\"", objects["portal/v1/media/onboarding.mp4"].ETag);
            var src = TrainingSource.Load(portal.Root);
            await src.HashAsync(S3Layout.PartSize, S3Layout.MultipartThreshold, 1, null, CancellationToken.None);
            Assert.Equal(objects["portal/v1/media/onboarding.mp4"].ETag.Trim('"'), src.Files.Single(f => f.RelativePath == "media/onboarding.mp4").ETag);
            Assert.Equal(objects["portal/v1/index.html"].ETag.Trim('"'), src.Files.Single(f => f.RelativePath == "index.html").ETag);
        }

        [Fact]
        public async Task Only_changed_files_travel_and_the_order_is_assets_pages_index_then_deletions()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"));
            string bucket = S3Server.NewBucket();
            S3Server.Put(bucket, "docs-old/keep.html", "outside the prefix: never touched");
            S3Server.Put(bucket, "other.html", "outside the prefix: never touched");
            await Publish(portal.Root, S3Server.Settings(bucket, "docs"));

            // nothing changed: nothing travels
            TrainingPublishResult same = await Publish(portal.Root, S3Server.Settings(bucket, "docs"), delete: true);
            Assert.Equal((0, portal.Files().Count(), 0), (same.FilesUploaded, same.FilesUnchanged, same.FilesDeleted));
            Assert.Equal(0, same.BytesSent);

            // a new asset, a changed page, a changed index, one file gone
            portal.Write("assets/app.0badc0ffee.css", "body { color: red }");
            portal.Write("guide/page-03.html", "<html>page 3, revised</html>");
            portal.Write("index.html", "<html><link href=\"assets/app.0badc0ffee.css\"></html>");
            portal.Delete("assets/app.1a2b3c4d5e.css");
            int port = new Uri(S3Server.Endpoint).Port;
            using var proxy = new CutProxy(port);
            TrainingPublishResult r = await Publish(portal.Root, S3Server.Settings(bucket, "docs", $"http://127.0.0.1:{proxy.Port}"), delete: true);

            Assert.True(r.Succeeded);
            Assert.Equal(3, r.FilesUploaded);
            Assert.Equal(1, r.FilesDeleted);
            Assert.Equal(portal.Files().Count() - 3, r.FilesUnchanged);
            var writes = proxy.Requests.Where(q => !q.StartsWith("GET") && !q.StartsWith("HEAD")).ToList();
            Assert.Equal(new[] { "PUT /" + bucket + "/docs/assets/app.0badc0ffee.css", "PUT /" + bucket + "/docs/guide/page-03.html", "PUT /" + bucket + "/docs/index.html" },
                writes.Take(3).Select(w => w.Split('?')[0]));
            Assert.StartsWith("POST /" + bucket + "/?delete", writes[3]);
            Assert.Equal(4, writes.Count);

            // Cache-Control as sent (fauxqs does not keep it): pages revalidate, content-hashed assets are immutable
            string Head(string key) => proxy.Heads.Single(h => h.StartsWith("PUT /" + bucket + "/docs/" + key, StringComparison.Ordinal)).ToLowerInvariant();
            Assert.Contains("cache-control: public, max-age=0, must-revalidate", Head("index.html"));
            Assert.Contains("cache-control: public, max-age=31536000, immutable", Head("assets/app.0badc0ffee.css"));
            Assert.Contains("content-type: text/css; charset=utf-8", Head("assets/app.0badc0ffee.css"));
            Assert.Contains("x-amz-meta-sha256: ", Head("guide/page-03.html"));

            var objects = S3Server.List(bucket);
            Assert.DoesNotContain("docs/assets/app.1a2b3c4d5e.css", objects.Keys);
            Assert.Contains("docs-old/keep.html", objects.Keys);
            Assert.Contains("other.html", objects.Keys);
            Assert.Equal(portal.Read("index.html"), S3Server.Get(bucket, "docs/index.html").Bytes);
        }

        [Fact]
        public async Task A_connection_cut_mid_upload_leaves_the_previous_portal_served_and_the_next_run_completes_it()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), bigBytes: 12 * 1024 * 1024);
            string bucket = S3Server.NewBucket();
            await Publish(portal.Root, S3Server.Settings(bucket, "p"));
            byte[] oldIndex = portal.Read("index.html"), oldPage = portal.Read("guide/page-01.html");

            // v2: a new video (12 MiB, multipart) and new pages; the connection dies 5 MB into the upload
            portal.Write("media/onboarding.mp4", Portal.Bytes(new Random(7), 12 * 1024 * 1024));
            portal.Write("guide/page-01.html", "<html>page 1 v2</html>");
            portal.Write("index.html", "<html>v2</html>");
            portal.Delete("docs/handbook.pdf");
            int port = new Uri(S3Server.Endpoint).Port;
            using (var proxy = new CutProxy(port, cutAfterBytes: 5_000_000))
            {
                TrainingPublishResult failed = await Publish(portal.Root, S3Server.Settings(bucket, "p", $"http://127.0.0.1:{proxy.Port}"), delete: true);
                Assert.True(proxy.WasCut);
                Assert.False(failed.Succeeded);
                Assert.Equal("TrainingS3Unreachable", failed.Files.First(f => f.Status == "Failed").ErrorId);
                Assert.All(failed.Files.Where(f => f.Phase != PublishPhase.Asset && f.Action != TrainingFileAction.Unchanged), f => Assert.Equal("Skipped", f.Status));
            }
            // readers still get v1: the old index, the old pages, the PDF they link to
            Assert.Equal(oldIndex, S3Server.Get(bucket, "p/index.html").Bytes);
            Assert.Equal(oldPage, S3Server.Get(bucket, "p/guide/page-01.html").Bytes);
            Assert.Contains("p/docs/handbook.pdf", S3Server.List(bucket).Keys);

            TrainingPublishResult next = await Publish(portal.Root, S3Server.Settings(bucket, "p"), delete: true);
            Assert.True(next.Succeeded);
            Assert.Equal(1, next.FilesDeleted);
            var objects = S3Server.List(bucket, "p/");
            Assert.Equal(portal.Files().Select(f => "p/" + f), objects.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (string f in portal.Files()) Assert.Equal(portal.Read(f), S3Server.Get(bucket, "p/" + f).Bytes);
        }

        [Fact]
        public async Task Acl_and_server_side_encryption_go_with_every_upload()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), 1);
            string bucket = S3Server.NewBucket();
            using var proxy = new CutProxy(new Uri(S3Server.Endpoint).Port);
            S3PortalSettings settings = S3Server.Settings(bucket, "acl", $"http://127.0.0.1:{proxy.Port}");
            settings.Acl = "public-read";
            settings.ServerSideEncryption = "AES256";
            TrainingPublishResult r = await Publish(portal.Root, settings);
            Assert.True(r.Succeeded);
            // every single-part PUT and every multipart start (POST ?uploads) carries them; parts do not need to
            var creating = proxy.Heads.Where(h => (h.StartsWith("PUT ") && !h.Contains("partNumber=")) || (h.StartsWith("POST ") && h.Contains("?uploads"))).Select(h => h.ToLowerInvariant()).ToList();
            Assert.Equal(portal.Files().Count(), creating.Count);
            Assert.All(creating, h => Assert.Contains("x-amz-acl: public-read", h));
            Assert.All(creating, h => Assert.Contains("x-amz-server-side-encryption: aes256", h));
        }

        [Fact]
        public async Task A_zip_source_publishes_the_same_objects_as_its_folder()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"));
            string zip = portal.Zip(tmp.Combine("training_docs.zip"));
            string bucket = S3Server.NewBucket();
            TrainingPublishResult r = await Publish(zip, S3Server.Settings(bucket, ""));
            Assert.Equal(portal.Files().Count(), r.FilesUploaded);
            foreach (string f in portal.Files()) Assert.Equal(portal.Read(f), S3Server.Get(bucket, f).Bytes);
            // the folder compares equal to what the zip published
            TrainingPublishResult again = await Publish(portal.Root, S3Server.Settings(bucket, ""));
            Assert.Equal(0, again.FilesUploaded);
        }

        [Fact]
        public async Task Objects_uploaded_by_another_tool_with_another_part_size_compare_by_the_kept_hash()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"));
            string bucket = S3Server.NewBucket();
            await Publish(portal.Root, S3Server.Settings(bucket, "x"));
            // re-upload the video in parts of 5 MiB instead of 8 (another ETag) keeping our metadata, like a copy would
            byte[] video = portal.Read("media/onboarding.mp4");
            using (var c = S3Server.Client())
            {
                var init = await c.InitiateMultipartUploadAsync(new Amazon.S3.Model.InitiateMultipartUploadRequest { BucketName = bucket, Key = "x/media/onboarding.mp4" , Metadata = { ["sha256"] = Convert.ToHexString(SHA256.HashData(video)).ToLowerInvariant() } });
                var parts = new List<Amazon.S3.Model.PartETag>();
                for (int i = 0, n = 1; i < video.Length; i += 5 * 1024 * 1024, n++)
                {
                    int len = Math.Min(5 * 1024 * 1024, video.Length - i);
                    var p = await c.UploadPartAsync(new Amazon.S3.Model.UploadPartRequest { BucketName = bucket, Key = "x/media/onboarding.mp4", UploadId = init.UploadId, PartNumber = n, InputStream = new MemoryStream(video, i, len), PartSize = len });
                    parts.Add(new Amazon.S3.Model.PartETag(n, p.ETag));
                }
                await c.CompleteMultipartUploadAsync(new Amazon.S3.Model.CompleteMultipartUploadRequest { BucketName = bucket, Key = "x/media/onboarding.mp4", UploadId = init.UploadId, PartETags = parts });
            }
            Assert.EndsWith("-2\"", S3Server.List(bucket)["x/media/onboarding.mp4"].ETag);
            TrainingPublishResult r = await Publish(portal.Root, S3Server.Settings(bucket, "x"));
            Assert.Equal(0, r.FilesUploaded);
        }

        [Fact]
        public async Task An_object_stored_with_other_bytes_than_were_hashed_fails_the_publish_before_the_pages()
        {
            // Uploads carry no CRC32 trailer (RequestChecksumCalculation WHEN_REQUIRED); instead the ETag S3
            // answers must be the MD5 of the bytes hashed here. Provoked with a stale hash cache: same size and
            // modification time, other bytes.
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), 2, 10);
            string bucket = S3Server.NewBucket();
            var cache = new TrainingHashCache(tmp.Combine("cache"));
            Assert.True((await Publish(portal.Root, S3Server.Settings(bucket, "portal"), cache: cache)).Succeeded);

            string css = Path.Combine(portal.Root, "assets", "app.1a2b3c4d5e.css");
            DateTime modified = File.GetLastWriteTimeUtc(css);
            byte[] bytes = File.ReadAllBytes(css);
            bytes[0] ^= 0x20;
            File.WriteAllBytes(css, bytes);
            File.SetLastWriteTimeUtc(css, modified);
            using (var client = S3Server.Client()) await client.DeleteObjectAsync(bucket, "portal/assets/app.1a2b3c4d5e.css");   // so it must travel
            portal.Write("index.html", "<html>v2</html>");

            TrainingPublishResult r = await Publish(portal.Root, S3Server.Settings(bucket, "portal"), cache: cache);
            Assert.False(r.Succeeded);
            TrainingFileResult failed = r.Files.Single(f => f.Status == "Failed");
            Assert.Equal(("assets/app.1a2b3c4d5e.css", "TrainingS3UploadMismatch"), (failed.Path, failed.ErrorId));
            Assert.Contains("stale hash cache", failed.Error);
            Assert.Equal("Skipped", r.Files.Single(f => f.Path == "index.html").Status);
            Assert.NotEqual(portal.Read("index.html"), S3Server.Get(bucket, "portal/index.html").Bytes);

            // control: hashed afresh, the same publish goes through
            TrainingPublishResult fresh = await Publish(portal.Root, S3Server.Settings(bucket, "portal"));
            Assert.True(fresh.Succeeded);
            Assert.Equal(portal.Read("index.html"), S3Server.Get(bucket, "portal/index.html").Bytes);
        }
    }
}
