using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace InfluenceGen.Deploy.Host
{
    /// <summary>
    /// ig-pwsh: runs PowerShell one-liners and scripts with InfluenceGen.Deploy imported, taking
    /// pwsh's switches (-NoProfile, -NonInteractive, -NoLogo, -Command/-c, -File/-f, -ExecutionPolicy),
    /// formatting output as pwsh does (Out-Default), and exiting 1 when a command ends in a
    /// terminating error (or the last pipeline failed), so a CI job's line behaves as under pwsh.
    /// </summary>
    public static class Program
    {
        private const string Usage = @"ig-pwsh [-NoProfile] [-NonInteractive] [-NoLogo] [-Command|-c <text>|-] [-File|-f <script.ps1> [args]]
PowerShell (System.Management.Automation) with InfluenceGen.Deploy imported.
The module folder: $INFLUENCEGEN_MODULE_PATH, or out/InfluenceGen.Deploy of this checkout.";

        public static int Main(string[] args)
        {
            string? command = null, file = null;
            var fileArgs = new List<string>();
            bool nonInteractive = false;
            for (int i = 0; i < args.Length; i++)
            {
                string a = args[i];
                string key = a.StartsWith("--", StringComparison.Ordinal) ? a.Substring(1) : a;
                switch (key.ToLowerInvariant())
                {
                    case "-noprofile": case "-nop": case "-nologo": case "-nol": break;
                    case "-noninteractive": case "-noni": nonInteractive = true; break;
                    case "-executionpolicy": case "-ep": case "-ex": i++; break;
                    case "-outputformat": case "-of": case "-inputformat": case "-if": i++; break;
                    case "-command": case "-c":
                        command = string.Join(" ", args.Skip(i + 1));
                        if (command == "-") command = Console.In.ReadToEnd();
                        i = args.Length;
                        break;
                    case "-file": case "-f":
                        if (i + 1 >= args.Length) { Console.Error.WriteLine("-File needs a script path"); return 64; }
                        file = args[i + 1];
                        fileArgs.AddRange(args.Skip(i + 2));
                        i = args.Length;
                        break;
                    case "-help": case "-h": case "-?": case "/?":
                        Console.WriteLine(Usage);
                        return 0;
                    default:
                        if (a.StartsWith("-", StringComparison.Ordinal)) { Console.Error.WriteLine($"Unknown switch '{a}'.\n{Usage}"); return 64; }
                        // pwsh treats a bare first argument as -File.
                        file = a;
                        fileArgs.AddRange(args.Skip(i + 1));
                        i = args.Length;
                        break;
                }
            }

            var host = new ConsoleHost { NonInteractive = nonInteractive || Console.IsInputRedirected };
            InitialSessionState iss = InitialSessionState.CreateDefault2();
            // IG_PWSH_NO_IMPORT=1 starts a bare engine (the module is then imported by the script
            // itself, e.g. after another module loaded its own versions of shared dependencies).
            string? module = Environment.GetEnvironmentVariable("IG_PWSH_NO_IMPORT") == "1" ? null : LocateModule();
            if (module != null)
            {
                string modulesFolder = Path.GetDirectoryName(module)!;
                Environment.SetEnvironmentVariable("PSModulePath", modulesFolder + Path.PathSeparator + Environment.GetEnvironmentVariable("PSModulePath"));
                iss.ImportPSModule(new[] { module });
            }
            else if (Environment.GetEnvironmentVariable("IG_PWSH_NO_IMPORT") != "1")
            {
                Console.Error.WriteLine("WARNING: the InfluenceGen.Deploy module folder was not found; set INFLUENCEGEN_MODULE_PATH or build the solution.");
            }

            // As pwsh does for redirected output: no ANSI escapes in CI logs and files.
            if (Console.IsOutputRedirected || Environment.GetEnvironmentVariable("NO_COLOR") != null)
                PSStyle.Instance.OutputRendering = OutputRendering.PlainText;
            using Runspace runspace = RunspaceFactory.CreateRunspace(host, iss);
            runspace.Open();

            if (command == null && file == null)
                return Repl(runspace, host);

            string script;
            var parameters = new List<string>();
            if (file != null)
            {
                string full = Path.GetFullPath(file);
                if (!File.Exists(full)) { Console.Error.WriteLine($"The argument '{file}' is not recognized as the name of a script file."); return 64; }
                // Invoke the script by path so $PSScriptRoot, param() and exit work as under pwsh -File.
                script = "& '" + full.Replace("'", "''") + "' @args";
                parameters.AddRange(fileArgs);
            }
            else script = command!;
            return Execute(runspace, host, script, parameters);
        }

        private static int Execute(Runspace runspace, ConsoleHost host, string script, IList<string> scriptArgs)
        {
            runspace.SessionStateProxy.SetVariable("__igArgs", scriptArgs.ToArray());
            runspace.SessionStateProxy.SetVariable("__igOk", false);
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = runspace;
            // $? of the last statement decides the exit code, as in pwsh -Command.
            ps.AddScript(script.Replace("@args", "@global:__igArgs") + "\n$global:__igOk = $?", useLocalScope: false)
              .AddCommand("Out-Default");
            ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
            try
            {
                ps.Invoke();
            }
            catch (RuntimeException ex)
            {
                if (host.ExitCode.HasValue) return host.ExitCode.Value;
                WriteError(runspace, host, ex.ErrorRecord);
                return 1;
            }
            if (host.ExitCode.HasValue) return host.ExitCode.Value;
            return runspace.SessionStateProxy.GetVariable("__igOk") is true ? 0 : 1;
        }

        /// <summary>Shows a script-terminating error as pwsh does: its error view, on stderr.</summary>
        private static void WriteError(Runspace runspace, ConsoleHost host, ErrorRecord record)
        {
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddCommand("Out-Default");
            host.OutputToStderr = true;
            try { ps.Invoke(new object[] { record }); }
            catch (Exception) { Console.Error.WriteLine(record.ToString()); }
            finally { host.OutputToStderr = false; }
        }

        private static int Repl(Runspace runspace, ConsoleHost host)
        {
            Console.WriteLine("ig-pwsh: PowerShell with InfluenceGen.Deploy. 'exit' to leave.");
            while (true)
            {
                Console.Write("PS> ");
                string? line = Console.ReadLine();
                if (line == null || line.Trim() == "exit") return 0;
                if (line.Trim().Length == 0) continue;
                Execute(runspace, host, line, Array.Empty<string>());
                if (host.ExitCode.HasValue) return host.ExitCode.Value;
            }
        }

        /// <summary>$INFLUENCEGEN_MODULE_PATH, else out/InfluenceGen.Deploy above the host's folder.</summary>
        private static string? LocateModule()
        {
            string? configured = Environment.GetEnvironmentVariable("INFLUENCEGEN_MODULE_PATH");
            if (!string.IsNullOrEmpty(configured))
            {
                string full = Path.GetFullPath(configured);
                return Directory.Exists(full) ? full : null;
            }
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null)
            {
                string candidate = Path.Combine(dir.FullName, "InfluenceGen.Deploy");
                if (File.Exists(Path.Combine(candidate, "InfluenceGen.Deploy.psd1"))) return candidate;
                candidate = Path.Combine(dir.FullName, "out", "InfluenceGen.Deploy");
                if (File.Exists(Path.Combine(candidate, "InfluenceGen.Deploy.psd1"))) return candidate;
                dir = dir.Parent;
            }
            return null;
        }
    }
}
