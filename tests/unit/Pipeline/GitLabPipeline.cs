using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Pipeline
{
    /// <summary>What one gitlab-ci-local run did: its exit code, its log, each job's outcome, the artifacts.</summary>
    public sealed record PipelineRun(int ExitCode, string Output, IReadOnlyDictionary<string, string> Jobs, string ArtifactsRoot, TimeSpan Took)
    {
        /// <summary>"PASS", "FAIL", "WARN" (allowed failure) for jobs that ran; null for jobs that did not run.</summary>
        public string? Status(string job) => Jobs.TryGetValue(job, out string? s) ? s : null;
        public bool Passed(string job) => Status(job) == "PASS";
        public string Artifact(string job, string file) => Path.Combine(ArtifactsRoot, job, file);
        public override string ToString() => $"exit {ExitCode}, {Took.TotalSeconds:0}s, jobs: {string.Join(", ", Jobs.Select(j => j.Key + "=" + j.Value))}\n{Output}";
    }

    /// <summary>
    /// A throw-away GitLab project laid out as .gitlab-ci.yml expects (the sample addons in odoo-repo-checkout,
    /// the sample workflows in n8n-workflows, environments.json, ci/odoo.conf), committed to a git repository on
    /// branch main, and gitlab-ci-local 4.75.1 (tests/setup/13-gitlab-ci-local.sh) to run its pipeline: every job
    /// a shell job (--force-shell-executor) with the real pwsh on PATH and the built module on PSModulePath (as
    /// the build image has it installed), artifacts handed between jobs as GitLab hands them (--shell-isolation).
    /// Project CI/CD variables go into .gitlab-ci-local-variables.yml (untracked, like GitLab's settings).
    /// GitLab's security templates cannot be fetched here: stand-ins (tests/unit/Pipeline/gitlab-templates) sit
    /// where gitlab-ci-local keeps the templates it downloaded, so it reads them instead of fetching.
    /// The unit-test job's `odoo` is the stand-in of tests/unit/Odoo/Testing/testdata/fake-odoo.sh replaying a real
    /// Odoo 17 log rewritten for the sample addons.
    /// </summary>
    public sealed class GitLabPipeline : IDisposable
    {
        private const string TemplateCache = ".gitlab-ci-local/includes/gitlab.com/gitlab-org/gitlab/-/raw/HEAD/lib/gitlab/ci/templates";
        private readonly TempDir _dir = new TempDir("igpipeline");
        private readonly Dictionary<string, string> _variables;

        public GitLabPipeline(string environmentsJson, string workflowsFolder, IDictionary<string, string> projectVariables)
        {
            _variables = new Dictionary<string, string>(projectVariables);
            Copy(Path.Combine(Repo.Root, ".gitlab-ci.yml"), Combine(".gitlab-ci.yml"));
            CopyTree(Path.Combine(Repo.Root, "pipeline_templates"), Combine("pipeline_templates"));
            CopyTree(Repo.SampleAddons, Combine("odoo-repo-checkout"));
            CopyTree(workflowsFolder, Combine("n8n-workflows"));
            _dir.Write("environments.json", environmentsJson);
            _dir.Write(".gitignore", ".gitlab-ci-local/\n.gitlab-ci-local-variables.yml\n.gitlab-ci-local.yml\n");
            CopyTree(Path.Combine(Repo.Root, "tests", "unit", "Pipeline", "gitlab-templates"), Combine(TemplateCache));
            // The stand-in odoo of the unit-test job, and the log it replays.
            string tools = Combine(".tools");
            Directory.CreateDirectory(Path.Combine(tools, "bin"));
            File.CreateSymbolicLink(Path.Combine(tools, "bin", "odoo"), Path.Combine(Repo.Root, "tests", "unit", "Odoo", "Testing", "testdata", "fake-odoo.sh"));
            WriteOdooLog(Path.Combine(tools, "fixtures"), Directory.GetDirectories(Repo.SampleAddons).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray()!);
            _dir.Write("ci/odoo.conf", "[options]\ndb_name = ci\n");
            // gitlab-ci-local's own override file (merged over .gitlab-ci.yml): services need a Docker engine, and
            // the stand-in odoo needs no PostgreSQL service; the image jobs (pipeline_templates/image_jobs.yml:
            // dotnet build of this checkout + a docker:dind service) are tested on their own and left out here.
            // Nothing else of the pipeline is overridden.
            _dir.Write(".gitlab-ci-local.yml", "odoo_unit_tests:\n  services: []\n" +
                (File.Exists(Path.Combine(Repo.Root, "pipeline_templates", "image_jobs.yml")) ? "build_module:\n  rules: [{ when: never }]\nbuild_images:\n  rules: [{ when: never }]\n" : ""));
            File.AppendAllText(Combine(".gitignore"), ".tools/\n");
            Git("init -q -b main");
            Git("add -A");
            Git("-c user.name=ci -c user.email=ci@influencegen.example commit -q -m sample");
            Git("remote add origin https://gitlab.example.com/influencegen/odoo-addons.git");
            Git("update-ref refs/remotes/origin/main HEAD");
            Git("symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main");
        }

        public string Folder => _dir.Path;
        public string Combine(params string[] parts) => _dir.Combine(parts);

        /// <summary>Runs gitlab-ci-local: the whole pipeline, or the given jobs; variables as pipeline variables.</summary>
        public PipelineRun Run(IDictionary<string, string>? pipelineVariables = null, params string[] args)
        {
            WriteVariablesFile();
            string node = Need("IG_NODE24"), gcl = Need("IG_GITLAB_CI_LOCAL");
            var psi = new ProcessStartInfo(node) { WorkingDirectory = _dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            psi.ArgumentList.Add(gcl);
            foreach (string a in new[] { "--force-shell-executor", "--shell-isolation", "--no-color", "--max-job-name-padding", "0", "--concurrency", "2", "--no-artifacts-to-source" }) psi.ArgumentList.Add(a);
            foreach (var kv in pipelineVariables ?? new Dictionary<string, string>()) { psi.ArgumentList.Add("--variable"); psi.ArgumentList.Add(kv.Key + "=" + kv.Value); }
            foreach (string a in args) psi.ArgumentList.Add(a);
            string pwshDir = Path.GetDirectoryName(HostProcess.Pwsh)!;
            psi.Environment["PATH"] = Combine(".tools", "bin") + ":" + pwshDir + ":" + Environment.GetEnvironmentVariable("PATH");
            psi.Environment["PSModulePath"] = HostProcess.ModuleRoot;
            psi.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
            psi.Environment["POWERSHELL_UPDATECHECK"] = "Off";
            psi.Environment["FAKE_ODOO_FIXTURES"] = Combine(".tools", "fixtures");
            psi.Environment["FAKE_ODOO_LOG"] = "sample_pass";
            psi.Environment["PYTHONPATH"] = Path.Combine(Repo.Root, "tests", "unit", "Pipeline", "odoo-stub");
            // The test process's own settings must not leak into the jobs: only the project's variables count.
            foreach (string key in psi.Environment.Keys.ToList())
                if (Regex.IsMatch(key, "^(DEV|STAGING|PROD|LOCAL)_|^(JIRA|SLACK|CHANGE|ENABLE)_|^INFLUENCEGEN_")) psi.Environment.Remove(key);
            var watch = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            p.StandardInput.Close();
            var err = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit((int)TimeSpan.FromMinutes(6).TotalMilliseconds)) { p.Kill(true); p.WaitForExit(); }
            output += err.Result;
            watch.Stop();
            var jobs = new Dictionary<string, string>(StringComparer.Ordinal);
            // gitlab-ci-local's closing summary: " PASS  job", " WARN  job  pre_script", " FAIL  job" per job that ran.
            foreach (Match m in Regex.Matches(output, @"^\s*(PASS|FAIL|WARN)\s+(\S+)", RegexOptions.Multiline))
                jobs[m.Groups[2].Value] = m.Groups[1].Value;
            return new PipelineRun(p.ExitCode, output, jobs, Combine(".gitlab-ci-local", "artifacts"), watch.Elapsed);
        }

        public void SetVariable(string name, string value) => _variables[name] = value;

        private void WriteVariablesFile()
        {
            var sb = new StringBuilder();
            foreach (var kv in _variables.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                sb.Append(kv.Key).Append(": |-\n");
                foreach (string line in kv.Value.Replace("\r\n", "\n").TrimEnd('\n').Split('\n')) sb.Append("  ").Append(line).Append('\n');
            }
            File.WriteAllText(Combine(".gitlab-ci-local-variables.yml"), sb.ToString());
        }

        /// <summary>A real Odoo 17 test log (fixtures/odoo/pass_test_level) with its tested module repeated for each
        /// sample addon, as Odoo writes it when it installs and tests several modules.</summary>
        private static void WriteOdooLog(string folder, string[] modules)
        {
            Directory.CreateDirectory(folder);
            string[] log = File.ReadAllLines(Path.Combine(Repo.Fixtures, "odoo", "pass_test_level.log"));
            var lines = new List<string>();
            IEnumerable<string> Each(Func<string, bool> pick) => modules.SelectMany(m => log.Where(pick).Select(l => l.Replace("ig_pass", m)));
            lines.AddRange(log.Take(15).Select(l => l.Replace("['ig_pass']", "[" + string.Join(", ", modules.Select(m => "'" + m + "'")) + "]")));
            lines.AddRange(Each(l => Array.IndexOf(log, l) is >= 15 and <= 20));
            lines.AddRange(log.Skip(21).Take(4));
            lines.AddRange(Each(l => l.Contains("ig_pass.tests.test_campaign")));
            lines.AddRange(log.Skip(27).Take(2));
            lines.AddRange(Each(l => l.Contains("odoo.tests.stats")));
            lines.AddRange(log.Skip(30).Select(l => l.Replace("of 3 tests", $"of {3 * modules.Length} tests")));
            File.WriteAllLines(Path.Combine(folder, "sample_pass.log"), lines);
            File.WriteAllText(Path.Combine(folder, "sample_pass.cmd"), "exit_code: 0\n");
        }

        private void Git(string args)
        {
            var psi = new ProcessStartInfo("git") { WorkingDirectory = _dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in args.Split(' ')) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            string o = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"git {args}: {o}");
        }

        private static string Need(string name) => Environment.GetEnvironmentVariable(name) is string v && v.Length > 0
            ? v : throw new InvalidOperationException($"{name} is not set: run tests/run.sh (tests/setup/13-gitlab-ci-local.sh installs gitlab-ci-local)");

        private static void Copy(string from, string to) { Directory.CreateDirectory(Path.GetDirectoryName(to)!); File.Copy(from, to, true); }

        private static void CopyTree(string from, string to)
        {
            foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
                Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }

        public void Dispose() => _dir.Dispose();
    }
}
