using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using Xunit;

namespace InfluenceGen.Deploy.Tests.Deploy
{
    /// <summary>Deploys over the real sshd into the real PostgreSQL, with the stand-in odoo on the target.</summary>
    public class DeployServiceTests
    {
        private static DeployRequest Request(string package, string? cr = null) => new DeployRequest { Package = DeployPackage.Open(package), User = "tester", ChangeRequestId = cr };

        private static DeploymentRecord Deploy(DeployTarget t, string package, RecordingLog? log = null, ITargetTransport? transport = null, INotifier? notifier = null)
        {
            using ITargetTransport tr = transport ?? t.Ssh();
            return t.Service(tr, notifier: notifier).DeployAsync(Request(package), log ?? new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
        }

        private static DeployException DeployFails(DeployTarget t, string package, ITargetTransport? transport = null, IChangeGate? gate = null, INotifier? notifier = null, string? cr = null, RecordingLog? log = null)
        {
            using ITargetTransport tr = transport ?? t.Ssh();
            return Assert.ThrowsAny<DeployException>(() => t.Service(tr, gate, notifier).DeployAsync(Request(package, cr), log ?? new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
        }

        [Fact]
        public void FirstDeployInstallsEverythingAndAnUnchangedRedeployRunsNoOdooCommandInThreeRoundTrips()
        {
            using var t = new DeployTarget();
            using var addons = new AddonSet(3);
            string pkg = addons.Build("v1.zip");

            DeploymentRecord first = Deploy(t, pkg);
            Assert.Equal("Succeeded", first.Status);
            Assert.Equal(addons.Names, first.Installed);
            Assert.Empty(first.Upgraded);
            Assert.All(t.Modules().Values, v => Assert.Equal("installed/17.0.1.0.0", v));
            Assert.Equal("releases/" + first.Release, t.Current);
            Assert.True(File.Exists($"{t.Root}/releases/{first.Release}/ig_gen_01/__manifest__.py"));
            Assert.False(t.Locked);
            Assert.Contains("ig_gen_02", t.StoredChecksums);
            Assert.Equal(1, t.OdooCalls);
            Assert.Single(t.LedgerLines);

            using var ssh = t.Ssh();
            DeploymentRecord again = Deploy(t, pkg, transport: ssh);
            Assert.Equal("Unchanged", again.Status);
            Assert.Empty(again.Installed); Assert.Empty(again.Upgraded);
            Assert.Equal(addons.Names, again.Unchanged);
            Assert.Equal(1, t.OdooCalls);                 // no Odoo command ran
            Assert.True(ssh.RoundTrips <= 3, $"{ssh.RoundTrips} round trips");
            Assert.Equal(first.Release, again.Release);
            Assert.Equal(2, t.LedgerLines.Length);
            Assert.True(DeploymentLedger.Parse(string.Join("\n", t.LedgerLines), true).All(r => r.Verified == true));
        }

        [Fact]
        public void ChangingOneAddonOutOfTwentyUpgradesExactlyThatAddon()
        {
            using var t = new DeployTarget();
            using var addons = new AddonSet(20);
            Deploy(t, addons.Build("v1.zip"));
            addons.Write("ig_gen_07", "1.0.0", "# v2: a changed model\n");
            DeploymentRecord second = Deploy(t, addons.Build("v2.zip"));
            Assert.Equal("Succeeded", second.Status);
            Assert.Equal(new[] { "ig_gen_07" }, second.Upgraded);
            Assert.Empty(second.Installed);
            Assert.Equal(19, second.Unchanged.Length);
            Assert.Contains("-u ig_gen_07 ", File.ReadAllLines(t.State + "/calls.log").Last() + " ");
            Assert.NotNull(second.Backup);
            Assert.True(File.Exists(second.Backup));
        }

        [Fact]
        public void TranslationsOfInactiveLanguagesDoNotCauseAnUpgrade()
        {
            using var t = new DeployTarget();
            using var addons = new AddonSet(2);
            Deploy(t, addons.Build("v1.zip"));
            addons.Write("ig_gen_01", "1.0.0", "# v1\n", "i18n/fr.po", "msgid \"x\"\nmsgstr \"changed\"\n"); // fr_FR is inactive
            addons.Write("ig_gen_02", "1.0.0", "# v1\n", "i18n/de.po", "msgid \"x\"\nmsgstr \"geändert\"\n"); // de_DE is active
            DeploymentRecord second = Deploy(t, addons.Build("v2.zip"));
            Assert.Equal(new[] { "ig_gen_02" }, second.Upgraded);
            Assert.Equal(new[] { "ig_gen_01" }, second.Unchanged);
        }

        private static (DeployTarget t, AddonSet addons, DeploymentRecord first, string v2) Deployed()
        {
            var t = new DeployTarget();
            var addons = new AddonSet(3);
            DeploymentRecord first = Deploy(t, addons.Build("v1.zip"));
            addons.Write("ig_gen_02", "1.1.0", "# v2\n");
            return (t, addons, first, addons.Build("v2.zip"));
        }

        private static void AssertPreviousStateKept(DeployTarget t, DeploymentRecord first, string status, string failedStep)
        {
            Assert.Equal("releases/" + first.Release, t.Current);
            Assert.All(t.Modules().Values, v => Assert.Equal("installed/17.0.1.0.0", v));
            Assert.False(t.Locked, "the lock must be free");
            DeploymentRecord last = t.LastEntry;
            Assert.Equal(status, last.Status);
            Assert.Equal(failedStep, last.FailedStep);
            Assert.Equal(first.Release, last.ActiveRelease);
            Assert.True(last.Verified);
            // the release this run extracted is gone; the baseline of the first deploy (something to go back to) stays
            Assert.Equal(new[] { first.Release }, Directory.GetDirectories(t.Root + "/releases").Select(Path.GetFileName).Where(n => n != ".baseline").ToArray());
            Assert.Empty(Directory.GetFiles(t.Root + "/releases"));
        }

        [Theory]
        [InlineData("upgrade", "odoo", "OdooUpgradeFailed")]
        [InlineData("restart", "restart", "RestartFailed")]
        [InlineData("health", "health", "HealthCheckFailed")]
        public void AFailureAfterTheSwitchRollsCodeAndDatabaseBack(string failAt, string step, string errorId)
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                var notifier = new RecordingNotifier();
                // restart / health fail only during the deploy (once): the rollback's restart and health must work again
                t.FailAt(failAt == "upgrade" ? failAt : failAt + "-once");
                DeployException ex = DeployFails(t, v2, notifier: notifier);
                Assert.Equal(errorId, ex.ErrorId);
                Assert.Contains($"step '{step}'", ex.Message);
                Assert.Contains("rolled back to " + first.Release, ex.Message);
                AssertPreviousStateKept(t, first, "RolledBack", step);
                Assert.True(t.LastEntry.DatabaseRestored);   // an install/upgrade ran: the backup is restored
                Assert.Contains(notifier.Notices, n => n.Level == NoticeLevel.Critical && n.Title.Contains(step));
            }
        }

        [Fact]
        public void HealthThatAnswers200WithoutADatabaseIsNotHealthy()
        {
            // Odoo 17.0 (May 2024) answers /web/health 200 "pass" with PostgreSQL down and lists no database.
            using var server = new FakeOdooHttp(healthCode: 200, healthBody: "{\"status\": \"pass\"}", databaseList: "[]");
            var check = new HealthCheck(new HttpClient(), _ => Task.FromResult(true)) { Interval = TimeSpan.FromMilliseconds(100) };
            string? reason = check.WaitHealthyAsync(server.Url, TimeSpan.FromSeconds(1), NullDeployLog.Instance, CancellationToken.None).GetAwaiter().GetResult();
            Assert.NotNull(reason);
            Assert.Contains("no database", reason);
            using var newer = new FakeOdooHttp(healthCode: 500, healthBody: "{\"status\": \"fail\", \"db_server_status\": false}", databaseList: "[\"db\"]");
            reason = check.WaitHealthyAsync(newer.Url, TimeSpan.FromSeconds(1), NullDeployLog.Instance, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Contains("500", reason);
            using var good = new FakeOdooHttp(healthCode: 200, healthBody: "{\"status\": \"pass\"}", databaseList: "[\"db\"]");
            Assert.Null(check.WaitHealthyAsync(good.Url, TimeSpan.FromSeconds(1), NullDeployLog.Instance, CancellationToken.None).GetAwaiter().GetResult());
        }

        [Fact]
        public void AChecksumMismatchOnTheTargetExtractsNothing()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                var faulty = new FaultyTransport(t.Ssh()) { WrapUpload = s => new TrapStream(s, 100, null, flip: true) };
                DeployException ex = DeployFails(t, v2, faulty);
                Assert.Equal("PackageChecksumMismatch", ex.ErrorId);
                AssertPreviousStateKept(t, first, "Failed", "verify");
            }
        }

