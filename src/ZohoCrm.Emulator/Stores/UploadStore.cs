using System.Globalization;

namespace ZohoCrm.Emulator;

internal sealed class UploadedFile(string id, byte[] bytes, string createdTime)
{
    public string Id { get; } = id;
    public byte[] Bytes { get; } = bytes;
    public string CreatedTime { get; } = createdTime;

    /// <summary>Files are single-use: a second job on the same file gets FILE_NOT_SUPPORTED.</summary>
    public bool Used { get; set; }
}

/// <summary>Uploaded bulk write files (the seed's pre-uploaded ones included), each usable by one job. Thread-safe.</summary>
internal sealed class UploadStore
{
    private const long FirstFileId = 738964000003000000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, UploadedFile> _uploads = new(StringComparer.Ordinal);
    private long _lastFileId = FirstFileId;
    private int _uploadCount;

    public UploadStore()
    {
        foreach (var id in SeedData.BulkWriteFileIds)
        {
            _uploads[id] = new UploadedFile(id, SeedData.BulkWriteFile(id), "2021-05-11T07:00:00+00:00");
        }
    }

    /// <summary>Successful uploads (the seed's files not counted).</summary>
    public int Count => Volatile.Read(ref _uploadCount);

    public UploadedFile Add(byte[] bytes)
    {
        var file = new UploadedFile(Interlocked.Increment(ref _lastFileId).ToString(CultureInfo.InvariantCulture), bytes, Zoho.Now());
        lock (_gate)
        {
            _uploads.Add(file.Id, file);
        }
        Interlocked.Increment(ref _uploadCount);
        return file;
    }

    /// <summary>A copy of an uploaded ZIP; null if unknown.</summary>
    public byte[]? CopyBytes(string fileId)
    {
        lock (_gate)
        {
            return _uploads.TryGetValue(fileId, out var f) ? (byte[])f.Bytes.Clone() : null;
        }
    }

    /// <summary>Null if unknown.</summary>
    public (byte[] Bytes, bool Used)? Find(string fileId)
    {
        lock (_gate)
        {
            return _uploads.TryGetValue(fileId, out var f) ? (f.Bytes, f.Used) : null;
        }
    }

    /// <summary>Marks the file used; false if unknown or already used (another job took it).</summary>
    public bool TryUse(string fileId)
    {
        lock (_gate)
        {
            if (!_uploads.TryGetValue(fileId, out var file) || file.Used)
            {
                return false;
            }
            file.Used = true;
            return true;
        }
    }
}
