using System;
using System.IO;

namespace InfluenceGen.Deploy.Tests.Harness
{
    /// <summary>Where things are: the checkout, the built module folder, ../shared/fixtures.</summary>
    public static class Repo
    {
        public static string Root { get; } = FindRoot();

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Deploy.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Deploy.sln not found above " + AppContext.BaseDirectory);
        }

        public static string ModuleFolder => Path.Combine(Root, "out", "InfluenceGen.Deploy");
        public static string Samples => Path.Combine(Root, "samples");
        public static string SampleAddons => Path.Combine(Root, "samples", "addons");
        public static string Fixtures => Path.GetFullPath(Path.Combine(Root, "..", "shared", "fixtures"));
    }

    /// <summary>A temporary folder removed when disposed.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir(string prefix = "igtest")
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N").Substring(0, 10));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }
        public string Combine(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts));

        public string Write(string relative, string content)
        {
            string full = System.IO.Path.Combine(Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            return full;
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (Exception) { }
        }
    }

    internal static class ArrayExtensions
    {
        public static T[] Concat<T>(this T[] first, T[] second)
        {
            var result = new T[first.Length + second.Length];
            first.CopyTo(result, 0);
            second.CopyTo(result, first.Length);
            return result;
        }
    }
}
