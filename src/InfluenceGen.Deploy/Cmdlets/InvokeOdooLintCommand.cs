using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Odoo;
using InfluenceGen.Deploy.Quality;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>Runs flake8 and pylint with OCA's pylint-odoo over Odoo addons and writes GitLab Code Quality JSON;
    /// the work is in <see cref="OdooLinter"/>.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "OdooLint", DefaultParameterSetName = "Path", SupportsShouldProcess = true, HelpUri = HelpLinks.Readme + "#get-help-invoke-odoolint")]
    [OutputType(typeof(LintResult), typeof(LintFinding))]
    public sealed class InvokeOdooLintCommand : InfluenceGenCmdlet
    {
        private readonly List<string> _paths = new List<string>();

        /// <summary>Addon folders or folders of addons. Wildcards allowed.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ParameterSetName = "Path")]
        [SupportsWildcards] [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = null!;

        /// <summary>An addon package from New-OdooAddonPackage: its addons' source folders are linted.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Package")]
        [ValidateNotNull]
        public OdooAddonPackage Package { get; set; } = null!;

        [Parameter] [ValidateSet("flake8", "pylint")] public string[] Linter { get; set; } = { "flake8", "pylint" };

        /// <summary>Write the Code Quality report here (artifacts:reports:codequality).</summary>
        [Parameter] public string? ReportPath { get; set; }

        /// <summary>The lowest severity that fails the run; none never fails. Default critical.</summary>
        [Parameter] [ValidateSet("info", "minor", "major", "critical", "blocker", "none")]
        public string FailOn { get; set; } = "critical";

        /// <summary>Report paths relative to this folder; the linters read its .flake8/setup.cfg/.pylintrc. Default: $env:CI_PROJECT_DIR, else the git checkout around the current location, else the current location.</summary>
        [Parameter] public string? RepositoryRoot { get; set; }

        /// <summary>Odoo series the addons target, for pylint-odoo's --valid-odoo-versions (e.g. 17.0). Default: ODOO_VERSION, else the series the addons' manifest versions start with.</summary>
        [Parameter] [ValidatePattern(@"^\d+\.\d+$")] public string? OdooVersion { get; set; }

        [Parameter] public string? Flake8Path { get; set; }
        [Parameter] public string? PylintPath { get; set; }

        /// <summary>Return the findings instead of the summary.</summary>
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void Process()
        {
            if (ParameterSetName == "Package")
            {
                foreach (OdooAddon addon in Package.Addons)
                {
                    if (string.IsNullOrEmpty(addon.SourcePath))
                        throw new DeployException(ErrorIds.LintNoSource, ErrorKind.InvalidArgument,
                            $"the package {Package.Path} does not say where addon {addon.Name} came from (read back from a zip): lint the source folder with -Path", Package.Path);
                    _paths.Add(addon.SourcePath);
                }
                return;
            }
            foreach (string p in Path ?? new string[0]) _paths.AddRange(ResolvePaths(p, literal: false));
        }

        /// <summary>LINT_TARGET_PATH (comma or space separated) when neither -Path nor -Package is given.</summary>
        private void DefaultPaths()
        {
            if (_paths.Count > 0 || ParameterSetName == "Package") return;
            string? fromSetting = GlobalSetting("LintTargetPath");
            if (string.IsNullOrWhiteSpace(fromSetting))
                throw new DeployException(ErrorIds.LintNoPath, ErrorKind.InvalidArgument,
                    "Nothing to lint: give -Path (or -Package), or set the CI variable LINT_TARGET_PATH.", "Path");
            foreach (string p in fromSetting!.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries))
                _paths.AddRange(ResolvePaths(p, literal: false));
        }

        /// <summary>-ReportPath, else gl-code-quality-report.json in LINT_REPORTS_DIR when that is set.</summary>
        private string? ReportFile()
        {
            if (ReportPath != null) return ResolveOutputPath(ReportPath);
            string? dir = GlobalSetting("LintReportsDir");
            return string.IsNullOrWhiteSpace(dir) ? null : ResolveOutputPath(System.IO.Path.Combine(dir!, "gl-code-quality-report.json"));
        }

        protected override void End()
        {
            DefaultPaths();
            var request = new LintRequest
            {
                Paths = _paths.Distinct().ToList(),
                RepositoryRoot = RepositoryRoot != null ? ResolveOutputPath(RepositoryRoot) : DefaultRoot(CurrentDirectory, Job.ProjectDir),
                Linters = Linter,
                Flake8Path = Flake8Path,
                PylintPath = PylintPath,
                OdooVersion = OdooVersion ?? GlobalSetting("OdooVersion"),
                FailOn = FailOn == "none" ? (CodeQualitySeverity?)null : (CodeQualitySeverity)Enum.Parse(typeof(CodeQualitySeverity), FailOn, true),
                ReportPath = ReportFile(),
            };
            // Linting reads; writing the report is the one change it makes.
            if (request.ReportPath != null && !ShouldProcess($"Lint {string.Join(", ", request.Paths)} with {string.Join(" and ", request.Linters)} and write the Code Quality report '{request.ReportPath}'",
                    $"Write the Code Quality report '{request.ReportPath}'?", "Invoke-OdooLint"))
                return;
            LintResult result = Run("Linting Odoo addons", (log, ct) => new OdooLinter().RunAsync(request, log, ct));
            Verbose(result.ToString() + (result.ReportPath != null ? $"; report {result.ReportPath}" : string.Empty));
            if (PassThru) foreach (LintFinding f in result.Findings) WriteObject(f);
            else WriteObject(result);
            // The findings are the result; being above the threshold is a non-terminating error after them (as
            // Invoke-OdooUnitTest's red run): pwsh -c exits 1, -ErrorAction SilentlyContinue lets a script go on.
            if (!result.Success)
                ReportError(new DeployException(ErrorIds.LintFindingsAboveThreshold, ErrorKind.InvalidResult,
                    $"{result.AboveThreshold} lint finding(s) at or above {FailOn}: " + string.Join("; ",
                        result.Findings.Where(f => f.Severity >= result.FailOn!.Value).Take(10).Select(f => $"{f.Path}:{f.Line} {f.Linter} {f.Code} {f.Message}")),
                    result.ReportPath));
        }

        internal static string DefaultRoot(string current, string? ci)
        {
            if (!string.IsNullOrEmpty(ci) && Directory.Exists(ci)) return ci!;
            for (var dir = new DirectoryInfo(current); dir != null; dir = dir.Parent)
                if (Directory.Exists(System.IO.Path.Combine(dir.FullName, ".git")) || File.Exists(System.IO.Path.Combine(dir.FullName, ".git")))
                    return dir.FullName;
            return current;
        }
    }
}
