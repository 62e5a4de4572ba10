using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>The module's hashing helpers: lower-case hex, SHA-256 of bytes, text and files.</summary>
    public static class Hashing
    {
        public static string Hex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (byte b in bytes) sb.Append(b.ToString("x2"));
            return sb.ToString();
        }

        public static byte[] Sha256(byte[] data)
        {
            using var sha = SHA256.Create();
            return sha.ComputeHash(data);
        }

        /// <summary>Hex SHA-256 of <paramref name="text"/> as UTF-8 without BOM.</summary>
        public static string Sha256Hex(string text) => Hex(Sha256(new UTF8Encoding(false).GetBytes(text)));

        public static string Sha256HexOfFile(string path)
        {
            using var sha = SHA256.Create();
            using var file = File.OpenRead(path);
            return Hex(sha.ComputeHash(file));
        }
    }
}
