namespace SiliconBench.Tests.OnnxRuntime;

/// <summary>A cache directory of its own for one test class, deleted afterwards.</summary>
public sealed class TempCache : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "sb-ort-" + Guid.NewGuid().ToString("N"));

    public TempCache() => System.IO.Directory.CreateDirectory(Directory);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
