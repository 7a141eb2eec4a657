using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZohoCrm.Emulator;

/// <summary>Rules about what a bulk write job is given: its encoding, callback URL, header cells and CSV file.</summary>
internal static class BulkWriteInput
{
    /// <summary>character_encoding: any name .NET knows (code pages included); null if unknown.</summary>
    internal static Encoding? FindEncoding(string name)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        try
        {
            var e = Encoding.GetEncoding(name);
            return e.CodePage == Encoding.UTF8.CodePage ? new UTF8Encoding(false) : e;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>A header cell's field: the api name itself, "id", or "Lookup.id" for a lookup field.</summary>
    internal static string? HeaderField(ModuleSchema schema, string header)
    {
        if (header == "id" || schema.Field(header) is not null)
        {
            return header;
        }
        var dot = header.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && schema.Field(header[..dot]) is { Type: FieldType.Lookup } f ? f.ApiName : null;
    }

    /// <summary>
    /// The ZIP's only CSV: entry name, delimiter, header and number of data rows (counting stops past the limit);
    /// null when the ZIP does not hold exactly one CSV with a header.
    /// </summary>
    internal static (string Entry, char Delimiter, string[] Header, int Rows)? InspectCsv(byte[] bytes, Encoding? encoding)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            var csvs = zip.Entries
                .Where(e => e.FullName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
                    && !e.FullName.EndsWith('/')
                    && !e.FullName.StartsWith("__MACOSX/", StringComparison.Ordinal))
                .ToArray();
            if (csvs.Length != 1)
            {
                return null;
            }
            char delimiter;
            using (var s = csvs[0].Open())
            {
                delimiter = CsvReader.SniffDelimiter(s, encoding);
            }
            using var reader = CsvReader.Open(csvs[0].Open(), delimiter, encoding);
            if (reader.ReadRow() is not { } header)
            {
                return null;
            }
            var rows = reader.Skip(ZohoLimits.BulkWriteRowsPerFile + 1);
            return (csvs[0].FullName, delimiter, header, rows);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Absolute http(s) with a path after the host (the seed refuses "http://requestbin.fullcontact.com"), and not a
    /// private-range IPv4 literal. Loopback is accepted so tests can receive callbacks (Zoho would refuse it).
    /// </summary>
    internal static bool IsAcceptableCallbackUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }
        var afterScheme = url.IndexOf("://", StringComparison.Ordinal);
        if (afterScheme < 0 || url.IndexOf('/', afterScheme + 3) < 0)
        {
            return false;
        }
        if (uri.HostNameType == UriHostNameType.IPv4 && IPAddress.TryParse(uri.Host, out var ip)
            && ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            if (b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254))
            {
                return false;
            }
        }
        return true;
    }
}
