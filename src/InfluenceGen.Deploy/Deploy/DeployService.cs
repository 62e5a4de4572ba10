using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.Deploy.Steps;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Deploy
{
    public sealed class DeployRequest
    {
        public DeployPackage Package { get; set; } = null!;
        public string? N8nBundle { get; set; }
        /// <summary>False when Odoo deploys are switched off (ENABLE_ODOO_DEPLOY=false): the package is not
        /// uploaded or installed, the active release stays; lock, gate, n8n and ledger still run.</summary>
        public bool DeployOdoo { get; set; } = true;
        /// <summary>Why Odoo / n8n are not deployed (a switched-off toggle): recorded as the skipped step.</summary>
        public string? OdooSkippedReason { get; set; }
        public string? N8nSkippedReason { get; set; }
        public string? ChangeRequestId { get; set; }
        public bool SkipApproval { get; set; }
        public string? SkipReason { get; set; }
        public TimeSpan LockTimeout { get; set; } = TimeSpan.Zero;
        public string User { get; set; } = Environment.UserName;
    }

    /// <summary>The state of the target read in one round trip.</summary>
    internal sealed class TargetState
    {
        public string? LockHolder;
        /// <summary>Why an earlier holder of the lock was provably gone (the lock was taken over), and who it was.</summary>
        public string? TakenOver;
        public string? PreviousHolder;
        public string? Current;
        public string? CurrentSha;
        public string? LedgerTail;
        public List<string> Releases = new List<string>();
        public Dictionary<string, (string state, string version)> Modules = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        public Dictionary<string, string> Checksums = new Dictionary<string, string>(StringComparer.Ordinal);
        public List<string> Languages = new List<string>();
        public string? DatabaseError;
    }

    /// <summary>
    /// The deployment of an addon package (and optionally an n8n bundle) to one environment: lock, gate,
    /// upload + verify + extract into a release folder, decide install/upgrade from the database and
    /// checksums, back up, switch current atomically, run Odoo, restart, health-check, publish, ledger,
    /// unlock, prune, notify. Any failure after the switch rolls code and database back.
    /// </summary>
    public sealed class DeployService
    {
        private readonly ITargetTransport _transport;
        private readonly DeploySettings _s;
        private readonly IChangeGate _gate;
        private readonly INotifier _notifier;
        private readonly IWorkflowPublisher _publisher;
        private readonly HttpClient _http;
        private readonly TargetScripts _scripts;
        private readonly Func<DateTimeOffset> _clock;

        public DeployService(ITargetTransport transport, DeploySettings settings, IChangeGate? gate = null, INotifier? notifier = null,
            IWorkflowPublisher? publisher = null, HttpClient? http = null, Func<DateTimeOffset>? clock = null)
        {
            _transport = transport; _s = settings;
            _gate = gate ?? new ClosedChangeGate();
            _notifier = notifier ?? new NullNotifier();
            _publisher = publisher ?? new MissingWorkflowPublisher();
            _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
            if (transport is HostGroup group)
            {
                // several Odoo servers: this service is the primary's (what runs once runs there); the deploy, the
                // undo and the ledger go through every host (MultiHostDeploy), each with its own settings
                _s = group.Primary.Spec.Apply(settings, group.Hosts.Count > 1);
                if (group.Hosts.Count > 1)
                    _hosts = new MultiHostDeploy(group, settings.Environment, h => new DeployService(h.Transport, h.Spec.Apply(settings, true), _gate, _notifier, _publisher, _http, _clock) { HealthInterval = HealthInterval, ReadsDatabase = h == group.Primary },
                        _gate, _publisher);
            }
            _scripts = new TargetScripts(_s);
        }

        /// <summary>The settings of this service's target (the primary's, with several hosts).</summary>
        internal DeploySettings Settings => _s;

        /// <summary>False for a host of several that is not the primary: its probe reads no database (the primary's decides).</summary>
        internal bool ReadsDatabase { get; set; } = true;

        /// <summary>Set when the environment has several Odoo servers.</summary>
        private readonly MultiHostDeploy? _hosts;

        /// <summary>Seconds between health probes (tests shorten it).</summary>
        public TimeSpan HealthInterval { get; set; } = TimeSpan.FromMilliseconds(500);

        // ---- probe and plan --------------------------------------------------------------------

        internal async Task<TargetState> ProbeAsync(IEnumerable<string> addons, string? lockText, int lockTimeoutSeconds, CancellationToken ct)
        {
            CommandResult r = await _transport.RunScriptAsync(_scripts.Probe(addons, lockText, lockTimeoutSeconds, ReadsDatabase), ct).ConfigureAwait(false);
            if (r.Stdout.Contains("@@ROOT_FAILED") || !r.Stdout.Contains("@@END") && !r.Stdout.Contains("@@LOCKED"))
                throw new DeployException(ErrorIds.TargetUnreadable, ErrorKind.ResourceUnavailable,
                    $"cannot read the deploy root {_s.Root} on {_transport.Description} (exit {r.ExitCode}): {Tail(r.Stderr + r.Stdout)}", _s.Root);
            var state = new TargetState();
            var sections = Sections(r.Stdout);
            if (sections.TryGetValue("LOCKED", out var holder)) { state.LockHolder = string.Join(" ", holder).Trim(); return state; }
            state.TakenOver = TargetScripts.Marker(r.Stdout, "@@TAKEN_OVER ");
            state.PreviousHolder = TargetScripts.Marker(r.Stdout, "@@PREVIOUS_HOLDER ");
            state.Current = First(sections, "CURRENT");
            state.CurrentSha = First(sections, "CURRENT_SHA");
            state.LedgerTail = First(sections, "LEDGER_TAIL");
            state.Releases = sections.TryGetValue("RELEASES", out var rel) ? rel.Where(x => x.Length > 0 && !x.StartsWith(".", StringComparison.Ordinal)).ToList() : new List<string>();
            // the psql status line ends the last section; without it (or non-zero) the database was not read
            var all = sections.Values.SelectMany(v => v).ToList();
            string? status = all.LastOrDefault(x => x.StartsWith("@@PSQL ", StringComparison.Ordinal));
            List<string> Lines(string name) => sections.TryGetValue(name, out var l) ? l.Where(x => !x.StartsWith("@@PSQL ", StringComparison.Ordinal)).ToList() : new List<string>();
            if (status != "@@PSQL 0")
                state.DatabaseError = string.Join(" ", Lines("RELEASES").Concat(Lines("MODULES")).Concat(Lines("CHECKSUMS")).Concat(Lines("LANGS"))
                    .Where(l => l.Contains("psql") || l.Contains("FATAL") || l.Contains("ERROR") || l.Contains("error"))).Trim();
            if (status != "@@PSQL 0" && string.IsNullOrEmpty(state.DatabaseError)) state.DatabaseError = "psql did not answer (" + (status ?? "no status") + ")";
            var modules = Lines("MODULES"); var checksums = Lines("CHECKSUMS"); var langs = Lines("LANGS");
            foreach (string line in modules.Where(l => l.Contains('|')))
            {
                string[] p = line.Split('|');
                state.Modules[p[0]] = (p[1], p.Length > 2 ? p[2] : string.Empty);
            }
            string json = string.Join("\n", checksums).Trim();
            if (json.Length > 0)
            {
                try
                {
                    foreach (var prop in JObject.Parse(json).Properties()) state.Checksums[prop.Name] = (string?)prop.Value ?? string.Empty;
                }
                catch (JsonException) { /* unreadable: every addon counts as changed */ }
            }
            state.Languages = langs.Where(l => l.Length > 0).ToList();
            return state;
        }

        private static Dictionary<string, List<string>> Sections(string stdout)
        {
            var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            List<string>? current = null;
            foreach (string raw in stdout.Replace("\r\n", "\n").Split('\n'))
            {
                string line = raw.TrimEnd();
                if (line.StartsWith("@@", StringComparison.Ordinal) && !line.StartsWith("@@PSQL ", StringComparison.Ordinal) && line.Length > 2 && line.Skip(2).All(c => char.IsUpper(c) || c == '_'))
                {
                    current = new List<string>();
                    result[line.Substring(2)] = current;
                    continue;
                }
                current?.Add(line);
            }
            return result;
        }

        private static string? First(Dictionary<string, List<string>> s, string name)
            => s.TryGetValue(name, out var l) ? l.FirstOrDefault(x => x.Length > 0) : null;

        internal DeployPlan Decide(DeployRequest request, TargetState state, IReadOnlyList<string> workflows)
        {
            if (!request.DeployOdoo) return OdooSwitchedOff(request, state, workflows);
            if (state.DatabaseError != null)
                throw new DeployException(ErrorIds.DatabaseUnreachable, ErrorKind.ResourceUnavailable,
                    $"cannot read the state of database '{_s.Database}' on {_transport.Description}: {Tail(state.DatabaseError)}", _s.Database);
            DeployPackage pkg = request.Package;
            IReadOnlyDictionary<string, string> checksums = pkg.ChecksumsFor(state.Languages);
            var install = new List<string>(); var upgrade = new List<string>(); var unchanged = new List<string>();
            foreach (PackagedAddon addon in pkg.Addons)
            {
                if (!state.Modules.TryGetValue(addon.Name, out var m) || m.state == "uninstalled" || m.state == "uninstallable" || m.state == "to install")
                    install.Add(addon.Name);
                else if (!state.Checksums.TryGetValue(addon.Name, out string? stored) || stored != checksums[addon.Name] || !SameVersion(m.version, addon.Version) || m.state != "installed")
                    upgrade.Add(addon.Name);
                else
                    unchanged.Add(addon.Name);
            }
            // as Odoo does: -u a also upgrades the installed modules that depend on a (directly or not)
            var dependents = new List<string>();
            for (bool more = true; more;)
            {
                more = false;
                foreach (PackagedAddon addon in pkg.Addons.Where(a => unchanged.Contains(a.Name) && a.Depends.Any(d => upgrade.Contains(d) || dependents.Contains(d))).ToList())
                {
                    unchanged.Remove(addon.Name); dependents.Add(addon.Name); more = true;
                }
            }
            upgrade.AddRange(dependents);
            bool sameAsCurrent = state.Current != null && string.Equals(state.CurrentSha, pkg.Sha256, StringComparison.OrdinalIgnoreCase);
            string release = sameAsCurrent ? Path.GetFileName(state.Current!) : NewReleaseId(pkg.Sha256);
            bool odoo = install.Count + upgrade.Count > 0;
            var merged = new SortedDictionary<string, string>(state.Checksums, StringComparer.Ordinal);
            foreach (string name in install.Concat(upgrade)) merged[name] = checksums[name];
            var plan = new DeployPlan
            {
                Environment = _s.Environment,
                Target = _transport.Description,
                Root = _s.Root,
                Database = _s.Database,
                Release = release,
                CurrentRelease = state.Current == null ? null : Path.GetFileName(state.Current),
                PackageSha256 = pkg.Sha256,
                Upload = !sameAsCurrent,
                Switch = !sameAsCurrent,
                Install = install.ToArray(),
                Upgrade = upgrade.ToArray(),
                Unchanged = unchanged.ToArray(),
                Backup = odoo && _s.BackupBeforeUpgrade,
                Restart = odoo || !sameAsCurrent,
                GateRequired = _s.RequireChangeApproval,
                Workflows = workflows.ToArray(),
                ChecksumsJson = odoo ? JsonConvert.SerializeObject(merged) : null,
                ActiveLanguages = state.Languages,
                LedgerTail = state.LedgerTail,
                Releases = state.Releases.ToArray(),
            };
            if (plan.Restart) _ = _s.Stop; // a missing StopCommand is refused here, before anything changes
            var run = new DeployRun(_s, _transport, NullDeployLog.Instance, new DeploymentRecord(), string.Empty) { Plan = plan, Request = request };
            var lines = new List<string> { $"lock {_s.Root}/.lock" };
            foreach (DeployStep step in DeploySteps())
            {
                if (step is UploadStep)
                {
                    lines.Add(step.Describe(run));
                    lines.Add($"install: {List(install)}");
                    lines.Add($"upgrade: {List(upgrade)}");
                    lines.Add($"leave alone: {List(unchanged)}");
                }
                else if (!(step is ComputeStep)) lines.Add(step.Describe(run));
            }
            if (dependents.Count > 0) lines.Insert(lines.FindIndex(l => l.StartsWith("upgrade: ", StringComparison.Ordinal)) + 1, $"  (of which upgraded by Odoo because they depend on an upgraded module: {List(dependents)})");
            lines.Add($"ledger: append to {_s.Root}/{DeploymentLedger.FileName}; unlock; prune releases (keep {_s.KeepReleases}) and their backups (keep {_s.KeepBackups})");
            plan.Steps = lines.ToArray();
            return plan;
        }

        private static string List(IEnumerable<string> items) => DeployRun.List(items);

        /// <summary>The plan when Odoo deploys are switched off: the active release stays, nothing is uploaded,
        /// installed or restarted (each of those steps skips itself); only the gate, n8n and the ledger remain.</summary>
        private DeployPlan OdooSwitchedOff(DeployRequest request, TargetState state, IReadOnlyList<string> workflows)
        {
            string? current = state.Current == null ? null : Path.GetFileName(state.Current);
            var plan = new DeployPlan
            {
                Environment = _s.Environment, Target = _transport.Description, Root = _s.Root, Database = _s.Database,
                Release = current ?? string.Empty, CurrentRelease = current, PackageSha256 = request.Package.Sha256,
                GateRequired = _s.RequireChangeApproval, Workflows = workflows.ToArray(),
                ActiveLanguages = state.Languages, LedgerTail = state.LedgerTail, Releases = state.Releases.ToArray(),
            };
            plan.Steps = new[]
            {
                $"lock {_s.Root}/.lock",
                plan.GateRequired ? (request.SkipApproval ? $"gate: SKIPPED ({request.SkipReason})" : $"gate: change request {request.ChangeRequestId ?? "(none given)"} must be approved") : "gate: not required",
                $"odoo: switched off ({request.OdooSkippedReason ?? "Odoo deploy switched off"}): {Path.GetFileName(request.Package.Path)} is not deployed, release {current ?? "(none)"} stays active",
                workflows.Count > 0 ? $"n8n: publish {List(workflows)}" : "n8n: none",
                $"ledger: append to {_s.Root}/{DeploymentLedger.FileName}; unlock",
            };
            return plan;
        }

        internal static bool SameVersion(string installed, string packaged)
            => installed == packaged || installed.EndsWith("." + packaged, StringComparison.Ordinal) || packaged.EndsWith("." + installed, StringComparison.Ordinal) && installed.Length > 0;

        private string NewReleaseId(string sha) => _clock().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + sha.Substring(0, 8);

        /// <summary>Production is never deployed without a health check (fail closed, before anything changes).</summary>
        private void RequireHealthUrl()
        {
            if (_s.IsProduction && string.IsNullOrWhiteSpace(_s.HealthUrl))
                throw new DeployException(ErrorIds.HealthUrlMissing, ErrorKind.InvalidArgument,
                    $"{_s.Environment} has no HealthUrl (nor OdooUrl): a production deploy must prove Odoo healthy before it ends, so nothing was done; set PROD_ODOO_HEALTH_URL (the base URL or its /web/health)", "HealthUrl");
        }

        public async Task<DeployPlan> PlanAsync(DeployRequest request, IDeployLog log, CancellationToken ct)
        {
            RequireHealthUrl();
            if (_hosts != null) return await _hosts.PlanAsync(request, log, ct).ConfigureAwait(false);
            TargetState state = await ProbeAsync(request.Package.Addons.Select(a => a.Name), null, 0, ct).ConfigureAwait(false);
            IReadOnlyList<string> workflows = request.N8nBundle == null ? Array.Empty<string>() : await _publisher.PlanAsync(request.N8nBundle, log, ct).ConfigureAwait(false);
            return Decide(request, state, workflows);
        }

        // ---- deploy ----------------------------------------------------------------------------

        /// <summary>The deploy, step by step, in order (the plan is their descriptions; a failure undoes the completed ones in reverse).</summary>
        private IReadOnlyList<DeployStep> DeploySteps() => new DeployStep[]
        {
            new GateStep(_gate),
            new ComputeStep("decide", _ => "decide", DecideAsync),
            new UploadStep(),
            new MaintenanceStep(),
            new BackupStep(),
            new SwitchStep(r => r.Plan.Release),
            new OdooStep(),
            new RestartStep(),
            new HealthStep(),
            new N8nStep(_publisher),
        };

        private TargetState? _state;

        private async Task<string?> DecideAsync(DeployRun run, CancellationToken ct)
        {
            IReadOnlyList<string> workflows = run.Request!.N8nBundle == null ? Array.Empty<string>() : await _publisher.PlanAsync(run.Request.N8nBundle, run.Log, ct).ConfigureAwait(false);
            DeployPlan plan = Decide(run.Request, _state!, workflows);
            run.Plan = plan;
            run.Record.Release = plan.Release.Length == 0 ? null : plan.Release;
            run.Record.Installed = plan.Install; run.Record.Upgraded = plan.Upgrade; run.Record.Unchanged = plan.Unchanged;
            foreach (string planLine in plan.Steps) run.Log.Verbose("plan: " + planLine);
            return $"install {plan.Install.Length}, upgrade {plan.Upgrade.Length}, unchanged {plan.Unchanged.Length}";
        }

        /// <summary>The lock's one line: who holds it, since when, its lease, and the id of the run (its target job is jobs/&lt;id&gt;).</summary>
        private string LockText(string user, string id) => $"holder={user}@{System.Net.Dns.GetHostName()} pid={Process.GetCurrentProcess().Id} since={_clock().UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} lease={(long)_s.LockLease.TotalSeconds}s id={id}";

        internal DeployRun NewRun(string kind, string user, IDeployLog log, DeployRequest? request)
        {
            var record = new DeploymentRecord { Id = Guid.NewGuid().ToString("N").Substring(0, 12), Kind = kind, Environment = _s.Environment, User = user, StartedAt = Now() };
            if (request != null)
            {
                record.PackageSha256 = request.Package.Sha256; record.PackageName = Path.GetFileName(request.Package.Path); record.ChangeRequest = request.ChangeRequestId;
            }
            return new DeployRun(_s, _transport, log, record, LockText(user, record.Id)) { Request = request, Health = HealthAsync, HealthInterval = HealthInterval };
        }

        /// <summary>Takes the lock and reads the target in one round trip; fails naming the holder.</summary>
        internal async Task<TargetState> LockAsync(DeployRun run, IEnumerable<string> addons, TimeSpan timeout, CancellationToken ct)
        {
            TargetState state = await ProbeAsync(addons, run.LockText, (int)timeout.TotalSeconds, ct).ConfigureAwait(false);
            if (state.LockHolder != null)
                throw new DeployException(ErrorIds.DeploymentLocked, ErrorKind.ResourceBusy,
                    $"another deployment to {_s.Environment} holds {_s.Root}/.lock ({state.LockHolder}); wait for it, or pass -LockTimeout", _s.Root)
                { RecommendedAction = $"A lock whose target job ended or whose lease ({_s.LockLease.TotalSeconds:0} s) expired is taken over by the next deploy. If you are sure no deployment runs: Deploy-InfluenceGen -Environment {_s.Environment} -BreakLock -Reason '<why>'" };
            if (state.TakenOver != null)
            {
                // the earlier holder is provably gone: say so in the ledger before anything else happens
                var taken = new DeploymentRecord
                {
                    Id = Guid.NewGuid().ToString("N").Substring(0, 12), Kind = "lock", Environment = _s.Environment, Status = "TakenOver", User = run.Record.User,
                    StartedAt = Now(), FinishedAt = Now(), ActiveRelease = state.Current == null ? null : Path.GetFileName(state.Current),
                    Reason = $"lock of {state.PreviousHolder} taken over by {run.LockText}: {state.TakenOver}",
                };
                string line = DeploymentLedger.ToLine(taken, state.LedgerTail, _s.LedgerKey);
                CommandResult appended = await _transport.RunScriptAsync(_scripts.AppendLedger(line), ct).ConfigureAwait(false);
                if (!appended.Succeeded) run.Log.Warning("could not write the lock takeover to the ledger: " + Tail(appended.Stdout + appended.Stderr));
                else state.LedgerTail = line;
                run.Log.Warning($"took over the deploy lock of {_s.Environment}: {taken.Reason}");
            }
            run.Note("lock", "ok", run.LockText);
            run.Record.PreviousRelease = state.Current == null ? null : Path.GetFileName(state.Current);
            run.Record.ActiveRelease = run.Record.PreviousRelease;
            return state;
        }

        public async Task<DeploymentRecord> DeployAsync(DeployRequest request, IDeployLog log, CancellationToken ct)
        {
            RequireHealthUrl();
            if (_hosts != null) return await _hosts.DeployAsync(request, log, ct).ConfigureAwait(false);
            DeployRun run = NewRun("deploy", request.User, log, request);
            string activity = $"Deploying to {_s.Environment}";
            log.Progress(activity, "lock and read the target", 0);
            _state = await LockAsync(run, request.Package.Addons.Select(a => a.Name), request.LockTimeout, ct).ConfigureAwait(false);
            IReadOnlyList<DeployStep> all = DeploySteps();
            // from the client: gate, decide, upload (nothing users see changes); from the maintenance window on: the target job
            var client = all.TakeWhile(st => !(st is MaintenanceStep)).ToList();
            var onTarget = all.SkipWhile(st => !(st is MaintenanceStep)).Where(st => !(st is N8nStep)).ToList();
            N8nStep n8n = all.OfType<N8nStep>().Single();
            StepOutcome outcome = await StepRunner.RunAsync(client, run, activity, ct).ConfigureAwait(false);
            if (outcome.FailedStep != null) await FailAsync(run, outcome, _state.LedgerTail).ConfigureAwait(false);

            if (run.Plan.Restart)
                return await DeployOnTargetAsync(run, client.Where(st => st.SkipReason(run) == null).ToList(), onTarget, activity, ct).ConfigureAwait(false);

            // nothing on the target changes (no window, no restart): at most the n8n bundle, from here
            outcome = await StepRunner.RunAsync(onTarget.Concat(new DeployStep[] { n8n }).ToList(), run, activity, ct).ConfigureAwait(false);
            if (outcome.FailedStep != null) await FailAsync(run, outcome, _state.LedgerTail).ConfigureAwait(false);

            log.Progress(activity, "ledger, unlock, prune", 90);
            run.Record.Status = run.Plan.NothingToDo ? "Unchanged" : "Succeeded";
            run.Note("ledger", "ok", null);
            run.Record.FinishedAt = Now();
            string line = DeploymentLedger.ToLine(run.Record, _state.LedgerTail, _s.LedgerKey);
            var keep = new[] { run.Plan.Release, run.Record.PreviousRelease }.Where(r => !string.IsNullOrEmpty(r)).Select(r => r!);
            CommandResult fin = await Try(() => _transport.RunScriptAsync(_scripts.Finish(line, run.LockText, keep, _s.KeepReleases, _s.KeepBackups), CancellationToken.None)).ConfigureAwait(false);
            if (!fin.Succeeded) log.Warning($"writing the ledger on {_transport.Description} failed (exit {fin.ExitCode}): {Tail(fin.Stdout + fin.Stderr)}");
            foreach (string pruned in fin.Stdout.Split('\n').Where(l => l.StartsWith("@@PRUNED ", StringComparison.Ordinal))) log.Verbose("pruned release " + pruned.Substring(9).Trim());
            await SucceededAsync(run, ct).ConfigureAwait(false);
            log.Progress(activity, "done", 100);
            return run.Record;
        }

        /// <summary>
        /// The maintenance window, backup, switch, Odoo, restart and health (and any rollback) as one detached job on
        /// the target (<see cref="TargetJob"/>): it ends deployed or rolled back whatever happens to this client, writes
        /// the ledger and frees the lock. With an n8n bundle the job waits, healthy, for the publish from here.
        /// </summary>
        private async Task<DeploymentRecord> DeployOnTargetAsync(DeployRun run, IReadOnlyList<DeployStep> doneBefore, IReadOnlyList<DeployStep> onTarget, string activity, CancellationToken ct)
        {
            IDeployLog log = run.Log;
            DeployRequest request = run.Request!;
            var job = new TargetJob(run);
            var options = new TargetJob.Options
            {
                LedgerTail = _state!.LedgerTail, LedgerKey = _s.LedgerKey, Hold = request.N8nBundle != null,
                Keep = new[] { run.Plan.Release, run.Record.PreviousRelease }.Where(r => r != null).Select(r => r!).ToArray(),
            };
            Func<CancellationToken, Task<(bool, string, string[])>>? publish = request.N8nBundle == null ? null : async c =>
            {
                try
                {
                    IReadOnlyList<string> published = await _publisher.PublishAsync(request.N8nBundle, log, c).ConfigureAwait(false);
                    return (true, List(published), published.ToArray());
                }
                catch (Exception ex) { return (false, "publishing the n8n workflows failed: " + ex.Message, Array.Empty<string>()); }
            };
            JobOutcome jo = await job.RunAsync(onTarget, doneBefore, options, publish, activity, ct).ConfigureAwait(false);
            if (!jo.Finished)
                throw new DeployException(jo.Cancelled ? ErrorIds.DeployCancelled : ErrorIds.TargetJobUnreachable, jo.Cancelled ? ErrorKind.OperationStopped : ErrorKind.ConnectionError,
                    $"deploy to {_s.Environment} stopped following its target job: {jo.Why}", job.Dir)
                { RecommendedAction = $"The outcome (deployed or rolled back) will be in the ledger: Get-InfluenceGenDeployment -Environment {_s.Environment} -Last 1" };
            DeploymentRecord entry = jo.Entry ?? throw new DeployException(ErrorIds.TargetJobUnreadable, ErrorKind.InvalidResult,
                $"the target job {job.Id} ended without a ledger line: check {job.Dir}/progress.log", job.Dir);
            Adopt(run.Record, entry);
            if (entry.Status == "Succeeded")
            {
                if (jo.Cancelled) log.Warning($"the cancel came after the target job had deployed {entry.Release}: {_s.Environment} is deployed (the ledger says Succeeded)");
                await SucceededAsync(run, CancellationToken.None).ConfigureAwait(false);
                log.Progress(activity, "done", 100);
                return run.Record;
            }
            string step = jo.FailedStep ?? entry.FailedStep ?? "(unknown)";
            DeployException error = jo.Error ?? new DeployException(ErrorIds.DeployStepFailed, ErrorKind.NotSpecified, entry.Error ?? "failed", step);
            await ReportFailureAsync(run, step, error, jo.Rollback, entry.Status != "Failed").ConfigureAwait(false);
            return run.Record; // not reached: ReportFailureAsync throws
        }

        /// <summary>The client's copy of the record takes what the target job wrote to the ledger.</summary>
        private static void Adopt(DeploymentRecord mine, DeploymentRecord written)
        {
            mine.Status = written.Status; mine.ActiveRelease = written.ActiveRelease; mine.Backup = written.Backup; mine.BackupAt = written.BackupAt;
            mine.DatabaseRestored = written.DatabaseRestored; mine.FailedStep = written.FailedStep; mine.Error = written.Error; mine.Workflows = written.Workflows;
            mine.FinishedAt = written.FinishedAt; mine.Steps = written.Steps; mine.PreviousHash = written.PreviousHash; mine.Hash = written.Hash; mine.HashKind = written.HashKind;
        }

        /// <summary>After a success: the notice and the change request (after the lock is free; failures only warn).</summary>
        internal async Task SucceededAsync(DeployRun run, CancellationToken ct)
        {
            IDeployLog log = run.Log;
            DeployRequest request = run.Request!;
            await SafeAsync(log, "notify", () => _notifier.SendAsync(new DeployNotice
            {
                Level = NoticeLevel.Info, Environment = _s.Environment, Release = run.Record.Release,
                Title = $"Deployed {run.Record.Release} to {_s.Environment}",
                Text = $"installed: {List(run.Record.Installed)}; upgraded: {List(run.Record.Upgraded)}; unchanged: {run.Record.Unchanged.Length}",
            }, log, ct)).ConfigureAwait(false);
            if (_s.IsProduction && !request.SkipApproval && request.ChangeRequestId != null)
                await SafeAsync(log, "complete change request", () => _gate.CompleteAsync(request.ChangeRequestId, _s.Environment, run.Record, log, ct)).ConfigureAwait(false);
        }

        private static async Task SafeAsync(IDeployLog log, string what, Func<Task> action)
        {
            try { await action().ConfigureAwait(false); }
            catch (Exception ex) when (!(ex is OperationCanceledException)) { log.Warning($"{what} failed: {ex.Message}"); }
        }

        /// <summary>After a failed run (its completed steps already undone): the truth to the ledger, the lock
        /// freed, the critical notice, and the error naming the step and what is left to do.</summary>
        private async Task FailAsync(DeployRun run, StepOutcome outcome, string? ledgerTail)
        {
            CancellationToken none = CancellationToken.None; // cleanup runs even after Ctrl+C
            DeployException error = outcome.Error!;
            string step = outcome.FailedStep!;
            RollbackReport rb = outcome.Rollback!;
            DeploymentRecord rec = run.Record;
            rec.FailedStep = step;
            rec.Error = error.Message;
            if (outcome.Activated)
            {
                rec.Status = rb.Complete ? "RolledBack" : "RollbackIncomplete";
                run.Note("rollback", rb.Complete ? "ok" : "failed", rb.Complete
                    ? $"active: {rec.ActiveRelease ?? "(none)"}, database restored: {rec.DatabaseRestored}"
                    : string.Join("; ", rb.Problems.Concat(rb.ToDo.Select(t => "to do: " + t))));
                if (!rb.Complete) rec.Error += " | ROLLBACK INCOMPLETE: " + string.Join("; ", rb.Problems);
            }
            else rec.Status = "Failed";
            rec.FinishedAt = Now();
            string line = DeploymentLedger.ToLine(rec, ledgerTail, _s.LedgerKey);
            CommandResult fin = await Try(() => _transport.RunScriptAsync(_scripts.Finish(line, run.LockText, Array.Empty<string>(), 0), none)).ConfigureAwait(false);
            if (!fin.Succeeded) run.Log.Warning($"could not write the ledger / free the lock on {_transport.Description}: {Tail(fin.Stdout + fin.Stderr)}");
            await ReportFailureAsync(run, step, error, rb, outcome.Activated).ConfigureAwait(false);
        }

        /// <summary>The critical notice and the error naming the step and what is left to do (always throws).</summary>
        internal async Task ReportFailureAsync(DeployRun run, string step, DeployException error, RollbackReport rb, bool activated)
        {
            CancellationToken none = CancellationToken.None;
            DeploymentRecord rec = run.Record;
            string title = !activated ? $"Deploy to {_s.Environment} FAILED at '{step}' (nothing was changed)"
                : rb.Complete ? $"Deploy of {rec.Release} to {_s.Environment} FAILED at '{step}' and was rolled back"
                : $"Deploy of {rec.Release} to {_s.Environment} FAILED at '{step}' and the ROLLBACK IS INCOMPLETE: act now";
            await SafeAsync(run.Log, "critical notice", () => _notifier.SendAsync(new DeployNotice
            {
                Level = NoticeLevel.Critical, Environment = _s.Environment, Release = rec.Release, Title = title,
                Text = error.Message + (rb.Complete ? "" : " | rollback problems: " + string.Join("; ", rb.Problems) + (rb.ToDo.Count > 0 ? " | to do: " + string.Join("; ", rb.ToDo) : "")),
            }, run.Log, none)).ConfigureAwait(false);

            if (activated && !rb.Complete)
                throw new DeployException(ErrorIds.RollbackIncomplete, ErrorKind.InvalidResult,
                    $"deploy to {_s.Environment} failed at step '{step}' ({error.ErrorId}: {error.Message}) and the ROLLBACK IS INCOMPLETE: {string.Join("; ", rb.Problems)}"
                    + (rb.ToDo.Count > 0 ? ". Left to do: " + string.Join("; ", rb.ToDo) : ""), _s.Environment, error)
                { RecommendedAction = rb.ToDo.Count > 0 ? "Run: " + string.Join("; ", rb.ToDo) : "Check the target: " + string.Join("; ", rb.Problems) };
            string suffix = activated ? $"; rolled back to {rec.ActiveRelease ?? "(no release)"}" + (rec.DatabaseRestored ? ", database restored" : "") : "; nothing was changed";
            throw new DeployException(error.ErrorId, error.Kind, $"deploy to {_s.Environment} failed at step '{step}': {error.Message}{suffix}", error.Target, error.InnerException ?? error)
            { RecommendedAction = error.RecommendedAction };
        }

        private static async Task<CommandResult> Try(Func<Task<CommandResult>> action)
        {
            try { return await action().ConfigureAwait(false); }
            catch (Exception ex) { return new CommandResult(255, string.Empty, ex.Message); }
        }

        private async Task<string?> HealthAsync(IDeployLog log, CancellationToken ct)
        {
            if (_s.HealthUrl == null) { log.Warning($"no HealthUrl for {_s.Environment}: health not checked"); return null; }
            var check = new HealthCheck(_http, async c => (await Try(() => _transport.RunScriptAsync(_scripts.DatabasePing(), c)).ConfigureAwait(false)).Succeeded) { Interval = HealthInterval };
            return await check.WaitHealthyAsync(_s.HealthUrl, _s.HealthTimeout, log, ct).ConfigureAwait(false);
        }

        internal static string Tail(string text) => DeployRun.Tail(text);

        internal string Now() => _clock().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

        // ---- ledger, undo, backup, restore -----------------------------------------------------

        public async Task<(List<DeploymentRecord> records, List<string> releases, string? current)> ReadLedgerAsync(bool verify, CancellationToken ct, string? expectedHead = null)
        {
            if (_hosts != null) return await _hosts.ReadLedgerAsync(verify, ct, expectedHead).ConfigureAwait(false);
            CommandResult r = await _transport.RunScriptAsync(_scripts.ReadLedger(), ct).ConfigureAwait(false);
            string text = r.Stdout;
            int cut = text.IndexOf("@@RELEASES\n", StringComparison.Ordinal);
            string ledger = cut >= 0 ? text.Substring(0, cut) : text;
            var sections = Sections(cut >= 0 ? text.Substring(cut) : string.Empty);
            var releases = sections.TryGetValue("RELEASES", out var rel) ? rel.Where(x => x.Length > 0 && !x.StartsWith(".", StringComparison.Ordinal)).ToList() : new List<string>();
            string? current = First(sections, "CURRENT");
            return (DeploymentLedger.Parse(ledger, verify, _s.LedgerKey, expectedHead), releases, current == null ? null : Path.GetFileName(current));
        }

        /// <summary>What an undo would do: the release to go back to and, with the database, the backup and its time
        /// (everything written since is lost). Read from the ledger, in one round trip.</summary>
        public async Task<UndoPlan> PlanUndoAsync(string? toRelease, bool restoreDatabase, CancellationToken ct)
        {
            var (records, releases, current) = await ReadLedgerAsync(false, ct).ConfigureAwait(false);
            string? target = toRelease;
            if (target == null)
            {
                // the release that was active before the current one became active
                DeploymentRecord? activation = records.LastOrDefault(r => r.ActiveRelease == current && r.Release == current && r.Status == "Succeeded" && r.Kind == "deploy");
                target = activation?.PreviousRelease
                         ?? records.Where(r => (r.Status == "Succeeded" || r.Status == "Unchanged") && r.Release != current && r.Release != null).Select(r => r.Release).LastOrDefault();
            }
            if (target == null) throw new DeployException(ErrorIds.NoReleaseToUndo, ErrorKind.ObjectNotFound, $"no earlier release of {_s.Environment} to go back to", _s.Root);
            if (!releases.Contains(target)) throw new DeployException(ErrorIds.ReleaseNotFound, ErrorKind.ObjectNotFound,
                $"release '{target}' is not on the target (kept: {List(releases)})", target);
            var plan = new UndoPlan { Environment = _s.Environment, Current = current, Target = target };
            if (restoreDatabase)
            {
                plan.Backup = _s.Root + "/" + _scripts.BackupPath(current ?? target);
                DeploymentRecord? taken = records.LastOrDefault(r => r.Backup == plan.Backup);
                plan.BackupAt = taken?.BackupAt ?? taken?.StartedAt;
            }
            return plan;
        }

        /// <summary>Puts an earlier release back (and the backup taken before the current one, with -RestoreDatabase),
        /// with the deploy's own steps: maintenance window, restore, switch, restart, health.</summary>
        public async Task<DeploymentRecord> UndoAsync(string? toRelease, bool restoreDatabase, string user, TimeSpan lockTimeout, IDeployLog log, CancellationToken ct)
        {
            if (_hosts != null) return await _hosts.UndoAsync(toRelease, restoreDatabase, user, lockTimeout, log, ct).ConfigureAwait(false);
            DeployRun run = NewRun("undo", user, log, null);
            TargetState state = await LockAsync(run, Array.Empty<string>(), lockTimeout, ct).ConfigureAwait(false);
            var steps = new DeployStep[]
            {
                new ComputeStep("decide", _ => "decide", async (r, c) =>
                {
                    UndoPlan plan = await PlanUndoAsync(toRelease, restoreDatabase, c).ConfigureAwait(false);
                    r.Record.Release = plan.Target;
                    r.BackupPath = plan.Backup; r.Record.Backup = plan.Backup; r.Record.BackupAt = plan.BackupAt;
                    r.Plan = new DeployPlan { Release = plan.Target, CurrentRelease = plan.Current, Switch = true, Restart = true };
                    return $"{plan.Current} -> {plan.Target}";
                }),
                new MaintenanceStep(),
                new RestoreStep(),
                new SwitchStep(r => r.Record.Release!),
                new RestartStep(),
                new HealthStep(),
            };
            StepOutcome outcome = await StepRunner.RunAsync(steps, run, $"Rolling back {_s.Environment}", ct).ConfigureAwait(false);
            if (outcome.FailedStep != null)
            {
                RollbackReport rb = outcome.Rollback!;
                run.Record.Status = outcome.Activated && !rb.Complete ? "RollbackIncomplete" : "Failed";
                run.Record.FailedStep = outcome.FailedStep; run.Record.Error = outcome.Error!.Message + (rb.Complete ? "" : " | " + string.Join("; ", rb.Problems));
                await FinishAsync(run, state).ConfigureAwait(false);
                throw outcome.Error!;
            }
            run.Record.Status = "Succeeded";
            await FinishAsync(run, state).ConfigureAwait(false);
            return run.Record;
        }

        /// <summary>
        /// -BreakLock: removes a lock whose holder is not provably gone (a crashed runner inside its lease), with a
        /// ledger line naming the holder and the reason. A lock held by a target job that still runs is refused.
        /// </summary>
        public async Task<DeploymentRecord> BreakLockAsync(string reason, string user, CancellationToken ct)
        {
            if (_hosts != null) return await _hosts.BreakLockAsync(reason, user, ct).ConfigureAwait(false);
            CommandResult r = await _transport.RunScriptAsync(_scripts.ReadLock(), ct).ConfigureAwait(false);
            if (r.Stdout.Contains("@@NO_LOCK"))
                throw new DeployException(ErrorIds.NotLocked, ErrorKind.ObjectNotFound, $"{_s.Root}/.lock of {_s.Environment} does not exist: nothing to break", _s.Root);
            string holder = TargetScripts.Marker(r.Stdout, "@@HOLDER ") ?? string.Empty;
            if (TargetScripts.Marker(r.Stdout, "@@JOB_ALIVE ") is string pid)
                throw new DeployException(ErrorIds.LockHeldByRunningJob, ErrorKind.ResourceBusy,
                    $"the lock of {_s.Environment} is held by a deploy job still running on the target (pid {pid}; {holder}): it ends deployed or rolled back and frees the lock itself", _s.Root);
            var sections = Sections(r.Stdout);
            var rec = new DeploymentRecord
            {
                Id = Guid.NewGuid().ToString("N").Substring(0, 12), Kind = "lock", Environment = _s.Environment, Status = "LockBroken", User = user,
                StartedAt = Now(), FinishedAt = Now(), Reason = $"lock of {holder} broken by {user}: {reason}",
            };
            string line = DeploymentLedger.ToLine(rec, First(sections, "LEDGER_TAIL"), _s.LedgerKey);
            CommandResult b = await _transport.RunScriptAsync(_scripts.BreakLock(holder, line), CancellationToken.None).ConfigureAwait(false);
            if (!b.Stdout.Contains("@@BROKEN"))
                throw new DeployException(b.Stdout.Contains("@@LOCK_CHANGED") ? ErrorIds.LockChanged : ErrorIds.BreakLockFailed, ErrorKind.ResourceBusy,
                    $"the lock of {_s.Environment} was not broken: {(b.Stdout.Contains("@@LOCK_CHANGED") ? "it changed meanwhile (another deploy took it)" : Tail(b.Stdout + b.Stderr))}", _s.Root);
            return rec;
        }

        private async Task FinishAsync(DeployRun run, TargetState state)
        {
            run.Record.FinishedAt = Now();
            string line = DeploymentLedger.ToLine(run.Record, state.LedgerTail, _s.LedgerKey);
            CommandResult fin = await Try(() => _transport.RunScriptAsync(_scripts.Finish(line, run.LockText, Array.Empty<string>(), 0), CancellationToken.None)).ConfigureAwait(false);
            if (!fin.Succeeded) run.Log.Warning("could not write the ledger / free the lock: " + Tail(fin.Stdout + fin.Stderr));
        }

        /// <summary>pg_dump -Fc of the environment's database (and filestore) into &lt;root&gt;/backups; returns the path.</summary>
        public async Task<string> BackupAsync(string label, CancellationToken ct)
        {
            CommandResult b = await _transport.RunScriptAsync(_scripts.Backup(label), ct).ConfigureAwait(false);
            if (!b.Succeeded) throw new DeployException(ErrorIds.BackupFailed, ErrorKind.WriteError, $"pg_dump of {_s.Database} on {_transport.Description} failed (exit {b.ExitCode}): {Tail(b.Stdout + b.Stderr)}", _s.Database);
            return _s.Root + "/" + _scripts.BackupPath(label);
        }

        public async Task RestoreAsync(string dumpPath, CancellationToken ct)
        {
            var run = new DeployRun(_s, _transport, NullDeployLog.Instance, new DeploymentRecord(), string.Empty);
            RestoreResult r = await DatabaseRestore.RunAsync(run, dumpPath, ct).ConfigureAwait(false);
            if (!r.Ok) throw new DeployException(ErrorIds.RestoreFailed, ErrorKind.InvalidResult, $"restoring {dumpPath} into {_s.Database} failed, the database was left as it was: {r.Problem}", dumpPath);
        }
    }
}
