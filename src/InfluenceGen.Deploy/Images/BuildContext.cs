using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Images
{
    /// <summary>One entry of a build context, in tar order.</summary>
    public sealed class ContextEntry
    {
        public ContextEntry(string name, string? source, char type, long size, bool executable, string? linkTarget = null, long modifiedTicks = 0)
        {
            Name = name; Source = source; Type = type; Size = size; Executable = executable; LinkTarget = linkTarget; ModifiedTicks = modifiedTicks;
        }

        /// <summary>Path inside the context, with <c>/</c> (directories without a trailing slash).</summary>
        public string Name { get; }
        /// <summary>The file on disk (null for directories and links).</summary>
        public string? Source { get; }
        /// <summary>'0' file, '5' directory, '2' symbolic link.</summary>
        public char Type { get; }
        public long Size { get; }
        public bool Executable { get; }
        public string? LinkTarget { get; }
        /// <summary>The file's last write time on disk (UTC ticks; 0 for directories and links). Not in the tar.</summary>
        public long ModifiedTicks { get; }
    }

    /// <summary>
    /// The build context as the docker CLI sends it: the context folder minus what <c>.dockerignore</c>
    /// excludes (the Dockerfile and .dockerignore are always sent), a Dockerfile outside the folder
    /// added under a content-derived name. <see cref="OpenTar"/> streams it as a deterministic tar:
    /// entries in ordinal path order, owner 0:0 with no names, mode 0755 for directories and executables
    /// and 0644 otherwise, time fixed at 1980-01-01 — same files and contents, byte-identical tar.
    /// </summary>
    public sealed class BuildContext
    {
        private BuildContext(string directory, string dockerfileName, IReadOnlyList<ContextEntry> entries, DockerIgnore ignore)
        {
            Directory = directory; DockerfileName = dockerfileName; Entries = entries; Ignore = ignore;
        }

        public string Directory { get; }
        /// <summary>The Dockerfile's name inside the context (the build's <c>dockerfile</c> parameter).</summary>
        public string DockerfileName { get; }
        public IReadOnlyList<ContextEntry> Entries { get; }
        public DockerIgnore Ignore { get; }
        public long TotalBytes => Entries.Sum(e => e.Size);
        public int FileCount => Entries.Count(e => e.Type == '0');

        public static BuildContext Scan(string directory, string dockerfile)
        {
            string root = Path.GetFullPath(directory);
            if (!System.IO.Directory.Exists(root))
                throw new DeployException(ErrorIds.BuildContextNotFound, ErrorKind.ObjectNotFound, $"the build context '{directory}' is not a folder", directory);
            string dockerfilePath = Path.GetFullPath(Path.Combine(root, dockerfile));
            if (!File.Exists(dockerfilePath))
                throw new DeployException(ErrorIds.DockerfileNotFound, ErrorKind.ObjectNotFound, $"the Dockerfile '{dockerfile}' does not exist ({dockerfilePath})", dockerfile);

            DockerIgnore ignore = DockerIgnore.Load(root).Keeping(".dockerignore");
            bool inside = FileSystemLinks.IsInside(dockerfilePath, root);
            string dockerfileName;
            if (inside)
            {
                dockerfileName = Relative(root, dockerfilePath);
                ignore = ignore.Keeping(dockerfileName);
            }
            else
            {
                // As the CLI: a Dockerfile from elsewhere travels under a name derived from its content.
                dockerfileName = ".dockerfile." + Hashing.Sha256HexOfFile(dockerfilePath).Substring(0, 20);
            }

            var entries = new List<ContextEntry>();
            Walk(root, root, ignore, entries);
            if (!inside)
            {
                var info = new FileInfo(dockerfilePath);
                entries.Add(new ContextEntry(dockerfileName, dockerfilePath, '0', info.Length, false, modifiedTicks: info.LastWriteTimeUtc.Ticks));
            }
            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return new BuildContext(root, dockerfileName, entries, ignore);
        }

        private static void Walk(string root, string dir, DockerIgnore ignore, List<ContextEntry> into)
        {
            foreach (string path in System.IO.Directory.EnumerateFileSystemEntries(dir))
            {
                string rel = Relative(root, path);
                var info = new FileInfo(path);
                bool excluded = ignore.IsExcluded(rel);
                if (FileSystemLinks.IsLink(info))
                {
                    if (!excluded) into.Add(new ContextEntry(rel, null, '2', 0, false, FileSystemLinks.LinkText(info) ?? FileSystemLinks.FinalTarget(info) ?? string.Empty));
                }
                else if ((info.Attributes & FileAttributes.Directory) != 0)
                {
                    if (excluded && !ignore.MayReinclude(rel)) continue;
                    if (!excluded) into.Add(new ContextEntry(rel, null, '5', 0, true));
                    Walk(root, path, ignore, into);
                }
                else if (!excluded)
                {
                    into.Add(new ContextEntry(rel, path, '0', info.Length, FileSystemLinks.IsExecutable(path), modifiedTicks: info.LastWriteTimeUtc.Ticks));
                }
            }
        }

        private static string Relative(string root, string path) =>
            path.Substring(root.Length).TrimStart(Path.DirectorySeparatorChar).Replace(Path.DirectorySeparatorChar, '/');

        /// <summary>The context as a tar read on demand (nothing is held in memory beyond one block of a file).</summary>
        public Stream OpenTar() => new TarStream(Entries);

        /// <summary>
        /// The context as it stands on disk without reading any file: its folder, and per entry the name, type, size,
        /// mode and link target (all the tar holds but the bytes) plus the file's write time. The key under which
        /// <see cref="BuildFingerprintCache.ContextDigest"/> remembers the tar's digest (the quick check of make and
        /// rsync: a file rewritten with the same size and its old write time put back is not noticed; -NoCache).
        /// </summary>
        public string StatKey()
        {
            var text = new StringBuilder().Append("context ").Append(Directory).Append('\n').Append("dockerfile ").Append(DockerfileName).Append('\n');
            foreach (ContextEntry e in Entries)
                text.Append(e.Type).Append(' ').Append(e.Executable ? 'x' : '-').Append(' ').Append(e.Size).Append(' ').Append(e.ModifiedTicks)
                    .Append(' ').Append(e.Name).Append('\0').Append(e.LinkTarget ?? string.Empty).Append('\n');
            using var sha = System.Security.Cryptography.SHA256.Create();
            return Hashing.Hex(sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString())));
        }

        /// <summary>The newest write time of the context's files (UTC).</summary>
        public DateTime LatestWriteUtc => new DateTime(Entries.Select(e => e.ModifiedTicks).DefaultIfEmpty(0).Max(), DateTimeKind.Utc);

        /// <summary>SHA-256 of the tar (the build fingerprint; tests).</summary>
        public string ComputeDigest()
        {
            using var tar = OpenTar();
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 20];   // large reads: the tar copies file data straight into it
            int n;
            while ((n = tar.Read(buffer, 0, buffer.Length)) > 0) sha.AppendData(buffer, 0, n);
            return "sha256:" + Hashing.Hex(sha.GetHashAndReset());
        }
    }

    /// <summary>A read-only stream producing a ustar (PAX for long names) archive entry by entry.</summary>
    internal sealed class TarStream : Stream
    {
        private const long FixedTime = 315532800; // 1980-01-01T00:00:00Z
        private readonly IReadOnlyList<ContextEntry> _entries;
        private int _next;
        private byte[] _chunk = Array.Empty<byte>();
        private int _chunkPos;
        private FileStream? _file;
        private long _fileLeft;
        private long _padding;
        private bool _trailerDone;
        private long _position;

        public TarStream(IReadOnlyList<ContextEntry> entries) { _entries = entries; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int total = 0;
            while (count > 0)
            {
                if (_chunkPos < _chunk.Length)
                {
                    int n = Math.Min(count, _chunk.Length - _chunkPos);
                    Buffer.BlockCopy(_chunk, _chunkPos, buffer, offset, n);
                    _chunkPos += n; offset += n; count -= n; total += n;
                    continue;
                }
                if (_file != null)
                {
                    int n = _file.Read(buffer, offset, (int)Math.Min(count, _fileLeft));
                    if (n == 0)
                        throw new IOException($"{_file.Name} shrank while the build context was being sent");
                    _fileLeft -= n; offset += n; count -= n; total += n;
                    if (_fileLeft == 0)
                    {
                        _file.Dispose(); _file = null;
                        SetChunk(new byte[_padding]);
                    }
                    continue;
                }
                if (!Advance()) break;
            }
            _position += total;
            return total;
        }

        private bool Advance()
        {
            if (_next < _entries.Count)
            {
                ContextEntry e = _entries[_next++];
                SetChunk(Header(e));
                if (e.Type == '0' && e.Size > 0)
                {
                    _file = new FileStream(e.Source!, FileMode.Open, FileAccess.Read, FileShare.Read, 81920);
                    if (_file.Length != e.Size)
                        throw new IOException($"{e.Source} changed size while the build context was being sent");
                    _fileLeft = e.Size;
                    _padding = (512 - e.Size % 512) % 512;
                }
                return true;
            }
            if (_trailerDone) return false;
            _trailerDone = true;
            SetChunk(new byte[1024]);
            return true;
        }

        private void SetChunk(byte[] chunk) { _chunk = chunk; _chunkPos = 0; }

        private static byte[] Header(ContextEntry e)
        {
            string name = e.Type == '5' ? e.Name + "/" : e.Name;
            string link = e.LinkTarget ?? string.Empty;
            byte[] nameBytes = Encoding.UTF8.GetBytes(name);
            byte[] linkBytes = Encoding.UTF8.GetBytes(link);
            var output = new MemoryStream();
            if (nameBytes.Length > 100 || linkBytes.Length > 100)
            {
                // PAX extended header carrying the long path / link target.
                var pax = new StringBuilder();
                if (nameBytes.Length > 100) pax.Append(PaxRecord("path", name));
                if (linkBytes.Length > 100) pax.Append(PaxRecord("linkpath", link));
                byte[] data = Encoding.UTF8.GetBytes(pax.ToString());
                output.Write(Block("PaxHeader/" + Truncate(name, 80), 'x', data.Length, false, string.Empty), 0, 512);
                output.Write(data, 0, data.Length);
                output.Write(new byte[(512 - data.Length % 512) % 512], 0, (512 - data.Length % 512) % 512);
            }
            output.Write(Block(Truncate(name, 100), e.Type, e.Type == '0' ? e.Size : 0, e.Executable || e.Type != '0', Truncate(link, 100)), 0, 512);
            return output.ToArray();
        }

        private static string PaxRecord(string key, string value)
        {
            int body = Encoding.UTF8.GetByteCount($" {key}={value}\n");
            int length = body + body.ToString().Length;
            if ((length).ToString().Length != body.ToString().Length) length++;
            return $"{length} {key}={value}\n";
        }

        private static string Truncate(string s, int bytes)
        {
            while (Encoding.UTF8.GetByteCount(s) > bytes) s = s.Substring(0, s.Length - 1);
            return s;
        }

        private static byte[] Block(string name, char type, long size, bool executable, string link)
        {
            var h = new byte[512];
            Put(h, 0, 100, Encoding.UTF8.GetBytes(name));
            Octal(h, 100, 8, type == '2' ? 0x1FF : executable ? 0x1ED : 0x1A4);
            Octal(h, 108, 8, 0);
            Octal(h, 116, 8, 0);
            Octal(h, 124, 12, size);
            Octal(h, 136, 12, FixedTime);
            for (int i = 148; i < 156; i++) h[i] = (byte)' ';
            h[156] = (byte)type;
            Put(h, 157, 100, Encoding.UTF8.GetBytes(link));
            Put(h, 257, 6, Encoding.ASCII.GetBytes("ustar\0"));
            Put(h, 263, 2, Encoding.ASCII.GetBytes("00"));
            Octal(h, 329, 8, 0);
            Octal(h, 337, 8, 0);
            int sum = 0;
            foreach (byte b in h) sum += b;
            string chk = Convert.ToString(sum, 8).PadLeft(6, '0');
            Put(h, 148, 8, Encoding.ASCII.GetBytes(chk + "\0 "));
            return h;
        }

        private static void Put(byte[] h, int at, int length, byte[] value) => Buffer.BlockCopy(value, 0, h, at, Math.Min(length, value.Length));

        private static void Octal(byte[] h, int at, int length, long value)
        {
            string s = Convert.ToString(value, 8).PadLeft(length - 1, '0');
            Put(h, at, length, Encoding.ASCII.GetBytes(s + "\0"));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _file?.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
