using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// The header and claims of a compact JWS client assertion, read without checking its signature: good for refusing
/// what is malformed and for naming the client it claims to come from, never for trusting anything in it.
/// </summary>
public sealed class UnverifiedAssertion
{
    /// <summary>An SDK assertion is about 500 characters; anything far longer is not one.</summary>
    public const int MaxLength = 8 * 1024;

    // A JSON object with a member twice can be read one way here and the other way by the validating library.
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 8 };

    private UnverifiedAssertion(JsonElement header, JsonElement claims)
    {
        Header = header;
        Claims = claims;
    }

    public JsonElement Header { get; }

    public JsonElement Claims { get; }

    /// <summary>The assertion's parts, or null when it is not three base64url JSON objects of sane size.</summary>
    public static UnverifiedAssertion? TryRead(string? assertion)
    {
        if (string.IsNullOrEmpty(assertion) || assertion.Length > MaxLength)
        {
            return null;
        }

        var parts = assertion.Split('.');
        return parts.Length == 3 && Decode(parts[0]) is { } header && Decode(parts[1]) is { } claims
            ? new UnverifiedAssertion(header, claims)
            : null;
    }

    /// <summary>A member that is a JSON string, or null (absent or of another kind).</summary>
    public static string? StringOf(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement? Decode(string part)
    {
        try
        {
            using var document = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(part), Strict);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or JsonException)
        {
            return null;
        }
    }
}
