using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.N8n
{
    internal static class Ps
    {
        /// <summary>Runs the text so that a cmdlet's terminating error ends it (as pwsh -c's exit code
        /// reports it): statement-terminating errors land in <see cref="PsResult.Terminating"/>,
        /// non-terminating ones stay in <see cref="PsResult.Errors"/>.</summary>
        public static PsResult Run(PowerShellSession session, string script, bool verbose = true)
            => session.Invoke("try {\n" + script + "\n} catch { throw }", verbose);
    }
}