        [Fact]
        public void TheSshConnectionDroppedDuringUploadLeavesThePreviousReleaseAndFreesTheLock()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                // make the package big enough to be mid-upload when the connection is cut
                addons.Write("ig_gen_03", "1.0.0", "# v1\n", "data/big.bin", Convert.ToBase64String(RandomBytes(600_000)));
                string big = addons.Build("v3.zip");
                SshTransport ssh = t.Ssh();
                var faulty = new FaultyTransport(ssh) { WrapUpload = s => new TrapStream(s, 200_000, () => ssh.Disconnect()) };
                DeployException ex = DeployFails(t, big, faulty);
                Assert.Equal("UploadFailed", ex.ErrorId);
                AssertPreviousStateKept(t, first, "Failed", "upload");
            }
        }

        private static byte[] RandomBytes(int n) { var b = new byte[n]; new Random(42).NextBytes(b); return b; }

        [Fact]
        public void AnUnsafeZipEntryIsRefusedBeforeAnythingIsSent()
        {
            using var dir = new Harness.TempDir();
            string zip = dir.Combine("evil.zip");
            using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
            {
                using (var w = new StreamWriter(archive.CreateEntry("influencegen-package.json").Open())) w.Write("{\"addons\":[{\"name\":\"ig_x\",\"version\":\"1.0\",\"checksum\":\"\"}]}");
                using (var w = new StreamWriter(archive.CreateEntry("ig_x/../../../.ssh/authorized_keys").Open())) w.Write("ssh-ed25519 AAAA attacker");
            }
            var ex = Assert.Throws<DeployException>(() => DeployPackage.Open(zip));
            Assert.Equal("UnsafeZipEntry", ex.ErrorId);
            Assert.Contains("ig_x/../../../.ssh/authorized_keys", ex.Message);

            string abs = dir.Combine("abs.zip");
            using (var archive = ZipFile.Open(abs, ZipArchiveMode.Create))
                using (var w = new StreamWriter(archive.CreateEntry("/etc/cron.d/x").Open())) w.Write("x");
            Assert.Equal("UnsafeZipEntry", Assert.Throws<DeployException>(() => DeployPackage.Open(abs)).ErrorId);
        }

        [Fact]
        public void AnUnreachableChangeGateOnProductionMeansNotApproved()
        {
            using var t = new DeployTarget("production");
            using var addons = new AddonSet(2);
            var ex = DeployFails(t, addons.Build("v1.zip"), gate: new ThrowingGate(), cr: "CHG-42");
            Assert.Equal("ChangeNotApproved", ex.ErrorId);
            Assert.Contains("not approved", ex.Message);
            Assert.Null(t.Current);
            Assert.Empty(t.Modules());
            Assert.False(t.Locked);
            Assert.Equal("gate", t.LastEntry.FailedStep);
            // and with no gate configured at all: fail closed
            ex = DeployFails(t, addons.Build("v1.zip"), gate: null, cr: "CHG-42");
            Assert.Equal("ChangeNotApproved", ex.ErrorId);
        }

        private sealed class ThrowingGate : IChangeGate
        {
            public Task<ChangeGateDecision> CheckAsync(string? id, string env, IDeployLog log, CancellationToken ct) => throw new HttpRequestException("Connection refused (jira.example:443)");
            public Task CompleteAsync(string id, string env, DeploymentRecord record, IDeployLog log, CancellationToken ct) => Task.CompletedTask;
        }

        [Fact]
        public void ASecondDeployWhileOneHoldsTheLockFailsFastNamingTheHolderOrWaits()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                File.WriteAllText(t.Root + "/.lock", "holder=ci@runner-7 pid=4242 since=2026-11-23T06:00:00Z id=other\n");
                var ex = DeployFails(t, v2);
                Assert.Equal("DeploymentLocked", ex.ErrorId);
                Assert.Contains("ci@runner-7", ex.Message);
                Assert.True(t.Locked);
                Assert.Contains("id=other", File.ReadAllText(t.Root + "/.lock"));   // not ours: left alone
                Assert.Equal("releases/" + first.Release, t.Current);

                _ = Task.Run(async () => { await Task.Delay(1500); File.Delete(t.Root + "/.lock"); });
                using var ssh = t.Ssh();
                var request = Request(v2); request.LockTimeout = TimeSpan.FromSeconds(20);
                DeploymentRecord waited = t.Service(ssh).DeployAsync(request, new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
                Assert.Equal("Succeeded", waited.Status);
                Assert.False(t.Locked);
            }
        }

        [Fact]
        public void TheDiskFullDuringExtractionLeavesNothingHalfExtracted()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                // a 2 MiB tmpfs as the releases folder: the zip (compressed) fits, its content (8 MB) does not
                var (code, output) = TestServers.Sh($"mount -t tmpfs -o size=2m,uid=$(id -u {TestServers.SshUser}) tmpfs {t.Root}/releases");
                Assert.True(code == 0, "mounting a tmpfs needs root: " + output);
                try
                {
                    // the active release must stay reachable: put it back inside the small mount
                    TestServers.Sh($"mkdir -p {t.Root}/releases/{first.Release}");
                    addons.Write("ig_gen_03", "1.0.0", "# v1\n", "data/zeros.txt", new string('0', 8_000_000));
                    string big = addons.Build("v3.zip");
                    Assert.True(new FileInfo(big).Length < 1_000_000);
                    var ex = DeployFails(t, big);
                    Assert.Equal("ExtractFailed", ex.ErrorId);
                    Assert.Equal("releases/" + first.Release, t.Current);
                    Assert.False(t.Locked);
                    Assert.Equal("Failed", t.LastEntry.Status);
                    Assert.Equal("extract", t.LastEntry.FailedStep);
                    Assert.Equal(new[] { first.Release }, Directory.GetFileSystemEntries(t.Root + "/releases").Select(Path.GetFileName).ToArray());
                }
                finally { TestServers.Sh($"umount {t.Root}/releases"); }
            }
        }

        [Fact]
        public void NoSecretReachesAnyStreamTheLedgerOrARemoteCommandLine()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                var log = new RecordingLog();
                var ssh = new SshTransport(new SshTarget
                {
                    Host = TestServers.SshHost, Port = TestServers.SshPort, User = TestServers.SshUser,
                    PrivateKey = File.ReadAllText(TestServers.Need("SSH_TEST_KEY_PASS")), KeyPassphrase = TestServers.Need("SSH_TEST_KEY_PASSPHRASE"),
                    HostKeyFingerprint = TestServers.Fingerprint,
                });
                t.FailAt("upgrade"); // also the failure path's messages
                var ex = DeployFails(t, v2, ssh, log: log);
                t.FailAt(null);
                Deploy(t, v2, log);
                string ps = File.ReadAllText(t.State + "/ps.txt");
                Assert.Contains("--stop-after-init", ps);                   // the scan saw the odoo command line
                string everything = log.All + ex.Message + string.Join("\n", t.LedgerLines) + ps;
                foreach (string secret in new[] { TestServers.PgPassword, TestServers.Need("SSH_TEST_KEY_PASSPHRASE"), "PRIVATE KEY" })
                    Assert.DoesNotContain(secret, everything);
                // The PGPASSFILEs of this test's scripts are gone. Tests running beside it make their own for a moment,
                // so wait for those; a file this test left behind stays and fails it.
                DateTime ended = DateTime.UtcNow;
                string[] left = Array.Empty<string>();
                for (int i = 0; i < 40; i++)
                {
                    left = Directory.GetFiles("/tmp", "ig-pgpass.*").Where(f => File.GetLastWriteTimeUtc(f) <= ended).ToArray();
                    if (left.Length == 0) break;
                    Thread.Sleep(250);
                }
                Assert.Empty(left);
                // nothing the target jobs left behind holds the password (their 0600 copy is deleted at their end)
                Assert.True(t.WaitJobsDone(TimeSpan.FromSeconds(10)));
                foreach (string f in Directory.GetFiles(t.Root + "/jobs", "*", SearchOption.AllDirectories))
                    Assert.DoesNotContain(TestServers.PgPassword, File.ReadAllText(f));
            }
        }

        [Fact]
        public void TheLedgerDetectsAnEdit()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                Deploy(t, v2);
                Deploy(t, v2);
                string[] lines = t.LedgerLines;
                Assert.Equal(3, lines.Length);
                Assert.All(DeploymentLedger.Parse(string.Join("\n", lines), true), r => Assert.True(r.Verified));
                lines[1] = lines[1].Replace("\"Succeeded\"", "\"Failed\"");
                var verified = DeploymentLedger.Parse(string.Join("\n", lines), true);
                Assert.False(verified[1].Verified);
                Assert.Contains("line 2 was edited", verified[1].VerifyProblem);
                lines = t.LedgerLines.Where((_, i) => i != 0).ToArray();
                Assert.False(DeploymentLedger.Parse(string.Join("\n", lines), true)[0].Verified);
            }
        }

        [Fact]
        public void UndoGoesBackToThePreviousReleaseAndCanRestoreTheDatabase()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                DeploymentRecord second = Deploy(t, v2);
                Assert.Equal("installed/17.0.1.1.0", t.Modules()["ig_gen_02"]);
                using var ssh = t.Ssh();
                DeploymentRecord undo = t.Service(ssh).UndoAsync(null, true, "tester", TimeSpan.Zero, new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
                Assert.Equal("Succeeded", undo.Status);
                Assert.Equal(first.Release, undo.Release);
                Assert.Equal("releases/" + first.Release, t.Current);
                Assert.Equal("installed/17.0.1.0.0", t.Modules()["ig_gen_02"]);
                Assert.False(t.Locked);
                Assert.Equal("undo", t.LastEntry.Kind);
            }
        }

        [Fact]
        public void AnUnknownOrChangedHostKeyIsRefused()
        {
            using var wrong = new SshTransport(new SshTarget
            {
                Host = TestServers.SshHost, Port = TestServers.SshPort, User = TestServers.SshUser, PrivateKey = TestServers.SshKey,
                HostKeyFingerprint = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            });
            var ex = Assert.ThrowsAny<DeployException>(() => wrong.RunAsync("true", null, CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal("SshHostKeyRejected", ex.ErrorId);
            Assert.Contains(TestServers.Fingerprint, ex.Message);

            using var dir = new Harness.TempDir();
            string emptyKnown = dir.Write("known_hosts", "");
            using var unknown = new SshTransport(new SshTarget { Host = TestServers.SshHost, Port = TestServers.SshPort, User = TestServers.SshUser, PrivateKey = TestServers.SshKey, KnownHostsFile = emptyKnown });
            Assert.Equal("SshHostKeyRejected", Assert.ThrowsAny<DeployException>(() => unknown.RunAsync("true", null, CancellationToken.None).GetAwaiter().GetResult()).ErrorId);

            using var known = new SshTransport(new SshTarget { Host = TestServers.SshHost, Port = TestServers.SshPort, User = TestServers.SshUser, PrivateKey = TestServers.SshKey, KnownHostsFile = TestServers.Need("SSH_TEST_KNOWN_HOSTS") });
            Assert.Equal("ok", known.RunAsync("echo ok", null, CancellationToken.None).GetAwaiter().GetResult().Stdout.Trim());

            using var tofu = new SshTransport(new SshTarget { Host = TestServers.SshHost, Port = TestServers.SshPort, User = TestServers.SshUser, PrivateKey = TestServers.SshKey, KnownHostsFile = emptyKnown, TrustOnFirstUse = true });
            Assert.Equal("ok", tofu.RunAsync("echo ok", null, CancellationToken.None).GetAwaiter().GetResult().Stdout.Trim());
            Assert.Contains("ssh-ed25519", File.ReadAllText(emptyKnown));
        }
    }

    /// <summary>Answers like Odoo's /web/health and /web/database/list (shapes from fixtures/odoo).</summary>
    public sealed class FakeOdooHttp : IDisposable
    {
        private readonly System.Net.HttpListener _listener = new System.Net.HttpListener();
        public FakeOdooHttp(int healthCode, string healthBody, string databaseList)
        {
            var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0); l.Start(); int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port; l.Stop();
            Url = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    System.Net.HttpListenerContext ctx;
                    try { ctx = await _listener.GetContextAsync(); } catch { return; }
                    bool health = ctx.Request.Url!.AbsolutePath == "/web/health";
                    ctx.Response.StatusCode = health ? healthCode : 200;
                    byte[] body = System.Text.Encoding.UTF8.GetBytes(health ? healthBody : "{\"jsonrpc\": \"2.0\", \"id\": null, \"result\": " + databaseList + "}");
                    ctx.Response.ContentType = "application/json";
                    await ctx.Response.OutputStream.WriteAsync(body);
                    ctx.Response.Close();
                }
            });
        }
        public string Url { get; }
        public void Dispose() { try { _listener.Stop(); } catch { } }
    }
}
