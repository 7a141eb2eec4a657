using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using ZohoCrm.Runs;

namespace ZohoCrm.BulkWrite
{
    /// <summary>What a bulk write run records (run.json): the request, and per input its columns, mappings and chunks with their steps.</summary>
    internal sealed class BulkWriteRunManifest
    {
        public const string KindName = "bulk-write";
        public int Format { get; set; } = 1;
        public string Kind { get; set; } = KindName;
        public string Module { get; set; }
        public string Operation { get; set; }
        public string FindBy { get; set; }
        public bool IgnoreEmpty { get; set; }
        public bool IgnoreEmptyGiven { get; set; }
        public string CallbackUrl { get; set; }
        /// <summary>The API domain of the connection that started the run: a resume must write to the same org.</summary>
        public string ApiDomain { get; set; }
        public DateTimeOffset Started { get; set; }
        /// <summary>All the input was read (every input's chunks are written).</summary>
        public bool InputComplete { get; set; }
        public List<BulkWriteRunInput> Inputs { get; set; } = new List<BulkWriteRunInput>();
    }

    /// <summary>One input of a run: the piped rows, or one file.</summary>
    internal sealed class BulkWriteRunInput
    {
        /// <summary>The file the rows come from; null for piped rows.</summary>
        public string SourcePath { get; set; }
        /// <summary>The columns in the caller's order; the chunk files put <see cref="KeyColumn"/> first.</summary>
        public string[] Columns { get; set; }
        public int KeyColumn { get; set; }
        /// <summary>The field mappings as sent (indexes in the chunk files); null: Zoho maps the header's names.</summary>
        public List<FieldMappingSpec> FieldMappings { get; set; }
        /// <summary>Every row of this input is in <see cref="Chunks"/>.</summary>
        public bool Read { get; set; }
        /// <summary>Why this input was not sent, when that was reported at the time (a file that could not be read).</summary>
        public string NotSent { get; set; }
        public long RowCount { get; set; }
        public List<BulkChunk> Chunks { get; set; } = new List<BulkChunk>();
    }

    /// <summary>
    /// A bulk write run kept in a run folder (-RunPath): the chunk ZIPs, and a manifest written (atomically) at every
    /// step, so Resume-ZcrmBulkWriteRun can finish the run after Ctrl+C, kill -9 or a reboot without making a second job
    /// for a chunk that has one.
    /// </summary>
    internal sealed class BulkWriteRun : IDisposable
    {
        private static readonly JsonSerializerOptions Options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            IncludeFields = true,
            WriteIndented = true,
        };

        private BulkWriteRun(RunFolder folder, BulkWriteRunManifest manifest)
        {
            Folder = folder;
            Manifest = manifest;
        }

        public RunFolder Folder { get; }
        public BulkWriteRunManifest Manifest { get; }
        public string Path => Folder.Path;

        public static BulkWriteRun Create(string path, BulkWriteRequest request, string apiDomain)
        {
            var folder = RunFolder.Create(path, "RunPath");
            var run = new BulkWriteRun(folder, new BulkWriteRunManifest
            {
                Module = request.Module, Operation = request.Operation, FindBy = request.FindBy, IgnoreEmpty = request.IgnoreEmpty,
                IgnoreEmptyGiven = request.IgnoreEmptyGiven, CallbackUrl = request.CallbackUrl, ApiDomain = apiDomain, Started = DateTimeOffset.Now,
            });
            try { run.Save(); }
            catch { folder.Dispose(); throw; }
            return run;
        }

        public static BulkWriteRun Open(string path)
        {
            var folder = RunFolder.Open(path, "RunPath");
            try
            {
                BulkWriteRunManifest manifest;
                try { manifest = JsonSerializer.Deserialize<BulkWriteRunManifest>(folder.ReadManifest(), Options); }
                catch (JsonException ex) { throw Invalid(folder, $"it is not a run manifest this module can read ({ex.Message})"); }
                if (manifest == null || manifest.Kind != BulkWriteRunManifest.KindName)
                    throw Invalid(folder, $"it is not a bulk write run (kind '{manifest?.Kind}')");
                if (manifest.Format != 1) throw Invalid(folder, $"it has format {manifest.Format}; this module reads format 1");
                if (manifest.Module == null || manifest.Operation == null || manifest.Inputs == null) throw Invalid(folder, "it lacks the module, operation or inputs");
                foreach (var input in manifest.Inputs)
                    foreach (var chunk in input.Chunks)
                    {
                        if (chunk.File == null || chunk.File != System.IO.Path.GetFileName(chunk.File)) throw Invalid(folder, $"a chunk has no file name in the run folder ('{chunk.File}')");
                        chunk.ZipPath = folder.FilePath(chunk.File);
                    }
                return new BulkWriteRun(folder, manifest);
            }
            catch { folder.Dispose(); throw; }
        }

