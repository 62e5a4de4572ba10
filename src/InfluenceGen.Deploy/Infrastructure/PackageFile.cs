using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>What <see cref="PackageFile.WriteAsync"/> wrote.</summary>
    public sealed class PackageFileResult
    {
        public string Path { get; set; } = string.Empty;
        public long Size { get; set; }
        /// <summary>SHA-256 of the zip file.</summary>
        public string Sha256 { get; set; } = string.Empty;
        /// <summary>SHA-256 over every entry's name and content SHA-256 (independent of compression).</summary>
        public string ContentHash { get; set; } = string.Empty;
    }

    /// <summary>
    /// Writes a package (a deterministic zip) the way every package of the module is written: the
    /// output path checked (not inside an input folder, its folder exists), the zip streamed to a
    /// temporary name while its SHA-256 and the content hash are computed, a metadata entry built last
    /// from that content hash, then renamed into place; a failure leaves nothing behind.
    /// </summary>
    public static class PackageFile
    {
        /// <summary>
        /// The checks a -WhatIf makes as well as the real run: the output is not inside an input folder (the
        /// package would package itself) and its folder is not a file. Returns the folder that does not exist yet
        /// (the write creates it), or null.
        /// </summary>
        public static string? CheckOutput(string outFile, IEnumerable<string> inputRoots)
        {
            string target = System.IO.Path.GetFullPath(outFile);
            foreach (string root in inputRoots)
            {
                if (FileSystemLinks.IsInside(target, root))
                    throw new DeployException(ErrorIds.OutFileInsideInput, ErrorKind.InvalidArgument,
                        $"-OutFile '{outFile}' is inside the input folder '{root}'; the package would package itself. Write it elsewhere.", outFile);
            }
            if (Directory.Exists(target))
                throw new DeployException(ErrorIds.OutFileIsFolder, ErrorKind.InvalidArgument, $"-OutFile '{outFile}' is a folder; give the path of the zip to write, e.g. '{System.IO.Path.Combine(outFile, "package.zip")}'.", outFile);
            string? folder = System.IO.Path.GetDirectoryName(target);
            if (folder == null) return null;
            for (string? f = folder; f != null; f = System.IO.Path.GetDirectoryName(f))
                if (File.Exists(f))
                    throw new DeployException(ErrorIds.OutFolderIsFile, ErrorKind.InvalidArgument, $"the folder of -OutFile '{outFile}' cannot be made: '{f}' is a file.", outFile);
            return Directory.Exists(folder) ? null : folder;
        }

        public static async Task<PackageFileResult> WriteAsync(string outFile, IEnumerable<string> inputRoots,
            IReadOnlyList<ZipSource> sources, Action<ZipSource, byte[]>? onEntry, Func<string, ZipSource> metadata,
            IDeployLog log, CancellationToken cancellationToken)
        {
            string target = System.IO.Path.GetFullPath(outFile);
            string? missing = CheckOutput(outFile, inputRoots);
            // Like Out-File's users expect of an output path in a CI job (out/odoo_addons.zip): the folder is made.
            if (missing != null)
            {
                log.Verbose($"Creating the folder '{missing}' for -OutFile");
                Directory.CreateDirectory(missing);
            }
            string folder = System.IO.Path.GetDirectoryName(target)!;

            var contentLines = new StringBuilder();
            string ContentHash() => Hashing.Sha256Hex(contentLines.ToString());
            string temp = System.IO.Path.Combine(folder, "." + System.IO.Path.GetFileName(target) + ".tmp-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                using var sha256 = SHA256.Create();
                using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.SequentialScan))
                using (var hashing = new CryptoStream(file, sha256, CryptoStreamMode.Write))
                {
                    await DeterministicZip.WriteAsync(hashing, sources, (src, bytes, sha256OfBytes) =>
                    {
                        onEntry?.Invoke(src, bytes);
                        contentLines.Append(src.Name).Append('\0').Append(Hashing.Hex(sha256OfBytes)).Append('\n');
                    }, log, cancellationToken, trailer: () => metadata(ContentHash())).ConfigureAwait(false);
                    hashing.FlushFinalBlock();
                }
                var result = new PackageFileResult
                {
                    Path = target,
                    Sha256 = Hashing.Hex(sha256.Hash!),
                    Size = new FileInfo(temp).Length,
                    ContentHash = ContentHash(),
                };
                AtomicFile.Replace(temp, target);
                return result;
            }
            catch
            {
                try { File.Delete(temp); } catch (IOException) { }
                throw;
            }
        }
    }
}
