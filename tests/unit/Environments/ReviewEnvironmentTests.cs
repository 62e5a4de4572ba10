using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Environments;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Tests.Deploy;
using InfluenceGen.Deploy.Tests.Harness;
using Xunit;

namespace InfluenceGen.Deploy.Tests.Environments
{
    /// <summary>Review environments: names from the branch slug, the one resolver, and the cmdlets against the real sshd and PostgreSQL.</summary>
    public class ReviewEnvironmentTests
    {
        [Fact]
        public void SlugsGiveDistinctNamesLongOnesShortenedWithAHash()
        {
            var a = ReviewEnvironment.Parse("review/feature-payouts");
            Assert.Equal("feature-payouts", a.Key);
            Assert.Equal("influencegen_rv_feature_payouts", a.Database("influencegen"));
            Assert.Equal("/opt/influencegen/review/feature-payouts", a.DeployRoot("/opt/influencegen/"));
            Assert.Equal("odoo@feature-payouts", a.Service("odoo"));
            // two long slugs sharing their first 40 characters
            string stem = "1234-a-very-long-branch-name-about-the-influencer-payout-";
            var l1 = ReviewEnvironment.Parse("review/" + stem + "one");
            var l2 = ReviewEnvironment.Parse("review/" + stem + "two");
            Assert.NotEqual(l1.Key, l2.Key);
            Assert.Equal(25, l1.Key.Length);
            Assert.Matches("^[a-z0-9-]{16}-[0-9a-f]{8}$", l1.Key);
            Assert.Equal(l1.Key, ReviewEnvironment.Parse("REVIEW/" + stem.ToUpperInvariant() + "ONE").Key);   // deterministic
            // an unshortened slug (at most 24 characters) can never look like a shortened key (25)
            Assert.Equal("abcdefghijklmnop-1234567", ReviewEnvironment.Parse("review/abcdefghijklmnop-1234567").Key);
            Assert.True(l1.Database("influencegen").Length <= 63);
            int p = a.Port(18100, 800);
            Assert.InRange(p, 18100, 18899);
            Assert.Equal(p, ReviewEnvironment.Parse("review/feature-payouts").Port(18100, 800));
            Assert.Equal("http://dev.example.com:" + p, a.Url(null, "http://dev.example.com:8069/", p));
            Assert.Equal($"https://feature-payouts.review.example.com", a.Url("https://{slug}.review.example.com", null, p));
        }

        [Theory]
        [InlineData("review/")]
        [InlineData("review/Bad_Slug")]
        [InlineData("review/-x")]
        [InlineData("review/a/b")]
        public void WhatIsNotAGitLabSlugIsRefused(string name)
            => Assert.Equal("InvalidReviewName", Assert.Throws<DeployException>(() => ReviewEnvironment.Parse(name)).ErrorId);

        [Fact]
        public void TheResolverDerivesAReviewEnvironmentFromDevAndAnExplicitValueStillWins()
        {
            using var dir = new TempDir("igrev");
            string file = dir.Write("environments.json", """
            { "environments": { "dev": { "OdooSshHost": "dev.example.com", "DeployRoot": "/srv/ig", "OdooDatabase": "igdev",
                "OdooUrl": "https://dev.example.com", "ReviewPortBase": 20000, "ReviewPortCount": 100, "RestartCommand": "systemctl restart {service}" } } }
            """);
            var resolver = new ConfigurationResolver(new Dictionary<string, string> { ["DEV_ODOO_DB_PASSWORD"] = "dev-db-secret-1" }, new SecretMasker());
            DeployConfiguration c = resolver.Resolve("review/feature-x", file);
            Assert.Equal("review/feature-x", c.Environment);
            Assert.Equal("igdev_rv_feature_x", c.Get("OdooDatabase"));
            Assert.Equal("/srv/ig/review/feature-x", c.Get("DeployRoot"));
            Assert.Equal("dev.example.com", c.Get("OdooSshHost"));
            Assert.Equal("dev-db-secret-1", c.Get("OdooDatabasePassword"));
            int port = int.Parse(c.Get("OdooHttpPort")!);
            Assert.InRange(port, 20000, 20099);
            Assert.Equal("https://dev.example.com:" + port, c.Get("OdooUrl"));
            Assert.Equal("false", c.Get("RequireChangeApproval"));
            Assert.StartsWith("derived from dev", c.Entries.Single(e => e.Name == "OdooDatabase").Source);
            var s = InfluenceGen.Deploy.Deploy.DeploySettings.From(c, dir.Path);
            Assert.Equal("systemctl restart 'odoo@feature-x'", s.Restart);
            Assert.Equal("igother", resolver.Resolve("review/feature-x", file, new Dictionary<string, object?> { ["OdooDatabase"] = "igother" }).Get("OdooDatabase"));
        }

