using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json;

namespace InfluenceGen.Deploy.N8n
{
    /// <summary>
    /// New-N8nWorkflowPackage's service: read and validate a folder of workflows
    /// (<see cref="WorkflowSource"/>), then write a deterministic zip: the files under their relative
    /// paths in ordinal order, plus <see cref="N8nWorkflowPackage.MetadataEntry"/> last.
    /// </summary>
    public sealed class WorkflowPackageBuilder
    {
        public WorkflowSource Plan(string folder, IDeployLog log)
        {
            string full = Path.GetFullPath(folder);
            if (File.Exists(full))
                throw new DeployException(ErrorIds.PathIsNotAFolder, ErrorKind.InvalidArgument, $"'{folder}' is a file; -Path takes a folder of workflow JSON files", folder);
            if (!Directory.Exists(full))
                throw new DeployException(ErrorIds.PathNotFound, ErrorKind.ObjectNotFound, $"the folder '{folder}' does not exist", folder);
            WorkflowSource source = WorkflowSource.Load(full, log);
            if (source.Workflows.Count == 0)
                throw new DeployException(ErrorIds.NoWorkflowsFound, ErrorKind.ObjectNotFound,
                    $"no workflow JSON files (objects with \"nodes\" and \"connections\", as n8n exports them) found under '{folder}'", folder);
            return source;
        }

        /// <summary>The n8n version the workflows target; recorded in the metadata when set.</summary>
        public string? N8nVersion { get; set; }

        public N8nWorkflowPackage Preview(WorkflowSource source, string outFile) => new N8nWorkflowPackage
        {
            N8nVersion = N8nVersion,
            Path = outFile,
            Workflows = source.Workflows.ToArray(),
            HelperFiles = source.HelperFiles.ToArray(),
            FileCount = source.Files.Count,
            Written = false,
        };

        /// <summary>Writes the zip to a temporary name beside <paramref name="outFile"/>, then renames it into place.</summary>
        public async Task<N8nWorkflowPackage> WriteAsync(WorkflowSource source, string outFile, IDeployLog log, CancellationToken cancellationToken)
        {
            var sources = source.Files.Select(f => new ZipSource(f.RelativePath, f.Read)).ToList();
            PackageFileResult written = await PackageFile.WriteAsync(outFile, new[] { source.Root }, sources, null,
                contentHash => new ZipSource(N8nWorkflowPackage.MetadataEntry, () => BuildMetadata(source, contentHash, N8nVersion)),
                log, cancellationToken).ConfigureAwait(false);
            N8nWorkflowPackage package = Preview(source, written.Path);
            package.Sha256 = written.Sha256;
            package.Size = written.Size;
            package.ContentHash = written.ContentHash;
            package.Written = true;
            return package;
        }

        private static byte[] BuildMetadata(WorkflowSource source, string contentHash, string? n8nVersion)
        {
            var sw = new StringWriter { NewLine = "\n" };
            using (var json = new JsonTextWriter(sw) { Formatting = Formatting.Indented, CloseOutput = false })
            {
                json.WriteStartObject();
                json.WritePropertyName("format"); json.WriteValue(N8nWorkflowPackage.Format);
                json.WritePropertyName("contentHash"); json.WriteValue(contentHash);
                json.WritePropertyName("identity"); json.WriteValue("name");
                if (n8nVersion != null) { json.WritePropertyName("n8nVersion"); json.WriteValue(n8nVersion); }
                json.WritePropertyName("workflows");
                json.WriteStartArray();
                foreach (N8nWorkflow wf in source.Workflows)
                {
                    json.WriteStartObject();
                    json.WritePropertyName("identity"); json.WriteValue(wf.Identity);
                    json.WritePropertyName("name"); json.WriteValue(wf.Name);
                    json.WritePropertyName("sourceId"); json.WriteValue(wf.SourceId);
                    json.WritePropertyName("file"); json.WriteValue(wf.File);
                    json.WritePropertyName("active"); json.WriteValue(wf.Active);
                    json.WritePropertyName("tags"); json.WriteStartArray(); foreach (string t in wf.Tags) json.WriteValue(t); json.WriteEndArray();
                    json.WritePropertyName("nodes"); json.WriteValue(wf.NodeCount);
                    json.WritePropertyName("contentHash"); json.WriteValue(wf.ContentHash);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WritePropertyName("helperFiles");
                json.WriteStartArray(); foreach (string h in source.HelperFiles) json.WriteValue(h); json.WriteEndArray();
                json.WriteEndObject();
            }
            sw.Write("\n");
            return new UTF8Encoding(false).GetBytes(sw.ToString());
        }

    }
}
