extern alias sdk;

using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using ClientAssertionJwt = sdk::SharingPlatform.Client.Auth.ClientAssertionJwt;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using static OpenIddict.Server.OpenIddictServerHandlers;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// What a private_key_jwt client assertion must look like (DESIGN section 13), checked before OpenIddict reads it:
/// <c>typ</c> exactly <c>client-authentication+jwt</c> (or with its <c>application/</c> prefix), <c>alg</c> ES256,
/// <c>aud</c> one string equal to the issuer, <c>exp</c> and <c>iat</c> (and <c>nbf</c> if sent) whole seconds in
/// range, clocks at most 30 s apart, a lifetime within <see cref="IdentityServerOptions.MaxAssertionLifetime"/>.
/// OpenIddict 7.8 alone accepts an <c>aud</c> array or the issuer without its slash, an <c>exp</c> up to five minutes
/// past and any <c>nbf</c>, and throws (HTTP 500) on a <c>typ</c> in other letter case or a date past the year 9999.
/// Nothing here needs the key: OpenIddict checks the signature next, and the replay guard records the jti after it.
/// </summary>
public sealed class ClientAssertionRules(IOptions<IdentityServerOptions> options, TimeProvider time)
    : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    /// <summary>How far apart the client's clock and ours may be, either way.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>The only signing algorithm a registered client key (EC P-256) can use.</summary>
    public const string Algorithm = "ES256";

    // 9999-12-31T23:59:59Z, the last second a DateTimeOffset holds: later NumericDates crash date conversions.
    private const long LastSecond = 253_402_300_799;

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireClientAssertionValidated>()
            .UseSingletonHandler<ClientAssertionRules>()
            .SetOrder(ValidateClientAssertion.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        if (string.IsNullOrEmpty(context.ClientAssertion))
        {
            return ValueTask.CompletedTask;
        }

        var issuer = (context.Options.Issuer ?? context.BaseUri)?.AbsoluteUri
            ?? throw new InvalidOperationException("The issuer is not configured.");
        if (Problem(UnverifiedAssertion.TryRead(context.ClientAssertion), issuer) is { } problem)
        {
            context.Reject(Errors.InvalidClient, problem);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Why the assertion is refused (naming the field, never its value), or null when it may go on.</summary>
    private string? Problem(UnverifiedAssertion? assertion, string issuer)
    {
        if (assertion is null)
        {
            return "The client assertion must be a compact JWS: three base64url parts, header and claims JSON objects without repeated members.";
        }

        if (UnverifiedAssertion.StringOf(assertion.Header, "typ") is not (ClientAssertionJwt.TokenType or "application/" + ClientAssertionJwt.TokenType))
        {
            return $"The client assertion header typ must be exactly '{ClientAssertionJwt.TokenType}' (in lower case).";
        }

        if (UnverifiedAssertion.StringOf(assertion.Header, "alg") != Algorithm)
        {
            return $"The client assertion must be signed with {Algorithm}.";
        }

        if (!string.Equals(UnverifiedAssertion.StringOf(assertion.Claims, Claims.Audience), issuer, StringComparison.Ordinal))
        {
            return $"The client assertion aud must be one string, exactly the issuer '{issuer}'.";
        }

        if (!TrySeconds(assertion.Claims, Claims.ExpiresAt, required: true, out var expires)
            || !TrySeconds(assertion.Claims, Claims.IssuedAt, required: true, out var issuedAt)
            || !TrySeconds(assertion.Claims, Claims.NotBefore, required: false, out var notBefore))
        {
            return "The client assertion must carry exp and iat (and may carry nbf) as whole seconds since 1970, before the year 10000.";
        }

        // In milliseconds, so that "expired" here is exactly "forgotten" in the replay guard (exp + skew < now).
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var skew = (long)ClockSkew.TotalMilliseconds;
        var maxLifetime = (long)options.Value.MaxAssertionLifetime.TotalMilliseconds;
        if (expires * 1000 + skew < now)
        {
            return "The client assertion has expired; sign a new one.";
        }

        if (issuedAt * 1000 > now + skew || notBefore * 1000 > now + skew)
        {
            return "The client assertion is not valid yet (iat or nbf ahead of the server's clock); check the client's clock.";
        }

        return (expires - issuedAt) * 1000 > maxLifetime || expires * 1000 - now > maxLifetime
            ? $"The client assertion must be issued now and live at most {maxLifetime / 1000} seconds."
            : null;
    }

    /// <summary>Reads a NumericDate as whole seconds in 0..year 9999; an absent optional claim reads as 0.</summary>
    private static bool TrySeconds(JsonElement claims, string name, bool required, out long seconds)
    {
        seconds = 0;
        if (!claims.TryGetProperty(name, out var value))
        {
            return !required;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out seconds) && seconds is >= 0 and <= LastSecond;
    }
}
