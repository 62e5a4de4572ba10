namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>CRC-32 (IEEE 802.3, as zip uses), slicing-by-8.</summary>
    public static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        private static uint[] BuildTable()
        {
            var table = new uint[8 * 256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                table[i] = c;
            }
            for (int i = 0; i < 256; i++)
                for (int s = 1; s < 8; s++)
                    table[s * 256 + i] = (table[(s - 1) * 256 + i] >> 8) ^ table[table[(s - 1) * 256 + i] & 0xFF];
            return table;
        }

        public static uint Compute(byte[] data, int offset, int count)
        {
            uint crc = 0xFFFFFFFFu;
            int i = offset, end = offset + count;
            uint[] t = Table;
            while (end - i >= 8)
            {
                uint one = crc ^ (uint)(data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24);
                uint two = (uint)(data[i + 4] | data[i + 5] << 8 | data[i + 6] << 16 | data[i + 7] << 24);
                crc = t[7 * 256 + (one & 0xFF)] ^ t[6 * 256 + ((one >> 8) & 0xFF)] ^ t[5 * 256 + ((one >> 16) & 0xFF)] ^ t[4 * 256 + (one >> 24)]
                    ^ t[3 * 256 + (two & 0xFF)] ^ t[2 * 256 + ((two >> 8) & 0xFF)] ^ t[1 * 256 + ((two >> 16) & 0xFF)] ^ t[two >> 24];
                i += 8;
            }
            while (i < end) crc = t[(crc ^ data[i++]) & 0xFF] ^ (crc >> 8);
            return ~crc;
        }
    }
}
