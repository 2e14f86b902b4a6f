namespace SharingPlatform.Server.Data;

public static class Clock
{
    /// <summary>Now in UTC, cut to whole microseconds: the finest every provider stores, so an answer built
    /// from memory equals the same row read back from PostgreSQL or SQL Server.</summary>
    public static DateTime UtcNow(this TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMicrosecond), DateTimeKind.Utc);
    }
}
