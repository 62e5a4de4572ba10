using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Tests.Deploy;
using InfluenceGen.Deploy.Tests.Approval;
using InfluenceGen.Deploy.Tests.Notify;
using InfluenceGen.Deploy.Tests.Harness;
using InfluenceGen.Deploy.Tests.N8n;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.Pipeline
{
    /// <summary>
    /// .gitlab-ci.yml run end to end by gitlab-ci-local on a throw-away project holding the sample addons and
    /// workflows: real pwsh jobs against the real sshd + PostgreSQL (three deploy targets with the stand-in odoo),
    /// the real n8n, and the JIRA / Slack doubles running in this process. Project variables use the names the
    /// replaced projects already have (DEV_ODOO_SSH_KEY_SECRET, *_N8N_API_KEY_SECRET, SLACK_WEBHOOK_URL_*_SECRET…).
    /// </summary>
    public sealed class PipelineRunTests
    {
        private static readonly (string Env, string Prefix)[] Environments = { ("dev", "DEV"), ("staging", "STAGING"), ("production", "PROD") };

        /// <summary>Everything one pipeline project needs: targets, doubles, workflows, the project.</summary>
        private sealed class Project : IDisposable
        {
            public readonly Dictionary<string, DeployTarget> Targets = new();
            public readonly FakeJira Jira = new(3, GateTestSupport.NewToken());
            public readonly FakeWebhook Slack = new();
            public readonly FakeIssue Change;
            public readonly string WorkflowPrefix = N8nServer.NewPrefix();
            public readonly GitLabPipeline Pipeline;
            private readonly TempDir _workflows = new("igwf");
            public readonly List<string> Secrets = new();

            public Project(Dictionary<string, string>? extraVariables = null)
            {
                foreach (var (env, _) in Environments) Targets[env] = new DeployTarget(env);
                Change = GateTestSupport.ApprovedIssue(Jira, "CHG-" + new Random().Next(100, 999));
                Change.Status = "Awaiting CAB";
                string folder = N8nServer.CopySamples(_workflows, WorkflowPrefix);
                var variables = new Dictionary<string, string>
                {
                    ["JIRA_BASE_URL"] = Jira.BaseUrl.ToString(), ["JIRA_FLAVOR"] = "cloud", ["JIRA_USERNAME"] = FakeJira.Email,
                    ["JIRA_API_TOKEN_SECRET"] = Jira.Token, ["CHANGE_MANAGEMENT_PROJECT_KEY"] = "CHG", ["CHANGE_REQUEST_ID"] = Change.Key,
                    ["CHANGE_TECHNICAL_APPROVER_FIELD"] = GateTestSupport.TechnicalField, ["CHANGE_BUSINESS_APPROVER_FIELD"] = GateTestSupport.BusinessField,
                    ["SLACK_WEBHOOK_URL_INFO_SECRET"] = Slack.Url.ToString(), ["SLACK_WEBHOOK_URL_CRITICAL_SECRET"] = Slack.Url.ToString(),
                };
                string key = File.ReadAllText(TestServers.SshKey);
                foreach (var (env, p) in Environments)
                {
                    DeployTarget t = Targets[env];
                    variables[p + "_ODOO_SERVER_SSH_HOST"] = TestServers.SshHost;
                    variables[p + "_ODOO_SERVER_SSH_PORT"] = TestServers.SshPort.ToString();
                    variables[p + "_ODOO_SERVER_SSH_USER"] = TestServers.SshUser;
                    variables[p + "_ODOO_SSH_KEY_SECRET"] = key;
                    variables[p + "_ODOO_SERVER_SSH_HOST_KEY"] = TestServers.Fingerprint;
                    variables[p + "_ODOO_DB_NAME"] = t.Database;
                    variables[p + "_ODOO_DB_PASSWORD"] = TestServers.PgPassword;
                    variables[p + "_N8N_INSTANCE_URL"] = N8nServer.Url;
                    variables[p + "_N8N_API_KEY_SECRET"] = N8nServer.ApiKey;
                    variables[p + "_ODOO_HOST"] = "127.0.0.1:" + t.Port;
                }
                foreach (var kv in extraVariables ?? new()) variables[kv.Key] = kv.Value;
                Secrets.AddRange(new[] { Jira.Token, Slack.SecretPart, TestServers.PgPassword, N8nServer.ApiKey,
                                         key.Split('\n').OrderByDescending(l => l.Length).First() });
                Pipeline = new GitLabPipeline(EnvironmentsJson(), folder, variables);
            }

            private string EnvironmentsJson()
            {
                var envs = new JObject();
                foreach (var (env, _) in Environments)
                {
                    DeploySettings s = Targets[env].Settings;
                    envs[env] = new JObject
                    {
                        ["DeployRoot"] = s.Root, ["OdooDatabaseHost"] = "127.0.0.1", ["OdooDatabasePort"] = s.DatabasePort, ["OdooDatabaseUser"] = s.DatabaseUser,
                        ["OdooRuntime"] = "command", ["OdooCommand"] = s.OdooCommand, ["RestartCommand"] = s.RestartCommand, ["StopCommand"] = s.StopCommand,
                        ["HealthUrl"] = s.HealthUrl, ["HealthTimeout"] = 15,
                    };
                }
                return new JObject { ["environments"] = envs }.ToString();
            }

            /// <summary>The sample workflows of this project as the n8n server holds them.</summary>
            public List<JObject> Workflows => N8nServer.Named(WorkflowPrefix);

            public void AssertNoSecretIn(params PipelineRun[] runs)
            {
                var texts = runs.Select(r => ("log", r.Output)).ToList();
                string artifacts = Pipeline.Combine(".gitlab-ci-local");
                foreach (string f in Directory.GetFiles(artifacts, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/includes/")))
                    if (new FileInfo(f).Length < 5_000_000) texts.Add((f, File.ReadAllText(f)));
                foreach (DeployTarget t in Targets.Values) texts.Add(("ledger " + t.Settings.Environment, string.Join("\n", t.LedgerLines)));
                foreach (var (where, text) in texts)
                    foreach (string secret in Secrets)
                        Assert.False(text.Contains(secret), $"a secret ({secret.Substring(0, 4)}…) appears in {where}");
            }

            public void Dispose()
            {
                Pipeline.Dispose();
                foreach (DeployTarget t in Targets.Values) t.Dispose();
                Jira.Dispose(); Slack.Dispose(); _workflows.Dispose();
            }
        }

        private static string Notices(Project p) => string.Join("\n", p.Slack.Payloads.Select(x => x.ToString()));

        [Fact]
        public void TheDefaultPipelineDeploysDevAndStagingThenProductionOnlyWithAnApprovedChange()
        {
            using var p = new Project();
            // 1. The whole pipeline, staging started by hand (REQUIRE_MANUAL_APPROVAL_FOR_STAGING defaults to true),
            //    production clicked too, but the change request is still awaiting the CAB.
            PipelineRun run = p.Pipeline.Run(null, "--manual", "deploy_staging", "--manual", "deploy_production");
            Assert.True(run.ExitCode != 0, run.ToString());
            foreach (string job in new[] { "validate_addons", "validate_workflows", "package_odoo_addons", "package_n8n_workflows", "odoo_unit_tests", "odoo_lint",
                                           "deploy_dev", "integration_test_services", "notify_dev_success", "deploy_staging", "notify_staging_success", "notify_change_gate_failure" })
                Assert.True(run.Passed(job), $"{job}: {run.Status(job) ?? "did not run"}\n{run}");
            // GitLab's scanners (ENABLE_SECURITY_SCANS_ON_MR unset = on) ran in the test stage.
            foreach (string job in new[] { "semgrep-sast", "gemnasium-python-dependency_scanning", "secret_detection", "container_scanning" })
                Assert.True(run.Passed(job), $"{job}: {run.Status(job) ?? "did not run"}\n{run}");
            Assert.Equal("FAIL", run.Status("change_gate"));
            Assert.Null(run.Status("deploy_production"));
            Assert.Null(run.Status("notify_dev_failure"));

            // Artifacts as GitLab hands them: the packages, the JUnit and Code Quality reports, the deployment CSVs.
            Assert.True(File.Exists(run.Artifact("package_odoo_addons", "odoo_addons.zip")), run.ToString());
            Assert.True(File.Exists(run.Artifact("package_n8n_workflows", "n8n_workflows.zip")), run.ToString());
            string junit = File.ReadAllText(run.Artifact("odoo_unit_tests", "reports/odoo-junit.xml"));
            Assert.Contains("ig_campaign", junit);
            Assert.True(File.Exists(run.Artifact("odoo_lint", "gl-code-quality-report.json")), run.ToString());
            foreach (string env in new[] { "dev", "staging" })
            {
                DeployTarget t = p.Targets[env];
                Assert.Equal("Succeeded", t.LastEntry.Status);
                Assert.All(t.Modules().Values, v => Assert.StartsWith("installed", v));
                string csv = File.ReadAllText(run.Artifact("deploy_" + env, $"deployments-{env}.csv"));
                Assert.Contains(t.LastEntry.Release!, csv);
                Assert.True(File.Exists(run.Artifact("deploy_" + env, $"deployments-{env}.csv.sha256")));
            }
            Assert.Equal(4, p.Workflows.Count);
            // Production untouched: no release, no ledger, no comment on the change request.
            Assert.Null(p.Targets["production"].Current);
            Assert.Empty(p.Targets["production"].LedgerLines);
            Assert.Empty(p.Change.Comments);
            string notices = Notices(p);
            Assert.Contains("Deploy to dev of", notices);
            Assert.Contains("Deploy to staging of", notices);
            Assert.Contains("refused by the change gate", notices);

            // 2. The change is approved: the gate and the manual production deploy, with the packages of this pipeline.
            p.Change.Status = "Approved for Deployment";
            PipelineRun prod = p.Pipeline.Run(null, "--manual", "deploy_production", "change_gate", "deploy_production", "notify_production_success");
            Assert.True(prod.ExitCode == 0, prod.ToString());
            Assert.True(prod.Passed("change_gate") && prod.Passed("deploy_production") && prod.Passed("notify_production_success"), prod.ToString());
            DeployTarget production = p.Targets["production"];
            Assert.Equal("Succeeded", production.LastEntry.Status);
            Assert.Equal(p.Change.Key, production.LastEntry.ChangeRequest);
            Assert.Equal(p.Targets["staging"].LastEntry.PackageSha256, production.LastEntry.PackageSha256);
            Assert.Contains(production.LastEntry.Release!, File.ReadAllText(prod.Artifact("deploy_production", "deployments-production.csv")));
            Assert.Equal("Deployed", p.Change.Status);
            Assert.Contains("Deploy to production of", Notices(p));
            p.AssertNoSecretIn(run, prod);
        }

        [Fact]
        public void EachToggleSwitchesItsPartOffCleanly()
        {
            // One run with the toggles that do not contradict each other switched off, and production started by hand.
            using var p = new Project(new Dictionary<string, string> { ["ENABLE_SECURITY_SCANS_ON_MR"] = "false" });
            var off = new Dictionary<string, string>
            {
                ["ENABLE_N8N_DEPLOY"] = "false", ["ENABLE_SLACK_NOTIFICATIONS"] = "false", ["ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY"] = "false",
                ["ENABLE_AUTO_DEPLOY_TO_DEV"] = "false", ["REQUIRE_MANUAL_APPROVAL_FOR_STAGING"] = "false", ["ENABLE_TRAINING_MATERIALS_DEPLOY"] = "false",
            };
            // Auto deploy to dev off: deploy_dev is a manual job, and staging (which follows dev) waits for it:
            // gitlab-ci-local refuses to start a pipeline whose manual dev deploy nobody started.
            PipelineRun waiting = p.Pipeline.Run(off, "--manual", "deploy_production");
            Assert.True(waiting.ExitCode != 0 && waiting.Output.Contains("deploy_dev is when:manual"), waiting.ToString());
            Assert.Empty(waiting.Jobs);
            PipelineRun run = p.Pipeline.Run(off, "--manual", "deploy_dev", "--manual", "deploy_production");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.True(run.Passed("deploy_dev"), run.ToString());
            Assert.True(run.Passed("integration_test_services"), run.ToString());
            // n8n: neither validated, packaged nor published; the deploys say so in the ledger.
            Assert.Null(run.Status("validate_workflows"));
            Assert.Null(run.Status("package_n8n_workflows"));
            Assert.Empty(p.Workflows);
            DeploymentRecord staging = p.Targets["staging"].LastEntry;
            Assert.Equal("Succeeded", staging.Status);
            Assert.Contains(staging.Steps, s => s.Name == "n8n" && s.Status == "skipped" && (s.Detail ?? "").Contains("ENABLE_N8N_DEPLOY=false"));
            // Security scans: GitLab's templates are not included.
            foreach (string job in new[] { "semgrep-sast", "gemnasium-python-dependency_scanning", "secret_detection", "container_scanning" })
                Assert.Null(run.Status(job));
            // Staging without manual approval: deployed without --manual.
            Assert.True(run.Passed("deploy_staging"), run.ToString());
            // JIRA off: no change gate job, no JIRA request, production deployed with the skip on the record.
            Assert.Null(run.Status("change_gate"));
            Assert.True(run.Passed("deploy_production"), run.ToString());
            Assert.Empty(p.Jira.Requests);
            DeploymentRecord prod = p.Targets["production"].LastEntry;
            Assert.Equal("Succeeded", prod.Status);
            Assert.Contains("ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY=false", prod.ApprovalSkippedReason);
            // Slack off: no notice jobs, and the cmdlets sent nothing either.
            Assert.DoesNotContain(run.Jobs.Keys, j => j.StartsWith("notify_", StringComparison.Ordinal));
            Assert.Empty(p.Slack.Requests);
            // Training material off: no job of the deploy_training_materials stage ran.
            Assert.DoesNotContain("deploy_training_materials", run.Output);

            // Odoo off (n8n back on): a dev deploy publishes the workflows and leaves Odoo alone.
            var odooOff = new Dictionary<string, string> { ["ENABLE_ODOO_DEPLOY"] = "false", ["ENABLE_SLACK_NOTIFICATIONS"] = "false" };
            PipelineRun dev = p.Pipeline.Run(odooOff, "--needs", "deploy_dev");
            Assert.True(dev.ExitCode == 0 && dev.Passed("deploy_dev"), dev.ToString());
            DeploymentRecord devEntry = p.Targets["dev"].LastEntry;
            Assert.Equal("Succeeded", devEntry.Status);
            Assert.Equal(p.Targets["dev"].LedgerLines.Length == 2 ? devEntry.PreviousRelease : null, devEntry.ActiveRelease);
            Assert.Empty(devEntry.Installed);
            Assert.Contains(devEntry.Steps, s => s.Name == "odoo" && s.Status == "skipped" && (s.Detail ?? "").Contains("ENABLE_ODOO_DEPLOY=false"));
            Assert.Equal(4, p.Workflows.Count);
            p.AssertNoSecretIn(run, dev);
        }
    }
}
