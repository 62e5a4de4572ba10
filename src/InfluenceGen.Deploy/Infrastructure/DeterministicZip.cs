using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>One entry to write: its name inside the zip and how to get its bytes (read once).</summary>
    public sealed class ZipSource
    {
        public ZipSource(string name, Func<byte[]> read, object? tag = null)
        {
            Name = name; Read = read; Tag = tag;
        }

        public string Name { get; }
        public Func<byte[]> Read { get; }
        public object? Tag { get; }
    }

    /// <summary>
    /// Writes byte-identical zips for identical inputs: entries in the order given (callers sort),
    /// a fixed timestamp (1980-01-01 00:00), fixed permissions (0644 regular files, made on Unix),
    /// no extra fields, UTF-8 names. Files are read once and deflated in parallel across cores in a
    /// bounded window; the writer emits them in order. Already-compressed formats are stored.
    /// </summary>
    public static class DeterministicZip
    {
        private const ushort DosDate1980 = (0 << 9) | (1 << 5) | 1;
        private const uint UnixFileAttributes = (0x8000u | 0x1A4u) << 16; // S_IFREG | 0644

        private static readonly HashSet<string> StoredExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".woff", ".woff2",
            ".mp3", ".mp4", ".ogg", ".webm", ".avif", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".jar", ".whl",
        };

        private sealed class Prepared
        {
            public ZipSource Source = null!;
            public byte[] Raw = null!;
            public byte[] Data = null!;
            public int DataLength;
            public uint Crc;
            public byte[] Sha256 = null!;
            public ushort Method;
        }

        /// <summary>
        /// Writes <paramref name="sources"/> to <paramref name="output"/>; <paramref name="onEntry"/> is
        /// called in entry order with each entry's uncompressed bytes and their SHA-256 (computed in
        /// the parallel stage), for checksums and content hashes.
        /// </summary>
        /// <param name="trailer">Optional: called after every source was written (and seen by
        /// <paramref name="onEntry"/>) to produce one last entry, e.g. metadata built from checksums.</param>
        public static async Task WriteAsync(Stream output, IReadOnlyList<ZipSource> sources, Action<ZipSource, byte[], byte[]> onEntry,
            IDeployLog log, CancellationToken cancellationToken, Func<ZipSource>? trailer = null, int? degreeOfParallelism = null)
        {
            int workers = Math.Max(1, degreeOfParallelism ?? Environment.ProcessorCount);
            int window = workers * 4;
            var pending = new Task<Prepared>[sources.Count];
            int next = 0;

            void StartUpTo(int limit)
            {
                while (next < sources.Count && next < limit)
                {
                    ZipSource src = sources[next];
                    pending[next] = Task.Run(() => Prepare(src), cancellationToken);
                    next++;
                }
            }

            var central = new MemoryStream();
            var centralWriter = new BinaryWriter(central);
            var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
            long offset = 0;
            StartUpTo(window);
            int total = sources.Count + (trailer != null ? 1 : 0);
            if (total > ushort.MaxValue)
                throw new InvalidOperationException($"the package has {total} files; a zip without Zip64 holds at most 65535");
            for (int i = 0; i < total; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Prepared p;
                if (i < sources.Count)
                {
                    p = await pending[i].ConfigureAwait(false);
                    pending[i] = null!;
                    StartUpTo(i + 1 + window);
                    onEntry(p.Source, p.Raw, p.Sha256);
                }
                else
                {
                    p = Prepare(trailer!());
                }
                byte[] name = Encoding.UTF8.GetBytes(p.Source.Name);
                ushort flags = (ushort)(name.Any(b => b >= 0x80) ? 0x0800 : 0);
                if (offset + p.DataLength > uint.MaxValue)
                    throw new InvalidOperationException("the package is larger than a zip without Zip64 can hold (4 GiB)");

                // local file header
                writer.Write(0x04034b50u);
                writer.Write((ushort)20);
                writer.Write(flags);
                writer.Write(p.Method);
                writer.Write((ushort)0);
                writer.Write(DosDate1980);
                writer.Write(p.Crc);
                writer.Write((uint)p.DataLength);
                writer.Write((uint)p.Raw.Length);
                writer.Write((ushort)name.Length);
                writer.Write((ushort)0);
                writer.Write(name);
                writer.Write(p.Data, 0, p.DataLength);

                // central directory record
                centralWriter.Write(0x02014b50u);
                centralWriter.Write((ushort)((3 << 8) | 20)); // made by: Unix, zip 2.0
                centralWriter.Write((ushort)20);
                centralWriter.Write(flags);
                centralWriter.Write(p.Method);
                centralWriter.Write((ushort)0);
                centralWriter.Write(DosDate1980);
                centralWriter.Write(p.Crc);
                centralWriter.Write((uint)p.DataLength);
                centralWriter.Write((uint)p.Raw.Length);
                centralWriter.Write((ushort)name.Length);
                centralWriter.Write((ushort)0);
                centralWriter.Write((ushort)0);
                centralWriter.Write((ushort)0);
                centralWriter.Write((ushort)0);
                centralWriter.Write(UnixFileAttributes);
                centralWriter.Write((uint)offset);
                centralWriter.Write(name);

                offset += 30 + name.Length + p.DataLength;
                if (i % 64 == 0 || i == total - 1)
                    log.Progress("Writing package", p.Source.Name, (int)((i + 1) * 100L / total));
            }
            writer.Flush();
            centralWriter.Flush();
            long centralOffset = offset;
            central.Position = 0;
            await central.CopyToAsync(output).ConfigureAwait(false);
            // end of central directory
            writer.Write(0x06054b50u);
            writer.Write((ushort)0);
            writer.Write((ushort)0);
            writer.Write((ushort)total);
            writer.Write((ushort)total);
            writer.Write((uint)central.Length);
            writer.Write((uint)centralOffset);
            writer.Write((ushort)0);
            writer.Flush();
        }

        private static Prepared Prepare(ZipSource source)
        {
            byte[] raw = source.Read();
            var p = new Prepared { Source = source, Raw = raw, Crc = System.IO.Hashing.Crc32.HashToUInt32(raw) };
            using (var sha = System.Security.Cryptography.SHA256.Create()) p.Sha256 = sha.ComputeHash(raw);
            bool store = raw.Length < 64 || StoredExtensions.Contains(Path.GetExtension(source.Name));
            if (!store)
            {
                var buffer = new MemoryStream(raw.Length / 2 + 64);
                using (var deflate = new DeflateStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
                    deflate.Write(raw, 0, raw.Length);
                if (buffer.Length < raw.Length)
                {
                    p.Method = 8;
                    p.Data = buffer.GetBuffer();
                    p.DataLength = (int)buffer.Length;
                    return p;
                }
            }
            p.Method = 0;
            p.Data = raw;
            p.DataLength = raw.Length;
            return p;
        }
    }
}
