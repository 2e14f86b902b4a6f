using SharingPlatform.Server.Access;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Hosting;
using SharingPlatform.Server.Identity;

var builder = WebApplication.CreateBuilder(StartupExtensions.TranslateSwitches(args));
builder.AddPlatform();
builder.AddEndpoints();
builder.AddStorage();
builder.AddIdentityServer();
builder.AddRateLimits();
builder.AddSharingApi();

var app = builder.Build();
app.MapSharingApi();
await app.InitializeAsync();
await app.RunAsync();

/// <summary>The host's entry point; public so that tests can start it in-process.</summary>
public partial class Program;
