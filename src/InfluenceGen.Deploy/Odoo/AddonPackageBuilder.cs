using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json;

namespace InfluenceGen.Deploy.Odoo
{
    /// <summary>What to package.</summary>
    public sealed class AddonPackageRequest
    {
        public IReadOnlyList<string> Paths { get; set; } = Array.Empty<string>();
        /// <summary>Addon-name wildcards (fnmatch); empty = all.</summary>
        public IReadOnlyList<string> Include { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> Exclude { get; set; } = Array.Empty<string>();
        /// <summary>When set, a dependency neither packaged nor listed here is an error.</summary>
        public IReadOnlyList<string>? AvailableAddons { get; set; }
        /// <summary>Odoo series (e.g. "17.0") for the version check; null = inferred.</summary>
        public string? OdooSeries { get; set; }
    }

    /// <summary>Addon problems found before anything is written; each names its file and line.</summary>
    public sealed class AddonValidationException : DeployException
    {
        public AddonValidationException(IReadOnlyList<AddonProblem> problems)
            : base(problems.Count == 1 ? problems[0].ErrorId : ErrorIds.InvalidAddons, ErrorKind.InvalidData,
                problems.Count == 1 ? problems[0].ToString()
                    : $"{problems.Count} problems in the addons:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)),
                problems[0].Path)
        {
            Problems = problems;
        }

        public IReadOnlyList<AddonProblem> Problems { get; }
    }

    /// <summary>The checked plan: the addons in order with their files, nothing written yet.</summary>
    public sealed class AddonPackagePlan
    {
        internal AddonPackagePlan(List<(OdooAddon Addon, List<AddonFile> Files)> addons, IReadOnlyList<string> roots)
        {
            Addons = addons;
            Roots = roots;
        }

        internal List<(OdooAddon Addon, List<AddonFile> Files)> Addons { get; }
        public IReadOnlyList<string> Roots { get; }

        public OdooAddonPackage Preview(string? outFile) => new OdooAddonPackage
        {
            Path = outFile ?? string.Empty,
            Addons = Addons.Select(a => a.Addon).ToArray(),
            FileCount = Addons.Sum(a => a.Files.Count),
            Written = false,
        };
    }

    /// <summary>New-OdooAddonPackage's service: discover, validate, order, write a deterministic zip.</summary>
    public sealed class AddonPackageBuilder
    {
        public AddonPackagePlan Plan(AddonPackageRequest request, IDeployLog log)
        {
            var roots = new List<string>();
            foreach (string path in request.Paths)
            {
                string full = Path.GetFullPath(path);
                if (File.Exists(full))
                    throw new DeployException(ErrorIds.PathIsNotAFolder, ErrorKind.InvalidArgument,
                        $"'{path}' is a file; -Path takes folders that contain addons (folders with {AddonManifest.FileName})", path);
                if (!Directory.Exists(full))
                    throw new DeployException(ErrorIds.PathNotFound, ErrorKind.ObjectNotFound, $"the folder '{path}' does not exist", path);
                roots.Add(full);
            }
            if (roots.Count == 0)
                throw new DeployException(ErrorIds.PathNotFound, ErrorKind.InvalidArgument, "no -Path was given");

            var problems = new List<AddonProblem>();
            List<string> addonDirs = AddonDiscovery.Find(roots, problems);
            var include = request.Include.Select(p => new FnMatch(p)).ToList();
            var exclude = request.Exclude.Select(p => new FnMatch(p)).ToList();
            addonDirs = addonDirs.Where(d =>
            {
                string name = Path.GetFileName(d);
                return (include.Count == 0 || include.Any(p => p.IsMatch(name))) && !exclude.Any(p => p.IsMatch(name));
            }).ToList();
            if (problems.Count > 0) throw new AddonValidationException(problems);
            if (addonDirs.Count == 0)
                throw new DeployException(ErrorIds.NoAddonsFound, ErrorKind.ObjectNotFound,
                    $"no addons (folders with {AddonManifest.FileName}) found under {string.Join(", ", request.Paths)}"
                    + (include.Count + exclude.Count > 0 ? " that match -Include/-Exclude" : ""), request.Paths.FirstOrDefault());

            var manifests = new Dictionary<string, (AddonManifest Manifest, string Dir)>(StringComparer.Ordinal);
            foreach (string dir in addonDirs)
            {
                log.Verbose($"Reading {Path.Combine(dir, AddonManifest.FileName)}");
                AddonManifest? manifest = AddonManifest.Load(dir, request.OdooSeries, problems);
                if (manifest == null) continue;
                string name = Path.GetFileName(dir);
                if (!manifest.Installable)
                {
                    log.Warning($"{name}: 'installable' is False in {Path.Combine(dir, AddonManifest.FileName)}; the addon is left out of the package");
                    continue;
                }
                manifests[name] = (manifest, dir);
            }
            if (problems.Count > 0) throw new AddonValidationException(problems);

            var available = request.AvailableAddons == null ? null : new HashSet<string>(request.AvailableAddons, StringComparer.Ordinal);
            foreach (var pair in manifests)
            {
                foreach (string dep in pair.Value.Manifest.Depends)
                {
                    if (manifests.ContainsKey(dep)) continue;
                    if (available != null && !available.Contains(dep))
                        problems.Add(new AddonProblem(ErrorIds.MissingDependency, Path.Combine(pair.Value.Dir, AddonManifest.FileName), 0, 0,
                            $"'{pair.Key}' depends on '{dep}', which is neither in the package nor in -AvailableAddon"));
                }
            }
            if (problems.Count > 0) throw new AddonValidationException(problems);

            List<string> order;
            try
            {
                order = DependencyOrder.Sort(manifests.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value.Manifest.Depends, StringComparer.Ordinal));
            }
            catch (DependencyCycleException ex)
            {
                throw new DeployException(ErrorIds.DependencyCycle, ErrorKind.InvalidData, ex.Message, ex.Cycle[0]);
            }

