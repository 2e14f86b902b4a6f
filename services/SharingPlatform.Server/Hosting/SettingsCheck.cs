using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using SharingPlatform.Server.Access;
using SharingPlatform.Server.Audit;
using SharingPlatform.Server.Cases;
using SharingPlatform.Server.Data;
using SharingPlatform.Server.Identity;
using SharingPlatform.Server.Observability;

namespace SharingPlatform.Server.Hosting;

/// <summary>
/// Reads the platform's own configuration sections before anything else does: a key that is no setting (a typo is
/// otherwise ignored without a word) or a value that cannot be read as its setting's type is a refusal to start that
/// names the key and what it takes. The value itself is never repeated: it may be a secret put in the wrong key.
/// Then each section's own rules (ranges, required values) are checked the same way the options' validation
/// (ValidateOnStart) checks them later, so that every message names its key; rules between sections are left to that.
/// </summary>
public static class SettingsCheck
{
    private static readonly (string Section, Type Options)[] Sections =
    [
        (PlatformOptions.Section, typeof(PlatformOptions)),
        (DatabaseOptions.Section, typeof(DatabaseOptions)),
        (EndpointOptions.Section, typeof(EndpointOptions)),
        (IdentityServerOptions.Section, typeof(IdentityServerOptions)),
        (RateLimitOptions.Section, typeof(RateLimitOptions)),
        (FeedOptions.Section, typeof(FeedOptions)),
        (AuditOptions.Section, typeof(AuditOptions)),
        (DemoOptions.Section, typeof(DemoOptions)),
        (TelemetryOptions.Section, typeof(TelemetryOptions)),
    ];

    /// <summary>Throws <see cref="StartRefusedException"/> (exit code 2) naming every problem found.</summary>
    public static void ThrowIfInvalid(IConfiguration configuration)
    {
        if (Problems(configuration) is { Count: > 0 } problems)
        {
            throw new StartRefusedException(
                $"{string.Join(" ", problems)} See README, Configuration, for every setting and its default.", StartExitCodes.Configuration);
        }
    }

    public static IReadOnlyList<string> Problems(IConfiguration configuration)
    {
        var problems = new List<string>();
        foreach (var (section, type) in Sections)
        {
            var before = problems.Count;
            var settings = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)
                .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
            foreach (var child in configuration.GetSection(section).GetChildren())
            {
                var key = $"{section}:{child.Key}";
                if (!settings.TryGetValue(child.Key, out var setting))
                {
                    problems.Add($"{key} is not a setting (known in {section}: {string.Join(", ", settings.Keys.Order(StringComparer.Ordinal))}).");
                }
                else if (child.Value is { Length: > 0 } value && !Readable(setting.PropertyType, value))
                {
                    problems.Add($"{key} cannot be read as {Expected(setting.PropertyType)}.");
                }
            }

            if (problems.Count == before)
            {
                var options = configuration.GetSection(section).Get(type) ?? Activator.CreateInstance(type)!;
                var results = new List<ValidationResult>();
                Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
                problems.AddRange(results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
            }
        }

        return problems;
    }

    private static bool Readable(Type type, string value)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string))
        {
            return true;
        }

        if (target.IsEnum)
        {
            // The binder accepts numbers for enums too; a setting is spelled by name.
            return Enum.GetNames(target).Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);
        }

        try
        {
            return TypeDescriptor.GetConverter(target).ConvertFromString(null, CultureInfo.InvariantCulture, value) is not null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or NotSupportedException)
        {
            return false;
        }
    }

    private static string Expected(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(target))
            : target == typeof(TimeSpan) ? "a duration (hh:mm:ss)"
            : target == typeof(bool) ? "true or false"
            : target == typeof(int) || target == typeof(long) ? "a whole number"
            : "a " + target.Name;
    }
}
