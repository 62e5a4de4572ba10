using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.Tests.Harness;
using Xunit;

namespace InfluenceGen.Deploy.Tests.Deploy
{
    /// <summary>
    /// "The target finishes what the client started": from the maintenance window to the end of the health check the
    /// deploy runs as one detached job on the target. Faults injected on the real sshd + PostgreSQL + stand-in odoo:
    /// SIGTERM to a real pwsh running Deploy-InfluenceGen at each step after the switch, the runner killed, the SSH
    /// connection lost; stale locks taken over; -BreakLock.
    /// </summary>
    public class TargetJobTests
    {
        private const string Key = "ledger-key-for-the-target-job-tests";

        private static DeployRequest Request(string package) => new DeployRequest { Package = DeployPackage.Open(package), User = "tester" };

        private static (DeployTarget t, AddonSet addons, DeploymentRecord first, string v2) Deployed()
        {
            var t = new DeployTarget();
            t.Settings.LedgerKey = Key;
            var addons = new AddonSet(3);
            using var ssh = t.Ssh();
            DeploymentRecord first = t.Service(ssh).DeployAsync(Request(addons.Build("v1.zip")), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal("Succeeded", first.Status);
            addons.Write("ig_gen_02", "1.1.0", "# v2\n");
            return (t, addons, first, addons.Build("v2.zip"));
        }

        /// <summary>An environments file for pwsh, and the secrets as the CI job's variables.</summary>
        internal static (TempDir dir, string file, Dictionary<string, string> env) Environment(DeployTarget t, int healthTimeout = 5)
        {
            var dir = new TempDir("igenv");
            string file = dir.Write("environments.json", $$"""
            {
              "environments": {
                "qa": {{t.EnvironmentEntry($"\"HealthTimeout\": {healthTimeout}, \"BackupBeforeUpgrade\": true, \"KeepReleases\": 3")}}
              }
            }
            """);
            var env = new Dictionary<string, string>
            {
                ["QA_ODOO_SERVER_SSH_PRIVATE_KEY"] = File.ReadAllText(TestServers.SshKey),
                ["QA_ODOO_DB_PASSWORD"] = TestServers.PgPassword,
                ["INFLUENCEGEN_LEDGER_KEY"] = Key,
            };
            return (dir, file, env);
        }

        private static List<DeploymentRecord> Verified(DeployTarget t)
        {
            List<DeploymentRecord> records = DeploymentLedger.Parse(string.Join("\n", t.LedgerLines), true, Key);
            Assert.All(records, r => Assert.True(r.Verified, $"line {r.Line}: {r.VerifyProblem}"));
            return records;
        }

        /// <summary>The target is either deployed or rolled back, and the ledger says which.</summary>
        private static DeploymentRecord AssertDeployedOrRolledBack(DeployTarget t, DeploymentRecord first, string expected)
        {
            Assert.True(t.WaitJobsDone(TimeSpan.FromSeconds(60)), "the target job did not end: " + t.JobProgress);
            DeploymentRecord last = Verified(t).Last();
            Assert.False(t.Locked, "the lock is still there");
            Assert.Equal(expected, last.Status);
            if (last.Status == "RolledBack")
            {
                Assert.Equal("releases/" + first.Release, t.Current);
                Assert.Equal("installed/17.0.1.0.0", t.Modules()["ig_gen_02"]);
                Assert.Equal(first.Release, last.ActiveRelease);
            }
            else
            {
                Assert.Equal("Succeeded", last.Status);
                Assert.Equal("releases/" + last.Release, t.Current);
                Assert.Equal("installed/17.0.1.1.0", t.Modules()["ig_gen_02"]);
            }
            // Odoo serves (the window is closed either way)
            var health = new HealthCheck(new System.Net.Http.HttpClient(), _ => Task.FromResult(true));
            string? unhealthy = health.WaitHealthyAsync(t.Settings.HealthUrl!, TimeSpan.FromSeconds(5), NullDeployLog.Instance, CancellationToken.None).GetAwaiter().GetResult();
            Assert.True(unhealthy == null, unhealthy + "\n" + File.ReadAllText(t.State + "/http.log") + "\n" + t.JobProgress + TestServers.Sh("ps -eo pid,pgid,sid,args | grep odoo-http").output);
            // the ledger key never reached the target; the job's copy of the database password is gone
            foreach (string f in Directory.GetFiles(t.Root, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/releases/") && !f.EndsWith(".dump")))
            {
                string text = File.ReadAllText(f);
                Assert.DoesNotContain(Key, text);
                Assert.DoesNotContain(TestServers.PgPassword, text);
            }
            return last;
        }

        private static void WaitFor(DeployTarget t, string[] earlierJobs, string marker, Process? pwsh = null)
        {
            for (int i = 0; i < 600; i++)
            {
                if (t.JobDir is string d && !earlierJobs.Contains(d) && t.JobProgress.Contains(marker)) return;
                if (pwsh != null && pwsh.HasExited) throw new Xunit.Sdk.XunitException($"pwsh ended before '{marker}': {pwsh.StandardError.ReadToEnd()}");
                Thread.Sleep(50);
            }
            throw new Xunit.Sdk.XunitException($"the target job never reached '{marker}': {t.JobProgress}");
        }

        [Theory]
        [InlineData("odoo", "TERM")]
        [InlineData("restart", "TERM")]
        [InlineData("health", "TERM")]
        [InlineData("odoo", "KILL")]
        public void ASignalToThePwshRunningTheDeployLeavesTheTargetDeployedOrRolledBackWithATruthfulLedgerAndAFreeLock(string step, string signal)
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                // make the step long enough to be signalled in it
                if (step == "odoo") File.WriteAllText(t.State + "/SLOW_ODOO", "5");
                if (step == "restart") File.WriteAllText(t.State + "/SLOW_RESTART", "3");
                if (step == "health") t.FailAt("health-once"); // the new server answers 500; the rollback's is healthy
                var (dir, file, env) = Environment(t, healthTimeout: step == "health" ? 30 : 5);
                using (dir)
                {
                    string[] earlier = Directory.GetDirectories(t.Root + "/jobs");
                    using Process pwsh = HostProcess.Start(dir.Path, env, "-NoProfile", "-NonInteractive", "-c",
                        $"Deploy-InfluenceGen -Environment qa -Package '{v2}' -ConfigurationPath '{file}' -Verbose -ErrorAction Stop");
                    var stdout = pwsh.StandardOutput.ReadToEndAsync();
                    var stderr = pwsh.StandardError.ReadToEndAsync();
                    WaitFor(t, earlier, "@@JOB_STEP " + step, pwsh);
                    Thread.Sleep(300);
                    var sent = Stopwatch.StartNew();
                    Assert.Equal(0, TestServers.Sh($"kill -{signal} {pwsh.Id}").code);
                    Assert.True(pwsh.WaitForExit(15_000), "pwsh did not exit within the grace period");
                    sent.Stop();
                    string output = stdout.Result + stderr.Result;
                    DeploymentRecord last;
                    if (signal == "KILL")
                    {
                        // nobody asks for a rollback: the job finishes the deploy on its own
                        last = AssertDeployedOrRolledBack(t, first, "Succeeded");
                    }
                    else
                    {
                        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(12), $"pwsh took {sent.Elapsed} after SIGTERM");
                        Assert.NotEqual(143, pwsh.ExitCode);                      // not killed by the signal: it handled it
                        // the client says what happened: rolled back within the grace, or the job goes on without it
                        Assert.True(output.Contains("cancelled: asking the target job") && (output.Contains("': cancelled") || output.Contains("goes on on its own")), output);
                        last = AssertDeployedOrRolledBack(t, first, "RolledBack");
                        // a restart runs to its end (never half-started): the job stops before the health check
                        Assert.Equal(step == "restart" ? "health" : step, last.FailedStep);
                        Assert.Contains("DeployCancelled", last.Error);
                        Assert.True(last.DatabaseRestored);                      // the backup went back (the upgrade may have run)
                    }
                    Assert.DoesNotContain(TestServers.PgPassword, output);
                }
            }
        }

