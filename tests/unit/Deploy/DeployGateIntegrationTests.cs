using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Tests.Approval;
using InfluenceGen.Deploy.Tests.Notify;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Deploy
{
    /// <summary>
    /// Deploy-InfluenceGen wired to the JIRA gate and the Slack notices: a production deploy over the
    /// real sshd and PostgreSQL asks the (fake, REST v3) JIRA, deploys, comments and transitions the
    /// change request, and tells Slack. Secrets come from process variables as CI gives them, so this
    /// runs in the ProcessEnvironment collection, alone.
    /// </summary>
    [Collection("ProcessEnvironment")]
    public class DeployGateIntegrationTests
    {
        private static string Environments(DeployTarget t, FakeJira jira)
        {
            DeploySettings s = t.Settings;
            var dir = new TempDir("igenv");
            return dir.Write("environments.json", $$"""
            {
              "global": {
                "JiraBaseUrl": "{{jira.BaseUrl}}", "JiraFlavor": "cloud", "JiraUsername": "{{FakeJira.Email}}",
                "ChangeManagementProjectKey": "CHG",
                "ChangeTechnicalApproverField": "{{GateTestSupport.TechnicalField}}", "ChangeBusinessApproverField": "{{GateTestSupport.BusinessField}}"
              },
              "environments": {
                "production": {
                  "OdooSshHost": "{{TestServers.SshHost}}", "OdooSshPort": {{TestServers.SshPort}}, "OdooSshUser": "{{TestServers.SshUser}}",
                  "OdooSshHostKey": "{{TestServers.Fingerprint}}",
                  "DeployRoot": "{{s.Root}}", "OdooDatabase": "{{s.Database}}", "OdooDatabaseHost": "127.0.0.1", "OdooDatabasePort": {{s.DatabasePort}},
                  "OdooDatabaseUser": "{{s.DatabaseUser}}", "OdooRuntime": "command",
                  "OdooCommand": "{{s.OdooCommand}}", "RestartCommand": "{{s.RestartCommand}}", "StopCommand": "{{s.StopCommand}}", "HealthUrl": "{{s.HealthUrl}}", "HealthTimeout": 5
                }
              }
            }
            """);
        }

        private static readonly string[] Variables =
            { "JIRA_API_TOKEN_SECRET", "SLACK_WEBHOOK_URL_INFO", "SLACK_WEBHOOK_URL_CRITICAL", "PROD_ODOO_SERVER_SSH_PRIVATE_KEY", "PROD_ODOO_DB_PASSWORD" };

        private static void SetSecrets(FakeJira jira, FakeWebhook slack)
        {
            Environment.SetEnvironmentVariable("JIRA_API_TOKEN_SECRET", jira.Token);
            Environment.SetEnvironmentVariable("SLACK_WEBHOOK_URL_INFO", slack.Url.ToString());
            Environment.SetEnvironmentVariable("SLACK_WEBHOOK_URL_CRITICAL", slack.Url.ToString());
            Environment.SetEnvironmentVariable("PROD_ODOO_SERVER_SSH_PRIVATE_KEY", File.ReadAllText(TestServers.SshKey));
            Environment.SetEnvironmentVariable("PROD_ODOO_DB_PASSWORD", TestServers.PgPassword);
        }

        [Fact]
        public void AnApprovedProductionDeployCompletesTheChangeRequestAndTellsSlack()
        {
            using var t = new DeployTarget("production");
            using var addons = new AddonSet(2);
            using var jira = new FakeJira(3, GateTestSupport.NewToken());
            using var slack = new FakeWebhook();
            FakeIssue issue = jira.Add(GateTestSupport.ApprovedIssue(jira, "CHG-77"));
            string config = Environments(t, jira);
            SetSecrets(jira, slack);
            try
            {
                using var ps = new PowerShellSession();
                ps.SetVariable("cfg", config);
                ps.SetVariable("pkg", addons.Build("v1.zip"));
                PsResult r = ps.Invoke("Deploy-InfluenceGen -Environment production -Package $pkg -ConfigurationPath $cfg -ChangeRequestId CHG-77 -Force");
                Assert.True(r.Terminating == null, r.AllText());
                Assert.NotNull(t.Current);
                Assert.Equal("succeeded", t.LastEntry.Status, ignoreCase: true);
                Assert.Equal("CHG-77", t.LastEntry.ChangeRequest);

                // JIRA: the comment names the release and the installed addons, then the "Deployed" transition.
                string comment = Assert.Single(issue.Comments).ToString();
                Assert.Contains(t.LastEntry.Release!, comment);
                Assert.Contains(addons.Names[0], comment);
                Assert.Equal("Deployed", issue.Status);

                // Slack: one info notice about the release.
                Assert.Contains(slack.Payloads, p => p.ToString().Contains(t.LastEntry.Release!));

                string all = r.AllText() + string.Join("\n", t.LedgerLines);
                Assert.DoesNotContain(jira.Token, all);
                Assert.DoesNotContain(slack.SecretPart, all);
            }
            finally
            {
                foreach (string v in Variables) Environment.SetEnvironmentVariable(v, null);
            }
        }

        [Fact]
        public void APendingChangeRequestStopsTheDeployBeforeAnythingChanges()
        {
            using var t = new DeployTarget("production");
            using var addons = new AddonSet(1);
            using var jira = new FakeJira(3, GateTestSupport.NewToken());
            using var slack = new FakeWebhook();
            FakeIssue issue = jira.Add(GateTestSupport.ApprovedIssue(jira, "CHG-78"));
            issue.Status = "Awaiting CAB";
            string config = Environments(t, jira);
            SetSecrets(jira, slack);
            try
            {
                using var ps = new PowerShellSession();
                ps.SetVariable("cfg", config);
                ps.SetVariable("pkg", addons.Build("v1.zip"));
                PsResult r = ps.Invoke("Deploy-InfluenceGen -Environment production -Package $pkg -ConfigurationPath $cfg -ChangeRequestId CHG-78 -Force");
                ErrorRecordAssert(r, "ChangeNotApproved");
                Assert.Contains("Awaiting CAB", (r.Terminating ?? r.Errors.Last()).Exception.Message);
                Assert.Null(t.Current);
                Assert.False(t.Locked);
                Assert.Equal(0, t.OdooCalls);
                Assert.Empty(issue.Comments);
            }
            finally
            {
                foreach (string v in Variables) Environment.SetEnvironmentVariable(v, null);
            }
        }

        private static void ErrorRecordAssert(PsResult r, string id) =>
            Assert.Equal(id, (r.Terminating ?? r.Errors.LastOrDefault())?.FullyQualifiedErrorId.Split(',')[0]);
    }
}
