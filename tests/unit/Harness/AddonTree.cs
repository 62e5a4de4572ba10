using System.Text;

namespace InfluenceGen.Deploy.Tests.Harness
{
    /// <summary>Builds addon trees on disk for tests.</summary>
    public static class AddonTree
    {
        public static string Addon(string root, string name, string? manifest = null, params (string Path, string Content)[] files)
        {
            string dir = Path.Combine(root, name);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "__manifest__.py"), manifest ?? $"{{'name': '{name}', 'version': '17.0.1.0.0', 'depends': ['base']}}\n");
            File.WriteAllText(Path.Combine(dir, "__init__.py"), "");
            foreach (var (path, content) in files)
            {
                string full = Path.Combine(dir, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, content, new UTF8Encoding(false));
            }
            return dir;
        }

        public static void CopyDirectory(string from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
                Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
            foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
                File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), true);
        }
    }
}
