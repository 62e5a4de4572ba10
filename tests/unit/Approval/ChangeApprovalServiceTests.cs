using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Approval;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json.Linq;
using static InfluenceGen.Deploy.Tests.Approval.GateTestSupport;

namespace InfluenceGen.Deploy.Tests.Approval
{
    /// <summary>The change gate against a fake JIRA (see FakeJira for the documentation followed).</summary>
    [Trait("Category", "Fast")]
    public sealed class ChangeApprovalServiceTests
    {
        private static async Task<(ChangeApproval Result, RecordingLog Log)> Check(FakeJira jira, string id = "CHG-42", ChangeGateSettings? settings = null,
            ChangeGateOptions? options = null, string environment = "production")
        {
            var log = new RecordingLog();
            var service = new ChangeApprovalService(settings ?? Settings(jira), options ?? Options());
            ChangeApproval result = await service.CheckAsync(id, environment, log, CancellationToken.None);
            Assert.DoesNotContain(jira.Token, log.All);
            Assert.DoesNotContain(jira.Token, result.Reason + result.Summary + result.Url);
            return (result, log);
        }

        [Theory]
        [InlineData(3)]
        [InlineData(2)]
        public async Task Approved_with_dual_approval_reads_status_project_approvers_and_changelog(int version)
        {
            using var jira = new FakeJira(version, NewToken());
            ApprovedIssue(jira);
            var (result, _) = await Check(jira, "chg-42");

            Assert.True(result.Approved, result.Reason);
            Assert.Equal(ApprovalOutcome.Approved, result.Outcome);
            Assert.Equal("CHG-42", result.ChangeRequestId);
            Assert.Equal("Approved for Deployment", result.Status);
            Assert.Equal("CHG", result.Project);
            Assert.Equal("Tess Tech-Lead", result.TechnicalApprover);
            Assert.Equal("Bob Business-Owner", result.BusinessApprover);
            Assert.Equal(new[] { "Tess Tech-Lead", "Bob Business-Owner", "Carla Change-Manager" }, result.ApprovedBy);
            Assert.Equal(200, result.HttpStatus);
            Assert.EndsWith("/browse/CHG-42", result.Url);

            RecordedRequest request = Assert.Single(jira.Requests);
            Assert.Equal($"/rest/api/{version}/issue/CHG-42", request.Path);
            Assert.Equal("changelog", request.QueryValue("expand"));
            Assert.Contains(TechnicalField, request.QueryValue("fields")!.Split(','));
            Assert.StartsWith(version == 3 ? "Basic " : "Bearer ", request.Header("Authorization"));
        }

        [Fact]
        public async Task Single_approval_environment_needs_only_the_status()
        {
            using var jira = new FakeJira(3, NewToken());
            jira.Add(new FakeIssue { Key = "CHG-7" });
            var settings = Settings(jira, dual: false);
            settings.ConfiguredEnvironment = "staging";
            var (result, _) = await Check(jira, "CHG-7", settings, environment: "staging");
            Assert.True(result.Approved, result.Reason);
            Assert.False(result.DualApprovalRequired);
            Assert.Equal(new[] { "Carla Change-Manager" }, result.ApprovedBy);
        }

        // ---- fail closed, one case at a time -----------------------------------------------------

