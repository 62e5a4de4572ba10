using System.Management.Automation;
using System.Management.Automation.Language;
using System.Reflection;
using System.Xml.Linq;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Module
{
    /// <summary>The built module folder as a user imports it: manifest, exports, help, formats, specs.</summary>
    [Trait("Category", "Fast")]
    public class ModuleTests
    {
        private static readonly Type[] CmdletTypes = typeof(InfluenceGen.Deploy.Cmdlets.InfluenceGenCmdlet).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.GetCustomAttribute<CmdletAttribute>() != null).ToArray();

        private static string CmdletName(Type t)
        {
            var a = t.GetCustomAttribute<CmdletAttribute>()!;
            return a.VerbName + "-" + a.NounName;
        }

        [Fact]
        public void TestModuleManifestAcceptsTheBuiltFolder()
        {
            using var ps = new PowerShellSession(importModule: false);
            PsResult r = ps.Invoke($"Test-ModuleManifest -Path '{Path.Combine(Repo.ModuleFolder, "InfluenceGen.Deploy.psd1")}'");
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            Assert.Equal("InfluenceGen.Deploy", r.Single().Properties["Name"].Value);
        }

        [Fact]
        public void CmdletsToExportListsExactlyTheCmdletsOfTheAssembly()
        {
            using var ps = new PowerShellSession();
            PsResult r = ps.Invoke("(Get-Command -Module InfluenceGen.Deploy).Name");
            var exported = r.Output.Select(o => o.ToString()).OrderBy(n => n).ToArray();
            var implemented = CmdletTypes.Select(CmdletName).OrderBy(n => n).ToArray();
            Assert.Equal(implemented, exported);
            Assert.Contains("New-OdooAddonPackage", exported);
            Assert.Contains("Get-InfluenceGenConfiguration", exported);
            string manifest = File.ReadAllText(Path.Combine(Repo.Root, "module", "InfluenceGen.Deploy.psd1"));
            Assert.DoesNotContain("CmdletsToExport      = '*'", manifest);
        }

        [Fact]
        public void EveryCmdletUsesAnApprovedVerb()
        {
            using var ps = new PowerShellSession();
            var approved = ps.Invoke("(Get-Verb).Verb").Output.Select(o => o.ToString()).ToHashSet();
            // Get-Verb lives in the Utility module on pwsh; fall back to the SMA verb classes here.
            if (approved.Count == 0)
                foreach (Type t in new[] { typeof(VerbsCommon), typeof(VerbsData), typeof(VerbsLifecycle), typeof(VerbsDiagnostic), typeof(VerbsCommunications), typeof(VerbsSecurity), typeof(VerbsOther) })
                    foreach (FieldInfo f in t.GetFields()) approved.Add((string)f.GetValue(null)!);
            Assert.All(CmdletTypes, t => Assert.Contains(t.GetCustomAttribute<CmdletAttribute>()!.VerbName, approved));
        }

        [Fact]
        public void EveryCmdletHasHelpWithAtLeastTwoExamples()
        {
            using var ps = new PowerShellSession();
            foreach (string name in CmdletTypes.Select(CmdletName))
            {
                PsResult r = ps.Invoke($"$h = Get-Help {name} -Examples; $h.Synopsis; @($h.examples.example).Count; ($h.examples.example | ForEach-Object {{ $_.code }}) -join \"`n\"");
                Assert.Null(r.Terminating);
                string synopsis = r.Output[0].ToString();
                Assert.False(string.IsNullOrWhiteSpace(synopsis), name);
                Assert.DoesNotContain(name + " [", synopsis); // the auto-generated syntax stub means no help was found
                Assert.True((int)r.Output[1].BaseObject >= 2, $"{name} has fewer than two examples");
                Assert.Contains(name, r.Output[2].ToString());
            }
        }

        [Fact]
        public void EveryOutputTypeHasATableView()
        {
            var views = Directory.GetFiles(Repo.ModuleFolder, "*.Format.ps1xml")
                .SelectMany(f => XDocument.Load(f).Descendants("View"))
                .Where(v => v.Element("TableControl") != null)
                .SelectMany(v => v.Descendants("TypeName").Select(t => t.Value))
                .ToHashSet();
            var outputTypes = CmdletTypes.SelectMany(t => t.GetCustomAttributes<OutputTypeAttribute>())
                .SelectMany(a => a.Type.Select(pt => pt.Name)).Where(n => n.StartsWith("InfluenceGen.")).Distinct().ToArray();
            Assert.NotEmpty(outputTypes);
            Assert.All(outputTypes, t => Assert.Contains(t, views));
            string manifest = File.ReadAllText(Path.Combine(Repo.ModuleFolder, "InfluenceGen.Deploy.psd1"));
            foreach (string file in Directory.GetFiles(Repo.ModuleFolder, "*.Format.ps1xml"))
                Assert.Contains(Path.GetFileName(file), manifest);
        }

        [Fact]
        public void StateChangingCmdletsSupportShouldProcess()
        {
            string[] readOnlyVerbs = { "Get", "Test", "ConvertFrom", "Wait", "Export" };
            foreach (Type t in CmdletTypes)
            {
                var a = t.GetCustomAttribute<CmdletAttribute>()!;
                if (readOnlyVerbs.Contains(a.VerbName)) continue;
                Assert.True(a.SupportsShouldProcess, $"{CmdletName(t)} changes state but does not support -WhatIf/-Confirm");
            }
        }

        [Fact]
        public void EveryCmdletHasAPesterSpec()
        {
            // The specs themselves run under the real pwsh + Pester 5 in tests/run.sh (tests/pester/Invoke-Specs.ps1).
            // One spec per cmdlet.
            foreach (string name in CmdletTypes.Select(CmdletName))
                Assert.True(File.Exists(Path.Combine(Repo.Root, "tests", "pester", name + ".Tests.ps1")), $"no Pester spec for {name}");
        }

        [Fact]
        public void CmdletFilesStayThin()
        {
            // A cmdlet file reads like a table of contents; the work is in its domain folder.
            foreach (string file in Directory.GetFiles(Path.Combine(Repo.Root, "src", "InfluenceGen.Deploy", "Cmdlets"), "*Command.cs"))
            {
                int lines = File.ReadAllLines(file).Length;
                Assert.True(lines < 400, $"{Path.GetFileName(file)} has {lines} lines: move the work into the domain");
            }
        }
    }
}
