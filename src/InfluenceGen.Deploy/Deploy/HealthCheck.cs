using System;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Deploy
{
    /// <summary>
    /// Is Odoo serving and does it reach its database? <c>GET /web/health</c> answering 200 is not enough
    /// (Odoo 17.0 answers 200 with PostgreSQL stopped), so: <c>/web/health?db_server_status=1</c> must answer
    /// 200 "pass" (newer builds answer 500 when the database is down), AND a probe that touches the
    /// database: <c>POST /web/database/list</c> must list a database (older builds answer [] when
    /// PostgreSQL is down); when listing is disabled, <c>psql -c 'select 1'</c> on the target decides.
    /// </summary>
    public sealed class HealthCheck
    {
        private readonly HttpClient _http;
        private readonly Func<CancellationToken, Task<bool>> _databasePing;

        public HealthCheck(HttpClient http, Func<CancellationToken, Task<bool>> databasePing)
        {
            _http = http; _databasePing = databasePing;
        }

        public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(500);

        /// <summary>Polls until healthy or <paramref name="timeout"/>; returns null when healthy, else the last reason.</summary>
        public async Task<string?> WaitHealthyAsync(string baseUrl, TimeSpan timeout, IDeployLog log, CancellationToken ct)
        {
            DateTime deadline = DateTime.UtcNow + timeout;
            string? reason;
            int attempt = 0;
            do
            {
                attempt++;
                reason = await ProbeAsync(baseUrl.TrimEnd('/'), ct).ConfigureAwait(false);
                if (reason == null) { log.Verbose($"health: healthy after {attempt} probe(s)"); return null; }
                log.Progress("Health check", $"attempt {attempt}: {reason}", -1);
                if (DateTime.UtcNow + Interval > deadline) break;
                await Task.Delay(Interval, ct).ConfigureAwait(false);
            } while (DateTime.UtcNow < deadline);
            return $"{reason} (after {attempt} probe(s) in {timeout.TotalSeconds:0}s)";
        }

        public async Task<string?> ProbeAsync(string baseUrl, CancellationToken ct)
        {
            try
            {
                using (var response = await _http.GetAsync(baseUrl + "/web/health?db_server_status=1", ct).ConfigureAwait(false))
                {
                    string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    if ((int)response.StatusCode != 200) return $"/web/health?db_server_status=1 answered {(int)response.StatusCode} {Trim(body)}";
                    if (!body.Contains("\"pass\"")) return $"/web/health answered {Trim(body)}";
                }
                var rpc = new StringContent("{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"params\":{}}", Encoding.UTF8, "application/json");
                using (var response = await _http.PostAsync(baseUrl + "/web/database/list", rpc, ct).ConfigureAwait(false))
                {
                    string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    JToken? result = null;
                    if ((int)response.StatusCode == 200)
                    {
                        try { result = JObject.Parse(body)["result"]; } catch (Newtonsoft.Json.JsonException) { }
                    }
                    if (result is JArray list)
                        return list.Count > 0 ? null : "Odoo lists no database (PostgreSQL unreachable from Odoo)";
                }
                // Listing disabled (list_db = False) or not JSON: ask PostgreSQL on the target.
                return await _databasePing(ct).ConfigureAwait(false) ? null : "PostgreSQL does not answer select 1 on the target";
            }
            catch (HttpRequestException ex) { return "Odoo does not answer: " + ex.Message; }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { return "Odoo did not answer in time"; }
        }

        private static string Trim(string s) => s.Length > 120 ? s.Substring(0, 120) + "…" : s.Trim();
    }
}
