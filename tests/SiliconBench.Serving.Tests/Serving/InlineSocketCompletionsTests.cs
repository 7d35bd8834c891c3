using SiliconBench.Serving;
using Xunit;

namespace SiliconBench.Tests.Serving;

public class InlineSocketCompletionsTests
{
    [Fact]
    public void An_unset_environment_gets_the_knob_turned_on()
    {
        var environment = new Dictionary<string, string?>();

        var on = InlineSocketCompletions.EnableUnlessSet(environment.GetValueOrDefault, (k, v) => environment[k] = v);

        Assert.True(on);
        Assert.Equal("1", environment[InlineSocketCompletions.Variable]);
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("1", true)]
    public void A_setting_the_user_made_is_kept(string value, bool expectedOn)
    {
        var environment = new Dictionary<string, string?> { [InlineSocketCompletions.Variable] = value };

        var on = InlineSocketCompletions.EnableUnlessSet(environment.GetValueOrDefault, (k, v) => environment[k] = v);

        Assert.Equal(expectedOn, on);
        Assert.Equal(value, environment[InlineSocketCompletions.Variable]);
    }
}
