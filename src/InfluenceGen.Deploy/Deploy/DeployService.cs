using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
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
        private readonly IDeployGate _gate;
        private readonly IDeployNotifier _notifier;
        private readonly IWorkflowPublisher _publisher;
        private readonly HttpClient _http;
        private readonly TargetScripts _scripts;
        private readonly Func<DateTimeOffset> _clock;

        public DeployService(ITargetTransport transport, DeploySettings settings, IDeployGate? gate = null, IDeployNotifier? notifier = null,
            IWorkflowPublisher? publisher = null, HttpClient? http = null, Func<DateTimeOffset>? clock = null)
        {
            _transport = transport; _s = settings;
            _gate = gate ?? new DenyingGate();
            _notifier = notifier ?? new NullNotifier();
            _publisher = publisher ?? new MissingWorkflowPublisher();
            _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
            _scripts = new TargetScripts(settings);
        }

        /// <summary>Seconds between health probes (tests shorten it).</summary>
        public TimeSpan HealthInterval { get; set; } = TimeSpan.FromMilliseconds(500);

        // ---- probe and plan --------------------------------------------------------------------

        internal async Task<TargetState> ProbeAsync(IEnumerable<string> addons, string? lockText, int lockTimeoutSeconds, CancellationToken ct)
        {
            CommandResult r = await _transport.RunScriptAsync(_scripts.Probe(addons, lockText, lockTimeoutSeconds), ct).ConfigureAwait(false);
            if (r.Stdout.Contains("@@ROOT_FAILED") || !r.Stdout.Contains("@@END") && !r.Stdout.Contains("@@LOCKED"))
                throw new DeployException("TargetUnreadable", ErrorCategory.ResourceUnavailable,
                    $"cannot read the deploy root {_s.Root} on {_transport.Description} (exit {r.ExitCode}): {Tail(r.Stderr + r.Stdout)}", _s.Root);
            var state = new TargetState();
            var sections = Sections(r.Stdout);
            if (sections.TryGetValue("LOCKED", out var holder)) { state.LockHolder = string.Join(" ", holder).Trim(); return state; }
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
                throw new DeployException("DatabaseUnreachable", ErrorCategory.ResourceUnavailable,
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
            var steps = new List<string> { $"lock {_s.Root}/.lock" };
            steps.Add(plan.GateRequired ? (request.SkipApproval ? $"gate: SKIPPED ({request.SkipReason})" : $"gate: change request {request.ChangeRequestId ?? "(none given)"} must be approved") : "gate: not required");
            steps.Add(plan.Upload ? $"upload {Path.GetFileName(pkg.Path)} ({pkg.Size} bytes), verify sha256 {pkg.Sha256.Substring(0, 12)}…, extract into releases/{release}" : $"upload: none (release {release} already holds this package)");
            steps.Add($"install: {List(install)}");
            steps.Add($"upgrade: {List(upgrade)}");
            steps.Add($"leave alone: {List(unchanged)}");
            steps.Add(plan.Backup ? $"backup: yes, pg_dump -Fc to backups/{_s.Database}-{release}.dump" + (_s.FilestorePath != null ? " + filestore" : "") : $"backup: no{(odoo ? " (BackupBeforeUpgrade is off)" : " (nothing to install or upgrade)")}");
            steps.Add(plan.Switch ? $"switch current: {plan.CurrentRelease ?? "(none)"} -> {release}" : "switch: none");
            steps.Add(odoo ? "odoo: " + _s.OdooCli + " -d " + _s.Database + (install.Count > 0 ? " -i " + string.Join(",", install) : "") + (upgrade.Count > 0 ? " -u " + string.Join(",", upgrade) : "") + " --stop-after-init" : "odoo: no command");
            steps.Add(plan.Restart ? "restart: " + _s.Restart : "restart: none");
            steps.Add(plan.Restart ? $"health: {(_s.HealthUrl ?? "(no HealthUrl: skipped)")} within {_s.HealthTimeout.TotalSeconds:0}s" : "health: none (nothing restarted)");
            steps.Add(workflows.Count > 0 ? $"n8n: publish {List(workflows)}" : "n8n: none");
            steps.Add($"ledger: append to {_s.Root}/{DeploymentLedger.FileName}; unlock; prune releases (keep {_s.KeepReleases})");
            plan.Steps = steps.ToArray();
            return plan;
        }

        /// <summary>The plan when Odoo deploys are switched off: the active release stays, nothing is uploaded,
        /// installed or restarted; only the gate, the n8n bundle and the ledger entry remain.</summary>
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
                $"odoo: switched off ({OdooOff(request)}): {Path.GetFileName(request.Package.Path)} is not deployed, release {current ?? "(none)"} stays active",
                workflows.Count > 0 ? $"n8n: publish {List(workflows)}" : "n8n: none",
                $"ledger: append to {_s.Root}/{DeploymentLedger.FileName}; unlock",
            };
            return plan;
        }

        private static string OdooOff(DeployRequest request) => request.OdooSkippedReason ?? "Odoo deploy switched off";

        private static string List(IEnumerable<string> items) { string s = string.Join(", ", items); return s.Length == 0 ? "(none)" : s; }

        internal static bool SameVersion(string installed, string packaged)
            => installed == packaged || installed.EndsWith("." + packaged, StringComparison.Ordinal) || packaged.EndsWith("." + installed, StringComparison.Ordinal) && installed.Length > 0;

        private string NewReleaseId(string sha) => _clock().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + sha.Substring(0, 8);

        public async Task<DeployPlan> PlanAsync(DeployRequest request, IDeployLog log, CancellationToken ct)
        {
            TargetState state = await ProbeAsync(request.Package.Addons.Select(a => a.Name), null, 0, ct).ConfigureAwait(false);
            IReadOnlyList<string> workflows = request.N8nBundle == null ? Array.Empty<string>() : await _publisher.PlanAsync(request.N8nBundle, log, ct).ConfigureAwait(false);
            return Decide(request, state, workflows);
        }

        // ---- deploy ----------------------------------------------------------------------------

        private sealed class Run
        {
            public DeploymentRecord Record = null!;
            public string LockText = null!;
            public bool Locked;
            public string? Upload;
            public string? NewRelease;   // extracted by this run (removed if it never became active)
            public bool Switched;
            public bool OdooRan;
            public string? BackupPath;
            public string CurrentStep = "lock";
            public readonly Stopwatch Watch = new Stopwatch();
        }

        private void Step(Run run, string name, string status, string? detail = null)
        {
            run.Record.Steps.Add(new DeploymentStep { Name = name, Status = status, Detail = detail, Seconds = Math.Round(run.Watch.Elapsed.TotalSeconds, 2) });
            run.Watch.Restart();
        }

        private string LockText(string user) => $"holder={user}@{System.Net.Dns.GetHostName()} pid={Process.GetCurrentProcess().Id} since={_clock().UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} id={Guid.NewGuid():N}";

        public async Task<DeploymentRecord> DeployAsync(DeployRequest request, IDeployLog log, CancellationToken ct)
        {
            DeployPackage pkg = request.Package;
            var run = new Run
            {
                Record = new DeploymentRecord
                {
                    Id = Guid.NewGuid().ToString("N").Substring(0, 12), Kind = "deploy", Environment = _s.Environment, PackageSha256 = pkg.Sha256, PackageName = Path.GetFileName(pkg.Path),
                    User = request.User, StartedAt = Now(), ChangeRequest = request.ChangeRequestId,
                },
                LockText = LockText(request.User),
            };
            run.Watch.Start();
            int total = 12;
            void P(int i, string what) => log.Progress($"Deploying to {_s.Environment}", what, i * 100 / total);

            // 1. lock + state, one round trip
            P(0, "lock and read the target");
            TargetState state = await ProbeAsync(pkg.Addons.Select(a => a.Name), run.LockText, (int)request.LockTimeout.TotalSeconds, ct).ConfigureAwait(false);
            if (state.LockHolder != null)
                throw new DeployException("DeploymentLocked", ErrorCategory.ResourceBusy,
                    $"another deployment to {_s.Environment} holds {_s.Root}/.lock ({state.LockHolder}); wait for it, or pass -LockTimeout", _s.Root)
                { RecommendedAction = "If no deployment is running (a crashed job), remove the .lock file on the target after checking." };
            run.Locked = true;
            Step(run, "lock", "ok", run.LockText);
            DeployPlan? plan = null;
            try
            {
                run.Record.PreviousRelease = state.Current == null ? null : Path.GetFileName(state.Current);
                run.Record.ActiveRelease = run.Record.PreviousRelease;
                // 2. gate
                run.CurrentStep = "gate"; P(1, "change approval");
                if (_s.RequireChangeApproval)
                {
                    if (request.SkipApproval)
                    {
                        run.Record.ApprovalSkippedReason = request.SkipReason;
                        log.Warning($"change approval SKIPPED for {_s.Environment}: {request.SkipReason}");
                        Step(run, "gate", "skipped", request.SkipReason);
                    }
                    else
                    {
                        GateDecision decision;
                        try { decision = await _gate.CheckAsync(request.ChangeRequestId, _s.Environment, log, ct).ConfigureAwait(false); }
                        catch (Exception ex) when (!(ex is OperationCanceledException))
                        {
                            decision = new GateDecision(false, "the change gate could not be asked (" + ex.Message + "): not approved");
                        }
                        if (!decision.Approved)
                            throw new StepFailure("gate", new DeployException("ChangeNotApproved", ErrorCategory.PermissionDenied,
                                $"deploy to {_s.Environment} refused: change request {request.ChangeRequestId ?? "(none)"} is not approved: {decision.Reason}", request.ChangeRequestId));
                        Step(run, "gate", "ok", decision.Reason);
                    }
                }
                else Step(run, "gate", "skipped", "not required");

                // 3. decide (no round trip: the state is already read)
                IReadOnlyList<string> workflows = request.N8nBundle == null ? Array.Empty<string>() : await _publisher.PlanAsync(request.N8nBundle, log, ct).ConfigureAwait(false);
                run.CurrentStep = "decide";
                plan = Decide(request, state, workflows);
                run.Record.Release = plan.Release.Length == 0 ? null : plan.Release;
                run.Record.Installed = plan.Install; run.Record.Upgraded = plan.Upgrade; run.Record.Unchanged = plan.Unchanged;
                Step(run, "decide", "ok", $"install {plan.Install.Length}, upgrade {plan.Upgrade.Length}, unchanged {plan.Unchanged.Length}");
                foreach (string planLine in plan.Steps) log.Verbose("plan: " + planLine);

                // 4. upload, verify, extract
                if (plan.Upload)
                {
                    run.CurrentStep = "upload"; P(2, $"upload {pkg.Size} bytes");
                    run.Upload = $"releases/.upload-{plan.Release}.zip";
                    try
                    {
                        using var file = File.OpenRead(pkg.Path);
                        await _transport.UploadAsync(file, _s.Root + "/" + run.Upload, new Progress<long>(n => log.Progress("Upload", $"{n}/{pkg.Size} bytes", (int)(n * 100 / Math.Max(1, pkg.Size)))), ct).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (!(ex is OperationCanceledException) && !(ex is DeployException))
                    {
                        throw new StepFailure("upload", new DeployException("UploadFailed", ErrorCategory.ConnectionError, $"uploading {pkg.Path} to {_transport.Description} failed: {ex.Message}", pkg.Path, ex));
                    }
                    Step(run, "upload", "ok", $"{pkg.Size} bytes");
                    run.CurrentStep = "extract"; P(3, "verify and extract");
                    run.NewRelease = plan.Release;
                    CommandResult x = await _transport.RunScriptAsync(_scripts.VerifyAndExtract(run.Upload, plan.Release, pkg.Sha256), ct).ConfigureAwait(false);
                    run.Upload = x.Succeeded ? null : run.Upload;
                    if (x.Stdout.Contains("@@SHA_MISMATCH"))
                        throw new StepFailure("verify", new DeployException("PackageChecksumMismatch", ErrorCategory.InvalidData,
                            $"the package arrived on {_transport.Description} with another sha256 ({Marker(x.Stdout, "@@SHA_MISMATCH")}) than sent ({pkg.Sha256}); nothing was extracted", pkg.Path));
                    if (x.Stdout.Contains("@@UNSAFE"))
                        throw new StepFailure("verify", new DeployException("UnsafeZipEntry", ErrorCategory.SecurityError, $"the target refused unsafe entries in the package: {Tail(x.Stdout)}", pkg.Path));
                    if (!x.Succeeded)
                        throw new StepFailure("extract", new DeployException("ExtractFailed", ErrorCategory.WriteError,
                            $"extracting into {_s.Root}/releases/{plan.Release} failed (exit {x.ExitCode}): {Tail(x.Stdout + x.Stderr)}", _s.Root));
                    Step(run, "extract", "ok", "releases/" + plan.Release);
                }
                else Step(run, "upload", "skipped", request.DeployOdoo ? "release already active" : OdooOff(request));

                // 5. backup
                bool odoo = plan.Install.Length + plan.Upgrade.Length > 0;
                if (plan.Backup)
                {
                    run.CurrentStep = "backup"; P(4, "backup");
                    CommandResult b = await _transport.RunScriptAsync(_scripts.Backup(plan.Release), ct).ConfigureAwait(false);
                    if (!b.Succeeded)
                        throw new StepFailure("backup", new DeployException("BackupFailed", ErrorCategory.WriteError, $"pg_dump of {_s.Database} failed (exit {b.ExitCode}): {Tail(b.Stdout + b.Stderr)}", _s.Database));
                    run.BackupPath = _s.Root + "/" + _scripts.BackupPath(plan.Release);
                    run.Record.Backup = run.BackupPath;
                    Step(run, "backup", "ok", run.BackupPath);
                }
                else Step(run, "backup", "skipped", odoo ? "BackupBeforeUpgrade off" : request.DeployOdoo ? "nothing to install or upgrade" : OdooOff(request));

                // 6. switch
                if (plan.Switch)
                {
                    run.CurrentStep = "switch"; P(5, "switch current");
                    run.Switched = true;
                    CommandResult sw = await _transport.RunScriptAsync(_scripts.Switch(plan.Release), ct).ConfigureAwait(false);
                    if (!sw.Succeeded) throw new StepFailure("switch", new DeployException("SwitchFailed", ErrorCategory.WriteError, $"switching current to {plan.Release} failed: {Tail(sw.Stdout + sw.Stderr)}", _s.Root));
                    run.Record.ActiveRelease = plan.Release;
                    Step(run, "switch", "ok", $"{run.Record.PreviousRelease ?? "(none)"} -> {plan.Release}");
                }
                else Step(run, "switch", "skipped", request.DeployOdoo ? "already current" : OdooOff(request));

                // 7. odoo -i/-u
                if (odoo)
                {
                    run.CurrentStep = "odoo"; P(6, "odoo install/upgrade");
                    run.OdooRan = true;
                    CommandResult o = await _transport.RunScriptAsync(_scripts.Odoo(plan.Install, plan.Upgrade, plan.ChecksumsJson), ct).ConfigureAwait(false);
                    foreach (string odooLine in o.Stdout.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("@@", StringComparison.Ordinal)).Take(400)) log.Verbose("odoo: " + odooLine);
                    if (!o.Succeeded)
                        throw new StepFailure("odoo", new DeployException("OdooUpgradeFailed", ErrorCategory.InvalidResult,
                            $"Odoo's install/upgrade failed ({Marker(o.Stdout, "@@ODOO_EXIT") ?? "exit " + o.ExitCode}): {OdooError(o.Stdout)}", _s.Database));
                    Step(run, "odoo", "ok", $"-i {List(plan.Install)} -u {List(plan.Upgrade)}");
                }
                else Step(run, "odoo", "skipped", request.DeployOdoo ? "nothing to install or upgrade" : OdooOff(request));

                // 8. restart + health
                if (plan.Restart)
                {
                    run.CurrentStep = "restart"; P(7, "restart");
                    CommandResult rs = await _transport.RunScriptAsync(_scripts.Restart(), ct).ConfigureAwait(false);
                    if (!rs.Succeeded) throw new StepFailure("restart", new DeployException("RestartFailed", ErrorCategory.InvalidResult, $"restarting Odoo failed: {Tail(rs.Stdout + rs.Stderr)}", _s.Service));
                    Step(run, "restart", "ok", null);
                    run.CurrentStep = "health"; P(8, "health check");
                    string? unhealthy = await HealthAsync(log, ct).ConfigureAwait(false);
                    if (unhealthy != null) throw new StepFailure("health", new DeployException("HealthCheckFailed", ErrorCategory.InvalidResult, $"Odoo did not turn healthy: {unhealthy}", _s.HealthUrl));
                    Step(run, "health", _s.HealthUrl == null ? "skipped" : "ok", _s.HealthUrl == null ? "no HealthUrl configured" : null);
                }
                else { Step(run, "restart", "skipped", request.DeployOdoo ? "nothing changed" : OdooOff(request)); Step(run, "health", "skipped", "nothing restarted"); }

                // 9. n8n
                if (request.N8nBundle != null)
                {
                    run.CurrentStep = "n8n"; P(9, "publish n8n workflows");
                    IReadOnlyList<string> published;
                    try { published = await _publisher.PublishAsync(request.N8nBundle, log, ct).ConfigureAwait(false); }
                    catch (Exception ex) when (!(ex is OperationCanceledException) && !(ex is StepFailure))
                    {
                        throw new StepFailure("n8n", ex as DeployException ?? new DeployException("N8nPublishFailed", ErrorCategory.InvalidResult, "publishing the n8n workflows failed: " + ex.Message, request.N8nBundle, ex));
                    }
                    run.Record.Workflows = published.ToArray();
                    Step(run, "n8n", "ok", List(published));
                }
                else if (request.N8nSkippedReason != null) Step(run, "n8n", "skipped", request.N8nSkippedReason);

                // 10. ledger + unlock + prune
                run.CurrentStep = "ledger"; P(10, "ledger, unlock, prune");
                run.Record.Status = plan.NothingToDo ? "Unchanged" : "Succeeded";
                Step(run, "ledger", "ok", null);
                run.Record.FinishedAt = Now();
                string line = DeploymentLedger.ToLine(run.Record, state.LedgerTail);
                var keep = new[] { plan.Release, run.Record.PreviousRelease }.Where(r => !string.IsNullOrEmpty(r)).Select(r => r!);
                CommandResult fin = await _transport.RunScriptAsync(_scripts.Finish(line, run.LockText, keep, _s.KeepReleases), ct).ConfigureAwait(false);
                run.Locked = false;
                if (!fin.Succeeded) log.Warning($"writing the ledger on {_transport.Description} failed (exit {fin.ExitCode}): {Tail(fin.Stdout + fin.Stderr)}");
                foreach (string pruned in fin.Stdout.Split('\n').Where(l => l.StartsWith("@@PRUNED ", StringComparison.Ordinal))) log.Verbose("pruned release " + pruned.Substring(9));
            }
            catch (StepFailure failure)
            {
                await FailAsync(run, failure.Step, failure.Error, state, log).ConfigureAwait(false);
                throw failure.Error; // unreachable: FailAsync throws
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) || run.Locked)
            {
                DeployException error = ex as DeployException ?? new DeployException("DeployStepFailed", ErrorCategory.NotSpecified, ex.Message, null, ex);
                await FailAsync(run, run.CurrentStep, error, state, log).ConfigureAwait(false);
                throw;
            }

            // 11. notify, complete the change request (after the lock is free; failures only warn)
            await SafeAsync(log, "notify", () => _notifier.SendAsync(new DeployNotice
            {
                Level = NoticeLevel.Info, Environment = _s.Environment, Release = run.Record.Release,
                Title = $"Deployed {run.Record.Release} to {_s.Environment}",
                Text = $"installed: {List(run.Record.Installed)}; upgraded: {List(run.Record.Upgraded)}; unchanged: {run.Record.Unchanged.Length}",
            }, log, ct)).ConfigureAwait(false);
            if (_s.IsProduction && !request.SkipApproval && request.ChangeRequestId != null)
                await SafeAsync(log, "complete change request", () => _gate.CompleteAsync(request.ChangeRequestId, _s.Environment, run.Record, log, ct)).ConfigureAwait(false);
            log.Progress($"Deploying to {_s.Environment}", "done", 100);
            return run.Record;
        }

        private static async Task SafeAsync(IDeployLog log, string what, Func<Task> action)
        {
            try { await action().ConfigureAwait(false); }
            catch (Exception ex) when (!(ex is OperationCanceledException)) { log.Warning($"{what} failed: {ex.Message}"); }
        }

        private sealed class StepFailure : Exception
        {
            public StepFailure(string step, DeployException error) : base(error.Message, error) { Step = step; Error = error; }
            public string Step { get; }
            public DeployException Error { get; }
        }

        /// <summary>Rolls back what this run activated, writes the truth to the ledger, frees the lock,
        /// sends the critical notice and throws the error naming the step.</summary>
        private async Task FailAsync(Run run, string step, DeployException error, TargetState state, IDeployLog log)
        {
            CancellationToken none = CancellationToken.None; // cleanup runs even after Ctrl+C
            log.Warning($"step '{step}' failed: {error.Message}");
            run.Record.FailedStep = step;
            run.Record.Error = error.Message;
            Step(run, step, "failed", error.ErrorId);
            var rollbackProblems = new List<string>();
            bool activated = run.Switched || run.OdooRan;
            if (activated)
            {
                log.Warning($"rolling back {_s.Environment} to {run.Record.PreviousRelease ?? "(no release)"}");
                if (run.Switched)
                {
                    CommandResult back = await Try(() => _transport.RunScriptAsync(_scripts.Switch(run.Record.PreviousRelease), none)).ConfigureAwait(false);
                    if (back.Succeeded) run.Record.ActiveRelease = run.Record.PreviousRelease; else rollbackProblems.Add("switch back failed: " + Tail(back.Stdout + back.Stderr));
                }
                if (run.OdooRan)
                {
                    if (run.BackupPath != null)
                    {
                        CommandResult restore = await Try(() => _transport.RunScriptAsync(_scripts.Restore(run.BackupPath), none)).ConfigureAwait(false);
                        if (restore.Succeeded) run.Record.DatabaseRestored = true; else rollbackProblems.Add("database restore failed: " + Tail(restore.Stdout + restore.Stderr));
                    }
                    else if (step != "odoo")
                        rollbackProblems.Add("the database was upgraded and no backup was taken (BackupBeforeUpgrade off): it stays upgraded");
                }
                CommandResult restart = await Try(() => _transport.RunScriptAsync(_scripts.Restart(), none)).ConfigureAwait(false);
                if (!restart.Succeeded) rollbackProblems.Add("restart after rollback failed: " + Tail(restart.Stdout + restart.Stderr));
                else if (_s.HealthUrl != null)
                {
                    string? unhealthy = await HealthAsync(log, none).ConfigureAwait(false);
                    if (unhealthy != null) rollbackProblems.Add("after rollback Odoo is not healthy: " + unhealthy);
                }
                run.Record.Status = "RolledBack";
                Step(run, "rollback", rollbackProblems.Count == 0 ? "ok" : "failed", rollbackProblems.Count == 0 ? $"active: {run.Record.ActiveRelease ?? "(none)"}, database restored: {run.Record.DatabaseRestored}" : string.Join("; ", rollbackProblems));
            }
            else run.Record.Status = "Failed";

            // a release this run extracted but that is not active goes away
            if (run.Upload != null || (run.NewRelease != null && run.Record.ActiveRelease != run.NewRelease))
                await Try(() => _transport.RunScriptAsync(_scripts.Cleanup(run.Upload, run.NewRelease != null && run.Record.ActiveRelease != run.NewRelease ? run.NewRelease : null), none)).ConfigureAwait(false);

            run.Record.FinishedAt = Now();
            string line = DeploymentLedger.ToLine(run.Record, state.LedgerTail);
            CommandResult fin = await Try(() => _transport.RunScriptAsync(_scripts.Finish(line, run.LockText, Array.Empty<string>(), 0), none)).ConfigureAwait(false);
            if (!fin.Succeeded) log.Warning($"could not write the ledger / free the lock on {_transport.Description}: {Tail(fin.Stdout + fin.Stderr)}");
            run.Locked = false;

            await SafeAsync(log, "critical notice", () => _notifier.SendAsync(new DeployNotice
            {
                Level = NoticeLevel.Critical, Environment = _s.Environment, Release = run.Record.Release,
                Title = activated ? $"Deploy of {run.Record.Release} to {_s.Environment} FAILED at '{step}' and was rolled back" : $"Deploy to {_s.Environment} FAILED at '{step}' (nothing was changed)",
                Text = error.Message + (rollbackProblems.Count > 0 ? " | rollback problems: " + string.Join("; ", rollbackProblems) : ""),
            }, log, none)).ConfigureAwait(false);

            string suffix = activated ? (rollbackProblems.Count == 0 ? $"; rolled back to {run.Record.ActiveRelease ?? "(no release)"}" + (run.Record.DatabaseRestored ? ", database restored" : "") : "; ROLLBACK INCOMPLETE: " + string.Join("; ", rollbackProblems)) : "; nothing was changed";
            throw new DeployException(error.ErrorId, error.Category, $"deploy to {_s.Environment} failed at step '{step}': {error.Message}{suffix}", error.Target, error.InnerException ?? error)
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

        private static string? Marker(string stdout, string marker)
        {
            string? line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith(marker, StringComparison.Ordinal));
            return line?.Substring(marker.Length).Trim();
        }

        private static string OdooError(string output)
        {
            var lines = output.Split('\n').Where(l => !l.StartsWith("@@", StringComparison.Ordinal)).ToList();
            string? error = lines.LastOrDefault(l => l.Contains(" ERROR ") || l.Contains("Error:"));
            return error?.Trim() ?? Tail(output);
        }

        internal static string Tail(string text)
        {
            string t = text.Trim();
            return t.Length > 400 ? "…" + t.Substring(t.Length - 400) : t;
        }

        private string Now() => _clock().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

        // ---- ledger, undo, backup, restore -----------------------------------------------------

        public async Task<(List<DeploymentRecord> records, List<string> releases, string? current)> ReadLedgerAsync(bool verify, CancellationToken ct)
        {
            CommandResult r = await _transport.RunScriptAsync(_scripts.ReadLedger(), ct).ConfigureAwait(false);
            string text = r.Stdout;
            int cut = text.IndexOf("@@RELEASES\n", StringComparison.Ordinal);
            string ledger = cut >= 0 ? text.Substring(0, cut) : text;
            var sections = Sections(cut >= 0 ? text.Substring(cut) : string.Empty);
            var releases = sections.TryGetValue("RELEASES", out var rel) ? rel.Where(x => x.Length > 0 && !x.StartsWith(".", StringComparison.Ordinal)).ToList() : new List<string>();
            string? current = First(sections, "CURRENT");
            return (DeploymentLedger.Parse(ledger, verify), releases, current == null ? null : Path.GetFileName(current));
        }

        public async Task<DeploymentRecord> UndoAsync(string? toRelease, bool restoreDatabase, string user, TimeSpan lockTimeout, IDeployLog log, CancellationToken ct)
        {
            var run = new Run { Record = new DeploymentRecord { Id = Guid.NewGuid().ToString("N").Substring(0, 12), Kind = "undo", Environment = _s.Environment, User = user, StartedAt = Now() }, LockText = LockText(user) };
            run.Watch.Start();
            TargetState state = await ProbeAsync(Array.Empty<string>(), run.LockText, (int)lockTimeout.TotalSeconds, ct).ConfigureAwait(false);
            if (state.LockHolder != null)
                throw new DeployException("DeploymentLocked", ErrorCategory.ResourceBusy, $"another deployment to {_s.Environment} holds {_s.Root}/.lock ({state.LockHolder})", _s.Root);
            run.Locked = true;
            Step(run, "lock", "ok", run.LockText);
            try
            {
                string? current = state.Current == null ? null : Path.GetFileName(state.Current);
                run.Record.PreviousRelease = current; run.Record.ActiveRelease = current;
                var (records, releases, _) = await ReadLedgerAsync(false, ct).ConfigureAwait(false);
                string? target = toRelease;
                if (target == null)
                {
                    // the release that was active before the current one became active
                    DeploymentRecord? activation = records.LastOrDefault(r => r.ActiveRelease == current && r.Release == current && r.Status == "Succeeded" && r.Kind == "deploy");
                    target = activation?.PreviousRelease
                             ?? records.Where(r => (r.Status == "Succeeded" || r.Status == "Unchanged") && r.Release != current && r.Release != null).Select(r => r.Release).LastOrDefault();
                }
                if (target == null) throw new StepFailure("decide", new DeployException("NoReleaseToUndo", ErrorCategory.ObjectNotFound, $"no earlier release of {_s.Environment} to go back to", _s.Root));
                if (!releases.Contains(target)) throw new StepFailure("decide", new DeployException("ReleaseNotFound", ErrorCategory.ObjectNotFound,
                    $"release '{target}' is not on the target (kept: {List(releases)})", target));
                run.Record.Release = target;
                Step(run, "decide", "ok", $"{current} -> {target}");
                if (restoreDatabase)
                {
                    run.CurrentStep = "restore";
                    string dump = _s.Root + "/" + _scripts.BackupPath(current ?? target);
                    CommandResult rr = await _transport.RunScriptAsync(_scripts.Restore(dump), ct).ConfigureAwait(false);
                    if (!rr.Succeeded) throw new StepFailure("restore", new DeployException("RestoreFailed", ErrorCategory.InvalidResult,
                        $"restoring {dump} (the backup taken before {current} was deployed) failed: {Tail(rr.Stdout + rr.Stderr)}", dump));
                    run.Record.DatabaseRestored = true; run.Record.Backup = dump;
                    Step(run, "restore", "ok", dump);
                }
                run.CurrentStep = "switch";
                CommandResult sw = await _transport.RunScriptAsync(_scripts.Switch(target), ct).ConfigureAwait(false);
                if (!sw.Succeeded) throw new StepFailure("switch", new DeployException("SwitchFailed", ErrorCategory.WriteError, "switching back failed: " + Tail(sw.Stdout + sw.Stderr), target));
                run.Record.ActiveRelease = target;
                Step(run, "switch", "ok", $"{current} -> {target}");
                run.CurrentStep = "restart";
                CommandResult rs = await _transport.RunScriptAsync(_scripts.Restart(), ct).ConfigureAwait(false);
                if (!rs.Succeeded) throw new StepFailure("restart", new DeployException("RestartFailed", ErrorCategory.InvalidResult, "restart failed: " + Tail(rs.Stdout + rs.Stderr), _s.Service));
                Step(run, "restart", "ok", null);
                string? unhealthy = await HealthAsync(log, ct).ConfigureAwait(false);
                if (unhealthy != null) throw new StepFailure("health", new DeployException("HealthCheckFailed", ErrorCategory.InvalidResult, "Odoo is not healthy after the undo: " + unhealthy, _s.HealthUrl));
                Step(run, "health", _s.HealthUrl == null ? "skipped" : "ok", null);
                run.Record.Status = "Succeeded";
            }
            catch (StepFailure f)
            {
                run.Record.Status = "Failed"; run.Record.FailedStep = f.Step; run.Record.Error = f.Error.Message;
                Step(run, f.Step, "failed", f.Error.ErrorId);
                await FinishAsync(run, state, log).ConfigureAwait(false);
                throw f.Error;
            }
            catch (Exception ex) when (!(ex is DeployException) || run.Locked)
            {
                run.Record.Status = "Failed"; run.Record.FailedStep = run.CurrentStep; run.Record.Error = ex.Message;
                await FinishAsync(run, state, log).ConfigureAwait(false);
                throw;
            }
            await FinishAsync(run, state, log).ConfigureAwait(false);
            return run.Record;
        }

        private async Task FinishAsync(Run run, TargetState state, IDeployLog log)
        {
            run.Record.FinishedAt = Now();
            string line = DeploymentLedger.ToLine(run.Record, state.LedgerTail);
            CommandResult fin = await Try(() => _transport.RunScriptAsync(_scripts.Finish(line, run.LockText, Array.Empty<string>(), 0), CancellationToken.None)).ConfigureAwait(false);
            if (!fin.Succeeded) log.Warning("could not write the ledger / free the lock: " + Tail(fin.Stdout + fin.Stderr));
            run.Locked = false;
        }

        /// <summary>pg_dump -Fc of the environment's database (and filestore) into &lt;root&gt;/backups; returns the path.</summary>
        public async Task<string> BackupAsync(string label, CancellationToken ct)
        {
            CommandResult b = await _transport.RunScriptAsync(_scripts.Backup(label), ct).ConfigureAwait(false);
            if (!b.Succeeded) throw new DeployException("BackupFailed", ErrorCategory.WriteError, $"pg_dump of {_s.Database} on {_transport.Description} failed (exit {b.ExitCode}): {Tail(b.Stdout + b.Stderr)}", _s.Database);
            return _s.Root + "/" + _scripts.BackupPath(label);
        }

        public async Task RestoreAsync(string dumpPath, CancellationToken ct)
        {
            CommandResult r = await _transport.RunScriptAsync(_scripts.Restore(dumpPath), ct).ConfigureAwait(false);
            if (!r.Succeeded) throw new DeployException("RestoreFailed", ErrorCategory.InvalidResult, $"restoring {dumpPath} into {_s.Database} failed (exit {r.ExitCode}): {Tail(r.Stdout + r.Stderr)}", dumpPath);
        }
    }
}
