using System.Management.Automation;
using System.Reflection;
using System.Text.RegularExpressions;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Module
{
    /// <summary>
    /// The shape the design asks for (docs/design.md, "Layout" and principle 1): the domain knows nothing of PowerShell,
    /// and Cmdlets/ holds one file per cmdlet, named after it.
    /// </summary>
    [Trait("Category", "Fast")]
    public class CodeLayoutTests
    {
        private static string Src => Path.Combine(Repo.Root, "src", "InfluenceGen.Deploy");
        private static readonly Assembly Module = typeof(DeployException).Assembly;
        private const string CmdletNamespace = "InfluenceGen.Deploy.Cmdlets";

        private static IEnumerable<string> SourceFiles(string folder) =>
            Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)
                         && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar));

        [Fact]
        public void NoSourceOutsideCmdletsMentionsSystemManagementAutomation()
        {
            string cmdlets = Path.Combine(Src, "Cmdlets") + Path.DirectorySeparatorChar;
            var offenders = SourceFiles(Src)
                .Where(f => !f.StartsWith(cmdlets, StringComparison.Ordinal))
                .Where(f => Regex.IsMatch(File.ReadAllText(f), @"System\.Management\.Automation|\busing\s+SMA\b"))
                .Select(f => Path.GetRelativePath(Repo.Root, f)).ToList();
            Assert.True(offenders.Count == 0, "domain files referencing PowerShell: " + string.Join(", ", offenders));
        }

        /// <summary>The compiled form of the same rule: no type outside the Cmdlets namespace has a PowerShell type in
        /// its base types, interfaces, fields, properties, method signatures or attributes.</summary>
        [Fact]
        public void NoDomainTypeSignatureUsesAPowerShellType()
        {
            Assembly sma = typeof(PSCmdlet).Assembly;
            bool IsSma(Type? t) => t != null && (t.Assembly == sma
                || (t.HasElementType && IsSma(t.GetElementType()))
                || (t.IsGenericType && t.GetGenericArguments().Any(IsSma)));
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var offenders = new List<string>();
            foreach (Type t in Module.GetTypes().Where(t => t.Namespace != CmdletNamespace && !(t.Namespace ?? "").StartsWith(CmdletNamespace + ".")))
            {
                if (t.FullName != null && t.FullName.StartsWith(CmdletNamespace + ".", StringComparison.Ordinal)) continue;
                var used = new List<Type?> { t.BaseType };
                used.AddRange(t.GetInterfaces());
                used.AddRange(t.GetCustomAttributesData().Select(a => a.AttributeType));
                used.AddRange(t.GetFields(all).Select(f => f.FieldType));
                used.AddRange(t.GetProperties(all).Select(p => p.PropertyType));
                foreach (MethodBase m in t.GetMethods(all).Cast<MethodBase>().Concat(t.GetConstructors(all)))
                {
                    used.AddRange(m.GetParameters().Select(p => p.ParameterType));
                    if (m is MethodInfo mi) used.Add(mi.ReturnType);
                }
                foreach (Type? u in used.Where(IsSma).Distinct()) offenders.Add($"{t.FullName} uses {u}");
            }
            Assert.True(offenders.Count == 0, string.Join("\n", offenders));
        }

        /// <summary>And the rule is not vacuous: the cmdlets themselves do use PowerShell types.</summary>
        [Fact]
        public void TheCmdletsDoUsePowerShell()
        {
            Assert.Contains(Module.GetTypes(), t => t.Namespace == CmdletNamespace && typeof(PSCmdlet).IsAssignableFrom(t));
        }

        [Fact]
        public void EachCmdletHasItsOwnFileNamedAfterIt()
        {
            var problems = new List<string>();
            var cmdletTypes = Module.GetTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() != null).ToList();
            Assert.True(cmdletTypes.Count >= 20, $"only {cmdletTypes.Count} cmdlets found");
            foreach (Type t in cmdletTypes)
            {
                var a = t.GetCustomAttribute<CmdletAttribute>()!;
                string expected = a.VerbName + a.NounName.Replace("-", "") + "Command";
                if (t.Name != expected) problems.Add($"{t.FullName}: a cmdlet {a.VerbName}-{a.NounName} class is named {expected}");
                string file = Path.Combine(Src, "Cmdlets", t.Name + ".cs");
                if (!File.Exists(file)) problems.Add($"{t.Name}: no file Cmdlets/{t.Name}.cs");
            }
            foreach (string file in Directory.EnumerateFiles(Path.Combine(Src, "Cmdlets"), "*.cs"))
            {
                int count = Regex.Matches(File.ReadAllText(file), @"^\s*\[Cmdlet\(", RegexOptions.Multiline).Count;
                if (count > 1) problems.Add($"{Path.GetFileName(file)} declares {count} cmdlets");
            }
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        // ---- typed configuration (issue 12): the resolver is the one reader of process variables and the one place
        // secrets are registered; one type knows the environment names.

        private static List<string> Offenders(string pattern, Func<string, bool> allowed) =>
            SourceFiles(Src).Select(f => Path.GetRelativePath(Src, f).Replace('\\', '/'))
                .Where(rel => !allowed(rel))
                .Where(rel => Regex.IsMatch(File.ReadAllText(Path.Combine(Src, rel)), pattern))
                .ToList();

        /// <summary>PATH is the one exception: Quality/OdooLinter looks executables up the way the OS does (process
        /// plumbing the child processes inherit anyway, not a setting anyone configures for the module).</summary>
        [Fact]
        public void OnlyTheResolverReadsProcessVariables()
        {
            var offenders = Offenders(@"GetEnvironmentVariables?\(", rel => rel.StartsWith("Configuration/", StringComparison.Ordinal));
            offenders.Remove("Quality/OdooLinter.cs");
            Assert.True(offenders.Count == 0, "process variables read outside Configuration/: " + string.Join(", ", offenders));
            string linter = File.ReadAllText(Path.Combine(Src, "Quality", "OdooLinter.cs"));
            Assert.Equal(new[] { "PATH" }, Regex.Matches(linter, @"GetEnvironmentVariable\(""([^""]+)""\)").Select(m => m.Groups[1].Value).Distinct().ToArray());
        }

        [Fact]
        public void OnlyTheResolverRegistersSecrets()
        {
            var offenders = Offenders(@"[Mm]asker\w*(\.Default)?\.Add\(", rel => rel == "Configuration/ConfigurationResolver.cs" || rel == "Infrastructure/SecretMasker.cs");
            Assert.True(offenders.Count == 0, "secrets registered outside the resolver: " + string.Join(", ", offenders));
        }

        [Fact]
        public void OnlyTheEnvironmentTypeSpellsProduction()
        {
            var offenders = Offenders(@"""prod(uction)?""", rel => rel == "Configuration/DeployEnvironment.cs");
            Assert.True(offenders.Count == 0, "\"production\"/\"prod\" spelled outside Configuration/DeployEnvironment.cs: " + string.Join(", ", offenders));
        }

        [Fact]
        public void OutsideConfigurationSettingsAreNotReadByNameInCmdletsOrServicesThatHaveARecord()
        {
            var offenders = Offenders(@"\.(Get|Toggle)\(""(N8nApiUrl|N8nApiKey|SlackWebhook\w+|Enable\w+|ChangeRequestId|ChangeCompleteTransition|ImageName|Dockerfile|Registry\w*|RefreshSqlFile|ReviewTemplateDatabase)""\)",
                rel => rel.StartsWith("Configuration/", StringComparison.Ordinal)
                    || rel == "Training/TrainingSettings.cs"); // the training helper's record (issue 14 owns Training/)
            Assert.True(offenders.Count == 0, "settings read by name although a typed record has them: " + string.Join(", ", offenders));
        }
    }
}
