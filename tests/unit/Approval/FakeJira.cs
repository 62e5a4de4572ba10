using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.Approval
{
    /// <summary>An issue of the fake JIRA.</summary>
    public sealed class FakeIssue
    {
        public string Key { get; init; } = "CHG-42";
        public string Id { get; init; } = "10042";
        public string ProjectKey { get; init; } = "CHG";
        public string Summary { get; set; } = "Deploy InfluenceGen release 2026.11.23";
        public string Status { get; set; } = "Approved for Deployment";
        /// <summary>customfield_NNNNN -> value (user object, array, string, null).</summary>
        public Dictionary<string, JToken?> CustomFields { get; } = new();
        /// <summary>Transitions available from the current status: (id, name, target status).</summary>
        public List<(string Id, string Name, string To)> Transitions { get; } = new() { ("31", "Deployed", "Deployed"), ("41", "Roll back", "Rolled Back") };
        public ConcurrentQueue<JToken> Comments { get; } = new();
        /// <summary>Who moved the issue into its current status (changelog).</summary>
        public string? StatusChangedBy { get; set; } = "Carla Change-Manager";
    }

    /// <summary>
    /// A fake JIRA speaking the documented REST subset the gate uses, for one API version:
    ///   v3 (Cloud): developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/
    ///               (GET /rest/api/3/issue/{issueIdOrKey}?fields=…&amp;expand=changelog,
    ///                GET|POST /rest/api/3/issue/{issueIdOrKey}/transitions),
    ///               developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/
    ///               (POST /rest/api/3/issue/{issueIdOrKey}/comment, body in Atlassian Document Format:
    ///                developer.atlassian.com/cloud/jira/platform/apis/document/structure/),
    ///               basic auth with e-mail + API token: developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/
    ///   v2 (Server/Data Center): docs.atlassian.com/software/jira/docs/api/REST/9.12.0/ (issue, transitions,
    ///               comment with a plain-text body), personal access tokens as bearer tokens:
    ///               confluence.atlassian.com/enterprise/using-personal-access-tokens-1026032365.html
    /// Error bodies have JIRA's shape {"errorMessages": [...], "errors": {...}}; a transition is 204
    /// No Content; a comment is 201 Created. Only the fields named in ?fields= are returned, as JIRA does.
    /// </summary>
    public sealed class FakeJira : IDisposable
    {
        public const string Email = "ci-bot@influencegen.example";
        private static readonly Regex IssuePath = new(@"^/rest/api/(?<v>\d)/issue/(?<key>[^/]+)(?<rest>/transitions|/comment)?$");
        private readonly FakeHttpServer _server;

        public FakeJira(int apiVersion, string token)
        {
            ApiVersion = apiVersion;
            Token = token;
            _server = new FakeHttpServer(Handle);
        }

        public int ApiVersion { get; }
        public string Token { get; }
        public Uri BaseUrl => _server.BaseUrl;
        public ConcurrentDictionary<string, FakeIssue> Issues { get; } = new(StringComparer.OrdinalIgnoreCase);
        public IReadOnlyList<RecordedRequest> Requests => _server.Requests;
        /// <summary>Fault injection: a non-null answer replaces the normal one.</summary>
        public Func<RecordedRequest, FakeResponse?>? Override { get; set; }

        public FakeIssue Add(FakeIssue issue) { Issues[issue.Key] = issue; return issue; }

        public static JObject CloudUser(string accountId, string name) => new()
        {
            ["self"] = $"https://influencegen.atlassian.net/rest/api/3/user?accountId={accountId}",
            ["accountId"] = accountId,
            ["displayName"] = name,
            ["active"] = true,
            ["timeZone"] = "Europe/Berlin",
            ["accountType"] = "atlassian",
        };

        public static JObject ServerUser(string name, string display) => new()
        {
            ["self"] = $"https://jira.example/rest/api/2/user?username={name}",
            ["name"] = name,
            ["key"] = "JIRAUSER" + Math.Abs(name.GetHashCode() % 100000),
            ["emailAddress"] = name + "@influencegen.example",
            ["displayName"] = display,
            ["active"] = true,
        };

        private static FakeResponse Error(int status, params string[] messages) =>
            FakeResponse.Json(status, new JObject { ["errorMessages"] = new JArray(messages), ["errors"] = new JObject() }.ToString(Formatting.None));

        private bool Authorized(RecordedRequest r)
        {
            string? auth = r.Header("Authorization");
            if (auth == null) return false;
            return ApiVersion == 3
                ? auth == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Email + ":" + Token))
                : auth == "Bearer " + Token;
        }

        private FakeResponse Handle(RecordedRequest r)
        {
            if (Override?.Invoke(r) is FakeResponse forced) return forced;
            Match m = IssuePath.Match(r.Path);
            if (!m.Success || m.Groups["v"].Value != ApiVersion.ToString())
                return FakeResponse.Text(404, "<!DOCTYPE html><html><body>Oops, you've found a dead link.</body></html>");
            if (!Authorized(r))
                return FakeResponse.Text(401, "Client must be authenticated to access this resource.");
            string key = Uri.UnescapeDataString(m.Groups["key"].Value);
            if (!Issues.TryGetValue(key, out FakeIssue? issue))
                return Error(404, "Issue does not exist or you do not have permission to see it.");
            string rest = m.Groups["rest"].Value;
            string self = $"{BaseUrl.AbsoluteUri.TrimEnd('/')}/rest/api/{ApiVersion}/issue/{issue.Id}";

            if (rest == "" && r.Method == "GET")
            {
                var all = new JObject
                {
                    ["summary"] = issue.Summary,
                    ["status"] = new JObject
                    {
                        ["self"] = BaseUrl + $"rest/api/{ApiVersion}/status/10100",
                        ["description"] = "",
                        ["iconUrl"] = BaseUrl + "images/icons/statuses/generic.png",
                        ["name"] = issue.Status,
                        ["id"] = "10100",
                        ["statusCategory"] = new JObject { ["id"] = 4, ["key"] = "indeterminate", ["colorName"] = "yellow", ["name"] = "In Progress" },
                    },
                    ["project"] = new JObject
                    {
                        ["self"] = BaseUrl + $"rest/api/{ApiVersion}/project/10000",
                        ["id"] = "10000",
                        ["key"] = issue.ProjectKey,
                        ["name"] = "Change Management",
                        ["projectTypeKey"] = "service_desk",
                    },
                };
                foreach (var cf in issue.CustomFields) all[cf.Key] = cf.Value?.DeepClone() ?? JValue.CreateNull();
                string? requested = r.QueryValue("fields");
                var fields = new JObject();
                foreach (var p in all.Properties())
                    if (requested == null || requested.Split(',').Contains(p.Name)) fields[p.Name] = p.Value;
                // Requested custom fields that are not set come back as null, as JIRA does.
                if (requested != null)
                    foreach (string name in requested.Split(','))
                        if (name.StartsWith("customfield_") && fields[name] == null) fields[name] = JValue.CreateNull();
                var result = new JObject
                {
                    ["expand"] = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
                    ["id"] = issue.Id,
                    ["self"] = self,
                    ["key"] = issue.Key,
                    ["fields"] = fields,
                };
                if ((r.QueryValue("expand") ?? "").Split(',').Contains("changelog") && issue.StatusChangedBy != null)
                {
                    result["changelog"] = new JObject
                    {
                        ["startAt"] = 0, ["maxResults"] = 1, ["total"] = 1,
                        ["histories"] = new JArray(new JObject
                        {
                            ["id"] = "10500",
                            ["author"] = ApiVersion == 3 ? CloudUser("5b10ac8d82e05b22cc7d4ef5", issue.StatusChangedBy) : ServerUser("carla", issue.StatusChangedBy),
                            ["created"] = "2026-11-23T05:00:00.000+0000",
                            ["items"] = new JArray(new JObject
                            {
                                ["field"] = "status", ["fieldtype"] = "jira",
                                ["from"] = "10001", ["fromString"] = "Awaiting Approval",
                                ["to"] = "10100", ["toString"] = issue.Status,
                            }),
                        }),
                    };
                }
                return FakeResponse.Json(200, result.ToString(Formatting.None));
            }

            if (rest == "/transitions" && r.Method == "GET")
            {
                var list = new JArray(issue.Transitions.Select(t => new JObject
                {
                    ["id"] = t.Id,
                    ["name"] = t.Name,
                    ["to"] = new JObject { ["self"] = BaseUrl + $"rest/api/{ApiVersion}/status/1", ["name"] = t.To, ["id"] = "1" },
                    ["hasScreen"] = false, ["isGlobal"] = false, ["isInitial"] = false, ["isAvailable"] = true, ["isConditional"] = false, ["isLooped"] = false,
                }));
                return FakeResponse.Json(200, new JObject { ["expand"] = "transitions", ["transitions"] = list }.ToString(Formatting.None));
            }

            if (rest == "/transitions" && r.Method == "POST")
            {
                string? id;
                try { id = (string?)JObject.Parse(r.Body).SelectToken("transition.id"); }
                catch (JsonException) { return Error(400, "Unexpected character in the request body."); }
                var t = issue.Transitions.FirstOrDefault(x => x.Id == id);
                if (t.Id == null) return Error(400, $"Transition id '{id}' is not valid for this issue.");
                issue.Status = t.To;
                return new FakeResponse { Status = 204 };
            }

            if (rest == "/comment" && r.Method == "POST")
            {
                JObject body;
                try { body = JObject.Parse(r.Body); }
                catch (JsonException) { return Error(400, "Unexpected character in the request body."); }
                JToken? content = body["body"];
                bool valid = ApiVersion == 3
                    ? content is JObject doc && (string?)doc["type"] == "doc" && (int?)doc["version"] == 1 && doc["content"] is JArray
                    : content is JValue v && v.Type == JTokenType.String && ((string)v!).Length > 0;
                if (!valid)
                    return FakeResponse.Json(400, new JObject { ["errorMessages"] = new JArray(), ["errors"] = new JObject { ["comment"] = "Comment body is not valid!" } }.ToString(Formatting.None));
                issue.Comments.Enqueue(content!);
                string commentId = (10000 + issue.Comments.Count).ToString();
                return FakeResponse.Json(201, new JObject
                {
                    ["self"] = self + "/comment/" + commentId,
                    ["id"] = commentId,
                    ["author"] = ApiVersion == 3 ? CloudUser("5b10a2844c20165700ede21g", "CI Bot") : ServerUser("ci-bot", "CI Bot"),
                    ["body"] = content,
                    ["created"] = "2026-11-23T06:00:00.000+0000",
                    ["updated"] = "2026-11-23T06:00:00.000+0000",
                }.ToString(Formatting.None));
            }
            return Error(405, "Method not allowed");
        }

        public void Dispose() => _server.Dispose();
    }
}
