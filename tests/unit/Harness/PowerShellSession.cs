using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace InfluenceGen.Deploy.Tests.Harness
{
    /// <summary>What one piece of PowerShell text produced, every stream kept.</summary>
    public sealed class PsResult
    {
        public Collection<PSObject> Output { get; init; } = new Collection<PSObject>();
        public List<ErrorRecord> Errors { get; init; } = new List<ErrorRecord>();
        public List<string> Verbose { get; init; } = new List<string>();
        public List<string> Warnings { get; init; } = new List<string>();
        public List<string> Debug { get; init; } = new List<string>();
        public List<ProgressRecord> Progress { get; init; } = new List<ProgressRecord>();
        public List<string> Information { get; init; } = new List<string>();
        /// <summary>The terminating error, if the text ended in one (pwsh -c would exit 1).</summary>
        public ErrorRecord? Terminating { get; init; }

        /// <summary>Every text any stream carried, for secret scans.</summary>
        public string AllText()
        {
            var parts = new List<string>();
            parts.AddRange(Output.Select(o => o?.ToString() ?? ""));
            foreach (PSObject o in Output)
                if (o != null) foreach (PSPropertyInfo p in o.Properties) { try { parts.Add(Convert.ToString(p.Value) ?? ""); } catch (Exception) { } }
            parts.AddRange(Errors.Select(e => e.ToString() + " " + e.Exception + " " + e.ErrorDetails?.Message + " " + e.ErrorDetails?.RecommendedAction + " " + e.TargetObject));
            parts.AddRange(Verbose); parts.AddRange(Warnings); parts.AddRange(Debug); parts.AddRange(Information);
            parts.AddRange(Progress.Select(p => p.Activity + " " + p.StatusDescription + " " + p.CurrentOperation));
            if (Terminating != null) parts.Add(Terminating.ToString() + " " + Terminating.Exception + " " + Terminating.ErrorDetails?.Message + " " + Terminating.TargetObject);
            return string.Join("\n", parts);
        }

        public PSObject Single() => Assert.Single(Output);
    }

    /// <summary>
    /// A real PowerShell runspace (System.Management.Automation 7.6.9) with the built module folder
    /// imported, exactly as a user's session imports it. Cmdlet tests run PowerShell text here.
    /// </summary>
    public sealed class PowerShellSession : IDisposable
    {
        private readonly Runspace _runspace;

        public PowerShellSession(string? workingDirectory = null, bool importModule = true)
        {
            InitialSessionState iss = InitialSessionState.CreateDefault2();
            if (importModule) iss.ImportPSModule(new[] { Repo.ModuleFolder });
            _runspace = RunspaceFactory.CreateRunspace(iss);
            _runspace.Open();
            if (workingDirectory != null)
                _runspace.SessionStateProxy.Path.SetLocation(WildcardPattern.Escape(workingDirectory));
        }

        public void SetVariable(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

        public PsResult Invoke(string script, bool verbose = true)
        {
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = _runspace;
            if (verbose) ps.AddScript("$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $ProgressPreference = 'Continue'").Invoke();
            ps.Commands.Clear();
            // A cmdlet's ThrowTerminatingError ends its statement (pwsh -c then exits 1); catch it
            // so the test sees the ErrorRecord exactly as the cmdlet produced it.
            _runspace.SessionStateProxy.SetVariable("__igTerminating", null);
            ps.AddScript("try {\n" + script + "\n} catch { $global:__igTerminating = $_ }");
            Collection<PSObject> output = new Collection<PSObject>();
            ErrorRecord? terminating = null;
            try
            {
                output = ps.Invoke();
                terminating = _runspace.SessionStateProxy.GetVariable("__igTerminating") as ErrorRecord;
            }
            catch (RuntimeException ex)
            {
                terminating = ex.ErrorRecord;
            }
            return new PsResult
            {
                Output = output,
                Errors = ps.Streams.Error.ToList(),
                Verbose = ps.Streams.Verbose.Select(v => v.Message).ToList(),
                Warnings = ps.Streams.Warning.Select(v => v.Message).ToList(),
                Debug = ps.Streams.Debug.Select(v => v.Message).ToList(),
                Progress = ps.Streams.Progress.ToList(),
                Information = ps.Streams.Information.Select(i => i.MessageData?.ToString() ?? "").ToList(),
                Terminating = terminating,
            };
        }

        public void Dispose() => _runspace.Dispose();
    }
}
