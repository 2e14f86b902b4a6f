using SharingPlatform.Cli;

return await CliApp.RunAsync(args);