        /// <summary>Cuts the connection once the target job runs and refuses every later call: the runner lost the target for good.</summary>
        private sealed class LostConnection : ITargetTransport
        {
            private readonly SshTransport _inner; private volatile bool _lost;
            public LostConnection(SshTransport inner) { _inner = inner; }
            public string Description => _inner.Description;
            public int RoundTrips => _inner.RoundTrips;
            public async Task<CommandResult> RunAsync(string command, string? stdin, CancellationToken ct)
            {
                if (_lost) throw new DeployException("SshConnectFailed", ErrorKind.ConnectionError, "connection lost (test)");
                CommandResult r = await _inner.RunAsync(command, stdin, ct);
                if (r.Stdout.Contains("@@JOB_STARTED")) { _lost = true; _inner.Disconnect(); }
                return r;
            }
            public Task UploadAsync(Stream content, string remotePath, IProgress<long>? progress, CancellationToken ct) => _inner.UploadAsync(content, remotePath, progress, ct);
            public Task<byte[]?> ReadFileAsync(string remotePath, CancellationToken ct) => _inner.ReadFileAsync(remotePath, ct);
            public void Dispose() => _inner.Dispose();
        }

        [Theory]
        [InlineData(false, "Succeeded")]
        [InlineData(true, "RolledBack")]
        public void TheSshConnectionLostAfterTheJobStartedLeavesTheTargetDeployedOrRolledBackWithoutTheClient(bool upgradeFails, string expected)
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                File.WriteAllText(t.State + "/SLOW_ODOO", "2");
                if (upgradeFails) t.FailAt("upgrade");
                t.Settings.FollowRetry = TimeSpan.FromSeconds(2);
                using var lost = new LostConnection(t.Ssh());
                var ex = Assert.Throws<DeployException>(() => t.Service(lost).DeployAsync(Request(v2), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
                Assert.Equal("TargetJobUnreachable", ex.ErrorId);
                Assert.Contains("goes on on its own", ex.Message);
                Assert.Contains("ledger", ex.RecommendedAction);
                DeploymentRecord last = AssertDeployedOrRolledBack(t, first, expected);
                if (upgradeFails) { Assert.Equal("odoo", last.FailedStep); Assert.True(last.DatabaseRestored); Assert.Contains("OdooUpgradeFailed", last.Error); }
            }
        }

