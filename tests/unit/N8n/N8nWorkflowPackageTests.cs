using System.IO.Compression;
using System.Management.Automation;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.N8n;
using InfluenceGen.Deploy.Tests.Harness;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.N8n
{
    /// <summary>New-N8nWorkflowPackage: validation (file, line, column), deterministic zip, metadata.</summary>
    [Trait("Category", "Fast")]
    public class N8nWorkflowPackageTests
    {
        internal static string SampleWorkflows => Path.Combine(Repo.Samples, "workflows");

        internal static string Workflow(string name, string extraNode = "", string connections = "{\"Start\":{\"main\":[[{\"node\":\"Done\",\"type\":\"main\",\"index\":0}]]}}", bool active = false, string tags = "[]")
            => $@"{{
  ""name"": ""{name}"",
  ""nodes"": [
    {{ ""parameters"": {{ ""rule"": {{ ""interval"": [ {{ ""field"": ""hours"" }} ] }} }}, ""id"": ""n1"", ""name"": ""Start"", ""type"": ""n8n-nodes-base.scheduleTrigger"", ""typeVersion"": 1.2, ""position"": [0, 0] }},
    {{ ""parameters"": {{}}, ""id"": ""n2"", ""name"": ""Done"", ""type"": ""n8n-nodes-base.noOp"", ""typeVersion"": 1, ""position"": [220, 0] }}{extraNode}
  ],
  ""connections"": {connections},
  ""active"": {(active ? "true" : "false")},
  ""settings"": {{ ""executionOrder"": ""v1"" }},
  ""tags"": {tags}
}}
";

        [Fact]
        public void Samples_are_valid_and_their_metadata_lists_each_workflow()
        {
            WorkflowSource source = new WorkflowPackageBuilder().Plan(SampleWorkflows, NullDeployLog.Instance);
            Assert.True(source.Workflows.Count >= 3);
            Assert.Contains("README.md", source.HelperFiles);
            N8nWorkflow signup = Assert.Single(source.Workflows, w => w.File == "influencer-signup-to-odoo.json");
            Assert.True(signup.Active);
            Assert.Equal(new[] { "influencers", "odoo" }, signup.Tags);
            Assert.Equal(1, signup.TriggerCount);
            Assert.Matches("^[0-9a-f]{64}$", signup.ContentHash);
        }

        [Fact]
        public void Same_inputs_give_a_byte_identical_zip_with_metadata_last()
        {
            using var dir = new TempDir("n8npkg");
            using var session = new PowerShellSession(dir.Path);
            PsResult first = Ps.Run(session, $"New-N8nWorkflowPackage -Path '{SampleWorkflows}' -OutFile a.zip");
            Assert.Null(first.Terminating);
            Assert.Empty(first.Errors);
            // Touch the inputs' timestamps through a copy: the zip must depend on names and bytes only.
            string copy = dir.Combine("copy");
            Directory.CreateDirectory(copy);
            foreach (string f in Directory.GetFiles(SampleWorkflows)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
            PsResult second = Ps.Run(session, $"New-N8nWorkflowPackage -Path '{copy}' -OutFile b.zip");
            Assert.Null(second.Terminating);
            Assert.Equal(File.ReadAllBytes(dir.Combine("a.zip")), File.ReadAllBytes(dir.Combine("b.zip")));

            dynamic package = first.Single();
            Assert.True((bool)package.Written);
            Assert.Equal(4, (int)package.WorkflowCount);
            using ZipArchive zip = ZipFile.OpenRead(dir.Combine("a.zip"));
            Assert.Equal(N8nWorkflowPackage.MetadataEntry, zip.Entries.Last().FullName);
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Equal(names.Take(names.Count - 1).OrderBy(n => n, StringComparer.Ordinal), names.Take(names.Count - 1));
            JObject meta = JObject.Parse(new StreamReader(zip.Entries.Last().Open()).ReadToEnd());
            Assert.Equal(N8nWorkflowPackage.Format, (string?)meta["format"]);
            JObject report = (JObject)((JArray)meta["workflows"]!).Single(w => (string?)w["name"] == "IG - Daily campaign report to Slack");
            Assert.Equal("IG - Daily campaign report to Slack", (string?)report["identity"]);
            Assert.True((bool)report["active"]!);
            Assert.Equal(new[] { "campaigns", "reporting" }, ((JArray)report["tags"]!).Select(t => (string)t!));
            var fromFolder = new WorkflowPackageBuilder().Plan(SampleWorkflows, NullDeployLog.Instance).Workflows.Single(w => w.Name == "IG - Daily campaign report to Slack");
            Assert.Equal(fromFolder.ContentHash, (string?)report["contentHash"]);
        }

        [Fact]
        public void Malformed_json_names_file_line_and_column()
        {
            using var dir = new TempDir("n8nbad");
            dir.Write("ok.json", Workflow("OK"));
            dir.Write("sub/broken.json", "{\n  \"name\": \"Broken\",\n  \"nodes\": [ { \"name\": \"A\" } \n  \"connections\": {}\n}\n");
            using var session = new PowerShellSession(dir.Path);
            string outFile = Path.Combine(Path.GetTempPath(), "n8n-" + Guid.NewGuid().ToString("N") + ".zip");
            PsResult r = Ps.Run(session, $"New-N8nWorkflowPackage -Path '{dir.Path}' -OutFile '{outFile}'");
            Assert.NotNull(r.Terminating);
            Assert.Equal("InvalidWorkflowJson", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Matches(@"sub/broken\.json:4:\d+: not well-formed JSON", r.Terminating.Exception.Message);
            Assert.False(File.Exists(outFile));
        }

        [Fact]
        public void Every_structural_problem_is_reported_with_its_file_and_line()
        {
            using var dir = new TempDir("n8nbad");
            dir.Write("dup-node.json", Workflow("Dup", extraNode: ",\n    { \"parameters\": {}, \"name\": \"Done\", \"type\": \"n8n-nodes-base.noOp\", \"typeVersion\": 1, \"position\": [0, 0] }"));
            dir.Write("dangling.json", Workflow("Dangling", connections: "{\"Start\":{\"main\":[[{\"node\":\"Post to Slak\",\"type\":\"main\",\"index\":0}]]}}"));
            dir.Write("no-name.json", "{ \"nodes\": [], \"connections\": {} }");
            dir.Write("no-connections.json", "{ \"name\": \"NoConn\", \"nodes\": [] }");
            dir.Write("same-name-1.json", Workflow("Twin"));
            dir.Write("same-name-2.json", Workflow("Twin"));
            dir.Write("config.json", "{ \"odooUrl\": \"https://odoo.example\" }");
            using var session = new PowerShellSession(dir.Path);
            PsResult r = Ps.Run(session, $"New-N8nWorkflowPackage -Path . -OutFile '{Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".zip")}'");
            Assert.NotNull(r.Terminating);
            Assert.Equal("InvalidWorkflows", r.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
            var ids = r.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]).ToList();
            Assert.Contains("DuplicateNodeName", ids);
            Assert.Contains("UnknownConnectionNode", ids);
            Assert.Contains("MissingWorkflowName", ids);
            Assert.Contains("MissingWorkflowConnections", ids);
            Assert.Contains("DuplicateWorkflowIdentity", ids);
            string dangling = r.Errors.Single(e => e.FullyQualifiedErrorId.StartsWith("UnknownConnectionNode")).Exception.Message;
            Assert.Matches(@"^dangling\.json:\d+:\d+: workflow 'Dangling': the connection 'Start' -> 'Post to Slak' points at a node", dangling);
            string dup = r.Errors.Single(e => e.FullyQualifiedErrorId.StartsWith("DuplicateNodeName")).Exception.Message;
            Assert.Matches(@"^dup-node\.json:6:\d+: .*'Done' is used twice", dup);
            // config.json is a helper file, not a workflow: no error about it.
            Assert.DoesNotContain(r.Errors, e => e.Exception.Message.Contains("config.json"));
        }

        [Fact]
        public void Active_workflow_without_trigger_is_rejected()
        {
            using var dir = new TempDir("n8nbad");
            dir.Write("manual.json", "{ \"name\": \"Manual\", \"active\": true, \"nodes\": [ { \"name\": \"Go\", \"type\": \"n8n-nodes-base.manualTrigger\", \"typeVersion\": 1, \"position\": [0,0], \"parameters\": {} } ], \"connections\": {} }");
            var ex = Assert.Throws<N8nWorkflowValidationException>(() => new WorkflowPackageBuilder().Plan(dir.Path, NullDeployLog.Instance));
            Assert.Equal("ActiveWithoutTrigger", ex.ErrorId);
            Assert.StartsWith("manual.json:1:", ex.Message);
        }

        [Fact]
        public void Export_array_format_and_zip_round_trip()
        {
            using var dir = new TempDir("n8narr");
            dir.Write("all.json", "[" + Workflow("First") + "," + Workflow("Second", active: true) + "]");
            string zip = Path.Combine(Path.GetTempPath(), "n8n-" + Guid.NewGuid().ToString("N") + ".zip");
            try
            {
                var builder = new WorkflowPackageBuilder();
                WorkflowSource source = builder.Plan(dir.Path, NullDeployLog.Instance);
                Assert.Equal(new[] { "First", "Second" }, source.Workflows.Select(w => w.Name));
                N8nWorkflowPackage package = builder.WriteAsync(source, zip, NullDeployLog.Instance, default).GetAwaiter().GetResult();
                WorkflowSource back = WorkflowSource.Load(zip, NullDeployLog.Instance);
                Assert.Equal(source.Workflows.Select(w => w.ContentHash), back.Workflows.Select(w => w.ContentHash));
                Assert.True(back.Workflows[1].Active);
            }
            finally { File.Delete(zip); }
        }

        [Fact]
        public void Normalised_hash_ignores_formatting_key_order_node_order_and_node_ids()
        {
            var a = JObject.Parse(Workflow("Same"));
            var b = JObject.Parse(Workflow("Same"));
            var nodes = (JArray)b["nodes"]!;
            var first = nodes[0]; first.Remove(); nodes.Add(first);
            foreach (JObject n in nodes.Cast<JObject>()) n["id"] = Guid.NewGuid().ToString();
            ((JObject)b["nodes"]![0]!)["typeVersion"] = 1.0;
            string ha = WorkflowNormalizer.Hash(WorkflowNormalizer.Comparable(WorkflowNormalizer.ApiBody(a, false), null));
            string hb = WorkflowNormalizer.Hash(WorkflowNormalizer.Comparable(WorkflowNormalizer.ApiBody(b, false), null));
            Assert.Equal(ha, hb);
            ((JObject)b["nodes"]![0]!)["parameters"] = new JObject { ["changed"] = true };
            Assert.NotEqual(ha, WorkflowNormalizer.Hash(WorkflowNormalizer.Comparable(WorkflowNormalizer.ApiBody(b, false), null)));
        }

        [Fact]
        public void Api_body_keeps_only_what_the_public_api_accepts()
        {
            JObject wf = JObject.Parse(Workflow("Body"));
            wf["settings"]!["binaryMode"] = "separate"; // written by some exports, not in the API's settings schema
            JObject body = WorkflowNormalizer.ApiBody(wf, includeStaticData: true);
            Assert.Equal(new[] { "name", "nodes", "connections", "settings" }, body.Properties().Select(p => p.Name));
            Assert.Equal(new[] { "executionOrder" }, ((JObject)body["settings"]!).Properties().Select(p => p.Name));
        }
    }
}
