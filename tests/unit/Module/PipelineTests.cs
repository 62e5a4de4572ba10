using System.Diagnostics;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Module
{
    /// <summary>The GitLab pipeline: valid against GitLab's CI schema (fixtures/gitlab-ci.schema.json),
    /// and every job line calls cmdlets the module really exports.</summary>
    public class PipelineTests
    {
        private static string[] PipelineFiles() =>
            new[] { Path.Combine(Repo.Root, ".gitlab-ci.yml") }
                .Concat(Directory.GetFiles(Path.Combine(Repo.Root, "pipeline_templates"), "*.yml")).ToArray();

        private static (int Code, string Output) Validate(params string[] files)
        {
            string tools = Environment.GetEnvironmentVariable("IG_NODE_TOOLS")
                ?? throw new InvalidOperationException("IG_NODE_TOOLS is not set: run the tests with tests/run.sh (tests/setup/12-node-tools.sh installs ajv)");
            var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
            // ESM resolves packages from the script's folder upwards: the setup script puts a copy of
            // tests/tools/validate-gitlab-ci.mjs beside node_modules.
            string script = Path.Combine(Path.GetDirectoryName(tools)!, "validate-gitlab-ci.mjs");
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(Path.Combine(Repo.Fixtures, "gitlab-ci.schema.json"));
            foreach (string f in files) psi.ArgumentList.Add(f);
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output);
        }

        [Fact]
        public void ThePipelineIsValidAgainstGitLabsSchema()
        {
            var (code, output) = Validate(PipelineFiles());
            Assert.True(code == 0, output);
            Assert.Equal(PipelineFiles().Length, Regex.Matches(output, "^ok ", RegexOptions.Multiline).Count);
        }

        [Fact]
        public void TheValidatorRejectsABrokenPipeline()
        {
            using var tmp = new TempDir();
            string bad = tmp.Write("bad.yml", "build_job:\n  stage: build\n  script: 42\n  when: sometimes\n");
            var (code, output) = Validate(bad);
            Assert.Equal(1, code);
            Assert.Contains("invalid", output);
        }

        [Fact]
        public void EveryJobLineIsOnePwshCallOfExportedCmdlets()
        {
            using var ps = new PowerShellSession();
            var exported = ps.Invoke("(Get-Command -Module InfluenceGen.Deploy).Name").Output.Select(o => o.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var pwshLine = new Regex(@"^\s*-\s*pwsh -NoProfile -NonInteractive -c '(?<cmd>(?:[^']|'')*)'\s*$", RegexOptions.Multiline);
            int lines = 0;
            foreach (string file in PipelineFiles())
            {
                foreach (Match m in pwshLine.Matches(File.ReadAllText(file)))
                {
                    lines++;
                    string command = m.Groups["cmd"].Value.Replace("''", "'");
                    Ast ast = Parser.ParseInput(command, out _, out ParseError[] errors);
                    Assert.True(errors.Length == 0, $"{file}: {command}: {string.Join("; ", errors.Select(e => e.Message))}");
                    foreach (CommandAst call in ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>())
                    {
                        string? name = call.GetCommandName();
                        if (name == null || !name.Contains('-')) continue;
                        Assert.True(exported.Contains(name), $"{Path.GetFileName(file)} calls {name}, which the module does not export");
                    }
                }
            }
            Assert.True(lines > 0);
        }
    }
}
