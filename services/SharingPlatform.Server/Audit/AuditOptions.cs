namespace SharingPlatform.Server.Audit;

/// <summary>Section <c>Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>The environment in which the benchmark program runs the server.</summary>
    public const string BenchmarkEnvironment = "Benchmark";

    /// <summary>
    /// Records nothing, so that the benchmark can measure what the audit costs. The server refuses to start with it
    /// outside the Benchmark and Development environments, and says at start that it is on: a platform that records
    /// no access is not one partners may use.
    /// </summary>
    public bool Disabled { get; set; }

    /// <summary>Throws unless <see cref="Disabled"/> is off or the environment is one where it may be on.</summary>
    public static void Check(IHostApplicationBuilder builder) =>
        Check(builder.Configuration.GetSection(Section).Get<AuditOptions>() ?? new AuditOptions(), builder.Environment);

    /// <summary>As at build, again where the options are used: configuration may have been reloaded in between.</summary>
    public static void Check(AuditOptions options, IHostEnvironment environment)
    {
        if (options.Disabled && !environment.IsDevelopment() && !environment.IsEnvironment(BenchmarkEnvironment))
        {
            throw new Hosting.StartRefusedException(
                $"Audit:Disabled is for the benchmark only (environment {BenchmarkEnvironment} or Development); it is refused in '{environment.EnvironmentName}'. Remove it.", Hosting.StartExitCodes.Configuration);
        }
    }
}
