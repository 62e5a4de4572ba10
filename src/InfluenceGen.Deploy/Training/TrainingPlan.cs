using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Training
{
    public enum TrainingFileAction { Upload, Update, Unchanged, Delete }

    /// <summary>One file of a publish (the plan line, then its outcome): -PassThru writes these.</summary>
    public sealed class TrainingFileResult
    {
        public string Path { get; set; } = string.Empty;
        public TrainingFileAction Action { get; set; }
        public long Size { get; set; }
        public PublishPhase Phase { get; set; }
        public string ContentType { get; set; } = string.Empty;
        public string CacheControl { get; set; } = string.Empty;
        /// <summary>The object key or remote path.</summary>
        public string Target { get; set; } = string.Empty;
        /// <summary>Planned, Done, Failed or Skipped (not attempted because an earlier file failed).</summary>
        public string Status { get; set; } = "Planned";
        public string Error { get; set; } = string.Empty;
        public string ErrorId { get; set; } = string.Empty;

        public bool Transfers => Action == TrainingFileAction.Upload || Action == TrainingFileAction.Update;
        internal TrainingFile? Source { get; set; }

        public string Describe() => Action switch
        {
            TrainingFileAction.Upload => $"upload new {Path} ({Size:N0} bytes, {ContentType})",
            TrainingFileAction.Update => $"upload changed {Path} ({Size:N0} bytes, {ContentType})",
            TrainingFileAction.Delete => $"delete {Path}",
            _ => $"leave {Path} (unchanged)",
        };
    }

    /// <summary>The summary of one publish: the one object Publish-TrainingMaterial writes.</summary>
    public sealed class TrainingPublishResult
    {
        public string Environment { get; set; } = string.Empty;
        public string TargetType { get; set; } = string.Empty;
        public string Target { get; set; } = string.Empty;
        /// <summary>The release folder switched to (web server target); empty for S3.</summary>
        public string Release { get; set; } = string.Empty;
        public string Source { get; set; } = string.Empty;
        public int FilesUploaded { get; set; }
        public int FilesUnchanged { get; set; }
        public int FilesDeleted { get; set; }
        public int FilesFailed { get; set; }
        public int TotalFiles { get; set; }
        public long BytesSent { get; set; }
        public long TotalBytes { get; set; }
        public TimeSpan Duration { get; set; }
        public bool WhatIf { get; set; }
        public bool Succeeded => FilesFailed == 0;
        public IReadOnlyList<TrainingFileResult> Files { get; set; } = Array.Empty<TrainingFileResult>();
    }

    /// <summary>A file as the target has it.</summary>
    public sealed class RemoteFile
    {
        public RemoteFile(string path, long size, string? etag = null, string? sha256 = null)
        {
            Path = path; Size = size; ETag = etag; Sha256 = sha256;
        }

        public string Path { get; }
        public long Size { get; }
        /// <summary>S3's ETag without quotes.</summary>
        public string? ETag { get; }
        /// <summary>Hex SHA-256 (the web server's manifest).</summary>
        public string? Sha256 { get; }
    }

    /// <summary>What the target holds now.</summary>
    public sealed class RemoteState
    {
        public RemoteState(IReadOnlyDictionary<string, RemoteFile> files, string? release = null)
        {
            Files = files; Release = release;
        }

        public IReadOnlyDictionary<string, RemoteFile> Files { get; }
        /// <summary>The release now served (web server target), if any.</summary>
        public string? Release { get; }
        /// <summary>Taken from this machine's record of the last publish, not read from the target: the target
        /// checks it before it changes anything (<see cref="TargetStateChangedException"/> when it differs).</summary>
        public bool Assumed { get; set; }
    }

    /// <summary>The target does not serve the state a publish was planned against (it was taken from a
    /// record that is out of date); nothing was changed. <see cref="Actual"/> is what it serves.</summary>
    public sealed class TargetStateChangedException : Exception
    {
        public TargetStateChangedException(RemoteState actual, string message) : base(message) { Actual = actual; }

        public RemoteState Actual { get; }
    }

    /// <summary>The ordered plan of a publish: assets, pages, sub-folder index pages, the portal's index.html, deletions.</summary>
    public sealed class TrainingPlan
    {
        public TrainingPlan(TrainingSource source, RemoteState remote, IReadOnlyList<TrainingFileResult> items, string target)
        {
            Source = source; Remote = remote; Items = items; Target = target;
        }

        public TrainingSource Source { get; }
        public RemoteState Remote { get; }
        /// <summary>Runs since the publish began (hashing the source).</summary>
        internal System.Diagnostics.Stopwatch? Started { get; set; }
        public string Target { get; }
        public IReadOnlyList<TrainingFileResult> Items { get; }
        public IEnumerable<TrainingFileResult> Transfers => Items.Where(i => i.Transfers);
        public IEnumerable<TrainingFileResult> Deletions => Items.Where(i => i.Action == TrainingFileAction.Delete);
        public bool ChangesSomething => Items.Any(i => i.Action != TrainingFileAction.Unchanged);

        /// <summary>
        /// Compares the source with the target. <paramref name="sameContent"/> decides for a file the
        /// target has (size and hash); <paramref name="delete"/> adds the target's files the source lacks.
        /// </summary>
        public static async Task<TrainingPlan> CreateAsync(TrainingSource source, RemoteState remote, bool delete, string target,
            Func<TrainingFile, RemoteFile, CancellationToken, Task<bool>> sameContent, Func<string, string> targetOf, CancellationToken cancellationToken)
        {
            var items = new List<TrainingFileResult>();
            foreach (TrainingFile file in source.Files)
            {
                TrainingFileAction action = !remote.Files.TryGetValue(file.RelativePath, out RemoteFile? existing)
                    ? TrainingFileAction.Upload
                    : await sameContent(file, existing, cancellationToken).ConfigureAwait(false) ? TrainingFileAction.Unchanged : TrainingFileAction.Update;
                items.Add(new TrainingFileResult
                {
                    Path = file.RelativePath,
                    Action = action,
                    Size = file.Length,
                    Phase = PortalContent.Phase(file.RelativePath),
                    ContentType = PortalContent.ContentType(file.RelativePath),
                    CacheControl = PortalContent.CacheControl(file.RelativePath),
                    Target = targetOf(file.RelativePath),
                    Source = file,
                });
            }
            if (delete)
            {
                var wanted = new HashSet<string>(source.Files.Select(f => f.RelativePath), StringComparer.Ordinal);
                foreach (RemoteFile gone in remote.Files.Values.Where(r => !wanted.Contains(r.Path)).OrderBy(r => r.Path, StringComparer.Ordinal))
                    items.Add(new TrainingFileResult
                    {
                        Path = gone.Path, Action = TrainingFileAction.Delete, Size = gone.Size, Phase = PublishPhase.Delete,
                        ContentType = PortalContent.ContentType(gone.Path), Target = targetOf(gone.Path),
                    });
            }
            List<TrainingFileResult> ordered = items.OrderBy(i => i.Phase).ThenBy(i => i.Path, StringComparer.Ordinal).ToList();
            return new TrainingPlan(source, remote, ordered, target);
        }
    }
}
