using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.Tests.Harness;
using Xunit;

namespace InfluenceGen.Deploy.Tests.Deploy
{
    /// <summary>
    /// One environment on several Odoo servers: real sshd "hosts" on 127.0.0.1 (20-sshd.sh's and 23-sshd-hosts.sh's,
    /// each its own port, user and home, so their deploy roots differ), one shared database in the real PostgreSQL,
    /// the stand-in odoo on each host with its own HTTP port.
    /// </summary>
    public sealed class HostSet : IDisposable
    {
        public HostSet(int count)
        {
            Targets = new DeployTarget[count];
            Targets[0] = new DeployTarget();
            for (int i = 1; i < count; i++) Targets[i] = new DeployTarget(host: TestServers.Host(i + 1), shareDatabaseOf: Targets[0]);
            // the environment's settings: one command template for every host ({root}, {port} are each host's), the
            // health URL's host and port replaced by each host's (HostSpec.Apply)
            Settings = Targets[0].Settings.Copy();
            Settings.OdooCommand = "IG_STANDIN_STATE={root}/../state {root}/../odoo --addons-path={current}";
            Settings.RestartCommand = "IG_STANDIN_STATE={root}/../state {root}/../odoo-restart {port} --addons-path={current}";
            Settings.StopCommand = "IG_STANDIN_STATE={root}/../state {root}/../odoo-stop";
            Settings.HealthUrl = "http://localhost:9";
        }

        public DeployTarget[] Targets { get; }
        public DeployTarget Primary => Targets[0];
        public DeploySettings Settings { get; }

        public HostGroup Group(Func<int, ITargetTransport, ITargetTransport>? wrap = null, Func<int, SshTransport>? ssh = null, int? count = null)
            => new HostGroup(Targets.Take(count ?? Targets.Length).Select((t, i) =>
            {
                ITargetTransport tr = ssh?.Invoke(i) ?? t.Ssh();
                return new DeployHost(wrap?.Invoke(i, tr) ?? tr, new HostSpec { Host = "127.0.0.1", Port = t.Host.Port, User = t.Host.User, DeployRoot = t.Root, HttpPort = t.Port });
            }).ToList());

        public DeployService Service(HostGroup group, INotifier? notifier = null)
            => new DeployService(group, Settings, null, notifier) { HealthInterval = TimeSpan.FromMilliseconds(300) };

