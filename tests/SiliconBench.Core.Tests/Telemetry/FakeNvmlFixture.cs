using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace SiliconBench.Tests.Telemetry;

/// <summary>
/// Compiles Native/fake_nvml.c into a shared library once per test run. The fake keeps process-wide state
/// (like the real NVML), so every test that loads it sits in one non-parallel collection.
/// </summary>
public sealed class FakeNvmlFixture : IDisposable
{
    public const string ScriptVariable = "FAKE_NVML_SCRIPT";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-fake-nvml-" + Guid.NewGuid().ToString("N"));

    public FakeNvmlFixture()
    {
        Directory.CreateDirectory(_dir);
        ScriptPath = Path.Combine(_dir, "script.txt");
        File.WriteAllText(ScriptPath, "");
        Environment.SetEnvironmentVariable(ScriptVariable, ScriptPath);
        if (!OperatingSystem.IsLinux())
        {
            SkipReason = "the fake NVML library is built with gcc on Linux only";
            return;
        }
        var source = Path.Combine(AppContext.BaseDirectory, "Telemetry", "Native", "fake_nvml.c");
        if (!File.Exists(source))
            source = Path.Combine(SourceDirectory(), "Native", "fake_nvml.c");
        LibraryPath = Path.Combine(_dir, "libfake_nvml.so");
        try
        {
            using var gcc = Process.Start(new ProcessStartInfo("gcc", ["-shared", "-fPIC", "-O1", "-o", LibraryPath, source])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            var err = gcc.StandardError.ReadToEnd();
            gcc.WaitForExit();
            if (gcc.ExitCode != 0)
                SkipReason = "gcc could not build the fake NVML library: " + err;
            else
                SetScriptPath(ScriptPath);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            SkipReason = "gcc is not installed, so the fake NVML library cannot be built";
        }
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    public string ScriptPath { get; }
    public string LibraryPath { get; } = "";
    public string? SkipReason { get; }

    /// <summary>Scripts the fake's values; read by the next nvmlInit_v2.</summary>
    public void Script(params string[] lines)
    {
        Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");
        File.WriteAllLines(ScriptPath, lines);
    }

    public int InitCount => Counter("fake_nvml_init_count");
    public int ShutdownCount => Counter("fake_nvml_shutdown_count");

    private delegate int CounterFunction();

    private delegate void SetScriptFunction([MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    private void SetScriptPath(string path)
    {
        var h = NativeLibrary.Load(LibraryPath);
        Marshal.GetDelegateForFunctionPointer<SetScriptFunction>(NativeLibrary.GetExport(h, "fake_nvml_set_script"))(path);
    }

    private int Counter(string name)
    {
        var h = NativeLibrary.Load(LibraryPath);
        return Marshal.GetDelegateForFunctionPointer<CounterFunction>(NativeLibrary.GetExport(h, name))();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // The loaded library may still be mapped; the temp directory is left behind.
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FakeNvmlGroup : ICollectionFixture<FakeNvmlFixture>
{
    public const string Name = "fake NVML";
}