        /// <summary>dev (the review environments' parent) and staging (their source) in an environments file; secrets as CI variables.</summary>
        private static (TempDir dir, string file, int portBase) Environments(DeployTarget dev, DeployTarget staging, int portCount = 400)
        {
            var dir = new TempDir("igrev");
            int portBase = 20000 + Random.Shared.Next(0, 20) * 1000;
            string Env(DeployTarget t, string extra) => $$"""
                  "OdooSshHost": "{{TestServers.SshHost}}", "OdooSshPort": {{TestServers.SshPort}}, "OdooSshUser": "{{TestServers.SshUser}}",
                  "OdooSshHostKey": "{{TestServers.Fingerprint}}", "DeployRoot": "{{t.Root}}", "OdooDatabase": "{{t.Database}}",
                  "OdooDatabaseHost": "127.0.0.1", "OdooDatabasePort": {{t.PgPort}}, "OdooDatabaseUser": "{{TestServers.PgUser}}", "OdooRuntime": "command",
                  "HealthTimeout": 5 {{extra}}
            """;
            string d = dev.Dir;
            string file = dir.Write("environments.json", $$"""
            { "environments": {
                "dev": { {{Env(dev, $", \"OdooCommand\": \"IG_STANDIN_STATE={{root}}/standin {d}/odoo --addons-path={{current}}\", \"RestartCommand\": \"IG_STANDIN_STATE={{root}}/standin {d}/odoo-restart {{port}} --addons-path={{current}}\", \"StopCommand\": \"IG_STANDIN_STATE={{root}}/standin {d}/odoo-stop\", \"ReviewUrl\": \"http://127.0.0.1:{{port}}\", \"ReviewPortBase\": {portBase}, \"ReviewPortCount\": {portCount}")}} },
                "staging": { {{Env(staging, "")}} }
            } }
            """);
            Environment.SetEnvironmentVariable("DEV_ODOO_SERVER_SSH_PRIVATE_KEY", File.ReadAllText(TestServers.SshKey));
            Environment.SetEnvironmentVariable("DEV_ODOO_DB_PASSWORD", dev.PgPassword);
            Environment.SetEnvironmentVariable("STAGING_ODOO_SERVER_SSH_PRIVATE_KEY", File.ReadAllText(TestServers.SshKey));
            Environment.SetEnvironmentVariable("STAGING_ODOO_DB_PASSWORD", staging.PgPassword);
            return (dir, file, portBase);
        }

        private static string? ErrorId(PsResult r) => (r.Terminating ?? r.Errors.LastOrDefault())?.FullyQualifiedErrorId.Split(',')[0];

