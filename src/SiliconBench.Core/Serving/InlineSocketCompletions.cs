namespace SiliconBench.Serving;

/// <summary>
/// The .NET runtime's <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c> knob: socket completions run on the epoll
/// thread that saw them instead of being queued to the thread pool. For the load generator that saves a thread hop
/// and a wake-up per streamed chunk; measured on 2 cores it roughly halves the client's CPU per chunk at 1,000
/// paced streams and raises the chunks/s one core sustains by about half (README, Benchmarks).
/// </summary>
/// <remarks>
/// Safe here because nothing that runs after a socket read blocks: the SSE reader, JSON parsing, the runner's
/// bookkeeping and the channel to the record writer are all non-blocking. The runtime reads the variable once,
/// when the first socket is used, so this must run before any socket exists (the first thing in Main).
/// </remarks>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns the knob on unless the environment already sets it (either way); true when it is on.</summary>
    public static bool EnableUnlessSet() =>
        EnableUnlessSet(Environment.GetEnvironmentVariable, Environment.SetEnvironmentVariable);

    /// <summary>The same over any environment, for tests.</summary>
    public static bool EnableUnlessSet(Func<string, string?> read, Action<string, string?> write)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(write);
        if (read(Variable) is { } set)
            return set == "1";
        write(Variable, "1");
        return true;
    }
}
