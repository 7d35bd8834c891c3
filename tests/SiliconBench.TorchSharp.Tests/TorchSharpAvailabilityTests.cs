using System.Text;
using SiliconBench.Diagnostics;
using SiliconBench.Engines;
using SiliconBench.Tests.OnnxRuntime;
using SiliconBench.TorchSharp;
using Xunit;

namespace SiliconBench.Tests.TorchSharp;

/// <summary>Whether libtorch loads here, and the reason a user sees when it does not (the libstdc++ trap).</summary>
public sealed class TorchSharpAvailabilityTests(TempCache cache, ITestOutputHelper output) : IClassFixture<TempCache>
{
    private static string GluePath => new[]
    {
        Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"),
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
    }.FirstOrDefault(File.Exists) ?? "(no glue library in the build output)";

    [Fact]
    public void Glibcxx_versions_are_read_as_whole_nul_terminated_names()
    {
        var bytes = Encoding.ASCII.GetBytes("xx\0GLIBCXX_3.4.9\0GLIBCXX_3.4.30\0GLIBCXX_TUNABLES\0GLIBCXX_3.4.30\0GLIBCXX_3.4.29x\0GLIBCXX_3.4.28\0");
        Assert.Equal([new Version(3, 4, 9), new Version(3, 4, 28), new Version(3, 4, 30)], GlibcxxVersions.Parse(bytes));
        Assert.Empty(GlibcxxVersions.Read("/no/such/file"));
        Assert.Null(GlibcxxVersions.Newest("/no/such/file"));
    }

    [Fact]
    public void The_libstdcxx_mismatch_is_explained_with_the_detected_versions()
    {
        var reason = TorchSharpLoadDiagnosis.Explain("0.107.0", "ignored", new Version(3, 4, 32), new Version(3, 4, 30));
        Assert.Equal(
            "TorchSharp 0.107's native glue needs GLIBCXX_3.4.32; this system's libstdc++ has up to GLIBCXX_3.4.30 — " +
            "use a newer Linux (e.g. Debian 13/Ubuntu 24.04) or set LD_LIBRARY_PATH to a newer libstdc++", reason);
        var other = TorchSharpLoadDiagnosis.Explain("0.107.0", "libtorch_cpu.so: cannot open shared object file", new Version(3, 4, 30), new Version(3, 4, 33));
        Assert.Equal("the TorchSharp 0.107.0 native library did not load: libtorch_cpu.so: cannot open shared object file", other);
    }

    [Fact]
    public void The_missing_version_is_read_from_the_loaders_message()
    {
        const string dlerror = "/app/libLibTorchSharp.so: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /app/libLibTorchSharp.so)";
        Assert.Equal(new Version(3, 4, 32), TorchSharpLoadDiagnosis.MissingFromLoaderError(dlerror));
        Assert.Null(TorchSharpLoadDiagnosis.MissingFromLoaderError("cannot open shared object file"));
        Assert.Null(TorchSharpLoadDiagnosis.MissingFromLoaderError(null));
    }

    [Fact]
    public void Check_reports_the_libstdcxx_mismatch_where_there_is_one_and_the_cpu_device_otherwise()
    {
        var availability = new TorchSharpEngineFactory().Check();
        output.WriteLine($"available={availability.Available} version={availability.Version} devices=[{string.Join(", ", availability.Devices)}] reason={availability.Reason}");
        var required = GlibcxxVersions.Newest(GluePath);
        var libstdcxx = GlibcxxVersions.FindLibStdCxx();
        var provided = libstdcxx is null ? null : GlibcxxVersions.Newest(libstdcxx);
        output.WriteLine($"glue needs {required}; {libstdcxx} has up to {provided}");
        if (OperatingSystem.IsLinux() && required is not null && provided is not null && required > provided)
        {
            Assert.False(availability.Available);
            Assert.Equal(TorchSharpLoadDiagnosis.Explain(TorchSharpRuntimeVersion(), null, required, provided), availability.Reason);
            Assert.Contains($"GLIBCXX_{required}", availability.Reason);
            Assert.Contains($"GLIBCXX_{provided}", availability.Reason);
        }
        else if (availability.Available)
        {
            Assert.Contains("cpu", availability.Devices);
            Assert.StartsWith("0.107", availability.Version);
        }
        else
        {
            Assert.StartsWith("the TorchSharp", availability.Reason);
        }
        Assert.Equal("torchsharp", availability.Id);
    }

    [Fact]
    public void Create_fails_as_a_backend_input_error_with_the_reason_where_libtorch_cannot_load()
    {
        var availability = new TorchSharpEngineFactory().Check();
        Assert.SkipWhen(availability.Available, "libtorch loads here; this test covers machines where it cannot");
        var e = Assert.Throws<InputException>(() => new TorchSharpEngineFactory().Create(new EngineRequest { ModelSpec = "synthetic:tiny", CacheDirectory = cache.Directory }));
        Assert.Equal("--backend", e.Field);
        Assert.Equal(availability.Reason, e.Problem);
    }

    [Theory]
    [InlineData("gpu", "fp32", "--device")]
    [InlineData("cpu", "int8", "--dtype")]
    public void Input_mistakes_are_reported_before_libtorch_is_needed(string device, string dtype, string field)
    {
        var e = Assert.Throws<InputException>(() => new TorchSharpEngineFactory().Create(new EngineRequest
        {
            ModelSpec = "synthetic:tiny", Device = device, Dtype = dtype, CacheDirectory = cache.Directory,
        }));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Onnx_files_and_checkpoint_dtype_on_real_checkpoints_are_refused()
    {
        var onnx = Path.Combine(cache.Directory, "model.onnx");
        File.WriteAllBytes(onnx, [0]);
        var e = Assert.Throws<InputException>(() => new TorchSharpEngineFactory().Create(new EngineRequest { ModelSpec = onnx, CacheDirectory = cache.Directory }));
        Assert.Equal("--model", e.Field);
        Assert.Contains("onnxruntime engine", e.Message);

        var dir = Models.SyntheticCheckpoint.GetOrCreate("tiny", "fp32", 42, cache.Directory, null);
        var dtype = Assert.Throws<InputException>(() => new TorchSharpEngineFactory().Create(new EngineRequest
        {
            ModelSpec = dir, CacheDirectory = cache.Directory, Options = new Dictionary<string, string> { ["checkpoint_dtype"] = "fp16" },
        }));
        Assert.Equal("checkpoint_dtype", dtype.Field);
    }

    private static string TorchSharpRuntimeVersion() =>
        typeof(global::TorchSharp.torch).Assembly.GetName().Version!.ToString(3);
}
