using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Environments;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.Tests.Deploy;
using Xunit;

namespace InfluenceGen.Deploy.Tests.Environments
{
    /// <summary>Copy-OdooDatabase's service between two real PostgreSQL clusters over the real sshd, the stand-in odoo on the destination.</summary>
    public class DatabaseCopyTests
    {
        /// <summary>production on the second cluster with data; staging on the first, deployed and serving.</summary>
        private static (DeployTarget prod, DeployTarget staging, AddonSet addons) Pair()
        {
            var prod = new DeployTarget("production", productionCluster: true);
            var staging = new DeployTarget("staging");
            Seed.Odoo(prod, "prod");
            Seed.Odoo(staging, "stagingold", partners: 3);
            staging.Settings.BaseUrl = "https://staging.example.test";
            var addons = new AddonSet(1);
            using (var ssh = staging.Ssh())
                Assert.Equal("Succeeded", staging.Service(ssh).DeployAsync(new DeployRequest { Package = DeployPackage.Open(addons.Build("v1.zip")), User = "t" }, new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult().Status);
            return (prod, staging, addons);
        }

        private static DatabaseCopyService Service(DeployTarget prod, DeployTarget staging, ITargetTransport src, ITargetTransport dst)
            => new DatabaseCopyService(src, prod.Settings, dst, staging.Settings) { HealthInterval = TimeSpan.FromMilliseconds(300) };

        private static DatabaseCopyRequest Request(bool neutralize = true) => new DatabaseCopyRequest
        {
            Neutralize = neutralize, Sql = Seed.AnonymizeSql, SqlFile = "samples/refresh/anonymize.sql", User = "tester",
        };

        private static bool Healthy(DeployTarget t)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            try { return http.GetAsync(t.Settings.HealthUrl + "/web/health?db_server_status=1").GetAwaiter().GetResult().IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }

        private static string[] Leftovers(DeployTarget t) => t.Psql("postgres", $"select datname from pg_database where datname like '{t.Database}_ig%'").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        [Fact]
        public void StagingBecomesANeutralizedAnonymisedCopyOfProductionWithItsOwnIdentityAndTheLedgerSaysSo()
        {
            var (prod, staging, addons) = Pair();
            using (prod) using (staging) using (addons)
            using (var src = prod.Ssh())
            using (var dst = staging.Ssh())
            {
                var log = new RecordingLog();
                DatabaseCopyResult r = Service(prod, staging, src, dst).CopyAsync(Request(), log, CancellationToken.None).GetAwaiter().GetResult();

                Assert.True(r.Neutralized);
                Assert.True(r.Bytes > 0);
                Assert.Matches("^[0-9a-f]{64}$", r.DumpSha256);
                Assert.Contains("tables=", r.Objects);
                // production's data, anonymised, neutralized; production itself untouched
                Assert.Equal("50", Seed.Sql(staging, staging.Database, "select count(*) from res_partner"));
                Assert.Equal("0", Seed.Sql(staging, staging.Database, "select count(*) from res_partner where name like 'stagingold%'"));
                Assert.Equal("0", Seed.Sql(staging, staging.Database, "select count(*) from res_partner where email not like 'partner-%@example.invalid' or phone is not null"));
                Assert.Equal("50", Seed.Sql(staging, staging.Database, "select count(*) from ig_campaign"));
                Assert.Equal("true", Seed.Param(staging, "database.is_neutralized"));
                Assert.Equal("0", Seed.Sql(staging, staging.Database, "select count(*) from ir_cron where active") );
                Assert.Equal("0", Seed.Sql(staging, staging.Database, "select count(*) from ir_mail_server where active"));
                Assert.Equal("https://staging.example.test", Seed.Param(staging, "web.base.url"));
                string uuid = Seed.Param(staging, "database.uuid"), secret = Seed.Param(staging, "database.secret");
                Assert.Matches("^[0-9a-f-]{36}$", uuid); Assert.Matches("^[0-9a-f-]{36}$", secret);
                Assert.NotEqual(uuid, secret);
                Assert.Equal("", Seed.Param(prod, "database.is_neutralized"));
                Assert.Equal("uuid-prod", Seed.Param(prod, "database.uuid"));
                Assert.Equal("2", Seed.Sql(prod, prod.Database, "select count(*) from ir_cron where active"));
                Assert.Contains("@prod.example.com", Seed.Sql(prod, prod.Database, "select email from res_partner limit 1"));
                // Odoo's own neutralize command, subcommand first
                string neutralizeCall = File.ReadAllLines(Path.Combine(staging.State, "calls.log")).Single(l => l.Contains("neutralize"));
                Assert.StartsWith("neutralize ", neutralizeCall);
                // swapped in by rename: no temporary or old database left, no dump left, lock free, Odoo healthy
                Assert.Empty(Leftovers(staging));
                Assert.Empty(Directory.GetFiles(staging.Root + "/backups", "*-copy-*"));
                Assert.False(staging.Locked);
                Assert.True(Healthy(staging));
                DeploymentRecord entry = staging.LastEntry;
                Assert.Equal("refresh", entry.Kind);
                Assert.Equal("Succeeded", entry.Status);
                Assert.Equal("production:" + prod.Database, entry.Source);
                Assert.True(entry.Neutralized);
                Assert.Equal(r.DumpSha256, entry.DumpSha256);
                Assert.Equal(r.Backup, entry.Backup);
                Assert.True(entry.Verified);
                Assert.Contains(entry.Steps, s => s.Name == "stop" && s.Status == "ok");
                Assert.Contains(entry.Steps, s => s.Name == "health" && s.Status == "ok");

                // secrets: both clusters' passwords and the SSH key in no output, ledger, or process list on the target
                string key = File.ReadAllText(TestServers.SshKey).Trim().Split('\n')[1];
                string everything = log.All + string.Join("\n", staging.LedgerLines) + File.ReadAllText(Path.Combine(staging.State, "ps.txt")) + Newtonsoft.Json.JsonConvert.SerializeObject(r);
                foreach (string secret2 in new[] { TestServers.PgPassword, TestServers.PgProdPassword, key })
                    Assert.DoesNotContain(secret2, everything);
            }
        }

        [Fact]
        public void AFailingNeutralizeLeavesStagingAsItWasAndRecordsTheFailure()
        {
            var (prod, staging, addons) = Pair();
            using (prod) using (staging) using (addons)
            using (var src = prod.Ssh())
            using (var dst = staging.Ssh())
            {
                staging.FailAt("neutralize");
                var ex = Assert.Throws<DeployException>(() => Service(prod, staging, src, dst).CopyAsync(Request(), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
                Assert.Equal("NeutralizeFailed", ex.ErrorId);
                Assert.Contains("was not changed", ex.Message);
                Assert.Equal("3", Seed.Sql(staging, staging.Database, "select count(*) from res_partner"));
                Assert.Equal("uuid-stagingold", Seed.Param(staging, "database.uuid"));
                Assert.Empty(Leftovers(staging));
                Assert.Empty(Directory.GetFiles(staging.Root + "/backups", "*-copy-*"));
                Assert.False(staging.Locked);
                Assert.Equal("Failed", staging.LastEntry.Status);
                Assert.Equal("prepare", staging.LastEntry.FailedStep);
                Assert.False(staging.LastEntry.Neutralized);
            }
        }

        [Fact]
        public void AnUnhealthyCopyIsSwappedBackAndOdooServesTheOldDatabaseAgain()
        {
            var (prod, staging, addons) = Pair();
            using (prod) using (staging) using (addons)
            using (var src = prod.Ssh())
            using (var dst = new FaultyTransport(staging.Ssh()))
            {
                // the copy goes in, then Odoo answers 500 until the swap is undone
                dst.AfterScript = script =>
                {
                    if (script.Contains("echo \"@@SWAPPED had_live")) staging.FailAt("health");
                    if (script.Contains("@@SWAPPED_BACK")) staging.FailAt(null);
                };
                var copy = new DatabaseCopyService(src, prod.Settings, dst, staging.Settings) { HealthInterval = TimeSpan.FromMilliseconds(300) };
                var ex = Assert.Throws<DeployException>(() => copy.CopyAsync(Request(), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
                Assert.Equal("HealthCheckFailed", ex.ErrorId);
                Assert.Contains("put back as it was", ex.Message);
                Assert.Equal("3", Seed.Sql(staging, staging.Database, "select count(*) from res_partner"));
                Assert.Equal("uuid-stagingold", Seed.Param(staging, "database.uuid"));
                Assert.Empty(Leftovers(staging));
                Assert.True(Healthy(staging));
                Assert.Equal("RolledBack", staging.LastEntry.Status);
                Assert.False(staging.Locked);
            }
        }

        [Fact]
        public void ADestinationThatCannotHoldTheCopyIsRefusedBeforeAnythingMoves()
        {
            var (prod, staging, addons) = Pair();
            using (prod) using (staging) using (addons)
            {
                // production grows to ~8 MB; staging's backups folder is a 1 MiB tmpfs
                prod.Psql(prod.Database, "create table ig_blob (id serial primary key, data text); insert into ig_blob (data) select md5(g::text) || repeat(md5(random()::text), 40) from generate_series(1, 6000) g;");
                var (code, output) = TestServers.Sh($"mkdir -p {staging.Root}/backups && mount -t tmpfs -o size=1m,mode=0700,uid=$(id -u {TestServers.SshUser}) tmpfs {staging.Root}/backups");
                Assert.True(code == 0, "mounting a tmpfs needs root: " + output);
                try
                {
                    using var src = prod.Ssh();
                    using var dst = staging.Ssh();
                    var ex = Assert.Throws<DeployException>(() => Service(prod, staging, src, dst).CopyAsync(Request(), new RecordingLog(), CancellationToken.None).GetAwaiter().GetResult());
                    Assert.Equal("InsufficientSpace", ex.ErrorId);
                    Assert.Contains("cannot hold the copy", ex.Message);
                    Assert.Equal("3", Seed.Sql(staging, staging.Database, "select count(*) from res_partner"));
                    Assert.Empty(Leftovers(staging));
                    Assert.False(staging.Locked);
                    Assert.Equal("space", staging.LastEntry.FailedStep);
                }
                finally { TestServers.Sh($"umount {staging.Root}/backups"); }
            }
        }

        [Fact]
        public void ProductionIsNeverADestinationAndNeitherIsAnEnvironmentPointingAtItsDatabase()
        {
            var a = new DeploySettings { Environment = "staging", Database = "influencegen", DatabaseHost = "localhost", DatabasePort = 5432 };
            var p = new DeploySettings { Environment = "production", Database = "influencegen", DatabaseHost = "localhost", DatabasePort = 5432 };
            var qa = new DeploySettings { Environment = "qa", Database = "influencegen", DatabaseHost = "localhost", DatabasePort = 5432 };
            Assert.Equal("DestinationIsProduction", Assert.Throws<DeployException>(() => DatabaseCopyService.Guard(a, "deploy@stg:22", p, "deploy@prd:22", null)).ErrorId);
            Assert.Equal("DestinationIsProduction", Assert.Throws<DeployException>(() => DatabaseCopyService.Guard(a, "deploy@stg:22", qa, "deploy@prd:22", (p, "deploy@prd:22"))).ErrorId);
            Assert.Equal("SameDatabase", Assert.Throws<DeployException>(() => DatabaseCopyService.Guard(a, "deploy@stg:22", qa, "other@stg:22", null)).ErrorId);
            DatabaseCopyService.Guard(p, "deploy@prd:22", a, "deploy@stg:22", (p, "deploy@prd:22")); // production -> staging is the point
        }

        [Theory]
        [InlineData("sudo -n -u odoo odoo -c /etc/odoo/odoo.conf", "sudo -n -u odoo odoo neutralize -c /etc/odoo/odoo.conf")]
        [InlineData("docker compose --project-directory '/opt/ig' exec -T 'odoo' odoo", "docker compose --project-directory '/opt/ig' exec -T 'odoo' odoo neutralize")]
        [InlineData("IG_STANDIN_STATE=/s /home/x/odoo-bin --addons-path='/r/current'", "IG_STANDIN_STATE=/s /home/x/odoo-bin neutralize --addons-path='/r/current'")]
        public void TheNeutralizeSubcommandGoesRightAfterOdoosExecutable(string cli, string expected)
            => Assert.Equal(expected, OdooCli.WithSubcommand(cli, "neutralize"));

        [Fact]
        public void StatementsThatWouldEndTheCopysTransactionAreRefusedNamingFileAndLine()
        {
            DatabaseCopyRequest.CheckSql(Seed.AnonymizeSql, "anonymize.sql");
            var ex = Assert.Throws<DeployException>(() => DatabaseCopyRequest.CheckSql("update res_partner set email = null;\nCOMMIT;\n", "refresh/x.sql"));
            Assert.Equal("RefreshSqlInvalid", ex.ErrorId);
            Assert.StartsWith("refresh/x.sql:2:", ex.Message);
            Assert.Throws<DeployException>(() => DatabaseCopyRequest.CheckSql("\\! rm -rf /\n", "y.sql"));
        }

        [Fact]
        public void TheStandInRefusesTheSubcommandAfterOptionsAsOdooBinDoes()
        {
            using var t = new DeployTarget();
            string env = $"IG_STANDIN_STATE={t.State} PGHOST=127.0.0.1 PGPORT={t.PgPort} PGUSER={TestServers.PgUser} PGPASSWORD={t.PgPassword}";
            var (code, output) = TestServers.Sh($"{env} {t.Dir}/odoo -d {t.Database} neutralize");
            Assert.Equal(2, code);
            Assert.Contains("unrecognized parameters: 'neutralize'", output);
            Assert.Equal("", Seed.Param(t, "database.is_neutralized"));
            (code, output) = TestServers.Sh($"{env} {t.Dir}/odoo neutralize -d {t.Database}");
            Assert.True(code == 0, output);
            Assert.Contains("odoo.cli.neutralize: Starting " + t.Database + " database neutralization", output);
            Assert.Contains("odoo.modules.neutralize: Neutralization finished", output);
            Assert.Equal("true", Seed.Param(t, "database.is_neutralized"));
        }
    }
}
