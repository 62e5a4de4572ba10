using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Odoo
{
    /// <summary>A file of an addon as it goes into the package.</summary>
    public sealed class AddonFile
    {
        public AddonFile(string relativePath, string fullPath, bool inChecksum)
        {
            RelativePath = relativePath; FullPath = fullPath; InChecksum = inChecksum;
        }

        /// <summary>Path inside the addon, '/'-separated.</summary>
        public string RelativePath { get; }
        public string FullPath { get; }
        /// <summary>Whether module_auto_update's default exclusions leave this file in the checksum.</summary>
        public bool InChecksum { get; }
    }

    /// <summary>
    /// Lists an addon's files in the order of Python's <c>os.walk</c> with sorted names (a folder's
    /// files before its subfolders), the order OCA's module_auto_update hashes them in, leaving out
    /// build and editor droppings. A symlink whose target leaves the addon is an error; a symlinked
    /// folder inside it is not descended (as os.walk does not).
    /// </summary>
    public static class AddonFiles
    {
        /// <summary>module_auto_update's DEFAULT_EXCLUDE_PATTERNS.</summary>
        public static readonly IReadOnlyList<FnMatch> ChecksumExclusions =
            "*.pyc,*.pyo,i18n/*.pot,i18n_extra/*.pot,static/*,tests/*".Split(',').Select(p => new FnMatch(p)).ToArray();

        private static readonly HashSet<string> DroppedFolders = new HashSet<string>(StringComparer.Ordinal)
            { "__pycache__", ".git", ".hg", ".svn", ".idea", ".vscode", ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules" };

        /// <summary>True for files that never belong in a package (compiled Python, editor droppings).</summary>
        public static bool IsDropping(string fileName) =>
            fileName.EndsWith(".pyc", StringComparison.Ordinal) || fileName.EndsWith(".pyo", StringComparison.Ordinal)
            || fileName.EndsWith("~", StringComparison.Ordinal) || fileName.EndsWith(".swp", StringComparison.Ordinal)
            || fileName.EndsWith(".swo", StringComparison.Ordinal) || fileName == ".DS_Store" || fileName == "Thumbs.db"
            || (fileName.StartsWith("#", StringComparison.Ordinal) && fileName.EndsWith("#", StringComparison.Ordinal))
            || fileName.StartsWith(".#", StringComparison.Ordinal) || fileName.EndsWith(".orig", StringComparison.Ordinal)
            || fileName.EndsWith(".rej", StringComparison.Ordinal);

        public static bool IsDroppedFolder(string folderName) => DroppedFolders.Contains(folderName);

        public static List<AddonFile> List(string addonDir, List<AddonProblem> problems, IDeployLog log)
        {
            var files = new List<AddonFile>();
            Walk(new DirectoryInfo(addonDir), "", addonDir, files, problems, log);
            return files;
        }

        private static void Walk(DirectoryInfo dir, string relDir, string root, List<AddonFile> files, List<AddonProblem> problems, IDeployLog log)
        {
            FileSystemInfo[] entries;
            try
            {
                entries = dir.GetFileSystemInfos();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                problems.Add(new AddonProblem(ErrorIds.AddonUnreadable, dir.FullName, 0, 0, "cannot list the folder: " + ex.Message));
                return;
            }
            var subdirs = new List<DirectoryInfo>();
            foreach (FileSystemInfo entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                bool isLink = FileSystemLinks.IsLink(entry);
                if (isLink)
                {
                    string? target = FileSystemLinks.FinalTarget(entry);
                    if (target == null || !FileSystemLinks.IsInside(target, root))
                    {
                        problems.Add(new AddonProblem(ErrorIds.UnsafeSymlink, entry.FullName, 0, 0,
                            $"a symbolic link that points outside the addon ({target ?? "unresolvable target"}); replace it with the file itself"));
                        continue;
                    }
                }
                if (entry is DirectoryInfo sub)
                {
                    if (IsDroppedFolder(sub.Name)) continue;
                    if (isLink)
                    {
                        log.Warning($"{entry.FullName}: symlinked folder not packaged (Odoo's checksum walk does not follow it either)");
                        continue;
                    }
                    subdirs.Add(sub);
                    continue;
                }
                if (IsDropping(entry.Name)) continue;
                string rel = relDir.Length == 0 ? entry.Name : relDir + "/" + entry.Name;
                bool inChecksum = !ChecksumExclusions.Any(p => p.IsMatch(rel));
                files.Add(new AddonFile(rel, entry.FullName, inChecksum));
            }
            foreach (DirectoryInfo sub in subdirs)
                Walk(sub, relDir.Length == 0 ? sub.Name : relDir + "/" + sub.Name, root, files, problems, log);
        }
    }
}
