using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>
    /// A minimal POSIX tar (ustar) writer for regular files, with a pax header for names longer than
    /// ustar allows: enough to send many small files to a target as one stream for <c>tar -x</c>.
    /// </summary>
    public sealed class TarWriter
    {
        private readonly Stream _out;
        private readonly long _mtime;

        public TarWriter(Stream output, DateTimeOffset? modified = null)
        {
            _out = output;
            _mtime = (modified ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        }

        public void AddFile(string path, byte[] content)
        {
            byte[] name = Encoding.UTF8.GetBytes(path);
            if (name.Length > 100)
            {
                // pax extended header: "<len> path=<path>\n", the length counting itself
                string record = " path=" + path + "\n";
                int len = Encoding.UTF8.GetByteCount(record);
                int total = len + len.ToString(CultureInfo.InvariantCulture).Length;
                if ((total).ToString(CultureInfo.InvariantCulture).Length != len.ToString(CultureInfo.InvariantCulture).Length) total++;
                byte[] pax = Encoding.UTF8.GetBytes(total.ToString(CultureInfo.InvariantCulture) + record);
                WriteHeader("PaxHeader/" + Hashing.Sha256Hex(path).Substring(0, 16), pax.Length, (byte)'x');
                WriteBody(pax);
                WriteHeader(Hashing.Sha256Hex(path).Substring(0, 32), content.Length, (byte)'0');
            }
            else WriteHeader(path, content.Length, (byte)'0');
            WriteBody(content);
        }

        /// <summary>The end-of-archive marker (two zero blocks).</summary>
        public void Finish() => _out.Write(new byte[1024], 0, 1024);

        private void WriteHeader(string name, long size, byte type)
        {
            byte[] h = new byte[512];
            Put(h, 0, 100, Encoding.UTF8.GetBytes(name));
            Octal(h, 100, 8, 0x1a4);            // 0644
            Octal(h, 108, 8, 0);
            Octal(h, 116, 8, 0);
            Octal(h, 124, 12, size);
            Octal(h, 136, 12, _mtime);
            for (int i = 148; i < 156; i++) h[i] = (byte)' ';
            h[156] = type;
            Put(h, 257, 6, Encoding.ASCII.GetBytes("ustar\0"));
            Put(h, 263, 2, Encoding.ASCII.GetBytes("00"));
            int sum = 0;
            foreach (byte b in h) sum += b;
            Octal(h, 148, 7, sum);
            h[155] = (byte)' ';
            _out.Write(h, 0, 512);
        }

        private void WriteBody(byte[] content)
        {
            _out.Write(content, 0, content.Length);
            int pad = (512 - content.Length % 512) % 512;
            if (pad > 0) _out.Write(new byte[pad], 0, pad);
        }

        private static void Put(byte[] h, int offset, int length, byte[] value) => Array.Copy(value, 0, h, offset, Math.Min(length, value.Length));

        private static void Octal(byte[] h, int offset, int length, long value)
        {
            string s = Convert.ToString(value, 8).PadLeft(length - 1, '0');
            Put(h, offset, length - 1, Encoding.ASCII.GetBytes(s));
            h[offset + length - 1] = 0;
        }
    }
}
