using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Odoo;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Packages Odoo addons: finds them, parses and validates their manifests, orders them by
    /// dependency and writes a deterministic zip with per-addon module_auto_update checksums.
    /// The work is in <see cref="AddonPackageBuilder"/>.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "OdooAddonPackage", SupportsShouldProcess = true, DefaultParameterSetName = "Path", HelpUri = HelpLinks.Readme + "#get-help-new-odooaddonpackage")]
    [OutputType(typeof(OdooAddonPackage))]
    public sealed class NewOdooAddonPackageCommand : InfluenceGenCmdlet
    {
        private readonly List<string> _paths = new List<string>();

        /// <summary>Folders that contain addons (or are one). Wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Path")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = null!;

        /// <summary>Folders taken literally (no wildcards).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "LiteralPath")]
        [Alias("PSPath", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = null!;

        /// <summary>The zip to write (replaced atomically if it exists).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string OutFile { get; set; } = null!;

        /// <summary>Only addons whose name matches one of these wildcards.</summary>
        [Parameter]
        [SupportsWildcards]
        public string[] Include { get; set; } = new string[0];

        /// <summary>Leave out addons whose name matches one of these wildcards.</summary>
        [Parameter]
        [SupportsWildcards]
        public string[] Exclude { get; set; } = new string[0];

        /// <summary>Addons present on the target (Odoo's own and others); with it, a dependency
        /// neither packaged nor listed here is an error.</summary>
        [Parameter]
        public string[]? AvailableAddon { get; set; }

        /// <summary>Odoo series for the version check, e.g. 17.0.</summary>
        [Parameter]
        [ValidatePattern(@"^\d+\.\d+$")]
        public string? OdooVersion { get; set; }

        /// <summary>ODOO_VERSION (the old pipeline's variable) when -OdooVersion is not given.</summary>
        private string? OdooSeriesSetting()
        {
            string? series = GlobalSetting("OdooVersion")?.Trim();
            if (series != null && !System.Text.RegularExpressions.Regex.IsMatch(series, @"^\d+\.\d+$"))
                throw new Infrastructure.DeployException(ErrorIds.InvalidConfigurationValue, ErrorKind.InvalidData,
                    $"ODOO_VERSION '{series}' is not an Odoo series such as 18.0.", "OdooVersion");
            return series;
        }

        protected override void Process()
        {
            bool literal = ParameterSetName == "LiteralPath";
            foreach (string path in literal ? LiteralPath : Path)
                _paths.AddRange(ResolvePaths(path, literal));
        }

        protected override void End()
        {
            var builder = new AddonPackageBuilder();
            var request = new AddonPackageRequest
            {
                Paths = _paths,
                Include = Include,
                Exclude = Exclude,
                AvailableAddons = AvailableAddon,
                OdooSeries = OdooVersion ?? OdooSeriesSetting(),
            };
            string outFile = ResolveOutputPath(OutFile);

            AddonPackagePlan plan;
            try
            {
                plan = Run("Packaging Odoo addons", (log, _) => System.Threading.Tasks.Task.FromResult(builder.Plan(request, log)));
            }
            catch (AddonValidationException ex) when (ex.Problems.Count > 1)
            {
                foreach (AddonProblem problem in ex.Problems)
                    ReportError(new Infrastructure.DeployException(problem.ErrorId, ErrorKind.InvalidData, problem.ToString(), problem.Path));
                throw;
            }

            OdooAddonPackage preview = plan.Preview(outFile);
            string list = string.Join(", ", preview.Addons.Select(a => $"{a.Name} {a.Version}"));
            // -WhatIf checks what the real run checks, and says when it would make the output folder.
            string? newFolder = Infrastructure.PackageFile.CheckOutput(outFile, plan.Roots);
            string making = newFolder != null ? $" (creating the folder '{newFolder}')" : string.Empty;
            if (!ShouldProcess($"Write '{outFile}'{making} with {preview.AddonCount} addon(s) ({preview.FileCount} files): {list}",
                    $"Write '{outFile}' with {preview.AddonCount} addon(s)?", "New-OdooAddonPackage"))
                return;

            OdooAddonPackage package = Run("Packaging Odoo addons", (log, ct) => builder.WriteAsync(plan, outFile, log, ct));
            Verbose($"Wrote {package.Path}: {package.Size} bytes, sha256 {package.Sha256}");
            WriteObject(package);
        }
    }
}
