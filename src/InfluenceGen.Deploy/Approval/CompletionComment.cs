using System.Collections.Generic;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Approval
{
    /// <summary>The change request's closing comment: what was deployed, where, from which pipeline.</summary>
    public static class CompletionComment
    {
        /// <summary>The comment: Atlassian Document Format for v3, plain text for v2.</summary>
        public static JObject Body(int apiVersion, DeploymentSummary d)
        {
            string headline = $"Deployed to {(string.IsNullOrEmpty(d.Environment) ? "(environment not given)" : d.Environment)} by the InfluenceGen pipeline.";
            var items = new List<(string Label, string Value, bool Link)>
            {
                ("Environment", Or(d.Environment), false),
                ("Release", Or(d.ReleaseId), false),
                ("Addons installed", List(d.AddonsInstalled), false),
                ("Addons upgraded", List(d.AddonsUpgraded), false),
                ("n8n workflows changed", List(d.WorkflowsChanged), false),
            };
            if (!string.IsNullOrEmpty(d.CommitSha)) items.Add(("Commit", d.CommitSha!, false));
            items.Add(("Pipeline", Or(d.PipelineUrl), !string.IsNullOrEmpty(d.PipelineUrl)));

            if (apiVersion == 2)
            {
                var text = new System.Text.StringBuilder(headline).Append('\n');
                foreach (var item in items) text.Append("* ").Append(item.Label).Append(": ").Append(item.Value).Append('\n');
                if (!string.IsNullOrEmpty(d.Note)) text.Append('\n').Append(d.Note);
                return new JObject { ["body"] = SecretMasker.Default.Apply(text.ToString().TrimEnd('\n')) };
            }

            JObject Text(string t, params JObject[] marks)
            {
                var node = new JObject { ["type"] = "text", ["text"] = SecretMasker.Default.Apply(t) };
                if (marks.Length > 0) node["marks"] = new JArray(marks);
                return node;
            }
            JObject Paragraph(params JObject[] content) => new JObject { ["type"] = "paragraph", ["content"] = new JArray(content) };

            var list = new JArray();
            foreach (var item in items)
            {
                JObject value = item.Link
                    ? Text(item.Value, new JObject { ["type"] = "link", ["attrs"] = new JObject { ["href"] = item.Value } })
                    : Text(item.Value);
                list.Add(new JObject
                {
                    ["type"] = "listItem",
                    ["content"] = new JArray(Paragraph(Text(item.Label + ": ", new JObject { ["type"] = "strong" }), value)),
                });
            }
            var content = new JArray(Paragraph(Text(headline)), new JObject { ["type"] = "bulletList", ["content"] = list });
            if (!string.IsNullOrEmpty(d.Note)) content.Add(Paragraph(Text(d.Note!)));
            return new JObject { ["body"] = new JObject { ["type"] = "doc", ["version"] = 1, ["content"] = content } };
        }

        private static string Or(string? s) => string.IsNullOrEmpty(s) ? "(not given)" : s!;
        private static string List(IReadOnlyList<string>? items) => items == null || items.Count == 0 ? "none" : string.Join(", ", items);
    }
}
