using System;
using System.IO;
using System.Linq;
using System.Threading;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Tests.Harness;
using Xunit;

namespace InfluenceGen.Deploy.Tests.Deploy
{
    /// <summary>Issue 11 point 6 leftovers, on the real servers: a backup that cannot fit is refused before the
    /// switch; a deleted ledger is caught by Get-InfluenceGenDeployment -ExpectedHead (and, as documented, not by -Verify alone).</summary>
    public class BackupSpaceAndLedgerLossTests
    {
        private static DeployRequest Request(string package) => new DeployRequest { Package = DeployPackage.Open(package), User = "tester" };

        [Fact]
        public void ADeployWhoseBackupCannotFitIsRefusedBeforeTheSwitch()
        {
            using var t = new DeployTarget();
            using var addons = new AddonSet(3);
            DeploymentRecord first;
            using (var ssh = t.Ssh()) first = t.Service(ssh).DeployAsync(Request(addons.Build("v1.zip")), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
            addons.Write("ig_gen_02", "1.1.0", "# v2\n");
            string v2 = addons.Build("v2.zip");
            // backups/ on a 2 MiB tmpfs: an (empty) PostgreSQL database alone is several MB
            var (code, output) = TestServers.Sh($"mount -t tmpfs -o size=2m,mode=0700,uid=$(id -u {TestServers.SshUser}) tmpfs {t.Root}/backups");
            Assert.True(code == 0, "mounting a tmpfs needs root: " + output);
            try
            {
                DeployException ex;
                using (var ssh = t.Ssh()) ex = Assert.Throws<DeployException>(() => t.Service(ssh).DeployAsync(Request(v2), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
                Assert.Equal("BackupNoSpace", ex.ErrorId);
                Assert.Contains("nothing was switched", ex.Message);
                Assert.True(t.WaitJobsDone(TimeSpan.FromSeconds(20)));
                Assert.Equal("releases/" + first.Release, t.Current);                 // never switched
                Assert.Equal("installed/17.0.1.0.0", t.Modules()["ig_gen_02"]);      // Odoo never ran
                Assert.Equal(1, t.OdooCalls);
                DeploymentRecord last = t.LastEntry;
                Assert.Equal("backup", last.FailedStep);
                Assert.DoesNotContain(last.Steps, s => s.Name == "switch" && s.Status == "ok");
                Assert.False(t.Locked);
                Assert.Empty(Directory.GetFiles(t.Root + "/backups"));                // no half-written dump
                var health = new HealthCheck(new System.Net.Http.HttpClient(), _ => System.Threading.Tasks.Task.FromResult(true));
                Assert.Null(health.WaitHealthyAsync(t.Settings.HealthUrl!, TimeSpan.FromSeconds(5), NullDeployLog.Instance, CancellationToken.None).GetAwaiter().GetResult()); // the window closed
            }
            finally { TestServers.Sh($"umount {t.Root}/backups"); }
        }

        [Fact]
        public void AWholeLedgerDeletedIsCaughtByExpectedHeadNotByVerifyAlone()
        {
            using var t = new DeployTarget();
            using var addons = new AddonSet(2);
            DeploymentRecord first;
            using (var ssh = t.Ssh()) first = t.Service(ssh).DeployAsync(Request(addons.Build("v1.zip")), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
            var (dir, file, env) = TargetJobTests.Environment(t);
            env.Remove("INFLUENCEGEN_LEDGER_KEY");
            using (dir)
            {
                var intact = HostProcess.Run(dir.Path, env, "-NoProfile", "-NonInteractive", "-c",
                    $"Get-InfluenceGenDeployment -Environment qa -ConfigurationPath '{file}' -ExpectedHead {first.Hash} | Select-Object -ExpandProperty Status");
                Assert.True(intact.ExitCode == 0, intact.StdErr);
                Assert.Contains("Succeeded", intact.StdOut);

                File.Delete(t.Root + "/deployments.jsonl");
                var verifyOnly = HostProcess.Run(dir.Path, env, "-NoProfile", "-NonInteractive", "-c",
                    $"Get-InfluenceGenDeployment -Environment qa -ConfigurationPath '{file}' -Verify; 'exit:' + $?");
                Assert.True(verifyOnly.ExitCode == 0, verifyOnly.StdErr);        // documented: -Verify alone cannot see a deleted ledger
                Assert.Contains("exit:True", verifyOnly.StdOut);

                var anchored = HostProcess.Run(dir.Path, env, "-NoProfile", "-NonInteractive", "-c",
                    $"Get-InfluenceGenDeployment -Environment qa -ConfigurationPath '{file}' -ExpectedHead {first.Hash}");
                Assert.NotEqual(0, anchored.ExitCode);
                Assert.Contains("fails verification", anchored.StdErr + anchored.StdOut);
                Assert.Contains("removed or emptied", anchored.StdErr + anchored.StdOut);
            }
        }
    }
}

namespace InfluenceGen.Deploy.Tests.Deploy
{
    /// <summary>Issue 11 point 10: HealthUrl is required on production (fail closed, before anything changes) and may be
    /// the base URL or the full /web/health URL.</summary>
    public class HealthUrlTests
    {
        private static DeployRequest Request(string package) => new DeployRequest { Package = DeployPackage.Open(package), User = "tester", SkipApproval = true, SkipReason = "test" };

        [Fact]
        public void ProductionWithoutAHealthUrlIsRefusedBeforeAnythingChanges()
        {
            using var t = new DeployTarget("production");
            using var addons = new AddonSet(1);
            t.Settings.HealthUrl = null;
            using var ssh = t.Ssh();
            var ex = Assert.Throws<DeployException>(() => t.Service(ssh).DeployAsync(Request(addons.Build("v1.zip")), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal("HealthUrlMissing", ex.ErrorId);
            Assert.Contains("PROD_ODOO_HEALTH_URL", ex.Message);
            Assert.Equal(0, ssh.RoundTrips);                       // nothing was even read
            Assert.False(Directory.Exists(t.Root));
            Assert.Throws<DeployException>(() => t.Service(ssh).PlanAsync(Request(addons.Build("v1.zip")), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
        }

        [Theory]
        [InlineData("/web/health")]
        [InlineData("/web/health?db_server_status=1")]
        [InlineData("/")]
        public void AHealthUrlGivenAsTheFullHealthUrlWorksAsTheBase(string suffix)
        {
            Assert.Equal("https://odoo.example.com", HealthCheck.BaseUrl("https://odoo.example.com" + suffix));
            using var t = new DeployTarget();
            using var addons = new AddonSet(1);
            t.Settings.HealthUrl = t.Settings.HealthUrl + suffix;
            using var ssh = t.Ssh();
            DeploymentRecord r = t.Service(ssh).DeployAsync(Request(addons.Build("v1.zip")), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal("Succeeded", r.Status);
            Assert.Contains(r.Steps, s => s.Name == "health" && s.Status == "ok");
        }
    }
}
