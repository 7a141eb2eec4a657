using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace ZohoCrm.BulkWrite
{
    /// <summary>
    /// Streams a CSV file (or a ZIP holding exactly one) row by row, checking every row has the header's width and
    /// that the text is valid in the given encoding. Errors name the file, the row and the line, and say what the file
    /// is when it is no CSV the module can read: an encrypted ZIP, UTF-16 without a byte order mark (a header of NUL
    /// characters), a row past CsvReader's bound (a zip bomb, or not a CSV: memory stays bounded).
    /// </summary>
    internal sealed class CsvFileReader
    {
        private readonly string _path;
        private readonly Encoding _encoding;
        private readonly string _encodingName;

        /// <param name="encodingName">The encoding as the user named it (for messages), null for UTF-8.</param>
        public CsvFileReader(string path, Encoding encoding, string encodingName)
        {
            _path = path;
            _encoding = encoding;
            _encodingName = encodingName ?? "UTF-8";
        }

        /// <summary>The encoding called <paramref name="name"/> (strict: invalid bytes throw), or strict UTF-8 for null.</summary>
        public static Encoding StrictEncoding(string name, string parameterName)
        {
            if (name == null) return new UTF8Encoding(false, true);
            try { return Encoding.GetEncoding(name, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback); }
            catch (ArgumentException)
            { throw new ZohoValidationException("ZohoCrm.UnknownEncoding", $"-{parameterName} '{name}' is not an encoding name this system knows (e.g. UTF-8, windows-1252, iso-8859-1).", parameterName); }
        }

        /// <summary>
        /// Reads the header and passes it to <paramref name="start"/>, then each data row to <paramref name="add"/>
        /// with its number (blank lines are skipped and not counted). Returns the number of rows.
        /// </summary>
        public long Read(Action<List<string>> start, Action<List<string>, long> add)
        {
            try { return ReadFile(start, add); }
            catch (Exception ex) when (ex is InvalidDataException || ex is NotSupportedException || ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new ZohoValidationException("ZohoCrm.UnreadableFile", $"-Path '{_path}' could not be read: {ex.Message}", "Path");
            }
        }

        private long ReadFile(Action<List<string>> start, Action<List<string>, long> add)
        {
            ZipArchive zip = null;
            Stream stream;
            if (IsZip(_path))
            {
                if (ZipInspection.HasEncryptedEntry(_path))
                    throw new ZohoValidationException("ZohoCrm.EncryptedZip",
                        $"-Path '{_path}' is an encrypted (password-protected) ZIP. Bulk write needs a plain ZIP, as Zoho does: unzip it and give the CSV, or zip it again without a password.", "Path");
                zip = ZipFile.OpenRead(_path);
                var csvs = zip.Entries.Where(e => !string.IsNullOrEmpty(e.Name)).ToList();
                if (csvs.Count != 1 || !csvs[0].Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
                {
                    zip.Dispose();
                    throw new ZohoValidationException("ZohoCrm.InvalidZip", $"-Path '{_path}' is a ZIP with {csvs.Count} file(s) ({string.Join(", ", csvs.Select(e => e.FullName).Take(5))}); bulk write takes a ZIP holding exactly one .csv file.", "Path");
                }
                stream = csvs[0].Open();
            }
            else stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920);
            try
            {
                using (var reader = new CsvReader(new StreamReader(stream, _encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 65536)))
                {
                    List<string> header;
                    try { header = reader.ReadRecord(); }
                    catch (DecoderFallbackException) { throw BadEncoding(1); }
                    catch (CsvRecordTooLargeException ex) { throw TooLarge(ex, 0, null, zip != null); }
                    if (header == null || (header.Count == 1 && header[0].Length == 0))
                        throw new ZohoValidationException("ZohoCrm.EmptyCsv", $"-Path '{_path}' is empty: the first row must name the columns (field API names).", "Path");
                    if (header.Any(h => h.IndexOf('\0') >= 0))
                        throw new ZohoValidationException("ZohoCrm.InvalidEncoding",
                            $"'{_path}' looks like UTF-16 text without a byte order mark (its header is full of NUL characters), not {_encodingName}. Save it as UTF-8, or give -CharacterEncoding utf-16 (unicodeFFFE if big-endian).", "Path");
                    RowBuilder.CheckColumns(header, "Path");
                    start(header);
                    long rowNumber = 0;
                    List<string> record;
                    while (true)
                    {
                        try { record = reader.ReadRecord(); }
                        catch (DecoderFallbackException) { throw BadEncoding(reader.LineNumber); }
                        catch (CsvRecordTooLargeException ex) { throw TooLarge(ex, rowNumber + 1, header, zip != null); }
                        if (record == null) return rowNumber;
                        if (record.Count == 1 && record[0].Length == 0) continue; // blank line
                        rowNumber++;
                        if (record.Count != header.Count)
                            throw new ZohoValidationException("ZohoCrm.RaggedRow",
                                $"Row {rowNumber} (line {reader.LineNumber}) of '{_path}' has {record.Count} cells; the header has {header.Count}. Nothing was uploaded.", "Path");
                        add(record, rowNumber);
                    }
                }
            }
            finally { zip?.Dispose(); }
        }

        private ZohoValidationException TooLarge(CsvRecordTooLargeException ex, long row, List<string> header, bool zipped)
        {
            string where = row == 0 ? $"The header (line {ex.Line})" : $"Row {row} (line {ex.Line})";
            string column = header != null && ex.CellIndex < header.Count ? $", column '{header[ex.CellIndex]}'," : header != null ? $", past the header's {header.Count} columns," : "";
            string what = zipped ? "the ZIP expands to more than any CSV row can be: it is a zip bomb or not a CSV" : "it is not a CSV Zoho can take";
            return new ZohoValidationException("ZohoCrm.RowTooLarge",
                $"{where}{column} of '{_path}' is longer than {ex.MaxChars.ToString("N0", CultureInfo.InvariantCulture)} characters, while a Zoho field holds at most 32,000: {what}. Reading stopped there; nothing was uploaded.", "Path");
        }

        private ZohoValidationException BadEncoding(long line) =>
            new ZohoValidationException("ZohoCrm.InvalidEncoding",
                $"Line {line} of '{_path}' is not valid {_encodingName}. Give the file's encoding with -CharacterEncoding (e.g. windows-1252).", "Path");

        private static bool IsZip(string path)
        {
            using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                var sig = new byte[4];
                return f.Read(sig, 0, 4) == 4 && sig[0] == 0x50 && sig[1] == 0x4B && sig[2] == 0x03 && sig[3] == 0x04;
            }
        }
    }
}
