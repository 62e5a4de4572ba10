using System.Reflection;
using System.Text.RegularExpressions;
using InfluenceGen.Deploy.Cmdlets;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Odoo.Testing;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Infrastructure
{
    /// <summary>
    /// The error ids live in one place (Infrastructure/ErrorIds.cs), are written as ErrorIds.X everywhere, and the
    /// lists a user reads (docs/errors.md, about_InfluenceGen_Errors) are the same list.
    /// </summary>
    [Trait("Category", "Fast")]
    public class ErrorIdCatalogTests
    {
        private static string Src => Path.Combine(Repo.Root, "src", "InfluenceGen.Deploy");

        private static readonly Dictionary<string, string> Catalogue = typeof(ErrorIds)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);

        /// <summary>A string literal shaped like an error id (PascalCase, nothing else), as opposed to e.g. a
        /// marker a condition looks for ("@@LOCK_CHANGED") or a manifest field name ("depends").</summary>
        private static readonly Regex LooksLikeId = new Regex("(?<![\\w$@])\"[A-Z][A-Za-z0-9]+\"");

        /// <summary>The calls whose first argument is an error id.</summary>
        private static readonly Regex IdCall = new Regex(@"\b(?:DeployException|N8nApiException|AddonProblem|N8nWorkflowProblem|Problem|StatusError|Conflict)\(");

        private static IEnumerable<string> SourceFiles() =>
            Directory.EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)
                         && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar)
                         && Path.GetFileName(f) != "ErrorIds.cs");

        [Fact]
        public void EveryIdIsItsOwnNameAndUnique()
        {
            Assert.True(Catalogue.Count > 150, $"only {Catalogue.Count} ids found in ErrorIds");
            foreach (var (name, value) in Catalogue) Assert.Equal(name, value);
            Assert.Equal(Catalogue.Count, Catalogue.Values.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        }

        /// <summary>The first argument of every error-id call (DeployException, problems, …) holds no string literal:
        /// a new id must be added to ErrorIds (and docs/errors.md) first. Also scans comparisons with .ErrorId.</summary>
        [Fact]
        public void NoErrorIdIsWrittenAsAStringLiteral()
        {
            var offenders = new List<string>();
            foreach (string file in SourceFiles())
            {
                string text = File.ReadAllText(file);
                foreach (Match m in IdCall.Matches(text))
                {
                    string arg = FirstArgument(text, m.Index + m.Length);
                    string withoutComparisons = Regex.Replace(arg, "[!=]=\\s*\"[^\"]*\"", "");
                    if (LooksLikeId.IsMatch(withoutComparisons))
                        offenders.Add($"{Rel(file)}:{Line(text, m.Index)}: {m.Value}{arg.Trim()}");
                }
                foreach (Match m in Regex.Matches(text, "(?:ErrorId|JobErrorId)\\s*(?:==|=>|=|!=)\\s*\"\\w*\""))
                    offenders.Add($"{Rel(file)}:{Line(text, m.Index)}: {m.Value}");
            }
            Assert.True(offenders.Count == 0, "error ids written as literals (use ErrorIds.X):\n" + string.Join("\n", offenders));
        }

        /// <summary>The scan above catches a literal, and passes the constant (so it cannot pass by matching nothing).</summary>
        [Fact]
        public void TheLiteralScanSeesALiteralAndPassesAConstant()
        {
            const string bad = "throw new DeployException(ok ? \"Made\" + \"Up\" : ErrorIds.PathNotFound, ErrorKind.InvalidData, \"m\");";
            Match m = IdCall.Match(bad);
            Assert.True(m.Success);
            Assert.Matches(LooksLikeId, FirstArgument(bad, m.Index + m.Length));
            const string good = "throw new DeployException(ErrorIds.PathNotFound, ErrorKind.InvalidData, \"message, with a comma\");";
            Assert.DoesNotMatch(LooksLikeId, FirstArgument(good, IdCall.Match(good).Index + IdCall.Match(good).Length));
            const string marker = "throw new DeployException(o.Contains(\"@@LOCKED\") ? ErrorIds.DeploymentLocked : ErrorIds.PathNotFound, ErrorKind.ResourceBusy, \"m\");";
            Assert.DoesNotMatch(LooksLikeId, FirstArgument(marker, IdCall.Match(marker).Index + IdCall.Match(marker).Length));
        }

        /// <summary>No dead ids: each is used in the code.</summary>
        [Fact]
        public void EveryIdIsUsed()
        {
            string all = string.Join("\n", SourceFiles().Select(File.ReadAllText));
            var unused = Catalogue.Keys.Where(id => !Regex.IsMatch(all, @"ErrorIds\." + id + @"\b")).ToList();
            Assert.True(unused.Count == 0, "ids in ErrorIds that nothing uses: " + string.Join(", ", unused));
        }

        [Fact]
        public void EveryOdooTestProblemKindHasACataloguedId()
        {
            var ids = new HashSet<string>();
            foreach (OdooTestProblemKind kind in Enum.GetValues(typeof(OdooTestProblemKind)))
            {
                string id = new OdooTestProblem { Kind = kind }.ErrorId;
                Assert.Equal("OdooTest" + kind, id);   // the id scripts have always seen for this kind
                Assert.True(Catalogue.ContainsKey(id) && ids.Add(id), $"{id} is not in ErrorIds or is used twice");
            }
        }

        [Fact]
        public void DocsErrorsListsExactlyTheCatalogue()
        {
            string md = File.ReadAllText(Path.Combine(Repo.Root, "docs", "errors.md"));
            var listed = Regex.Matches(md, @"^\| `(\w+)` \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
            AssertSameIds(listed, "docs/errors.md");
        }

        [Fact]
        public void AboutErrorsTopicListsExactlyTheCatalogue()
        {
            string about = File.ReadAllText(Path.Combine(Repo.Root, "module", "en-US", "about_InfluenceGen_Errors.help.txt"));
            int from = about.IndexOf("\nERROR IDS", StringComparison.Ordinal), to = about.IndexOf("\nSEE ALSO", StringComparison.Ordinal);
            Assert.True(from > 0 && to > from, "about_InfluenceGen_Errors has no ERROR IDS section before SEE ALSO");
            about = about.Substring(from, to - from);
            var listed = Regex.Matches(about, @"^    (\w+)\r?$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
            AssertSameIds(listed, "module/en-US/about_InfluenceGen_Errors.help.txt");
        }

        private static void AssertSameIds(List<string> listed, string where)
        {
            var dupes = listed.GroupBy(x => x).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(dupes.Count == 0, $"{where} lists twice: {string.Join(", ", dupes)}");
            var missing = Catalogue.Keys.Except(listed).OrderBy(x => x).ToList();
            var extra = listed.Except(Catalogue.Keys).OrderBy(x => x).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                $"{where} and ErrorIds differ. Not listed: {string.Join(", ", missing)}. Not in ErrorIds: {string.Join(", ", extra)}");
        }

        /// <summary>Each domain ErrorKind becomes the PowerShell ErrorCategory of the same name.</summary>
        [Fact]
        public void EveryErrorKindMapsToTheCategoryOfTheSameName()
        {
            foreach (ErrorKind kind in Enum.GetValues(typeof(ErrorKind)))
                Assert.Equal(kind.ToString(), InfluenceGenCmdlet.ToCategory(kind).ToString());
        }

        internal static string FirstArgument(string text, int start)
        {
            int depth = 0;
            bool inString = false;
            for (int i = start; i < text.Length; i++)
            {
                char c = text[i];
                if (inString)
                {
                    if (c == '\\') i++;
                    else if (c == '"') inString = false;
                }
                else if (c == '"') inString = true;
                else if (c == '(' || c == '[' || c == '{') depth++;
                else if ((c == ')' || c == ']' || c == '}') && depth-- == 0) return text.Substring(start, i - start);
                else if (c == ',' && depth == 0) return text.Substring(start, i - start);
            }
            return text.Substring(start);
        }

        private static string Rel(string file) => Path.GetRelativePath(Repo.Root, file);
        private static int Line(string text, int index) => text.Take(index).Count(c => c == '\n') + 1;
    }
}
