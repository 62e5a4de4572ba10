using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Odoo
{
    /// <summary>Finds addons: folders holding a <c>__manifest__.py</c>, skipping hidden folders and
    /// folders that are not addons; an addon's own subfolders are never searched for more addons.</summary>
    public static class AddonDiscovery
    {
        public static List<string> Find(IEnumerable<string> roots, List<AddonProblem> problems)
        {
            var found = new Dictionary<string, string>(StringComparer.Ordinal);
            var ordered = new List<string>();
            foreach (string root in roots)
                Search(new DirectoryInfo(root), found, ordered, problems, depth: 0);
            return ordered;
        }

        private static void Search(DirectoryInfo dir, Dictionary<string, string> found, List<string> ordered, List<AddonProblem> problems, int depth)
        {
            if (File.Exists(Path.Combine(dir.FullName, AddonManifest.FileName)))
            {
                string name = dir.Name;
                if (found.TryGetValue(name, out string? other))
                {
                    problems.Add(new AddonProblem(ErrorIds.DuplicateAddon, dir.FullName, 0, 0,
                        $"two addons are named '{name}': {other} and {dir.FullName}; keep one or pass -Exclude"));
                    return;
                }
                found[name] = dir.FullName;
                ordered.Add(dir.FullName);
                return;
            }
            if (depth > 16) return;
            DirectoryInfo[] subdirs;
            try
            {
                subdirs = dir.GetDirectories();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                problems.Add(new AddonProblem(ErrorIds.AddonUnreadable, dir.FullName, 0, 0, "cannot list the folder: " + ex.Message));
                return;
            }
            foreach (DirectoryInfo sub in subdirs.OrderBy(d => d.Name, StringComparer.Ordinal))
            {
                if (sub.Name.StartsWith(".", StringComparison.Ordinal) || AddonFiles.IsDroppedFolder(sub.Name)) continue;
                if (FileSystemLinks.IsLink(sub)) continue; // never wander out of the tree through a link
                Search(sub, found, ordered, problems, depth + 1);
            }
        }
    }
}
