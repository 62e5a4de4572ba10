using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Odoo;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Deploy
{
    /// <summary>One addon as the package's metadata describes it.</summary>
    public sealed class PackagedAddon
    {
        public string Name { get; set; } = string.Empty;
        public string Version { get; set; } = string.Empty;
        public string Checksum { get; set; } = string.Empty;
        public string[] Depends { get; set; } = Array.Empty<string>();
    }

    /// <summary>
    /// An addon package about to be deployed: its sha256, its addons (from influencegen-package.json),
    /// every entry checked for safety (no absolute paths, no "..", no links leaving the release), and
    /// module_auto_update checksums recomputed for the languages a database has active.
    /// </summary>
    public sealed class DeployPackage
    {
        private DeployPackage(string path, string sha256, long size, List<PackagedAddon> addons)
        {
            Path = path; Sha256 = sha256; Size = size; Addons = addons;
        }

        public string Path { get; }
        public string Sha256 { get; }
        public long Size { get; }
        /// <summary>In installation order (dependencies first).</summary>
        public IReadOnlyList<PackagedAddon> Addons { get; }

        public static DeployPackage Open(string path, string? knownSha256 = null)
        {
            if (!File.Exists(path))
                throw new DeployException(ErrorIds.PackageNotFound, ErrorKind.ObjectNotFound, $"the package '{path}' does not exist", path);
            string sha = Hashing.Sha256HexOfFile(path);
            if (!string.IsNullOrEmpty(knownSha256) && !string.Equals(sha, knownSha256, StringComparison.OrdinalIgnoreCase))
                throw new DeployException(ErrorIds.PackageChanged, ErrorKind.InvalidData,
                    $"'{path}' has sha256 {sha}, not {knownSha256} as when it was built: it changed since", path);
            CheckEntries(path);
            var addons = new List<PackagedAddon>();
            using (ZipArchive zip = ZipFile.OpenRead(path))
            {
                ZipArchiveEntry? meta = zip.GetEntry(OdooAddonPackage.MetadataEntry);
                if (meta == null)
                    throw new DeployException(ErrorIds.PackageMetadataMissing, ErrorKind.InvalidData,
                        $"'{path}' has no {OdooAddonPackage.MetadataEntry}: build it with New-OdooAddonPackage", path);
                JObject doc;
                try
                {
                    using var reader = new StreamReader(meta.Open(), Encoding.UTF8);
                    doc = JObject.Parse(reader.ReadToEnd());
                }
                catch (Newtonsoft.Json.JsonReaderException ex)
                {
                    throw new DeployException(ErrorIds.PackageMetadataInvalid, ErrorKind.InvalidData,
                        $"{path}!{OdooAddonPackage.MetadataEntry} line {ex.LineNumber}: {ex.Message}", path);
                }
                if (!(doc["addons"] is JArray list))
                    throw new DeployException(ErrorIds.PackageMetadataInvalid, ErrorKind.InvalidData, $"{path}!{OdooAddonPackage.MetadataEntry}: no \"addons\" array", path);
                foreach (JToken a in list)
                {
                    var addon = new PackagedAddon
                    {
                        Name = (string?)a["name"] ?? string.Empty,
                        Version = (string?)a["version"] ?? string.Empty,
                        Checksum = (string?)a["checksum"] ?? string.Empty,
                        Depends = (a["depends"] as JArray)?.Select(d => (string)d!).ToArray() ?? Array.Empty<string>(),
                    };
                    if (!System.Text.RegularExpressions.Regex.IsMatch(addon.Name, "^[A-Za-z0-9_]+$"))
                        throw new DeployException(ErrorIds.PackageMetadataInvalid, ErrorKind.InvalidData,
                            $"{path}!{OdooAddonPackage.MetadataEntry}: addon name '{addon.Name}' is not a valid Odoo module name", path);
                    addons.Add(addon);
                }
            }
            return new DeployPackage(path, sha, new FileInfo(path).Length, addons);
        }


        // ---- entry safety -------------------------------------------------------------------

        /// <summary>Refuses absolute names, "..", backslashes, device names and links that leave the release,
        /// reading the zip's central directory itself (it carries the Unix mode of each entry).</summary>
        public static void CheckEntries(string path)
        {
            List<ZipCentralEntry> entries;
            try { entries = ZipCentralEntry.Read(path); }
            catch (InvalidDataException ex)
            {
                throw new DeployException(ErrorIds.PackageCorrupt, ErrorKind.InvalidData, $"'{path}' is not a readable zip: {ex.Message}", path);
            }
            using ZipArchive zip = ZipFile.OpenRead(path);
            foreach (ZipCentralEntry e in entries)
            {
                string name = e.Name;
                string? problem = UnsafeName(name);
                if (problem == null && e.IsSymlink)
                {
                    ZipArchiveEntry? ze = zip.GetEntry(name);
                    string target;
                    using (var reader = new StreamReader(ze!.Open(), Encoding.UTF8)) target = reader.ReadToEnd();
                    if (target.StartsWith("/", StringComparison.Ordinal)) problem = $"a link to the absolute path '{target}'";
                    else
                    {
                        var parts = new List<string>(name.Split('/'));
                        parts.RemoveAt(parts.Count - 1);
                        foreach (string seg in target.Split('/'))
                        {
                            if (seg == "" || seg == ".") continue;
                            if (seg == "..") { if (parts.Count == 0) { problem = $"a link leaving the release ('{target}')"; break; } parts.RemoveAt(parts.Count - 1); }
                            else parts.Add(seg);
                        }
                    }
                }
                if (problem != null)
                    throw new DeployException(ErrorIds.UnsafeZipEntry, ErrorKind.SecurityError,
                        $"'{path}' holds an unsafe entry '{name}': {problem}; nothing was extracted", name);
            }
        }

        private static string? UnsafeName(string name)
        {
            if (name.Length == 0) return "an empty name";
            if (name.StartsWith("/", StringComparison.Ordinal) || name.StartsWith("\\", StringComparison.Ordinal)) return "an absolute path";
            if (name.Length > 1 && name[1] == ':') return "a drive letter";
            if (name.Contains('\\')) return "a backslash (Windows path separator)";
            if (name.Contains('\0')) return "a NUL character";
            if (name.Split('/').Any(s => s == "..")) return "a '..' segment leaving the release";
            return null;
        }

        // ---- module_auto_update checksums for a database's languages -----------------------

        /// <summary>
        /// The checksum of each addon as OCA module_auto_update computes it in a database whose active
        /// languages are <paramref name="activeLanguages"/>: the package's checksum patterns, and .po files of
        /// i18n/ and i18n_extra/ only for those languages (all of them when the list is empty),
        /// in os.walk order (a folder's files sorted, then its sub-folders sorted).
        /// </summary>
        public IReadOnlyDictionary<string, string> ChecksumsFor(IReadOnlyCollection<string> activeLanguages)
        {
            var keep = new HashSet<string>(activeLanguages.Select(l => l.Split('_')[0]), StringComparer.Ordinal);
            var byAddon = Addons.ToDictionary(a => a.Name, _ => new List<ZipArchiveEntry>(), StringComparer.Ordinal);
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            using ZipArchive zip = ZipFile.OpenRead(Path);
            foreach (ZipArchiveEntry e in zip.Entries)
            {
                int slash = e.FullName.IndexOf('/');
                if (slash <= 0 || e.FullName.EndsWith("/", StringComparison.Ordinal)) continue;
                if (byAddon.TryGetValue(e.FullName.Substring(0, slash), out var list)) list.Add(e);
            }
            foreach (PackagedAddon addon in Addons)
            {
                var files = byAddon[addon.Name]
                    .Select(e => (rel: e.FullName.Substring(addon.Name.Length + 1), entry: e))
                    .Where(f => !AddonFiles.ChecksumExclusions.Any(p => p.IsMatch(f.rel)))
                    .Where(f => KeepLanguage(f.rel, keep))
                    .OrderBy(f => WalkKey(f.rel), WalkComparer.Instance)
                    .ToList();
                using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
                foreach (var (rel, entry) in files)
                {
                    sha1.AppendData(Encoding.UTF8.GetBytes(rel));
                    using var s = entry.Open();
                    using var ms = new MemoryStream();
                    s.CopyTo(ms);
                    sha1.AppendData(ms.ToArray());
                }
                result[addon.Name] = Hashing.Hex(sha1.GetHashAndReset());
            }
            return result;
        }

        private static bool KeepLanguage(string rel, HashSet<string> keep)
        {
            if (keep.Count == 0) return true;
            int slash = rel.LastIndexOf('/');
            if (slash < 0) return true;
            string dir = rel.Substring(0, slash);
            if (dir != "i18n" && dir != "i18n_extra") return true;
            string file = rel.Substring(slash + 1);
            if (!file.EndsWith(".po", StringComparison.Ordinal)) return true;
            string lang = file.Substring(0, file.Length - 3).Split('_')[0];
            return keep.Contains(lang);
        }

        /// <summary>os.walk order: the key is the folder segments, then a marker that files come before folders.</summary>
        private static string[] WalkKey(string rel) => rel.Split('/');

        private sealed class WalkComparer : IComparer<string[]>
        {
            public static readonly WalkComparer Instance = new WalkComparer();
            public int Compare(string[]? a, string[]? b)
            {
                for (int i = 0; ; i++)
                {
                    bool aFile = i == a!.Length - 1, bFile = i == b!.Length - 1;
                    if (aFile && !bFile) return -1; // a file of this folder comes before any sub-folder
                    if (bFile && !aFile) return 1;
                    int c = string.CompareOrdinal(a[i], b[i]);
                    if (c != 0 || aFile) return c;
                }
            }
        }
    }

    /// <summary>A zip central-directory record: the name and the Unix mode the extractor will use.</summary>
    internal sealed class ZipCentralEntry
    {
        public string Name { get; private set; } = string.Empty;
        public bool IsSymlink { get; private set; }

        public static List<ZipCentralEntry> Read(string path)
        {
            byte[] data = File.ReadAllBytes(path);
            int eocd = -1;
            for (int i = data.Length - 22; i >= Math.Max(0, data.Length - 22 - 65535); i--)
                if (BitConverter.ToUInt32(data, i) == 0x06054b50) { eocd = i; break; }
            if (eocd < 0) throw new InvalidDataException("no end of central directory record");
            int count = BitConverter.ToUInt16(data, eocd + 10);
            long offset = BitConverter.ToUInt32(data, eocd + 16);
            var result = new List<ZipCentralEntry>();
            int p = (int)offset;
            for (int n = 0; n < count; n++)
            {
                if (p + 46 > data.Length || BitConverter.ToUInt32(data, p) != 0x02014b50) throw new InvalidDataException("bad central directory entry " + n);
                int madeBy = data[p + 5];
                int nameLen = BitConverter.ToUInt16(data, p + 28), extraLen = BitConverter.ToUInt16(data, p + 30), commentLen = BitConverter.ToUInt16(data, p + 32);
                uint external = BitConverter.ToUInt32(data, p + 38);
                string name = Encoding.UTF8.GetString(data, p + 46, nameLen);
                uint mode = external >> 16;
                result.Add(new ZipCentralEntry { Name = name, IsSymlink = madeBy == 3 && (mode & 0xF000) == 0xA000 });
                p += 46 + nameLen + extraLen + commentLen;
            }
            return result;
        }
    }
}
