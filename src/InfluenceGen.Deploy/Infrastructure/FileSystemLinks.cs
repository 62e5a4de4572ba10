using System;
using System.IO;
using System.Reflection;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>Symbolic-link helpers usable from netstandard2.0: the link APIs of .NET 6+
    /// (FileSystemInfo.ResolveLinkTarget) are reached by reflection when the runtime has them.</summary>
    public static class FileSystemLinks
    {
        private static readonly MethodInfo? ResolveLinkTarget =
            typeof(FileSystemInfo).GetMethod("ResolveLinkTarget", new[] { typeof(bool) });

        private static readonly PropertyInfo? LinkTargetProperty = typeof(FileSystemInfo).GetProperty("LinkTarget");
        private static readonly MethodInfo? GetUnixFileMode = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });

        /// <summary>The link's own target text, as readlink(2) gives it (null when not available).</summary>
        public static string? LinkText(FileSystemInfo info) => LinkTargetProperty?.GetValue(info) as string;

        /// <summary>Is the file executable by its owner (unix mode 0100)? False where modes are unknown.</summary>
        public static bool IsExecutable(string path)
        {
            if (GetUnixFileMode == null) return false;
            try { return (Convert.ToInt32(GetUnixFileMode.Invoke(null, new object[] { path })) & 0x40) != 0; }
            catch (TargetInvocationException) { return false; }
        }

        public static bool IsLink(FileSystemInfo info) => (info.Attributes & FileAttributes.ReparsePoint) != 0;

        /// <summary>The final target of a link (following chains), or null when it cannot be resolved.</summary>
        public static string? FinalTarget(FileSystemInfo info)
        {
            if (ResolveLinkTarget == null) return null;
            try
            {
                var target = ResolveLinkTarget.Invoke(info, new object[] { true }) as FileSystemInfo;
                return target?.FullName;
            }
            catch (TargetInvocationException)
            {
                return null;
            }
        }

        /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or inside it.</summary>
        public static bool IsInside(string path, string root)
        {
            string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
            string top = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
            return full == top || full.StartsWith(top + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        }
    }
}
