using InfluenceGen.Deploy.Tests.Notify;
using System.Management.Automation;
using InfluenceGen.Deploy.Tests.Harness;
using Newtonsoft.Json.Linq;
using static InfluenceGen.Deploy.Tests.Approval.GateTestSupport;

namespace InfluenceGen.Deploy.Tests.Approval
{
    /// <summary>Process environment variables are process-wide: these tests set the seed's CI
    /// variables, so they run alone, after the parallel tests, and restore every variable.</summary>
    [CollectionDefinition("ProcessEnvironment", DisableParallelization = true)]
    public sealed class ProcessEnvironmentCollection { }

    [Collection("ProcessEnvironment")]
    [Trait("Category", "Fast")]
    public sealed class GateEnvironmentTests
    {
        private static void WithVariables(Dictionary<string, string?> variables, Action body)
        {
            var saved = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
            try
            {
                foreach (var v in variables) Environment.SetEnvironmentVariable(v.Key, v.Value);
                body();
            }
            finally
            {
                foreach (var v in saved) Environment.SetEnvironmentVariable(v.Key, v.Value);
            }
        }

        [Fact]
        public void Reads_jira_settings_and_credentials_from_the_seed_variables()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira, "CHG-77");
            using var dir = new TempDir("iggateenv");
            WithVariables(new()
            {
                ["JIRA_BASE_URL"] = jira.BaseUrl.AbsoluteUri,
                ["JIRA_FLAVOR"] = "cloud",
                ["JIRA_USERNAME"] = FakeJira.Email,
                ["JIRA_API_TOKEN_SECRET"] = jira.Token,
                ["CHANGE_REQUEST_ID"] = "CHG-77",
                ["CHANGE_MANAGEMENT_PROJECT_KEY"] = "CHG",
                ["CHANGE_TECHNICAL_APPROVER_FIELD"] = TechnicalField,
                ["CHANGE_BUSINESS_APPROVER_FIELD"] = BusinessField,
            }, () =>
            {
                using var ps = new PowerShellSession(dir.Path);
                PsResult r = ps.Invoke("Test-ChangeApproval; Get-InfluenceGenConfiguration -Environment production | Where-Object Name -like 'Jira*' | ForEach-Object { \"$($_.Name)=$($_.Value)\" }");
                Assert.Null(r.Terminating);
                Assert.True((bool)r.Output[0].Properties["Approved"].Value, r.AllText());
                Assert.Equal("CHG-77", r.Output[0].Properties["ChangeRequestId"].Value);
                Assert.Contains(r.Output, o => "JiraApiToken=***".Equals(o.BaseObject));
                Assert.DoesNotContain(jira.Token, r.AllText());
            });
        }

        [Fact]
        public void Slack_webhook_and_gitlab_context_come_from_the_ci_variables()
        {
            using var info = new FakeWebhook();
            using var critical = new FakeWebhook();
            using var dir = new TempDir("igslackenv");
            WithVariables(new()
            {
                ["SLACK_WEBHOOK_URL_INFO"] = info.Url.AbsoluteUri,
                ["SLACK_WEBHOOK_URL_CRITICAL"] = critical.Url.AbsoluteUri,
                ["CI_PROJECT_PATH"] = "influencegen/deploy",
                ["CI_COMMIT_REF_NAME"] = "release/2026.11",
                ["CI_COMMIT_SHORT_SHA"] = "1a2b3c4d",
                ["CI_PIPELINE_URL"] = "https://gitlab.com/influencegen/deploy/-/pipelines/9001",
                ["CI_JOB_URL"] = "https://gitlab.com/influencegen/deploy/-/jobs/9002",
            }, () =>
            {
                using var ps = new PowerShellSession(dir.Path);
                PsResult r = ps.Invoke("Send-SlackNotice 'Deploy to production failed; rolled back' -Status failure -Environment production; Get-InfluenceGenConfiguration -Environment production | ForEach-Object { \"$($_.Name)=$($_.Value)\" }");
                Assert.Null(r.Terminating);
                Assert.True((bool)r.Output[0].Properties["Delivered"].Value, r.AllText());
                Assert.Empty(info.Requests); // failures go to the critical channel
                JObject payload = Assert.Single(critical.Payloads);
                string context = string.Join(" ", payload["blocks"]!.Last()["elements"]!.Select(e => (string?)e["text"]));
                Assert.Contains("influencegen/deploy", context);
                Assert.Contains("release/2026.11", context);
                Assert.Contains("1a2b3c4d", context);
                Assert.Contains("pipelines/9001", context);
                Assert.Contains("jobs/9002", context);
                string all = r.AllText();
                Assert.DoesNotContain(info.SecretPart, all);
                Assert.DoesNotContain(critical.SecretPart, all);
            });
        }
    }
}
