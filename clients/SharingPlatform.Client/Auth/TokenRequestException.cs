namespace SharingPlatform.Client.Auth;

/// <summary>The identity server refused a token request (OAuth error code and description).</summary>
public sealed class TokenRequestException(string error, string? description)
    : Exception($"Token request refused: {error}{(description is null ? "" : " - " + description)}")
{
    public string Error { get; } = error;

    public string? Description { get; } = description;
}