        [Fact]
        public async Task Timeout_is_not_approved()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira);
            jira.Override = _ => new FakeResponse { Status = 200, Body = "{}", Delay = TimeSpan.FromSeconds(3) };
            var watch = Stopwatch.StartNew();
            var (result, _) = await Check(jira, options: Options(TimeSpan.FromMilliseconds(300)));
            Assert.False(result.Approved);
            Assert.Equal(ApprovalOutcome.Unavailable, result.Outcome);
            Assert.Contains("did not answer", result.Reason);
            Assert.Null(result.HttpStatus);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
            // A GET is retried after a timeout, within the policy. The fake server may log the last, abandoned
            // request a moment after the client gave up on it, so give it that moment.
            for (int i = 0; i < 20 && jira.Requests.Count < 3; i++) await Task.Delay(50);
            Assert.Equal(3, jira.Requests.Count);
        }

        [Fact]
        public async Task Wrong_token_401_is_not_approved()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira);
            var (result, _) = await Check(jira, settings: Settings(jira, token: NewToken()));
            Assert.False(result.Approved);
            Assert.Equal(ApprovalOutcome.Invalid, result.Outcome);
            Assert.Equal(401, result.HttpStatus);
            Assert.Contains("401", result.Reason);
            Assert.Contains("JIRA_API_TOKEN_SECRET", result.Reason);
        }

        [Fact]
        public async Task Forbidden_403_is_not_approved()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira);
            jira.Override = _ => FakeResponse.Json(403, "{\"errorMessages\":[\"You do not have the permission to see the specified issue.\"],\"errors\":{}}");
            var (result, _) = await Check(jira);
            Assert.False(result.Approved);
            Assert.Equal(403, result.HttpStatus);
            Assert.Contains("403", result.Reason);
            Assert.Contains("You do not have the permission to see the specified issue.", result.Reason);
        }

        [Fact]
        public async Task Missing_issue_404_is_not_approved_with_jiras_message()
        {
            using var jira = new FakeJira(3, NewToken());
            var (result, _) = await Check(jira, "CHG-404");
            Assert.False(result.Approved);
            Assert.Equal(ApprovalOutcome.Invalid, result.Outcome);
            Assert.Equal(404, result.HttpStatus);
            Assert.Contains("CHG-404 was not found", result.Reason);
            Assert.Contains("Issue does not exist or you do not have permission to see it.", result.Reason);
        }

        [Fact]
        public async Task Server_error_500_is_retried_then_not_approved()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira);
            jira.Override = _ => FakeResponse.Text(500, "<html><body>Internal Server Error</body></html>");
            var (result, log) = await Check(jira);
            Assert.False(result.Approved);
            Assert.Equal(ApprovalOutcome.Unavailable, result.Outcome);
            Assert.Equal(500, result.HttpStatus);
            Assert.Contains("JIRA answered 500 after 3 attempt(s)", result.Reason);
            Assert.Equal(3, jira.Requests.Count);
            Assert.Contains("retrying", log.All);
        }

        [Fact]
        public async Task Server_error_then_success_is_approved()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira);
            int calls = 0;
            jira.Override = _ => Interlocked.Increment(ref calls) == 1 ? FakeResponse.Text(503, "Service Unavailable") : null;
            var (result, _) = await Check(jira);
            Assert.True(result.Approved, result.Reason);
            Assert.Equal(2, jira.Requests.Count);
        }

        [Theory]
        [InlineData("{\"key\":\"CHG-42\",\"fields\":{\"status\":{\"name\":\"Approved for Deployment\"")]
        [InlineData("<html>proxy login</html>")]
        [InlineData("")]
        [InlineData("[]")]
        public async Task Malformed_json_is_not_approved(string body)
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira);
            jira.Override = _ => FakeResponse.Json(200, body);
            var (result, _) = await Check(jira);
            Assert.False(result.Approved);
            Assert.Equal(ApprovalOutcome.Unavailable, result.Outcome);
            Assert.Contains("not valid JSON", result.Reason);
        }

        [Fact]
        public async Task Answer_without_status_is_not_approved()
        {
            using var jira = new FakeJira(3, NewToken());
            jira.Override = _ => FakeResponse.Json(200, "{\"key\":\"CHG-42\",\"fields\":{\"project\":{\"key\":\"CHG\"}}}");
            var (result, _) = await Check(jira);
            Assert.False(result.Approved);
            Assert.Contains("fields.status.name", result.Reason);
        }

        [Fact]
        public async Task Issue_of_another_project_is_not_approved()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira);
            jira.Add(new FakeIssue { Key = "OPS-43", ProjectKey = "OPS" });
            var (result, _) = await Check(jira, "OPS-43");
            Assert.False(result.Approved);
            Assert.Contains("OPS-43 belongs to project OPS, not to the change management project CHG", result.Reason);
        }

        [Theory]
        [InlineData("Awaiting Approval", ApprovalOutcome.Pending)]
        [InlineData("Approved", ApprovalOutcome.Pending)]
        [InlineData("Rejected", ApprovalOutcome.Rejected)]
        [InlineData("Cancelled", ApprovalOutcome.Rejected)]
        public async Task Other_status_is_not_approved(string status, ApprovalOutcome outcome)
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira).Status = status;
            var (result, _) = await Check(jira);
            Assert.False(result.Approved);
            Assert.Equal(outcome, result.Outcome);
            Assert.Equal(status, result.Status);
            Assert.Contains(status, result.Reason);
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("CHG")]
        [InlineData("CHG-42/../../../admin")]
        [InlineData("CHG-0")]
        public async Task Missing_or_malformed_id_is_not_approved_without_asking_jira(string id)
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira);
            var (result, _) = await Check(jira, id);
            Assert.False(result.Approved);
            Assert.Equal(ApprovalOutcome.Invalid, result.Outcome);
            Assert.Matches(id.Trim().Length == 0 ? "no change request id" : "is not a JIRA issue key", result.Reason);
            Assert.Empty(jira.Requests);
        }

        [Fact]
        public async Task Missing_technical_approver_is_not_approved()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira).CustomFields.Remove(TechnicalField);
            var (result, _) = await Check(jira);
            Assert.False(result.Approved);
            Assert.Equal(ApprovalOutcome.Pending, result.Outcome);
            Assert.Contains($"no technical approver: field {TechnicalField} is empty", result.Reason);
        }

        [Fact]
        public async Task Missing_business_approver_is_not_approved()
        {
            using var jira = new FakeJira(2, NewToken());
            ApprovedIssue(jira).CustomFields[BusinessField] = new JArray();
            var (result, _) = await Check(jira);
            Assert.False(result.Approved);
            Assert.Contains($"no business approver: field {BusinessField} is empty", result.Reason);
        }

        [Fact]
        public async Task Same_person_twice_is_not_dual_approval()
        {
            using var jira = new FakeJira(3, NewToken());
            var issue = ApprovedIssue(jira);
            issue.CustomFields[BusinessField] = new JArray(FakeJira.CloudUser("5b10ac8d82e05b22cc7d4ef5", "Tess (business hat)"));
            var (result, _) = await Check(jira);
            Assert.False(result.Approved);
            Assert.Contains("same person", result.Reason);
        }

        [Fact]
        public async Task Dual_approval_without_configured_fields_is_not_approved()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira);
            var settings = Settings(jira);
            settings.BusinessApproverField = null;
            var (result, _) = await Check(jira, settings: settings);
            Assert.False(result.Approved);
            Assert.Contains("CHANGE_BUSINESS_APPROVER_FIELD", result.Reason);
            Assert.Empty(jira.Requests);
        }

        [Fact]
        public async Task Unreachable_jira_is_not_approved()
        {
            int port;
            using (var probe = new FakeHttpServer(_ => new FakeResponse())) port = probe.BaseUrl.Port;
            using var jira = new FakeJira(3, NewToken());
            var settings = Settings(jira);
            settings.JiraBaseUrl = new Uri($"http://127.0.0.1:{port}/");
            var (result, _) = await Check(jira, settings: settings);
            Assert.False(result.Approved);
            Assert.Equal(ApprovalOutcome.Unavailable, result.Outcome);
            Assert.Contains("could not be reached", result.Reason);
        }

        [Fact]
        public async Task Wrong_flavor_is_not_approved()
        {
            using var jira = new FakeJira(2, NewToken()); // a Server, configured as Cloud
            ApprovedIssue(jira);
            var settings = Settings(jira);
            settings.JiraFlavor = "cloud";
            var (result, _) = await Check(jira, settings: settings);
            Assert.False(result.Approved);
            Assert.Equal(404, result.HttpStatus);
            Assert.Contains("HTML page", result.Reason);
        }

        [Fact]
        public async Task Missing_configuration_is_not_approved()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira);
            var noProject = Settings(jira); noProject.ProjectKey = null;
            Assert.Contains("CHANGE_MANAGEMENT_PROJECT_KEY", (await Check(jira, settings: noProject)).Result.Reason);
            var noToken = Settings(jira); noToken.Token = null;
            Assert.Contains("JIRA_API_TOKEN_SECRET", (await Check(jira, settings: noToken)).Result.Reason);
            var noUrl = Settings(jira); noUrl.JiraBaseUrl = null;
            Assert.Contains("JIRA_BASE_URL", (await Check(jira, settings: noUrl)).Result.Reason);
            Assert.Empty(jira.Requests);
        }

        // ---- the production toggle ---------------------------------------------------------------

        [Fact]
        public async Task Integration_disabled_needs_an_explicit_skip_with_a_reason()
        {
            using var jira = new FakeJira(3, NewToken());
            var settings = Settings(jira);
            settings.IntegrationEnabledForProduction = false;

            var (denied, _) = await Check(jira, settings: settings);
            Assert.False(denied.Approved);
            Assert.Contains("-SkipApproval", denied.Reason);

            var (skipped, log) = await Check(jira, settings: settings, options: Options(skip: "JIRA migration weekend, approved by CTO on call"));
            Assert.True(skipped.Approved);
            Assert.Equal(ApprovalOutcome.Skipped, skipped.Outcome);
            Assert.Equal("JIRA migration weekend, approved by CTO on call", skipped.SkipReason);
            Assert.Contains("W change approval skipped", log.All);
            Assert.Empty(jira.Requests);
        }

        [Fact]
        public async Task Skip_is_refused_while_integration_is_enabled()
        {
            using var jira = new FakeJira(3, NewToken());
            var (result, _) = await Check(jira, options: Options(skip: "I am in a hurry"));
            Assert.False(result.Approved);
            Assert.Contains("only honoured for production while ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY is false", result.Reason);
        }

        // ---- waiting ------------------------------------------------------------------------------

        [Fact]
        public async Task Wait_returns_when_approval_arrives_after_a_few_polls()
        {
            using var jira = new FakeJira(3, NewToken());
            var issue = ApprovedIssue(jira);
            issue.Status = "Awaiting Approval";
            int polls = 0;
            jira.Override = r => { if (r.Method == "GET" && Interlocked.Increment(ref polls) == 3) issue.Status = "Approved for Deployment"; return null; };
            var log = new RecordingLog();
            var service = new ChangeApprovalService(Settings(jira), Options());
            ChangeApproval result = await service.WaitAsync("CHG-42", "production", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20), log, CancellationToken.None);
            Assert.True(result.Approved);
            Assert.Equal(3, jira.Requests.Count); // approved at the third check
            Assert.Equal(2, log.ProgressRecords.Count);
            Assert.Contains("status is 'Awaiting Approval'", log.ProgressRecords.First().Status);
        }

        [Fact]
        public async Task Wait_times_out_with_a_terminating_error_naming_the_last_reason()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira).Status = "Awaiting Approval";
            var service = new ChangeApprovalService(Settings(jira), Options());
            var watch = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<DeployException>(() =>
                service.WaitAsync("CHG-42", "production", TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), new RecordingLog(), CancellationToken.None));
            watch.Stop();
            Assert.Equal("ChangeApprovalTimeout", ex.ErrorId);
            Assert.Contains("not approved within 1 s", ex.Message);
            Assert.Contains("status is 'Awaiting Approval'", ex.Message);
            Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 5);
            Assert.InRange(jira.Requests.Count, 2, 8); // about 6 checks at 0.2 s intervals; fewer on a loaded machine
        }

        [Fact]
        public async Task Wait_with_a_zero_timeout_is_one_fail_closed_check()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira).Status = "Awaiting Approval";
            var service = new ChangeApprovalService(Settings(jira), Options());
            var ex = await Assert.ThrowsAsync<DeployException>(() =>
                service.WaitAsync("CHG-42", "production", TimeSpan.FromSeconds(30), TimeSpan.Zero, new RecordingLog(), CancellationToken.None));
            Assert.Equal("ChangeNotApproved", ex.ErrorId);
            Assert.Equal("change request CHG-42 is not approved for production: status is 'Awaiting Approval', not 'Approved for Deployment'", ex.Message);
            Assert.Single(jira.Requests);
        }

        [Fact]
        public async Task Wait_keeps_waiting_while_jira_is_down()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira);
            int calls = 0;
            jira.Override = _ => Interlocked.Increment(ref calls) <= 4 ? FakeResponse.Text(502, "Bad Gateway") : null;
            var service = new ChangeApprovalService(Settings(jira), new ChangeGateOptions { Retry = new RetryPolicy(maxAttempts: 1), RequestTimeout = TimeSpan.FromSeconds(5) });
            ChangeApproval result = await service.WaitAsync("CHG-42", "production", TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(20), new RecordingLog(), CancellationToken.None);
            Assert.True(result.Approved);
            Assert.Equal(5, jira.Requests.Count);
        }

        [Theory]
        [InlineData("Rejected", "ChangeRequestRejected")]
        [InlineData("Cancelled", "ChangeRequestRejected")]
        public async Task Wait_ends_at_once_when_rejected(string status, string errorId)
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira).Status = status;
            var service = new ChangeApprovalService(Settings(jira), Options());
            var ex = await Assert.ThrowsAsync<DeployException>(() =>
                service.WaitAsync("CHG-42", "production", TimeSpan.FromSeconds(30), TimeSpan.FromHours(4), new RecordingLog(), CancellationToken.None));
            Assert.Equal(errorId, ex.ErrorId);
            Assert.Contains(status, ex.Message);
            Assert.Single(jira.Requests);
        }

        [Fact]
        public async Task Wait_ends_at_once_for_a_missing_issue()
        {
            using var jira = new FakeJira(3, NewToken());
            var service = new ChangeApprovalService(Settings(jira), Options());
            var ex = await Assert.ThrowsAsync<DeployException>(() =>
                service.WaitAsync("CHG-9", "production", TimeSpan.FromSeconds(30), TimeSpan.FromHours(4), new RecordingLog(), CancellationToken.None));
            Assert.Equal("ChangeApprovalNotPossible", ex.ErrorId);
            Assert.Contains("CHG-9 was not found", ex.Message);
        }

        // ---- completing -----------------------------------------------------------------------------

        private static DeploymentSummary Deployment() => new()
        {
            Environment = "production",
            ReleaseId = "20261123-0600-abc1234",
            AddonsInstalled = new[] { "ig_campaign" },
            AddonsUpgraded = new[] { "ig_base", "ig_influencer" },
            WorkflowsChanged = new[] { "Influencer onboarding" },
            PipelineUrl = "https://gitlab.com/influencegen/deploy/-/pipelines/4711",
            CommitSha = "abc1234",
        };

        [Fact]
        public async Task Complete_on_cloud_comments_in_adf_and_takes_the_named_transition()
        {
            using var jira = new FakeJira(3, NewToken());
            var issue = ApprovedIssue(jira);
            var service = new ChangeApprovalService(Settings(jira), Options());
            ChangeRequestCompletion done = await service.CompleteAsync("CHG-42", Deployment(), new RecordingLog(), CancellationToken.None);

            Assert.True(done.Transitioned);
            Assert.Equal("Approved for Deployment", done.FromStatus);
            Assert.Equal("Deployed", done.ToStatus);
            Assert.Equal("31", done.TransitionId);
            Assert.Equal("10001", done.CommentId);
            Assert.Equal("Deployed", issue.Status);
            var comment = (JObject)Assert.Single(issue.Comments);
            Assert.Equal("doc", (string?)comment["type"]);
            string text = string.Join(" ", comment.SelectTokens("$..text").Select(t => (string?)t));
            foreach (string expected in new[] { "production", "20261123-0600-abc1234", "ig_campaign", "ig_base, ig_influencer", "Influencer onboarding", "pipelines/4711", "abc1234" })
                Assert.Contains(expected, text);
            Assert.Equal("https://gitlab.com/influencegen/deploy/-/pipelines/4711", (string?)comment.SelectToken("$..marks[?(@.type == 'link')].attrs.href"));
            RecordedRequest post = jira.Requests.Single(r => r.Method == "POST" && r.Path.EndsWith("/transitions"));
            Assert.Equal("31", (string?)JObject.Parse(post.Body).SelectToken("transition.id"));
            // The comment is written before the transition.
            Assert.True(jira.Requests.ToList().FindIndex(r => r.Path.EndsWith("/comment")) < jira.Requests.ToList().FindIndex(r => r == post));
        }

        [Fact]
        public async Task Complete_on_server_comments_in_plain_text_and_finds_the_transition_by_target_status()
        {
            using var jira = new FakeJira(2, NewToken());
            var issue = ApprovedIssue(jira);
            var service = new ChangeApprovalService(Settings(jira), Options());
            ChangeRequestCompletion done = await service.CompleteAsync("CHG-42", Deployment(), "rolled back", new RecordingLog(), CancellationToken.None);
            Assert.Equal("Roll back", done.Transition);
            Assert.Equal("Rolled Back", issue.Status);
            string comment = (string)Assert.Single(issue.Comments)!;
            Assert.StartsWith("Deployed to production by the InfluenceGen pipeline.", comment);
            Assert.Contains("* Addons upgraded: ig_base, ig_influencer", comment);
            Assert.Contains("* Pipeline: https://gitlab.com/influencegen/deploy/-/pipelines/4711", comment);
        }

        [Fact]
        public async Task Complete_with_an_unknown_transition_lists_the_available_ones_and_writes_nothing()
        {
            using var jira = new FakeJira(3, NewToken());
            var issue = ApprovedIssue(jira);
            var service = new ChangeApprovalService(Settings(jira), Options());
            var ex = await Assert.ThrowsAsync<DeployException>(() => service.CompleteAsync("CHG-42", Deployment(), "Closed", new RecordingLog(), CancellationToken.None));
            Assert.Equal("TransitionNotAvailable", ex.ErrorId);
            Assert.Contains("'Deployed' (to Deployed), 'Roll back' (to Rolled Back)", ex.Message);
            Assert.Empty(issue.Comments);
            Assert.DoesNotContain(jira.Requests, r => r.Method == "POST");
        }

        [Fact]
        public async Task Complete_fails_with_the_jira_error_when_the_comment_is_refused()
        {
            using var jira = new FakeJira(3, NewToken());
            ApprovedIssue(jira);
            jira.Override = r => r.Method == "POST" ? FakeResponse.Json(500, "{\"errorMessages\":[\"Internal server error\"],\"errors\":{}}") : null;
            var service = new ChangeApprovalService(Settings(jira), Options());
            var ex = await Assert.ThrowsAsync<DeployException>(() => service.CompleteAsync("CHG-42", Deployment(), new RecordingLog(), CancellationToken.None));
            Assert.Equal("JiraCommentFailed", ex.ErrorId);
            Assert.Contains("JIRA answered 500: Internal server error", ex.Message);
            Assert.Single(jira.Requests, r => r.Method == "POST"); // a POST is never repeated
            Assert.DoesNotContain(jira.Token, ex.Message);
        }
    }
}
