using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.N8n;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Packages n8n workflows: collects the workflow JSON files (as n8n exports them) and helper
    /// files of a folder, validates each workflow and writes a deterministic zip with a metadata
    /// entry. The work is in <see cref="WorkflowPackageBuilder"/>.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "N8nWorkflowPackage", SupportsShouldProcess = true, DefaultParameterSetName = "Path", HelpUri = HelpLinks.Readme + "#get-help-new-n8nworkflowpackage")]
    [OutputType(typeof(N8nWorkflowPackage))]
    public sealed class NewN8nWorkflowPackageCommand : InfluenceGenCmdlet
    {
        private readonly List<string> _paths = new List<string>();

        /// <summary>The folder of workflow files. Wildcards allowed (must resolve to one folder).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Path")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = null!;

        /// <summary>The folder, taken literally.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "LiteralPath")]
        [Alias("PSPath", "FullName")]
        [ValidateNotNullOrEmpty]
        public string LiteralPath { get; set; } = null!;

        /// <summary>The zip to write (replaced atomically if it exists).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string OutFile { get; set; } = null!;

        protected override void Process()
        {
            bool literal = ParameterSetName == "LiteralPath";
            _paths.AddRange(ResolvePaths(literal ? LiteralPath : Path, literal));
        }

        /// <summary>The n8n version the workflows target, recorded in the package (default: the CI variable N8N_VERSION).</summary>
        [Parameter]
        public string? N8nVersion { get; set; }

        protected override void End()
        {
            if (_paths.Count != 1)
                throw new DeployException(ErrorIds.OneFolderExpected, ErrorKind.InvalidArgument,
                    $"-Path must name one folder of workflows; it resolved to {_paths.Count}: {string.Join(", ", _paths)}", string.Join(", ", _paths));
            var builder = new WorkflowPackageBuilder { N8nVersion = N8nVersion ?? GlobalSetting("N8nVersion") };
            string outFile = ResolveOutputPath(OutFile);

            WorkflowSource source;
            try
            {
                source = Run("Packaging n8n workflows", (log, _) => System.Threading.Tasks.Task.FromResult(builder.Plan(_paths[0], log)));
            }
            catch (N8nWorkflowValidationException ex) when (ex.Problems.Count > 1)
            {
                foreach (N8nWorkflowProblem problem in ex.Problems)
                    ReportError(new DeployException(problem.ErrorId, ErrorKind.InvalidData, problem.ToString(), problem.File));
                throw;
            }

            N8nWorkflowPackage preview = builder.Preview(source, outFile);
            string list = string.Join(", ", preview.Workflows.Select(w => w.Name));
            // -WhatIf checks what the real run checks, and says when it would make the output folder.
            string? newFolder = PackageFile.CheckOutput(outFile, new[] { source.Root });
            string making = newFolder != null ? $" (creating the folder '{newFolder}')" : string.Empty;
            if (!ShouldProcess($"Write '{outFile}'{making} with {preview.WorkflowCount} workflow(s) and {preview.HelperFiles.Length} helper file(s): {list}",
                    $"Write '{outFile}' with {preview.WorkflowCount} workflow(s)?", "New-N8nWorkflowPackage"))
                return;

            N8nWorkflowPackage package = Run("Packaging n8n workflows", (log, ct) => builder.WriteAsync(source, outFile, log, ct));
            Verbose($"Wrote {package.Path}: {package.WorkflowCount} workflow(s), {package.Size} bytes, sha256 {package.Sha256}");
            WriteObject(package);
        }
    }
}
