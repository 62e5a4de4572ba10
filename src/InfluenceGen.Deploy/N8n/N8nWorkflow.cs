using System;
using System.Collections.Generic;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.N8n
{
    /// <summary>
    /// One workflow read from the source (a folder or a package), validated. Its
    /// <see cref="Identity"/> is what matches it to a workflow on the server (see
    /// <see cref="N8nPublisher"/> for the identity design): the workflow's name.
    /// </summary>
    public sealed class N8nWorkflow
    {
        /// <summary>The matching key on the server: the workflow name (unique in a package).</summary>
        public string Identity => Name;
        public string Name { get; set; } = string.Empty;
        /// <summary>The id n8n's export wrote (the id on the server it was exported from), or empty.</summary>
        public string SourceId { get; set; } = string.Empty;
        /// <summary>The active state the file declares (n8n's export field "active").</summary>
        public bool Active { get; set; }
        /// <summary>Tag names the file declares (without the managed marker).</summary>
        public string[] Tags { get; set; } = Array.Empty<string>();
        public int NodeCount { get; set; }
        /// <summary>Nodes that trigger the workflow on their own (schedule, webhook, ... triggers).</summary>
        public int TriggerCount { get; set; }
        /// <summary>SHA-256 of the normalised API form (name, nodes, connections, settings): what the
        /// publisher compares, independent of formatting, key order and node order.</summary>
        public string ContentHash { get; set; } = string.Empty;
        /// <summary>Path of the file relative to the source root (inside the package).</summary>
        public string File { get; set; } = string.Empty;

        /// <summary>The body n8n's public API accepts on create (name, nodes, connections, settings, staticData).</summary>
        internal JObject Body { get; set; } = new JObject();

        public override string ToString() => Name;
    }

    /// <summary>A package of workflows (table view: InfluenceGen.Deploy.N8n.N8nWorkflowPackage).</summary>
    public sealed class N8nWorkflowPackage
    {
        public const string MetadataEntry = "influencegen-n8n-package.json";
        public const string Format = "influencegen-n8n-workflows/1";

        /// <summary>The zip (empty for a folder read directly).</summary>
        public string Path { get; set; } = string.Empty;
        public long Size { get; set; }
        /// <summary>SHA-256 of the zip file itself.</summary>
        public string Sha256 { get; set; } = string.Empty;
        /// <summary>SHA-256 over the packaged files (names and content), independent of compression.</summary>
        public string ContentHash { get; set; } = string.Empty;
        public N8nWorkflow[] Workflows { get; set; } = Array.Empty<N8nWorkflow>();
        /// <summary>Files that are not workflows (helper scripts, documentation), packaged as they are.</summary>
        public string[] HelperFiles { get; set; } = Array.Empty<string>();
        public int FileCount { get; set; }
        /// <summary>The n8n version the workflows target (N8N_VERSION / -N8nVersion), recorded in the metadata; null when not given.</summary>
        public string? N8nVersion { get; set; }
        /// <summary>False for -WhatIf.</summary>
        public bool Written { get; set; }

        public int WorkflowCount => Workflows.Length;
        public override string ToString() => Path;
    }

    /// <summary>A problem in a workflow file, naming the file, line and column.</summary>
    public sealed class N8nWorkflowProblem
    {
        public N8nWorkflowProblem(string errorId, string file, int line, int column, string message)
        {
            ErrorId = errorId; File = file; Line = line; Column = column; Message = message;
        }

        public string ErrorId { get; }
        public string File { get; }
        public int Line { get; }
        public int Column { get; }
        public string Message { get; }

        public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}: {Message}";
    }
}