        [Fact]
        public void AMergeRequestGetsItsOwnNeutralizedDatabaseRootAndOdooThenTheStopJobRemovesThemAll()
        {
            using var dev = new DeployTarget("dev");
            using var staging = new DeployTarget("staging", productionCluster: true);
            Seed.Odoo(staging, "staging");
            using var addons = new AddonSet(2);
            string pkg = addons.Build("v1.zip");
            var (dir, file, _) = Environments(dev, staging);
            string slug = "feature-" + dev.Id;
            string longSlug = "1234-a-very-long-branch-name-for-payouts-" + dev.Id;
            var review = ReviewEnvironment.Parse("review/" + slug);
            string db = review.Database(dev.Database), root = review.DeployRoot(dev.Root);
            using (dir)
            using (var ps = new PowerShellSession(dir.Path))
            {
                try
                {
                    ps.SetVariable("cfg", file); ps.SetVariable("pkg", pkg); ps.SetVariable("name", "review/" + slug); ps.SetVariable("long", "review/" + longSlug);
                    // staging is not neutralized yet: refused, nothing created
                    PsResult notNeutral = ps.Invoke("New-InfluenceGenEnvironment -Name $name -ConfigurationPath $cfg");
                    Assert.Equal("SourceNotNeutralized", ErrorId(notNeutral));
                    Assert.Equal("0", dev.Psql("postgres", $"select count(*) from pg_database where datname = '{db}'").Trim());
                    staging.Psql(staging.Database, "insert into ir_config_parameter (key, value) values ('database.is_neutralized', 'true')");

                    PsResult created = ps.Invoke("$e = New-InfluenceGenEnvironment -Name $name -ConfigurationPath $cfg -DotEnvPath review.env; $e; Deploy-InfluenceGen -Environment $e.Name -Package $pkg -ConfigurationPath $cfg");
                    Assert.True(ErrorId(created) == null, created.AllText());
                    dynamic env = created.Output[0];
                    Assert.Equal("Created", (string)env.Status);
                    Assert.Equal(db, (string)env.Database);
                    int port = (int)env.Port;
                    Assert.Equal($"http://127.0.0.1:{port}", (string)env.Url);
                    Assert.Equal($"REVIEW_URL=http://127.0.0.1:{port}\nREVIEW_ADDRESS=127.0.0.1:{port}\nREVIEW_DATABASE={db}\nREVIEW_PORT={port}\n", File.ReadAllText(Path.Combine(dir.Path, "review.env")));
                    Assert.Equal("Succeeded", (string)created.Output[1].Properties["Status"].Value);
                    // its own database (a copy of staging, neutralized, its own identity and URL), root and Odoo on its port
                    Assert.Equal("50", dev.Psql(db, "select count(*) from res_partner").Trim());
                    Assert.Equal("true", dev.Psql(db, "select value from ir_config_parameter where key = 'database.is_neutralized'").Trim());
                    Assert.NotEqual("uuid-staging", dev.Psql(db, "select value from ir_config_parameter where key = 'database.uuid'").Trim());
                    Assert.Equal($"http://127.0.0.1:{port}", dev.Psql(db, "select value from ir_config_parameter where key = 'web.base.url'").Trim());
                    Assert.Equal("installed/17.0.1.0.0", dev.Psql(db, "select state || '/' || latest_version from ir_module_module where name = 'ig_gen_01'").Trim());
                    Assert.True(Directory.Exists(root + "/current"));
                    using (var http = new HttpClient())
                        Assert.True(http.GetAsync($"http://127.0.0.1:{port}/web/health?db_server_status=1").GetAwaiter().GetResult().IsSuccessStatusCode);

                    // again: left as it is (the job of the next push)
                    PsResult again = ps.Invoke("New-InfluenceGenEnvironment -Name $name -ConfigurationPath $cfg");
                    Assert.Equal("Exists", (string)again.Single().Properties["Status"].Value);

                    // another branch with a long slug: its own names
                    PsResult other = ps.Invoke("New-InfluenceGenEnvironment -Name $long -ConfigurationPath $cfg");
                    Assert.True(ErrorId(other) == null, other.AllText());
                    Assert.NotEqual(db, (string)other.Single().Properties["Database"].Value);
                    Assert.NotEqual(port, (int)other.Single().Properties["Port"].Value);

                    // fixed environments are refused; the stop job removes database, releases and process
                    Assert.Equal("FixedEnvironment", ErrorId(ps.Invoke("Remove-InfluenceGenEnvironment -Name staging -ConfigurationPath $cfg -Force")));
                    Assert.Equal("FixedEnvironment", ErrorId(ps.Invoke("Remove-InfluenceGenEnvironment -Name dev -ConfigurationPath $cfg -Force")));
                    PsResult removed = ps.Invoke("Remove-InfluenceGenEnvironment -Name $name -ConfigurationPath $cfg -Force");
                    Assert.True(ErrorId(removed) == null, removed.AllText());
                    Assert.Equal("Removed", (string)removed.Single().Properties["Status"].Value);
                    Assert.Equal("0", dev.Psql("postgres", $"select count(*) from pg_database where datname = '{db}'").Trim());
                    Assert.False(Directory.Exists(root));
                    using (var http = new HttpClient())
                        Assert.ThrowsAny<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{port}/web/health").GetAwaiter().GetResult());
                    Assert.DoesNotContain($"{port} {review.Key}", File.ReadAllText(dev.Root + "/review/ports"));
                    Assert.Equal("1", dev.Psql("postgres", $"select count(*) from pg_database where datname = '{dev.Database}'").Trim());
                    Assert.Equal("1", staging.Psql("postgres", $"select count(*) from pg_database where datname = '{staging.Database}'").Trim());
                    PsResult twice = ps.Invoke("Remove-InfluenceGenEnvironment -Name $name -ConfigurationPath $cfg -Force");
                    Assert.Equal("Absent", (string)twice.Single().Properties["Status"].Value);
                    Assert.Equal("Removed", (string)ps.Invoke("Remove-InfluenceGenEnvironment -Name $long -ConfigurationPath $cfg -Force").Single().Properties["Status"].Value);

                    string key = File.ReadAllText(TestServers.SshKey).Trim().Split('\n')[1];
                    string all = notNeutral.AllText() + created.AllText() + again.AllText() + other.AllText() + removed.AllText() + File.ReadAllText(Path.Combine(dir.Path, "review.env"));
                    foreach (string secret in new[] { TestServers.PgPassword, TestServers.PgProdPassword, key }) Assert.DoesNotContain(secret, all);
                }
                finally
                {
                    foreach (string s in new[] { slug, longSlug })
                    {
                        var r = ReviewEnvironment.Parse("review/" + s);
                        try { TestServers.Sh($"[ -s {r.DeployRoot(dev.Root)}/standin/http.pid ] && kill $(cat {r.DeployRoot(dev.Root)}/standin/http.pid)"); } catch { }
                        try { dev.Psql("postgres", $"drop database if exists {r.Database(dev.Database)} with (force)"); } catch { }
                    }
                }
            }
        }

