using System.Diagnostics;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.Tests.Deploy;
using InfluenceGen.Deploy.Tests.Harness;
using InfluenceGen.Deploy.Training;

namespace InfluenceGen.Deploy.Tests.Training
{
    /// <summary>
    /// The web-server target against the real sshd of tests/setup/20-sshd.sh: release folders, unchanged
    /// files hard-linked, only changes sent, the manifest of hashes, the atomic current switch, pruning,
    /// and a connection killed mid-upload.
    /// </summary>
    public class SshPublishTests
    {
        private static SshTarget Target(int? port = null) => new SshTarget
        {
            Host = TestServers.SshHost, Port = port ?? TestServers.SshPort, User = TestServers.SshUser,
            PrivateKey = File.ReadAllText(TestServers.SshKey), HostKeyFingerprint = TestServers.Fingerprint,
            SettingNames = TrainingSettings.SshNames,
        };

        private static async Task<TrainingPublishResult> Publish(string source, string dir, bool delete = false, int? port = null, int keep = 3, RecordingLog? log = null)
        {
            using var target = new SshPortalTarget(new SshTransport(Target(port)), dir, keep, FastRetry.Policy);
            var publisher = new TrainingPublisher(target);
            var options = new TrainingPublishOptions { Delete = delete, Concurrency = 4, Environment = "test" };
            log ??= new RecordingLog();
            TrainingPlan plan = await publisher.PlanAsync(TrainingSource.Load(source), options, log, CancellationToken.None);
            return await publisher.ApplyAsync(plan, options, log, CancellationToken.None);
        }

        private static string NewDir() => Path.Combine(TestServers.SshHome, "portal-" + Guid.NewGuid().ToString("N").Substring(0, 10));

        private static string Current(string dir) => Path.Combine(dir, "current");

        private static void AssertServes(string dir, Portal portal)
        {
            string current = Current(dir);
            var served = Directory.GetFiles(current, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(current, f)).OrderBy(f => f, StringComparer.Ordinal);
            Assert.Equal(portal.Files(), served);
            foreach (string f in portal.Files()) Assert.Equal(portal.Read(f), File.ReadAllBytes(Path.Combine(current, f)));
        }

        private static long Inode(string path)
        {
            var (code, output) = TestServers.Sh($"stat -c %i '{path}'");
            Assert.Equal(0, code);
            return long.Parse(output.Trim());
        }

        [Fact]
        public async Task Each_publish_is_a_new_release_with_unchanged_files_hard_linked_and_current_switched()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"));
            string dir = NewDir();
            try
            {
                TrainingPublishResult first = await Publish(portal.Root, dir);
                Assert.Equal(portal.Files().Count(), first.FilesUploaded);
                Assert.Equal("releases/" + first.Release, new FileInfo(Current(dir)).LinkTarget);
                AssertServes(dir, portal);
                string manifest = File.ReadAllText(Path.Combine(dir, "releases", first.Release + ".manifest"));
                Assert.Contains("\t" + portal.Read("media/onboarding.mp4").Length + "\tmedia/onboarding.mp4\n", manifest);

                portal.Write("guide/page-02.html", "<html>page 2 v2</html>");
                portal.Delete("guide/page-05.html");
                TrainingPublishResult second = await Publish(portal.Root, dir, delete: true);
                Assert.Equal((1, 1, portal.Files().Count() - 1), (second.FilesUploaded, second.FilesDeleted, second.FilesUnchanged));
                Assert.Equal(portal.Read("guide/page-02.html").Length, second.BytesSent);
                Assert.NotEqual(first.Release, second.Release);
                AssertServes(dir, portal);
                // the unchanged video did not travel: it is the same inode in both releases
                Assert.Equal(Inode($"{dir}/releases/{first.Release}/media/onboarding.mp4"), Inode($"{dir}/releases/{second.Release}/media/onboarding.mp4"));
                // the old release is untouched (a rollback target)
                Assert.Equal("<html>page 2</html>", File.ReadAllText($"{dir}/releases/{first.Release}/guide/page-02.html"));
                Assert.True(File.Exists($"{dir}/releases/{first.Release}/guide/page-05.html"));

                // nothing changed: no new release
                TrainingPublishResult same = await Publish(portal.Root, dir, delete: true);
                Assert.Equal(0, same.FilesUploaded + same.FilesDeleted);
                Assert.Equal("releases/" + second.Release, new FileInfo(Current(dir)).LinkTarget);

                // keep 3: the oldest goes once a fourth and fifth exist
                for (int i = 0; i < 3; i++) { portal.Write("index.html", $"<html>v{i}</html>"); await Publish(portal.Root, dir, keep: 3); }
                string[] releases = Directory.GetDirectories(Path.Combine(dir, "releases")).Select(Path.GetFileName).Where(n => !n!.StartsWith(".")).ToArray()!;
                Assert.Equal(3, releases.Length);
                Assert.DoesNotContain(first.Release, releases);
                Assert.False(File.Exists(Path.Combine(dir, "releases", first.Release + ".manifest")));
                AssertServes(dir, portal);
            }
            finally { TestServers.Sh($"rm -rf '{dir}'"); }
        }

