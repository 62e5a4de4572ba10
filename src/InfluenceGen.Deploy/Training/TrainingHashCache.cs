using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Training
{
    /// <summary>
    /// The hashes of a source folder's files from the last publish, keyed by path, size and modification
    /// time, so an unchanged folder is not read again (the check rsync and aws s3 sync rely on alone; here
    /// the target's hash is still compared). One file per source folder under
    /// $XDG_CACHE_HOME/influencegen/training-hashes (default ~/.cache/…), written atomically; a cache that
    /// cannot be read or written is ignored.
    /// </summary>
    public sealed class TrainingHashCache
    {
        private readonly string _directory;
        private Dictionary<string, (long size, long ticks, string sha, string etag)> _entries = new Dictionary<string, (long, long, string, string)>(StringComparer.Ordinal);
        private string? _loaded;
        private string? _loadedText;   // the file as read: a publish that learnt nothing new does not write it again

        /// <param name="directory">The cache's folder: <c>JobContext.CacheFor("training-hashes")</c> in the cmdlet.</param>
        public TrainingHashCache(string directory)
        {
            _directory = directory;
        }

        public int Hits { get; private set; }

        private string FileFor(string source) => Path.Combine(_directory, Hashing.Sha256Hex(source).Substring(0, 24) + ".tsv");

        internal void Load(string source, int partSize)
        {
            string key = partSize.ToString(CultureInfo.InvariantCulture) + "\t" + source;
            if (_loaded == key) return;   // read once per publish
            _loaded = key;
            _entries = new Dictionary<string, (long, long, string, string)>(StringComparer.Ordinal);
            _loadedText = null;
            try
            {
                string file = FileFor(source);
                if (!File.Exists(file)) return;
                string text = File.ReadAllText(file, Encoding.UTF8);
                _loadedText = text;
                string[] lines = text.Split('\n');
                if (lines.Length > 0 && lines[lines.Length - 1].Length == 0) Array.Resize(ref lines, lines.Length - 1);
                if (lines.Length == 0 || lines[0] != $"v1\t{partSize}\t{source}") return;
                for (int i = 1; i < lines.Length; i++)
                {
                    string[] p = lines[i].Split(new[] { '\t' }, 5);
                    if (p.Length == 5 && long.TryParse(p[0], NumberStyles.None, CultureInfo.InvariantCulture, out long size) && long.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks))
                        _entries[p[4]] = (size, ticks, p[2], p[3]);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException) { _entries.Clear(); _loadedText = null; }
        }

        internal bool TryFill(TrainingFile file)
        {
            if (file.ModifiedTicks == 0 || !_entries.TryGetValue(file.RelativePath, out var e) || e.size != file.Length || e.ticks != file.ModifiedTicks) return false;
            file.Sha256 = e.sha;
            file.ETag = e.etag;
            Hits++;
            return true;
        }

        internal void Save(string source, int partSize, IReadOnlyList<TrainingFile> files)
        {
            try
            {
                Directory.CreateDirectory(_directory);
                var sb = new StringBuilder();
                sb.Append("v1\t").Append(partSize.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(source).Append('\n');
                foreach (TrainingFile f in files)
                    sb.Append(f.Length.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(f.ModifiedTicks.ToString(CultureInfo.InvariantCulture)).Append('\t')
                      .Append(f.Sha256).Append('\t').Append(f.ETag).Append('\t').Append(f.RelativePath).Append('\n');
                string text = sb.ToString();
                if (_loaded != null && _loaded == partSize.ToString(CultureInfo.InvariantCulture) + "\t" + source && text == _loadedText) return;   // unchanged
                AtomicFile.WriteAllText(FileFor(source), text);
                _loaded = null;
                _loadedText = null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException) { /* a cache only */ }
        }
    }
}
