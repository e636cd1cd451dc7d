return await Routines.Cli.RoutinesCommandLine.InvokeAsync(args);
