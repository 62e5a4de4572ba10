using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Images
{
    /// <summary>
    /// The patterns of a <c>.dockerignore</c>, matched exactly as the docker CLI does
    /// (moby/patternmatcher + the CLI's ignorefile reader):
    /// <list type="bullet">
    /// <item>one pattern a line; blank lines and lines starting with <c>#</c> are skipped; surrounding
    /// white space is trimmed; <c>!</c> makes an exception (re-includes);</item>
    /// <item>each pattern is path-cleaned (<c>./a/../b</c> is <c>b</c>) and a leading <c>/</c> dropped;</item>
    /// <item><c>*</c> is any run of characters but <c>/</c>, <c>?</c> one such character, <c>[…]</c> a class,
    /// <c>\</c> escapes; <c>**</c> any number of directories (zero included), <c>**</c> at the end anything;</item>
    /// <item>a pattern also matches every path below a directory it matches;</item>
    /// <item>the last pattern that matches decides.</item>
    /// </list>
    /// </summary>
    public sealed class DockerIgnore
    {
        private readonly List<Pattern> _patterns;

        private DockerIgnore(List<Pattern> patterns) { _patterns = patterns; }

        public static readonly DockerIgnore Empty = new DockerIgnore(new List<Pattern>());

        public int Count => _patterns.Count;
        public bool HasExceptions => _patterns.Any(p => p.Exception);

        /// <summary>Reads <c>.dockerignore</c> of a context folder (none = nothing excluded).</summary>
        public static DockerIgnore Load(string contextDirectory)
        {
            string file = Path.Combine(contextDirectory, ".dockerignore");
            return File.Exists(file) ? Parse(File.ReadAllLines(file), file) : Empty;
        }

        public static DockerIgnore Parse(IEnumerable<string> lines, string source = ".dockerignore")
        {
            var patterns = new List<Pattern>();
            int number = 0;
            foreach (string raw in lines)
            {
                number++;
                string line = number == 1 ? raw.TrimStart('\uFEFF') : raw;
                if (line.StartsWith("#", StringComparison.Ordinal)) continue;
                line = line.Trim();
                if (line.Length == 0) continue;
                bool exception = false;
                if (line[0] == '!')
                {
                    if (line.Length == 1)
                        throw new DeployException(ErrorIds.InvalidDockerIgnore, ErrorKind.ParserError, $"{source}:{number}: illegal exclusion pattern: \"!\"", source);
                    exception = true;
                    line = line.Substring(1).Trim();
                }
                string cleaned = CleanPath(line);
                if (cleaned.Length > 1 && cleaned[0] == '/') cleaned = cleaned.Substring(1);
                try
                {
                    patterns.Add(new Pattern(cleaned, exception, Compile(cleaned)));
                }
                catch (ArgumentException ex)
                {
                    throw new DeployException(ErrorIds.InvalidDockerIgnore, ErrorKind.ParserError, $"{source}:{number}: bad pattern \"{line}\": {ex.Message}", source);
                }
            }
            return new DockerIgnore(patterns);
        }

        /// <summary>Adds an exception so that <paramref name="path"/> is kept (as the CLI keeps the
        /// Dockerfile and .dockerignore when a pattern excludes them).</summary>
        public DockerIgnore Keeping(string path)
        {
            if (!IsExcluded(path)) return this;
            var copy = new List<Pattern>(_patterns) { new Pattern(path, true, Compile(CleanPath(path))) };
            return new DockerIgnore(copy);
        }

        /// <summary>Is the context-relative path (with <c>/</c>) excluded?</summary>
        public bool IsExcluded(string relativePath)
        {
            string file = CleanPath(relativePath);
            string parent = ParentOf(file);
            string[] parentDirs = parent == "." ? Array.Empty<string>() : parent.Split('/');
            bool matched = false;
            foreach (Pattern pattern in _patterns)
            {
                // An inclusion cannot change an already-excluded path; an exception only matters once excluded.
                if (pattern.Exception != matched) continue;
                bool match = pattern.Regex.IsMatch(file);
                if (!match && parentDirs.Length > 0)
                    for (int i = 0; i < parentDirs.Length && !match; i++)
                        match = pattern.Regex.IsMatch(string.Join("/", parentDirs, 0, i + 1));
                if (match) matched = !pattern.Exception;
            }
            return matched;
        }

        /// <summary>May anything below the excluded directory be re-included by an exception? (If not,
        /// the walk skips it, as the CLI does.)</summary>
        public bool MayReinclude(string directory)
        {
            string dir = CleanPath(directory) + "/";
            foreach (Pattern p in _patterns.Where(p => p.Exception))
            {
                if (p.Text.IndexOfAny(new[] { '*', '?', '[', '\\' }) >= 0) return true;
                if (p.Text.StartsWith(dir, StringComparison.Ordinal) || dir.StartsWith(p.Text + "/", StringComparison.Ordinal)) return true;
            }
            return false;
        }

        private static string ParentOf(string path)
        {
            int i = path.LastIndexOf('/');
            return i <= 0 ? "." : path.Substring(0, i);
        }

        /// <summary>Go's path.Clean: collapse slashes, drop <c>.</c>, resolve <c>..</c>.</summary>
        internal static string CleanPath(string path)
        {
            if (path.Length == 0) return ".";
            bool rooted = path[0] == '/';
            var parts = new List<string>();
            foreach (string part in path.Split('/'))
            {
                if (part.Length == 0 || part == ".") continue;
                if (part == "..")
                {
                    if (parts.Count > 0 && parts[parts.Count - 1] != "..") parts.RemoveAt(parts.Count - 1);
                    else if (!rooted) parts.Add("..");
                    continue;
                }
                parts.Add(part);
            }
            string joined = string.Join("/", parts);
            if (rooted) return "/" + joined;
            return joined.Length == 0 ? "." : joined;
        }

        /// <summary>patternmatcher's translation of a pattern into an anchored regular expression.</summary>
        private static Regex Compile(string pattern)
        {
            var re = new StringBuilder("^");
            for (int i = 0; i < pattern.Length; i++)
            {
                char ch = pattern[i];
                if (ch == '*')
                {
                    if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                    {
                        i++;
                        if (i + 1 < pattern.Length && pattern[i + 1] == '/') i++;   // "**/" is "**"
                        re.Append(i + 1 >= pattern.Length ? ".*" : "(.*/)?");
                    }
                    else re.Append("[^/]*");
                }
                else if (ch == '?') re.Append("[^/]");
                else if (".+()|{}$".IndexOf(ch) >= 0) re.Append('\\').Append(ch);
                else if (ch == '\\')
                {
                    if (i + 1 < pattern.Length) re.Append('\\').Append(pattern[++i]);
                    else re.Append("\\\\");
                }
                else re.Append(ch);
            }
            re.Append('$');
            return new Regex(re.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
        }

        private sealed class Pattern
        {
            public Pattern(string text, bool exception, Regex regex) { Text = text; Exception = exception; Regex = regex; }
            public string Text { get; }
            public bool Exception { get; }
            public Regex Regex { get; }
        }
    }
}
