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

        private static async Task<TrainingPublishResult> Publish(string source, string dir, bool delete = false, int? port = null, int keep = 3, RecordingLog? log = null,
            TrainingReleaseCache? releases = null, Action<int>? roundTrips = null)
        {
            var transport = new SshTransport(Target(port));
            using var target = new SshPortalTarget(transport, dir, keep, FastRetry.Policy, releases: releases);
            var publisher = new TrainingPublisher(target);
            var options = new TrainingPublishOptions { Delete = delete, Concurrency = 4, Environment = "test", UseRecordedState = releases != null };
            log ??= new RecordingLog();
            try
            {
                TrainingPlan plan = await publisher.PlanAsync(TrainingSource.Load(source), options, log, CancellationToken.None);
                return await publisher.ApplyAsync(plan, options, log, CancellationToken.None);
            }
            finally { roundTrips?.Invoke(transport.RoundTrips); }
        }

        /// <summary>The served release's manifest, checked against the served files' real hashes and sizes.</summary>
        private static void AssertManifestTrue(string dir)
        {
            string current = Current(dir);
            string release = Path.GetFileName(new FileInfo(current).LinkTarget!);
            var lines = File.ReadAllLines(Path.Combine(dir, "releases", release + ".manifest")).Select(l => l.Split('\t')).ToDictionary(p => p[2], p => (sha: p[0], size: long.Parse(p[1])));
            var served = Directory.GetFiles(current, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(current, f)).OrderBy(f => f, StringComparer.Ordinal).ToList();
            Assert.Equal(served, lines.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (string f in served)
            {
                byte[] bytes = File.ReadAllBytes(Path.Combine(current, f));
                Assert.Equal((Hashing.Hex(System.Security.Cryptography.SHA256.HashData(bytes)), (long)bytes.Length), lines[f]);
            }
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

        [Theory]
        [InlineData(false)]
        [InlineData(true)]   // planned against the recorded release: guard, stage, unpack, verify and switch in one script
        public async Task A_small_change_travels_inside_the_switch_script_and_a_cut_mid_script_runs_none_of_it(bool recorded)
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), 2, 10);
            TrainingReleaseCache? releases = recorded ? new TrainingReleaseCache(tmp.Combine("releases")) : null;
            string dir = NewDir();
            try
            {
                TrainingPublishResult first = await Publish(portal.Root, dir, releases: releases);
                Portal v1 = Portal.CopyOf(portal, tmp.Combine("v1"));
                portal.Write("docs/handbook.pdf", Portal.Bytes(new Random(9), 300_000));   // under the inline limit: no SFTP
                portal.Write("index.html", "<html>v2</html>");
                using (var proxy = new CutProxy(TestServers.SshPort, cutAfterBytes: 150_000))
                {
                    var lost = await Assert.ThrowsAsync<DeployException>(() => Publish(portal.Root, dir, port: proxy.Port, releases: releases));
                    Assert.Equal("TrainingWebServerConnectionLost", lost.ErrorId);
                    Assert.True(proxy.WasCut);
                }
                Assert.Equal("releases/" + first.Release, new FileInfo(Current(dir)).LinkTarget);
                AssertServes(dir, v1);
                Assert.Single(Directory.GetFiles(Path.Combine(dir, "releases"), "*.manifest"));

                int trips = 0;
                TrainingPublishResult next = await Publish(portal.Root, dir, releases: releases, roundTrips: n => trips = n);
                Assert.Equal(2, next.FilesUploaded);
                Assert.Equal(recorded ? 1 : 2, trips);
                AssertServes(dir, portal);
                AssertManifestTrue(dir);
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

        [Fact]
        public async Task A_publish_from_the_recorded_release_is_one_round_trip_and_sends_only_the_changed_lines_of_the_manifest()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), 8, 10);
            var releases = new TrainingReleaseCache(tmp.Combine("releases"));
            string dir = NewDir();
            try
            {
                int trips = 0;
                TrainingPublishResult first = await Publish(portal.Root, dir, releases: releases, roundTrips: n => trips = n);
                Assert.Equal(2, trips);   // no record yet: read, then stage + switch

                portal.Write("guide/page-02.html", "<html>page 2 v2</html>");
                portal.Write("guide/new.html", "<html>new</html>");
                portal.Delete("guide/page-05.html");
                var log = new RecordingLog();
                TrainingPublishResult second = await Publish(portal.Root, dir, delete: true, log: log, releases: releases, roundTrips: n => trips = n);
                Assert.Equal(1, trips);
                Assert.Contains("after the last publish from here", log.All);
                Assert.Equal((2, 1, portal.Files().Count() - 2), (second.FilesUploaded, second.FilesDeleted, second.FilesUnchanged));
                AssertServes(dir, portal);
                AssertManifestTrue(dir);   // built on the target from the previous one, hash-checked there
                Assert.Equal(Inode($"{dir}/releases/{first.Release}/media/onboarding.mp4"), Inode($"{dir}/releases/{second.Release}/media/onboarding.mp4"));

                // nothing changed: still one round trip (the check that the target serves the recorded release), no new release
                TrainingPublishResult same = await Publish(portal.Root, dir, delete: true, releases: releases, roundTrips: n => trips = n);
                Assert.Equal((0, 0, 1), (same.FilesUploaded, same.FilesDeleted, trips));
                Assert.Equal("releases/" + second.Release, new FileInfo(Current(dir)).LinkTarget);

                // control: without the record the same publish reads first (two round trips)
                portal.Write("index.html", "<html>v3</html>");
                await Publish(portal.Root, dir, roundTrips: n => trips = n);
                Assert.Equal(2, trips);
                AssertServes(dir, portal);
                AssertManifestTrue(dir);
            }
            finally { TestServers.Sh($"rm -rf '{dir}'"); }
        }

        [Fact]
        public async Task Changed_and_removed_files_are_unlinked_as_arguments_or_through_xargs_whatever_their_names()
        {
            // A few changed paths are arguments of one rm in the switch script, many go through xargs: both with names
            // the shell must not split or expand (spaces, quotes, $, a leading dash), and new folders the tar creates.
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), 4, 10);
            string[] odd = { "guide/it's a page.html", "guide/$HOME `x`.html", "guide/-dash.html", "new folder/deep/a b.css" };
            foreach (string f in odd.Take(3)) portal.Write(f, "<html>" + f + "</html>");
            int many = SshPortalTarget.ArgumentPaths + 6;
            for (int i = 0; i < many; i++) portal.Write($"bulk/p{i:000}.html", $"<html>{i}</html>");
            var releases = new TrainingReleaseCache(tmp.Combine("releases"));
            string dir = NewDir();
            try
            {
                await Publish(portal.Root, dir, releases: releases);
                AssertServes(dir, portal);

                // few: two odd names changed, one removed, one new in new folders (one round trip, arguments)
                portal.Write(odd[0], "<html>v2</html>");
                portal.Write(odd[1], "<html>v2</html>");
                portal.Delete(odd[2]);
                portal.Write(odd[3], "b { }");
                int trips = 0;
                TrainingPublishResult few = await Publish(portal.Root, dir, delete: true, releases: releases, roundTrips: n => trips = n);
                Assert.Equal((3, 1, 1), (few.FilesUploaded, few.FilesDeleted, trips));
                AssertServes(dir, portal);
                AssertManifestTrue(dir);

                // many: more changed paths than one command's arguments take (xargs)
                for (int i = 0; i < many; i++) portal.Write($"bulk/p{i:000}.html", $"<html>{i} v2</html>");
                portal.Delete(odd[0]);
                TrainingPublishResult lots = await Publish(portal.Root, dir, delete: true, releases: releases, roundTrips: n => trips = n);
                Assert.Equal((many, 1, 1), (lots.FilesUploaded, lots.FilesDeleted, trips));
                AssertServes(dir, portal);
                AssertManifestTrue(dir);
            }
            finally { TestServers.Sh($"rm -rf '{dir}'"); }
        }

        [Fact]
        public async Task A_target_that_no_longer_serves_the_recorded_release_is_caught_and_the_publish_planned_again_against_it()
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), 6, 10);
            var here = new TrainingReleaseCache(tmp.Combine("here"));
            var elsewhere = new TrainingReleaseCache(tmp.Combine("elsewhere"));
            string dir = NewDir();
            try
            {
                TrainingPublishResult v1 = await Publish(portal.Root, dir, releases: here);
                // another machine publishes v2 (this machine's record still says v1)
                portal.Write("guide/page-01.html", "<html>page 1 v2</html>");
                portal.Write("guide/page-03.html", "<html>page 3 v2</html>");
                TrainingPublishResult v2 = await Publish(portal.Root, dir, releases: elsewhere);
                Portal served2 = Portal.CopyOf(portal, tmp.Combine("v2"));

                // v3 from here, planned against the stale record (v1): page-01 and page-03 differ from v1 but not from v2
                portal.Write("guide/page-04.html", "<html>page 4 v3</html>");
                int trips = 0;
                var log = new RecordingLog();
                TrainingPublishResult v3 = await Publish(portal.Root, dir, log: log, releases: here, roundTrips: n => trips = n);
                Assert.Contains($"serves release {v2.Release}, not {v1.Release}", log.All);
                Assert.Equal(2, trips);                       // the guarded script (changed nothing), then the real one
                Assert.Equal(1, v3.FilesUploaded);            // planned again against v2: only page-04
                AssertServes(dir, portal);
                AssertManifestTrue(dir);
                Assert.Equal(Inode($"{dir}/releases/{v2.Release}/guide/page-01.html"), Inode($"{dir}/releases/{v3.Release}/guide/page-01.html"));

                // the target rolled back by hand to v2 while this machine's record says v3, the source unchanged:
                // "nothing changed" against the record, but the check finds v2 and page-04 is published again
                TestServers.Sh($"ln -sfn releases/{v2.Release} '{dir}/.rollback' && mv -T '{dir}/.rollback' '{dir}/current'");
                AssertServes(dir, served2);
                log = new RecordingLog();
                TrainingPublishResult again = await Publish(portal.Root, dir, log: log, releases: here, roundTrips: n => trips = n);
                Assert.Contains($"serves release {v2.Release}, not {v3.Release}", log.All);
                Assert.Equal((1, 2), (again.FilesUploaded, trips));
                AssertServes(dir, portal);
                AssertManifestTrue(dir);

                // a record whose manifest differs from the release's (same id) is not trusted either
                string manifestFile = Path.Combine(dir, "releases", again.Release + ".manifest");
                TestServers.Sh($"printf 'x\\n' >> '{manifestFile}'");
                log = new RecordingLog();
                TrainingPublishResult tampered = await Publish(portal.Root, dir, log: log, releases: here, roundTrips: n => trips = n);
                Assert.Contains($"serves release {again.Release} with another manifest than the one recorded", log.All);
                Assert.Equal((0, 1), (tampered.FilesUploaded, trips));   // read as served: nothing to change
            }
            finally { TestServers.Sh($"rm -rf '{dir}'"); }
        }
    }
}
