using System;
using System.IO;

namespace ZohoCrm.BulkWrite
{
    /// <summary>
    /// Reads a ZIP's central directory for what System.IO.Compression does not say (on netstandard2.0): whether an
    /// entry is encrypted (general purpose flag bit 0, or WinZip AES, method 99). Without this, an encrypted CSV is
    /// inflated into noise and reported as "not valid UTF-8". A ZIP this cannot read (ZIP64, a damaged directory) is
    /// left to ZipArchive, which names what is wrong.
    /// </summary>
    internal static class ZipInspection
    {
        private const uint EndOfCentralDirectory = 0x06054b50;
        private const uint CentralDirectoryEntry = 0x02014b50;
        private const int MaxCentralDirectoryBytes = 16 * 1024 * 1024;

        public static bool HasEncryptedEntry(string path)
        {
            using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                // The end record is the last 22 bytes, plus a comment of up to 65,535.
                int tail = (int)Math.Min(f.Length, 22 + 65535);
                var end = ReadAt(f, f.Length - tail, tail);
                int e = -1;
                for (int i = tail - 22; i >= 0; i--)
                    if (UInt32(end, i) == EndOfCentralDirectory) { e = i; break; }
                if (e < 0) return false;
                uint size = UInt32(end, e + 12), offset = UInt32(end, e + 16);
                if (size == 0xFFFFFFFF || offset == 0xFFFFFFFF || size > MaxCentralDirectoryBytes || offset + (long)size > f.Length) return false;
                var dir = ReadAt(f, offset, (int)size);
                for (int p = 0; p + 46 <= dir.Length && UInt32(dir, p) == CentralDirectoryEntry;)
                {
                    int flags = UInt16(dir, p + 8), method = UInt16(dir, p + 10);
                    if ((flags & 1) != 0 || method == 99) return true;
                    p += 46 + UInt16(dir, p + 28) + UInt16(dir, p + 30) + UInt16(dir, p + 32);
                }
                return false;
            }
        }

        private static byte[] ReadAt(FileStream f, long offset, int count)
        {
            var buffer = new byte[count];
            f.Position = offset;
            int read = 0;
            while (read < count)
            {
                int n = f.Read(buffer, read, count - read);
                if (n == 0) break;
                read += n;
            }
            return buffer;
        }

        private static int UInt16(byte[] b, int i) => b[i] | (b[i + 1] << 8);
        private static uint UInt32(byte[] b, int i) => (uint)(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
    }
}
