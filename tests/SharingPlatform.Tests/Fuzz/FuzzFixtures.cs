using SharingPlatform.Tests.Infrastructure;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>A fuzz property sends one call after another as fast as the host answers: past the production per-client
/// call rate, which would answer RESOURCE_EXHAUSTED and leave the rest of the run untested.</summary>
public static class FuzzLimits
{
    public static IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("RateLimits:CallsPerClientPerSecond", "1000000"),
        new("RateLimits:CallBurst", "1000000"),
    ];
}

public sealed class SqliteFuzzFixture : SqliteFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => FuzzLimits.Settings;
}

public sealed class PostgresFuzzFixture : PostgresFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => FuzzLimits.Settings;
}