        [Fact]
        public void APortAnotherLiveReviewEnvironmentHoldsIsRefusedNotShared()
        {
            using var dev = new DeployTarget("dev");
            using var staging = new DeployTarget("staging");
            staging.Psql(staging.Database, "insert into ir_config_parameter (key, value) values ('database.is_neutralized', 'true')");
            var (dir, file, _) = Environments(dev, staging, portCount: 1);
            using (dir)
            using (var ps = new PowerShellSession(dir.Path))
            {
                ps.SetVariable("cfg", file);
                string a = "review/a-" + dev.Id, b = "review/b-" + dev.Id;
                try
                {
                    Assert.Equal("Created", (string)ps.Invoke($"New-InfluenceGenEnvironment -Name {a} -ConfigurationPath $cfg").Single().Properties["Status"].Value);
                    PsResult clash = ps.Invoke($"New-InfluenceGenEnvironment -Name {b} -ConfigurationPath $cfg");
                    Assert.Equal("ReviewPortTaken", ErrorId(clash));
                    Assert.Contains(a, clash.AllText());
                    Assert.Equal("0", dev.Psql("postgres", $"select count(*) from pg_database where datname = '{ReviewEnvironment.Parse(b).Database(dev.Database)}'").Trim());
                    ps.Invoke($"Remove-InfluenceGenEnvironment -Name {a} -ConfigurationPath $cfg -Force");
                    Assert.Equal("Created", (string)ps.Invoke($"New-InfluenceGenEnvironment -Name {b} -ConfigurationPath $cfg").Single().Properties["Status"].Value);
                    ps.Invoke($"Remove-InfluenceGenEnvironment -Name {b} -ConfigurationPath $cfg -Force");
                }
                finally
                {
                    foreach (string n in new[] { a, b })
                        try { dev.Psql("postgres", $"drop database if exists {ReviewEnvironment.Parse(n).Database(dev.Database)} with (force)"); } catch { }
                }
            }
        }
    }
}