        [Fact]
        public async Task A_connection_killed_mid_upload_leaves_the_previous_release_served_and_the_next_run_completes_it()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"));
            string dir = NewDir();
            try
            {
                TrainingPublishResult first = await Publish(portal.Root, dir);
                Portal v1 = Portal.CopyOf(portal, tmp.Combine("v1"));

                portal.Write("media/onboarding.mp4", Portal.Bytes(new Random(3), 9 * 1024 * 1024));
                portal.Write("index.html", "<html>v2</html>");
                using (var proxy = new CutProxy(TestServers.SshPort, cutAfterBytes: 3_000_000))
                {
                    TrainingPublishResult cut = await Publish(portal.Root, dir, port: proxy.Port);
                    Assert.True(proxy.WasCut);
                    Assert.False(cut.Succeeded);
                    Assert.Equal("", cut.Release);
                }
                Assert.Equal("releases/" + first.Release, new FileInfo(Current(dir)).LinkTarget);
                AssertServes(dir, v1);

                TrainingPublishResult next = await Publish(portal.Root, dir);
                Assert.True(next.Succeeded);
                Assert.Equal(2, next.FilesUploaded);
                AssertServes(dir, portal);
            }
            finally { TestServers.Sh($"rm -rf '{dir}'"); }
        }

        [Fact]
        public async Task A_small_change_travels_inside_the_switch_script_and_a_cut_mid_script_runs_none_of_it()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), 2, 10);
            string dir = NewDir();
            try
            {
                TrainingPublishResult first = await Publish(portal.Root, dir);
                Portal v1 = Portal.CopyOf(portal, tmp.Combine("v1"));
                portal.Write("docs/handbook.pdf", Portal.Bytes(new Random(9), 300_000));   // under the inline limit: no SFTP
                portal.Write("index.html", "<html>v2</html>");
                using (var proxy = new CutProxy(TestServers.SshPort, cutAfterBytes: 150_000))
                {
                    var lost = await Assert.ThrowsAsync<DeployException>(() => Publish(portal.Root, dir, port: proxy.Port));
                    Assert.Equal("TrainingWebServerConnectionLost", lost.ErrorId);
                    Assert.True(proxy.WasCut);
                }
                Assert.Equal("releases/" + first.Release, new FileInfo(Current(dir)).LinkTarget);
                AssertServes(dir, v1);
                Assert.Single(Directory.GetFiles(Path.Combine(dir, "releases"), "*.manifest"));

                TrainingPublishResult next = await Publish(portal.Root, dir);
                Assert.Equal(2, next.FilesUploaded);
                AssertServes(dir, portal);
            }
            finally { TestServers.Sh($"rm -rf '{dir}'"); }
        }

        [Fact]
        public async Task A_host_key_that_does_not_match_is_refused_naming_the_setting_and_nothing_is_written()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), 1, 10);
            string dir = NewDir();
            SshTarget target = Target();
            target.HostKeyFingerprint = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
            using var portalTarget = new SshPortalTarget(new SshTransport(target), dir, 3, FastRetry.Policy);
            var ex = await Assert.ThrowsAsync<DeployException>(() => new TrainingPublisher(portalTarget).PlanAsync(TrainingSource.Load(portal.Root), new TrainingPublishOptions(), new RecordingLog(), CancellationToken.None));
            Assert.Equal("SshHostKeyRejected", ex.ErrorId);
            Assert.Contains("TRAINING_PORTAL_SSH_HOST_KEY", ex.Message);
            Assert.False(Directory.Exists(dir));
        }
    }
}
