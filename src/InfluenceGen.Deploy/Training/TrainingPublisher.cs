using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Training
{
    /// <summary>Where the portal is published: an S3 bucket prefix or a web server's folder over SSH.</summary>
    public interface IPortalTarget : IDisposable
    {
        /// <summary>S3 or WEBSERVER_SSH.</summary>
        string Kind { get; }
        /// <summary>s3://bucket/prefix or user@host:port:/dir, for messages and the result.</summary>
        string Description { get; }
        /// <summary>The object key or remote path of a portal path.</summary>
        string TargetOf(string relativePath);
        Task<RemoteState> ReadAsync(IDeployLog log, CancellationToken cancellationToken);
        /// <summary>The state this machine recorded after its last publish or read there (no round trip; it may
        /// start connecting meanwhile), or null. Marked <see cref="RemoteState.Assumed"/>: the target checks it
        /// before changing anything and throws <see cref="TargetStateChangedException"/> when it differs.</summary>
        RemoteState? Recorded(IDeployLog log, CancellationToken cancellationToken);
        /// <summary>Checks that the target still serves the assumed <paramref name="state"/> (a publish that changes
        /// nothing); throws <see cref="TargetStateChangedException"/> otherwise.</summary>
        Task VerifyAsync(RemoteState state, IDeployLog log, CancellationToken cancellationToken);
        /// <summary>Does the target's copy hold exactly these bytes?</summary>
        Task<bool> SameContentAsync(TrainingFile file, RemoteFile remote, IDeployLog log, CancellationToken cancellationToken);
        /// <summary>Before the first upload (the web server stages a new release with the unchanged files hard-linked).</summary>
        Task BeginAsync(TrainingPlan plan, IDeployLog log, CancellationToken cancellationToken);
        Task UploadAsync(TrainingFileResult item, IProgress<long> bytesSent, IDeployLog log, CancellationToken cancellationToken);
        /// <summary>After every upload succeeded: removes <paramref name="items"/> (never outside the prefix / target dir).</summary>
        Task DeleteAsync(IReadOnlyList<TrainingFileResult> items, IDeployLog log, CancellationToken cancellationToken);
        /// <summary>Makes the publish visible (the web server's atomic symlink switch); returns the release name or "".</summary>
        Task<string> CommitAsync(TrainingPlan plan, IDeployLog log, CancellationToken cancellationToken);
    }

    public sealed class TrainingPublishOptions
    {
        public bool Delete { get; set; }
        /// <summary>Parallel transfers (and parallel hashing up to the processor count).</summary>
        public int Concurrency { get; set; } = 8;
        public string Environment { get; set; } = string.Empty;
        /// <summary>Reuse a folder's hashes of unchanged files (size and modification time) from the last publish.</summary>
        public TrainingHashCache? HashCache { get; set; }
        /// <summary>Plan against the target's recorded state (<see cref="IPortalTarget.Recorded"/>) instead of
        /// reading it first; off for -WhatIf, which shows what the target really holds.</summary>
        public bool UseRecordedState { get; set; }
    }

    /// <summary>
    /// The publish, target-independent: hash the source, read the target, plan (only new or changed
    /// files travel), then upload phase by phase — assets, pages, sub-folder index pages, the portal's
    /// index.html — with bounded parallelism, delete what the source no longer has last, and commit.
    /// A failed upload stops the publish before the next phase (no page goes out whose assets did not),
    /// nothing is deleted and nothing committed: the previous portal stays served.
    /// </summary>
    public sealed class TrainingPublisher
    {
        private readonly IPortalTarget _target;

        public TrainingPublisher(IPortalTarget target) { _target = target; }

        public Task<TrainingPlan> PlanAsync(TrainingSource source, TrainingPublishOptions options, IDeployLog log, CancellationToken cancellationToken) =>
            PlanAsync(() => source, options, log, cancellationToken);

        /// <summary>Plans a publish of the source <paramref name="load"/> returns. The target is reached first (its
        /// client's first request, or the SSH handshake when planning against the recorded state): in a fresh
        /// process that is the slowest step (the SDK's and SSH.NET's first use), so it runs on a worker thread
        /// while the source is opened and its unchanged files take their hashes from the cache here.</summary>
        public async Task<TrainingPlan> PlanAsync(Func<TrainingSource> load, TrainingPublishOptions options, IDeployLog log, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            RemoteState? recorded = options.UseRecordedState ? _target.Recorded(log, cancellationToken) : null;
            Task<RemoteState> reading = recorded != null ? Task.FromResult(recorded) : Task.Run(() => _target.ReadAsync(log, cancellationToken), cancellationToken);
            TrainingSource source;
            try
            {
                source = load();
            }
            catch
            {
                _ = reading.ContinueWith(t => t.Exception, TaskScheduler.Default);   // not awaited: observe its failure
                throw;
            }
            source.FillFromCache(options.HashCache, S3Layout.PartSize);
            RemoteState remote = await reading.ConfigureAwait(false);
            log.Verbose($"{_target.Description} " + (recorded != null ? "held" : "holds") + $" {remote.Files.Count:N0} files" + (remote.Release != null ? $" (release {remote.Release})" : "") +
                        (recorded != null ? " after the last publish from here (checked before anything changes)" : ""));
            TrainingPlan plan = await PlanAgainstAsync(source, remote, options, log, cancellationToken).ConfigureAwait(false);
            plan.Started = watch;
            return plan;
        }

        /// <summary>Plans against <paramref name="remote"/>: hashes what must be compared, then compares.</summary>
        private async Task<TrainingPlan> PlanAgainstAsync(TrainingSource source, RemoteState remote, TrainingPublishOptions options, IDeployLog log, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            // Only files the target has with the same size need their hashes to plan (the cache helps for a
            // folder); new and resized files are hashed as they are uploaded, beside other transfers.
            List<TrainingFile> candidates = source.Files.Where(f => remote.Files.TryGetValue(f.RelativePath, out RemoteFile? r) && r.Size == f.Length).ToList();
            long total = candidates.Sum(f => f.Length), read = 0;
            var progress = new ThrottledProgress(log, "Reading training material", total);
            await source.HashAsync(candidates, S3Layout.PartSize, S3Layout.MultipartThreshold, Math.Min(Environment.ProcessorCount, options.Concurrency),
                new Progress(n => progress.Report(Interlocked.Add(ref read, n), $"{candidates.Count:N0} files")), cancellationToken, options.HashCache).ConfigureAwait(false);
            log.Verbose($"hashed {candidates.Count:N0} of {source.Files.Count:N0} files of {source.Path} to compare ({total:N0} bytes) in {watch.Elapsed.TotalSeconds:0.00} s" +
                        (options.HashCache?.Hits > 0 ? $" ({options.HashCache.Hits:N0} unchanged since the last run: hashes from the cache)" : ""));
            return await TrainingPlan.CreateAsync(source, remote, options.Delete, _target.Description, (f, r, ct) => _target.SameContentAsync(f, r, log, ct), _target.TargetOf, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Publishes <paramref name="plan"/>. When it was made against a recorded state the target no longer
        /// serves, the target changed nothing and answered its real state: the publish is planned again
        /// against that and applied (once; that state was read, not assumed).
        /// </summary>
        public async Task<TrainingPublishResult> ApplyAsync(TrainingPlan plan, TrainingPublishOptions options, IDeployLog log, CancellationToken cancellationToken)
        {
            try
            {
                return await ApplyPlanAsync(plan, options, log, cancellationToken).ConfigureAwait(false);
            }
            catch (TargetStateChangedException changed) when (plan.Remote.Assumed)
            {
                log.Verbose(changed.Message + ": planning again against what it serves");
                TrainingPlan again = await PlanAgainstAsync(plan.Source, changed.Actual, options, log, cancellationToken).ConfigureAwait(false);
                again.Started = plan.Started;
                return await ApplyPlanAsync(again, options, log, cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task<TrainingPublishResult> ApplyPlanAsync(TrainingPlan plan, TrainingPublishOptions options, IDeployLog log, CancellationToken cancellationToken)
        {
            Stopwatch watch = plan.Started ?? Stopwatch.StartNew();   // the time of the whole publish: reading, planning, transfers
            List<TrainingFileResult> transfers = plan.Transfers.ToList();
            long bytesTotal = transfers.Sum(t => t.Size), bytesSent = 0;
            int filesDone = 0;
            var progress = new ThrottledProgress(log, $"Publishing training material to {_target.Description}", bytesTotal);
            string Status() => $"{Volatile.Read(ref filesDone)}/{transfers.Count} files, {Mb(Interlocked.Read(ref bytesSent))} of {Mb(bytesTotal)}";

            bool failed = false;
            string release = string.Empty;
            if (plan.ChangesSomething)
            {
                await _target.BeginAsync(plan, log, cancellationToken).ConfigureAwait(false);
                foreach (IGrouping<PublishPhase, TrainingFileResult> phase in transfers.GroupBy(t => t.Phase).OrderBy(g => g.Key))
                {
                    if (failed) { foreach (TrainingFileResult skipped in phase) skipped.Status = "Skipped"; continue; }
                    log.Verbose($"{phase.Key}: {phase.Count()} file(s)");
                    // Largest first: a video's sequential parts start early and small files fill the other slots,
                    // instead of one big file holding up the next phase at the end.
                    List<TrainingFileResult> ordered = phase.OrderByDescending(t => t.Size).ThenBy(t => t.Path, StringComparer.Ordinal).ToList();
                    failed = !await UploadPhaseAsync(ordered, options.Concurrency, log, cancellationToken, n =>
                    {
                        progress.Report(Interlocked.Add(ref bytesSent, n), Status());
                    }, () => { Interlocked.Increment(ref filesDone); progress.Report(Interlocked.Read(ref bytesSent), Status(), force: true); }).ConfigureAwait(false);
                }
                List<TrainingFileResult> deletions = plan.Deletions.ToList();
                if (failed)
                    foreach (TrainingFileResult d in deletions) d.Status = "Skipped";
                else
                {
                    if (deletions.Count > 0)
                    {
                        await _target.DeleteAsync(deletions, log, cancellationToken).ConfigureAwait(false);
                        foreach (TrainingFileResult d in deletions) d.Status = "Done";
                    }
                    release = await _target.CommitAsync(plan, log, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (plan.Remote.Assumed)
                await _target.VerifyAsync(plan.Remote, log, cancellationToken).ConfigureAwait(false);   // "unchanged" must hold for the real target
            foreach (TrainingFileResult u in plan.Items.Where(i => i.Action == TrainingFileAction.Unchanged)) u.Status = "Done";
            plan.Source.SaveHashes(options.HashCache, S3Layout.PartSize);

            return new TrainingPublishResult
            {
                Environment = options.Environment,
                TargetType = _target.Kind,
                Target = _target.Description,
                Release = release,
                Source = plan.Source.Path,
                FilesUploaded = plan.Items.Count(i => i.Transfers && i.Status == "Done"),
                FilesUnchanged = plan.Items.Count(i => i.Action == TrainingFileAction.Unchanged),
                FilesDeleted = plan.Items.Count(i => i.Action == TrainingFileAction.Delete && i.Status == "Done"),
                FilesFailed = plan.Items.Count(i => i.Status == "Failed"),
                TotalFiles = plan.Source.Files.Count,
                BytesSent = plan.Items.Where(i => i.Transfers && i.Status == "Done").Sum(i => i.Size),
                TotalBytes = plan.Source.TotalBytes,
                Duration = watch.Elapsed,
                Files = plan.Items,
            };
        }

        /// <summary>The plan as a result, nothing done (-WhatIf).</summary>
        public TrainingPublishResult Preview(TrainingPlan plan, TrainingPublishOptions options) => new TrainingPublishResult
        {
            Environment = options.Environment,
            TargetType = _target.Kind,
            Target = _target.Description,
            Source = plan.Source.Path,
            FilesUploaded = plan.Transfers.Count(),
            FilesUnchanged = plan.Items.Count(i => i.Action == TrainingFileAction.Unchanged),
            FilesDeleted = plan.Deletions.Count(),
            TotalFiles = plan.Source.Files.Count,
            BytesSent = plan.Transfers.Sum(i => i.Size),
            TotalBytes = plan.Source.TotalBytes,
            WhatIf = true,
            Files = plan.Items,
        };

        /// <summary>Uploads one phase, <paramref name="concurrency"/> at a time; after a failure no new
        /// upload starts. Returns false when any failed.</summary>
        private async Task<bool> UploadPhaseAsync(List<TrainingFileResult> items, int concurrency, IDeployLog log, CancellationToken cancellationToken,
            Action<long> sent, Action fileDone)
        {
            using var gate = new SemaphoreSlim(Math.Max(1, concurrency));
            int failures = 0;
            var tasks = items.Select(async item =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (Volatile.Read(ref failures) > 0) { item.Status = "Skipped"; return; }
                    long reported = 0;
                    var bytes = new Progress(n => { reported += n; sent(n); });
                    try
                    {
                        if (item.Source != null && item.Source.Sha256.Length == 0)
                            await Task.Run(() => TrainingSource.EnsureHashed(item.Source, cancellationToken), cancellationToken).ConfigureAwait(false);
                        await _target.UploadAsync(item, bytes, log, cancellationToken).ConfigureAwait(false);
                        item.Status = "Done";
                        fileDone();
                    }
                    catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                    {
                        sent(-reported);
                        Interlocked.Increment(ref failures);
                        item.Status = "Failed";
                        item.ErrorId = ex is DeployException d ? d.ErrorId : ErrorIds.TrainingUploadFailed;
                        item.Error = ex.Message;
                        log.Verbose($"{item.Path}: {ex.Message}");
                    }
                }
                finally { gate.Release(); }
            }).ToList();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            return failures == 0;
        }

        internal static string Mb(long bytes) => $"{bytes / 1048576.0:0.0} MB";

        /// <summary>An IProgress that calls back synchronously (System.Progress posts to a context).</summary>
        internal sealed class Progress : IProgress<long>
        {
            private readonly Action<long> _report;
            public Progress(Action<long> report) { _report = report; }
            public void Report(long value) => _report(value);
        }

        /// <summary>Progress messages at most every 250 ms (bytes and files).</summary>
        private sealed class ThrottledProgress
        {
            private readonly IDeployLog _log;
            private readonly string _activity;
            private readonly long _total;
            private long _lastTicks;

            public ThrottledProgress(IDeployLog log, string activity, long total) { _log = log; _activity = activity; _total = total; }

            public void Report(long done, string status, bool force = false)
            {
                long now = Stopwatch.GetTimestamp(), last = Interlocked.Read(ref _lastTicks);
                if (!force && now - last < Stopwatch.Frequency / 4) return;
                if (Interlocked.CompareExchange(ref _lastTicks, now, last) != last && !force) return;
                _log.Progress(_activity, status, _total <= 0 ? 100 : (int)(done * 100 / _total));
            }
        }
    }

    /// <summary>The S3 upload layout: the part size decides the multipart ETag (md5-of-part-md5s-N),
    /// chosen like the AWS CLI's defaults (8 MiB threshold and parts) so ETags of either tool compare.</summary>
    public static class S3Layout
    {
        public const int PartSize = 8 * 1024 * 1024;
        public const long MultipartThreshold = 8 * 1024 * 1024;
    }

    internal static class TrainingErrors
    {
        public static DeployException Config(string setting, string variable, string message) =>
            new DeployException(ErrorIds.TrainingConfigurationInvalid, ErrorKind.InvalidArgument, $"{message} (setting {setting}, CI variable {variable})", setting);
    }
}
