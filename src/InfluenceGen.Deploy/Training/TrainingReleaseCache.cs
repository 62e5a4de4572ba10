using System;
using System.IO;
using System.Text;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Training
{
    /// <summary>
    /// This machine's record of the release a web-server portal served after the last publish or read from
    /// here: its id, the SHA-256 of its manifest and the manifest itself. With it a publish plans without
    /// reading the target first and sends one script that checks the target still serves exactly that
    /// release (id and manifest hash) before it changes anything; when it does not (another publisher, a
    /// rollback, a lost record), the script changes nothing and answers the real state, and the publish is
    /// planned again against it. One file per target (user@host:port and folder) under
    /// $XDG_CACHE_HOME/influencegen/training-releases (default ~/.cache/…), written atomically; a record
    /// that cannot be read or written is ignored (the publish then reads the target first, as without one).
    /// </summary>
    public sealed class TrainingReleaseCache
    {
        private readonly string _directory;

        /// <param name="directory">The cache's folder: <c>JobContext.CacheFor("training-releases")</c> in the cmdlet.</param>
        public TrainingReleaseCache(string directory)
        {
            _directory = directory;
        }

        /// <summary>A served release as recorded: the manifest text is byte for byte the target's file.</summary>
        public sealed class Record
        {
            public Record(string release, string manifestSha256, string manifest)
            {
                Release = release; ManifestSha256 = manifestSha256; Manifest = manifest;
            }

            public string Release { get; }
            public string ManifestSha256 { get; }
            public string Manifest { get; }
        }

        private string FileFor(string target) => Path.Combine(_directory, Hashing.Sha256Hex(target).Substring(0, 24) + ".manifest");

        /// <summary>The record for <paramref name="target"/>, or null (none, unreadable, or not consistent with its own hash).</summary>
        public Record? Load(string target)
        {
            try
            {
                string file = FileFor(target);
                if (!File.Exists(file)) return null;
                string text = File.ReadAllText(file, new UTF8Encoding(false));
                int eol = text.IndexOf('\n');
                if (eol < 0) return null;
                string[] head = text.Substring(0, eol).Split('\t');
                if (head.Length != 4 || head[0] != "v1" || head[1] != target) return null;
                string manifest = text.Substring(eol + 1);
                if (!string.Equals(Hashing.Sha256Hex(manifest), head[3], StringComparison.Ordinal)) return null;
                return new Record(head[2], head[3], manifest);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException) { return null; }
        }

        public void Save(string target, Record record)
        {
            try
            {
                Directory.CreateDirectory(_directory);
                AtomicFile.WriteAllText(FileFor(target), $"v1\t{target}\t{record.Release}\t{record.ManifestSha256}\n{record.Manifest}");
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException) { /* a record only */ }
        }

        /// <summary>Forgets <paramref name="target"/> (its state is not known: the next publish reads it).</summary>
        public void Forget(string target)
        {
            try { File.Delete(FileFor(target)); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException) { }
        }
    }
}
