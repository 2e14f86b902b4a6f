using SharingPlatform.Server.Access;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Hosting;
using SharingPlatform.Server.Identity;
using SharingPlatform.Server.Observability;

if (KeysCommand.Matches(args))
{
    return KeysCommand.Run(args, Console.Out, Console.Error); // operates on the key files only; see README, Rotating keys
}

var builder = WebApplication.CreateBuilder(StartupExtensions.TranslateSwitches(args));
builder.AddPlatform();
builder.AddEndpoints();
builder.AddStorage();
builder.AddIdentityServer();
builder.AddRateLimits();
builder.AddSharingApi();
builder.AddTelemetry();

var app = builder.Build();
app.UseTelemetry();
app.MapSharingApi();
try
{
    await app.InitializeAsync();
}
catch (StartRefusedException refused)
{
    // What is wrong and how to recover, without a stack trace: the operator's next step is in the message.
    Log.StartRefused(app.Logger, refused.Message);
    await app.DisposeAsync(); // flushes the console logger: the message above is the operator's next step
    return StartRefusedException.ExitCode;
}

await app.RunAsync();
return 0;

/// <summary>The host's entry point; public so that tests can start it in-process.</summary>
public partial class Program;
