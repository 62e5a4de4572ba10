using InfluenceGen.Deploy.Infrastructure;
using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.N8n
{
    /// <summary>
    /// The form of a workflow that n8n's public API accepts, and the normalised form the publisher
    /// compares. n8n's create/update (PUT /api/v1/workflows/{id}) rejects properties outside its
    /// allow-list, so the body holds only name, nodes, connections, settings (filtered to the keys
    /// the API's workflowSettings schema knows) and, on create, staticData.
    /// </summary>
    public static class WorkflowNormalizer
    {
        /// <summary>The keys of the public API's workflowSettings schema (n8n 2.40
        /// <c>dist/public-api/v1/openapi.yml</c>, additionalProperties: false), without binaryMode
        /// (derived by the server; "any value sent ... is ignored"). Other keys an export may hold are
        /// left out of the body, which the API would otherwise reject.</summary>
        public static readonly IReadOnlyCollection<string> SettingsAllowList = new HashSet<string>(StringComparer.Ordinal)
        {
            "saveExecutionProgress", "saveManualExecutions", "saveDataErrorExecution", "saveDataSuccessExecution",
            "executionTimeout", "errorWorkflow", "timezone", "executionOrder", "callerPolicy", "callerIds",
            "timeSavedMode", "timeSavedPerExecution", "redactionPolicy", "availableInMCP", "customTelemetryTags", "credentialResolverId",
        };

        /// <summary>Node properties that are the server's bookkeeping, not the workflow's meaning.</summary>
        private static readonly HashSet<string> IgnoredNodeKeys = new HashSet<string>(StringComparer.Ordinal) { "id" };

        /// <summary>The API body of a source workflow (create: with staticData when the file has it).</summary>
        public static JObject ApiBody(JObject workflow, bool includeStaticData)
        {
            var body = new JObject
            {
                ["name"] = workflow["name"]?.DeepClone(),
                ["nodes"] = workflow["nodes"]?.DeepClone() ?? new JArray(),
                ["connections"] = workflow["connections"]?.DeepClone() ?? new JObject(),
                ["settings"] = FilterSettings(workflow["settings"] as JObject),
            };
            if (workflow["description"] is JValue description && description.Type == JTokenType.String)
                body["description"] = description.DeepClone();
            if (includeStaticData && workflow["staticData"] is JObject staticData && staticData.HasValues)
                body["staticData"] = staticData.DeepClone();
            return body;
        }

        private static JObject FilterSettings(JObject? settings)
        {
            var filtered = new JObject();
            if (settings == null) return filtered;
            foreach (JProperty p in settings.Properties())
                if (SettingsAllowList.Contains(p.Name) && p.Value.Type != JTokenType.Null)
                    filtered[p.Name] = p.Value.DeepClone();
            return filtered;
        }

        /// <summary>
        /// The comparable form: name, nodes (sorted by name, without node ids and null values),
        /// connections, and the settings the source declares (a server may add defaults of its own;
        /// only keys the source has are compared). Keys are sorted at every level.
        /// </summary>
        /// <param name="declaredSettings">The setting keys to compare (the source's); null = all.</param>
        public static JObject Comparable(JObject body, ICollection<string>? declaredSettings)
        {
            var nodes = new JArray();
            if (body["nodes"] is JArray array)
            {
                foreach (JToken node in array.OrderBy(n => (string?)(n as JObject)?["name"] ?? string.Empty, StringComparer.Ordinal))
                {
                    if (!(node is JObject o)) { nodes.Add(Canonical(node)); continue; }
                    var copy = new JObject();
                    foreach (JProperty p in o.Properties())
                        if (!IgnoredNodeKeys.Contains(p.Name)) copy[p.Name] = p.Value.DeepClone();
                    nodes.Add(Canonical(copy));
                }
            }
            var settings = new JObject();
            if (body["settings"] is JObject s)
                foreach (JProperty p in s.Properties())
                    if (SettingsAllowList.Contains(p.Name) && (declaredSettings == null || declaredSettings.Contains(p.Name)) && p.Value.Type != JTokenType.Null)
                        settings[p.Name] = p.Value.DeepClone();
            var comparable = new JObject
            {
                ["name"] = body["name"]?.DeepClone(),
                ["nodes"] = nodes,
                ["connections"] = Canonical(body["connections"] ?? new JObject()),
                ["settings"] = Canonical(settings),
            };
            // A description is compared when the source declares one (servers add none of their own).
            if (body["description"]?.Type == JTokenType.String)
                comparable["description"] = body["description"]!.DeepClone();
            return comparable;
        }

        /// <summary>Sorted keys, no null-valued properties, numbers as written.</summary>
        public static JToken Canonical(JToken token)
        {
            switch (token)
            {
                case JObject o:
                    var result = new JObject();
                    foreach (JProperty p in o.Properties().OrderBy(p => p.Name, StringComparer.Ordinal))
                        if (p.Value.Type != JTokenType.Null && p.Value.Type != JTokenType.Undefined)
                            result[p.Name] = Canonical(p.Value);
                    return result;
                case JArray a:
                    return new JArray(a.Select(Canonical));
                case JValue v when v.Type == JTokenType.Float:
                    // 1.0 and 1 are the same number to n8n (JavaScript); compare them as equal.
                    double d = v.Value<double>();
                    return Math.Abs(d % 1) < double.Epsilon && Math.Abs(d) < 1e15 ? new JValue((long)d) : new JValue(d);
                default:
                    return token.DeepClone();
            }
        }

        public static string CanonicalText(JToken token) => token.ToString(Formatting.None);

        public static string Hash(JToken comparable) => Hashing.Sha256Hex(CanonicalText(comparable));

        /// <summary>A short human summary of what differs between two comparable forms, e.g.
        /// "nodes: +1 -0 ~2 (Send to Slack); connections; settings: timezone".</summary>
        public static string Describe(JObject from, JObject to)
        {
            var parts = new List<string>();
            if (!JToken.DeepEquals(from["name"], to["name"])) parts.Add($"renamed '{from["name"]}' -> '{to["name"]}'");
            var before = Index(from["nodes"] as JArray);
            var after = Index(to["nodes"] as JArray);
            var added = after.Keys.Where(k => !before.ContainsKey(k)).ToList();
            var removed = before.Keys.Where(k => !after.ContainsKey(k)).ToList();
            var changed = after.Keys.Where(k => before.ContainsKey(k) && !JToken.DeepEquals(before[k], after[k])).ToList();
            if (added.Count + removed.Count + changed.Count > 0)
            {
                var names = added.Select(n => "+" + n).Concat(removed.Select(n => "-" + n)).Concat(changed.Select(n => "~" + n)).ToList();
                string list = string.Join(", ", names.Take(4)) + (names.Count > 4 ? ", …" : "");
                parts.Add($"nodes +{added.Count} -{removed.Count} ~{changed.Count} ({list})");
            }
            if (!JToken.DeepEquals(from["connections"], to["connections"])) parts.Add("connections");
            if (!JToken.DeepEquals(from["settings"], to["settings"]))
            {
                var a = from["settings"] as JObject ?? new JObject();
                var b = to["settings"] as JObject ?? new JObject();
                var keys = a.Properties().Select(p => p.Name).Union(b.Properties().Select(p => p.Name))
                    .Where(k => !JToken.DeepEquals(a[k], b[k])).OrderBy(k => k, StringComparer.Ordinal);
                parts.Add("settings: " + string.Join(", ", keys));
            }
            return parts.Count == 0 ? "no change" : string.Join("; ", parts);
        }

        private static Dictionary<string, JToken> Index(JArray? nodes)
        {
            var map = new Dictionary<string, JToken>(StringComparer.Ordinal);
            if (nodes == null) return map;
            foreach (JToken n in nodes)
            {
                string name = (string?)(n as JObject)?["name"] ?? string.Empty;
                map[name] = n;
            }
            return map;
        }

        /// <summary>Does this node start a workflow on its own (so the workflow can be activated)?</summary>
        public static bool IsTrigger(string? nodeType)
        {
            if (string.IsNullOrEmpty(nodeType)) return false;
            string t = nodeType!;
            if (t.EndsWith(".manualTrigger", StringComparison.Ordinal) || t.EndsWith(".executeWorkflowTrigger", StringComparison.Ordinal)) return false;
            return t.EndsWith("Trigger", StringComparison.Ordinal) || t.EndsWith(".webhook", StringComparison.Ordinal)
                   || t.EndsWith(".formTrigger", StringComparison.Ordinal) || t.EndsWith(".cron", StringComparison.Ordinal)
                   || t.EndsWith(".interval", StringComparison.Ordinal);
        }
    }
}