        public DeploymentRecord Deploy(string package, RecordingLog? log = null, Func<int, ITargetTransport, ITargetTransport>? wrap = null)
        {
            using HostGroup g = Group(wrap);
            return Service(g).DeployAsync(MultiHostDeployTests.Request(package), log ?? new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
        }

        public DeployException DeployFails(string package, RecordingLog? log = null, Func<int, ITargetTransport, ITargetTransport>? wrap = null, Func<int, SshTransport>? ssh = null)
        {
            using HostGroup g = Group(wrap, ssh);
            return Assert.ThrowsAny<DeployException>(() => Service(g).DeployAsync(MultiHostDeployTests.Request(package), log ?? new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
        }

        /// <summary>HTTP status of each host's stand-in health endpoint (0 = not answering).</summary>
        public int[] Health()
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            return Targets.Select(t =>
            {
                try { return (int)http.GetAsync($"http://127.0.0.1:{t.Port}/web/health?db_server_status=1").GetAwaiter().GetResult().StatusCode; }
                catch (HttpRequestException) { return 0; }
                catch (TaskCanceledException) { return 0; }
            }).ToArray();
        }

        public void Dispose()
        {
            for (int i = Targets.Length - 1; i >= 0; i--) Targets[i]?.Dispose();
        }
    }

    public class MultiHostDeployTests
    {
        internal static DeployRequest Request(string package) => new DeployRequest { Package = DeployPackage.Open(package), User = "tester" };

        private static string[] Releases(DeployTarget t) => Directory.GetDirectories(t.Root + "/releases").Select(Path.GetFileName).Where(n => !n!.StartsWith(".")).Select(n => n!).OrderBy(n => n).ToArray();

        [Fact]
        public void EveryHostSwitchesAndTheModulesAreInstalledAndUpgradedOnceOnThePrimary()
        {
            using var hosts = new HostSet(3);
            using var addons = new AddonSet(3);
            var log = new RecordingLog();
            DeploymentRecord first = hosts.Deploy(addons.Build("v1.zip"), log);

            Assert.Equal("Succeeded", first.Status);
            Assert.Equal(addons.Names, first.Installed);
            Assert.Equal(3, first.HostRecords!.Length);
            Assert.All(hosts.Targets, t => Assert.Equal("releases/" + first.Release, t.Current));
            Assert.All(hosts.Targets, t => Assert.True(File.Exists($"{t.Root}/releases/{first.Release}/ig_gen_01/__manifest__.py")));
            Assert.All(hosts.Targets, t => Assert.False(t.Locked));
            Assert.All(hosts.Health(), code => Assert.Equal(200, code));
            Assert.All(hosts.Primary.Modules().Values, v => Assert.Equal("installed/17.0.1.0.0", v));
            // after the maintenance window: the primary restarts and is healthy before any other host restarts
            int[] restarts = hosts.Targets.Select(t => log.Lines.FindIndex(l => l.StartsWith("P ") && l.Contains(t.Host.Name + ": restart"))).ToArray();
            int primaryHealthy = log.Lines.FindIndex(l => l.StartsWith($"V [{hosts.Primary.Host.Name}] health: healthy"));
            Assert.All(restarts, i => Assert.True(i >= 0, log.All));
            Assert.True(restarts[0] < primaryHealthy && primaryHealthy < restarts[1] && primaryHealthy < restarts[2], log.All);

            addons.Write("ig_gen_02", "2.0.0", "# v2\n");
            DeploymentRecord second = hosts.Deploy(addons.Build("v2.zip"));
            Assert.Equal("Succeeded", second.Status);
            Assert.Equal(new[] { "ig_gen_02" }, second.Upgraded);
            Assert.All(hosts.Targets, t => Assert.Equal("releases/" + second.Release, t.Current));
            Assert.Equal("installed/17.0.2.0.0", hosts.Primary.Modules()["ig_gen_02"]);
            // Odoo's -i and -u ran once each, on the primary; never on the other hosts (the database is shared)
            string[] calls = File.ReadAllLines(hosts.Primary.State + "/calls.log");
            Assert.Equal(2, calls.Length);
            Assert.Single(calls, c => c.Contains("-u ig_gen_02"));
            Assert.All(hosts.Targets.Skip(1), t => Assert.Equal(0, t.OdooCalls));

            // each host's ledger holds its own line of each deploy (same id), its own chain verified
            for (int i = 0; i < 3; i++)
            {
                DeployTarget t = hosts.Targets[i];
                DeploymentRecord last = t.LastEntry;
                Assert.Equal(2, t.LedgerLines.Length);
                Assert.Equal(t.Host.Name, last.Host);
                Assert.Equal(second.Id, last.Id);
                Assert.Equal(second.Release, last.ActiveRelease);
                Assert.Equal("ok", last.Steps.Single(s => s.Name == "switch").Status);
                Assert.Equal("ok", last.Steps.Single(s => s.Name == "health").Status);
                Assert.Equal(i == 0, last.Steps.Any(s => s.Name == "odoo" && s.Status == "ok"));
                Assert.Equal(i == 0, last.Steps.Any(s => s.Name == "backup" && s.Status == "ok"));
            }
            using HostGroup g = hosts.Group();
            var (records, releases, current) = hosts.Service(g).ReadLedgerAsync(true, CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(6, records.Count);
            Assert.All(records, r => Assert.True(r.Verified));
            Assert.Equal(hosts.Targets.Select(t => t.Host.Name).OrderBy(n => n), records.Select(r => r.Host!).Distinct().OrderBy(n => n));
            Assert.Contains(first.Release!, releases);
            Assert.Equal(second.Release, current);
        }

        [Fact]
        public void AHealthFailureOnTheSecondHostDuringTheRollingRestartRollsBackEveryHostAndTheDatabase()
        {
            using var hosts = new HostSet(3);
            using var addons = new AddonSet(2);
            DeploymentRecord first = hosts.Deploy(addons.Build("v1.zip"));
            addons.Write("ig_gen_01", "2.0.0", "# v2\n");
            string v2 = addons.Build("v2.zip");
            hosts.Targets[1].FailAt("health-once"); // host 2's Odoo starts unhealthy once (the rollback's start is healthy)
            var notifier = new RecordingNotifier();
            DeployException ex;
            using (HostGroup g = hosts.Group())
                ex = Assert.ThrowsAny<DeployException>(() => hosts.Service(g, notifier).DeployAsync(Request(v2), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());

            Assert.Equal("DeployHostFailed", ex.ErrorId);
            Assert.Contains(hosts.Targets[1].Host.Name, ex.Message);
            Assert.Contains("health", ex.Message);
            Assert.Equal("HealthCheckFailed", ((DeployException)ex.InnerException!).ErrorId);
            // every host back on the old release, the database restored, every Odoo healthy, no lock left
            Assert.All(hosts.Targets, t => Assert.Equal("releases/" + first.Release, t.Current));
            Assert.Equal("installed/17.0.1.0.0", hosts.Primary.Modules()["ig_gen_01"]);
            Assert.All(hosts.Health(), code => Assert.Equal(200, code));
            Assert.All(hosts.Targets, t => Assert.False(t.Locked));
            Assert.All(hosts.Targets, t =>
            {
                Assert.Equal("RolledBack", t.LastEntry.Status);
                Assert.Equal("health", t.LastEntry.FailedStep);
                Assert.True(t.LastEntry.DatabaseRestored);
                Assert.Equal(first.Release, t.LastEntry.ActiveRelease);
            });
            // host 1 (healthy on the new code, then put back) and host 2 (unhealthy) were both restarted on v2
            Assert.Equal("ok", hosts.Targets[0].LastEntry.Steps.First(s => s.Name == "restart").Status);
            Assert.Equal("failed", hosts.Targets[1].LastEntry.Steps.First(s => s.Name == "health").Status);
            Assert.All(hosts.Targets, t => Assert.Equal("ok", t.LastEntry.Steps.Single(s => s.Name == "rollback").Status));
            Assert.Contains(notifier.Notices, n => n.Level == NoticeLevel.Critical && n.Title.Contains("rolled back"));
        }

        [Fact]
        public void AChecksumMismatchOnOneHostLeavesEveryHostOnTheOldReleaseBeforeAnySwitch()
        {
            using var hosts = new HostSet(3);
            using var addons = new AddonSet(2);
            DeploymentRecord first = hosts.Deploy(addons.Build("v1.zip"));
            addons.Write("ig_gen_01", "2.0.0", "# v2\n");
            // one byte flipped on the way to host 3 only
            DeployException ex = hosts.DeployFails(addons.Build("v2.zip"),
                wrap: (i, tr) => i == 2 ? new FaultyTransport(tr) { WrapUpload = s => new TrapStream(s, 200, null, flip: true) } : tr);

            Assert.Equal("DeployHostFailed", ex.ErrorId);
            Assert.Contains(hosts.Targets[2].Host.Name, ex.Message);
            Assert.Equal("PackageChecksumMismatch", ((DeployException)ex.InnerException!).ErrorId);
            Assert.Contains("nothing was changed", ex.Message);
            Assert.All(hosts.Targets, t => Assert.Equal("releases/" + first.Release, t.Current));
            Assert.All(hosts.Targets, t => Assert.Equal(new[] { first.Release! }, Releases(t)));   // the new release removed where it was extracted
            Assert.Equal(1, hosts.Primary.OdooCalls);
            Assert.Equal("installed/17.0.1.0.0", hosts.Primary.Modules()["ig_gen_01"]);
            Assert.All(hosts.Targets, t =>
            {
                Assert.Equal("Failed", t.LastEntry.Status);
                Assert.DoesNotContain(t.LastEntry.Steps, s => s.Name == "switch" || s.Name == "stop");
                Assert.False(t.Locked);
            });
        }

        [Fact]
        public void ALockHeldOnOneHostRefusesTheDeployAndFreesTheLocksTaken()
        {
            using var hosts = new HostSet(2);
            using var addons = new AddonSet(2);
            string v1 = addons.Build("v1.zip");
            DeployTarget second = hosts.Targets[1];
            string holder = $"holder=other@runner pid=1 since={DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} lease=600s id=0123456789ab";
            Directory.CreateDirectory(second.Root);
            File.WriteAllText(second.Root + "/.lock", holder + "\n");
            TestServers.Sh($"chown -R {second.Host.User} {second.Root}");   // the host's user owns its deploy root

            DeployException ex = hosts.DeployFails(v1);
            Assert.Equal("DeploymentLocked", ex.ErrorId);
            Assert.Contains(second.Host.Name, ex.Message);
            Assert.Contains("other@runner", ex.Message);
            Assert.False(hosts.Primary.Locked);                                  // the primary's lock, taken first, was freed
            Assert.Equal(holder, File.ReadAllText(second.Root + "/.lock").Trim()); // the other deploy's lock stays
            Assert.All(hosts.Targets, t => Assert.Null(t.Current));
            Assert.Equal(0, hosts.Primary.OdooCalls);

            // control: the same deploy once the lock is gone
            File.Delete(second.Root + "/.lock");
            Assert.Equal("Succeeded", hosts.Deploy(v1).Status);
        }

        [Fact]
        public void HostsCatchingUpWithoutAnUpgradeRestartOneAtATimeWithoutAMaintenanceWindow()
        {
            using var hosts = new HostSet(3);
            using var addons = new AddonSet(2);
            string v1 = addons.Build("v1.zip");
            DeploymentRecord first;
            using (HostGroup one = hosts.Group(count: 1))   // the environment had one server (its own flow: the target job)
                first = hosts.Service(one).DeployAsync(Request(v1), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal("Succeeded", first.Status);
            Assert.Null(hosts.Targets[1].Current);

            var log = new RecordingLog();
            DeploymentRecord again = hosts.Deploy(v1, log);  // two servers added: they upload, switch and restart; no -i/-u
            Assert.Equal("Succeeded", again.Status);
            Assert.Equal(first.Release, again.Release);
            Assert.All(hosts.Targets, t => Assert.Equal("releases/" + first.Release, t.Current));
            Assert.Equal(1, hosts.Primary.OdooCalls);
            Assert.All(hosts.Health(), code => Assert.Equal(200, code));
            Assert.All(hosts.Targets, t => Assert.Equal("skipped", t.LastEntry.Steps.Single(st => st.Name == "stop").Status)); // Odoo kept serving
            Assert.Equal("skipped", hosts.Primary.LastEntry.Steps.Single(st => st.Name == "restart").Status);             // nothing changed there
            // strictly one at a time: host 2 healthy before host 3 restarts
            int healthy2 = log.Lines.FindIndex(l => l.StartsWith($"V [{hosts.Targets[1].Host.Name}] health: healthy"));
            int restart3 = log.Lines.FindIndex(l => l.StartsWith("P ") && l.Contains(hosts.Targets[2].Host.Name + ": restart"));
            Assert.True(healthy2 >= 0 && healthy2 < restart3, log.All);
        }

        [Fact]
        public void TheWhatIfPlanListsEachHostsWorkAndWhatRunsOnce()
        {
            using var hosts = new HostSet(3);
            using var addons = new AddonSet(2);
            using HostGroup g = hosts.Group();
            DeployPlan plan = hosts.Service(g).PlanAsync(Request(addons.Build("v1.zip")), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
            string text = plan.ToString();
            Assert.Equal(hosts.Targets.Select(t => t.Host.Name), plan.Hosts);
            foreach (DeployTarget t in hosts.Targets)
            {
                Assert.Contains($"{t.Host.Name} ({t.Root}): upload ", text);
                Assert.Contains($"{t.Host.Name}: restart: ", text);
                Assert.Contains($"http://127.0.0.1:{t.Port}", text);       // each host's own health URL
            }
            Assert.Contains("odoo: ", text);
            Assert.Contains($"(once, on the primary {hosts.Primary.Host.Name}", text);
            Assert.Contains($"{hosts.Primary.Host.Name} first, health-checked, then the other 2 at once", text);
            Assert.Contains("maintenance window on all 3 hosts", text);
            Assert.All(hosts.Targets, t => Assert.Null(t.Current));          // -WhatIf changed nothing
            Assert.All(hosts.Targets, t => Assert.False(t.Locked));
        }

        [Fact]
        public void UndoPutsEveryHostAndTheDatabaseBack()
        {
            using var hosts = new HostSet(2);
            using var addons = new AddonSet(2);
            DeploymentRecord first = hosts.Deploy(addons.Build("v1.zip"));
            addons.Write("ig_gen_02", "2.0.0", "# v2\n");
            DeploymentRecord second = hosts.Deploy(addons.Build("v2.zip"));
            Assert.Equal("installed/17.0.2.0.0", hosts.Primary.Modules()["ig_gen_02"]);

            using HostGroup g = hosts.Group();
            DeploymentRecord undo = hosts.Service(g).UndoAsync(null, true, "tester", TimeSpan.Zero, new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal("Succeeded", undo.Status);
            Assert.Equal(first.Release, undo.Release);
            Assert.All(hosts.Targets, t => Assert.Equal("releases/" + first.Release, t.Current));
            Assert.Equal("installed/17.0.1.0.0", hosts.Primary.Modules()["ig_gen_02"]);
            Assert.All(hosts.Health(), code => Assert.Equal(200, code));
            Assert.All(hosts.Targets, t => { Assert.Equal("undo", t.LastEntry.Kind); Assert.Equal(t.Host.Name, t.LastEntry.Host); Assert.False(t.Locked); });
        }

        [Fact]
        public void NoSecretReachesAnyStreamTheLedgerOrARemoteCommandLineOnAnyHost()
        {
            using var hosts = new HostSet(2);
            using var addons = new AddonSet(2);
            string passphrase = TestServers.Need("SSH_TEST_KEY_PASSPHRASE");
            string key = File.ReadAllText(TestServers.Need("SSH_TEST_KEY_PASS"));
            Func<int, SshTransport> ssh = i => new SshTransport(new SshTarget
            {
                Host = "127.0.0.1", Port = hosts.Targets[i].Host.Port, User = hosts.Targets[i].Host.User,
                PrivateKey = key, KeyPassphrase = passphrase, HostKeyFingerprint = hosts.Targets[i].Host.Fingerprint,
            });
            var log = new RecordingLog();
            var ps = new System.Text.StringBuilder();
            using var stop = new CancellationTokenSource();
            Task sampler = Task.Run(async () =>
            {
                // every process's command line on this machine (all hosts are here), while the deploys run
                while (!stop.IsCancellationRequested)
                {
                    string snapshot = TestServers.Sh("ps -eo args").output;
                    lock (ps) ps.Append(snapshot);
                    await Task.Delay(30);
                }
            });
            string v1 = addons.Build("v1.zip");
            hosts.Targets[1].FailAt("health-once");               // the failure and rollback paths too
            DeployException ex = hosts.DeployFails(v1, log, ssh: ssh);
            DeploymentRecord ok;
            using (HostGroup g = hosts.Group(ssh: ssh))
                ok = hosts.Service(g).DeployAsync(Request(v1), log, CancellationToken.None).GetAwaiter().GetResult();
            stop.Cancel(); sampler.GetAwaiter().GetResult();
            Assert.Equal("Succeeded", ok.Status);

            string commandLines = ps.ToString();
            Assert.Contains("odoo-restart", commandLines);           // the sampler saw the remote commands
            string ledgers = string.Join("\n", hosts.Targets.SelectMany(t => t.LedgerLines));
            string everything = log.All + ex.Message + ex.InnerException?.Message + ledgers + commandLines + File.ReadAllText(hosts.Primary.State + "/ps.txt");
            foreach (string secret in new[] { TestServers.PgPassword, passphrase, "PRIVATE KEY" })
                Assert.DoesNotContain(secret, everything);
        }
    }

    /// <summary>How an environment's hosts are configured (no servers needed).</summary>
    [Trait("Category", "Fast")]
    public class HostConfigurationTests
    {
        private static DeployConfiguration Resolve(string envJson, Dictionary<string, string>? vars = null)
        {
            using var dir = new TempDir("ighosts");
            string file = dir.Write("environments.json", "{ \"environments\": { \"staging\": " + envJson + " } }");
            return new ConfigurationResolver(vars ?? new Dictionary<string, string>(), new SecretMasker()).Resolve("staging", file);
        }

        private const string Base = "\"DeployRoot\": \"/srv/ig\", \"OdooDatabase\": \"ig\", \"OdooSshUser\": \"deploy\", \"OdooSshHostKey\": \"SHA256:abc\"";
        private static readonly Dictionary<string, string> Key = new Dictionary<string, string> { ["STAGING_ODOO_SERVER_SSH_PRIVATE_KEY"] = "not-a-real-key" };

        [Fact]
        public void OneHostStaysOnePlainSshTransport()
        {
            using ITargetTransport t = DeploySettings.TransportFor(Resolve("{ \"OdooSshHost\": \"odoo1\", " + Base + " }", Key), "/tmp");
            Assert.IsType<SshTransport>(t);
            Assert.Equal("deploy@odoo1:22", t.Description);
        }

        [Fact]
        public void ACommaSeparatedOdooSshHostMakesAGroupWithThePrimaryFirst()
        {
            var vars = new Dictionary<string, string>(Key) { ["STAGING_ODOO_SERVER_SSH_HOST"] = "odoo1, odoo2:2222 ,ops@odoo3" };
            using ITargetTransport t = DeploySettings.TransportFor(Resolve("{ " + Base + " }", vars), "/tmp");
            var g = Assert.IsType<HostGroup>(t);
            Assert.Equal(new[] { "deploy@odoo1:22", "deploy@odoo2:2222", "ops@odoo3:22" }, g.Hosts.Select(h => h.Name));
            Assert.Equal("deploy@odoo1:22", g.Primary.Name);
        }

        [Fact]
        public void AHostsArrayOverridesPerHostAndDerivesEachHealthUrl()
        {
            var config = Resolve("{ " + Base + ", \"HealthUrl\": \"https://erp.example.com:8069\", \"Hosts\": [ \"odoo1\", { \"Host\": \"odoo2\", \"Port\": 2201, \"User\": \"ops\", \"DeployRoot\": \"/opt/ig\", \"HttpPort\": 8070 } ] }", Key);
            using ITargetTransport t = DeploySettings.TransportFor(config, "/tmp");
            var g = Assert.IsType<HostGroup>(t);
            Assert.Equal(new[] { "deploy@odoo1:22", "ops@odoo2:2201" }, g.Hosts.Select(h => h.Name));
            DeploySettings env = DeploySettings.From(config, "/tmp");
            DeploySettings second = g.Hosts[1].Spec.Apply(env, true);
            Assert.Equal("/opt/ig", second.Root);
            Assert.Equal("https://odoo2:8070", second.HealthUrl);
            Assert.Equal("https://odoo1:8069", g.Hosts[0].Spec.Apply(env, true).HealthUrl);
            Assert.Equal("/srv/ig", g.Hosts[0].Spec.Apply(env, true).Root);
        }

        [Fact]
        public void ABadHostEntryIsRefusedNamingTheFileAndLine()
        {
            var ex = Assert.Throws<DeployException>(() => Resolve("{ " + Base + ",\n \"Hosts\": [\n \"odoo1\",\n { \"Host\": \"odoo2\", \"Prot\": 22 } ] }", Key));
            Assert.Equal("InvalidConfigurationFile", ex.ErrorId);
            Assert.Contains("environments.json:", ex.Message);
            Assert.Contains("unknown host field \"Prot\"", ex.Message);
            var bad = Assert.Throws<DeployException>(() => DeploySettings.TransportFor(Resolve("{ " + Base + " }",
                new Dictionary<string, string>(Key) { ["STAGING_ODOO_SERVER_SSH_HOST"] = "odoo1,odoo2:ssh" }), "/tmp"));
            Assert.Contains("'odoo2:ssh'", bad.Message);
            Assert.Contains("OdooSshHost", bad.Message);
        }
    }
}
