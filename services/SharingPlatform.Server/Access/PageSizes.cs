namespace SharingPlatform.Server.Access;

/// <summary>
/// The page size of every list (AIP-158): 0 means the default, a size above the maximum is capped to it rather than
/// refused (a client asking for more than it may get still gets pages), and only a negative size is an error.
/// </summary>
public static class PageSizes
{
    public const int Default = 100;
    public const int Max = 1000;

    public static int Resolve(int requested, string field = "page_size", int defaultSize = Default, int max = Max)
    {
        if (requested < 0)
        {
            RpcErrors.InvalidArgument(field, "OUT_OF_RANGE", $"Must not be negative: 0 means {defaultSize}, and more than {max} means {max}.");
        }

        return requested == 0 ? defaultSize : Math.Min(requested, max);
    }
}