        [Fact]
        public void AHealthUrlAnsweredByAnotherServerIsRefusedBeforeTheSwitch()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            using (var otherState = new TempDir("igother"))
            {
                // another checkout's stand-in holds this Odoo's port: our Odoo stopped, theirs started there
                Assert.Equal(0, TestServers.Sh($"IG_STANDIN_STATE={t.State} {t.Dir}/odoo-stop").code);
                var other = Process.Start(new ProcessStartInfo("/usr/bin/python3", new[] { Path.Combine(Repo.Root, "tests", "unit", "Deploy", "standin", "odoo-http"), t.Port.ToString() })
                {
                    // a healthy one (reaching PostgreSQL), as the other checkout's was
                    Environment = { ["IG_STANDIN_STATE"] = otherState.Path, ["PGHOST"] = "127.0.0.1", ["PGPORT"] = TestServers.PgPort, ["PGUSER"] = TestServers.PgUser, ["PGPASSWORD"] = TestServers.PgPassword, ["PGDATABASE"] = t.Database },
                    RedirectStandardOutput = true, RedirectStandardError = true })!;
                try
                {
                    using (var http = new System.Net.Http.HttpClient())
                    {
                        string? answer = null;
                        for (int i = 0; i < 100 && answer == null; i++)
                        {
                            try { answer = http.GetStringAsync(t.Settings.HealthUrl + "/web/health").GetAwaiter().GetResult(); }
                            catch (System.Net.Http.HttpRequestException) { Thread.Sleep(100); }
                        }
                        Assert.Contains("pass", answer);
                    }
                    int calls = t.OdooCalls;
                    using var ssh = t.Ssh();
                    var log = new RecordingLog();
                    var ex = Assert.ThrowsAny<DeployException>(() => t.Service(ssh).DeployAsync(Request(v2), log, CancellationToken.None).GetAwaiter().GetResult());
                    Assert.True(ex.ErrorId == "HealthAnsweredByAnotherServer", ex.ErrorId + ": " + ex.Message);
                    Assert.Contains($"http://127.0.0.1:{t.Port}/web/health", ex.Message);
                    Assert.True(t.WaitJobsDone(TimeSpan.FromSeconds(30)), t.JobProgress);
                    // nothing switched, nothing upgraded, the ledger says where it stopped, the lock is free, Odoo started again
                    Assert.Equal("releases/" + first.Release, t.Current);
                    Assert.Equal("installed/17.0.1.0.0", t.Modules()["ig_gen_02"]);
                    Assert.Equal(calls, t.OdooCalls);
                    DeploymentRecord last = Verified(t).Last();
                    Assert.Equal("stop", last.FailedStep);
                    Assert.Contains("HEALTH_ANSWERED", last.Error);
                    Assert.NotEqual("Succeeded", last.Status);
                    Assert.False(t.Locked);
                    Assert.Contains("undo-stop", t.JobProgress);
                }
                finally { other.Kill(); other.WaitForExit(); }
                // the normal path stays green: with the port its own again, the same deploy goes through
                using (var ssh = t.Ssh())
                    Assert.Equal("Succeeded", t.Service(ssh).DeployAsync(Request(v2), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult().Status);
            }
        }

        [Fact]
        public void AStaleLockIsTakenOverWithALedgerLineAndALiveOneIsNot()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                // a lock whose target job died (its pid is gone, no done file)
                Directory.CreateDirectory(t.Root + "/jobs/0123456789ab");
                File.WriteAllText(t.Root + "/jobs/0123456789ab/pid", "999999\n");
                File.WriteAllText(t.Root + "/.lock", "holder=ci@runner-1 pid=42 since=2026-01-01T00:00:00Z lease=600s id=0123456789ab\n");
                DeploymentRecord deployed;
                var log = new RecordingLog();
                using (var ssh = t.Ssh()) deployed = t.Service(ssh).DeployAsync(Request(v2), log, CancellationToken.None).GetAwaiter().GetResult();
                Assert.Equal("Succeeded", deployed.Status);
                List<DeploymentRecord> records = Verified(t);
                DeploymentRecord taken = records[records.Count - 2];
                Assert.Equal("lock", taken.Kind);
                Assert.Equal("TakenOver", taken.Status);
                Assert.Contains("holder=ci@runner-1", taken.Reason);
                Assert.Contains("is no longer running", taken.Reason);
                Assert.Contains(log.Lines, l => l.StartsWith("W took over the deploy lock"));
                Assert.False(t.Locked);

