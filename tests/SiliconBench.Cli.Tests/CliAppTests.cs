using SiliconBench.Cli;
using SiliconBench.Cli.Hosting;
using SiliconBench.Diagnostics;
using Spectre.Console.Testing;
using Xunit;

namespace SiliconBench.Tests;

public sealed class CliAppTests
{
    [Fact]
    public void Unknown_command_is_bad_input_with_a_message_not_a_stack_trace()
    {
        var console = new TestConsole();
        var error = new StringWriter();
        var env = new CliEnvironment(console, error, Directory.GetCurrentDirectory(), CancellationToken.None);

        var code = CliApp.Run(["frobnicate"], env);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("error: ", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }
}
