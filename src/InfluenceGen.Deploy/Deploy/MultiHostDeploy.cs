using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Deploy.Steps;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Deploy
{
    /// <summary>
    /// A deploy (or undo) to an environment with several Odoo servers sharing one database (<see cref="HostGroup"/>).
    /// The deploy's own steps, run by phase: the lock on every host (the primary's first, so two deploys never
    /// deadlock), gate and decision once, upload + verify + extract on all hosts in parallel, the maintenance window
    /// on all hosts when the shared database is upgraded (else none: a rolling restart), the backup and <c>-i/-u</c>
    /// once on the primary, the switch on all hosts in parallel, then a rolling restart: one host at a time, each
    /// health-checked before the next. Any failure on any host undoes the completed phases in reverse on every host
    /// (the database once), so no host stays on a half-deployed release. Each host's ledger gets that host's line.
    /// The client drives the phases (one host's target job cannot roll back the others); the lock's lease is renewed
    /// on every host meanwhile.
    /// </summary>
    internal sealed class MultiHostDeploy
    {
        private readonly HostGroup _group;
        private readonly Func<DeployHost, DeployService> _serviceFor;
        private readonly IChangeGate _gate;
        private readonly IWorkflowPublisher _publisher;
        private readonly string _environment;

        public MultiHostDeploy(HostGroup group, string environment, Func<DeployHost, DeployService> serviceFor, IChangeGate gate, IWorkflowPublisher publisher)
        {
            _group = group; _environment = environment; _serviceFor = serviceFor; _gate = gate; _publisher = publisher;
        }

        /// <summary>One host's part of a run.</summary>
        private sealed class HostRun
        {
            public HostRun(DeployHost host, DeployService service, bool primary) { Host = host; Service = service; Primary = primary; }
            public DeployHost Host { get; }
            public DeployService Service { get; }
            public bool Primary { get; }
            public DeployRun Run { get; set; } = null!;
            public TargetState State { get; set; } = new TargetState();
            public bool Locked { get; set; }
            /// <summary>Restarted (or tried to) during the rolling restart: Odoo there may run the new code.</summary>
            public bool Touched { get; set; }
            /// <summary>The steps completed here (or that may have acted before failing), by name.</summary>
            public HashSet<string> Done { get; } = new HashSet<string>(StringComparer.Ordinal);
            public RollbackReport Rollback { get; } = new RollbackReport();
        }

        private enum Scope { All, Primary, Rolling }

        /// <summary>A phase: the deploy's own step(s) run on all hosts in parallel, on the primary, or host by host.</summary>
        private sealed class Phase
        {
            public Phase(string name, Scope scope, params DeployStep[] steps) { Name = name; Scope = scope; Steps = steps; }
            public string Name { get; }
            public Scope Scope { get; }
            public DeployStep[] Steps { get; }
            /// <summary>Phase-level skip (null = run): e.g. no maintenance window for a rolling restart.</summary>
            public string? Skip { get; set; }
            /// <summary>Also undo on these hosts (the window is closed on every host a rolling restart touched).</summary>
            public Func<HostRun, bool>? AlsoUndoOn { get; set; }
            /// <summary>Rolling scope, inside a maintenance window (every host stopped already): the first host restarts and
            /// is health-checked alone, then the others at once (one at a time would only keep them down longer).</summary>
            public bool RestAtOnce { get; set; }
        }

        /// <summary>The failure of a phase: which host, which step, what.</summary>
        private sealed class Failure
        {
            public Failure(HostRun host, string step, DeployException error) { Host = host; Step = step; Error = error; }
            public HostRun Host { get; }
            public string Step { get; }
            public DeployException Error { get; }
        }


        private List<HostRun> Hosts() => _group.Hosts.Select((h, i) => new HostRun(h, _serviceFor(h), i == 0)).ToList();

        // ---- plan -------------------------------------------------------------------------------

        public async Task<DeployPlan> PlanAsync(DeployRequest request, IDeployLog log, CancellationToken ct)
        {
            List<HostRun> hosts = Hosts();
            string[] addons = request.Package.Addons.Select(a => a.Name).ToArray();
            await AllOrThrow(hosts, "probe", async (h, c) => { h.State = await h.Service.ProbeAsync(addons, null, 0, c).ConfigureAwait(false); return 0; }, ct).ConfigureAwait(false);
            IReadOnlyList<string> workflows = request.N8nBundle == null ? Array.Empty<string>() : await _publisher.PlanAsync(request.N8nBundle, log, ct).ConfigureAwait(false);
            DeployPlan plan = Decide(hosts, request, workflows, "whatif", log);
            plan.Steps = PlanLines(hosts, Phases(hosts, plan), plan).ToArray();
            return plan;
        }

        /// <summary>The decision on the primary (the database is shared), then each host's part of it: a host already on
        /// the release uploads and switches nothing; every host restarts when the database is upgraded.</summary>
        private DeployPlan Decide(List<HostRun> hosts, DeployRequest request, IReadOnlyList<string> workflows, string user, IDeployLog log)
        {
            HostRun primary = hosts[0];
            DeployPlan plan = primary.Service.Decide(request, primary.State, workflows);
            plan.Target = _group.Description;
            plan.Hosts = hosts.Select(h => h.Host.Name).ToArray();
            bool odoo = plan.Install.Length + plan.Upgrade.Length > 0;
            foreach (HostRun h in hosts)
            {
                h.Run ??= h.Service.NewRun("deploy", user, new HostLog(log, h.Host.Name), request);
                DeployPlan mine = plan.Copy();
                string? current = h.State.Current == null ? null : System.IO.Path.GetFileName(h.State.Current);
                bool onIt = request.DeployOdoo && current == plan.Release && string.Equals(h.State.CurrentSha, plan.PackageSha256, StringComparison.OrdinalIgnoreCase);
                mine.CurrentRelease = current;
                mine.Upload = request.DeployOdoo && !onIt;
                mine.Switch = request.DeployOdoo && !onIt;
                mine.Restart = mine.Switch || odoo;
                mine.Backup = h.Primary && plan.Backup;
                if (!h.Primary) { mine.Install = Array.Empty<string>(); mine.Upgrade = Array.Empty<string>(); }
                if (mine.Restart) _ = h.Run.Settings.Stop; // a missing StopCommand is refused before anything changes
                h.Run.Plan = mine;
            }
            plan.Upload = hosts.Any(h => h.Run.Plan.Upload);
            plan.Switch = hosts.Any(h => h.Run.Plan.Switch);
            plan.Restart = hosts.Any(h => h.Run.Plan.Restart);
            return plan;
        }

        private IEnumerable<string> PlanLines(List<HostRun> hosts, List<Phase> phases, DeployPlan plan)
        {
            HostRun primary = hosts[0];
            yield return $"lock: <root>/.lock on all {hosts.Count} hosts at once (if another deploy holds one: in host order, the primary {primary.Host.Name} first)";
            foreach (Phase phase in phases)
            {
                if (phase.Name == "gate") { yield return phase.Steps[0].Describe(primary.Run); continue; }
                if (phase.Skip != null) { yield return $"{phase.Name}: {phase.Skip}"; continue; }
                switch (phase.Scope)
                {
                    case Scope.Primary:
                        yield return $"{phase.Steps[0].Describe(primary.Run)} (once, on the primary {primary.Host.Name}: the database is shared)";
                        break;
                    case Scope.All:
                        yield return $"{phase.Name} on all {hosts.Count} hosts in parallel:";
                        foreach (HostRun h in hosts) yield return $"  {h.Host.Name} ({h.Run.Settings.Root}): {phase.Steps[0].Describe(h.Run)}";
                        break;
                    default:
                        yield return phase.RestAtOnce
                            ? $"restart after the maintenance window: {primary.Host.Name} first, health-checked, then the other {hosts.Count - 1} at once, each health-checked on its own URL:"
                            : "rolling restart, one host at a time, each health-checked before the next:";
                        for (int i = 0; i < hosts.Count; i++)
                            yield return $"  {i + 1}. {hosts[i].Host.Name}: " + string.Join("; ", phase.Steps.Select(s => s.Describe(hosts[i].Run)));
                        break;
                }
                if (phase.Name == "upload")
                {
                    yield return $"install: {DeployRun.List(plan.Install)}";
                    yield return $"upgrade: {DeployRun.List(plan.Upgrade)}";
                    yield return $"leave alone: {DeployRun.List(plan.Unchanged)}";
                }
            }
            yield return $"ledger: one line per host in its own <root>/{DeploymentLedger.FileName}; unlock every host; prune releases (keep {primary.Run.Settings.KeepReleases})";
        }

        /// <summary>The deploy's phases, in order (a failure undoes the completed ones in reverse, on every host).</summary>
        private List<Phase> Phases(List<HostRun> hosts, DeployPlan plan)
        {
            bool odoo = plan.Install.Length + plan.Upgrade.Length > 0;
            return new List<Phase>
            {
                new Phase("gate", Scope.Primary, new GateStep(_gate)),
                new Phase("upload", Scope.All, new UploadStep()),
                // the database is shared: before it is upgraded, no host may serve (old code against a new schema)
                new Phase("maintenance window", Scope.All, new MaintenanceStep())
                {
                    Skip = odoo ? null : "none (no install or upgrade: a rolling restart, each host serves until its turn)",
                    AlsoUndoOn = h => h.Touched,
                },
                new Phase("backup", Scope.Primary, new BackupStep()),
                new Phase("switch", Scope.All, new SwitchStep(r => r.Plan.Release)),
                new Phase("odoo", Scope.Primary, new OdooStep()),
                new Phase("rolling restart", Scope.Rolling, new RestartStep(), new HealthStep()) { RestAtOnce = odoo },
                new Phase("n8n", Scope.Primary, new N8nStep(_publisher)),
            };
        }

        // ---- deploy -----------------------------------------------------------------------------

        public async Task<DeploymentRecord> DeployAsync(DeployRequest request, IDeployLog log, CancellationToken ct)
        {
            List<HostRun> hosts = Hosts();
            foreach (HostRun h in hosts) h.Run = h.Service.NewRun("deploy", request.User, new HostLog(log, h.Host.Name), request);
            string activity = $"Deploying to {_environment} ({hosts.Count} hosts)";
            log.Progress(activity, "lock and read every host", 0);
            await LockAllAsync(hosts, request.Package.Addons.Select(a => a.Name).ToArray(), request.LockTimeout, ct).ConfigureAwait(false);

            using var renew = new CancellationTokenSource();
            Task lease = RenewLocksAsync(hosts, renew.Token);
            try
            {
                return await DeployLockedAsync(hosts, request, log, activity, ct).ConfigureAwait(false);
            }
            finally
            {
                renew.Cancel();
                await lease.ConfigureAwait(false);
            }
        }

        private async Task<DeploymentRecord> DeployLockedAsync(List<HostRun> hosts, DeployRequest request, IDeployLog log, string activity, CancellationToken ct)
        {
            HostRun primary = hosts[0];
            Failure? failure = null;
            List<Phase> phases;
            try
            {
                IReadOnlyList<string> workflows = request.N8nBundle == null ? Array.Empty<string>() : await _publisher.PlanAsync(request.N8nBundle, log, ct).ConfigureAwait(false);
                DeployPlan plan = Decide(hosts, request, workflows, request.User, log);
                foreach (HostRun h in hosts) Adopt(h.Run.Record, plan, primary.Run.Record.Id);
                primary.Run.Note("decide", "ok", $"install {plan.Install.Length}, upgrade {plan.Upgrade.Length}, unchanged {plan.Unchanged.Length}; {hosts.Count} hosts");
                phases = Phases(hosts, plan);
                foreach (string line in PlanLines(hosts, phases, plan)) log.Verbose("plan: " + line);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                await FinishAllAsync(hosts, "Failed", "decide", ex.Message).ConfigureAwait(false);
                throw;
            }
            var done = new List<Phase>();
            foreach (Phase phase in phases)
            {
                log.Progress(activity, phase.Name, done.Count * 100 / phases.Count);
                failure = await RunPhaseAsync(phase, hosts, activity, ct).ConfigureAwait(false);
                done.Add(phase);
                if (failure != null) break;
            }
            if (failure == null) return await SucceedAsync(hosts, log, activity).ConfigureAwait(false);
            return await RollBackAsync(hosts, done, failure, log).ConfigureAwait(false);
        }

        private static void Adopt(DeploymentRecord r, DeployPlan plan, string id)
        {
            r.Id = id;
            r.Release = plan.Release.Length == 0 ? null : plan.Release;
            r.Installed = plan.Install; r.Upgraded = plan.Upgrade; r.Unchanged = plan.Unchanged;
        }

        /// <summary>Runs one phase; returns the first failure (by host order), or null.</summary>
        private async Task<Failure?> RunPhaseAsync(Phase phase, List<HostRun> hosts, string activity, CancellationToken ct)
        {
            if (phase.Skip != null) { foreach (HostRun h in hosts) h.Run.Note(phase.Steps[0].Name, "skipped", phase.Skip); return null; }
            switch (phase.Scope)
            {
                case Scope.Primary:
                    return await StepAsync(hosts[0], phase.Steps[0], ct).ConfigureAwait(false);
                case Scope.All:
                    var results = await _group.RunAllAsync((h, c) => StepAsync(hosts.First(x => x.Host == h), phase.Steps[0], c), ct).ConfigureAwait(false);
                    return results.Select(r => r.Value ?? (r.Error == null ? null : new Failure(hosts.First(x => x.Host == r.Host), phase.Steps[0].Name, AsDeploy(r.Error, phase.Steps[0].Name))))
                                  .FirstOrDefault(f => f != null);
                default:
                    return await RollAsync(phase, hosts, activity, ct).ConfigureAwait(false);
            }
        }

        /// <summary>Restart + health host by host (each healthy before the next); inside a maintenance window the first
        /// host alone, then the others at once, each checked on its own health URL.</summary>
        private async Task<Failure?> RollAsync(Phase phase, List<HostRun> hosts, string activity, CancellationToken ct)
        {
            async Task<Failure?> One(HostRun h, CancellationToken c)
            {
                int i = hosts.IndexOf(h);
                if (h.Run.Plan.Restart) h.Touched = true;
                foreach (DeployStep step in phase.Steps)
                {
                    h.Run.Log.Progress(activity, $"{step.Name} ({i + 1}/{hosts.Count})", 60 + 30 * i / hosts.Count);
                    if (await StepAsync(h, step, c).ConfigureAwait(false) is Failure f) return f;
                }
                return null;
            }
            if (await One(hosts[0], ct).ConfigureAwait(false) is Failure first) return first;
            if (phase.RestAtOnce)
            {
                var rest = await _group.RunAllAsync((host, c) => One(hosts.First(x => x.Host == host), c), ct, hosts.Skip(1).Select(h => h.Host)).ConfigureAwait(false);
                return rest.Select(r => r.Value).FirstOrDefault(f => f != null);
            }
            foreach (HostRun h in hosts.Skip(1))
                if (await One(h, ct).ConfigureAwait(false) is Failure f) return f;
            return null;
        }

        /// <summary>One step on one host, noted in that host's record; a failure is returned, not thrown.</summary>
        private static async Task<Failure?> StepAsync(HostRun h, DeployStep step, CancellationToken ct)
        {
            string? skip = step.SkipReason(h.Run);
            if (skip != null) { h.Run.Note(step.Name, "skipped", skip); return null; }
            try
            {
                ct.ThrowIfCancellationRequested();
                string? detail = await step.ExecuteAsync(h.Run, ct).ConfigureAwait(false);
                h.Run.Note(step.Name, "ok", detail);
                h.Done.Add(step.Name);
                return null;
            }
            catch (Exception ex)
            {
                string name = ex.Data["step"] as string ?? step.Name;
                DeployException error = AsDeploy(ex, name);
                h.Run.Note(name, "failed", error.ErrorId);
                if (step.MayActOnFailure || ex is OperationCanceledException) h.Done.Add(step.Name);
                return new Failure(h, name, error);
            }
        }

        private static DeployException AsDeploy(Exception ex, string step) => ex as DeployException ?? (ex is OperationCanceledException
            ? new DeployException(ErrorIds.DeployCancelled, ErrorKind.OperationStopped, $"cancelled during step '{step}'", step, ex)
            : new DeployException(ErrorIds.DeployStepFailed, ErrorKind.NotSpecified, ex.Message, step, ex));

        // ---- the end: success, or every host rolled back ------------------------------------------

        private async Task<DeploymentRecord> SucceedAsync(List<HostRun> hosts, IDeployLog log, string activity)
        {
            HostRun primary = hosts[0];
            bool nothing = primary.Run.Plan.NothingToDo && hosts.All(h => !h.Run.Plan.Upload && !h.Run.Plan.Switch);
            log.Progress(activity, "ledger, unlock, prune on every host", 95);
            await FinishAllAsync(hosts, nothing ? "Unchanged" : "Succeeded", null, null).ConfigureAwait(false);
            await primary.Service.SucceededAsync(primary.Run, CancellationToken.None).ConfigureAwait(false);
            log.Progress(activity, "done", 100);
            return Result(hosts);
        }

        /// <summary>Undoes the completed phases in reverse on every host that did them (in parallel; the database once),
        /// writes each host's ledger line, frees the locks and throws the error naming the host and the step.</summary>
        private async Task<DeploymentRecord> RollBackAsync(List<HostRun> hosts, List<Phase> done, Failure failure, IDeployLog log)
        {
            HostRun primary = hosts[0];
            var (report, activated) = await CompensateAsync(hosts, done, failure, log).ConfigureAwait(false);
            string status = !activated ? "Failed" : report.Complete ? "RolledBack" : "RollbackIncomplete";
            string error = $"on {failure.Host.Host.Name}: {failure.Error.Message}" + (report.Complete ? "" : " | ROLLBACK INCOMPLETE: " + string.Join("; ", report.Problems));
            await FinishAllAsync(hosts, status, failure.Step, error).ConfigureAwait(false);
            primary.Run.Record.HostRecords = hosts.Select(h => h.Run.Record).ToArray();
            DeployException thrown = HostError(failure, hosts.Count);
            await primary.Service.ReportFailureAsync(primary.Run, failure.Step, thrown, report, activated).ConfigureAwait(false);
            return Result(hosts); // not reached: ReportFailureAsync throws
        }

        /// <summary>Undoes the completed phases in reverse on every host that did them, in parallel (what ran once, once);
        /// notes the rollback in each host's record.</summary>
        private async Task<(RollbackReport report, bool activated)> CompensateAsync(List<HostRun> hosts, List<Phase> done, Failure failure, IDeployLog log)
        {
            HostRun primary = hosts[0];
            bool activated = hosts.Any(h => done.SelectMany(p => p.Steps).Any(s => s.Activates && h.Done.Contains(s.Name)));
            log.Warning($"step '{failure.Step}' failed on {failure.Host.Host.Name}: {failure.Error.Message}; undoing on every host: {DeployRun.List(done.Select(p => p.Name).Reverse())}");
            for (int i = done.Count - 1; i >= 0; i--)
            {
                Phase phase = done[i];
                foreach (DeployStep step in Enumerable.Reverse(phase.Steps))
                {
                    var on = hosts.Where(h => h.Done.Contains(step.Name) || (phase.AlsoUndoOn?.Invoke(h) ?? false)).Select(h => h.Host).ToList();
                    await _group.RunAllAsync(async (host, _) =>
                    {
                        HostRun h = hosts.First(x => x.Host == host);
                        try { await step.CompensateAsync(h.Run, h.Rollback).ConfigureAwait(false); }
                        catch (Exception ex) { h.Rollback.Problems.Add($"undoing '{step.Name}' failed: {ex.Message}"); }
                        return 0;
                    }, CancellationToken.None, on).ConfigureAwait(false);
                }
            }
            var report = new RollbackReport { DatabaseRestored = primary.Run.Record.DatabaseRestored };
            foreach (HostRun h in hosts)
            {
                report.Problems.AddRange(h.Rollback.Problems.Select(p => $"{h.Host.Name}: {p}"));
                report.ToDo.AddRange(h.Rollback.ToDo);
            }
            foreach (HostRun h in hosts)
                if (activated) h.Run.Note("rollback", report.Complete ? "ok" : "failed", report.Complete
                    ? $"active: {h.Run.Record.ActiveRelease ?? "(none)"}, database restored: {primary.Run.Record.DatabaseRestored}" : string.Join("; ", h.Rollback.Problems));
            return (report, activated);
        }

        /// <summary>A failure of a host's own step is DeployHostFailed naming the host; a failure of what runs once
        /// (gate, backup, Odoo's -i/-u, n8n) keeps its own error id (the message names the host too).</summary>
        private static DeployException HostError(Failure f, int count)
        {
            bool shared = f.Step == "gate" || f.Step == "backup" || f.Step == "odoo" || f.Step == "n8n" || f.Error.ErrorId == ErrorIds.DeployCancelled;
            string message = $"on host {f.Host.Host.Name} ({(f.Host.Primary ? "the primary" : "one of " + count)}): {f.Error.ErrorId}: {f.Error.Message}";
            if (shared) return new DeployException(f.Error.ErrorId, f.Error.Kind, message, f.Error.Target, f.Error) { RecommendedAction = f.Error.RecommendedAction };
            return new DeployException(ErrorIds.DeployHostFailed, f.Error.Kind, message, f.Host.Host.Name, f.Error) { RecommendedAction = f.Error.RecommendedAction };
        }

        private static DeploymentRecord Result(List<HostRun> hosts)
        {
            DeploymentRecord primary = hosts[0].Run.Record;
            primary.HostRecords = hosts.Select(h => h.Run.Record).ToArray();
            return primary;
        }

        /// <summary>Each host's ledger line (its own chain), its lock freed; after a success its old releases pruned.</summary>
        private async Task FinishAllAsync(List<HostRun> hosts, string status, string? failedStep, string? error)
        {
            HostRun primary = hosts[0];
            await _group.RunAllAsync(async (host, _) =>
            {
                HostRun h = hosts.First(x => x.Host == host);
                DeploymentRecord r = h.Run.Record;
                r.Status = status; r.FailedStep = failedStep; r.Error = error; r.Host = h.Host.Name;
                if (!h.Primary) { r.DatabaseRestored = primary.Run.Record.DatabaseRestored; r.Backup = primary.Run.Record.Backup; r.BackupAt = primary.Run.Record.BackupAt; }
                r.FinishedAt = h.Service.Now();
                if (!h.Locked) return 0;
                DeploySettings s = h.Run.Settings;
                string line = DeploymentLedger.ToLine(r, h.State.LedgerTail, s.LedgerKey);
                bool ok = status == "Succeeded" || status == "Unchanged";
                var keep = new[] { r.Release, r.PreviousRelease }.Where(x => !string.IsNullOrEmpty(x)).Select(x => x!).ToArray();
                CommandResult fin = await h.Run.TryRunAsync(h.Run.Scripts.Finish(line, h.Run.LockText, ok ? keep : Array.Empty<string>(), ok ? s.KeepReleases : 0, ok ? s.KeepBackups : 0)).ConfigureAwait(false);
                if (!fin.Succeeded) h.Run.Log.Warning($"writing the ledger / freeing the lock failed (exit {fin.ExitCode}): {DeployRun.Tail(fin.Stdout + fin.Stderr)}");
                return 0;
            }, CancellationToken.None).ConfigureAwait(false);
        }

        // ---- undo, ledger, lock ------------------------------------------------------------------

        /// <summary>Every host back to an earlier release (the database once, on the primary, with -RestoreDatabase):
        /// with the database, Odoo stops on every host first; then the switch on all hosts and the rolling restart.
        /// A failure undoes what was done, on every host.</summary>
        public async Task<DeploymentRecord> UndoAsync(string? toRelease, bool restoreDatabase, string user, TimeSpan lockTimeout, IDeployLog log, CancellationToken ct)
        {
            List<HostRun> hosts = Hosts();
            foreach (HostRun h in hosts) h.Run = h.Service.NewRun("undo", user, new HostLog(log, h.Host.Name), null);
            foreach (HostRun h in hosts) h.Run.Record.Id = hosts[0].Run.Record.Id;
            await LockAllAsync(hosts, Array.Empty<string>(), lockTimeout, ct).ConfigureAwait(false);
            List<Phase> phases;
            try { phases = await PlanUndoAsync(hosts, toRelease, restoreDatabase, ct).ConfigureAwait(false); }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                await FinishAllAsync(hosts, "Failed", "decide", ex.Message).ConfigureAwait(false);
                throw;
            }
            var done = new List<Phase>();
            Failure? failure = null;
            foreach (Phase phase in phases)
            {
                failure = await RunPhaseAsync(phase, hosts, $"Rolling back {_environment}", ct).ConfigureAwait(false);
                done.Add(phase);
                if (failure != null) break;
            }
            if (failure == null)
            {
                await FinishAllAsync(hosts, "Succeeded", null, null).ConfigureAwait(false);
                return Result(hosts);
            }
            var (report, activated) = await CompensateAsync(hosts, done, failure, log).ConfigureAwait(false);
            await FinishAllAsync(hosts, activated && !report.Complete ? "RollbackIncomplete" : "Failed", failure.Step,
                $"on {failure.Host.Host.Name}: {failure.Error.Message}" + (report.Complete ? "" : " | " + string.Join("; ", report.Problems))).ConfigureAwait(false);
            throw HostError(failure, hosts.Count);
        }

        /// <summary>The release to go back to, read from the primary's ledger; every host must still hold it.</summary>
        private async Task<List<Phase>> PlanUndoAsync(List<HostRun> hosts, string? toRelease, bool restoreDatabase, CancellationToken ct)
        {
            HostRun primary = hosts[0];
            UndoPlan plan = await primary.Service.PlanUndoAsync(toRelease, restoreDatabase, ct).ConfigureAwait(false);
            await AllOrThrow(hosts.Skip(1).ToList(), "undo plan", async (h, c) => { await h.Service.PlanUndoAsync(plan.Target, false, c).ConfigureAwait(false); return 0; }, ct).ConfigureAwait(false);
            foreach (HostRun h in hosts)
            {
                string? current = h.State.Current == null ? null : System.IO.Path.GetFileName(h.State.Current);
                h.Run.Record.Release = plan.Target;
                h.Run.Plan = new DeployPlan { Release = plan.Target, CurrentRelease = current, Switch = true, Restart = true };
                h.Run.Note("decide", "ok", $"{current} -> {plan.Target}");
            }
            primary.Run.BackupPath = plan.Backup; primary.Run.Record.Backup = plan.Backup; primary.Run.Record.BackupAt = plan.BackupAt;
            return new List<Phase>
            {
                new Phase("maintenance window", Scope.All, new MaintenanceStep())
                {
                    Skip = restoreDatabase ? null : "none (the database stays: a rolling restart)",
                    AlsoUndoOn = h => h.Touched,
                },
                new Phase("restore", Scope.Primary, new RestoreStep()),
                new Phase("switch", Scope.All, new SwitchStep(r => r.Record.Release!)),
                new Phase("rolling restart", Scope.Rolling, new RestartStep(), new HealthStep()),
            };
        }

        /// <summary>Every host's ledger, read in parallel and each verified on its own chain (the expected head is the
        /// primary's); the releases every host still holds; the primary's active release.</summary>
        public async Task<(List<DeploymentRecord> records, List<string> releases, string? current)> ReadLedgerAsync(bool verify, CancellationToken ct, string? expectedHead)
        {
            List<HostRun> hosts = Hosts();
            var read = new (List<DeploymentRecord> records, List<string> releases, string? current)[hosts.Count];
            await AllOrThrow(hosts, "reading the ledger", async (h, c) =>
            {
                read[hosts.IndexOf(h)] = await h.Service.ReadLedgerAsync(verify, c, h.Primary ? expectedHead : null).ConfigureAwait(false);
                return 0;
            }, ct).ConfigureAwait(false);
            var all = new List<(DeploymentRecord r, int host)>();
            for (int i = 0; i < hosts.Count; i++)
                foreach (DeploymentRecord r in read[i].records)
                {
                    r.Host ??= hosts[i].Host.Name;
                    if (r.VerifyProblem != null) r.VerifyProblem = $"{hosts[i].Host.Name} ({hosts[i].Service.Settings.Root}), line {r.Line}: {r.VerifyProblem}";
                    all.Add((r, i));
                }
            List<DeploymentRecord> records = all.OrderBy(x => x.r.StartedAt, StringComparer.Ordinal).ThenBy(x => x.host).Select(x => x.r).ToList();
            List<string> releases = read.Skip(1).Aggregate((IEnumerable<string>)read[0].releases, (acc, x) => acc.Intersect(x.releases)).ToList();
            return (records, releases, read[0].current);
        }

        /// <summary>-BreakLock on every host that holds a lock (each host's ledger names the holder broken); hosts without one are
        /// left alone; none locked is NotLocked.</summary>
        public async Task<DeploymentRecord> BreakLockAsync(string reason, string user, CancellationToken ct)
        {
            List<HostRun> hosts = Hosts();
            var broken = new DeploymentRecord?[hosts.Count];
            await AllOrThrow(hosts, "breaking the lock", async (h, c) =>
            {
                try { broken[hosts.IndexOf(h)] = await h.Service.BreakLockAsync(reason, user, c).ConfigureAwait(false); }
                catch (DeployException ex) when (ex.ErrorId == ErrorIds.NotLocked) { /* nothing to break there */ }
                return 0;
            }, ct).ConfigureAwait(false);
            var records = broken.Select((r, i) => { if (r != null) r.Host = hosts[i].Host.Name; return r; }).Where(r => r != null).Select(r => r!).ToArray();
            if (records.Length == 0)
                throw new DeployException(ErrorIds.NotLocked, ErrorKind.ObjectNotFound, $"no host of {_environment} holds a deploy lock: nothing to break", _environment);
            records[0].HostRecords = records;
            return records[0];
        }

        // ---- the lock on every host --------------------------------------------------------------

        /// <summary>The primary's lock first (waiting up to the timeout), then every other host's in parallel: a deploy
        /// that holds the primary's lock is the only one taking the others, so two deploys never hold half each.
        /// A lock held on any host refuses the deploy (naming the host) and frees the locks already taken.</summary>
        /// <summary>
        /// Locks and reads every host. First every host at once without waiting: one round trip when no other deploy
        /// holds a lock. If one does, the locks taken are given back and the hosts are locked in order, the primary
        /// first, waiting up to the lock timeout: two deploys that wait never each hold half of the hosts.
        /// </summary>
        private async Task LockAllAsync(List<HostRun> hosts, string[] addons, TimeSpan timeout, CancellationToken ct)
        {
            try
            {
                await AllOrThrow(hosts, "lock", async (h, c) => { await LockOneAsync(h, addons, TimeSpan.Zero, c).ConfigureAwait(false); return 0; }, ct).ConfigureAwait(false);
                return;
            }
            catch (DeployException ex) when (ex.ErrorId == ErrorIds.DeploymentLocked)
            {
                await UnlockTakenAsync(hosts).ConfigureAwait(false);
            }
            catch
            {
                await UnlockTakenAsync(hosts).ConfigureAwait(false);
                throw;
            }
            try
            {
                await LockOneAsync(hosts[0], addons, timeout, ct).ConfigureAwait(false);
                await AllOrThrow(hosts.Skip(1).ToList(), "lock", async (h, c) => { await LockOneAsync(h, addons, timeout, c).ConfigureAwait(false); return 0; }, ct).ConfigureAwait(false);
            }
            catch
            {
                await UnlockTakenAsync(hosts).ConfigureAwait(false);
                throw;
            }
        }

        private Task UnlockTakenAsync(List<HostRun> hosts) => _group.RunAllAsync(async (host, _) =>
        {
            HostRun h = hosts.First(x => x.Host == host);
            if (h.Locked) await h.Run.TryRunAsync(h.Run.Scripts.Finish(null, h.Run.LockText, Array.Empty<string>(), 0)).ConfigureAwait(false);
            h.Locked = false;
            return 0;
        }, CancellationToken.None);

        private static async Task LockOneAsync(HostRun h, string[] addons, TimeSpan timeout, CancellationToken ct)
        {
            try { h.State = await h.Service.LockAsync(h.Run, addons, timeout, ct).ConfigureAwait(false); }
            catch (DeployException ex)
            {
                throw new DeployException(ex.ErrorId, ex.Kind, $"on host {h.Host.Name}: {ex.Message}", ex.Target, ex) { RecommendedAction = ex.RecommendedAction };
            }
            h.Locked = true;
        }

        /// <summary>Renews the lock's lease on every host while the client drives the deploy (the single-host target job does it there).</summary>
        private async Task RenewLocksAsync(List<HostRun> hosts, CancellationToken stop)
        {
            TimeSpan every = TimeSpan.FromSeconds(Math.Max(5, Math.Min(60, hosts[0].Run.Settings.LockLease.TotalSeconds / 3)));
            try
            {
                while (true)
                {
                    await Task.Delay(every, stop).ConfigureAwait(false);
                    await _group.RunAllAsync(async (host, c) =>
                    {
                        HostRun h = hosts.First(x => x.Host == host);
                        if (h.Locked) await h.Run.TryRunAsync(h.Run.Scripts.RenewLock(h.Run.LockText)).ConfigureAwait(false);
                        return 0;
                    }, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) { /* the deploy ended */ }
        }

        /// <summary>Runs work on every host in parallel; the first failure (by host order) is thrown, naming the host.</summary>
        private async Task AllOrThrow(List<HostRun> hosts, string what, Func<HostRun, CancellationToken, Task<int>> work, CancellationToken ct)
        {
            var results = await _group.RunAllAsync((host, c) => work(hosts.First(x => x.Host == host), c), ct, hosts.Select(h => h.Host)).ConfigureAwait(false);
            Exception? error = results.Select(r => r.Error).FirstOrDefault(e => e != null);
            if (error == null) return;
            if (error is DeployException dex && dex.Message.StartsWith("on host ", StringComparison.Ordinal)) throw dex;
            DeployHost failed = results.First(r => r.Error != null).Host;
            throw error is DeployException d
                ? new DeployException(d.ErrorId, d.Kind, $"on host {failed.Name}: {d.Message}", d.Target, d) { RecommendedAction = d.RecommendedAction }
                : new DeployException(ErrorIds.DeployHostFailed, ErrorKind.ConnectionError, $"{what} on host {failed.Name} failed: {error.Message}", failed.Name, error);
        }
    }
}
