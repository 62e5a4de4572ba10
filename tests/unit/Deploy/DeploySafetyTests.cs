using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using Xunit;

namespace InfluenceGen.Deploy.Tests.Deploy
{
    /// <summary>
    /// Where production data is at stake, with faults injected, over the real sshd into the real PostgreSQL:
    /// users writing through Odoo while an upgrade fails or an undo restores, a restore that fails, a first
    /// deploy that fails.
    /// </summary>
    public class DeploySafetyTests
    {
        private static DeployRequest Request(string package) => new DeployRequest { Package = DeployPackage.Open(package), User = "tester" };

        /// <summary>Users of Odoo: each writes a row through Odoo's JSON-RPC every 50 ms and remembers those acknowledged.</summary>
        private sealed class Users : IDisposable
        {
            private readonly CancellationTokenSource _stop = new CancellationTokenSource();
            private readonly List<Task> _tasks = new List<Task>();
            public ConcurrentDictionary<string, DateTime> Acknowledged { get; } = new ConcurrentDictionary<string, DateTime>();
            public int Refused;

            public Users(int port, int count = 2)
            {
                for (int u = 0; u < count; u++)
                {
                    int user = u;
                    _tasks.Add(Task.Run(async () =>
                    {
                        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                        for (int i = 0; !_stop.IsCancellationRequested; i++)
                        {
                            string name = $"u{user}-{i}-{Guid.NewGuid():N}";
                            try
                            {
                                var body = new StringContent("{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"params\":{\"args\":[{\"name\":\"" + name + "\"}]}}", Encoding.UTF8, "application/json");
                                using var r = await http.PostAsync($"http://127.0.0.1:{port}/web/dataset/call_kw/ig.note/create", body);
                                string text = await r.Content.ReadAsStringAsync();
                                if (text.Contains("\"result\"")) Acknowledged[name] = DateTime.UtcNow; else Interlocked.Increment(ref Refused);
                            }
                            catch (Exception) { Interlocked.Increment(ref Refused); }
                            try { await Task.Delay(50, _stop.Token); } catch (OperationCanceledException) { }
                        }
                    }));
                }
            }

            public void Dispose() { _stop.Cancel(); Task.WaitAll(_tasks.ToArray()); }
        }

        /// <summary>The users' table with a primary key, a unique constraint, a plain index and a foreign key.</summary>
        private static void CreateUsersTable(DeployTarget t) => t.Psql(t.Database,
            "create table ig_note (id serial primary key, name varchar not null unique, module_id int references ir_module_module(id), created timestamp default now());" +
            "create index ig_note_created on ig_note (created);");

        private static string Objects(DeployTarget t) => t.Psql(t.Database,
            "select (select count(*) from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = 'public') || ' constraints, ' ||" +
            " (select count(*) from pg_indexes where schemaname = 'public') || ' indexes'").Trim();

        private static HashSet<string> Rows(DeployTarget t) => new HashSet<string>(t.Psql(t.Database, "select name from ig_note").Split('\n', StringSplitOptions.RemoveEmptyEntries));

