using System;
using System.Net.Http;
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
        private readonly HttpStack _http;
        private readonly TimeSpan _timeout;
        private readonly Func<CancellationToken, Task<bool>> _databasePing;

        /// <param name="http">The client the probes go out on (its Timeout bounds each probe), through the module's
        /// <see cref="HttpStack"/>; the probes are not retried there: <see cref="WaitHealthyAsync"/> polls.</param>
        public HealthCheck(HttpClient http, Func<CancellationToken, Task<bool>> databasePing)
        {
            _http = HttpStack.For(http); _timeout = _http.ClientTimeout; _databasePing = databasePing;
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
                reason = await ProbeAsync(baseUrl, ct).ConfigureAwait(false);
                if (reason == null) { log.Verbose($"health: healthy after {attempt} probe(s)"); return null; }
                log.Progress("Health check", $"attempt {attempt}: {reason}", -1);
                if (DateTime.UtcNow + Interval > deadline) break;
                await Task.Delay(Interval, ct).ConfigureAwait(false);
            } while (DateTime.UtcNow < deadline);
            return $"{reason} (after {attempt} probe(s) in {timeout.TotalSeconds:0}s)";
        }

        public async Task<string?> ProbeAsync(string baseUrl, CancellationToken ct)
        {
            baseUrl = BaseUrl(baseUrl);
            try
            {
                HttpAnswer health = await _http.SendOnceAsync(new HttpCall(HttpMethod.Get, new Uri(baseUrl + "/web/health?db_server_status=1")) { Timeout = _timeout }, ct).ConfigureAwait(false);
                if (health.StatusCode != 200) return $"/web/health?db_server_status=1 answered {health.StatusCode} {Trim(health.Body)}";
                if (!health.Body.Contains("\"pass\"")) return $"/web/health answered {Trim(health.Body)}";
                var rpc = new HttpCall(HttpMethod.Post, new Uri(baseUrl + "/web/database/list")) { JsonBody = "{\"jsonrpc\":\"2.0\",\"method\":\"call\",\"params\":{}}", Timeout = _timeout };
                HttpAnswer databases = await _http.SendOnceAsync(rpc, ct).ConfigureAwait(false);
                JToken? result = null;
                if (databases.StatusCode == 200)
                {
                    try { result = JObject.Parse(databases.Body)["result"]; } catch (Newtonsoft.Json.JsonException) { }
                }
                if (result is JArray list)
                    return list.Count > 0 ? null : "Odoo lists no database (PostgreSQL unreachable from Odoo)";
                // Listing disabled (list_db = False) or not JSON: ask PostgreSQL on the target.
                return await _databasePing(ct).ConfigureAwait(false) ? null : "PostgreSQL does not answer select 1 on the target";
            }
            catch (HttpRequestException ex) { return "Odoo does not answer: " + ex.Message + (ex.InnerException != null ? " (" + ex.InnerException.Message + ")" : ""); }
            catch (HttpCallTimeoutException) { return "Odoo did not answer in time"; }
        }

        /// <summary>The base URL of a HealthUrl given as the base (https://odoo.example.com) or as the full
        /// health URL (…/web/health, with or without a query).</summary>
        public static string BaseUrl(string healthUrl)
        {
            string u = healthUrl.Trim();
            int q = u.IndexOf('?');
            if (q >= 0) u = u.Substring(0, q);
            u = u.TrimEnd('/');
            if (u.EndsWith("/web/health", StringComparison.OrdinalIgnoreCase)) u = u.Substring(0, u.Length - "/web/health".Length);
            return u;
        }

        /// <summary>
        /// The same check as <see cref="ProbeAsync"/>, as a bash script run on the target (by the deploy's target job,
        /// which must decide deployed or rolled back without the client): curl polls until healthy or the timeout;
        /// prints <c>@@HEALTHY n</c> or <c>@@UNHEALTHY reason</c> (exit 87).
        /// </summary>
        internal static string TargetScript(TargetScripts s, string healthUrl, TimeSpan timeout, TimeSpan interval)
        {
            string url = TargetScripts.Q(BaseUrl(healthUrl));
            string pause = (Math.Max(50, interval.TotalMilliseconds) / 1000.0).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
            int seconds = (int)Math.Ceiling(timeout.TotalSeconds);
            string body = "URL=" + url + "\nTIMEOUT=" + seconds + "\nPAUSE=" + pause + "\nPSQL='" + TargetScripts.Psql + "'\n" + """
                command -v curl >/dev/null 2>&1 || { echo '@@UNHEALTHY curl is not installed on the target (the deploy checks Odoo health from there)'; exit 87; }
                deadline=$(( $(date +%s) + $TIMEOUT )); n=0; reason=
                get() { curl -s -m 10 -w '\n%{http_code}' "$@" 2>/dev/null; }
                while :; do
                  n=$((n+1))
                  out=$(get "$URL/web/health?db_server_status=1"); code=${out##*$'\n'}; text=${out%$'\n'*}; [ "$out" = "$code" ] && text=
                  if [ "$code" = 000 ] || [ -z "$code" ]; then reason="Odoo does not answer at $URL"
                  elif [ "$code" != 200 ]; then reason="/web/health?db_server_status=1 answered $code ${text:0:120}"
                  elif ! printf '%s' "$text" | grep -q '"pass"'; then reason="/web/health answered ${text:0:120}"
                  else
                    out=$(get -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","method":"call","params":{}}' "$URL/web/database/list"); code=${out##*$'\n'}; text=${out%$'\n'*}
                    if [ "$code" = 200 ] && printf '%s' "$text" | grep -q '"result": *\['; then
                      if printf '%s' "$text" | grep -q '"result": *\[ *\]'; then reason='Odoo lists no database (PostgreSQL unreachable from Odoo)'; else reason=; fi
                    elif $PSQL -c 'select 1' >/dev/null 2>&1; then reason=
                    else reason='PostgreSQL does not answer select 1 on the target'; fi
                  fi
                  [ -z "$reason" ] && { echo "@@HEALTHY $n"; exit 0; }
                  echo "health: attempt $n: $reason"
                  [ "$(date +%s)" -ge "$deadline" ] && break
                  sleep "$PAUSE"
                done
                echo "@@UNHEALTHY $reason (after $n probe(s) in ${TIMEOUT}s)"; exit 87
                """ + "\n";
            return s.Wrap(body);
        }

        private static string Trim(string s) => s.Length > 120 ? s.Substring(0, 120) + "…" : s.Trim();
    }
}
