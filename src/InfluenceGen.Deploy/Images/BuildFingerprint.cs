using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Images
{
    /// <summary>
    /// Everything the classic builder's result depends on, as one digest: the context tar (the Dockerfile and
    /// .dockerignore are in it), the Dockerfile's name, build arguments, target, platform, network mode, the
    /// labels, and the local image id of every base image (FROM and COPY --from=image). An image built here from
    /// the same fingerprint is what a new build would give again (every step from the cache), so the context need
    /// not be sent (<see cref="BuildFingerprintCache"/>). No fingerprint (always a real build) when the result may
    /// depend on something outside these: a base named with an ARG that cannot be resolved, FROM --platform, a base
    /// not present locally (the build pulls it), or an ADD from a URL or git (fetched anew on every build).
    /// </summary>
    public static class BuildFingerprint
    {
        private static readonly Regex Variable = new Regex(@"\$(?:\{(\w+)\}|(\w+))");

        /// <summary>The base image references of a Dockerfile (ARGs before the first FROM resolved with the build
        /// arguments or their defaults, stage names left out), or null when they cannot be known without building.</summary>
        public static IReadOnlyList<string>? BaseImages(DockerfileSteps steps, IDictionary<string, string> buildArgs)
        {
            var globals = new Dictionary<string, string>(StringComparer.Ordinal);
            var stages = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var bases = new List<string>();
            bool seenFrom = false;
            int stageIndex = -1;
            foreach (DockerfileInstruction instruction in steps.Instructions)
            {
                string[] words = instruction.Text.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                switch (instruction.Keyword)
                {
                    case "ARG" when !seenFrom:
                        foreach (string declaration in words.Skip(1))
                        {
                            int eq = declaration.IndexOf('=');
                            string name = eq < 0 ? declaration : declaration.Substring(0, eq);
                            string? value = buildArgs.TryGetValue(name, out string? given) ? given : eq < 0 ? null : Unquote(declaration.Substring(eq + 1));
                            if (value != null) globals[name] = value;
                        }
                        break;
                    case "FROM":
                        seenFrom = true;
                        stageIndex++;
                        if (words.Length < 2 || words[1].StartsWith("--", StringComparison.Ordinal)) return null;
                        string? image = Substitute(words[1], globals);
                        if (image == null) return null;
                        if (!stages.Contains(image) && !image.Equals("scratch", StringComparison.OrdinalIgnoreCase)) bases.Add(image);
                        if (words.Length >= 4 && words[2].Equals("AS", StringComparison.OrdinalIgnoreCase)) stages.Add(words[3]);
                        stages.Add(stageIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        break;
                    case "COPY":
                    case "ADD":
                        foreach (string w in words.Skip(1))
                        {
                            if (w.StartsWith("--from=", StringComparison.OrdinalIgnoreCase))
                            {
                                string? from = Substitute(w.Substring("--from=".Length), globals);
                                if (from == null) return null;
                                if (!stages.Contains(from)) bases.Add(from);
                            }
                            else if (instruction.Keyword == "ADD" && Regex.IsMatch(w, @"^(https?://|git@|git://)", RegexOptions.IgnoreCase))
                            {
                                return null;
                            }
                        }
                        break;
                }
            }
            return bases.Distinct(StringComparer.Ordinal).ToArray();
        }

        /// <summary>The digest of a build's inputs, or null when it cannot be known (see the class).</summary>
        /// <param name="imageId">The local image id of a reference, null when it is not present.</param>
        /// <param name="contextDigest">The context tar's digest (default: <see cref="BuildContext.ComputeDigest"/>, which reads
        /// every file; <see cref="BuildFingerprintCache.ContextDigest"/> remembers it for an unchanged context).</param>
        public static async Task<string?> ComputeAsync(BuildContext context, DockerfileSteps steps, ImageBuildRequest request,
            Func<string, Task<string?>> imageId, Func<BuildContext, string>? contextDigest = null)
        {
            IReadOnlyList<string>? bases = BaseImages(steps, request.BuildArgs);
            if (bases == null) return null;
            var text = new StringBuilder();
            foreach (string b in bases)
            {
                string? id = await imageId(b).ConfigureAwait(false);
                if (id == null) return null;
                text.Append("from ").Append(b).Append(' ').Append(id).Append('\n');
            }
            text.Append("context ").Append(contextDigest != null ? contextDigest(context) : context.ComputeDigest()).Append('\n');
            text.Append("dockerfile ").Append(context.DockerfileName).Append('\n');
            foreach (var kv in request.BuildArgs.OrderBy(k => k.Key, StringComparer.Ordinal))
                text.Append("arg ").Append(kv.Key).Append('=').Append(kv.Value).Append('\n');
            foreach (var kv in request.Labels.OrderBy(k => k.Key, StringComparer.Ordinal))
                text.Append("label ").Append(kv.Key).Append('=').Append(kv.Value).Append('\n');
            text.Append("target ").Append(request.Target ?? string.Empty).Append('\n');
            text.Append("platform ").Append(request.Platform ?? string.Empty).Append('\n');
            text.Append("network ").Append(request.NetworkMode ?? string.Empty).Append('\n');
            using var sha = SHA256.Create();
            return "sha256:" + Hashing.Hex(sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString())));
        }

        private static string? Substitute(string word, IDictionary<string, string> values)
        {
            bool unknown = false;
            string result = Variable.Replace(word, m =>
            {
                string name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                if (values.TryGetValue(name, out string? v)) return v;
                unknown = true;
                return m.Value;
            });
            return unknown || result.Contains("$") || result.Length == 0 ? null : result;
        }

        private static string Unquote(string s) =>
            s.Length >= 2 && (s[0] == '"' || s[0] == '\'') && s[s.Length - 1] == s[0] ? s.Substring(1, s.Length - 2) : s;
    }

    /// <summary>
    /// Which image this engine built from a fingerprint: one small file per fingerprint under
    /// $XDG_CACHE_HOME/influencegen/image-builds (default ~/.cache/…), holding the image id, written atomically.
    /// Used only while that image still exists here with a parent (built on this engine by the classic builder,
    /// so its step cache is here too: a pulled or loaded image has no parent). A cache that cannot be read or
    /// written is ignored. Beside them, the digest of a context tar per <see cref="BuildContext.StatKey"/>
    /// (<see cref="ContextDigest"/>), so an unchanged context is not read and hashed again.
    /// </summary>
    public sealed class BuildFingerprintCache
    {
        private readonly string _directory;

        /// <param name="directory">The cache's folder: <c>JobContext.CacheFor("image-builds")</c> in the cmdlet.</param>
        public BuildFingerprintCache(string directory) { _directory = directory; }

        private string FileFor(string fingerprint) => System.IO.Path.Combine(_directory, fingerprint.Replace("sha256:", string.Empty) + ".id");

        public string? ImageFor(string fingerprint)
        {
            try
            {
                string file = FileFor(fingerprint);
                if (!System.IO.File.Exists(file)) return null;
                string id = System.IO.File.ReadAllText(file).Trim();
                return Regex.IsMatch(id, "^sha256:[0-9a-f]{64}$") ? id : null;
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException) { return null; }
        }

        /// <summary>How long before the hashing a file must have been written last for its digest to be remembered: a
        /// file written again within the same tick of its clock would keep its write time (git's "racily clean" entries).</summary>
        public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

        /// <summary>
        /// The SHA-256 of <paramref name="context"/>'s tar: remembered under its <see cref="BuildContext.StatKey"/> (names,
        /// sizes, modes, write times), else computed by reading every file and remembered when no file was written within
        /// <see cref="SettleTime"/> before. <paramref name="remembered"/> says which.
        /// </summary>
        public string ContextDigest(BuildContext context, out bool remembered)
        {
            string file = System.IO.Path.Combine(_directory, "context-" + context.StatKey() + ".sha256");
            try
            {
                if (System.IO.File.Exists(file))
                {
                    string known = System.IO.File.ReadAllText(file).Trim();
                    if (Regex.IsMatch(known, "^sha256:[0-9a-f]{64}$")) { remembered = true; return known; }
                }
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException) { /* a cache only */ }
            remembered = false;
            DateTime started = DateTime.UtcNow;
            string digest = context.ComputeDigest();
            if (context.LatestWriteUtc < started - SettleTime)
            {
                try
                {
                    System.IO.Directory.CreateDirectory(_directory);
                    AtomicFile.WriteAllText(file, digest + "\n");
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException) { /* a cache only */ }
            }
            return digest;
        }

        public void Remember(string fingerprint, string imageId)
        {
            try
            {
                System.IO.Directory.CreateDirectory(_directory);
                AtomicFile.WriteAllText(FileFor(fingerprint), imageId + "\n");
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException) { /* a cache only */ }
        }
    }
}
