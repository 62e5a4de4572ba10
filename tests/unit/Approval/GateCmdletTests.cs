using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Security;
using System.Threading;
using InfluenceGen.Deploy.Tests.Harness;
using Newtonsoft.Json.Linq;
using static InfluenceGen.Deploy.Tests.Approval.GateTestSupport;

namespace InfluenceGen.Deploy.Tests.Approval
{
    /// <summary>Test-ChangeApproval, Wait-ChangeApproval and Complete-ChangeRequest through a real
    /// runspace with the built module, against the fake JIRA (FakeJira.cs names the documentation).
    /// Settings come from an environments file and -Credential, never from process variables (tests
    /// run in parallel).</summary>
    public sealed class GateCmdletTests : IDisposable
    {
        private readonly TempDir _dir = new("iggate");
        private readonly FakeJira _jira = new(3, NewToken());
        private readonly PowerShellSession _ps;
        private readonly string _config;

        public GateCmdletTests()
        {
            _config = WriteConfig();
            _ps = new PowerShellSession(_dir.Path);
            _ps.SetVariable("cred", Credential(FakeJira.Email, _jira.Token));
            _ps.SetVariable("cfg", _config);
            _ps.SetVariable("jira", _jira.BaseUrl.AbsoluteUri);
        }

        private string WriteConfig(string extra = "") => _dir.Write($"environments-{Guid.NewGuid():N}.json", $$"""
            {
              "global": {
                "JiraBaseUrl": "{{_jira.BaseUrl.AbsoluteUri}}",
                "JiraFlavor": "cloud",
                "ChangeManagementProjectKey": "CHG",
                "ChangeTechnicalApproverField": "{{TechnicalField}}",
                "ChangeBusinessApproverField": "{{BusinessField}}"{{extra}}
              }
            }
            """);

        public static PSCredential Credential(string user, string secret)
        {
            var secure = new SecureString();
            foreach (char c in secret) secure.AppendChar(c);
            return new PSCredential(user, secure);
        }

        public void Dispose()
        {
            // No secret in any file the runs left behind.
            foreach (string file in Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories))
                Assert.DoesNotContain(_jira.Token, File.ReadAllText(file));
            _ps.Dispose();
            _jira.Dispose();
            _dir.Dispose();
        }

