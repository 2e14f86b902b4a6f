namespace SharingPlatform.Server.Hosting;

public static class PlatformExtensions
{
    /// <summary>Binds the platform's own options; a relative data directory is taken from the content root.</summary>
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PlatformOptions>().BindConfiguration(PlatformOptions.Section)
            .PostConfigure(o => o.DataDirectory = DataDirectoryOf(builder))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        // No log scope is kept: ASP.NET Core's request scope carries the request path, which a caller chooses (a name
        // in a URL), and a sink with scopes on (the JSON console's IncludeScopes, a log exporter) would write it with
        // every line. Lines that need a trace id carry it themselves.
        builder.Services.Configure<LoggerFilterOptions>(o => o.CaptureScopes = false);
        return builder;
    }

    /// <summary>The absolute data directory, for registrations that need it before the container is built.</summary>
    public static string DataDirectoryOf(IHostApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetSection(PlatformOptions.Section).Get<PlatformOptions>()?.DataDirectory;
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? "data" : configured, builder.Environment.ContentRootPath);
    }
}
