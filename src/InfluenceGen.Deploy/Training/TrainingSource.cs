using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Training
{
    /// <summary>One file of the training material: its path in the portal, size and content hashes.</summary>
    public sealed class TrainingFile
    {
        internal TrainingFile(string relativePath, long length, Func<Stream> open, long modifiedTicks = 0)
        {
            RelativePath = relativePath; Length = length; Open = open; ModifiedTicks = modifiedTicks;
        }

        /// <summary>Last write time (UTC ticks) of a folder's file; 0 for zip entries.</summary>
        internal long ModifiedTicks { get; }

        /// <summary>Path inside the portal, '/'-separated, no leading slash.</summary>
        public string RelativePath { get; }
        public long Length { get; }
        /// <summary>Opens the bytes (a new stream each call; safe from several threads).</summary>
        public Func<Stream> Open { get; }
        /// <summary>Hex SHA-256 of the bytes (the SSH manifest's hash, kept in S3 metadata too).</summary>
        public string Sha256 { get; internal set; } = string.Empty;
        /// <summary>The S3 ETag this file gets when uploaded with <see cref="S3Layout"/>'s part size:
        /// hex MD5, or hex MD5 of the parts' MD5s plus "-N" for multipart uploads.</summary>
        public string ETag { get; internal set; } = string.Empty;
    }

    /// <summary>
    /// The training material to publish: a zip (training_docs.zip) or a folder. Zip entries with '..'
    /// segments, absolute or drive paths, or control characters are refused naming the entry; nothing
    /// is extracted to disk (entries are read straight from the archive).
    /// </summary>
    public sealed class TrainingSource
    {
        private TrainingSource(string path, bool isZip, IReadOnlyList<TrainingFile> files)
        {
            Path = path; IsZip = isZip; Files = files;
        }

        public string Path { get; }
        public bool IsZip { get; }
        /// <summary>The files, sorted ordinally by relative path.</summary>
        public IReadOnlyList<TrainingFile> Files { get; }
        public long TotalBytes => Files.Sum(f => f.Length);

        public static TrainingSource Load(string path)
        {
            if (Directory.Exists(path)) return FromFolder(path);
            if (!File.Exists(path))
                throw new DeployException(ErrorIds.TrainingSourceNotFound, ErrorKind.ObjectNotFound,
                    $"the training material '{path}' does not exist (TrainingMaterialsArtifactPath / TRAINING_MATERIALS_ARTIFACT_PATH, or -Path)", path);
            return FromZip(path);
        }

        private static TrainingSource FromFolder(string folder)
        {
            string root = System.IO.Path.GetFullPath(folder).TrimEnd(System.IO.Path.DirectorySeparatorChar);
            var files = new List<TrainingFile>();
            foreach (string full in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                string relative = full.Substring(root.Length + 1).Replace(System.IO.Path.DirectorySeparatorChar, '/');
                CheckName(relative, $"{folder}: file '{relative}'", folder);
                string captured = full;
                var info = new FileInfo(full);
                files.Add(new TrainingFile(relative, info.Length,
                    () => new FileStream(captured, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan), info.LastWriteTimeUtc.Ticks));
            }
            return new TrainingSource(root, false, Sorted(files, folder));
        }

        private static TrainingSource FromZip(string zipPath)
        {
            string full = System.IO.Path.GetFullPath(zipPath);
            var files = new List<TrainingFile>();
            try
            {
                using var archive = ZipFile.OpenRead(full);
                foreach (ZipArchiveEntry entry in archive.Entries)
                {
                    string name = entry.FullName;
                    if (name.EndsWith("/", StringComparison.Ordinal) && entry.Length == 0) continue;   // a folder entry
                    string normalized = name.Replace('\\', '/');
                    CheckName(normalized, $"{zipPath}: entry '{name}'", name, zip: true);
                    string entryName = name;
                    files.Add(new TrainingFile(normalized, entry.Length, () => OpenEntry(full, entryName)));
                }
            }
            catch (InvalidDataException ex)
            {
                throw new DeployException(ErrorIds.TrainingSourceInvalid, ErrorKind.InvalidData, $"{zipPath} is not a readable zip: {ex.Message}", zipPath);
            }
            return new TrainingSource(full, true, Sorted(files, zipPath));
        }

        private static List<TrainingFile> Sorted(List<TrainingFile> files, string source)
        {
            files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
            for (int i = 1; i < files.Count; i++)
                if (files[i].RelativePath == files[i - 1].RelativePath)
                    throw new DeployException(ErrorIds.TrainingSourceInvalid, ErrorKind.InvalidData,
                        $"{source}: '{files[i].RelativePath}' is there twice", files[i].RelativePath);
            if (files.Count == 0)
                throw new DeployException(ErrorIds.TrainingSourceEmpty, ErrorKind.InvalidData, $"{source} holds no files: nothing to publish", source);
            return files;
        }

        /// <summary>Refuses paths that could land outside the portal or break the target's scripts.</summary>
        internal static void CheckName(string relative, string where, object target, bool zip = false)
        {
            string? why = null;
            if (relative.Length == 0) why = "an empty name";
            else if (relative.StartsWith("/", StringComparison.Ordinal)) why = "an absolute path";
            else if (relative.Length >= 2 && relative[1] == ':' && char.IsLetter(relative[0])) why = "a drive path";
            else if (relative.Split('/').Any(s => s == ".." )) why = "a '..' segment (it would land outside the portal)";
            else if (relative.Split('/').Any(s => s.Length == 0 || s == ".")) why = "an empty or '.' segment";
            else if (relative.Any(c => c < 0x20 || c == 0x7f)) why = "a control character";
            if (why != null)
                throw new DeployException(zip ? ErrorIds.TrainingZipEntryUnsafe : ErrorIds.TrainingFileNameInvalid, ErrorKind.InvalidData,
                    $"{where} has {why}: refused, nothing was published", target);
        }

        private static Stream OpenEntry(string zipPath, string entryName)
        {
            var file = new FileStream(zipPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            ZipArchive? archive = null;
            try
            {
                archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: false);
                ZipArchiveEntry entry = archive.GetEntry(entryName) ?? throw new FileNotFoundException($"{zipPath}: entry '{entryName}' vanished");
                return new OwningStream(entry.Open(), archive);
            }
            catch
            {
                archive?.Dispose();
                file.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Computes every file's SHA-256 and S3 ETag (one read each), a few files at a time. With a
        /// <paramref name="cache"/>, a folder's file whose size and modification time are those of the
        /// last run keeps the hashes it had then (what rsync and aws s3 sync trust too); zip entries are
        /// always read.
        /// </summary>
        public async Task HashAsync(int partSize, long multipartThreshold, int parallelism, IProgress<long>? bytesRead, CancellationToken cancellationToken, TrainingHashCache? cache = null)
        {
            await HashAsync(Files, partSize, multipartThreshold, parallelism, bytesRead, cancellationToken, cache).ConfigureAwait(false);
            SaveHashes(cache, partSize);
        }

        /// <summary>Hashes <paramref name="which"/> (those not hashed yet), from the cache where it can.</summary>
        public async Task HashAsync(IEnumerable<TrainingFile> which, int partSize, long multipartThreshold, int parallelism, IProgress<long>? bytesRead, CancellationToken cancellationToken, TrainingHashCache? cache = null)
        {
            List<TrainingFile> todo = which.Where(f => f.Sha256.Length == 0).ToList();
            if (cache != null && !IsZip)
            {
                cache.Load(Path, partSize);
                todo = todo.Where(f => !cache.TryFill(f)).ToList();
            }
            await HashFilesAsync(todo, partSize, multipartThreshold, parallelism, bytesRead, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Takes the hashes of a folder's files unchanged since the last run (same size and modification
        /// time) from <paramref name="cache"/>; reads no file.</summary>
        public void FillFromCache(TrainingHashCache? cache, int partSize)
        {
            if (cache == null || IsZip) return;
            cache.Load(Path, partSize);
            foreach (TrainingFile f in Files) if (f.Sha256.Length == 0) cache.TryFill(f);
        }

        /// <summary>Keeps the hashes computed so far for the next run (folders only).</summary>
        public void SaveHashes(TrainingHashCache? cache, int partSize)
        {
            if (cache != null && !IsZip) cache.Save(Path, partSize, Files.Where(f => f.Sha256.Length > 0).ToList());
        }

        /// <summary>Hashes one file now if it is not yet (files to upload are hashed as they go, beside other transfers).</summary>
        public static void EnsureHashed(TrainingFile file, CancellationToken cancellationToken)
        {
            lock (file)
                if (file.Sha256.Length == 0) Hash(file, S3Layout.PartSize, S3Layout.MultipartThreshold, null, cancellationToken);
        }

        private static async Task HashFilesAsync(IEnumerable<TrainingFile> files, int partSize, long multipartThreshold, int parallelism, IProgress<long>? bytesRead, CancellationToken cancellationToken)
        {
            using var gate = new SemaphoreSlim(Math.Max(1, parallelism));
            var tasks = files.Select(async f =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try { await Task.Run(() => Hash(f, partSize, multipartThreshold, bytesRead, cancellationToken), cancellationToken).ConfigureAwait(false); }
                finally { gate.Release(); }
            }).ToList();
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        private static void Hash(TrainingFile file, int partSize, long multipartThreshold, IProgress<long>? bytesRead, CancellationToken cancellationToken)
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            bool multipart = file.Length >= multipartThreshold;
            var partDigests = new List<byte[]>();
            byte[] buffer = new byte[1 << 16];
            long inPart = 0, total = 0;
            using (Stream s = file.Open())
            {
                int n;
                while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    sha.AppendData(buffer, 0, n);
                    int offset = 0;
                    while (offset < n)
                    {
                        int take = multipart ? (int)Math.Min(n - offset, partSize - inPart) : n - offset;
                        md5.AppendData(buffer, offset, take);
                        offset += take; inPart += take;
                        if (multipart && inPart == partSize) { partDigests.Add(md5.GetHashAndReset()); inPart = 0; }
                    }
                    total += n;
                    bytesRead?.Report(n);
                }
            }
            if (total != file.Length)
                throw new DeployException(ErrorIds.TrainingSourceInvalid, ErrorKind.InvalidData, $"'{file.RelativePath}' changed while it was read ({total} bytes, expected {file.Length})", file.RelativePath);
            file.Sha256 = Hashing.Hex(sha.GetHashAndReset());
            if (!multipart) { file.ETag = Hashing.Hex(md5.GetHashAndReset()); return; }
            if (inPart > 0) partDigests.Add(md5.GetHashAndReset());
            using var combined = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            foreach (byte[] d in partDigests) combined.AppendData(d);
            file.ETag = Hashing.Hex(combined.GetHashAndReset()) + "-" + partDigests.Count;
        }

        /// <summary>A zip entry's stream that also closes its archive.</summary>
        private sealed class OwningStream : Stream
        {
            private readonly Stream _inner;
            private readonly IDisposable _owner;
            public OwningStream(Stream inner, IDisposable owner) { _inner = inner; _owner = owner; }
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => _inner.Length;
            public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            protected override void Dispose(bool disposing)
            {
                if (disposing) { _inner.Dispose(); _owner.Dispose(); }
                base.Dispose(disposing);
            }
        }
    }
}
