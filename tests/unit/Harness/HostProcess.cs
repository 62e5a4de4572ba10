using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace InfluenceGen.Deploy.Tests.Harness
{
    /// <summary>
    /// Runs the real PowerShell 7.6.9 (the <c>pwsh</c> pinned in .config/dotnet-tools.json) as a child process,
    /// the way a CI job line runs: the built module folder is on PSModulePath, so the cmdlets auto-load as they
    /// do in the build image where the module is installed.
    /// </summary>
    public static class HostProcess
    {
        /// <summary>
        /// What the process printed. pwsh 7.6 colours table headers and errors even when redirected (GitLab's job
        /// log renders the colours), so <see cref="StdOut"/>/<see cref="StdErr"/> are the text without the escape
        /// sequences; <see cref="RawStdOut"/>/<see cref="RawStdErr"/> are the bytes as printed.
        /// </summary>
        public sealed record Result(int ExitCode, string RawStdOut, string RawStdErr)
        {
            public string StdOut => Ansi.Replace(RawStdOut, string.Empty);
            public string StdErr => Ansi.Replace(RawStdErr, string.Empty);
        }

        private static readonly System.Text.RegularExpressions.Regex Ansi = new System.Text.RegularExpressions.Regex(@"\x1b\[[0-9;?]*[A-Za-z]");

        /// <summary>The pwsh executable: $IG_PWSH (set by tests/setup/01-pwsh.sh), else the restored tool package.</summary>
        public static string Pwsh { get; } = FindPwsh();

        private static string FindPwsh()
        {
            string? fromEnv = Environment.GetEnvironmentVariable("IG_PWSH");
            if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv)) return fromEnv!;
            string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string restored = Path.Combine(packages, "powershell", "7.6.9", "tools", "net10.0", "any", "unix", "pwsh");
            if (File.Exists(restored)) return restored;
            throw new InvalidOperationException("pwsh not found: run `dotnet tool restore` in the checkout (or tests/setup/01-pwsh.sh).");
        }

        /// <summary>The module folder's parent, to put on PSModulePath.</summary>
        public static string ModuleRoot => Path.GetDirectoryName(Repo.ModuleFolder)!;

        public static Result Run(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
            => Run(workingDirectory, environment, TimeSpan.FromMinutes(3), args);

        public static Result Run(string workingDirectory, IDictionary<string, string>? environment, TimeSpan timeout, params string[] args)
        {
            using var process = Start(workingDirectory, environment, args);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit((int)timeout.TotalMilliseconds))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                process.WaitForExit();
                return new Result(-1, stdout.Result, stderr.Result + $"\n(pwsh killed after {timeout.TotalSeconds:0} s)");
            }
            return new Result(process.ExitCode, stdout.Result, stderr.Result);
        }

        /// <summary>Starts pwsh with redirected streams (stdin closed); the caller owns the process.</summary>
        public static Process Start(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
        {
            var psi = new ProcessStartInfo(Pwsh)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (string a in args) psi.ArgumentList.Add(a);
            string? inherited = Environment.GetEnvironmentVariable("PSModulePath");
            psi.Environment["PSModulePath"] = string.IsNullOrEmpty(inherited) ? ModuleRoot : ModuleRoot + Path.PathSeparator + inherited;
            psi.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
            psi.Environment["POWERSHELL_UPDATECHECK"] = "Off";
            if (environment != null) foreach (var kv in environment) psi.Environment[kv.Key] = kv.Value;
            var process = Process.Start(psi)!;
            process.StandardInput.Close();
            return process;
        }
    }
}
