using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project tests/SiliconBench.Benchmarks -- --filter '*'
// End-to-end load-generator ceiling: dotnet run -c Release --project tests/SiliconBench.Benchmarks -- loadgen [--streams 1,100,1000,5000]
// (loadgen-server is the raw SSE fixture the loadgen mode starts as its own process.)
// As the CLI does: socket completions inline, unless the environment says otherwise (it must precede any socket).
SiliconBench.Serving.InlineSocketCompletions.EnableUnlessSet();
if (args.Length > 0 && args[0] == "loadgen")
    return await SiliconBench.Benchmarks.Serving.LoadgenHarness.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "loadgen-server")
    return await SiliconBench.Benchmarks.Serving.ServerProcessFixture.ServeAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
