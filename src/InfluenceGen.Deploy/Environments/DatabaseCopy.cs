using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Deploy.Steps;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Environments
{
    /// <summary>What Copy-OdooDatabase was asked to do.</summary>
    public sealed class DatabaseCopyRequest
    {
        public bool Neutralize { get; set; }
        public bool IncludeFilestore { get; set; }
        /// <summary>The repository's statements run on the copy (in the transaction of its new identity).</summary>
        public string? Sql { get; set; }
        /// <summary>Where <see cref="Sql"/> came from (messages, the ledger).</summary>
        public string? SqlFile { get; set; }
        /// <summary>Stop Odoo for the swap, restart and health-check it after (false: the environment serves nothing yet).</summary>
        public bool Serve { get; set; } = true;
        public bool KeepDump { get; set; }
        /// <summary>Refuse a source that is not neutralized (review environments are made from the neutralized staging copy).</summary>
        public bool RequireNeutralizedSource { get; set; }
        public TimeSpan LockTimeout { get; set; } = TimeSpan.Zero;
        public string User { get; set; } = Environment.UserName;

        /// <summary>Refuses statements that would end the copy's transaction early (begin/commit/rollback, psql meta-commands), naming file and line.</summary>
        public static void CheckSql(string sql, string file)
        {
            string[] lines = sql.Replace("\r\n", "\n").Split('\n');
            var bad = new Regex(@"^\s*(begin|commit|rollback|end|start\s+transaction|abort|savepoint\s+\w+\s*;\s*release)\b|^\s*\\", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            for (int i = 0; i < lines.Length; i++)
                if (bad.IsMatch(lines[i]))
                    throw new DeployException(ErrorIds.RefreshSqlInvalid, ErrorKind.InvalidData,
                        $"{file}:{i + 1}: '{lines[i].Trim()}' is not allowed: the file's statements run inside the copy's own transaction (no begin/commit/rollback, no psql meta-commands)", file);
        }
    }

    /// <summary>The result of Copy-OdooDatabase (table view: InfluenceGen.Deploy.Environments.DatabaseCopyResult).</summary>
    public sealed class DatabaseCopyResult
    {
        public string Source { get; set; } = string.Empty;
        public string Destination { get; set; } = string.Empty;
        public string Database { get; set; } = string.Empty;
        public bool Neutralized { get; set; }
        public bool Filestore { get; set; }
        /// <summary>Bytes of the dump as streamed.</summary>
        public long Bytes { get; set; }
        public string DumpSha256 { get; set; } = string.Empty;
        /// <summary>The id of the copy on the destination (its dump file, kept with -KeepDump).</summary>
        public string Backup { get; set; } = string.Empty;
        /// <summary>"tables=… indexes=…" as verified against the dump's TOC.</summary>
        public string Objects { get; set; } = string.Empty;
        public double Seconds { get; set; }
        public DeploymentRecord Record { get; set; } = new DeploymentRecord();
        public string Size => CopyScripts.Bytes(Bytes);
        public override string ToString() => $"{Source} -> {Destination} ({Database})";
    }

    /// <summary>
    /// Refreshes one environment's database from another's: pg_dump -Fc on the source streamed through this
    /// process (in chunks, never on its disk) into the destination's private backups folder, checked by sha256,
    /// restored into a NEW database and verified against the dump's TOC, neutralized (odoo-bin neutralize), given a
    /// fresh identity, the destination's URL and the repository's statements in one transaction; then, with the
    /// destination's Odoo stopped, swapped in by rename and health-checked. A failure at any point leaves (or
    /// puts back) the destination's database as it was. Production is never a destination.
    /// </summary>
    public sealed class DatabaseCopyService
    {
        private readonly ITargetTransport _source, _destination;
        private readonly DeploySettings _src, _dst;
        private readonly HttpClient _http;
        private readonly Func<DateTimeOffset> _clock;

        public DatabaseCopyService(ITargetTransport source, DeploySettings sourceSettings, ITargetTransport destination, DeploySettings destinationSettings,
            HttpClient? http = null, Func<DateTimeOffset>? clock = null)
        {
            _source = source; _src = sourceSettings; _destination = destination; _dst = destinationSettings;
            _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
        }

        public TimeSpan HealthInterval { get; set; } = TimeSpan.FromMilliseconds(500);

        /// <summary>
        /// Refuses a copy into production whatever the parameters: the destination named production, or one whose
        /// database is production's (same SSH host, database host, port and name) when production is configured.
        /// </summary>
        public static void Guard(DeploySettings source, string sourceTarget, DeploySettings destination, string destinationTarget, (DeploySettings settings, string target)? production)
        {
            if (destination.IsProduction)
                throw new DeployException(ErrorIds.DestinationIsProduction, ErrorKind.PermissionDenied,
                    $"refused: the destination is production. Copy-OdooDatabase never writes into production, whatever the parameters", destination.Environment);
            if (production is (DeploySettings p, string pt) && SameDatabase(destination, destinationTarget, p, pt))
                throw new DeployException(ErrorIds.DestinationIsProduction, ErrorKind.PermissionDenied,
                    $"refused: '{destination.Environment}' points at production's database ({p.Database} on {pt}, PostgreSQL {p.DatabaseHost}:{p.DatabasePort})", destination.Environment);
            if (SameDatabase(source, sourceTarget, destination, destinationTarget))
                throw new DeployException(ErrorIds.SameDatabase, ErrorKind.InvalidArgument,
                    $"'{source.Environment}' and '{destination.Environment}' are the same database ({destination.Database} on {destinationTarget})", destination.Environment);
        }

        private static bool SameDatabase(DeploySettings a, string at, DeploySettings b, string bt)
            => a.Database == b.Database && a.DatabasePort == b.DatabasePort && string.Equals(at.Split('@').Last(), bt.Split('@').Last(), StringComparison.OrdinalIgnoreCase)
               && string.Equals(a.DatabaseHost, b.DatabaseHost, StringComparison.OrdinalIgnoreCase);

        /// <summary>The plan's lines (for -WhatIf): nothing is read or changed.</summary>
        public IReadOnlyList<string> Describe(DatabaseCopyRequest request)
        {
            var lines = new List<string>
            {
                $"lock {_dst.Root}/.lock; check that {_destination.Description} has room for the copy",
                $"stream pg_dump -Fc of {_src.Database} on {_source.Description} through this machine into {_dst.Root}/backups (0600), sha256 checked" + (request.IncludeFilestore ? "; the filestore too" : ""),
                $"restore into a new database on {_destination.Description}, verified against the dump's TOC",
                request.Neutralize ? "neutralize it: " + NeutralizeLine() : "NOT neutralized (-Neutralize not given): crons and mail servers stay as in " + _src.Environment,
                "fresh database.uuid and database.secret" + (_dst.BaseUrl != null ? $", web.base.url = {_dst.BaseUrl}" : "") + (request.SqlFile != null ? $", then {request.SqlFile}" : "") + " (one transaction)",
                request.Serve ? $"stop Odoo ({_dst.Stop}); swap the copy in for {_dst.Database} by rename; restart; health {_dst.HealthUrl ?? "(no HealthUrl)"}"
                              : $"swap the copy in for {_dst.Database} by rename (Odoo of {_dst.Environment} is not served yet)",
                $"drop the old database; ledger of {_dst.Environment}: refresh from {_src.Environment}",
            };
            return lines;
        }

        private string NeutralizeLine()
        {
            try { return new CopyScripts(_src, _dst, "x").NeutralizeCommand().Replace("\"$NEW\"", "<new database>"); }
            catch (DeployException ex) { return "(" + ex.Message + ")"; }
        }

        public async Task<DatabaseCopyResult> CopyAsync(DatabaseCopyRequest request, IDeployLog log, CancellationToken ct)
        {
            if (!(_source is IStreamingTransport streaming))
                throw new DeployException(ErrorIds.TransportCannotStream, ErrorKind.NotImplemented, $"the source transport {_source.Description} cannot stream a dump", _src.Environment);
            if (request.IncludeFilestore && (_src.FilestorePath == null || _dst.FilestorePath == null))
                throw new DeployException(ErrorIds.ConfigurationMissing, ErrorKind.InvalidArgument,
                    $"-IncludeFilestore needs FilestorePath for both {_src.Environment} and {_dst.Environment}", "FilestorePath");
            string id = _clock().UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N").Substring(0, 6);
            var scripts = new CopyScripts(_src, _dst, id);
            if (request.Neutralize) scripts.NeutralizeCommand(); // a command that cannot be built is refused before anything happens
            string lockText = $"holder={request.User}@{System.Net.Dns.GetHostName()} copy from {_src.Environment} since={_clock().UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} id={id}";
            var record = new DeploymentRecord
            {
                Id = id.Substring(id.Length - 12), Kind = "refresh", Environment = _dst.Environment, User = request.User, StartedAt = Now(),
                Source = $"{_src.Environment}:{_src.Database}", Neutralized = false, Backup = scripts.DumpPath,
            };
            var run = new DeployRun(_dst, _destination, log, record, lockText)
            {
                Plan = new DeployPlan { Restart = request.Serve, Environment = _dst.Environment, Database = _dst.Database },
                Health = HealthAsync,
            };
            string activity = $"Copying {_src.Environment} into {_dst.Environment}";
            log.Progress(activity, "lock", 0);
            var targetScripts = new TargetScripts(_dst);
            CommandResult probe = await _destination.RunScriptAsync(targetScripts.Probe(Array.Empty<string>(), lockText, (int)request.LockTimeout.TotalSeconds), ct).ConfigureAwait(false);
            if (probe.Stdout.Contains("@@LOCKED"))
                throw new DeployException(ErrorIds.DeploymentLocked, ErrorKind.ResourceBusy,
                    $"another deployment to {_dst.Environment} holds {_dst.Root}/.lock ({probe.Stdout.Substring(probe.Stdout.IndexOf("@@LOCKED", StringComparison.Ordinal) + 8).Trim()}); wait for it, or pass -LockTimeout", _dst.Root);
            if (!probe.Stdout.Contains("@@LOCK_TAKEN"))
                throw new DeployException(ErrorIds.TargetUnreadable, ErrorKind.ResourceUnavailable, $"cannot take the lock in {_dst.Root} on {_destination.Description}: {DeployRun.Tail(probe.Stdout + probe.Stderr)}", _dst.Root);
            string? ledgerTail = Section(probe.Stdout, "@@LEDGER_TAIL");
            string? current = Section(probe.Stdout, "@@CURRENT");
            record.Release = record.ActiveRelease = record.PreviousRelease = current == null ? null : System.IO.Path.GetFileName(current);
            run.Note("lock", "ok", lockText);

            var copy = new CopyState(scripts, request, streaming, _source);
            var steps = new DeployStep[]
            {
                new SpaceStep(copy),
                new TransferStep(copy),
                new PrepareStep(copy),
                new MaintenanceStep(),
                new SwapStep(copy),
                new RestartStep(),
                new HealthStep(),
            };
            StepOutcome outcome;
            using (var lease = new CancellationTokenSource())
            {
                Task renewing = RenewLockAsync(lockText, lease.Token);
                try { outcome = await StepRunner.RunAsync(steps, run, activity, ct).ConfigureAwait(false); }
                finally { lease.Cancel(); await renewing.ConfigureAwait(false); }
            }
            if (outcome.FailedStep != null)
            {
                RollbackReport rb = outcome.Rollback!;
                record.Status = outcome.Activated ? (rb.Complete ? "RolledBack" : "RollbackIncomplete") : "Failed";
                record.Error = outcome.Error!.Message + (rb.Complete ? "" : " | ROLLBACK INCOMPLETE: " + string.Join("; ", rb.Problems));
                record.Neutralized = copy.Neutralized;
                await FinishAsync(run, ledgerTail, log).ConfigureAwait(false);
                string suffix = outcome.Activated ? (rb.Complete ? $"; {_dst.Database} was put back as it was" : "; PUTTING BACK FAILED: " + string.Join("; ", rb.Problems)) : $"; {_dst.Database} was not changed";
                throw new DeployException(outcome.Activated && !rb.Complete ? ErrorIds.RollbackIncomplete : outcome.Error.ErrorId, outcome.Error.Kind,
                    $"copy of {_src.Environment} into {_dst.Environment} failed at step '{outcome.FailedStep}': {outcome.Error.Message}{suffix}", outcome.Error.Target, outcome.Error)
                { RecommendedAction = outcome.Error.RecommendedAction };
            }
            log.Progress(activity, "clean up, ledger, unlock", 95);
            CommandResult clean = await run.TryRunAsync(scripts.Cleanup(request.IncludeFilestore, request.KeepDump)).ConfigureAwait(false);
            if (clean.Stdout.Contains("@@OLD_KEPT") || !clean.Succeeded) log.Warning($"the replaced database {scripts.OldDatabase} could not be dropped: {DeployRun.Tail(clean.Stdout + clean.Stderr)}");
            run.Note("cleanup", "ok", request.KeepDump ? "dump kept: " + scripts.DumpPath : "old database dropped, dump removed");
            record.Status = "Succeeded";
            record.Neutralized = copy.Neutralized;
            record.DumpSha256 = copy.Sha256;
            await FinishAsync(run, ledgerTail, log).ConfigureAwait(false);
            log.Progress(activity, "done", 100);
            return new DatabaseCopyResult
            {
                Source = _src.Environment, Destination = _dst.Environment, Database = _dst.Database, Neutralized = copy.Neutralized,
                Filestore = request.IncludeFilestore, Bytes = copy.Bytes, DumpSha256 = copy.Sha256 ?? string.Empty, Backup = scripts.DumpPath,
                Objects = copy.Objects ?? string.Empty, Seconds = record.Seconds, Record = record,
            };
        }

        /// <summary>Keeps the destination's lock lease alive (touches .lock while it is still ours) during a long copy,
        /// so no deploy takes it over as abandoned.</summary>
        private async Task RenewLockAsync(string lockText, CancellationToken stop)
        {
            TimeSpan every = TimeSpan.FromSeconds(Math.Max(5, _dst.LockLease.TotalSeconds / 3));
            string script = new TargetScripts(_dst).Wrap("cd \"$ROOT\" && [ \"$(head -n 1 .lock 2>/dev/null)\" = " + TargetScripts.Q(lockText) + " ] && touch .lock\n", database: false);
            while (!stop.IsCancellationRequested)
            {
                try { await Task.Delay(every, stop).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
                try { await _destination.RunScriptAsync(script, stop).ConfigureAwait(false); } catch (Exception) { /* the next round tries again */ }
            }
        }

        private async Task FinishAsync(DeployRun run, string? ledgerTail, IDeployLog log)
        {
            run.Record.FinishedAt = Now();
            string line = DeploymentLedger.ToLine(run.Record, ledgerTail, _dst.LedgerKey);
            CommandResult fin = await run.TryRunAsync(new TargetScripts(_dst).Finish(line, run.LockText, Array.Empty<string>(), 0)).ConfigureAwait(false);
            if (!fin.Succeeded) log.Warning($"could not write the ledger / free the lock on {_destination.Description}: {DeployRun.Tail(fin.Stdout + fin.Stderr)}");
        }

        private static string? Section(string stdout, string marker)
        {
            string[] lines = stdout.Replace("\r\n", "\n").Split('\n');
            int i = Array.IndexOf(lines, marker);
            return i >= 0 && i + 1 < lines.Length && lines[i + 1].Length > 0 && !lines[i + 1].StartsWith("@@", StringComparison.Ordinal) ? lines[i + 1].Trim() : null;
        }

        private async Task<string?> HealthAsync(IDeployLog log, CancellationToken ct)
        {
            if (_dst.HealthUrl == null) { log.Warning($"no HealthUrl for {_dst.Environment}: health not checked"); return null; }
            var scripts = new TargetScripts(_dst);
            var check = new HealthCheck(_http, async c =>
            {
                try { return (await _destination.RunScriptAsync(scripts.DatabasePing(), c).ConfigureAwait(false)).Succeeded; }
                catch (Exception) { return false; }
            }) { Interval = HealthInterval };
            return await check.WaitHealthyAsync(_dst.HealthUrl, _dst.HealthTimeout, log, ct).ConfigureAwait(false);
        }

        private string Now() => _clock().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
    }
}
