using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
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
                throw new DeployException("PathIsNotAFolder", ErrorCategory.InvalidArgument, $"'{folder}' is a file; -Path takes a folder of workflow JSON files", folder);
            if (!Directory.Exists(full))
                throw new DeployException("PathNotFound", ErrorCategory.ObjectNotFound, $"the folder '{folder}' does not exist", folder);
            WorkflowSource source = WorkflowSource.Load(full, log);
            if (source.Workflows.Count == 0)
                throw new DeployException("NoWorkflowsFound", ErrorCategory.ObjectNotFound,
                    $"no workflow JSON files (objects with \"nodes\" and \"connections\", as n8n exports them) found under '{folder}'", folder);
            return source;
        }

        public static N8nWorkflowPackage Preview(WorkflowSource source, string outFile) => new N8nWorkflowPackage
        {
            Path = outFile,
            Workflows = source.Workflows.ToArray(),
            HelperFiles = source.HelperFiles.ToArray(),
            FileCount = source.Files.Count,
            Written = false,
        };

        /// <summary>Writes the zip to a temporary name beside <paramref name="outFile"/>, then renames it into place.</summary>
        public async Task<N8nWorkflowPackage> WriteAsync(WorkflowSource source, string outFile, IDeployLog log, CancellationToken cancellationToken)
        {
            string target = Path.GetFullPath(outFile);
            if (FileSystemLinks.IsInside(target, source.Root))
                throw new DeployException("OutFileInsideInput", ErrorCategory.InvalidArgument,
                    $"-OutFile '{outFile}' is inside the input folder '{source.Root}'; the package would package itself. Write it elsewhere.", outFile);
            string? folder = Path.GetDirectoryName(target);
            if (folder == null || !Directory.Exists(folder))
                throw new DeployException("OutFolderNotFound", ErrorCategory.ObjectNotFound, $"the folder of -OutFile '{outFile}' does not exist", outFile);

            var sources = source.Files.Select(f => new ZipSource(f.RelativePath, f.Read)).ToList();
            var contentLines = new StringBuilder();
            string temp = Path.Combine(folder, "." + Path.GetFileName(target) + ".tmp-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                using var sha256 = SHA256.Create();
                using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                using (var hashing = new CryptoStream(file, sha256, CryptoStreamMode.Write))
                {
                    await DeterministicZip.WriteAsync(hashing, sources,
                        (src, bytes, sha256OfBytes) => contentLines.Append(src.Name).Append('\0').Append(Hashing.Hex(sha256OfBytes)).Append('\n'),
                        log, cancellationToken,
                        trailer: () => new ZipSource(N8nWorkflowPackage.MetadataEntry,
                            () => BuildMetadata(source, Hashing.Hex(Hashing.Sha256(Encoding.UTF8.GetBytes(contentLines.ToString())))))).ConfigureAwait(false);
                    hashing.FlushFinalBlock();
                }
                N8nWorkflowPackage package = Preview(source, target);
                package.Sha256 = Hashing.Hex(sha256.Hash!);
                package.Size = new FileInfo(temp).Length;
                package.ContentHash = Hashing.Hex(Hashing.Sha256(Encoding.UTF8.GetBytes(contentLines.ToString())));
                package.Written = true;
                AtomicFile.Replace(temp, target);
                return package;
            }
            catch
            {
                try { File.Delete(temp); } catch (IOException) { }
                throw;
            }
        }

        private static byte[] BuildMetadata(WorkflowSource source, string contentHash)
        {
            var sw = new StringWriter { NewLine = "\n" };
            using (var json = new JsonTextWriter(sw) { Formatting = Formatting.Indented, CloseOutput = false })
            {
                json.WriteStartObject();
                json.WritePropertyName("format"); json.WriteValue(N8nWorkflowPackage.Format);
                json.WritePropertyName("contentHash"); json.WriteValue(contentHash);
                json.WritePropertyName("identity"); json.WriteValue("name");
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
