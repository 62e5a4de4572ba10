using System.Collections.Concurrent;
using InfluenceGen.Deploy.Approval;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Tests.Approval
{

    internal static class GateTestSupport
    {
        public const string TechnicalField = "customfield_10101";
        public const string BusinessField = "customfield_10102";

        public static string NewToken() => "ATATT3x" + Guid.NewGuid().ToString("N") + "SECRET";

        public static RetryPolicy FastRetry() => new(maxAttempts: 3, baseDelay: TimeSpan.FromMilliseconds(10), maxDelay: TimeSpan.FromMilliseconds(50), maxTotal: TimeSpan.FromSeconds(20));

        public static ChangeGateSettings Settings(FakeJira jira, string? token = null, bool dual = true) => new()
        {
            JiraBaseUrl = jira.BaseUrl,
            JiraFlavor = jira.ApiVersion == 3 ? "cloud" : "server",
            Username = FakeJira.Email,
            Token = token ?? jira.Token,
            ProjectKey = "CHG",
            TechnicalApproverField = TechnicalField,
            BusinessApproverField = BusinessField,
            ConfiguredEnvironment = "production",
            RequireDualApproval = dual,
            IntegrationEnabledForProduction = true,
        };

        public static ChangeGateOptions Options(TimeSpan? timeout = null, string? skip = null) => new()
        {
            RequestTimeout = timeout ?? TimeSpan.FromSeconds(5),
            Retry = FastRetry(),
            SkipReason = skip,
        };

        /// <summary>A change request with both approvals, as JIRA Cloud returns user pickers.</summary>
        public static FakeIssue ApprovedIssue(FakeJira jira, string key = "CHG-42")
        {
            var issue = new FakeIssue { Key = key };
            if (jira.ApiVersion == 3)
            {
                issue.CustomFields[TechnicalField] = FakeJira.CloudUser("5b10ac8d82e05b22cc7d4ef5", "Tess Tech-Lead");
                issue.CustomFields[BusinessField] = FakeJira.CloudUser("5b109f2e9729b51b54dc274d", "Bob Business-Owner");
            }
            else
            {
                issue.CustomFields[TechnicalField] = FakeJira.ServerUser("tess", "Tess Tech-Lead");
                issue.CustomFields[BusinessField] = FakeJira.ServerUser("bob", "Bob Business-Owner");
            }
            return jira.Add(issue);
        }
    }
}