        private static (DeployTarget t, AddonSet addons, DeploymentRecord first, string v2) Deployed()
        {
            var t = new DeployTarget();
            var addons = new AddonSet(3);
            CreateUsersTable(t);
            using var ssh = t.Ssh();
            DeploymentRecord first = t.Service(ssh).DeployAsync(Request(addons.Build("v1.zip")), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
            addons.Write("ig_gen_02", "1.1.0", "# v2\n");
            return (t, addons, first, addons.Build("v2.zip"));
        }

        [Fact]
        public void EveryWriteAcknowledgedDuringAFailedUpgradeIsThereAfterTheRollbackWithEveryConstraintAndIndex()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                string before = Objects(t);
                t.FailAt("upgrade");
                var notifier = new RecordingNotifier();
                DeployException ex;
                using (var users = new Users(t.Port))
                {
                    Thread.Sleep(400);
                    using var ssh = t.Ssh();
                    ex = Assert.ThrowsAny<DeployException>(() => t.Service(ssh, notifier: notifier).DeployAsync(Request(v2), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
                    Thread.Sleep(600);
                    users.Dispose();
                    Assert.True(users.Acknowledged.Count > 5, $"{users.Acknowledged.Count} writes acknowledged");
                    Assert.True(users.Refused > 0, "Odoo answered writes all through the deploy: no maintenance window");
                    HashSet<string> rows = Rows(t);
                    string[] lost = users.Acknowledged.Keys.Where(k => !rows.Contains(k)).ToArray();
                    Assert.True(lost.Length == 0, $"{lost.Length} acknowledged writes lost, e.g. {lost.FirstOrDefault()}");
                }
                Assert.Equal("OdooUpgradeFailed", ex.ErrorId);
                Assert.Equal("RolledBack", t.LastEntry.Status);
                Assert.True(t.LastEntry.DatabaseRestored);
                Assert.Equal(before, Objects(t));
                Assert.Equal("installed/17.0.1.0.0", t.Modules()["ig_gen_02"]);
                // the backup is private: 0600 in a 0700 folder
                string dump = t.LastEntry.Backup!;
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dump));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(dump)!));
                Assert.Empty(t.Psql("postgres", $"select datname from pg_database where datname like '{t.Database}_ig%'").Trim());
            }
        }

        [Fact]
        public void ARestoreThatFailsLeavesTheDatabaseAsItWasAndEndsRollbackIncompleteNamingTheRestoreLine()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                string before = Objects(t);
                t.FailAt("upgrade");
                t.Psql(t.Database, "insert into ig_note (name) values ('kept')");
                var notifier = new RecordingNotifier();
                // the dump is damaged while the (slow) upgrade runs in the target job: the rollback's restore cannot succeed
                File.WriteAllText(t.State + "/SLOW_ODOO", "2");
                string[] earlierJobs = Directory.GetDirectories(t.Root + "/jobs");
                var damage = Task.Run(() =>
                {
                    for (int i = 0; i < 300 && !(t.JobProgress.Contains("@@JOB_STEP odoo") && !earlierJobs.Contains(t.JobDir)); i++) Thread.Sleep(50);
                    string dump = Directory.GetFiles(t.Root + "/backups", "*.dump").OrderBy(File.GetLastWriteTimeUtc).Last();
                    byte[] bytes = File.ReadAllBytes(dump);
                    File.WriteAllBytes(dump, bytes.Take(bytes.Length / 2).ToArray());
                });
                DeployException ex;
                using (var ssh = t.Ssh())
                    ex = Assert.ThrowsAny<DeployException>(() => t.Service(ssh, notifier: notifier).DeployAsync(Request(v2), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
                damage.GetAwaiter().GetResult();
                Assert.True(ex.ErrorId == "RollbackIncomplete", ex.ErrorId + ": " + ex.Message);
                Assert.Contains($"Restore-OdooDatabase -Environment staging -Path '{t.Root}/backups/", ex.Message);
                DeploymentRecord last = t.LastEntry;
                Assert.Equal("RollbackIncomplete", last.Status);
                Assert.False(last.Ok);
                Assert.False(last.DatabaseRestored);
                Assert.Contains(notifier.Notices, n => n.Level == NoticeLevel.Critical && n.Title.Contains("ROLLBACK IS INCOMPLETE"));
                // the live database is as it was before the restore was tried: complete, with its rows
                Assert.Equal(before, Objects(t));
                Assert.Contains("kept", Rows(t));
                Assert.False(t.Locked);
            }
        }

        [Fact]
        public void AFailedFirstDeployLeavesOdooRunning()
        {
            using var t = new DeployTarget();
            using var addons = new AddonSet(2);
            CreateUsersTable(t);
            using var ssh = t.Ssh();
            // Odoo runs before our first deploy, on its own addons (no `current` yet)
            var start = ssh.RunScriptAsync(new TargetScripts(t.Settings).Wrap($"IG_STANDIN_STATE={t.State} {t.Dir}/odoo-restart {t.Port}"), CancellationToken.None).GetAwaiter().GetResult();
            Assert.True(start.Succeeded, start.Stdout + start.Stderr);
            var health = new HealthCheck(new HttpClient(), _ => Task.FromResult(true));
            // (waits, not one probe: a loaded CI machine may take a moment to answer a server that just started)
            Assert.Null(health.WaitHealthyAsync(t.Settings.HealthUrl!, TimeSpan.FromSeconds(15), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());

            t.FailAt("upgrade");
            var ex = Assert.ThrowsAny<DeployException>(() => t.Service(ssh).DeployAsync(Request(addons.Build("v1.zip")), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal("OdooUpgradeFailed", ex.ErrorId);
            Assert.Equal("RolledBack", t.LastEntry.Status);
            Assert.Null(health.WaitHealthyAsync(t.Settings.HealthUrl!, TimeSpan.FromSeconds(15), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());   // Odoo serves
            Assert.Equal("releases/.baseline", t.Current);
            Assert.Empty(t.Modules());
            Assert.False(t.Locked);
        }

        [Fact]
        public void UndoWithTheDatabaseLosesNothingAcknowledgedWhileItRunsAndLeavesEveryConstraintAndIndex()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                using (var ssh = t.Ssh()) t.Service(ssh).DeployAsync(Request(v2), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
                string before = Objects(t);
                using var users = new Users(t.Port);
                Thread.Sleep(400);
                // everything written since the backup is lost by design (the confirmation names the backup time);
                // from the moment the maintenance window is open, nothing acknowledged may be lost
                DateTime undoStarted = DateTime.MaxValue;
                DeploymentRecord undo;
                using (var ssh = new FaultyTransport(t.Ssh()) { AfterScript = s => { if (s.Contains("/odoo-stop")) undoStarted = DateTime.UtcNow; } })
                {
                    UndoPlan plan = t.Service(ssh).PlanUndoAsync(null, true, CancellationToken.None).GetAwaiter().GetResult();
                    Assert.NotNull(plan.BackupAt);                         // what the confirmation names: the time of the backup
                    Assert.Equal(first.Release, plan.Target);
                    undo = t.Service(ssh).UndoAsync(null, true, "tester", TimeSpan.Zero, new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
                }
                Thread.Sleep(600);
                users.Dispose();
                Assert.Equal("Succeeded", undo.Status);
                Assert.True(undo.DatabaseRestored);
                HashSet<string> rows = Rows(t);
                string[] lost = users.Acknowledged.Where(a => a.Value >= undoStarted && !rows.Contains(a.Key)).Select(a => a.Key).ToArray();
                Assert.True(lost.Length == 0, $"{lost.Length} writes acknowledged while the undo ran were lost");
                Assert.NotEqual(DateTime.MaxValue, undoStarted);
                Assert.True(users.Acknowledged.Values.Count(v => v >= undoStarted) > 0, $"no write after the undo ({users.Acknowledged.Count} before, {users.Refused} refused); {File.ReadAllText(t.State + "/http.log")}");
                Assert.Equal(before, Objects(t));
                Assert.Equal("installed/17.0.1.0.0", t.Modules()["ig_gen_02"]);
            }
        }
    }
}

namespace InfluenceGen.Deploy.Tests.Deploy
{
    public class DeployPlanTruthTests
    {
        private static DeploymentRecord Deploy(DeployTarget t, string package)
        {
            using var ssh = t.Ssh();
            return t.Service(ssh).DeployAsync(new DeployRequest { Package = DeployPackage.Open(package), User = "tester" }, new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
        }

        [Fact]
        public void ModulesOdooUpgradesBecauseTheyDependOnAnUpgradedOneAreListedAsUpgraded()
        {
            using var t = new DeployTarget();
            using var addons = new AddonSet(3);
            addons.DependsOn["ig_gen_02"] = "ig_gen_01";
            addons.DependsOn["ig_gen_03"] = "ig_gen_02";
            foreach (string n in addons.Names) addons.Write(n, "1.0.0", "# v1\n");
            Deploy(t, addons.Build("v1.zip"));
            addons.Write("ig_gen_01", "1.0.0", "# v2\n");
            string v2 = addons.Build("v2.zip");
            using (var ssh = t.Ssh())
            {
                DeployPlan plan = t.Service(ssh).PlanAsync(new DeployRequest { Package = DeployPackage.Open(v2), User = "tester" }, new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
                Assert.Equal(new[] { "ig_gen_01", "ig_gen_02", "ig_gen_03" }, plan.Upgrade);
                Assert.Empty(plan.Unchanged);
                Assert.Contains(plan.Steps, l => l.Contains("depend on an upgraded module: ig_gen_02, ig_gen_03"));
            }
            DeploymentRecord r = Deploy(t, v2);
            Assert.Equal(new[] { "ig_gen_01", "ig_gen_02", "ig_gen_03" }, r.Upgraded);
            Assert.Equal(new[] { "ig_gen_01", "ig_gen_02", "ig_gen_03" }, t.LastEntry.Upgraded);
        }

        [Fact]
        public void BackupsArePrunedWithTheirReleasesKeepingThoseOfTheKeptReleases()
        {
            using var t = new DeployTarget();
            t.Settings.KeepBackups = 2;
            using var addons = new AddonSet(1);
            var records = new List<DeploymentRecord>();
            for (int i = 0; i < 5; i++)
            {
                addons.Write("ig_gen_01", "1.0." + i, "# v" + i + "\n");
                records.Add(Deploy(t, addons.Build($"v{i}.zip")));
                Thread.Sleep(1100);   // release ids are per second
            }
            string[] dumps = Directory.GetFiles(t.Root + "/backups", "*.dump").Select(Path.GetFileName).OrderBy(n => n).ToArray()!;
            Assert.Equal(records.Skip(3).Select(r => $"{t.Database}-{r.Release}.dump").ToArray(), dumps);
            Assert.All(dumps, d => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(t.Root + "/backups/" + d)));
        }
    }
}
