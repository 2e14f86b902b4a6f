using System.Globalization;

namespace SharingPlatform.Server.Cases;

/// <summary>Etags are opaque to clients; here they are the record version in quotes, as in HTTP.</summary>
public static class CaseEtags
{
    public static string Format(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";
}
