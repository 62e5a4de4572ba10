using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Deploy.Steps;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Environments
{
    /// <summary>What the steps of one copy share (the destination's side is the <see cref="DeployRun"/>).</summary>
    internal sealed class CopyState
    {
        public CopyState(CopyScripts scripts, DatabaseCopyRequest request, IStreamingTransport source, ITargetTransport sourceTarget)
        {
            Scripts = scripts; Request = request; Source = source; SourceTarget = sourceTarget;
        }

        public CopyScripts Scripts { get; }
        public DatabaseCopyRequest Request { get; }
        public IStreamingTransport Source { get; }
        public ITargetTransport SourceTarget { get; }
        public long SourceSize { get; set; }
        public long Bytes { get; set; }
        public string? Sha256 { get; set; }
        public string? Objects { get; set; }
        public bool Neutralized { get; set; }
    }

    /// <summary>Refuses a copy the destination cannot hold (dump + restored database + filestore, per file system). Nothing to undo.</summary>
    internal sealed class SpaceStep : DeployStep
    {
        private readonly CopyState _c;
        public SpaceStep(CopyState c) { _c = c; }
        public override string Name => "space";
        public override string Describe(DeployRun run) => "space: the destination must hold the dump, the restored database and the filestore";

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
        {
            bool fs = _c.Request.IncludeFilestore;
            CommandResult src = await _c.SourceTarget.RunScriptAsync(_c.Scripts.SourceSize(fs), ct).ConfigureAwait(false);
            if (!src.Succeeded || TargetScripts.Marker(src.Stdout, "@@SIZE ") is not string sizeText)
                throw new DeployException(src.Stdout.Contains("@@NO_FILESTORE") ? ErrorIds.FilestoreNotFound : ErrorIds.SourceUnreadable, ErrorKind.ResourceUnavailable,
                    $"cannot read the size of the source database on {_c.SourceTarget.Description}: {DeployRun.Tail(src.Stdout + src.Stderr)}", run.Settings.Environment);
            long size = long.Parse(sizeText, CultureInfo.InvariantCulture);
            long fsSize = fs ? long.Parse(TargetScripts.Marker(src.Stdout, "@@FS ") ?? "0", CultureInfo.InvariantCulture) : 0;
            _c.SourceSize = size;
            if (_c.Request.RequireNeutralizedSource && TargetScripts.Marker(src.Stdout, "@@NEUTRALIZED") is not ("true" or "True"))
                throw new DeployException(ErrorIds.SourceNotNeutralized, ErrorKind.InvalidData,
                    $"the source database on {_c.SourceTarget.Description} is not neutralized (database.is_neutralized is not set): review environments are made from a neutralized copy",
                    run.Settings.Environment) { RecommendedAction = "Refresh the source first: Copy-OdooDatabase -From production -To staging -Neutralize" };
            CommandResult dst = await run.RunAsync(_c.Scripts.DestinationSpace(fs), ct).ConfigureAwait(false);
            var free = new Dictionary<string, long>(StringComparer.Ordinal);
            var need = new Dictionary<string, (long bytes, List<string> what)>(StringComparer.Ordinal);
            void Need(string marker, long bytes, string what)
            {
                string? v = TargetScripts.Marker(dst.Stdout, marker);
                if (v == null) return;
                string[] p = v.Split(' ');
                if (p.Length < 2 || !long.TryParse(p[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long f)) return;
                free[p[1]] = f;
                var n = need.TryGetValue(p[1], out var x) ? x : (0L, new List<string>());
                n.Item2.Add(what);
                need[p[1]] = (n.Item1 + bytes, n.Item2);
            }
            if (TargetScripts.Marker(dst.Stdout, "@@BACKUPS ") == null)
                throw new DeployException(ErrorIds.TargetUnreadable, ErrorKind.ResourceUnavailable, $"cannot read the free space of {run.Settings.Root}/backups: {DeployRun.Tail(dst.Stdout + dst.Stderr)}", run.Settings.Root);
            // the dump is at most the database's size (indexes are not in it, data is compressed)
            Need("@@BACKUPS ", size + fsSize, "the dump" + (fs ? " and the filestore archive" : ""));
            bool pgKnown = TargetScripts.Marker(dst.Stdout, "@@PGDATA ") != null;
            if (pgKnown) Need("@@PGDATA ", size, "the restored database");
            else run.Log.Verbose("the destination's PostgreSQL data directory is not readable (not a superuser, or another host): only the dump's room is checked");
            if (fs) Need("@@FILESTORE ", fsSize, "the new filestore");
            foreach (var kv in need)
                if (free[kv.Key] < kv.Value.bytes)
                    throw new DeployException(ErrorIds.InsufficientSpace, ErrorKind.ResourceUnavailable,
                        $"{run.Transport.Description} cannot hold the copy: {kv.Key} needs {CopyScripts.Bytes(kv.Value.bytes)} ({string.Join(" + ", kv.Value.what)}; {run.Settings.Database}'s source is {CopyScripts.Bytes(size)}) and has {CopyScripts.Bytes(free[kv.Key])} free",
                        kv.Key) { RecommendedAction = "Free space on the destination, or drop old backups there." };
            return $"source {CopyScripts.Bytes(size)}" + (fs ? $" + filestore {CopyScripts.Bytes(fsSize)}" : "") + "; " + string.Join(", ", free.Select(f => $"{f.Key} {CopyScripts.Bytes(f.Value)} free"));
        }
    }

    /// <summary>Streams pg_dump -Fc (and the filestore tar) from the source into the destination's backups folder
    /// through this process, and checks the bytes there by sha256. Undo: remove the files.</summary>
    internal sealed class TransferStep : DeployStep
    {
        private readonly CopyState _c;
        public TransferStep(CopyState c) { _c = c; }
        public override string Name => "transfer";
        public override bool MayActOnFailure => true;
        public override string Describe(DeployRun run) => $"transfer: pg_dump -Fc streamed into {_c.Scripts.DumpPath}";

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
        {
            var (bytes, sha) = await StreamAsync(run, _c.Scripts.Dump(), _c.Scripts.DumpPath, "pg_dump", ct).ConfigureAwait(false);
            _c.Bytes = bytes; _c.Sha256 = sha;
            string detail = $"{CopyScripts.Bytes(bytes)} sha256 {sha.Substring(0, 12)}";
            if (_c.Request.IncludeFilestore)
            {
                var (fsBytes, _) = await StreamAsync(run, _c.Scripts.FilestoreStream(), _c.Scripts.FilestoreTar, "tar of the filestore", ct).ConfigureAwait(false);
                detail += $"; filestore {CopyScripts.Bytes(fsBytes)}";
            }
            return detail;
        }

        private async Task<(long, string)> StreamAsync(DeployRun run, string sourceScript, string path, string what, CancellationToken ct)
        {
            CommandResult prep = await run.RunAsync(_c.Scripts.PrepareUpload(path), ct).ConfigureAwait(false);
            if (!prep.Succeeded) throw new DeployException(ErrorIds.TransferFailed, ErrorKind.WriteError, $"cannot create {path} on {run.Transport.Description}: {DeployRun.Tail(prep.Stdout + prep.Stderr)}", path);
            HashingReadStream? hashing = null;
            long expected = Math.Max(1, _c.SourceSize);
            var progress = new Progress<long>(n => run.Log.Progress("", $"{what}: {CopyScripts.Bytes(n)}", (int)Math.Min(60, 10 + n * 40 / expected)));
            CommandResult dump = await _c.Source.RunStreamingAsync("bash -s", sourceScript,
                stream => { hashing = new HashingReadStream(stream, progress); return run.Transport.UploadAsync(hashing, path + ".tmp", null, ct); }, ct).ConfigureAwait(false);
            if (!dump.Succeeded)
                throw new DeployException(ErrorIds.DumpFailed, ErrorKind.ReadError, $"{what} on {_c.SourceTarget.Description} failed (exit {dump.ExitCode}): {DeployRun.Tail(dump.Stderr)}", run.Settings.Environment);
            string sha = hashing!.Sha256Hex();
            CommandResult seal = await run.RunAsync(_c.Scripts.SealUpload(path, sha), ct).ConfigureAwait(false);
            if (!seal.Succeeded)
                throw new DeployException(ErrorIds.TransferFailed, ErrorKind.InvalidData, $"the {what} stream arrived damaged at {path} ({DeployRun.Tail(seal.Stdout + seal.Stderr)}; sent {sha})", path);
            return (hashing.BytesRead, sha);
        }

        public override async Task CompensateAsync(DeployRun run, RollbackReport report)
        {
            CommandResult r = await run.TryRunAsync(_c.Scripts.RemoveFiles(_c.Scripts.DumpPath, _c.Scripts.FilestoreTar)).ConfigureAwait(false);
            if (!r.Succeeded) report.Problems.Add($"removing {_c.Scripts.DumpPath} failed: {DeployRun.Tail(r.Stdout + r.Stderr)}");
        }
    }

    /// <summary>Restores into a new database, verifies, neutralizes, gives it its identity and the repository's statements. Undo: drop it.</summary>
    internal sealed class PrepareStep : DeployStep
    {
        private readonly CopyState _c;
        public PrepareStep(CopyState c) { _c = c; }
        public override string Name => "prepare";
        public override bool MayActOnFailure => true;
        public override string Describe(DeployRun run) => $"prepare: restore into {_c.Scripts.NewDatabase}, verify, " + (_c.Request.Neutralize ? "neutralize, " : "") + "identity + statements";

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
        {
            run.Log.Progress("", "restore into a new database" + (_c.Request.Neutralize ? ", neutralize" : ""), 65);
            CommandResult r = await run.RunAsync(_c.Scripts.Prepare(_c.Request.Neutralize, _c.Request.Sql, _c.Request.IncludeFilestore), ct).ConfigureAwait(false);
            string? done = TargetScripts.Marker(r.Stdout, "@@PREPARED");
            if (r.Succeeded && done != null)
            {
                int at = done.LastIndexOf(" neutralized=", StringComparison.Ordinal);
                _c.Objects = at > 0 ? done.Substring(0, at) : done;
                _c.Neutralized = done.EndsWith("neutralized=true", StringComparison.Ordinal) || done.EndsWith("neutralized=True", StringComparison.Ordinal);
                if (_c.Request.Neutralize && !_c.Neutralized)
                    throw new DeployException(ErrorIds.NeutralizeFailed, ErrorKind.InvalidResult, $"the neutralize command succeeded but database.is_neutralized is not set in {_c.Scripts.NewDatabase}", run.Settings.Database);
                return $"{_c.Objects}; neutralized: {(_c.Neutralized ? "yes" : "no")}";
            }
            string tail = DeployRun.Tail(r.Stdout + r.Stderr);
            throw TargetScripts.Marker(r.Stdout, "@@NEUTRALIZE_EXIT") is string ne
                ? new DeployException(ErrorIds.NeutralizeFailed, ErrorKind.InvalidResult, $"odoo-bin neutralize exited {ne}: {tail}", run.Settings.Database)
                : TargetScripts.Marker(r.Stdout, "@@SQL_FAILED") != null
                ? new DeployException(ErrorIds.RefreshSqlFailed, ErrorKind.InvalidResult, $"the copy's statements{(_c.Request.SqlFile != null ? " (identity + " + _c.Request.SqlFile + ")" : " (identity)")} failed, nothing of them was kept: {tail}", _c.Request.SqlFile ?? run.Settings.Database)
                : TargetScripts.Marker(r.Stdout, "@@VERIFY_FAILED") is string vf
                ? new DeployException(ErrorIds.RestoreFailed, ErrorKind.InvalidResult, "the restored copy does not hold what the dump lists: " + vf, run.Settings.Database)
                : new DeployException(ErrorIds.RestoreFailed, ErrorKind.InvalidResult, $"restoring the copy into {_c.Scripts.NewDatabase} failed (exit {r.ExitCode}): {tail}", run.Settings.Database);
        }

        public override async Task CompensateAsync(DeployRun run, RollbackReport report)
        {
            CommandResult r = await run.TryRunAsync(_c.Scripts.DropNew(_c.Request.IncludeFilestore)).ConfigureAwait(false);
            if (!r.Succeeded) report.Problems.Add($"dropping {_c.Scripts.NewDatabase} failed: {DeployRun.Tail(r.Stdout + r.Stderr)}");
        }
    }

    /// <summary>Swaps the prepared copy in for the live database by rename (Odoo stopped), keeping the old one until
    /// the copy is healthy. Undo: rename back.</summary>
    internal sealed class SwapStep : DeployStep
    {
        private readonly CopyState _c;
        public SwapStep(CopyState c) { _c = c; }
        public override string Name => "swap";
        public override bool MayActOnFailure => true;
        public override bool Activates => true;
        public override string Describe(DeployRun run) => $"swap: {_c.Scripts.NewDatabase} -> {run.Settings.Database} (the old one kept as {_c.Scripts.OldDatabase} until healthy)";

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
        {
            CommandResult r = await run.RunAsync(_c.Scripts.Swap(_c.Request.IncludeFilestore), ct).ConfigureAwait(false);
            string? swapped = TargetScripts.Marker(r.Stdout, "@@SWAPPED");
            if (!r.Succeeded || swapped == null)
                throw new DeployException(ErrorIds.SwapFailed, ErrorKind.InvalidResult, $"swapping the copy in for {run.Settings.Database} failed: {DeployRun.Tail(r.Stdout + r.Stderr)}", run.Settings.Database);
            return swapped.Contains("had_live=1") ? $"{run.Settings.Database} replaced (old kept as {_c.Scripts.OldDatabase})" : $"{run.Settings.Database} created (there was none)";
        }

        public override async Task CompensateAsync(DeployRun run, RollbackReport report)
        {
            CommandResult r = await run.TryRunAsync(_c.Scripts.SwapBack(_c.Request.IncludeFilestore)).ConfigureAwait(false);
            if (!r.Stdout.Contains("@@SWAPPED_BACK"))
            {
                report.Problems.Add($"putting {run.Settings.Database} back from {_c.Scripts.OldDatabase} failed: {DeployRun.Tail(r.Stdout + r.Stderr)}");
                report.ToDo.Add($"rename the database {_c.Scripts.OldDatabase} back to {run.Settings.Database} on {run.Transport.Description}");
            }
        }
    }
}
