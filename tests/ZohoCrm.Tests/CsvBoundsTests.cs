using System.IO.Compression;
using System.Text;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Tests;

/// <summary>
/// What keeps a bad file from costing unbounded memory or a misleading message: CsvReader's bound on one record, and
/// ZipInspection's reading of the encryption flag. (The files end to end, named errors included: the bad-input table
/// in tests/ZohoCrm.BadInput.Tests.ps1.)
/// </summary>
public class CsvBoundsTests
{
    [Fact]
    public void A_record_past_the_bound_stops_the_read_naming_its_line_and_cell()
    {
        using var reader = new CsvReader(new StringReader("a,b\r\n1,2\r\nx," + new string('z', 500) + "\r\n"), maxRecordChars: 100);
        Assert.Equal(new[] { "a", "b" }, reader.ReadRecord());
        Assert.Equal(new[] { "1", "2" }, reader.ReadRecord());
        var ex = Assert.Throws<CsvRecordTooLargeException>(() => reader.ReadRecord());
        Assert.Equal(3, ex.Line);
        Assert.Equal(1, ex.CellIndex);
        Assert.Equal(100, ex.MaxChars);
    }

    [Fact]
    public void The_bound_counts_the_whole_record_not_only_one_cell() =>
        Assert.Equal(100, Assert.Throws<CsvRecordTooLargeException>(() => new CsvReader(new StringReader(new string(',', 200)), maxRecordChars: 100).ReadRecord()).CellIndex);

    [Fact]
    public void A_record_at_the_bound_is_read() =>
        Assert.Equal(new string('z', 98), Assert.Single(new CsvReader(new StringReader(new string('z', 98) + "\r\n"), maxRecordChars: 100).ReadRecord()!));

    private static string Zip(params string[] names)
    {
        string path = Path.Combine(Path.GetTempPath(), "zcrm-zipinspect-" + Guid.NewGuid().ToString("N") + ".zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            foreach (var name in names)
                using (var w = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false))) w.Write("Last_Name\r\nSmith\r\n");
        return path;
    }

    /// <summary>Sets the "encrypted" bit of every entry, in the local headers and the central directory, as zip -e does.</summary>
    private static void MarkEncrypted(string path)
    {
        var bytes = File.ReadAllBytes(path);
        for (int i = 0; i + 10 < bytes.Length; i++)
        {
            if (bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 3 && bytes[i + 3] == 4) bytes[i + 6] |= 1;
            if (bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 1 && bytes[i + 3] == 2) bytes[i + 8] |= 1;
        }
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void An_encrypted_entry_is_found_in_the_central_directory()
    {
        string plain = Zip("dir/", "a.csv"), encrypted = Zip("dir/", "a.csv");
        try
        {
            MarkEncrypted(encrypted);
            Assert.False(ZipInspection.HasEncryptedEntry(plain));
            Assert.True(ZipInspection.HasEncryptedEntry(encrypted));
        }
        finally { File.Delete(plain); File.Delete(encrypted); }
    }

    [Fact]
    public void A_file_without_a_central_directory_is_left_to_ZipArchive()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, new byte[] { 0x50, 0x4B, 3, 4, 0, 0 });
            Assert.False(ZipInspection.HasEncryptedEntry(path));
        }
        finally { File.Delete(path); }
    }
}
