using System.Management.Automation;
using System.Net;
using System.Security;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.N8n;
using InfluenceGen.Deploy.Tests.Harness;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.N8n
{
    /// <summary>
    /// Publish-N8nWorkflow against the real n8n of tests/setup/40-n8n.sh. Each test works on its own
    /// copy of the sample workflows (unique names) under its own managed tag, so -Prune in one test
    /// never sees another test's workflows.
    /// </summary>
    public class N8nPublishIntegrationTests
    {
        private static SecureString Secure(string s)
        {
            var secure = new SecureString();
            foreach (char c in s) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }

        private static PowerShellSession Session(string dir)
        {
            var session = new PowerShellSession(dir);
            session.SetVariable("key", Secure(N8nServer.ApiKey));
            session.SetVariable("url", N8nServer.Url);
            return session;
        }

        private static string Publish(string path, string tag, string extra = "")
            => $"Publish-N8nWorkflow -Path '{path}' -BaseUri $url -ApiKey $key -ManagedTag '{tag}' {extra}";

        private static List<dynamic> Results(PsResult r) => r.Output.Select(o => (dynamic)o).ToList();

        private static void NoKeyIn(PsResult r) => Assert.DoesNotContain(N8nServer.ApiKey, r.AllText());

        [Fact]
        public void First_publish_creates_tags_and_activates_then_an_unchanged_publish_writes_nothing()
        {
            using var dir = new TempDir("n8npub");
            string prefix = N8nServer.NewPrefix(), tag = N8nServer.TagFor(prefix);
            string folder = N8nServer.CopySamples(dir, prefix);
            using PowerShellSession session = Session(dir.Path);

            PsResult first = Ps.Run(session, Publish(folder, tag));
            Assert.Null(first.Terminating);
            Assert.Empty(first.Errors);
            NoKeyIn(first);
            var results = Results(first);
            Assert.Equal(4, results.Count);
            Assert.All(results, r => Assert.Equal("Create", r.Action.ToString()));

            List<JObject> onServer = N8nServer.Named(prefix);
            Assert.Equal(4, onServer.Count);
            JObject report = onServer.Single(w => ((string)w["name"]!).EndsWith("Daily campaign report to Slack"));
            Assert.True((bool)report["active"]!, "the schedule-triggered workflow is declared active and must be active");
            Assert.Equal(new[] { "campaigns", "reporting", tag }.OrderBy(t => t, StringComparer.Ordinal), N8nServer.Tags(report));
            JObject signup = onServer.Single(w => ((string)w["name"]!).EndsWith("New influencer signup to Odoo"));
            Assert.True((bool)signup["active"]!, "the webhook-triggered workflow is declared active and must be active");
            JObject alert = onServer.Single(w => ((string)w["name"]!).EndsWith("Campaign budget alert"));
            Assert.False((bool)alert["active"]!);
            Assert.Equal("Europe/Berlin", (string?)report["settings"]!["timezone"]);
            var updatedAt = onServer.ToDictionary(w => (string)w["id"]!, w => (string?)w["updatedAt"]);

            PsResult second = Ps.Run(session, Publish(folder, tag));
            Assert.Null(second.Terminating);
            Assert.Empty(second.Errors);
            Assert.All(Results(second), r => Assert.Equal("Unchanged", r.Action.ToString()));
            Assert.Contains(second.Verbose, v => v.StartsWith("0 write request(s)"));
            foreach (JObject w in N8nServer.Named(prefix))
                Assert.Equal(updatedAt[(string)w["id"]!], (string?)w["updatedAt"]);

            // The same through the package: a zip of the same folder is the same source.
            PsResult viaPackage = Ps.Run(session, $"New-N8nWorkflowPackage -Path '{folder}' -OutFile pkg.zip | " + Publish("IGNORED", tag).Replace("-Path 'IGNORED' ", ""));
            Assert.Null(viaPackage.Terminating);
            Assert.All(Results(viaPackage), r => Assert.Equal("Unchanged", r.Action.ToString()));
        }

        [Fact]
        public void One_changed_workflow_is_updated_alone_and_stays_active()
        {
            using var dir = new TempDir("n8npub");
            string prefix = N8nServer.NewPrefix(), tag = N8nServer.TagFor(prefix);
            string folder = N8nServer.CopySamples(dir, prefix);
            using PowerShellSession session = Session(dir.Path);
            Assert.Null(Ps.Run(session, Publish(folder, tag)).Terminating);
            var before = N8nServer.Named(prefix).ToDictionary(w => (string)w["name"]!);

            string file = Path.Combine(folder, "daily-campaign-report-to-slack.json");
            JObject wf = JObject.Parse(File.ReadAllText(file));
            ((JObject)wf["nodes"]![0]!)["parameters"]!["rule"]!["interval"]![0]!["triggerAtHour"] = 8;
            // Reformatted and with nodes reordered: neither counts as a change.
            var nodes = (JArray)wf["nodes"]!;
            var last = nodes.Last!; last.Remove(); nodes.AddFirst(last);
            File.WriteAllText(file, wf.ToString(Newtonsoft.Json.Formatting.None));

            PsResult r = Ps.Run(session, Publish(folder, tag));
            Assert.Null(r.Terminating);
            var results = Results(r);
            dynamic changed = results.Single(x => x.Action.ToString() == "Update");
            Assert.EndsWith("Daily campaign report to Slack", (string)changed.Name);
            Assert.Contains("~Every morning", (string)changed.Changes);
            Assert.Equal(3, results.Count(x => x.Action.ToString() == "Unchanged"));

            var after = N8nServer.Named(prefix).ToDictionary(w => (string)w["name"]!);
            foreach (var pair in after)
            {
                // The unchanged ones were not written at all. (The changed one's write is proven by its
                // content below: n8n's updatedAt can repeat when both writes fall in the same instant.)
                if (!pair.Key.EndsWith("Daily campaign report to Slack"))
                    Assert.Equal((string?)before[pair.Key]["updatedAt"], (string?)pair.Value["updatedAt"]);
            }
            JObject updated = after.Single(p => p.Key.EndsWith("Daily campaign report to Slack")).Value;
            Assert.True((bool)updated["active"]!);
            Assert.Equal(8, (int)updated["nodes"]!.Single(n => (string?)n["name"] == "Every morning")!["parameters"]!["rule"]!["interval"]![0]!["triggerAtHour"]!);
            // n8n 2.x runs the published version: the update must have been published too.
            if (updated["activeVersion"] is JObject activeVersion && activeVersion["nodes"] is JArray activeNodes)
                Assert.Equal(8, (int)activeNodes.Single(n => (string?)n["name"] == "Every morning")!["parameters"]!["rule"]!["interval"]![0]!["triggerAtHour"]!);

            // Declared inactive now: deactivated without a definition change.
            wf = JObject.Parse(File.ReadAllText(file));
            wf["active"] = false;
            File.WriteAllText(file, wf.ToString());
            r = Ps.Run(session, Publish(folder, tag));
            dynamic deactivated = Results(r).Single(x => ((string)x.Name).EndsWith("Daily campaign report to Slack"));
            Assert.Equal("Unchanged", deactivated.Action.ToString());
            Assert.Equal("Deactivate", (string)deactivated.Activation);
            Assert.False((bool)N8nServer.Get((string)deactivated.Id)!["active"]!);
        }

        [Fact]
        public void A_saved_but_unpublished_draft_is_published_again()
        {
            using var dir = new TempDir("n8npub");
            string prefix = N8nServer.NewPrefix(), tag = N8nServer.TagFor(prefix);
            string folder = N8nServer.CopySamples(dir, prefix);
            using PowerShellSession session = Session(dir.Path);
            Assert.Null(Ps.Run(session, Publish(folder, tag)).Terminating);
            JObject wf = N8nServer.Named(prefix).Single(w => ((string)w["name"]!).EndsWith("Daily campaign report to Slack"));
            string id = (string)wf["id"]!;
            JObject Body(int hour)
            {
                var nodes = (JArray)wf["nodes"]!.DeepClone();
                nodes.Single(n => (string?)n["name"] == "Every morning")!["parameters"]!["rule"]!["interval"]![0]!["triggerAtHour"] = hour;
                return new JObject { ["name"] = wf["name"], ["nodes"] = nodes, ["connections"] = wf["connections"], ["settings"] = wf["settings"] };
            }
            // Someone publishes 9 o'clock in the editor, then saves 7 again without publishing it.
            N8nServer.Put(id, Body(9), publishIfActive: true);
            N8nServer.Put(id, Body(7), publishIfActive: false);
            int Published() => (int)N8nServer.Get(id)!["activeVersion"]!["nodes"]!.Single(n => (string?)n["name"] == "Every morning")!["parameters"]!["rule"]!["interval"]![0]!["triggerAtHour"]!;
            Assert.Equal(9, Published());

            PsResult r = Ps.Run(session, Publish(folder, tag));
            Assert.Null(r.Terminating);
            dynamic item = Results(r).Single(x => (string)x.Id == id);
            Assert.Equal("Unchanged", item.Action.ToString());
            Assert.Equal("Activate", (string)item.Activation);
            Assert.Equal(7, Published());
            PsResult again = Ps.Run(session, Publish(folder, tag));
            Assert.All(Results(again), x => { Assert.Equal("Unchanged", x.Action.ToString()); Assert.Equal("", (string)x.Activation); });
            Assert.Contains(again.Verbose, v => v.StartsWith("0 write request(s)"));
        }

        [Fact]
        public void Prune_deactivates_or_deletes_removed_managed_workflows_and_never_unmanaged_ones()
        {
            using var dir = new TempDir("n8npub");
            string prefix = N8nServer.NewPrefix(), tag = N8nServer.TagFor(prefix);
            string folder = N8nServer.CopySamples(dir, prefix);
            using PowerShellSession session = Session(dir.Path);
            Assert.Null(Ps.Run(session, Publish(folder, tag)).Terminating);
            // A workflow made by hand on the server (no managed tag): never touched.
            JObject manual = N8nServer.Create(new JObject
            {
                ["name"] = prefix + "hand-made",
                ["nodes"] = JArray.Parse("[{\"parameters\":{},\"name\":\"Start\",\"type\":\"n8n-nodes-base.manualTrigger\",\"typeVersion\":1,\"position\":[0,0]}]"),
                ["connections"] = new JObject(),
                ["settings"] = new JObject(),
            });

            File.Delete(Path.Combine(folder, "daily-campaign-report-to-slack.json"));
            PsResult notPruned = Ps.Run(session, Publish(folder, tag));
            Assert.Equal(3, Results(notPruned).Count);
            Assert.True((bool)N8nServer.Named(prefix + "IG - Daily")[0]["active"]!, "without -Prune a removed workflow is left alone");

            PsResult pruned = Ps.Run(session, Publish(folder, tag, "-Prune"));
            Assert.Null(pruned.Terminating);
            dynamic prune = Results(pruned).Single(x => x.Action.ToString() == "Prune");
            Assert.EndsWith("Daily campaign report to Slack", (string)prune.Name);
            Assert.Equal("Deactivate", (string)prune.Activation);
            Assert.False((bool)N8nServer.Get((string)prune.Id)!["active"]!);

            File.Delete(Path.Combine(folder, "campaign-budget-alert.json"));
            PsResult deleted = Ps.Run(session, Publish(folder, tag, "-Prune -PruneAction Delete -Confirm:$false"));
            Assert.Null(deleted.Terminating);
            var pruneResults = Results(deleted).Where(x => x.Action.ToString() == "Prune").ToList();
            Assert.Equal(2, pruneResults.Count);
            foreach (dynamic p in pruneResults) Assert.Null(N8nServer.Get((string)p.Id));
            Assert.NotNull(N8nServer.Get((string)manual["id"]!));
            Assert.Equal(2, N8nServer.Named(prefix + "IG - ").Count);
        }

        [Fact]
        public void A_workflow_the_server_rejects_fails_alone_as_a_non_terminating_error()
        {
            using var dir = new TempDir("n8npub");
            string prefix = N8nServer.NewPrefix(), tag = N8nServer.TagFor(prefix);
            string folder = N8nServer.CopySamples(dir, prefix, take: 3);
            // Valid JSON and a valid graph, but a setting value n8n's API schema refuses.
            JObject bad = JObject.Parse(File.ReadAllText(Path.Combine(folder, "campaign-budget-alert.json")));
            bad["name"] = prefix + "rejected by the server";
            bad["settings"]!["saveDataErrorExecution"] = "sometimes";
            File.WriteAllText(Path.Combine(folder, "rejected.json"), bad.ToString());
            using PowerShellSession session = Session(dir.Path);

            // Each workflow stands alone (PowerShell's batch convention): the failed one is a non-terminating
            // error beside its result, nothing ends the command, the others are published.
            PsResult r = session.Invoke(Publish(folder, tag));
            NoKeyIn(r);
            Assert.Null(r.Terminating);
            ErrorRecord single = Assert.Single(r.Errors);
            Assert.StartsWith("N8nRejected", single.FullyQualifiedErrorId);
            Assert.Contains("rejected.json", single.Exception.Message);
            var results = Results(r);
            Assert.Equal(4, results.Count);
            Assert.Equal(3, results.Count(x => (bool)x.Applied && x.Action.ToString() == "Create"));
            Assert.Equal(3, N8nServer.Named(prefix + "IG - ").Count);
        }

        [Fact]
        public void WhatIf_prints_the_plan_and_writes_nothing()
        {
            using var dir = new TempDir("n8npub");
            string prefix = N8nServer.NewPrefix(), tag = N8nServer.TagFor(prefix);
            string folder = N8nServer.CopySamples(dir, prefix);
            using (PowerShellSession session = Session(dir.Path))
                Assert.Null(Ps.Run(session, Publish(folder, tag)).Terminating);
            var before = N8nServer.Named(prefix).ToDictionary(w => (string)w["id"]!, w => (string?)w["updatedAt"]);

            string file = Path.Combine(folder, "campaign-budget-alert.json");
            JObject wf = JObject.Parse(File.ReadAllText(file));
            ((JArray)wf["nodes"]!).Add(JObject.Parse("{\"parameters\":{},\"name\":\"Log\",\"type\":\"n8n-nodes-base.noOp\",\"typeVersion\":1,\"position\":[880,100]}"));
            wf["connections"]!["Within budget"] = JObject.Parse("{\"main\":[[{\"node\":\"Log\",\"type\":\"main\",\"index\":0}]]}");
            File.WriteAllText(file, wf.ToString());
            File.Delete(Path.Combine(folder, "content-approval-request.json"));
            JObject added = JObject.Parse(File.ReadAllText(Path.Combine(folder, "daily-campaign-report-to-slack.json")));
            added["name"] = prefix + "IG - Weekly report";
            File.WriteAllText(Path.Combine(folder, "weekly.json"), added.ToString());

            var env = new Dictionary<string, string> { ["IG_N8N_KEY"] = N8nServer.ApiKey, ["STAGING_N8N_API_URL"] = N8nServer.Url, ["STAGING_N8N_API_KEY"] = N8nServer.ApiKey };
            HostProcess.Result host = HostProcess.Run(dir.Path, env, "-c",
                $"Publish-N8nWorkflow -Path '{folder}' -Environment staging -ManagedTag '{tag}' -Prune -PruneAction Delete -WhatIf -Verbose");
            string all = host.StdOut + host.StdErr;
            Assert.True(host.ExitCode == 0, all);
            Assert.DoesNotContain(N8nServer.ApiKey, all);
            Assert.Matches(@"What if: .*create '" + System.Text.RegularExpressions.Regex.Escape(prefix) + "IG - Weekly report' \\[activate, tags\\]", all);
            Assert.Matches(@"What if: .*update '.*Campaign budget alert' \(.*\): nodes \+1 -0 ~0 \(\+Log\); connections", all);
            Assert.Matches(@"What if: .*prune '.*Content approval request' \(.*\): delete", all);
            Assert.Matches(@"What if: .*unchanged '.*New influencer signup to Odoo'", all);

            var after = N8nServer.Named(prefix).ToDictionary(w => (string)w["id"]!, w => (string?)w["updatedAt"]);
            Assert.Equal(before, after);
        }

        [Fact]
        public void A_refused_key_stops_before_anything_is_written_and_is_never_shown()
        {
            using var dir = new TempDir("n8npub");
            string prefix = N8nServer.NewPrefix();
            string folder = N8nServer.CopySamples(dir, prefix, take: 1);
            using var session = new PowerShellSession(dir.Path);
            string wrongKey = "n8n_api_" + Guid.NewGuid().ToString("N");
            session.SetVariable("key", Secure(wrongKey));
            session.SetVariable("url", N8nServer.Url);
            PsResult r = Ps.Run(session, Publish(folder, N8nServer.TagFor(prefix)));
            Assert.NotNull(r.Terminating);
            Assert.StartsWith("N8nUnauthorized", r.Terminating!.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, r.Terminating.CategoryInfo.Category);
            Assert.Empty(r.Output);
            Assert.DoesNotContain(wrongKey, r.AllText());
            Assert.Empty(N8nServer.Named(prefix));
        }

        [Fact]
        public void A_server_that_is_down_is_a_connection_error_after_retries()
        {
            using var dir = new TempDir("n8npub");
            string folder = N8nServer.CopySamples(dir, N8nServer.NewPrefix(), take: 1);
            var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop(); // nothing listens there now
            var log = new RecordingLog();
            var retry = new RetryPolicy(maxAttempts: 3, baseDelay: TimeSpan.FromMilliseconds(50));
            using var api = new N8nApiClient(new Uri($"http://127.0.0.1:{port}"), N8nServer.ApiKey, log, retry);
            var ex = Assert.Throws<N8nApiException>(() => new N8nPublisher(api)
                .PublishAsync(WorkflowSource.Load(folder, log), new N8nPublishOptions(), log, default).GetAwaiter().GetResult());
            Assert.Equal("N8nUnreachable", ex.ErrorId);
            Assert.Equal(ErrorKind.ConnectionError, ex.Kind);
            Assert.Equal(2, log.Lines.Count(m => m.Contains("retrying")));
            Assert.DoesNotContain(N8nServer.ApiKey, ex.ToString() + log.All);

            // Through the cmdlet: terminating, no output, pwsh -c would exit 1.
            using PowerShellSession session = Session(dir.Path);
            PsResult r = Ps.Run(session, $"Publish-N8nWorkflow -Path '{folder}' -BaseUri 'http://127.0.0.1:{port}' -ApiKey $key");
            Assert.StartsWith("N8nUnreachable", r.Terminating!.FullyQualifiedErrorId);
            Assert.Empty(r.Output);
            NoKeyIn(r);
        }

        [Fact]
        public void A_name_taken_by_an_unmanaged_workflow_is_a_conflict_not_an_overwrite()
        {
            using var dir = new TempDir("n8npub");
            string prefix = N8nServer.NewPrefix(), tag = N8nServer.TagFor(prefix);
            string folder = N8nServer.CopySamples(dir, prefix, take: 2);
            string takenName = JObject.Parse(File.ReadAllText(Directory.GetFiles(folder).OrderBy(f => f, StringComparer.Ordinal).First()))["name"]!.ToString();
            JObject manual = N8nServer.Create(new JObject
            {
                ["name"] = takenName,
                ["nodes"] = JArray.Parse("[{\"parameters\":{},\"name\":\"Start\",\"type\":\"n8n-nodes-base.manualTrigger\",\"typeVersion\":1,\"position\":[0,0]}]"),
                ["connections"] = new JObject(),
                ["settings"] = new JObject(),
            });
            // Four more new workflows: more than N8nPublisher.LookupThreshold are new, so the plan lists
            // the whole server once instead of looking each up; the conflict must be found either way.
            string template = Directory.GetFiles(folder).OrderBy(f => f, StringComparer.Ordinal).Last();
            for (int i = 0; i < 4; i++)
            {
                JObject copy = JObject.Parse(File.ReadAllText(template));
                copy["name"] = $"{prefix}extra {i}";
                copy["active"] = false;
                File.WriteAllText(Path.Combine(folder, $"extra-{i}.json"), copy.ToString());
            }
            using PowerShellSession session = Session(dir.Path);
            PsResult r = session.Invoke(Publish(folder, tag));
            Assert.Null(r.Terminating);
            ErrorRecord conflict = Assert.Single(r.Errors, e => e.FullyQualifiedErrorId.StartsWith("WorkflowNotManaged"));
            Assert.Contains($"add that tag", conflict.Exception.Message);
            Assert.Contains(r.Verbose, v => v.Contains("listing every workflow on the server"));
            Assert.Equal(5, Results(r).Count(x => x.Action.ToString() == "Create"));
            Assert.Equal((string?)manual["updatedAt"], (string?)N8nServer.Get((string)manual["id"]!)!["updatedAt"]);
        }

    }
}