            var addons = new List<(OdooAddon, List<AddonFile>)>();
            foreach (string name in order)
            {
                var (manifest, dir) = manifests[name];
                List<AddonFile> files = AddonFiles.List(dir, problems, log);
                addons.Add((new OdooAddon
                {
                    Name = name,
                    Title = manifest.Name,
                    Version = manifest.Version,
                    Depends = manifest.Depends.ToArray(),
                    ExternalDepends = manifest.Depends.Where(d => !manifests.ContainsKey(d)).ToArray(),
                    AutoInstall = manifest.AutoInstall,
                    FileCount = files.Count,
                    SourcePath = dir,
                }, files));
            }
            if (problems.Count > 0) throw new AddonValidationException(problems);
            return new AddonPackagePlan(addons, roots);
        }

        /// <summary>Writes the planned package to a temporary name beside <paramref name="outFile"/> and
        /// renames it into place, so a failure never leaves a half-written zip there.</summary>
        public async Task<OdooAddonPackage> WriteAsync(AddonPackagePlan plan, string outFile, IDeployLog log, CancellationToken cancellationToken)
        {
            var sources = new List<ZipSource>();
            foreach (var (addon, files) in plan.Addons)
                foreach (AddonFile file in files)
                    sources.Add(new ZipSource(addon.Name + "/" + file.RelativePath, () => File.ReadAllBytes(file.FullPath), (addon, file)));

            var addonHashes = plan.Addons.ToDictionary(a => a.Addon.Name, _ => IncrementalHash.CreateHash(HashAlgorithmName.SHA1), StringComparer.Ordinal);
            var sizes = plan.Addons.ToDictionary(a => a.Addon.Name, _ => 0L, StringComparer.Ordinal);
            try
            {
                // Each file streams once through the writer: into the zip and, in module_auto_update's
                // order, into its addon's checksum. The metadata entry is last, built from those checksums.
                PackageFileResult written = await PackageFile.WriteAsync(outFile, plan.Roots, sources, (src, bytes) =>
                {
                    var (addon, addonFile) = ((OdooAddon, AddonFile))src.Tag!;
                    sizes[addon.Name] += bytes.Length;
                    if (addonFile.InChecksum)
                    {
                        addonHashes[addon.Name].AppendData(Encoding.UTF8.GetBytes(addonFile.RelativePath));
                        addonHashes[addon.Name].AppendData(bytes);
                    }
                }, contentHash =>
                {
                    foreach (var (addon, _) in plan.Addons)
                    {
                        addon.Checksum = Hashing.Hex(addonHashes[addon.Name].GetHashAndReset());
                        addon.Size = sizes[addon.Name];
                    }
                    return new ZipSource(OdooAddonPackage.MetadataEntry, () => BuildMetadata(plan, contentHash));
                }, log, cancellationToken).ConfigureAwait(false);

                OdooAddonPackage package = plan.Preview(written.Path);
                package.Sha256 = written.Sha256;
                package.Size = written.Size;
                package.ContentHash = written.ContentHash;
                package.Written = true;
                return package;
            }
            finally
            {
                foreach (IncrementalHash hash in addonHashes.Values) hash.Dispose();
            }
        }

        private static byte[] BuildMetadata(AddonPackagePlan plan, string contentHash)
        {
            var sw = new StringWriter { NewLine = "\n" };
            using (var json = new JsonTextWriter(sw) { Formatting = Formatting.Indented, CloseOutput = false })
            {
                json.WriteStartObject();
                json.WritePropertyName("format"); json.WriteValue("influencegen-odoo-addons/1");
                json.WritePropertyName("contentHash"); json.WriteValue(contentHash);
                json.WritePropertyName("checksumAlgorithm"); json.WriteValue("module_auto_update sha1 (exclude: *.pyc,*.pyo,i18n/*.pot,i18n_extra/*.pot,static/*,tests/*)");
                json.WritePropertyName("addons");
                json.WriteStartArray();
                foreach (var (addon, _) in plan.Addons)
                {
                    json.WriteStartObject();
                    json.WritePropertyName("name"); json.WriteValue(addon.Name);
                    json.WritePropertyName("title"); json.WriteValue(addon.Title);
                    json.WritePropertyName("version"); json.WriteValue(addon.Version);
                    json.WritePropertyName("checksum"); json.WriteValue(addon.Checksum);
                    json.WritePropertyName("depends"); json.WriteStartArray(); foreach (string d in addon.Depends) json.WriteValue(d); json.WriteEndArray();
                    json.WritePropertyName("externalDepends"); json.WriteStartArray(); foreach (string d in addon.ExternalDepends) json.WriteValue(d); json.WriteEndArray();
                    json.WritePropertyName("autoInstall"); json.WriteValue(addon.AutoInstall);
                    json.WritePropertyName("files"); json.WriteValue(addon.FileCount);
                    json.WritePropertyName("size"); json.WriteValue(addon.Size);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            sw.Write("\n");
            return new UTF8Encoding(false).GetBytes(sw.ToString());
        }

    }
}
