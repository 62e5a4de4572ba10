using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace InfluenceGen.Deploy.Tests.Harness
{
    /// <summary>Runs ig-pwsh (the console host) as a child process, the way a CI job line runs.</summary>
    public static class HostProcess
    {
        public sealed record Result(int ExitCode, string StdOut, string StdErr);

        public static Result Run(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
        {
            var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            psi.ArgumentList.Add(Repo.HostDll);
            foreach (string a in args) psi.ArgumentList.Add(a);
            psi.Environment["INFLUENCEGEN_MODULE_PATH"] = Repo.ModuleFolder;
            if (environment != null) foreach (var kv in environment) psi.Environment[kv.Key] = kv.Value;
            using var process = Process.Start(psi)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit(120_000);
            return new Result(process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
