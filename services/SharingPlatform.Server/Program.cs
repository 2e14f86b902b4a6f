using SharingPlatform.Server.Access;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Hosting;
using SharingPlatform.Server.Identity;
using SharingPlatform.Server.Observability;

if (KeysCommand.Matches(args))
{
    return KeysCommand.Run(args, Console.Out, Console.Error); // operates on the key files only; see README, Rotating keys
}

WebApplication? app = null;
try
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = StartupExtensions.TranslateSwitches(args),
        // appsettings.json and a relative data directory are found beside the application, wherever it is started from.
        ContentRootPath = AppContext.BaseDirectory,
    });
    SettingsCheck.ThrowIfInvalid(builder.Configuration);
    builder.AddPlatform();
    builder.AddEndpoints();
    builder.AddStorage();
    builder.AddIdentityServer();
    builder.AddRateLimits();
    builder.AddSharingApi();
    builder.AddTelemetry();

    app = builder.Build();
    app.UseTelemetry();
    app.MapSharingApi();
    await app.InitializeAsync();
    await app.StartAsync();
}
catch (Exception failed) when (StartupExtensions.AsRefusal(failed) is { } refused)
{
    // One line that says what is wrong and what to do, no stack trace, and a documented exit code (README, Exit codes).
    StartupExtensions.ReportRefusal(app, refused);
    if (app is not null)
    {
        await app.DisposeAsync(); // flushes the console logger: the line above is the operator's next step
    }

    return refused.ExitCode;
}

await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;

/// <summary>The host's entry point; public so that tests can start it in-process.</summary>
public partial class Program;
