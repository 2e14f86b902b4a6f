using Google.Protobuf.WellKnownTypes;

namespace SharingPlatform.Server.Access;

public static class RequestTimes
{
    /// <summary>A request's timestamp as UTC microseconds, or INVALID_ARGUMENT naming <paramref name="field"/> when out of range.</summary>
    public static DateTime ToUtc(Timestamp timestamp, string field)
    {
        if (timestamp.Seconds is < 0 or > 253402300799 || timestamp.Nanos is < 0 or > 999_999_999)
        {
            RpcErrors.InvalidArgument(field, "OUT_OF_RANGE", "Must be a time from 1970 to 9999.");
        }

        var value = timestamp.ToDateTime();
        return new DateTime(value.Ticks - (value.Ticks % TimeSpan.TicksPerMicrosecond), DateTimeKind.Utc);
    }
}
