return SiliconBench.Cli.CliApp.Run(args);
