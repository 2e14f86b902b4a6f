namespace SharingPlatform.Server.Cases;

/// <summary>The digit shapes of the numbers <see cref="DigitRuns"/> looks for, read on ASCII digits without separators.</summary>
internal static class NumberShapes
{
    /// <summary>18 characters: region (6, not starting with 0), birth date (8), sequence (3), check digit or X.</summary>
    public static bool IsResidentId(ReadOnlySpan<char> id)
    {
        if (id[0] == '0' || id[17] is not ((>= '0' and <= '9') or 'X' or 'x') || id[..17].ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        var century = ((id[6] - '0') * 10) + (id[7] - '0');
        var month = ((id[10] - '0') * 10) + (id[11] - '0');
        var day = ((id[12] - '0') * 10) + (id[13] - '0');
        return century is 18 or 19 or 20 && month is >= 1 and <= 12 && day is >= 1 and <= 31;
    }

    /// <summary>
    /// A phone number's digits: after a plus, 8-15 of them; otherwise an 00 international prefix, a Chinese mobile
    /// (with or without 86), a Korean number (with or without 82) or a Chinese landline with its area code.
    /// </summary>
    public static bool IsPhone(ReadOnlySpan<char> d, bool plus)
    {
        if (plus)
        {
            return d.Length is >= 8 and <= 15;
        }

        return (d.Length is >= 10 and <= 17 && d.StartsWith("00") && d[2] != '0')
            || IsChineseMobile(d)
            || (d.Length == 13 && d.StartsWith("86") && IsChineseMobile(d[2..]))
            || (d.Length is >= 10 and <= 13 && d.StartsWith("82") && IsKoreanAfterTrunk(d[2] == '0' ? d[3..] : d[2..]))
            || (d.Length is >= 9 && d[0] == '0' && IsKoreanAfterTrunk(d[1..]))
            || (d.Length is >= 10 and <= 12 && d[0] == '0' && d[1] != '0');
    }

    private static bool IsChineseMobile(ReadOnlySpan<char> d) => d.Length == 11 && d[0] == '1' && d[1] is >= '3' and <= '9';

    // After the leading 0: 10-xxxx-xxxx mobiles, 2-xxx(x)-xxxx Seoul, 31-64 regions, 70 internet phones.
    private static bool IsKoreanAfterTrunk(ReadOnlySpan<char> s) => s.Length >= 2 && (s[0], s[1]) switch
    {
        ('1', '0' or '1' or '6' or '7' or '8' or '9') => s.Length is 9 or 10,
        ('2', _) => s.Length is 8 or 9,
        ('3' or '4' or '5' or '6', >= '1' and <= '5') => s.Length is 9 or 10,
        ('7', '0') => s.Length == 10,
        _ => false,
    };
}
