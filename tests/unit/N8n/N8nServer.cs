using System.Net.Http;
using System.Text;
using InfluenceGen.Deploy.Tests.Harness;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.N8n
{
    /// <summary>The real n8n started by tests/setup/40-n8n.sh (N8N_TEST_URL, N8N_TEST_API_KEY), and a
    /// plain HTTP client to check what is on it independently of the module.</summary>
    public static class N8nServer
    {
        public static string Url => Require("N8N_TEST_URL");
        public static string ApiKey => Require("N8N_TEST_API_KEY");

        private static string Require(string name)
        {
            string? value = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(value))
                throw new InvalidOperationException($"{name} is not set: run tests/run.sh (tests/setup/40-n8n.sh starts the real n8n these tests need)");
            return value;
        }

        private static readonly Lazy<HttpClient> Http = new Lazy<HttpClient>(() =>
        {
            var http = new HttpClient { BaseAddress = new Uri(Url.TrimEnd('/') + "/api/v1/") };
            http.DefaultRequestHeaders.Add("X-N8N-API-KEY", ApiKey);
            return http;
        });

        public static JObject? Get(string id)
        {
            using HttpResponseMessage r = Http.Value.GetAsync("workflows/" + id).GetAwaiter().GetResult();
            if (r.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
            string text = r.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"GET workflows/{id}: {(int)r.StatusCode} {text}");
            return JObject.Parse(text);
        }

        public static List<JObject> List()
        {
            var all = new List<JObject>();
            string? cursor = null;
            do
            {
                string text = Http.Value.GetStringAsync("workflows?limit=250" + (cursor != null ? "&cursor=" + Uri.EscapeDataString(cursor) : "")).GetAwaiter().GetResult();
                JObject page = JObject.Parse(text);
                all.AddRange(((JArray)page["data"]!).Cast<JObject>());
                cursor = (string?)page["nextCursor"];
            } while (!string.IsNullOrEmpty(cursor));
            return all;
        }

        public static List<JObject> Named(string prefix) => List().Where(w => ((string?)w["name"] ?? "").StartsWith(prefix, StringComparison.Ordinal)).ToList();

        /// <summary>Creates a workflow directly (not through the module: unmanaged).</summary>
        public static JObject Create(JObject body)
        {
            using var content = new StringContent(body.ToString(), Encoding.UTF8, "application/json");
            using HttpResponseMessage r = Http.Value.PostAsync("workflows", content).GetAwaiter().GetResult();
            string text = r.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST workflows: {(int)r.StatusCode} {text}");
            return JObject.Parse(text);
        }

        /// <summary>Updates a workflow directly (as the editor would), optionally without publishing it.</summary>
        public static JObject Put(string id, JObject body, bool publishIfActive)
        {
            using var content = new StringContent(body.ToString(), Encoding.UTF8, "application/json");
            using HttpResponseMessage r = Http.Value.PutAsync($"workflows/{id}?publishIfActive={(publishIfActive ? "true" : "false")}", content).GetAwaiter().GetResult();
            string text = r.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"PUT workflows/{id}: {(int)r.StatusCode} {text}");
            return JObject.Parse(text);
        }

        /// <summary>Deactivates a workflow directly (its webhooks are unregistered).</summary>
        public static void Deactivate(string id)
        {
            using var content = new StringContent("{}", Encoding.UTF8, "application/json");
            using HttpResponseMessage r = Http.Value.PostAsync("workflows/" + id + "/deactivate", content).GetAwaiter().GetResult();
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST workflows/{id}/deactivate: {(int)r.StatusCode} {r.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        }

        public static string[] Tags(JObject wf) => ((JArray?)wf["tags"] ?? new JArray()).Select(t => (string)t["name"]!).OrderBy(t => t, StringComparer.Ordinal).ToArray();

        /// <summary>A copy of the sample workflows with names and ids made unique for one test
        /// (the server is shared by every test of the run).</summary>
        public static string CopySamples(TempDir dir, string prefix, int take = 4)
        {
            string folder = dir.Combine("workflows");
            Directory.CreateDirectory(folder);
            foreach (string file in Directory.GetFiles(N8nWorkflowPackageTests.SampleWorkflows, "*.json").OrderBy(f => f, StringComparer.Ordinal).Take(take))
            {
                JObject wf = JObject.Parse(File.ReadAllText(file));
                wf["name"] = prefix + (string)wf["name"]!;
                wf.Remove("id");
                foreach (JObject node in ((JArray)wf["nodes"]!).Cast<JObject>())
                {
                    // Webhook paths must be unique per server.
                    if ((string?)node["type"] == "n8n-nodes-base.webhook")
                    {
                        node["parameters"]!["path"] = prefix.ToLowerInvariant().Trim() + "-" + (string)node["parameters"]!["path"]!;
                        node["webhookId"] = Guid.NewGuid().ToString();
                    }
                }
                File.WriteAllText(Path.Combine(folder, Path.GetFileName(file)), wf.ToString());
            }
            return folder;
        }

        public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N").Substring(0, 8) + " ";
        /// <summary>A managed tag of one test (n8n tag names hold 24 characters).</summary>
        public static string TagFor(string prefix) => "ig-test-" + prefix.Trim();
    }
}
