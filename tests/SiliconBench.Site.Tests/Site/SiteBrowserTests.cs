using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace SiliconBench.Tests.Site;

/// <summary>
/// The rendered site in a real browser (Debian's chromium, never a downloaded one), opened from
/// file:// as a reader would open it.
/// </summary>
public class SiteBrowserTests
{
    private static string ChromiumPath => Environment.GetEnvironmentVariable("SILICONBENCH_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    private static string ArtifactsDirectory
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("SILICONBENCH_ARTIFACTS") is { Length: > 0 } p
                ? p
                : Path.Combine(AppContext.BaseDirectory, "TestResults", "artifacts", "site");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>Fails loudly without chromium, unless the environment opts out of browser tests.</summary>
    private static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            var reason = $"chromium not found at {ChromiumPath}: install it (apt-get install -y chromium) or point SILICONBENCH_CHROMIUM at it";
            if (Environment.GetEnvironmentVariable("SILICONBENCH_SKIP_BROWSER") == "1")
                Assert.Skip(reason + " (skipped: SILICONBENCH_SKIP_BROWSER=1)");
            Assert.Fail(reason + "; set SILICONBENCH_SKIP_BROWSER=1 to skip browser tests");
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Why: CI containers run as root, where chromium refuses its sandbox.
            Args = ["--no-sandbox", "--disable-gpu"],
        });
        return (playwright, browser);
    }

    private static string FileUrl(string relativePath) => new Uri(Path.Combine(RenderedSite.Directory, relativePath)).AbsoluteUri;

    [Fact]
    public async Task Every_page_loads_from_file_without_errors_failed_requests_or_dialogs_and_its_links_resolve()
    {
        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        // Why: the test machine is shared; a slow load is not what this test is about.
        page.SetDefaultNavigationTimeout(120_000);
        var problems = new List<string>();
        var current = "";
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
                problems.Add($"{current}: console {m.Type}: {m.Text}");
        };
        page.PageError += (_, e) => problems.Add($"{current}: page error: {e}");
        page.RequestFailed += (_, r) => problems.Add($"{current}: request failed: {r.Url} {r.Failure}");
        page.Dialog += async (_, d) =>
        {
            problems.Add($"{current}: dialog fired: {d.Message}");
            await d.DismissAsync();
        };
        var pages = RenderedSite.HtmlPages.ToList();
        Assert.True(pages.Count >= 9);
        foreach (var relative in pages)
        {
            current = relative;
            var response = await page.GotoAsync(FileUrl(relative), new PageGotoOptions { WaitUntil = WaitUntilState.Load });
            Assert.NotNull(response);
            // The stylesheet applied: CSP allowed the local file.
            var background = await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('header.top')).display");
            Assert.Equal("flex", background);
            var hrefs = await page.EvaluateAsync<string[]>("[...document.querySelectorAll('a[href]')].map(a => a.href)");
            foreach (var href in hrefs)
            {
                var uri = new Uri(href);
                Assert.True(uri.IsFile, $"{relative}: non-file link {href}");
                Assert.True(File.Exists(uri.LocalPath), $"{relative}: broken link {href}");
            }
        }
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Charts_show_the_expected_marks_and_the_hostile_label_is_text()
    {
        var (playwright, browser) = await LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var dialogs = 0;
        page.Dialog += async (_, d) =>
        {
            dialogs++;
            await d.DismissAsync();
        };

        await page.GotoAsync(FileUrl(RenderedSite.PageMatching("workload/")));
        foreach (var (id, marks, frontier) in new[] { ("chart-throughput", 5, 3), ("chart-energy", 4, 3), ("chart-cost", 4, 2) })
        {
            Assert.Equal(marks, await page.Locator($"#{id} svg circle").CountAsync());
            Assert.Equal(frontier, await page.Locator($"#{id} svg circle[data-frontier=true]").CountAsync());
            Assert.Equal(marks.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.Locator($"#{id} svg").GetAttributeAsync("data-points"));
            // Each mark is drawn inside the plot area, not collapsed onto an axis.
            var box = await page.Locator($"#{id} svg circle").First.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box!.Width > 4);
        }
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, "workload.png"), FullPage = true });

        await page.GotoAsync(FileUrl("index.html"));
        Assert.Equal(1, await page.GetByText("<script>alert(1)</script>", new PageGetByTextOptions { Exact = true }).CountAsync());
        Assert.Equal(0, await page.Locator("main script").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, "index.png"), FullPage = true });

        await page.GotoAsync(FileUrl("runs/cpu-incomplete.html"));
        var title = await page.Locator("h1").InnerTextAsync();
        Assert.Contains("incomplete", title, StringComparison.Ordinal);
        Assert.Contains("<script>alert(1)</script>", await page.Locator("#manifest").InnerTextAsync(), StringComparison.Ordinal);

        await page.GotoAsync(FileUrl("runs/h100-energy.html"));
        Assert.Equal(50, await CountVertices(page, "#timeline-power_w"));
        Assert.Equal(14, await CountVertices(page, "#cdf-ttft"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, "run-h100-energy.png"), FullPage = true });

        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        var dark = await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");
        Assert.Equal("rgb(20, 22, 26)", dark);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, "run-h100-energy-dark.png"), FullPage = true });

        Assert.Equal(0, dialogs);
        Assert.True(File.Exists(Path.Combine(ArtifactsDirectory, "index.png")));
    }

    private static async Task<int> CountVertices(IPage page, string chart)
    {
        var lists = await page.EvaluateAsync<string[]>($"[...document.querySelectorAll('{chart} polyline.ln')].map(p => p.getAttribute('points'))");
        return lists.Sum(l => Regex.Count(l, "\\S+"));
    }
}
