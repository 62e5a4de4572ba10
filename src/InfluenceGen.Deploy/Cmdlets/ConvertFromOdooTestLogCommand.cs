using System.Collections.Generic;
using System.Management.Automation;
using InfluenceGen.Deploy.Odoo.Testing;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>Converts an Odoo test log written elsewhere into results and JUnit, with the parser
    /// Invoke-OdooUnitTest uses (<see cref="OdooLogParser"/>).</summary>
    [Cmdlet(VerbsData.ConvertFrom, "OdooTestLog", HelpUri = HelpLinks.Readme + "#get-help-convertfrom-odootestlog")]
    [OutputType(typeof(OdooTestRunResult), typeof(OdooTestCaseResult))]
    public sealed class ConvertFromOdooTestLogCommand : InfluenceGenCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath", "LogPath")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = null!;

        /// <summary>Write JUnit XML here. With several logs, the last one wins: convert one log per file.</summary>
        [Parameter] public string? JUnitPath { get; set; }

        /// <summary>The modules that were requested: a module without tests is then a problem.</summary>
        [Parameter] [OdooModuleNameTransformation] [ArgumentCompleter(typeof(OdooModuleCompleter))] public string[]? Module { get; set; }

        /// <summary>Odoo's exit code, when known.</summary>
        [Parameter] public int? ExitCode { get; set; }

        [Parameter] public SwitchParameter PassThru { get; set; }

        /// <summary>End in a terminating error (exit 1 under pwsh -c) when the log is not green.</summary>
        [Parameter] public SwitchParameter ThrowOnFailure { get; set; }

        protected override void Process()
        {
            // Each log stands alone: a missing or unreadable one is a non-terminating error, the others are converted.
            foreach (string p in Path)
                PerItem(() =>
                {
                    foreach (string file in ResolvePaths(p, literal: false))
                        PerItem(() => Convert(file));
                });
        }

        private void Convert(string file)
        {
            var modules = new List<string>();
            if (Module != null) foreach (string m in Module) modules.AddRange(InvokeOdooUnitTestCommand.ModuleNames(m));
            OdooTestRunResult result = OdooLogParser.ParseFile(file, modules, ExitCode);
            if (JUnitPath != null)
            {
                string junit = ResolveOutputPath(JUnitPath);
                JUnitWriter.Write(result, junit);
                result.JUnitPath = junit;
                Verbose($"Wrote {junit}: {result}");
            }
            foreach (string note in result.Notes) Warning(note);
            if (PassThru) foreach (OdooTestCaseResult t in result.TestCases) WriteObject(t);
            else WriteObject(result);
            if (ThrowOnFailure && !result.Success) Fail(OdooTestService.ToFailure(result));
        }
    }
}