namespace InfluenceGen.Deploy.Tests.N8n
{
    /// <summary>Deploy-InfluenceGen's n8n step (the IWorkflowPublisher seam) against the real n8n.</summary>
    public class N8nDeployPublisherTests
    {
        [Fact]
        public void The_deploy_step_publishes_a_bundle_from_the_environments_settings_and_republishing_changes_nothing()
        {
            using var dir = new TempDir("n8ndeploy");
            string prefix = N8nServer.NewPrefix(), tag = N8nServer.TagFor(prefix);
            string folder = N8nServer.CopySamples(dir, prefix);
            string zip = dir.Combine("n8n_workflows.zip");
            var builder = new WorkflowPackageBuilder();
            builder.WriteAsync(builder.Plan(folder, NullDeployLog.Instance), zip, NullDeployLog.Instance, default).GetAwaiter().GetResult();

            var variables = new Dictionary<string, string> { ["STAGING_N8N_API_URL"] = N8nServer.Url, ["STAGING_N8N_API_KEY"] = N8nServer.ApiKey };
            var config = new InfluenceGen.Deploy.Configuration.ConfigurationResolver(variables, new SecretMasker()).Resolve("staging", null);
            var step = new N8nDeployPublisher(config, new N8nPublishOptions { Prune = true, ManagedTag = tag });

            IReadOnlyList<string> plan = step.PlanAsync(zip, NullDeployLog.Instance, default).GetAwaiter().GetResult();
            Assert.Equal(4, plan.Count);
            Assert.Empty(N8nServer.Named(prefix));
            IReadOnlyList<string> published = step.PublishAsync(zip, NullDeployLog.Instance, default).GetAwaiter().GetResult();
            Assert.Equal(4, published.Count);
            Assert.All(published, p => Assert.StartsWith("create '" + prefix, p));
            Assert.Equal(4, N8nServer.Named(prefix).Count);
            Assert.Empty(step.PublishAsync(zip, NullDeployLog.Instance, default).GetAwaiter().GetResult());
        }
    }
}
