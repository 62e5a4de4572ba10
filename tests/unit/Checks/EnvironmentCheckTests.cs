using System.Management.Automation;
using InfluenceGen.Deploy.Checks;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Tests.Deploy;
using InfluenceGen.Deploy.Tests.Harness;
using InfluenceGen.Deploy.Tests.N8n;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.Checks
{
    /// <summary>
    /// Test-InfluenceGenEnvironment against a deployed environment: addons deployed over the real sshd into the real
    /// PostgreSQL (the stand-in odoo's web server answers health and XML-RPC), workflows published to the real n8n.
    /// </summary>
    public class EnvironmentCheckTests
    {
        private static string EnvironmentsFile(TempDir dir, DeployTarget t)
        {
            Environment.SetEnvironmentVariable("QA_ODOO_SERVER_SSH_PRIVATE_KEY", File.ReadAllText(TestServers.SshKey));
            Environment.SetEnvironmentVariable("QA_ODOO_DB_PASSWORD", TestServers.PgPassword);
            Environment.SetEnvironmentVariable("QA_N8N_API_KEY", N8nServer.ApiKey);
            return dir.Write("environments.json", $$"""
            {
              "environments": {
                "qa": {{t.EnvironmentEntry($"\"HealthTimeout\": 5, \"N8nApiUrl\": \"{N8nServer.Url}\"")}}
              }
            }
            """);
        }

        /// <summary>The checks as plain objects (the module's own types live in its load context).</summary>
        private static List<EnvironmentCheck> Checks(PsResult r) => r.Output.Select(o => new EnvironmentCheck
        {
            Environment = (string)o.Properties["Environment"].Value,
            Check = (string)o.Properties["Check"].Value,
            Target = (string)o.Properties["Target"].Value,
            Ok = (bool)o.Properties["Ok"].Value,
            Detail = (string)o.Properties["Detail"].Value,
        }).ToList();

        [Fact]
        public void A_deployed_environment_passes_every_check_and_each_drift_is_an_error_naming_it()
        {
            using var t = new DeployTarget("qa");
            using var addons = new AddonSet(2, "ig_chk");
            using var dir = new TempDir("igcheck");
            string cfg = EnvironmentsFile(dir, t);
            string prefix = N8nServer.NewPrefix(), tag = N8nServer.TagFor(prefix);
            string workflows = N8nServer.CopySamples(dir, prefix);
            using var ps = new PowerShellSession(dir.Path);
            ps.SetVariable("cfg", cfg); ps.SetVariable("src", addons.Folder); ps.SetVariable("wf", workflows);

            PsResult deployed = ps.Invoke("New-OdooAddonPackage -Path $src -OutFile odoo_addons.zip | Deploy-InfluenceGen qa -ConfigurationPath $cfg; " +
                                          $"New-N8nWorkflowPackage -Path $wf -OutFile n8n_workflows.zip | Out-Null; " +
                                          $"Publish-N8nWorkflow -Path n8n_workflows.zip -Environment qa -ConfigurationPath $cfg -ManagedTag '{tag}' | Out-Null");
            Assert.True(deployed.Terminating == null && deployed.Errors.Count == 0, deployed.AllText());

            PsResult ok = ps.Invoke("Test-InfluenceGenEnvironment qa -Package odoo_addons.zip -N8nPackage n8n_workflows.zip -ConfigurationPath $cfg");
            Assert.True(ok.Terminating == null && ok.Errors.Count == 0, ok.AllText());
            List<EnvironmentCheck> checks = Checks(ok);
            Assert.All(checks, c => Assert.True(c.Ok, c.ToString()));
            Assert.Contains(checks, c => c.Check == "OdooHealth");
            Assert.Contains(checks, c => c.Check == "OdooVersion" && c.Detail.Contains("Odoo 17.0"));
            Assert.Equal(addons.Names, checks.Where(c => c.Check == "Addon").Select(c => c.Target).OrderBy(n => n));
            Assert.Contains(checks, c => c.Check == "N8nReady");
            EnvironmentCheck hook = Assert.Single(checks, c => c.Check == "Webhook");
            Assert.Contains("POST /webhook/" + prefix.Trim().ToLowerInvariant() + "-influencer-signup", hook.Target);
            Assert.DoesNotContain(N8nServer.ApiKey, ok.AllText());
            Assert.DoesNotContain(TestServers.PgPassword, ok.AllText());

            // Drift: an addon left at another version, and the webhook's workflow deactivated.
            t.Psql(t.Database, $"update ir_module_module set latest_version = '17.0.0.9.0' where name = '{addons.Names[0]}'");
            JObject signup = N8nServer.Named(prefix).Single(w => ((string)w["name"]!).EndsWith("New influencer signup to Odoo"));
            N8nServer.Deactivate((string)signup["id"]!);
            PsResult drift = ps.Invoke("Test-InfluenceGenEnvironment qa -Package odoo_addons.zip -N8nPackage n8n_workflows.zip -ConfigurationPath $cfg");
            Assert.Null(drift.Terminating);
            List<EnvironmentCheck> after = Checks(drift);
            EnvironmentCheck stale = Assert.Single(after, c => !c.Ok && c.Check == "Addon");
            Assert.Equal(addons.Names[0], stale.Target);
            Assert.Contains("Installed at 17.0.0.9.0, the package has 17.0.1.0.0", stale.Detail);
            EnvironmentCheck gone = Assert.Single(after, c => !c.Ok && c.Check == "Webhook");
            Assert.Contains("Not registered", gone.Detail);
            Assert.Equal(2, drift.Errors.Count);
            Assert.All(drift.Errors, e => Assert.Equal("EnvironmentCheckFailed", e.FullyQualifiedErrorId.Split(',')[0]));

            // Odoo down: the health check and the version fail, each saying so.
            t.Psql(t.Database, $"update ir_module_module set latest_version = '17.0.1.0.0' where name = '{addons.Names[0]}'");
            TestServers.Sh($"pkill -f 'odoo-http {t.Port}' || true");
            PsResult down = ps.Invoke("Test-InfluenceGenEnvironment qa -Package odoo_addons.zip -ConfigurationPath $cfg -TimeoutSec 3");
            Assert.Contains(Checks(down), c => c.Check == "OdooHealth" && !c.Ok && c.Detail.StartsWith("No answer from"));
            Assert.All(Checks(down).Where(c => c.Check == "Addon"), c => Assert.True(c.Ok, c.ToString()));
        }

        [Fact]
        public void The_job_line_exits_1_when_a_check_fails_and_0_when_all_pass()
        {
            using var t = new DeployTarget("qa");
            using var addons = new AddonSet(1, "ig_chj");
            using var dir = new TempDir("igcheckjob");
            string cfg = EnvironmentsFile(dir, t);
            string pkg = addons.Build("a.zip");
            var env = new Dictionary<string, string>
            {
                ["QA_ODOO_SERVER_SSH_PRIVATE_KEY"] = File.ReadAllText(TestServers.SshKey),
                ["QA_ODOO_DB_PASSWORD"] = TestServers.PgPassword,
                ["QA_N8N_API_KEY"] = N8nServer.ApiKey,
            };
            // Not deployed yet: the addon is unknown to Odoo and nothing answers on the Odoo port.
            HostProcess.Result red = HostProcess.Run(dir.Path, env, "-NoProfile", "-NonInteractive", "-c",
                $"Test-InfluenceGenEnvironment -Environment qa -Package '{pkg}' -ConfigurationPath '{cfg}' -TimeoutSec 3");
            Assert.Equal(1, red.ExitCode);
            Assert.Contains("Not known to Odoo", red.StdOut + red.StdErr);
            Assert.DoesNotContain(TestServers.PgPassword, red.RawStdOut + red.RawStdErr);

            HostProcess.Result deploy = HostProcess.Run(dir.Path, env, "-NoProfile", "-NonInteractive", "-c",
                $"Deploy-InfluenceGen -Environment qa -Package '{pkg}' -ConfigurationPath '{cfg}'");
            Assert.True(deploy.ExitCode == 0, deploy.StdErr);
            HostProcess.Result green = HostProcess.Run(dir.Path, env, "-NoProfile", "-NonInteractive", "-c",
                $"Test-InfluenceGenEnvironment -Environment qa -Package '{pkg}' -ConfigurationPath '{cfg}'");
            Assert.True(green.ExitCode == 0, green.StdOut + green.StdErr);
            Assert.Contains("OdooVersion", green.StdOut);
        }
    }
}