                // a lock without a job whose lease expired
                File.WriteAllText(t.Root + "/.lock", "holder=ci@runner-2 pid=43 since=2026-01-01T00:00:00Z lease=600s id=ba9876543210\n");
                TestServers.Sh($"touch -d '-11 minutes' {t.Root}/.lock");
                using (var ssh = t.Ssh()) Assert.Equal("Unchanged", t.Service(ssh).DeployAsync(Request(v2), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult().Status);
                records = Verified(t);
                Assert.Contains("lease expired", records[records.Count - 2].Reason);

                // a fresh lock (lease running, no job): not provably gone, refused naming -BreakLock
                File.WriteAllText(t.Root + "/.lock", "holder=ci@runner-3 pid=44 since=2026-01-01T00:00:00Z lease=600s id=aaaaaaaaaaaa\n");
                DeployException ex;
                using (var ssh = t.Ssh()) ex = Assert.Throws<DeployException>(() => t.Service(ssh).DeployAsync(Request(v2), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
                Assert.Equal("DeploymentLocked", ex.ErrorId);
                Assert.Contains("-BreakLock", ex.RecommendedAction);
            }
        }

        [Fact]
        public void BreakLockRemovesALockWithALedgerLineAndRefusesOneHeldByARunningJob()
        {
            var (t, addons, first, v2) = Deployed();
            using (t) using (addons)
            {
                var (dir, file, env) = Environment(t);
                using (dir)
                {
                    // a lock held by a job that still runs on the target: refused
                    Directory.CreateDirectory(t.Root + "/jobs/cafecafecafe");
                    var (_, pidText) = TestServers.Sh($"cd {t.Root} && (setsid bash -c 'sleep 60; true' jobs/cafecafecafe/job.sh >/dev/null 2>&1 & echo $!)");
                    int pid = int.Parse(pidText.Trim());
                    try
                    {
                        File.WriteAllText(t.Root + "/jobs/cafecafecafe/pid", pid + "\n");
                        File.WriteAllText(t.Root + "/.lock", "holder=ci@runner-9 pid=45 since=2026-01-01T00:00:00Z lease=600s id=cafecafecafe\n");
                        var refused = HostProcess.Run(dir.Path, env, "-NoProfile", "-NonInteractive", "-c",
                            $"Deploy-InfluenceGen -Environment qa -ConfigurationPath '{file}' -BreakLock -Reason 'runner crashed' -Force");
                        Assert.True(refused.ExitCode != 0, refused.StdOut + refused.StdErr);
                        Assert.Contains("held by a deploy job still running on the target", refused.StdErr + refused.StdOut);
                        Assert.True(t.Locked);
                    }
                    finally { TestServers.Sh($"kill {pid}"); }

                    // without a running job: broken, with the holder and the reason in the ledger
                    File.WriteAllText(t.Root + "/.lock", "holder=ci@runner-9 pid=45 since=2026-01-01T00:00:00Z lease=600s id=cafecafecafe\n");
                    Directory.Delete(t.Root + "/jobs/cafecafecafe", true);
                    var broken = HostProcess.Run(dir.Path, env, "-NoProfile", "-NonInteractive", "-c",
                        $"Deploy-InfluenceGen -Environment qa -ConfigurationPath '{file}' -BreakLock -Reason 'runner crashed' -Force | Select-Object -ExpandProperty Status");
                    Assert.True(broken.ExitCode == 0, broken.StdErr + broken.StdOut);
                    Assert.Contains("LockBroken", broken.StdOut);
                    Assert.False(t.Locked);
                    DeploymentRecord last = Verified(t).Last();
                    Assert.Equal("LockBroken", last.Status);
                    Assert.Contains("runner crashed", last.Reason);
                    Assert.Contains("holder=ci@runner-9", last.Reason);

                    // nothing to break: a clear error
                    var none = HostProcess.Run(dir.Path, env, "-NoProfile", "-NonInteractive", "-c",
                        $"Deploy-InfluenceGen -Environment qa -ConfigurationPath '{file}' -BreakLock -Reason 'again' -Force");
                    Assert.Contains("does not exist: nothing to break", none.StdErr + none.StdOut);
                }
            }
        }
    }
}
