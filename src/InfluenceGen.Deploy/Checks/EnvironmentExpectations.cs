using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.N8n;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Checks
{
    /// <summary>What the packages say the environment must have.</summary>
    public static class EnvironmentExpectations
    {
        /// <summary>Every addon of an addon package with its packaged version.</summary>
        public static IReadOnlyList<ExpectedAddon> Addons(string packagePath)
            => DeployPackage.Open(packagePath).Addons.Select(a => new ExpectedAddon(a.Name, a.Version)).ToList();

        /// <summary>The webhooks (method, path) of the active workflows of a workflow package or folder.</summary>
        public static IReadOnlyList<ExpectedWebhook> Webhooks(string packagePath, IDeployLog log)
        {
            var hooks = new List<ExpectedWebhook>();
            foreach (N8nWorkflow workflow in WorkflowSource.Load(packagePath, log).Workflows.Where(w => w.Active))
            {
                foreach (JObject node in (workflow.Body["nodes"] as JArray ?? new JArray()).OfType<JObject>())
                {
                    if ((string?)node["type"] != "n8n-nodes-base.webhook" || (bool?)node["disabled"] == true) continue;
                    JObject parameters = node["parameters"] as JObject ?? new JObject();
                    string path = (string?)parameters["path"] ?? (string?)node["webhookId"] ?? string.Empty;
                    if (path.Length == 0) continue;
                    // "Allow Multiple HTTP Methods" lists them in httpMethod as an array; the default method is GET.
                    IEnumerable<string> methods = parameters["httpMethod"] is JArray many ? many.Select(m => (string?)m ?? "GET")
                        : new[] { (string?)parameters["httpMethod"] ?? "GET" };
                    foreach (string method in methods) hooks.Add(new ExpectedWebhook(workflow.Name, method.ToUpperInvariant(), path));
                }
            }
            return hooks;
        }
    }

    /// <summary>Reads ir_module_module on the target through the deploy's transport (psql in a script sent on stdin).</summary>
    public sealed class TransportModuleStateReader : IModuleStateReader
    {
        private readonly ITargetTransport _transport;
        private readonly DeploySettings _settings;

        public TransportModuleStateReader(ITargetTransport transport, DeploySettings settings)
        {
            _transport = transport;
            _settings = settings;
        }

        public async Task<IReadOnlyDictionary<string, (string State, string Version)>> ReadAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
        {
            // Names come from a package whose metadata was validated (module-name characters only).
            string list = string.Join(",", names.Select(n => "'" + n.Replace("'", "''") + "'"));
            var body = new StringBuilder("psql -X -A -t -q -v ON_ERROR_STOP=1 -F '|' <<'IG_SQL_END'\n")
                .Append("select name, state, coalesce(latest_version, '') from ir_module_module where name in (").Append(list.Length == 0 ? "''" : list).Append(");\n")
                .Append("IG_SQL_END\n");
            CommandResult result = await _transport.RunScriptAsync(new TargetScripts(_settings).Wrap(body.ToString()), cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
                throw new DeployException(ErrorIds.EnvironmentDatabaseUnreachable, ErrorKind.ConnectionError,
                    $"Could not read the installed modules of database '{_settings.Database}' on the target: {result.Stderr.Trim()} {result.Stdout.Trim()}".Trim(), _settings.Database);
            var states = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
            foreach (string line in result.Stdout.Split('\n'))
            {
                string[] parts = line.Trim().Split('|');
                if (parts.Length == 3) states[parts[0]] = (parts[1], parts[2]);
            }
            return states;
        }
    }
}
