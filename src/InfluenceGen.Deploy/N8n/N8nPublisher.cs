using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.N8n
{
    /// <summary>What -Prune does with a managed workflow the source no longer has.</summary>
    public enum N8nPruneAction
    {
        Deactivate,
        Delete,
    }

    /// <summary>What happens to one workflow's definition.</summary>
    public enum N8nWorkflowAction
    {
        Unchanged,
        Create,
        Update,
        /// <summary>-Prune: a managed workflow the source no longer has (deactivated or deleted).</summary>
        Prune,
        /// <summary>Could not be planned (e.g. its name is taken by a workflow the module does not manage).</summary>
        Conflict,
    }

    public sealed class N8nPublishOptions
    {
        public bool Prune { get; set; }
        public N8nPruneAction PruneAction { get; set; } = N8nPruneAction.Deactivate;
        /// <summary>Parallel write requests (the server is asked for one workflow at a time per worker).</summary>
        public int Parallelism { get; set; } = 4;
        /// <summary>The tag that marks the workflows this publisher manages (default
        /// <see cref="N8nPublisher.ManagedTag"/>). A second repository publishing into the same n8n
        /// uses its own tag, so its -Prune never touches the first one's workflows.</summary>
        public string ManagedTag { get; set; } = N8nPublisher.ManagedTag;
        /// <summary>Prune even when the source looks empty or nearly so (see <see cref="N8nPublisher.CheckPruneGuard"/>).</summary>
        public bool Force { get; set; }
    }

    /// <summary>One workflow's plan or outcome (table view: InfluenceGen.Deploy.N8n.N8nWorkflowPublishResult).</summary>
    public sealed class N8nWorkflowPublishResult
    {
        public string Name { get; set; } = string.Empty;
        /// <summary>The workflow's id on the server (empty until created).</summary>
        public string Id { get; set; } = string.Empty;
        public N8nWorkflowAction Action { get; set; }
        /// <summary>"Activate", "Deactivate", "Delete" (prune) or empty.</summary>
        public string Activation { get; set; } = string.Empty;
        public bool TagsChanged { get; set; }
        /// <summary>What differs (update), or why (prune, conflict).</summary>
        public string Changes { get; set; } = string.Empty;
        /// <summary>The active state after publishing (the declared one for a plan).</summary>
        public bool Active { get; set; }
        /// <summary>False in a plan (-WhatIf) and when the workflow failed.</summary>
        public bool Applied { get; set; }
        /// <summary>The failure, or empty.</summary>
        public string Error { get; set; } = string.Empty;
        /// <summary>The failure's stable ErrorId, or empty.</summary>
        public string ErrorId { get; set; } = string.Empty;
        public string File { get; set; } = string.Empty;

        /// <summary>Does applying this item write anything?</summary>
        public bool WritesSomething => Action == N8nWorkflowAction.Create || Action == N8nWorkflowAction.Update
            || (Action == N8nWorkflowAction.Prune && Activation.Length > 0) || (Action != N8nWorkflowAction.Conflict && (Activation.Length > 0 || TagsChanged));

        /// <summary>One line for -WhatIf and logs: "create 'Daily report' (activate, tags)".</summary>
        public string Describe()
        {
            string what = Action switch
            {
                N8nWorkflowAction.Create => $"create '{Name}'",
                N8nWorkflowAction.Update => $"update '{Name}' ({Id}): {Changes}",
                N8nWorkflowAction.Prune => $"prune '{Name}' ({Id}): {(Activation.Length > 0 ? Activation.ToLowerInvariant() : "already inactive")}",
                N8nWorkflowAction.Conflict => $"skip '{Name}': {Changes}",
                _ => $"unchanged '{Name}' ({Id})",
            };
            var extra = new List<string>();
            if (Action != N8nWorkflowAction.Prune && Activation.Length > 0) extra.Add(Activation.ToLowerInvariant());
            if (TagsChanged) extra.Add("tags");
            return extra.Count > 0 ? $"{what} [{string.Join(", ", extra)}]" : what;
        }

        public override string ToString() => Describe();
    }

    /// <summary>A plan: what publishing would do, computed from one listing of the server.</summary>
    public sealed class N8nPublishPlan
    {
        internal N8nPublishPlan(string apiRoot, List<PlannedItem> items)
        {
            ApiRoot = apiRoot;
            Planned = items;
        }

        public string ApiRoot { get; }
        internal List<PlannedItem> Planned { get; }
        public IReadOnlyList<N8nWorkflowPublishResult> Items => Planned.Select(p => p.Result).ToList();
        public int Changes => Planned.Count(p => p.Result.WritesSomething);
        /// <summary>How many workflows on the server carry the managed tag.</summary>
        public int ManagedCount { get; internal set; }
        /// <summary>How many workflows the source has.</summary>
        public int SourceCount { get; internal set; }
        /// <summary>The managed workflows -Prune takes out of service (deactivates, or deletes).</summary>
        public IReadOnlyList<N8nWorkflowPublishResult> Pruning => Planned.Select(p => p.Result).Where(r => r.Action == N8nWorkflowAction.Prune).ToList();
    }

    internal sealed class PlannedItem
    {
        public N8nWorkflowPublishResult Result = null!;
        public N8nWorkflow? Source;
        public JObject? Server;
        public string[] DesiredTags = Array.Empty<string>();
    }

    /// <summary>
    /// Publishes workflows to n8n idempotently through its public API: the service behind
    /// Publish-N8nWorkflow and the n8n step of Deploy-InfluenceGen.
    /// <para><b>Identity.</b> A source workflow is matched to the server's by, in order:
    /// (1) the id n8n's export wrote, when a workflow with that id exists on the server (the file
    /// was exported from this server: the match survives renames); (2) its name, among the workflows
    /// this module manages. Names, because the public API assigns a new id on create (the body's id is
    /// read-only), so ids differ between dev, staging and production while names are what people
    /// see and what the package validates as unique. A rename in the source is therefore a new workflow
    /// plus a prune of the old one, except on the server the file was exported from.</para>
    /// <para><b>Managed.</b> Every workflow the module creates or updates carries the tag
    /// <see cref="ManagedTag"/>; -Prune only ever touches workflows with that tag, so workflows people
    /// made by hand in the editor are never deactivated or deleted. A name taken by an unmanaged
    /// workflow is a conflict (reported, not overwritten) until someone adds the tag to it.</para>
    /// <para><b>Unchanged costs no write.</b> The server's copy and the source are compared in
    /// <see cref="WorkflowNormalizer.Comparable"/> form; equal definitions, tags and active state mean
    /// no request beyond the one listing.</para>
    /// </summary>
    public sealed class N8nPublisher
    {
        /// <summary>The marker of workflows this module manages (n8n tag names hold at most 24 characters).</summary>
        public const string ManagedTag = "managed-by:influencegen";
        public const int MaxTagLength = 24;
        /// <summary>Above this many workflows missing from the managed listing, the plan lists the
        /// whole server once instead of looking each up.</summary>
        public const int LookupThreshold = 5;

        private readonly N8nApiClient _api;

        public N8nPublisher(N8nApiClient api) { _api = api; }

        /// <summary>
        /// Plans without writing anything. Costs one listing of the managed workflows (filtered by tag
        /// on the server); only workflows not found there are looked up further (by export id, then
        /// by name, to find conflicts with unmanaged workflows), so an unchanged publish is one GET.
        /// </summary>
        public async Task<N8nPublishPlan> PlanAsync(WorkflowSource source, N8nPublishOptions options, IDeployLog log, CancellationToken ct)
        {
            _api.Log = log;
            string tag = options.ManagedTag;
            bool IsManaged(JObject w) => TagNames(w).Contains(tag);
            log.Verbose($"Listing the workflows tagged '{tag}' at {_api.ApiRoot}");
            List<JObject> server = (await _api.ListWorkflowsAsync(ct, tag: tag).ConfigureAwait(false)).Where(IsManaged).ToList();
            log.Verbose($"{server.Count} workflow(s) on the server managed by InfluenceGen ('{tag}'); {source.Workflows.Count} in the source");

            var byId = server.ToDictionary(w => (string)w["id"]!, StringComparer.Ordinal);
            // Source workflows not among the managed ones: look them up (bounded parallelism, GETs only).
            var lookups = new Dictionary<N8nWorkflow, (JObject? SameId, List<JObject> Named)>();
            var unmatched = source.Workflows
                .Where(wf => !(wf.SourceId.Length > 0 && byId.ContainsKey(wf.SourceId)) && !server.Any(w => (string?)w["name"] == wf.Name))
                .ToList();
            if (unmatched.Count > LookupThreshold)
            {
                // Many new workflows (a first publish): one listing of everything beats a lookup each.
                log.Verbose($"{unmatched.Count} workflow(s) not among the managed ones; listing every workflow on the server");
                List<JObject> all = await _api.ListWorkflowsAsync(ct).ConfigureAwait(false);
                var allById = all.Where(w => (string?)w["id"] != null).ToDictionary(w => (string)w["id"]!, StringComparer.Ordinal);
                foreach (N8nWorkflow wf in unmatched)
                {
                    JObject? sameId = wf.SourceId.Length > 0 && allById.TryGetValue(wf.SourceId, out JObject? w) ? w : null;
                    lookups[wf] = (sameId, sameId != null ? new List<JObject>() : all.Where(x => (string?)x["name"] == wf.Name).ToList());
                }
            }
            else
            {
                var gate = new SemaphoreSlim(Math.Max(1, options.Parallelism));
                await Task.WhenAll(unmatched.Select(async wf =>
                {
                    await gate.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        JObject? sameId = wf.SourceId.Length > 0 ? await _api.GetWorkflowAsync(wf.SourceId, ct).ConfigureAwait(false) : null;
                        List<JObject> named = sameId != null ? new List<JObject>()
                            : (await _api.ListWorkflowsAsync(ct, name: wf.Name).ConfigureAwait(false)).Where(w => (string?)w["name"] == wf.Name).ToList();
                        lock (lookups) lookups[wf] = (sameId, named);
                    }
                    finally { gate.Release(); }
                })).ConfigureAwait(false);
            }

            var claimed = new HashSet<string>(StringComparer.Ordinal);
            var items = new List<PlannedItem>();

            foreach (N8nWorkflow wf in source.Workflows)
            {
                var result = new N8nWorkflowPublishResult { Name = wf.Name, File = wf.File, Active = wf.Active };
                var item = new PlannedItem { Result = result, Source = wf, DesiredTags = wf.Tags.Where(t => t != ManagedTag).Concat(new[] { tag }).Distinct(StringComparer.Ordinal).OrderBy(t => t, StringComparer.Ordinal).ToArray() };
                items.Add(item);

                JObject? match = null;
                if (wf.SourceId.Length > 0 && byId.TryGetValue(wf.SourceId, out JObject? sameId) && !claimed.Contains(wf.SourceId))
                    match = sameId;
                if (match == null && lookups.TryGetValue(wf, out var found) && found.SameId != null && !claimed.Contains((string)found.SameId["id"]!))
                    match = found.SameId; // exported from this server: the same workflow, managed from now on
                if (match == null)
                {
                    var managed = server.Where(w => (string?)w["name"] == wf.Name && !claimed.Contains((string)w["id"]!)).ToList();
                    if (managed.Count > 1)
                    {
                        Conflict(result, ErrorIds.AmbiguousWorkflow, $"{managed.Count} managed workflows on the server are named '{wf.Name}' ({string.Join(", ", managed.Select(w => (string?)w["id"]))}); delete or rename all but one");
                        continue;
                    }
                    if (managed.Count == 1) match = managed[0];
                    else if (lookups.TryGetValue(wf, out found) && found.Named.Count > 0)
                    {
                        JObject other = found.Named[0];
                        Conflict(result, ErrorIds.WorkflowNotManaged, $"a workflow named '{wf.Name}' ({other["id"]}) exists on the server but is not managed by InfluenceGen (no tag '{tag}'); add that tag to it to let the module take it over, or rename one of them");
                        result.Id = (string?)other["id"] ?? string.Empty;
                        continue;
                    }
                }

                if (match == null)
                {
                    result.Action = N8nWorkflowAction.Create;
                    result.Changes = $"{wf.NodeCount} node(s)";
                    result.Activation = wf.Active ? "Activate" : string.Empty;
                    result.TagsChanged = true;
                    continue;
                }

                string id = (string)match["id"]!;
                claimed.Add(id);
                item.Server = match;
                result.Id = id;
                ICollection<string> declared = (wf.Body["settings"] as JObject)?.Properties().Select(p => p.Name).ToList() ?? new List<string>();
                JObject mine = WorkflowNormalizer.Comparable(wf.Body, declared);
                JObject theirs = WorkflowNormalizer.Comparable(match, declared);
                if (wf.Body["description"] == null) theirs.Remove("description");
                bool same = JToken.DeepEquals(mine, theirs);
                result.Action = same ? N8nWorkflowAction.Unchanged : N8nWorkflowAction.Update;
                if (!same) result.Changes = WorkflowNormalizer.Describe(theirs, mine);
                bool serverActive = IsActive(match);
                if (serverActive != wf.Active) result.Activation = wf.Active ? "Activate" : "Deactivate";
                else if (same && serverActive && !PublishedMatches(match, mine, declared))
                {
                    // n8n 2.x: the saved draft equals the source but the published version does not
                    // (someone saved without publishing): publish it.
                    result.Activation = "Activate";
                    result.Changes = "the published version differs from the saved one";
                }
                result.TagsChanged = !TagNames(match).SetEquals(item.DesiredTags);
            }

            foreach (JObject orphan in server.Where(w => IsManaged(w) && !claimed.Contains((string)w["id"]!)))
            {
                var result = new N8nWorkflowPublishResult
                {
                    Name = (string?)orphan["name"] ?? string.Empty,
                    Id = (string)orphan["id"]!,
                    Active = IsActive(orphan),
                };
                if (!options.Prune)
                {
                    log.Verbose($"'{result.Name}' ({result.Id}) is managed by InfluenceGen but not in the source; -Prune would {options.PruneAction.ToString().ToLowerInvariant()} it");
                    continue;
                }
                result.Action = N8nWorkflowAction.Prune;
                result.Changes = "not in the source";
                if (options.PruneAction == N8nPruneAction.Delete) result.Activation = "Delete";
                else if (result.Active) result.Activation = "Deactivate";
                items.Add(new PlannedItem { Result = result, Server = orphan });
            }
            var plan = new N8nPublishPlan(_api.ApiRoot, items) { ManagedCount = server.Count, SourceCount = source.Workflows.Count };
            CheckPruneGuard(plan, options);
            return plan;
        }

        /// <summary>
        /// The max-delete guard of -Prune: an empty or wrong source folder (a bad CI variable, a checkout that
        /// failed) would otherwise deactivate or delete every managed workflow. Refused, naming what it would
        /// prune, when the source has no workflow at all, or it is near-empty (fewer than half as many workflows as
        /// the server manages) and the prune would touch more than half of the managed ones. A source of the usual
        /// size that renames its workflows is not refused. <see cref="N8nPublishOptions.Force"/> overrides.
        /// </summary>
        public static void CheckPruneGuard(N8nPublishPlan plan, N8nPublishOptions options)
        {
            IReadOnlyList<N8nWorkflowPublishResult> pruning = plan.Pruning;
            if (options.Force || pruning.Count == 0) return;
            bool nearEmpty = plan.SourceCount == 0 || (plan.SourceCount * 2 < plan.ManagedCount && pruning.Count * 2 > plan.ManagedCount);
            if (!nearEmpty) return;
            string verb = options.PruneAction == N8nPruneAction.Delete ? "delete" : "deactivate";
            string names = string.Join(", ", pruning.Take(10).Select(r => $"'{r.Name}' ({r.Id})")) + (pruning.Count > 10 ? $" and {pruning.Count - 10} more" : string.Empty);
            throw new DeployException(ErrorIds.PruneGuard, ErrorKind.LimitsExceeded,
                $"-Prune would {verb} {pruning.Count} of the {plan.ManagedCount} workflow(s) managed with tag '{options.ManagedTag}' at {plan.ApiRoot} " +
                $"because the source has only {plan.SourceCount}: {names}. An empty or wrong source folder looks like this, so nothing was changed.", plan.ApiRoot)
            { RecommendedAction = "Check the source path; if these workflows really should go, run again with -Force." };
        }

        /// <summary>Plans and applies everything (no confirmation).</summary>
        public async Task<IReadOnlyList<N8nWorkflowPublishResult>> PublishAsync(WorkflowSource source, N8nPublishOptions options, IDeployLog log, CancellationToken ct)
        {
            N8nPublishPlan plan = await PlanAsync(source, options, log, ct).ConfigureAwait(false);
            return await ApplyAsync(plan, options, log, ct).ConfigureAwait(false);
        }

        /// <summary>
        /// Applies a plan. A workflow that fails is recorded in its result (Error, ErrorId) and does not
        /// stop the others. <paramref name="approve"/> (ShouldProcess) may skip items; skipped items come
        /// back with Applied = false.
        /// </summary>
        public async Task<IReadOnlyList<N8nWorkflowPublishResult>> ApplyAsync(N8nPublishPlan plan, N8nPublishOptions options, IDeployLog log, CancellationToken ct,
            Func<N8nWorkflowPublishResult, bool>? approve = null)
        {
            _api.Log = log;
            var tags = new TagCache(_api);
            var gate = new SemaphoreSlim(Math.Max(1, options.Parallelism));
            int done = 0, total = plan.Planned.Count;
            var tasks = plan.Planned.Select(async item =>
            {
                N8nWorkflowPublishResult r = item.Result;
                if (r.Action == N8nWorkflowAction.Conflict)
                {
                    r.ErrorId = r.ErrorId.Length > 0 ? r.ErrorId : ErrorIds.WorkflowConflict;
                    r.Error = r.Changes;
                    return;
                }
                if (!r.WritesSomething)
                {
                    r.Applied = true;
                    r.Active = item.Server != null && IsActive(item.Server);
                    return;
                }
                if (approve != null && !approve(r)) return;
                await gate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    await ApplyOneAsync(item, tags, log, ct).ConfigureAwait(false);
                    r.Applied = true;
                }
                catch (DeployException ex)
                {
                    r.Error = ex.Message;
                    r.ErrorId = ex.ErrorId;
                    log.Warning($"'{r.Name}': {ex.Message}");
                }
                finally
                {
                    gate.Release();
                    int n = Interlocked.Increment(ref done);
                    log.Progress("Publishing n8n workflows", r.Describe(), total == 0 ? 100 : n * 100 / total);
                }
            }).ToList();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            return plan.Planned.Select(p => p.Result).ToList();
        }

        private async Task ApplyOneAsync(PlannedItem item, TagCache tags, IDeployLog log, CancellationToken ct)
        {
            N8nWorkflowPublishResult r = item.Result;
            switch (r.Action)
            {
                case N8nWorkflowAction.Prune:
                    if (r.Activation == "Delete")
                    {
                        log.Verbose($"Deleting '{r.Name}' ({r.Id}): managed by InfluenceGen, no longer in the source");
                        if (item.Server != null && IsActive(item.Server)) await _api.DeactivateAsync(r.Id, ct).ConfigureAwait(false);
                        await _api.DeleteWorkflowAsync(r.Id, ct).ConfigureAwait(false);
                    }
                    else if (r.Activation == "Deactivate")
                    {
                        log.Verbose($"Deactivating '{r.Name}' ({r.Id}): managed by InfluenceGen, no longer in the source");
                        await _api.DeactivateAsync(r.Id, ct).ConfigureAwait(false);
                    }
                    r.Active = false;
                    return;

                case N8nWorkflowAction.Create:
                {
                    log.Verbose($"Creating '{r.Name}' from {r.File}");
                    JObject created = await _api.CreateWorkflowAsync(item.Source!.Body, ct).ConfigureAwait(false);
                    r.Id = (string?)created["id"] ?? throw new DeployException(ErrorIds.N8nApiError, ErrorKind.InvalidResult, $"n8n created '{r.Name}' but returned no id");
                    r.Active = IsActive(created);
                    break;
                }

                case N8nWorkflowAction.Update:
                {
                    log.Verbose($"Updating '{r.Name}' ({r.Id}): {r.Changes}");
                    JObject body = WorkflowNormalizer.ApiBody(item.Source!.Body, includeStaticData: false);
                    JObject updated = await _api.UpdateWorkflowAsync(r.Id, body, ct).ConfigureAwait(false);
                    r.Active = IsActive(updated);
                    break;
                }

                default:
                    r.Active = item.Server != null && IsActive(item.Server);
                    break;
            }

            if (r.TagsChanged)
            {
                var ids = new List<string>();
                foreach (string name in item.DesiredTags) ids.Add(await tags.IdOfAsync(name, ct).ConfigureAwait(false));
                log.Verbose($"Tagging '{r.Name}' ({r.Id}): {string.Join(", ", item.DesiredTags)}");
                await _api.SetWorkflowTagsAsync(r.Id, ids, ct).ConfigureAwait(false);
            }

            // An update of a published workflow is re-published by n8n 2.x's PUT itself
            // (publishIfActive defaults to true), so it costs no activate call.
            bool wanted = item.Source!.Active;
            if (wanted && (!r.Active || r.Activation == "Activate"))
            {
                log.Verbose($"Activating '{r.Name}' ({r.Id})");
                JObject activated = await _api.ActivateAsync(r.Id, ct).ConfigureAwait(false);
                r.Active = !activated.ContainsKey("active") || IsActive(activated);
            }
            else if (!wanted && r.Active)
            {
                log.Verbose($"Deactivating '{r.Name}' ({r.Id})");
                await _api.DeactivateAsync(r.Id, ct).ConfigureAwait(false);
                r.Active = false;
            }
        }

        /// <summary>n8n 2.x lists the published version (activeVersion) beside the saved one; true when
        /// there is none to compare (n8n 1.x) or it equals the source.</summary>
        private static bool PublishedMatches(JObject server, JObject mine, ICollection<string> declared)
        {
            if (!(server["activeVersion"] is JObject published) || !(published["nodes"] is JArray)) return true;
            var asBody = new JObject
            {
                ["name"] = server["name"]?.DeepClone(),
                ["nodes"] = published["nodes"]!.DeepClone(),
                ["connections"] = published["connections"]?.DeepClone() ?? new JObject(),
                ["settings"] = server["settings"]?.DeepClone() ?? new JObject(),
            };
            JObject theirs = WorkflowNormalizer.Comparable(asBody, declared);
            var minus = (JObject)mine.DeepClone();
            minus.Remove("description");
            return JToken.DeepEquals(minus, theirs);
        }

        private static void Conflict(N8nWorkflowPublishResult r, string errorId, string message)
        {
            r.Action = N8nWorkflowAction.Conflict;
            r.ErrorId = errorId;
            r.Changes = message;
        }

        internal static bool IsActive(JObject w) => w["active"]?.Type == JTokenType.Boolean && (bool)w["active"]!;

        internal static HashSet<string> TagNames(JObject w)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            if (w["tags"] is JArray tags)
                foreach (JToken t in tags)
                {
                    string? name = t.Type == JTokenType.String ? (string?)t : (string?)(t as JObject)?["name"];
                    if (name != null) set.Add(name);
                }
            return set;
        }

        /// <summary>Tag name to id, listed once, created on demand (POST is not retried; a tag another
        /// run created meanwhile is found by listing again).</summary>
        private sealed class TagCache
        {
            private readonly N8nApiClient _api;
            private readonly SemaphoreSlim _lock = new SemaphoreSlim(1);
            private Dictionary<string, string>? _ids;

            public TagCache(N8nApiClient api) { _api = api; }

            public async Task<string> IdOfAsync(string name, CancellationToken ct)
            {
                await _lock.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    if (_ids == null) await ReloadAsync(ct).ConfigureAwait(false);
                    if (_ids!.TryGetValue(name, out string? id)) return id;
                    try
                    {
                        JObject created = await _api.CreateTagAsync(name, ct).ConfigureAwait(false);
                        id = (string)created["id"]!;
                    }
                    catch (N8nApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict)
                    {
                        await ReloadAsync(ct).ConfigureAwait(false);
                        if (!_ids.TryGetValue(name, out id)) throw;
                    }
                    _ids[name] = id!;
                    return id!;
                }
                finally { _lock.Release(); }
            }

            private async Task ReloadAsync(CancellationToken ct)
            {
                var ids = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (JObject t in await _api.ListTagsAsync(ct).ConfigureAwait(false))
                    if ((string?)t["name"] is string n && (string?)t["id"] is string i) ids[n] = i;
                _ids = ids;
            }
        }
    }
}
