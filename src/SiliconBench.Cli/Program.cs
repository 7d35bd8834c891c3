// Serving mode streams thousands of SSE responses: run socket completions on the epoll thread (no thread-pool hop
// per chunk) unless the environment sets the knob itself. Must come before any socket is created.
SiliconBench.Serving.InlineSocketCompletions.EnableUnlessSet();
return SiliconBench.Cli.CliApp.Run(args);
