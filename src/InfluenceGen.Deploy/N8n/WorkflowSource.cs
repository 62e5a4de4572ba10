using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.N8n
{
    /// <summary>One file of a workflow source (a folder or a package), by its relative path.</summary>
    public sealed class SourceFile
    {
        public SourceFile(string relativePath, Func<byte[]> read)
        {
            RelativePath = relativePath; Read = read;
        }

        /// <summary>Forward slashes, relative to the source root.</summary>
        public string RelativePath { get; }
        public Func<byte[]> Read { get; }
    }

    /// <summary>Workflow problems found before anything is written or published.</summary>
    public sealed class N8nWorkflowValidationException : DeployException
    {
        public N8nWorkflowValidationException(IReadOnlyList<N8nWorkflowProblem> problems)
            : base(problems.Count == 1 ? problems[0].ErrorId : ErrorIds.InvalidWorkflows, ErrorKind.InvalidData,
                problems.Count == 1 ? problems[0].ToString()
                    : $"{problems.Count} problems in the workflows:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)),
                problems[0].File)
        {
            Problems = problems;
        }

        public IReadOnlyList<N8nWorkflowProblem> Problems { get; }
    }

    /// <summary>
    /// The workflows and helper files of a source, read and validated.
    /// Which files are workflows: every <c>*.json</c> whose root is an object with "nodes" or
    /// "connections" (n8n's <c>export:workflow --separate</c> / the editor's download), or an array of
    /// such objects (n8n's <c>export:workflow --all</c> without --separate). Every other file —
    /// helper scripts, documentation, other JSON — is a helper file, packaged as it is.
    /// Hidden files and folders (.git, .DS_Store) are left out.
    /// </summary>
    public sealed class WorkflowSource
    {
        private WorkflowSource(string root, IReadOnlyList<SourceFile> files, IReadOnlyList<N8nWorkflow> workflows, IReadOnlyList<string> helpers)
        {
            Root = root; Files = files; Workflows = workflows; HelperFiles = helpers;
        }

        /// <summary>The folder or zip it was read from.</summary>
        public string Root { get; }
        /// <summary>Every file, sorted by relative path (ordinal).</summary>
        public IReadOnlyList<SourceFile> Files { get; }
        public IReadOnlyList<N8nWorkflow> Workflows { get; }
        public IReadOnlyList<string> HelperFiles { get; }

        /// <summary>Reads a folder of workflow files or a package zip written by New-N8nWorkflowPackage.</summary>
        public static WorkflowSource Load(string path, IDeployLog log)
        {
            string full = Path.GetFullPath(path);
            if (Directory.Exists(full)) return FromFiles(full, ListFolder(full), log);
            if (File.Exists(full)) return FromFiles(full, ListZip(full), log);
            throw new DeployException(ErrorIds.PathNotFound, ErrorKind.ObjectNotFound, $"the path '{path}' does not exist", path);
        }

        private static List<SourceFile> ListFolder(string root)
        {
            var files = new List<SourceFile>();
            void Walk(string dir, string prefix)
            {
                foreach (string f in Directory.GetFiles(dir))
                {
                    string name = Path.GetFileName(f);
                    if (name.StartsWith(".", StringComparison.Ordinal)) continue;
                    string full = f;
                    files.Add(new SourceFile(prefix + name, () => File.ReadAllBytes(full)));
                }
                foreach (string d in Directory.GetDirectories(dir))
                {
                    string name = Path.GetFileName(d);
                    if (name.StartsWith(".", StringComparison.Ordinal) || name == "node_modules") continue;
                    Walk(d, prefix + name + "/");
                }
            }
            Walk(root, "");
            return files;
        }

        private static List<SourceFile> ListZip(string zipPath)
        {
            var files = new List<SourceFile>();
            try
            {
                using ZipArchive zip = ZipFile.OpenRead(zipPath);
                foreach (ZipArchiveEntry entry in zip.Entries)
                {
                    if (entry.FullName.EndsWith("/", StringComparison.Ordinal) || entry.FullName == N8nWorkflowPackage.MetadataEntry) continue;
                    using Stream s = entry.Open();
                    var buffer = new MemoryStream();
                    s.CopyTo(buffer);
                    byte[] bytes = buffer.ToArray();
                    files.Add(new SourceFile(entry.FullName, () => bytes));
                }
            }
            catch (InvalidDataException ex)
            {
                throw new DeployException(ErrorIds.InvalidPackage, ErrorKind.InvalidData, $"'{zipPath}' is not a workflow folder or a readable zip: {ex.Message}", zipPath);
            }
            return files;
        }

        /// <summary>Reads and validates the given files (any order); problems are collected and thrown together.</summary>
        public static WorkflowSource FromFiles(string root, IEnumerable<SourceFile> input, IDeployLog log)
        {
            List<SourceFile> files = input.OrderBy(f => f.RelativePath, StringComparer.Ordinal).ToList();
            var problems = new List<N8nWorkflowProblem>();
            var workflows = new List<N8nWorkflow>();
            var helpers = new List<string>();
            foreach (SourceFile file in files)
            {
                if (!file.RelativePath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                {
                    helpers.Add(file.RelativePath);
                    continue;
                }
                JToken? parsed = Parse(file, problems);
                if (parsed == null) continue;
                if (parsed is JObject obj && LooksLikeWorkflow(obj))
                {
                    log.Verbose($"Reading workflow {file.RelativePath}");
                    N8nWorkflow? wf = Validate(obj, file.RelativePath, problems);
                    if (wf != null) workflows.Add(wf);
                }
                else if (parsed is JArray array && array.Count > 0 && array.All(t => t is JObject o && LooksLikeWorkflow(o)))
                {
                    log.Verbose($"Reading {array.Count} workflows from {file.RelativePath}");
                    foreach (JObject item in array.Cast<JObject>())
                    {
                        N8nWorkflow? wf = Validate(item, file.RelativePath, problems);
                        if (wf != null) workflows.Add(wf);
                    }
                }
                else
                {
                    helpers.Add(file.RelativePath);
                }
            }

            // Identity: the name (see N8nPublisher). Two workflows with one name, or one export id
            // used twice, cannot be told apart on the server.
            foreach (var group in workflows.GroupBy(w => w.Identity, StringComparer.Ordinal).Where(g => g.Count() > 1))
                problems.Add(new N8nWorkflowProblem(ErrorIds.DuplicateWorkflowIdentity, group.Skip(1).First().File, 0, 0,
                    $"the workflow name '{group.Key}' is used by {string.Join(", ", group.Select(w => w.File))}; names identify workflows on the server and must be unique"));
            foreach (var group in workflows.Where(w => w.SourceId.Length > 0).GroupBy(w => w.SourceId, StringComparer.Ordinal).Where(g => g.Count() > 1))
                problems.Add(new N8nWorkflowProblem(ErrorIds.DuplicateWorkflowIdentity, group.Skip(1).First().File, 0, 0,
                    $"the workflow id '{group.Key}' is used by {string.Join(", ", group.Select(w => w.File))}"));

            if (problems.Count > 0) throw new N8nWorkflowValidationException(problems);
            return new WorkflowSource(root, files, workflows, helpers);
        }

        private static bool LooksLikeWorkflow(JObject o) => o.ContainsKey("nodes") || o.ContainsKey("connections");

        private static JToken? Parse(SourceFile file, List<N8nWorkflowProblem> problems)
        {
            byte[] bytes = file.Read();
            string text = new UTF8Encoding(false, false).GetString(bytes);
            if (text.Length > 0 && text[0] == '\uFEFF') text = text.Substring(1);
            try
            {
                using var reader = new JsonTextReader(new StringReader(text)) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Double };
                JToken token = JToken.Load(reader, new JsonLoadSettings { LineInfoHandling = LineInfoHandling.Load, DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error });
                if (reader.Read() && reader.TokenType != JsonToken.Comment)
                    throw new JsonReaderException("additional text after the end of the JSON value", reader.Path, reader.LineNumber, reader.LinePosition, null);
                return token;
            }
            catch (JsonReaderException ex)
            {
                problems.Add(new N8nWorkflowProblem(ErrorIds.InvalidWorkflowJson, file.RelativePath, ex.LineNumber, ex.LinePosition, "not well-formed JSON: " + StripPosition(ex.Message)));
                return null;
            }
        }

        private static string StripPosition(string message)
        {
            int at = message.IndexOf(" Path '", StringComparison.Ordinal);
            if (at < 0) at = message.IndexOf(", line ", StringComparison.Ordinal);
            return (at > 0 ? message.Substring(0, at) : message).TrimEnd('.', ' ', ',');
        }

        private static (int Line, int Column) Where(JToken? token)
        {
            if (token is IJsonLineInfo info && info.HasLineInfo()) return (info.LineNumber, info.LinePosition);
            return (0, 0);
        }

        private static N8nWorkflow? Validate(JObject wf, string file, List<N8nWorkflowProblem> problems)
        {
            int before = problems.Count;
            void Problem(string id, JToken? at, string message)
            {
                var (line, col) = Where(at ?? wf);
                problems.Add(new N8nWorkflowProblem(id, file, line, col, message));
            }

            string? name = wf["name"]?.Type == JTokenType.String ? (string?)wf["name"] : null;
            if (string.IsNullOrWhiteSpace(name)) Problem(ErrorIds.MissingWorkflowName, wf["name"], "the workflow has no \"name\" (a non-empty string)");
            string label = string.IsNullOrWhiteSpace(name) ? "the workflow" : $"workflow '{name}'";

            var nodeNames = new HashSet<string>(StringComparer.Ordinal);
            int triggers = 0, nodeCount = 0;
            if (!(wf["nodes"] is JArray nodes))
            {
                Problem(ErrorIds.MissingWorkflowNodes, wf["nodes"], $"{label} has no \"nodes\" array");
            }
            else
            {
                foreach (JToken n in nodes)
                {
                    nodeCount++;
                    if (!(n is JObject node) || node["name"]?.Type != JTokenType.String || string.IsNullOrEmpty((string?)node["name"]))
                    {
                        Problem(ErrorIds.InvalidWorkflowNode, n, $"{label}: node {nodeCount} has no \"name\"");
                        continue;
                    }
                    string nodeName = (string)node["name"]!;
                    if (!nodeNames.Add(nodeName))
                        Problem(ErrorIds.DuplicateNodeName, node["name"], $"{label}: the node name '{nodeName}' is used twice; n8n connects nodes by name");
                    if (node["type"]?.Type != JTokenType.String)
                        Problem(ErrorIds.InvalidWorkflowNode, node, $"{label}: node '{nodeName}' has no \"type\"");
                    else if (WorkflowNormalizer.IsTrigger((string?)node["type"]) && !(node["disabled"]?.Type == JTokenType.Boolean && (bool)node["disabled"]!))
                        triggers++;
                }
            }

            if (!(wf["connections"] is JObject connections))
            {
                Problem(ErrorIds.MissingWorkflowConnections, wf["connections"], $"{label} has no \"connections\" object");
            }
            else if (wf["nodes"] is JArray)
            {
                foreach (JProperty source in connections.Properties())
                {
                    if (!nodeNames.Contains(source.Name))
                        Problem(ErrorIds.UnknownConnectionNode, source, $"{label}: a connection starts at '{source.Name}', which is not a node of the workflow");
                    if (!(source.Value is JObject outputs)) continue;
                    foreach (JProperty output in outputs.Properties())
                    {
                        if (!(output.Value is JArray branches)) continue;
                        foreach (JToken branch in branches)
                        {
                            if (!(branch is JArray targets)) continue;
                            foreach (JToken target in targets)
                            {
                                string? to = (string?)(target as JObject)?["node"];
                                if (to == null || !nodeNames.Contains(to))
                                    Problem(ErrorIds.UnknownConnectionNode, target, $"{label}: the connection '{source.Name}' -> '{to}' points at a node the workflow does not have");
                            }
                        }
                    }
                }
            }

            bool active = wf["active"]?.Type == JTokenType.Boolean && (bool)wf["active"]!;
            if (active && triggers == 0 && wf["nodes"] is JArray)
                Problem(ErrorIds.ActiveWithoutTrigger, wf["active"], $"{label} is declared active but has no trigger node (schedule, webhook, ... trigger); n8n cannot activate it");

            var tags = new List<string>();
            if (wf["tags"] is JArray tagArray)
            {
                foreach (JToken t in tagArray)
                {
                    string? tag = t.Type == JTokenType.String ? (string?)t : (string?)(t as JObject)?["name"];
                    if (string.IsNullOrWhiteSpace(tag)) { Problem(ErrorIds.InvalidWorkflowTag, t, $"{label}: a tag has no name"); continue; }
                    if (tag!.Length > N8nPublisher.MaxTagLength) Problem(ErrorIds.InvalidWorkflowTag, t, $"{label}: the tag '{tag}' is longer than n8n's {N8nPublisher.MaxTagLength} characters");
                    if (!tags.Contains(tag, StringComparer.Ordinal) && tag != N8nPublisher.ManagedTag) tags.Add(tag);
                }
            }

            if (problems.Count > before) return null;
            JObject body = WorkflowNormalizer.ApiBody(wf, includeStaticData: true);
            return new N8nWorkflow
            {
                Name = name!,
                SourceId = wf["id"]?.Type == JTokenType.String ? (string)wf["id"]! : wf["id"]?.Type == JTokenType.Integer ? wf["id"]!.ToString() : string.Empty,
                Active = active,
                Tags = tags.OrderBy(t => t, StringComparer.Ordinal).ToArray(),
                NodeCount = nodeCount,
                TriggerCount = triggers,
                ContentHash = WorkflowNormalizer.Hash(WorkflowNormalizer.Comparable(body, null)),
                File = file,
                Body = body,
            };
        }
    }
}
