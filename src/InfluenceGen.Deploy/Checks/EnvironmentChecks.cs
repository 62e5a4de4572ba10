using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Checks
{
    /// <summary>One check of a deployed environment, as Test-InfluenceGenEnvironment reports it.</summary>
    public sealed class EnvironmentCheck
    {
        public string Environment { get; set; } = string.Empty;
        /// <summary>OdooHealth, OdooVersion, Addon, N8nReady, Webhook.</summary>
        public string Check { get; set; } = string.Empty;
        /// <summary>What was checked: a URL, an addon name, a webhook's method and path.</summary>
        public string Target { get; set; } = string.Empty;
        public bool Ok { get; set; }
        /// <summary>What was found (or why the check failed), in words.</summary>
        public string Detail { get; set; } = string.Empty;
        public override string ToString() => $"{(Ok ? "ok" : "FAILED")} {Check} {Target}: {Detail}";
    }

    /// <summary>An addon that must be installed at a version (from the addon package).</summary>
    public sealed class ExpectedAddon
    {
        public ExpectedAddon(string name, string version) { Name = name; Version = version; }
        public string Name { get; }
        public string Version { get; }
    }

    /// <summary>A webhook an active workflow of the n8n package registers.</summary>
    public sealed class ExpectedWebhook
    {
        public ExpectedWebhook(string workflow, string method, string path) { Workflow = workflow; Method = method; Path = path; }
        public string Workflow { get; }
        public string Method { get; }
        public string Path { get; }
    }

    /// <summary>What to check; anything left null or empty is not checked.</summary>
    public sealed class EnvironmentCheckRequest
    {
        public string Environment { get; set; } = string.Empty;
        /// <summary>Odoo's base URL (a full /web/health URL is accepted too).</summary>
        public string? OdooUrl { get; set; }
        public IReadOnlyList<ExpectedAddon> Addons { get; set; } = Array.Empty<ExpectedAddon>();
        public string? N8nUrl { get; set; }
        public IReadOnlyList<ExpectedWebhook> Webhooks { get; set; } = Array.Empty<ExpectedWebhook>();
    }

    /// <summary>Reads installed module states (name → state, latest_version) from the environment's database.</summary>
    public interface IModuleStateReader
    {
        Task<IReadOnlyDictionary<string, (string State, string Version)>> ReadAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken);
    }

    /// <summary>
    /// Checks a deployed environment the way the integration_test_services job needs: Odoo answers and reaches its
    /// database (/web/health?db_server_status=1), Odoo's version over XML-RPC (common.version(), which needs no
    /// login), every packaged addon installed at the packaged version (ir_module_module), n8n ready
    /// (/healthz/readiness), and every webhook of an active packaged workflow registered (a CORS preflight
    /// OPTIONS /webhook/PATH, which n8n 2.x answers 204 with the path's methods in Access-Control-Allow-Methods when
    /// a workflow is active on it, and with only OPTIONS otherwise, without running the workflow).
    /// </summary>
    public sealed class EnvironmentChecker
    {
        private readonly HttpStack _http;
        private readonly TimeSpan _timeout;
        private readonly IModuleStateReader? _modules;

        /// <param name="http">The client the calls go out on (its Timeout bounds each call); through the module's <see cref="HttpStack"/>.</param>
        public EnvironmentChecker(HttpClient http, IModuleStateReader? modules)
        {
            _http = HttpStack.For(http);
            _timeout = _http.ClientTimeout;
            _modules = modules;
        }

        public async Task<List<EnvironmentCheck>> RunAsync(EnvironmentCheckRequest request, IDeployLog log, CancellationToken ct)
        {
            var checks = new List<EnvironmentCheck>();
            EnvironmentCheck Add(string check, string target, bool ok, string detail)
            {
                var c = new EnvironmentCheck { Environment = request.Environment, Check = check, Target = target, Ok = ok, Detail = detail };
                checks.Add(c);
                log.Verbose(c.ToString());
                return c;
            }

            if (!string.IsNullOrEmpty(request.OdooUrl))
            {
                string odoo = BaseUrl(request.OdooUrl!);
                log.Progress("Checking Odoo", odoo, -1);
                var (code, body, error) = await SendAsync(Get(odoo + "/web/health?db_server_status=1"), ct).ConfigureAwait(false);
                Add("OdooHealth", odoo + "/web/health", code == 200 && body.Contains("\"pass\""),
                    error ?? (code == 200 && body.Contains("\"pass\"") ? "Odoo answers and reaches its database." : $"Odoo answered {code}: {Trim(body)}"));
                EnvironmentCheck version = await VersionAsync(odoo, request, ct).ConfigureAwait(false);
                checks.Add(version);
                log.Verbose(version.ToString());
            }

            if (request.Addons.Count > 0)
            {
                if (_modules == null) throw new InvalidOperationException("addons to check but no module state reader");
                log.Progress("Checking addons", $"{request.Addons.Count} addon(s)", -1);
                IReadOnlyDictionary<string, (string State, string Version)> states =
                    await _modules.ReadAsync(request.Addons.Select(a => a.Name).ToList(), ct).ConfigureAwait(false);
                foreach (ExpectedAddon addon in request.Addons)
                {
                    if (!states.TryGetValue(addon.Name, out var found))
                        Add("Addon", addon.Name, false, $"Not known to Odoo (no ir_module_module row); the package has {addon.Version}.");
                    else if (found.State != "installed")
                        Add("Addon", addon.Name, false, $"State is '{found.State}', not 'installed'.");
                    else if (found.Version != addon.Version)
                        Add("Addon", addon.Name, false, $"Installed at {found.Version}, the package has {addon.Version}.");
                    else
                        Add("Addon", addon.Name, true, $"Installed at {found.Version}.");
                }
            }

            if (!string.IsNullOrEmpty(request.N8nUrl))
            {
                string n8n = request.N8nUrl!.TrimEnd('/');
                if (n8n.EndsWith("/api/v1", StringComparison.Ordinal)) n8n = n8n.Substring(0, n8n.Length - "/api/v1".Length);
                log.Progress("Checking n8n", n8n, -1);
                var (code, body, error) = await SendAsync(Get(n8n + "/healthz/readiness"), ct).ConfigureAwait(false);
                Add("N8nReady", n8n + "/healthz/readiness", code == 200, error ?? (code == 200 ? "n8n is ready (database connected and migrated)." : $"n8n answered {code}: {Trim(body)}"));
                foreach (ExpectedWebhook hook in request.Webhooks)
                {
                    var preflight = new HttpCall(HttpMethod.Options, new Uri(n8n + "/webhook/" + hook.Path.TrimStart('/'))) { What = "OPTIONS /webhook/" + hook.Path.TrimStart('/') };
                    preflight.Headers["Origin"] = n8n;
                    preflight.Headers["Access-Control-Request-Method"] = hook.Method;
                    var (hookCode, hookBody, hookError, allowed) = await PreflightAsync(preflight, ct).ConfigureAwait(false);
                    bool registered = hookError == null && hookCode >= 200 && hookCode < 300
                                      && allowed.Split(',').Select(m => m.Trim()).Contains(hook.Method, StringComparer.OrdinalIgnoreCase);
                    Add("Webhook", $"{hook.Method} /webhook/{hook.Path.TrimStart('/')}", registered,
                        hookError ?? (registered ? $"Registered for '{hook.Workflow}'."
                            : $"Not registered for {hook.Method}: is '{hook.Workflow}' active? (n8n answered {hookCode}; methods of the path: " +
                              $"{(Methods(allowed).Length == 0 ? "none" : Methods(allowed))}; {Trim(N8nMessage(hookBody))})"));
                }
            }
            return checks;
        }

        /// <summary>Odoo's external API: XML-RPC common.version() (no login needed).</summary>
        private async Task<EnvironmentCheck> VersionAsync(string odoo, EnvironmentCheckRequest request, CancellationToken ct)
        {
            var check = new EnvironmentCheck { Environment = request.Environment, Check = "OdooVersion", Target = odoo + "/xmlrpc/2/common" };
            const string call = "<?xml version=\"1.0\"?><methodCall><methodName>version</methodName><params></params></methodCall>";
            // common.version() only reads: safe to repeat like a GET.
            var message = new HttpCall(HttpMethod.Post, new Uri(check.Target)) { Body = call, BodyType = "text/xml", SafeToRepeat = true, What = "XML-RPC common.version()" };
            var (code, body, error) = await SendAsync(message, ct).ConfigureAwait(false);
            if (error != null || code != 200) { check.Detail = error ?? $"XML-RPC answered {code}: {Trim(body)}"; return check; }
            string? version, serie;
            try
            {
                XElement? members = XDocument.Parse(body).Descendants("struct").FirstOrDefault();
                string? Member(string name) => members?.Elements("member").FirstOrDefault(m => (string?)m.Element("name") == name)?.Element("value")?.Value;
                version = Member("server_version");
                serie = Member("server_serie");
            }
            catch (System.Xml.XmlException ex) { check.Detail = "XML-RPC answer is not XML: " + ex.Message; return check; }
            if (string.IsNullOrEmpty(version)) { check.Detail = "XML-RPC common.version() has no server_version: " + Trim(body); return check; }
            // Odoo refuses an addon whose version does not start with its series (e.g. 18.0.1.0.0 on 17.0).
            List<ExpectedAddon> wrongSeries = string.IsNullOrEmpty(serie) ? new List<ExpectedAddon>()
                : request.Addons.Where(a => a.Version.Split('.').Length == 5 && !a.Version.StartsWith(serie + ".", StringComparison.Ordinal)).ToList();
            check.Ok = wrongSeries.Count == 0;
            check.Detail = check.Ok ? $"Odoo {version} (series {serie})."
                : $"Odoo {version} (series {serie}), but the package targets another series: " + string.Join(", ", wrongSeries.Select(a => $"{a.Name} {a.Version}")) + ".";
            return check;
        }

        private static HttpCall Get(string url) => new HttpCall(HttpMethod.Get, new Uri(url)) { What = "GET " + url };

        private async Task<(int Code, string Body, string? Error)> SendAsync(HttpCall call, CancellationToken ct)
        {
            var (code, body, error, _) = await PreflightAsync(call, ct).ConfigureAwait(false);
            return (code, body, error);
        }

        /// <summary>Every call here only reads (GET, OPTIONS, common.version()), so a refused or reset connection is retried
        /// through the module's one retry policy before the check fails. Answers are reported as they come (a 5xx is the
        /// check's finding, not repeated).</summary>
        private static readonly RetryPolicy Retry = new RetryPolicy(maxAttempts: 3, baseDelay: TimeSpan.FromMilliseconds(200), maxTotal: TimeSpan.FromSeconds(5));

        private async Task<(int Code, string Body, string? Error, string Allowed)> PreflightAsync(HttpCall call, CancellationToken ct)
        {
            call.Timeout = _timeout;
            try
            {
                HttpAnswer answer = await Retry.ExecuteAsync((_, token) => _http.SendOnceAsync(call, token),
                    ex => ex is HttpRequestException ? RetryDecision.Retry() : RetryDecision.Stop, null, call.What, ct).ConfigureAwait(false);
                return (answer.StatusCode, answer.Body, null, answer.Header("Access-Control-Allow-Methods") ?? string.Empty);
            }
            catch (HttpRequestException ex) { return (0, string.Empty, $"No answer from {call.Uri}: {ex.Message}", string.Empty); }
            catch (HttpCallTimeoutException) { return (0, string.Empty, $"No answer from {call.Uri} in time.", string.Empty); }
        }

        /// <summary>Odoo's base URL from a base or a full /web/health URL.</summary>
        public static string BaseUrl(string url)
        {
            string u = url.Trim().TrimEnd('/');
            int health = u.IndexOf("/web/health", StringComparison.Ordinal);
            return health >= 0 ? u.Substring(0, health) : u;
        }

        /// <summary>The HTTP methods of a webhook path from Access-Control-Allow-Methods, without OPTIONS.</summary>
        private static string Methods(string allowed)
            => string.Join(", ", allowed.Split(',').Select(m => m.Trim()).Where(m => m.Length > 0 && m != "OPTIONS"));

        private static string N8nMessage(string body)
        {
            try { return (string?)Newtonsoft.Json.Linq.JObject.Parse(body)["message"] ?? body; }
            catch (Newtonsoft.Json.JsonException) { return body; }
        }

        private static string Trim(string s) => s.Length > 160 ? s.Substring(0, 160) + "…" : s.Trim();
    }
}