        private PsResult Invoke(string script)
        {
            PsResult result = _ps.Invoke(script);
            string all = result.AllText();
            Assert.DoesNotContain(_jira.Token, all);
            Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(FakeJira.Email + ":" + _jira.Token)), all);
            return result;
        }

        [Fact]
        public void Test_ChangeApproval_returns_the_approval_object()
        {
            ApprovedIssue(_jira);
            PsResult r = Invoke("Test-ChangeApproval -ChangeRequestId CHG-42 -Environment production -Credential $cred -ConfigurationPath $cfg");
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            PSObject o = r.Single();
            Assert.Equal("InfluenceGen.Deploy.Approval.ChangeApproval", o.TypeNames[0]);
            Assert.True((bool)o.Properties["Approved"].Value);
            Assert.Equal("Approved", o.Properties["Outcome"].Value.ToString());
            Assert.Equal("Approved for Deployment", o.Properties["Status"].Value);
            Assert.Equal(new[] { "Tess Tech-Lead", "Bob Business-Owner", "Carla Change-Manager" }, (string[])o.Properties["ApprovedBy"].Value);
            Assert.IsType<DateTimeOffset>(o.Properties["CheckedAt"].Value);
        }

        [Fact]
        public void Quiet_writes_true_or_false()
        {
            ApprovedIssue(_jira);
            Assert.True((bool)Invoke("Test-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfg -Quiet").Single().BaseObject);
            PsResult denied = Invoke("Test-ChangeApproval CHG-404 -Credential $cred -ConfigurationPath $cfg -Quiet");
            Assert.False((bool)denied.Single().BaseObject);
            Assert.Contains(denied.Verbose, v => v.Contains("CHG-404 is not approved: CHG-404 was not found in JIRA (404)"));
        }

        public static IEnumerable<object[]> FailModes() => new[]
        {
            new object[] { "timeout", "did not answer" },
            new object[] { "401", "401 Unauthorized" },
            new object[] { "403", "403 Forbidden" },
            new object[] { "404", "not found in JIRA (404)" },
            new object[] { "500", "JIRA answered 500" },
            new object[] { "malformed", "not valid JSON" },
            new object[] { "project", "belongs to project OPS" },
            new object[] { "status", "status is 'Awaiting Approval'" },
            new object[] { "missing-id", "no change request id" },
            new object[] { "approver", "no technical approver" },
        };

        [Theory]
        [MemberData(nameof(FailModes))]
        public void Every_failure_mode_is_not_approved_with_the_reason_and_no_error(string mode, string reason)
        {
            FakeIssue issue = ApprovedIssue(_jira);
            string id = "CHG-42";
            string cred = "$cred";
            switch (mode)
            {
                case "timeout": _jira.Override = _ => new FakeResponse { Body = "{}", Delay = TimeSpan.FromSeconds(3) }; break;
                case "401": _ps.SetVariable("wrong", Credential(FakeJira.Email, NewToken())); cred = "$wrong"; break;
                case "403": _jira.Override = _ => FakeResponse.Json(403, "{\"errorMessages\":[],\"errors\":{}}"); break;
                case "404": id = "CHG-404"; break;
                case "500": _jira.Override = _ => FakeResponse.Text(500, "oops"); break;
                case "malformed": _jira.Override = _ => FakeResponse.Json(200, "{\"fields\": {"); break;
                case "project": _jira.Add(new FakeIssue { Key = "OPS-1", ProjectKey = "OPS" }); id = "OPS-1"; break;
                case "status": issue.Status = "Awaiting Approval"; break;
                case "missing-id": id = "''"; break;
                case "approver": issue.CustomFields.Remove(TechnicalField); break;
            }
            PsResult r = Invoke($"Test-ChangeApproval -ChangeRequestId {id} -Credential {cred} -ConfigurationPath $cfg -TimeoutSec 0.3");
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            PSObject o = r.Single();
            Assert.False((bool)o.Properties["Approved"].Value);
            Assert.Contains(reason, (string)o.Properties["Reason"].Value);
        }

        [Fact]
        public void Production_with_jira_integration_off_needs_an_explicit_skip()
        {
            string cfg = WriteConfig(",\n    \"EnableJiraIntegrationForProdDeploy\": false");
            _ps.SetVariable("cfgoff", cfg);
            PsResult denied = Invoke("Test-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfgoff");
            Assert.False((bool)denied.Single().Properties["Approved"].Value);
            Assert.Contains("-SkipApproval", (string)denied.Single().Properties["Reason"].Value);

            PsResult skipped = Invoke("Test-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfgoff -SkipApproval -SkipReason 'JIRA outage INC-77, CTO approved by phone'");
            PSObject o = skipped.Single();
            Assert.True((bool)o.Properties["Approved"].Value);
            Assert.Equal("Skipped", o.Properties["Outcome"].Value.ToString());
            Assert.Equal("JIRA outage INC-77, CTO approved by phone", o.Properties["SkipReason"].Value);
            Assert.Contains(skipped.Warnings, w => w.Contains("change approval skipped", StringComparison.OrdinalIgnoreCase) && w.Contains("INC-77"));
            Assert.Empty(_jira.Requests);

            // -SkipApproval without a reason is refused by PowerShell itself (mandatory parameter).
            PsResult noReason = Invoke("Test-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfgoff -SkipApproval -SkipReason ''");
            Assert.NotNull(noReason.Terminating);
        }

        [Fact]
        public void Wait_ChangeApproval_times_out_with_a_terminating_error_and_progress()
        {
            ApprovedIssue(_jira).Status = "Awaiting Approval";
            PsResult r = Invoke("Wait-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfg -PollIntervalSeconds 0.2 -TimeoutSeconds 1");
            Assert.NotNull(r.Terminating);
            Assert.Equal("ChangeApprovalTimeout,InfluenceGen.Deploy.Cmdlets.WaitChangeApprovalCommand", r.Terminating!.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.OperationTimeout, r.Terminating.CategoryInfo.Category);
            Assert.Contains("status is 'Awaiting Approval'", r.Terminating.Exception.Message);
            Assert.Contains(r.Progress, p => p.Activity.Contains("Waiting for approval of CHG-42") && p.PercentComplete >= 0);
            Assert.Empty(r.Output);
        }

        [Fact]
        public void Ctrl_C_stops_Wait_ChangeApproval_between_polls()
        {
            ApprovedIssue(_jira).Status = "Awaiting Approval";
            InitialSessionState iss = InitialSessionState.CreateDefault2();
            iss.ImportPSModule(new[] { Repo.ModuleFolder });
            using Runspace runspace = RunspaceFactory.CreateRunspace(iss);
            runspace.Open();
            runspace.SessionStateProxy.SetVariable("cred", Credential(FakeJira.Email, _jira.Token));
            runspace.SessionStateProxy.SetVariable("cfg", _config);
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript("$ProgressPreference = 'Continue'; Wait-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfg -PollIntervalSeconds 30");
            var progressSeen = new ManualResetEventSlim();
            ps.Streams.Progress.DataAdded += (_, _) => progressSeen.Set();
            IAsyncResult running = ps.BeginInvoke();
            Assert.True(progressSeen.Wait(TimeSpan.FromSeconds(30)), "no progress was reported");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            ps.Stop();
            Assert.ThrowsAny<PipelineStoppedException>(() => ps.EndInvoke(running));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {watch.Elapsed}");
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.Single(_jira.Requests);
        }

        [Fact]
        public void Wait_ChangeApproval_returns_when_approval_arrives()
        {
            FakeIssue issue = ApprovedIssue(_jira);
            issue.Status = "Awaiting Approval";
            int polls = 0;
            _jira.Override = q => { if (Interlocked.Increment(ref polls) == 3) issue.Status = "Approved for Deployment"; return null; };
            PsResult r = Invoke("Wait-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfg -PollIntervalSeconds 0.1 -TimeoutSeconds 30");
            Assert.Null(r.Terminating);
            Assert.True((bool)r.Single().Properties["Approved"].Value);
            Assert.Equal(3, _jira.Requests.Count);
        }

        [Fact]
        public void Wait_ChangeApproval_ends_when_rejected()
        {
            ApprovedIssue(_jira).Status = "Rejected";
            PsResult r = Invoke("Wait-ChangeApproval CHG-42 -Credential $cred -ConfigurationPath $cfg -PollIntervalSeconds 0.1");
            Assert.Equal("ChangeRequestRejected,InfluenceGen.Deploy.Cmdlets.WaitChangeApprovalCommand", r.Terminating?.FullyQualifiedErrorId);
        }

        [Fact]
        public void Complete_ChangeRequest_takes_a_deployment_record_from_the_pipeline()
        {
            FakeIssue issue = ApprovedIssue(_jira);
            PsResult r = Invoke("""
                [pscustomobject]@{
                    ChangeRequestId  = 'CHG-42'
                    Environment      = 'production'
                    ReleaseId        = '20261123-0600-abc1234'
                    AddonsInstalled  = @('ig_campaign')
                    AddonsUpgraded   = @('ig_base', 'ig_influencer')
                    WorkflowsChanged = @('Influencer onboarding')
                    PipelineUrl      = 'https://gitlab.com/influencegen/deploy/-/pipelines/4711'
                } | Complete-ChangeRequest -Credential $cred -ConfigurationPath $cfg -Transition Deployed
                """);
            Assert.Null(r.Terminating);
            PSObject o = r.Single();
            Assert.Equal("InfluenceGen.Deploy.Approval.ChangeRequestCompletion", o.TypeNames[0]);
            Assert.Equal("Deployed", o.Properties["ToStatus"].Value);
            Assert.Equal("20261123-0600-abc1234", o.Properties["ReleaseId"].Value);
            Assert.Equal("Deployed", issue.Status);
            string text = string.Join(" ", ((JObject)Assert.Single(issue.Comments)).SelectTokens("$..text").Select(t => (string?)t));
            Assert.Contains("ig_base, ig_influencer", text);
            Assert.Contains("Influencer onboarding", text);
        }

        [Fact]
        public void Complete_ChangeRequest_WhatIf_changes_nothing()
        {
            FakeIssue issue = ApprovedIssue(_jira);
            PsResult r = Invoke("Complete-ChangeRequest CHG-42 -Credential $cred -ConfigurationPath $cfg -ReleaseId r1 -WhatIf");
            Assert.Null(r.Terminating);
            Assert.Empty(_jira.Requests);
            Assert.Equal("Approved for Deployment", issue.Status);
        }

        [Fact]
        public void Complete_ChangeRequest_with_an_unknown_transition_is_a_terminating_error()
        {
            ApprovedIssue(_jira);
            PsResult r = Invoke("Complete-ChangeRequest CHG-42 -Credential $cred -ConfigurationPath $cfg -Transition Closed");
            Assert.Equal("TransitionNotAvailable,InfluenceGen.Deploy.Cmdlets.CompleteChangeRequestCommand", r.Terminating?.FullyQualifiedErrorId);
            Assert.Contains("available: 'Deployed' (to Deployed)", r.Terminating!.Exception.Message);
        }

        [Fact]
        public void Server_flavor_uses_rest_v2_and_a_bearer_token()
        {
            using var server = new FakeJira(2, NewToken());
            ApprovedIssue(server);
            _ps.SetVariable("pat", Credential("ignored", server.Token));
            _ps.SetVariable("srv", server.BaseUrl);
            PsResult r = _ps.Invoke("Test-ChangeApproval CHG-42 -Credential $pat -JiraBaseUrl $srv -JiraFlavor Server -ConfigurationPath $cfg");
            Assert.DoesNotContain(server.Token, r.AllText());
            Assert.True((bool)r.Single().Properties["Approved"].Value, r.AllText());
            Assert.Equal("Bearer " + server.Token, server.Requests.Single().Header("Authorization"));
        }

        [Fact]
        public void Help_shows_examples_for_every_gate_cmdlet()
        {
            foreach (string cmdlet in new[] { "Test-ChangeApproval", "Wait-ChangeApproval", "Complete-ChangeRequest", "Send-SlackNotice" })
            {
                PsResult r = _ps.Invoke($"(Get-Help {cmdlet} -Examples).examples.example | ForEach-Object {{ $_.code }}", verbose: false);
                Assert.True(r.Output.Count >= 2, $"{cmdlet}: {r.Output.Count} examples; {r.AllText()}");
            }
        }
    }
}
