namespace Routines;

/// <summary>The media type of a file by its extension, for the common kinds of ML files; anything else is octet-stream.</summary>
internal static class MediaTypes
{
    public const string Binary = "application/octet-stream";

    static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".csv"] = "text/csv", [".tsv"] = "text/tab-separated-values", [".txt"] = "text/plain", [".log"] = "text/plain",
        [".md"] = "text/markdown", [".json"] = "application/json", [".jsonl"] = "application/jsonl",
        [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".gif"] = "image/gif", [".svg"] = "image/svg+xml",
        [".webp"] = "image/webp", [".parquet"] = "application/vnd.apache.parquet", [".onnx"] = "application/onnx",
        [".zip"] = "application/zip", [".gz"] = "application/gzip", [".npy"] = "application/x-npy",
    };

    public static string Of(string path) => ByExtension.GetValueOrDefault(Path.GetExtension(path), Binary);
}
