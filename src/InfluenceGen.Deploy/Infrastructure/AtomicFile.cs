using System.IO;
using System.Text;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>Write-to-a-temporary-name-then-rename, so a reader never sees a half-written file.</summary>
    public static class AtomicFile
    {
        /// <summary>Moves <paramref name="temp"/> over <paramref name="target"/> (rename(2) on Unix).</summary>
        public static void Replace(string temp, string target)
        {
            if (File.Exists(target)) File.Replace(temp, target, null);
            else File.Move(temp, target);
        }

        public static void WriteAllText(string target, string text)
        {
            string temp = target + ".tmp-" + System.Guid.NewGuid().ToString("N").Substring(0, 8);
            try
            {
                File.WriteAllText(temp, text, new UTF8Encoding(false));
                Replace(temp, target);
            }
            catch
            {
                try { File.Delete(temp); } catch (IOException) { }
                throw;
            }
        }
    }
}