        private static ZohoValidationException Invalid(RunFolder folder, string why) =>
            new ZohoValidationException("ZohoCrm.InvalidRun", $"The run manifest '{folder.ManifestPath}' cannot be resumed: {why}.", "RunPath");

        public BulkWriteRequest Request(BulkWriteRunInput input) => new BulkWriteRequest
        {
            Module = Manifest.Module, Operation = Manifest.Operation, FindBy = Manifest.FindBy, IgnoreEmpty = Manifest.IgnoreEmpty,
            IgnoreEmptyGiven = Manifest.IgnoreEmptyGiven, CallbackUrl = Manifest.CallbackUrl, FieldMappings = input.FieldMappings,
        };

        private int _chunkFiles;

        /// <summary>A new chunk file in the run folder (user-only), numbered across the run's inputs.</summary>
        public string NewChunkFile()
        {
            int n = Manifest.Inputs.Sum(i => i.Chunks.Count) + ++_chunkFiles;
            return Folder.NewFile($"chunk-{n:D4}.zip");
        }

        /// <summary>Records the files of the run before any is read, so a resume knows of those it never reached.</summary>
        public void PlanFiles(IEnumerable<string> files)
        {
            foreach (var f in files) Manifest.Inputs.Add(new BulkWriteRunInput { SourcePath = f });
            Save();
        }

        /// <summary>Records an input as it starts being read (a planned file's entry, or a new one).</summary>
        public BulkWriteRunInput BeginInput(string sourcePath, IReadOnlyList<string> columns, int keyColumn, List<FieldMappingSpec> mappingsInFile)
        {
            var input = Manifest.Inputs.FirstOrDefault(i => i.SourcePath == sourcePath && !i.Read && i.Columns == null && i.NotSent == null);
            if (input == null) Manifest.Inputs.Add(input = new BulkWriteRunInput { SourcePath = sourcePath });
            input.Columns = columns.ToArray();
            input.KeyColumn = keyColumn;
            input.FieldMappings = mappingsInFile;
            Save();
            return input;
        }

        /// <summary>A planned file that was reported as not sent (it could not be read): a resume leaves it alone.</summary>
        public void NotSent(string sourcePath, string why)
        {
            var input = Manifest.Inputs.FirstOrDefault(i => i.SourcePath == sourcePath && !i.Read && i.NotSent == null);
            if (input == null) return;
            input.NotSent = why;
            input.Chunks.Clear();
            Save();
        }

        /// <summary>Nothing of the run reached Zoho (bad input found while reading, Ctrl+C before an upload): its files are deleted, so the folder can be used again.</summary>
        public bool DiscardIfNothingSent()
        {
            if (Manifest.Inputs.Any(i => i.Chunks.Any(c => c.State != BulkChunk.Ready))) return false;
            foreach (var chunk in Manifest.Inputs.SelectMany(i => i.Chunks)) ChunkWriter.TryDelete(chunk.ZipPath);
            foreach (var f in Directory.GetFiles(Path, "chunk-*.zip")) ChunkWriter.TryDelete(f);
            ChunkWriter.TryDelete(Folder.ManifestPath);
            return true;
        }

        /// <summary>Records an input read to its end: its chunks, each written and checksummed.</summary>
        public void EndInput(BulkWriteRunInput input, IReadOnlyList<BulkChunk> chunks, long rows)
        {
            _chunkFiles = 0;
            input.Chunks = chunks.ToList();
            input.RowCount = rows;
            input.Read = true;
            Save();
        }

        public void InputComplete()
        {
            Manifest.InputComplete = true;
            Save();
        }

        public void Save() => Folder.WriteManifest(JsonSerializer.SerializeToUtf8Bytes(Manifest, Options));

        /// <summary>A chunk file is the one the run wrote (its checksum), before it is uploaded again.</summary>
        public static void Verify(BulkChunk chunk)
        {
            string actual = File.Exists(chunk.ZipPath) ? ChunkWriter.Sha256Of(chunk.ZipPath) : null;
            if (actual != chunk.Sha256)
                throw new ZohoValidationException("ZohoCrm.RunFileChanged",
                    $"The run's file {chunk.File} (rows {chunk.FirstRow}-{chunk.LastRow}) {(actual == null ? "is missing" : "has changed since the run wrote it")}; it is not uploaded.", "RunPath");
        }

        public void Dispose() => Folder.Dispose();
    }
}
